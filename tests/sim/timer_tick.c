// run: --for 5s
// The second example: a 2 s auto-reload software timer; app_main
// returns and the timer lives on.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/timers.h"
static void test_timer_cb(TimerHandle_t t) { printf("Timer tick!\n"); }
void app_main(void) { TimerHandle_t t = xTimerCreate("tcb", pdMS_TO_TICKS(2000), pdTRUE, NULL, test_timer_cb); if (t) xTimerStart(t, 0); }
