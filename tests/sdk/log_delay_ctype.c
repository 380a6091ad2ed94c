/* ESP-IDF-style module built against the portable SDK headers
 * (espb-sys/sdk/include): ESP_LOGx, pdMS_TO_TICKS through the load-time
 * value __espb_cfg_FREERTOS_HZ, vTaskDelay, esp_timer, newlib ctype macros
 * (_ctype_) and stdout (_impure_ptr) as data imports. Run by
 * cargo-espb/tests/sdk_module.rs on the PC simulator. */
#include <stdio.h>
#include <ctype.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "esp_log.h"
#include "esp_timer.h"

static const char *TAG = "demo";

void app_main(void) {
    ESP_LOGI(TAG, "ticks for 500 ms: %u", (unsigned)pdMS_TO_TICKS(500));
    int64_t t0 = esp_timer_get_time();
    vTaskDelay(pdMS_TO_TICKS(20));
    int64_t dt = esp_timer_get_time() - t0;
    printf("slept at least 20 ms: %s\n", dt >= 20000 ? "yes" : "no");
    printf("isdigit('7')=%d toupper('q')=%c\n", isdigit('7') != 0, toupper('q'));
    fprintf(stdout, "stdout via _impure_ptr\n");
    ESP_LOGW(TAG, "done after %d ticks", (int)xTaskGetTickCount() >= 2);
}
