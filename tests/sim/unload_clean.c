// stderr-empty
// A module that unloads itself cleanly: app_main starts a task that prints
// three times and returns, and a one-shot software timer; once the task
// ended and the timer fired and was deleted, nothing of the module is left
// and it unloads itself (no time limit is needed for the run to end).
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/timers.h"
#include "esp_timer.h"

static void once(TimerHandle_t t)
{
    printf("timer at %lld ms\n", (long long) (esp_timer_get_time() / 1000));
    xTimerDelete(t, 0);
}

static void counter(void *arg)
{
    for (int i = 1; i <= 3; i++) {
        printf("count %d\n", i);
        vTaskDelay(pdMS_TO_TICKS(100));
    }
}

void app_main(void)
{
    TimerHandle_t t = xTimerCreate("once", pdMS_TO_TICKS(450), pdFALSE, NULL, once);
    xTimerStart(t, 0);
    xTaskCreate(counter, "counter", 4096, NULL, 2, NULL);
    printf("app_main returns\n");
}
