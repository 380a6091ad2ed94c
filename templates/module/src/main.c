/*
 * A .espb module: ordinary ESP-IDF C.
 *
 * A FreeRTOS task blinks an LED; an esp_timer and a FreeRTOS software timer
 * send tick events to it through a queue; everything is logged with ESP_LOGI.
 */
#include <stdint.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/timers.h"
#include "freertos/queue.h"
#include "esp_timer.h"
#include "esp_log.h"
#include "esp_err.h"
#include "driver/gpio.h"

#define LED_GPIO GPIO_NUM_2

static const char *TAG = "blinky";

typedef enum {
    EVENT_FAST_TICK,    /* from the esp_timer, every 100 ms */
    EVENT_SLOW_TICK,    /* from the FreeRTOS software timer, every second */
} event_kind_t;

typedef struct {
    event_kind_t kind;
    int64_t time_us;
} event_t;

static QueueHandle_t s_events;

static void fast_timer_cb(void *arg)
{
    (void) arg;
    event_t ev = { .kind = EVENT_FAST_TICK, .time_us = esp_timer_get_time() };
    xQueueSend(s_events, &ev, 0);
}

static void slow_timer_cb(TimerHandle_t timer)
{
    (void) timer;
    event_t ev = { .kind = EVENT_SLOW_TICK, .time_us = esp_timer_get_time() };
    xQueueSend(s_events, &ev, 0);
}

static void blink_task(void *arg)
{
    (void) arg;
    uint32_t level = 0;
    unsigned fast = 0;
    unsigned slow = 0;
    for (;;) {
        event_t ev;
        while (xQueueReceive(s_events, &ev, 0) == pdTRUE) {
            if (ev.kind == EVENT_FAST_TICK) {
                fast++;
            } else {
                slow++;
                ESP_LOGI(TAG, "slow tick at %lld us (%u fast ticks so far)", (long long) ev.time_us, fast);
            }
        }
        level = !level;
        gpio_set_level(LED_GPIO, level);
        ESP_LOGI(TAG, "LED %s (slow ticks: %u)", level ? "on" : "off", slow);
        vTaskDelay(pdMS_TO_TICKS(500));
    }
}

void app_main(void)
{
    ESP_LOGI(TAG, "starting");

    gpio_config_t io = {
        .pin_bit_mask = 1ULL << LED_GPIO,
        .mode = GPIO_MODE_OUTPUT,
        .pull_up_en = GPIO_PULLUP_DISABLE,
        .pull_down_en = GPIO_PULLDOWN_DISABLE,
        .intr_type = GPIO_INTR_DISABLE,
    };
    ESP_ERROR_CHECK(gpio_config(&io));

    s_events = xQueueCreate(16, sizeof(event_t));
    if (s_events == NULL) {
        ESP_LOGE(TAG, "no memory for the event queue");
        return;
    }

    const esp_timer_create_args_t fast_args = {
        .callback = fast_timer_cb,
        .arg = NULL,
        .dispatch_method = ESP_TIMER_TASK,
        .name = "fast",
    };
    esp_timer_handle_t fast_timer;
    ESP_ERROR_CHECK(esp_timer_create(&fast_args, &fast_timer));
    ESP_ERROR_CHECK(esp_timer_start_periodic(fast_timer, 100 * 1000));

    TimerHandle_t slow_timer = xTimerCreate("slow", pdMS_TO_TICKS(1000), pdTRUE, NULL, slow_timer_cb);
    if (slow_timer == NULL || xTimerStart(slow_timer, portMAX_DELAY) != pdPASS) {
        ESP_LOGE(TAG, "could not start the software timer");
        return;
    }

    if (xTaskCreate(blink_task, "blink", 4096, NULL, tskIDLE_PRIORITY + 1, NULL) != pdPASS) {
        ESP_LOGE(TAG, "could not create the blink task");
        return;
    }
    ESP_LOGI(TAG, "running");
}
