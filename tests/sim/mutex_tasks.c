// run: --for 10s
// A mutex shared by two tasks of the same priority: each takes it, reads the
// shared counter, waits a tick while holding it (the other task runs and
// blocks on the mutex), then writes counter + 1. Without the mutex updates
// would be lost; with it the total is exact and the tasks alternate.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"

static SemaphoreHandle_t lock;
static int counter;
static SemaphoreHandle_t done;

static void worker(void *arg)
{
    const char *name = arg;
    for (int i = 0; i < 3; i++) {
        xSemaphoreTake(lock, portMAX_DELAY);
        int seen = counter;
        vTaskDelay(1);
        counter = seen + 1;
        printf("%s: %d -> %d\n", name, seen, counter);
        xSemaphoreGive(lock);
        vTaskDelay(1);
    }
    xSemaphoreGive(done);
    vTaskDelete(NULL);
}

void app_main(void)
{
    lock = xSemaphoreCreateMutex();
    done = xSemaphoreCreateCounting(2, 0);
    xTaskCreate(worker, "a", 4096, "a", 3, NULL);
    xTaskCreate(worker, "b", 4096, "b", 3, NULL);
    xSemaphoreTake(done, portMAX_DELAY);
    xSemaphoreTake(done, portMAX_DELAY);
    printf("total %d, mutex %s\n", counter, xSemaphoreGetMutexHolder(lock) == NULL ? "free" : "held");
}
