// run: --for 10s
// A queue between an esp_timer callback and a task: the callback sends a
// count every 250 ms; the task prints each with the time it arrived, and
// after five stops and deletes the timer and itself. Nothing is left then,
// so the module unloads itself well before the time limit.
#include <stdio.h>
#include <stdint.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"
#include "esp_timer.h"

static QueueHandle_t q;
static esp_timer_handle_t timer;

static void on_timer(void *arg)
{
    static int count;
    int *base = arg;
    int v = *base + count++;
    if (xQueueSend(q, &v, 0) != pdPASS)
        printf("queue full\n");
}

static void consumer(void *arg)
{
    (void) arg;
    for (int i = 0; i < 5; i++) {
        int v;
        if (xQueueReceive(q, &v, portMAX_DELAY) == pdPASS)
            printf("got %d at %lld ms\n", v, (long long) (esp_timer_get_time() / 1000));
    }
    esp_timer_stop(timer);
    esp_timer_delete(timer);
    printf("consumer done, %u waiting\n", (unsigned) uxQueueMessagesWaiting(q));
    vTaskDelete(NULL);
}

void app_main(void)
{
    static int base = 100;
    q = xQueueCreate(4, sizeof(int));
    const esp_timer_create_args_t args = { .callback = on_timer, .arg = &base, .name = "producer" };
    esp_timer_create(&args, &timer);
    esp_timer_start_periodic(timer, 250 * 1000);
    xTaskCreate(consumer, "consumer", 4096, NULL, 5, NULL);
    printf("app_main returns\n");
}
