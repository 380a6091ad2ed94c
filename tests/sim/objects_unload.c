// run: --for 1s
// stderr-empty
// Queues, semaphores, mutexes, a queue set and event groups the module
// creates and never deletes: unload frees them with its tasks (the
// simulator reports on stderr what the firmware still holds of a module
// after its unload). The one it deletes itself is not deleted twice.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "freertos/event_groups.h"

static QueueHandle_t q;
static EventGroupHandle_t bits;

static void consumer(void *arg)
{
    int v;
    while (xQueueReceive(q, &v, portMAX_DELAY) == pdTRUE) {
        printf("got %d\n", v);
        xEventGroupSetBits(bits, 1u << v);
    }
}

void app_main(void)
{
    q = xQueueCreate(4, sizeof(int));
    bits = xEventGroupCreate();
    SemaphoreHandle_t bin = xSemaphoreCreateBinary();
    SemaphoreHandle_t mutex = xSemaphoreCreateMutex();
    SemaphoreHandle_t rec = xSemaphoreCreateRecursiveMutex();
    SemaphoreHandle_t count = xSemaphoreCreateCounting(3, 1);
    QueueHandle_t gone = xQueueCreate(1, 1);
    vQueueDelete(gone);
    if (!q || !bits || !bin || !mutex || !rec || !count) {
        printf("create failed\n");
        return;
    }
    xTaskCreate(consumer, "consumer", 2048, NULL, 3, NULL);
    for (int i = 0; i < 3; i++) {
        xQueueSend(q, &i, 0);
        vTaskDelay(pdMS_TO_TICKS(10));
    }
    printf("bits 0x%lx\n", (unsigned long) xEventGroupGetBits(bits));
}
