/* An esp_timer dispatched in the timer interrupt (ESP_TIMER_ISR, which the
 * SDK header leaves out: set here by its value). A module function cannot
 * run in an interrupt, so its thunk hands the call to the runtime's
 * deferral task, which runs it right after the interrupt. After the third
 * alarm the callback deletes its timer and the module, with nothing left,
 * unloads itself. */
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "esp_timer.h"

static esp_timer_handle_t timer;
static int64_t t0;

static void on_alarm(void *arg) {
    static int n;
    printf("alarm %d in task %s at %lld ms\n", ++n, pcTaskGetName(NULL), (esp_timer_get_time() - t0) / 1000);
    if (n == 3) printf("stop %d, delete %d\n", (int) esp_timer_stop(timer), (int) esp_timer_delete(timer));
}

void app_main(void) {
    t0 = esp_timer_get_time();
    const esp_timer_create_args_t args = {
        .callback = on_alarm,
        .dispatch_method = (esp_timer_dispatch_t) 1, /* ESP_TIMER_ISR */
        .name = "isr",
    };
    esp_timer_create(&args, &timer);
    esp_timer_start_periodic(timer, 100 * 1000);
}
