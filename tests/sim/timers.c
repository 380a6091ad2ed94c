// run: --for 10s
// stderr-empty
// Software timers in depth: two auto-reload timers share a callback and
// tell themselves apart by their IDs; one changes its period, one is
// stopped after three ticks and deleted; a one-shot timer fires once; a
// pended function runs on the timer service task. When the last timer is
// deleted nothing is left and the module unloads itself.
#include <stdio.h>
#include <stdint.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/timers.h"
#include "esp_timer.h"

static TimerHandle_t fast, slow;

static long long ms(void) { return (long long) (esp_timer_get_time() / 1000); }

static void tick(TimerHandle_t t)
{
    intptr_t n = (intptr_t) pvTimerGetTimerID(t) + 1;
    vTimerSetTimerID(t, (void *) n);
    printf("%s tick %d at %lld ms\n", pcTimerGetName(t), (int) n, ms());
    if (t == fast && n == 2)
        xTimerChangePeriod(t, pdMS_TO_TICKS(250), 0);
    if (n == 3) {
        xTimerStop(t, 0);
        printf("%s active: %d\n", pcTimerGetName(t), (int) xTimerIsTimerActive(t));
        xTimerDelete(t, 0);
    }
}

static void once(TimerHandle_t t)
{
    printf("once at %lld ms, period %u ticks\n", ms(), (unsigned) xTimerGetPeriod(t));
    xTimerDelete(t, 0);
}

static void pended(void *p, uint32_t v)
{
    printf("pended %s %u on %s\n", (const char *) p, (unsigned) v, pcTaskGetName(NULL));
}

void app_main(void)
{
    fast = xTimerCreate("fast", pdMS_TO_TICKS(100), pdTRUE, (void *) 0, tick);
    slow = xTimerCreate("slow", pdMS_TO_TICKS(400), pdTRUE, (void *) 0, tick);
    xTimerStart(fast, 0);
    xTimerStart(slow, 0);
    xTimerStart(xTimerCreate("once", pdMS_TO_TICKS(300), pdFALSE, NULL, once), 0);
    xTimerPendFunctionCall(pended, "call", 7, 0);
    printf("app_main returns at %lld ms\n", ms());
}
