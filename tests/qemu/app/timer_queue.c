/* A queue between an esp_timer callback (in the esp_timer task) and a
 * module task: the callback sends a count every 250 ms, the task receives
 * and prints; after the fourth item the task stops and deletes the timer
 * and the queue and deletes itself. app_main returned long before, so the
 * module is then done and unloads itself. */
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"
#include "esp_timer.h"

static QueueHandle_t q;
static esp_timer_handle_t timer;
static TickType_t t0;

static void on_timer(void *arg) {
    static int n;
    n++;
    if (xQueueSend(q, &n, 0) != pdTRUE) printf("queue full\n");
}

static void consumer(void *arg) {
    int v;
    for (;;) {
        if (xQueueReceive(q, &v, portMAX_DELAY) != pdTRUE) continue;
        printf("%s: got %d at +%u ms\n", pcTaskGetName(NULL), v,
               (unsigned) ((xTaskGetTickCount() - t0) * portTICK_PERIOD_MS));
        if (v == 4) break;
    }
    printf("stop %d, delete %d\n", (int) esp_timer_stop(timer), (int) esp_timer_delete(timer));
    vQueueDelete(q);
    vTaskDelete(NULL);
}

void app_main(void) {
    vTaskDelay(1); /* start right after a tick */
    t0 = xTaskGetTickCount();
    q = xQueueCreate(4, sizeof(int));
    const esp_timer_create_args_t args = {.callback = on_timer, .name = "producer"};
    esp_timer_create(&args, &timer);
    xTaskCreate(consumer, "consumer", 3072, NULL, 6, NULL);
    esp_timer_start_periodic(timer, 250 * 1000);
    printf("app_main done\n");
}
