/* The timer example of the issue: app_main returns, the auto-reload timer
 * keeps calling back into the module every 2 s (in the timer service
 * task) until the firmware unloads it, with the timer armed. */
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/timers.h"

static void test_timer_cb(TimerHandle_t t) { printf("Timer tick!\n"); }

void app_main(void) {
    TimerHandle_t t = xTimerCreate("tcb", pdMS_TO_TICKS(2000), pdTRUE, NULL, test_timer_cb);
    if (t) xTimerStart(t, 0);
}
