// run: --thunks 2
// exit: 1
// stderr: the module needs 3 callback thunks, but only 2 of the firmware's 2 are free
// stderr: --thunks N
// A module whose callbacks need more thunks than the firmware has is
// refused at load, with the numbers and how to get more.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/timers.h"

static void a(TimerHandle_t t) { printf("a\n"); }
static void b(TimerHandle_t t) { printf("b\n"); }
static void c(TimerHandle_t t) { printf("c\n"); }

void app_main(void)
{
    xTimerCreate("a", 1, pdFALSE, NULL, a);
    xTimerCreate("b", 1, pdFALSE, NULL, b);
    xTimerCreate("c", 1, pdFALSE, NULL, c);
}
