/*
 * driver/gpio.h (portable espb SDK): GPIO driver.
 *
 * gpio_config_t always carries the trailing hys_ctrl_mode field: chips with a
 * hysteresis filter (H2, P4, C5, C61, H21) read it, the others never look past
 * intr_type, and gpio_config() only reads the struct through a pointer, so
 * the superset layout is correct on every chip (leave the field 0).
 */
#ifndef ESPB_DRIVER_GPIO_H
#define ESPB_DRIVER_GPIO_H

#include <stdbool.h>
#include "esp_err.h"
#include "esp_intr_alloc.h"
#include "hal/gpio_types.h"

ESPB_EXTERN_C_BEGIN

#define GPIO_PIN_COUNT ((int) ESPB_CFG(SOC_GPIO_PIN_COUNT))

typedef intr_handle_t gpio_isr_handle_t;
typedef void (*gpio_isr_t)(void *arg);

typedef struct {
    uint64_t pin_bit_mask;
    gpio_mode_t mode;
    gpio_pullup_t pull_up_en;
    gpio_pulldown_t pull_down_en;
    gpio_int_type_t intr_type;
    gpio_hys_ctrl_mode_t hys_ctrl_mode;
} gpio_config_t;

esp_err_t gpio_config(const gpio_config_t *pGPIOConfig);
esp_err_t gpio_reset_pin(gpio_num_t gpio_num);
esp_err_t gpio_set_level(gpio_num_t gpio_num, uint32_t level);
int gpio_get_level(gpio_num_t gpio_num);
esp_err_t gpio_set_direction(gpio_num_t gpio_num, gpio_mode_t mode);
esp_err_t gpio_set_pull_mode(gpio_num_t gpio_num, gpio_pull_mode_t pull);
esp_err_t gpio_pullup_en(gpio_num_t gpio_num);
esp_err_t gpio_pullup_dis(gpio_num_t gpio_num);
esp_err_t gpio_pulldown_en(gpio_num_t gpio_num);
esp_err_t gpio_pulldown_dis(gpio_num_t gpio_num);
esp_err_t gpio_set_intr_type(gpio_num_t gpio_num, gpio_int_type_t intr_type);
esp_err_t gpio_intr_enable(gpio_num_t gpio_num);
esp_err_t gpio_intr_disable(gpio_num_t gpio_num);
esp_err_t gpio_install_isr_service(int intr_alloc_flags);
void gpio_uninstall_isr_service(void);
esp_err_t gpio_isr_handler_add(gpio_num_t gpio_num, gpio_isr_t isr_handler, void *args);
esp_err_t gpio_isr_handler_remove(gpio_num_t gpio_num);
esp_err_t gpio_set_drive_capability(gpio_num_t gpio_num, gpio_drive_cap_t strength);
esp_err_t gpio_hold_en(gpio_num_t gpio_num);
esp_err_t gpio_hold_dis(gpio_num_t gpio_num);

ESPB_EXTERN_C_END

#endif /* ESPB_DRIVER_GPIO_H */
