/* A trap in a callback on a firmware task: the third call of the timer's
 * callback, in the timer service task, reads through a NULL pointer. The
 * module is stopped (its timer deleted) and the timer service task, which
 * is the firmware's, runs on: the firmware's own timer fires in it later. */
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/timers.h"

static int *volatile where[3] = {&(int){1}, &(int){2}, NULL};

static void on_timer(TimerHandle_t t) {
    static int n;
    printf("timer call %d in %s\n", n + 1, pcTaskGetName(NULL));
    printf("read %d\n", *where[n++]);
}

void app_main(void) {
    xTimerStart(xTimerCreate("bad", pdMS_TO_TICKS(100), pdTRUE, NULL, on_timer), 0);
}
