/* hal/uart_types.h (portable espb SDK): UART types. */
#ifndef ESPB_HAL_UART_TYPES_H
#define ESPB_HAL_UART_TYPES_H

#include <stdint.h>
#include <stdbool.h>
#include "espb_sdk_common.h"

ESPB_EXTERN_C_BEGIN

/* UART_NUM_2 exists on chips with three HP UARTs only; the LP UART's number
 * varies by chip and needs a firmware build. */
typedef enum {
    UART_NUM_0,
    UART_NUM_1,
    UART_NUM_2,
} uart_port_t;

#define UART_NUM_MAX ((uart_port_t) ESPB_CFG(SOC_UART_NUM))

typedef enum {
    UART_MODE_UART = 0x00,
    UART_MODE_RS485_HALF_DUPLEX = 0x01,
    UART_MODE_IRDA = 0x02,
    UART_MODE_RS485_COLLISION_DETECT = 0x03,
    UART_MODE_RS485_APP_CTRL = 0x04,
} uart_mode_t;

typedef enum {
    UART_DATA_5_BITS   = 0x0,
    UART_DATA_6_BITS   = 0x1,
    UART_DATA_7_BITS   = 0x2,
    UART_DATA_8_BITS   = 0x3,
    UART_DATA_BITS_MAX = 0x4,
} uart_word_length_t;

typedef enum {
    UART_STOP_BITS_1   = 0x1,
    UART_STOP_BITS_1_5 = 0x2,
    UART_STOP_BITS_2   = 0x3,
    UART_STOP_BITS_MAX = 0x4,
} uart_stop_bits_t;

typedef enum {
    UART_PARITY_DISABLE = 0x0,
    UART_PARITY_EVEN    = 0x2,
    UART_PARITY_ODD     = 0x3
} uart_parity_t;

typedef enum {
    UART_HW_FLOWCTRL_DISABLE = 0x0,
    UART_HW_FLOWCTRL_RTS     = 0x1,
    UART_HW_FLOWCTRL_CTS     = 0x2,
    UART_HW_FLOWCTRL_CTS_RTS = 0x3,
    UART_HW_FLOWCTRL_MAX     = 0x4,
} uart_hw_flowcontrol_t;

/* Clock sources are chip-specific soc_module_clk_t values; 0 asks the UART
 * driver for the chip's default (v5.x uart_param_config maps 0 to
 * UART_SCLK_DEFAULT), which is what UART_SCLK_DEFAULT means here. */
typedef enum {
    UART_SCLK_DEFAULT = 0,
} uart_sclk_t;
typedef int lp_uart_sclk_t;

typedef struct {
    int baud_rate;
    uart_word_length_t data_bits;
    uart_parity_t parity;
    uart_stop_bits_t stop_bits;
    uart_hw_flowcontrol_t flow_ctrl;
    uint8_t rx_flow_ctrl_thresh;
    union {
        uart_sclk_t source_clk;
        lp_uart_sclk_t lp_source_clk;
    };
    struct {
        uint32_t allow_pd: 1;
        uint32_t backup_before_sleep: 1;
    } flags;
} uart_config_t;

ESPB_EXTERN_C_END

#endif /* ESPB_HAL_UART_TYPES_H */
