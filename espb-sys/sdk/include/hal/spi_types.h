/* hal/spi_types.h (portable espb SDK): SPI types. */
#ifndef ESPB_HAL_SPI_TYPES_H
#define ESPB_HAL_SPI_TYPES_H

#include <stdint.h>
#include "espb_sdk_common.h"

ESPB_EXTERN_C_BEGIN

/* SPI3_HOST exists on chips with three SPI peripherals only. */
typedef enum {
    SPI1_HOST = 0,
    SPI2_HOST = 1,
    SPI3_HOST = 2,
} spi_host_device_t;

#define SPI_HOST_MAX ((spi_host_device_t) ESPB_CFG(SOC_SPI_PERIPH_NUM))

/* Clock sources are chip-specific; 0 makes spi_bus_add_device use the
 * chip's SPI_CLK_SRC_DEFAULT. */
typedef enum {
    SPI_CLK_SRC_DEFAULT = 0,
} spi_clock_source_t;

typedef enum {
    SPI_SAMPLING_POINT_PHASE_0,
    SPI_SAMPLING_POINT_PHASE_1,
} spi_sampling_point_t;

ESPB_EXTERN_C_END

#endif
