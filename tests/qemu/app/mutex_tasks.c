/* A mutex shared by two tasks of one module: each reads the counter, holds
 * the mutex over a one-tick delay (so the other one blocks in
 * xSemaphoreTake, with the module's lock released), writes it plus one and
 * gives the mutex back. No update is lost; the last one done reports, and
 * the module unloads itself once both tasks deleted themselves. */
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"

#define STEPS 5

static SemaphoreHandle_t mutex;
static volatile int counter, finished;

static void worker(void *arg) {
    const char *me = pcTaskGetName(NULL);
    for (int i = 0; i < STEPS; i++) {
        xSemaphoreTake(mutex, portMAX_DELAY);
        int seen = counter;
        vTaskDelay(1);
        counter = seen + 1;
        printf("%s: counter %d\n", me, counter);
        xSemaphoreGive(mutex);
        vTaskDelay(1);
    }
    if (++finished == 2) {
        printf("counter %d (expected %d)\n", counter, 2 * STEPS);
        vSemaphoreDelete(mutex);
    }
    vTaskDelete(NULL);
}

void app_main(void) {
    mutex = xSemaphoreCreateMutex();
    xTaskCreate(worker, "inc-a", 3072, NULL, 4, NULL);
    xTaskCreate(worker, "inc-b", 3072, NULL, 4, NULL);
}
