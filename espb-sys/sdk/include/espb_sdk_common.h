/*
 * espb portable SDK: shared helpers for the portable ESP-IDF headers.
 *
 * These headers let a .espb module be compiled without an ESP-IDF checkout.
 * Every type, layout, constant and macro expansion matches ESP-IDF v5.5
 * (see docs/sdk-headers.md for the per-struct compatibility notes); values
 * that depend on the firmware's sdkconfig or on the chip are not baked in:
 * they are read from load-time constants named __espb_cfg_<KCONFIG NAME>
 * (options of the firmware's sdkconfig, CONFIG_ prefix dropped) and
 * __espb_soc_<NAME> (chip constants that sdkconfig does not carry). The
 * translator/loader turns those externs into constants of the firmware the
 * module is loaded into.
 */
#ifndef ESPB_SDK_COMMON_H
#define ESPB_SDK_COMMON_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/* Marks a build that uses the portable headers instead of a real ESP-IDF. */
#define ESPB_SDK_PORTABLE 1

#ifdef __cplusplus
#define ESPB_EXTERN_C_BEGIN extern "C" {
#define ESPB_EXTERN_C_END }
#else
#define ESPB_EXTERN_C_BEGIN
#define ESPB_EXTERN_C_END
#endif

/* A load-time configuration value: ESPB_CFG(FREERTOS_HZ) reads
 * CONFIG_FREERTOS_HZ of the firmware the module runs in. Usable in C
 * expressions, not in #if (the preprocessor cannot see load-time values). */
#define ESPB_CFG(name) (__espb_cfg_##name)
#define ESPB_SOC(name) (__espb_soc_##name)

ESPB_EXTERN_C_BEGIN

/* Every load-time constant the portable headers use (docs/sdk-headers.md). */
extern const uint32_t __espb_cfg_FREERTOS_HZ;
extern const uint32_t __espb_cfg_FREERTOS_NUMBER_OF_CORES;
extern const uint32_t __espb_cfg_FREERTOS_MAX_TASK_NAME_LEN;
extern const uint32_t __espb_cfg_LOG_MAXIMUM_LEVEL;
extern const uint32_t __espb_cfg_LOG_DEFAULT_LEVEL;
extern const uint32_t __espb_cfg_SOC_GPIO_PIN_COUNT;
extern const uint32_t __espb_cfg_SOC_LEDC_SUPPORT_HS_MODE;
extern const uint32_t __espb_cfg_SOC_LEDC_CHANNEL_NUM;
extern const uint32_t __espb_cfg_SOC_LEDC_TIMER_BIT_WIDTH;
extern const uint32_t __espb_cfg_SOC_UART_NUM;
extern const uint32_t __espb_cfg_SOC_SPI_PERIPH_NUM;
extern const uint32_t __espb_soc_I2C_CLK_SRC_DEFAULT;

ESPB_EXTERN_C_END

/* Declares something the portable SDK cannot provide exactly; using it is a
 * compile error that says why and what to do instead. */
#define ESPB_UNAVAILABLE(why) __attribute__((unavailable(why)))

#define ESPB_NEEDS_FIRMWARE_BUILD \
    "not available in portable espb builds (its value or layout depends on the chip or sdkconfig); " \
    "build the module against the firmware's ESP-IDF instead (see docs/sdk-headers.md)"

#endif /* ESPB_SDK_COMMON_H */
