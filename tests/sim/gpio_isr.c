// stderr-empty
// run: --gpio-script {dir}/gpio_isr.gpio --for 3s
// GPIO inputs from a script: a button on GPIO 4 (pull-up, falling-edge
// interrupt) whose ISR handler gives a semaphore from interrupt context; a
// task waits for it and reads the level. An output pin follows the button.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"
#include "driver/gpio.h"
#include "esp_timer.h"

#define BUTTON GPIO_NUM_4
#define LED GPIO_NUM_5

static SemaphoreHandle_t pressed;

static void on_button(void *arg)
{
    BaseType_t woken = pdFALSE;
    xSemaphoreGiveFromISR(pressed, &woken);
}

static void button_task(void *arg)
{
    for (int n = 1;; n++) {
        xSemaphoreTake(pressed, portMAX_DELAY);
        printf("press %d at %lld ms, level %d\n", n, (long long) (esp_timer_get_time() / 1000), gpio_get_level(BUTTON));
        gpio_set_level(LED, n % 2);
    }
}

void app_main(void)
{
    pressed = xSemaphoreCreateBinary();
    gpio_config_t in = {
        .pin_bit_mask = 1ULL << BUTTON,
        .mode = GPIO_MODE_INPUT,
        .pull_up_en = GPIO_PULLUP_ENABLE,
        .intr_type = GPIO_INTR_NEGEDGE,
    };
    gpio_config(&in);
    gpio_set_direction(LED, GPIO_MODE_OUTPUT);
    printf("idle level %d\n", gpio_get_level(BUTTON));
    gpio_install_isr_service(0);
    gpio_isr_handler_add(BUTTON, on_button, NULL);
    xTaskCreate(button_task, "button", 4096, NULL, 6, NULL);
}
