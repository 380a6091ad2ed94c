/*
 * hal/ledc_types.h (portable espb SDK): LEDC types.
 *
 * Chip-dependent values are load-time constants, not enumerators:
 * LEDC_LOW_SPEED_MODE is 1 on the ESP32 (which also has a high-speed mode)
 * and 0 on every other chip; the channel count and timer width vary too.
 * LEDC_HIGH_SPEED_MODE (ESP32 only) and the chip-specific clock choices
 * other than LEDC_AUTO_CLK need a firmware build.
 */
#ifndef ESPB_HAL_LEDC_TYPES_H
#define ESPB_HAL_LEDC_TYPES_H

#include <stdint.h>
#include <stdbool.h>
#include "espb_sdk_common.h"

ESPB_EXTERN_C_BEGIN

typedef enum {
    ESPB_LEDC_SPEED_MODE_PLACEHOLDER = 0,
} ledc_mode_t;

#define LEDC_LOW_SPEED_MODE     ((ledc_mode_t) ESPB_CFG(SOC_LEDC_SUPPORT_HS_MODE))
#define LEDC_SPEED_MODE_MAX     ((ledc_mode_t) (ESPB_CFG(SOC_LEDC_SUPPORT_HS_MODE) + 1))

typedef enum {
    LEDC_INTR_DISABLE = 0,
    LEDC_INTR_FADE_END,
    LEDC_INTR_MAX,
} ledc_intr_type_t;

typedef enum {
    LEDC_DUTY_DIR_DECREASE = 0,
    LEDC_DUTY_DIR_INCREASE = 1,
    LEDC_DUTY_DIR_MAX,
} ledc_duty_direction_t;

/* LEDC_AUTO_CLK is 0 on every chip; the other choices are chip-specific. */
typedef enum {
    LEDC_AUTO_CLK = 0,
} ledc_clk_cfg_t;

typedef enum {
    LEDC_TIMER_0 = 0,
    LEDC_TIMER_1,
    LEDC_TIMER_2,
    LEDC_TIMER_3,
    LEDC_TIMER_MAX,
} ledc_timer_t;

/* Channels 6 and 7 exist only on chips with 8 channels. */
typedef enum {
    LEDC_CHANNEL_0 = 0,
    LEDC_CHANNEL_1,
    LEDC_CHANNEL_2,
    LEDC_CHANNEL_3,
    LEDC_CHANNEL_4,
    LEDC_CHANNEL_5,
    LEDC_CHANNEL_6,
    LEDC_CHANNEL_7,
} ledc_channel_t;

#define LEDC_CHANNEL_MAX ((ledc_channel_t) ESPB_CFG(SOC_LEDC_CHANNEL_NUM))

/* Resolutions above 14 bits exist only where the timer is 20 bits wide. */
typedef enum {
    LEDC_TIMER_1_BIT = 1,
    LEDC_TIMER_2_BIT,
    LEDC_TIMER_3_BIT,
    LEDC_TIMER_4_BIT,
    LEDC_TIMER_5_BIT,
    LEDC_TIMER_6_BIT,
    LEDC_TIMER_7_BIT,
    LEDC_TIMER_8_BIT,
    LEDC_TIMER_9_BIT,
    LEDC_TIMER_10_BIT,
    LEDC_TIMER_11_BIT,
    LEDC_TIMER_12_BIT,
    LEDC_TIMER_13_BIT,
    LEDC_TIMER_14_BIT,
    LEDC_TIMER_15_BIT,
    LEDC_TIMER_16_BIT,
    LEDC_TIMER_17_BIT,
    LEDC_TIMER_18_BIT,
    LEDC_TIMER_19_BIT,
    LEDC_TIMER_20_BIT,
} ledc_timer_bit_t;

#define LEDC_TIMER_BIT_MAX ((ledc_timer_bit_t) (ESPB_CFG(SOC_LEDC_TIMER_BIT_WIDTH) + 1))

typedef enum {
    LEDC_FADE_NO_WAIT = 0,
    LEDC_FADE_WAIT_DONE,
    LEDC_FADE_MAX,
} ledc_fade_mode_t;

ESPB_EXTERN_C_END

#endif /* ESPB_HAL_LEDC_TYPES_H */
