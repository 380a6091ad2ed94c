/*
 * driver/ledc.h (portable espb SDK): LED PWM controller.
 *
 * Struct layouts are those of ESP-IDF v5.4 and later: ledc_channel_config_t
 * gained sleep_mode before flags in v5.4, ledc_timer_config_t gained the
 * trailing deconfigure in v5.2 (docs/sdk-headers.md).
 */
#ifndef ESPB_DRIVER_LEDC_H
#define ESPB_DRIVER_LEDC_H

#include "esp_err.h"
#include "esp_intr_alloc.h"
#include "hal/ledc_types.h"
#include "driver/gpio.h"

ESPB_EXTERN_C_BEGIN

#define LEDC_ERR_DUTY   (0xFFFFFFFF)
#define LEDC_ERR_VAL    (-1)

typedef enum {
    LEDC_SLEEP_MODE_NO_ALIVE_NO_PD = 0,
    LEDC_SLEEP_MODE_NO_ALIVE_ALLOW_PD,
    LEDC_SLEEP_MODE_KEEP_ALIVE,
    LEDC_SLEEP_MODE_INVALID,
} ledc_sleep_mode_t;

typedef struct {
    int gpio_num;
    ledc_mode_t speed_mode;
    ledc_channel_t channel;
    ledc_intr_type_t intr_type;
    ledc_timer_t timer_sel;
    uint32_t duty;
    int hpoint;
    ledc_sleep_mode_t sleep_mode;
    struct {
        unsigned int output_invert: 1;
    } flags;
} ledc_channel_config_t;

typedef struct {
    ledc_mode_t speed_mode;
    ledc_timer_bit_t duty_resolution;
    ledc_timer_t timer_num;
    uint32_t freq_hz;
    ledc_clk_cfg_t clk_cfg;
    bool deconfigure;
} ledc_timer_config_t;

esp_err_t ledc_timer_config(const ledc_timer_config_t *timer_conf);
esp_err_t ledc_channel_config(const ledc_channel_config_t *ledc_conf);
esp_err_t ledc_set_duty(ledc_mode_t speed_mode, ledc_channel_t channel, uint32_t duty);
esp_err_t ledc_update_duty(ledc_mode_t speed_mode, ledc_channel_t channel);
uint32_t ledc_get_duty(ledc_mode_t speed_mode, ledc_channel_t channel);
esp_err_t ledc_set_freq(ledc_mode_t speed_mode, ledc_timer_t timer_num, uint32_t freq_hz);
uint32_t ledc_get_freq(ledc_mode_t speed_mode, ledc_timer_t timer_num);
esp_err_t ledc_stop(ledc_mode_t speed_mode, ledc_channel_t channel, uint32_t idle_level);
esp_err_t ledc_set_duty_and_update(ledc_mode_t speed_mode, ledc_channel_t channel, uint32_t duty,
                                   uint32_t hpoint);
esp_err_t ledc_fade_func_install(int intr_alloc_flags);
void ledc_fade_func_uninstall(void);
esp_err_t ledc_set_fade_with_time(ledc_mode_t speed_mode, ledc_channel_t channel, uint32_t target_duty,
                                  int desired_fade_time_ms);
esp_err_t ledc_fade_start(ledc_mode_t speed_mode, ledc_channel_t channel, ledc_fade_mode_t fade_mode);

ESPB_EXTERN_C_END

#endif /* ESPB_DRIVER_LEDC_H */
