/* driver/i2c_types.h (portable espb SDK): types of the I2C master driver. */
#ifndef ESPB_DRIVER_I2C_TYPES_H
#define ESPB_DRIVER_I2C_TYPES_H

#include <stdint.h>
#include <stdbool.h>
#include "espb_sdk_common.h"

ESPB_EXTERN_C_BEGIN

typedef int i2c_port_num_t;

/* I2C_NUM_1 exists on chips with two HP I2C controllers only. */
typedef enum {
    I2C_NUM_0 = 0,
    I2C_NUM_1 = 1,
} i2c_port_t;

/* 10-bit addressing exists where SOC_I2C_SUPPORT_10BIT_ADDR is set. */
typedef enum {
    I2C_ADDR_BIT_LEN_7 = 0,
    I2C_ADDR_BIT_LEN_10 = 1,
} i2c_addr_bit_len_t;

/* Clock sources are chip-specific soc_module_clk_t values, and the I2C
 * master driver has no "0 means default" rule: I2C_CLK_SRC_DEFAULT is the
 * running chip's value, a load-time constant. */
typedef enum {
    ESPB_I2C_CLK_SRC_PLACEHOLDER = 0,
} i2c_clock_source_t;
typedef int lp_i2c_clock_source_t;

#define I2C_CLK_SRC_DEFAULT ((i2c_clock_source_t) ESPB_SOC(I2C_CLK_SRC_DEFAULT))

typedef struct i2c_master_bus_t *i2c_master_bus_handle_t;
typedef struct i2c_master_dev_t *i2c_master_dev_handle_t;

typedef enum {
    I2C_EVENT_ALIVE,
    I2C_EVENT_DONE,
    I2C_EVENT_NACK,
    I2C_EVENT_TIMEOUT,
} i2c_master_event_t;

ESPB_EXTERN_C_END

#endif /* ESPB_DRIVER_I2C_TYPES_H */
