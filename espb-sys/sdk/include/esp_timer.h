/* esp_timer.h (portable espb SDK): high-resolution timers. */
#ifndef ESPB_ESP_TIMER_H
#define ESPB_ESP_TIMER_H

#include <stdint.h>
#include <stdio.h>
#include <stdbool.h>
#include "esp_err.h"

ESPB_EXTERN_C_BEGIN

typedef struct esp_timer *esp_timer_handle_t;
typedef void (*esp_timer_cb_t)(void *arg);

/* ESP_TIMER_ISR exists only with CONFIG_ESP_TIMER_SUPPORTS_ISR_DISPATCH_METHOD
 * (and a module callback cannot run in an ISR anyway), and ESP_TIMER_MAX
 * moves with it: only task dispatch is offered. */
typedef enum {
    ESP_TIMER_TASK = 0,
} esp_timer_dispatch_t;

typedef struct {
    esp_timer_cb_t callback;
    void *arg;
    esp_timer_dispatch_t dispatch_method;
    const char *name;
    bool skip_unhandled_events;
} esp_timer_create_args_t;

esp_err_t esp_timer_create(const esp_timer_create_args_t *create_args, esp_timer_handle_t *out_handle);
esp_err_t esp_timer_start_once(esp_timer_handle_t timer, uint64_t timeout_us);
esp_err_t esp_timer_start_periodic(esp_timer_handle_t timer, uint64_t period);
esp_err_t esp_timer_stop(esp_timer_handle_t timer);
esp_err_t esp_timer_delete(esp_timer_handle_t timer);
int64_t esp_timer_get_time(void);
bool esp_timer_is_active(esp_timer_handle_t timer);

ESPB_EXTERN_C_END

#endif /* ESPB_ESP_TIMER_H */
