/* A trap in a module task: the third step divides by zero. The module is
 * stopped (its other task deleted, its timer stopped) and the firmware
 * reports the task, the function and the line, and keeps running. */
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/timers.h"

static volatile int divisor = 2;

static void ticker(TimerHandle_t t) { printf("tick\n"); }

static void idle_loop(void *arg) {
    for (;;) vTaskDelay(pdMS_TO_TICKS(50));
}

static void faulty(void *arg) {
    for (int i = 0;; i++) {
        printf("step %d: %d\n", i, 100 / divisor);
        divisor--;
        vTaskDelay(pdMS_TO_TICKS(100));
    }
}

void app_main(void) {
    xTaskCreate(idle_loop, "bystander", 2048, NULL, 2, NULL);
    xTimerStart(xTimerCreate("ticker", pdMS_TO_TICKS(120), pdTRUE, NULL, ticker), 0);
    xTaskCreate(faulty, "faulty", 3072, NULL, 3, NULL);
}
