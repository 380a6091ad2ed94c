/* Live push: the update of push_v1.c, with a software timer instead of a
 * task. */
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/timers.h"

static int n;

static void tick(TimerHandle_t t) {
    printf("v2 tick %d\n", n++);
}

void app_main(void) {
    printf("v2 started\n");
    TimerHandle_t t = xTimerCreate("v2", pdMS_TO_TICKS(100), pdTRUE, NULL, tick);
    xTimerStart(t, 0);
}
