/* A module that ends by itself: app_main returns, a worker task counts
 * down with delays and deletes itself, and a one-shot software timer
 * deletes itself in its callback. With nothing of it left, the module
 * unloads itself. */
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/timers.h"

static void once(TimerHandle_t t) {
    printf("one-shot timer %s fired\n", pcTimerGetName(t));
    xTimerDelete(t, 0);
}

static void countdown(void *arg) {
    for (int i = (int) arg; i > 0; i--) {
        printf("countdown %d\n", i);
        vTaskDelay(pdMS_TO_TICKS(100));
    }
    printf("countdown done\n");
    vTaskDelete(NULL);
}

void app_main(void) {
    xTaskCreate(countdown, "countdown", 3072, (void *) 3, 3, NULL);
    TimerHandle_t t = xTimerCreate("once", pdMS_TO_TICKS(150), pdFALSE, NULL, once);
    xTimerStart(t, 0);
    printf("app_main returns\n");
}
