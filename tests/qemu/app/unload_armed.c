/* Unload while things are armed: a periodic esp_timer, an auto-reload
 * software timer, and a task asleep in a long vTaskDelay. The firmware
 * unloads the module after a while; nothing of it runs afterwards, and the
 * firmware's heap is back where it was. */
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/timers.h"
#include "esp_timer.h"

static void on_esp_timer(void *arg) { printf("esp_timer fired\n"); }
static void on_timer(TimerHandle_t t) { printf("timer fired\n"); }

static void sleeper(void *arg) {
    printf("sleeper: sleeping for a minute\n");
    vTaskDelay(pdMS_TO_TICKS(60000));
    printf("sleeper: woke (never)\n");
    vTaskDelete(NULL);
}

void app_main(void) {
    xTaskCreate(sleeper, "sleeper", 3072, NULL, 5, NULL);
    esp_timer_handle_t et;
    const esp_timer_create_args_t args = {.callback = on_esp_timer, .name = "armed"};
    esp_timer_create(&args, &et);
    esp_timer_start_periodic(et, 400 * 1000);
    xTimerStart(xTimerCreate("armed", pdMS_TO_TICKS(300), pdTRUE, NULL, on_timer), 0);
}
