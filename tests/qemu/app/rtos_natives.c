/* A module calling FreeRTOS and esp_timer natives through the standard
 * `idf` table, run by the QEMU firmware's mode 2 in its main task: delays,
 * ticks, queues, a mutex and the clock, with no callbacks. Every number it
 * prints follows from the tick rate (100 Hz) and the calls' semantics. */
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "esp_timer.h"

void app_main(void) {
    printf("app_main in task %s, %u ms per tick\n", pcTaskGetName(NULL), (unsigned) portTICK_PERIOD_MS);
    vTaskDelay(1); /* start right after a tick */
    TickType_t t0 = xTaskGetTickCount();
    int64_t us0 = esp_timer_get_time();
    vTaskDelay(pdMS_TO_TICKS(30));
    printf("vTaskDelay(30 ms): +%u ticks, %lld ms\n", (unsigned) (xTaskGetTickCount() - t0),
           (esp_timer_get_time() - us0 + 500) / 1000);

    TickType_t last = xTaskGetTickCount();
    for (int i = 0; i < 3; i++) {
        vTaskDelayUntil(&last, 5);
        printf("vTaskDelayUntil %d: +%u ticks\n", i, (unsigned) (xTaskGetTickCount() - t0));
    }

    QueueHandle_t q = xQueueCreate(2, sizeof(int));
    int a = 7, b = -8, c = 9, got = 0;
    printf("send: %d %d, third when full: %d\n", (int) xQueueSend(q, &a, 0), (int) xQueueSendToFront(q, &b, 0),
           (int) xQueueSend(q, &c, 0));
    printf("waiting: %u\n", (unsigned) uxQueueMessagesWaiting(q));
    while (xQueueReceive(q, &got, 0) == pdTRUE) printf("received %d\n", got);
    TickType_t before = xTaskGetTickCount();
    BaseType_t r = xQueueReceive(q, &got, pdMS_TO_TICKS(20));
    printf("receive from empty queue with a 20 ms timeout: %d after %u ticks\n", (int) r,
           (unsigned) (xTaskGetTickCount() - before));
    vQueueDelete(q);

    SemaphoreHandle_t m = xSemaphoreCreateMutex();
    SemaphoreHandle_t s = xSemaphoreCreateCounting(3, 1);
    printf("mutex take %d, again %d, give %d; semaphore take %d %d\n", (int) xSemaphoreTake(m, 0),
           (int) xSemaphoreTake(m, 0), (int) xSemaphoreGive(m), (int) xSemaphoreTake(s, 0),
           (int) xSemaphoreTake(s, 0));
    vSemaphoreDelete(m);
    vSemaphoreDelete(s);
    printf("printf: [%5d] [%-4s] [%05.2f] [%x] [%c] [%lu]\n", 42, "ab", 3.14159, 0xbeefu, 'z', 123456789ul);
}
