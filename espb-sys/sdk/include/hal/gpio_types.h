/*
 * hal/gpio_types.h (portable espb SDK): GPIO types.
 *
 * gpio_num_t lists every pin number any chip of the line has (0..54, the
 * ESP32-P4's range): whether a pin exists is checked by the firmware at run
 * time (ESP_ERR_INVALID_ARG). GPIO_NUM_MAX is the running chip's pin count,
 * a load-time value (CONFIG_SOC_GPIO_PIN_COUNT), so it is not an enumerator.
 */
#ifndef ESPB_HAL_GPIO_TYPES_H
#define ESPB_HAL_GPIO_TYPES_H

#include <stdbool.h>
#include <stdint.h>
#include "espb_sdk_common.h"

ESPB_EXTERN_C_BEGIN

typedef enum {
    GPIO_NUM_NC = -1,
    GPIO_NUM_0 = 0,   GPIO_NUM_1 = 1,   GPIO_NUM_2 = 2,   GPIO_NUM_3 = 3,
    GPIO_NUM_4 = 4,   GPIO_NUM_5 = 5,   GPIO_NUM_6 = 6,   GPIO_NUM_7 = 7,
    GPIO_NUM_8 = 8,   GPIO_NUM_9 = 9,   GPIO_NUM_10 = 10, GPIO_NUM_11 = 11,
    GPIO_NUM_12 = 12, GPIO_NUM_13 = 13, GPIO_NUM_14 = 14, GPIO_NUM_15 = 15,
    GPIO_NUM_16 = 16, GPIO_NUM_17 = 17, GPIO_NUM_18 = 18, GPIO_NUM_19 = 19,
    GPIO_NUM_20 = 20, GPIO_NUM_21 = 21, GPIO_NUM_22 = 22, GPIO_NUM_23 = 23,
    GPIO_NUM_24 = 24, GPIO_NUM_25 = 25, GPIO_NUM_26 = 26, GPIO_NUM_27 = 27,
    GPIO_NUM_28 = 28, GPIO_NUM_29 = 29, GPIO_NUM_30 = 30, GPIO_NUM_31 = 31,
    GPIO_NUM_32 = 32, GPIO_NUM_33 = 33, GPIO_NUM_34 = 34, GPIO_NUM_35 = 35,
    GPIO_NUM_36 = 36, GPIO_NUM_37 = 37, GPIO_NUM_38 = 38, GPIO_NUM_39 = 39,
    GPIO_NUM_40 = 40, GPIO_NUM_41 = 41, GPIO_NUM_42 = 42, GPIO_NUM_43 = 43,
    GPIO_NUM_44 = 44, GPIO_NUM_45 = 45, GPIO_NUM_46 = 46, GPIO_NUM_47 = 47,
    GPIO_NUM_48 = 48, GPIO_NUM_49 = 49, GPIO_NUM_50 = 50, GPIO_NUM_51 = 51,
    GPIO_NUM_52 = 52, GPIO_NUM_53 = 53, GPIO_NUM_54 = 54,
} gpio_num_t;

#define GPIO_NUM_MAX ((gpio_num_t) ESPB_CFG(SOC_GPIO_PIN_COUNT))

typedef enum {
    GPIO_PORT_0 = 0,
    GPIO_PORT_MAX,
} gpio_port_t;

typedef enum {
    GPIO_INTR_DISABLE = 0,
    GPIO_INTR_POSEDGE = 1,
    GPIO_INTR_NEGEDGE = 2,
    GPIO_INTR_ANYEDGE = 3,
    GPIO_INTR_LOW_LEVEL = 4,
    GPIO_INTR_HIGH_LEVEL = 5,
    GPIO_INTR_MAX,
} gpio_int_type_t;

#define GPIO_MODE_DEF_DISABLE   (0)
#define GPIO_MODE_DEF_INPUT     (1 << 0)
#define GPIO_MODE_DEF_OUTPUT    (1 << 1)
#define GPIO_MODE_DEF_OD        (1 << 2)

typedef enum {
    GPIO_MODE_DISABLE = GPIO_MODE_DEF_DISABLE,
    GPIO_MODE_INPUT = GPIO_MODE_DEF_INPUT,
    GPIO_MODE_OUTPUT = GPIO_MODE_DEF_OUTPUT,
    GPIO_MODE_OUTPUT_OD = ((GPIO_MODE_DEF_OUTPUT) | (GPIO_MODE_DEF_OD)),
    GPIO_MODE_INPUT_OUTPUT_OD = ((GPIO_MODE_DEF_INPUT) | (GPIO_MODE_DEF_OUTPUT) | (GPIO_MODE_DEF_OD)),
    GPIO_MODE_INPUT_OUTPUT = ((GPIO_MODE_DEF_INPUT) | (GPIO_MODE_DEF_OUTPUT)),
} gpio_mode_t;

typedef enum {
    GPIO_PULLUP_DISABLE = 0x0,
    GPIO_PULLUP_ENABLE = 0x1,
} gpio_pullup_t;

typedef enum {
    GPIO_PULLDOWN_DISABLE = 0x0,
    GPIO_PULLDOWN_ENABLE = 0x1,
} gpio_pulldown_t;

typedef enum {
    GPIO_PULLUP_ONLY,
    GPIO_PULLDOWN_ONLY,
    GPIO_PULLUP_PULLDOWN,
    GPIO_FLOATING,
} gpio_pull_mode_t;

typedef enum {
    GPIO_DRIVE_CAP_0 = 0,
    GPIO_DRIVE_CAP_1 = 1,
    GPIO_DRIVE_CAP_2 = 2,
    GPIO_DRIVE_CAP_DEFAULT = 2,
    GPIO_DRIVE_CAP_3 = 3,
    GPIO_DRIVE_CAP_MAX,
} gpio_drive_cap_t;

/* Hysteresis control exists on some chips only, with chip-dependent
 * enumerator values (GPIO_HYS_*); the portable headers keep the type (for
 * gpio_config_t's layout) but not the values: 0 selects the chip default. */
typedef enum {
    ESPB_GPIO_HYS_CHIP_DEFAULT = 0,
} gpio_hys_ctrl_mode_t;

ESPB_EXTERN_C_END

#endif /* ESPB_HAL_GPIO_TYPES_H */
