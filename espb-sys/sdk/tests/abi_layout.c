/*
 * ABI checks of the portable SDK headers against ESP-IDF v5.5 (ilp32: the
 * same numbers on RISC-V and Xtensa). Each number was computed by hand from
 * the ESP-IDF v5.5 field list (docs/sdk-headers.md has the per-version notes);
 * compiled by espb-sys/tests/sdk_headers.rs for both targets.
 */
#include <stddef.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/queue.h"
#include "freertos/semphr.h"
#include "freertos/timers.h"
#include "freertos/event_groups.h"
#include "esp_err.h"
#include "esp_log.h"
#include "esp_timer.h"
#include "esp_system.h"
#include "esp_heap_caps.h"
#include "esp_rom_sys.h"
#include "esp_event.h"
#include "esp_netif.h"
#include "esp_wifi.h"
#include "nvs.h"
#include "nvs_flash.h"
#include "driver/gpio.h"
#include "driver/ledc.h"
#include "driver/uart.h"
#include "driver/i2c_master.h"
#include "driver/spi_master.h"

#define SIZE(T, n)      _Static_assert(sizeof(T) == (n), "sizeof(" #T ") != " #n)
#define ALIGN(T, n)     _Static_assert(_Alignof(T) == (n), "_Alignof(" #T ") != " #n)
#define OFF(T, f, n)    _Static_assert(offsetof(T, f) == (n), "offsetof(" #T ", " #f ") != " #n)
#define VAL(e, n)       _Static_assert((e) == (n), #e " != " #n)

/* ---- scalar types ---- */
SIZE(TickType_t, 4);
SIZE(BaseType_t, 4);
SIZE(UBaseType_t, 4);
SIZE(StackType_t, 1);
SIZE(EventBits_t, 4);
SIZE(esp_err_t, 4);
SIZE(nvs_handle_t, 4);
SIZE(TaskHandle_t, 4);
SIZE(QueueHandle_t, 4);
SIZE(SemaphoreHandle_t, 4);
SIZE(TimerHandle_t, 4);
SIZE(EventGroupHandle_t, 4);
SIZE(esp_timer_handle_t, 4);
SIZE(esp_event_base_t, 4);
SIZE(size_t, 4);
SIZE(uint64_t, 8);
ALIGN(uint64_t, 8);
VAL((BaseType_t) -1 < 0, 1);
VAL((UBaseType_t) -1 > 0, 1);

/* ---- enums: int-sized, values as in ESP-IDF ---- */
SIZE(gpio_num_t, 4);
SIZE(gpio_mode_t, 4);
SIZE(gpio_int_type_t, 4);
SIZE(esp_log_level_t, 4);
SIZE(eTaskState, 4);
SIZE(eNotifyAction, 4);
SIZE(ledc_mode_t, 4);
SIZE(ledc_channel_t, 4);
SIZE(ledc_timer_bit_t, 4);
SIZE(uart_port_t, 4);
SIZE(uart_sclk_t, 4);
SIZE(i2c_clock_source_t, 4);
SIZE(i2c_addr_bit_len_t, 4);
SIZE(spi_host_device_t, 4);
SIZE(spi_clock_source_t, 4);
SIZE(spi_dma_chan_t, 4);
SIZE(esp_intr_cpu_affinity_t, 4);
SIZE(esp_timer_dispatch_t, 4);
SIZE(nvs_open_mode_t, 4);
SIZE(wifi_mode_t, 4);

VAL(GPIO_NUM_NC, -1);
VAL(GPIO_NUM_2, 2);
VAL(GPIO_NUM_54, 54);
VAL(GPIO_MODE_DISABLE, 0);
VAL(GPIO_MODE_INPUT, 1);
VAL(GPIO_MODE_OUTPUT, 2);
VAL(GPIO_MODE_OUTPUT_OD, 6);
VAL(GPIO_MODE_INPUT_OUTPUT_OD, 7);
VAL(GPIO_MODE_INPUT_OUTPUT, 3);
VAL(GPIO_PULLUP_ENABLE, 1);
VAL(GPIO_PULLDOWN_ENABLE, 1);
VAL(GPIO_INTR_NEGEDGE, 2);
VAL(GPIO_INTR_HIGH_LEVEL, 5);
VAL(GPIO_FLOATING, 3);
VAL(GPIO_DRIVE_CAP_DEFAULT, 2);

VAL(ESP_OK, 0);
VAL(ESP_FAIL, -1);
VAL(ESP_ERR_NO_MEM, 0x101);
VAL(ESP_ERR_INVALID_ARG, 0x102);
VAL(ESP_ERR_INVALID_STATE, 0x103);
VAL(ESP_ERR_NOT_FOUND, 0x105);
VAL(ESP_ERR_TIMEOUT, 0x107);
VAL(ESP_ERR_NOT_ALLOWED, 0x10D);
VAL(ESP_ERR_NVS_NOT_FOUND, 0x1102);
VAL(ESP_ERR_NVS_NO_FREE_PAGES, 0x110d);
VAL(ESP_ERR_NVS_NEW_VERSION_FOUND, 0x1110);
VAL(ESP_ERR_WIFI_NOT_INIT, 0x3001);

VAL(ESP_LOG_NONE, 0);
VAL(ESP_LOG_ERROR, 1);
VAL(ESP_LOG_WARN, 2);
VAL(ESP_LOG_INFO, 3);
VAL(ESP_LOG_DEBUG, 4);
VAL(ESP_LOG_VERBOSE, 5);

VAL(pdTRUE, 1);
VAL(pdPASS, 1);
VAL(pdFAIL, 0);
VAL(portMAX_DELAY, 0xffffffffu);
VAL(configMAX_PRIORITIES, 25);
VAL(tskNO_AFFINITY, 0x7FFFFFFF);
VAL(tskIDLE_PRIORITY, 0);
VAL(eRunning, 0);
VAL(eDeleted, 4);
VAL(eIncrement, 2);
VAL(eSetValueWithoutOverwrite, 4);
VAL(queueSEND_TO_BACK, 0);
VAL(queueSEND_TO_FRONT, 1);
VAL(queueOVERWRITE, 2);
VAL(queueQUEUE_TYPE_BASE, 0);
VAL(queueQUEUE_TYPE_MUTEX, 1);
VAL(queueQUEUE_TYPE_COUNTING_SEMAPHORE, 2);
VAL(queueQUEUE_TYPE_BINARY_SEMAPHORE, 3);
VAL(queueQUEUE_TYPE_RECURSIVE_MUTEX, 4);
VAL(semGIVE_BLOCK_TIME, 0);
VAL(tmrCOMMAND_START, 1);
VAL(tmrCOMMAND_RESET, 2);
VAL(tmrCOMMAND_STOP, 3);
VAL(tmrCOMMAND_CHANGE_PERIOD, 4);
VAL(tmrCOMMAND_DELETE, 5);
VAL(tmrCOMMAND_START_FROM_ISR, 6);
VAL(tmrCOMMAND_CHANGE_PERIOD_FROM_ISR, 9);
VAL(taskSCHEDULER_RUNNING, 2);

VAL(ESP_TIMER_TASK, 0);
VAL(LEDC_AUTO_CLK, 0);
VAL(LEDC_TIMER_0, 0);
VAL(LEDC_TIMER_3, 3);
VAL(LEDC_CHANNEL_7, 7);
VAL(LEDC_TIMER_13_BIT, 13);
VAL(LEDC_TIMER_20_BIT, 20);
VAL(LEDC_INTR_FADE_END, 1);
VAL(LEDC_FADE_WAIT_DONE, 1);
VAL(LEDC_SLEEP_MODE_KEEP_ALIVE, 2);
VAL(UART_NUM_1, 1);
VAL(UART_DATA_8_BITS, 3);
VAL(UART_PARITY_DISABLE, 0);
VAL(UART_PARITY_EVEN, 2);
VAL(UART_PARITY_ODD, 3);
VAL(UART_STOP_BITS_1, 1);
VAL(UART_STOP_BITS_2, 3);
VAL(UART_HW_FLOWCTRL_CTS_RTS, 3);
VAL(UART_SCLK_DEFAULT, 0);
VAL(UART_PATTERN_DET, 7);
VAL(UART_PIN_NO_CHANGE, -1);
VAL(I2C_ADDR_BIT_LEN_7, 0);
VAL(I2C_ADDR_BIT_LEN_10, 1);
VAL(SPI1_HOST, 0);
VAL(SPI2_HOST, 1);
VAL(SPI3_HOST, 2);
VAL(SPI_DMA_CH_AUTO, 3);
VAL(SPI_CLK_SRC_DEFAULT, 0);
VAL(SPI_TRANS_USE_TXDATA, 8);
VAL(SPI_DEVICE_HALFDUPLEX, 16);
VAL(NVS_READONLY, 0);
VAL(NVS_READWRITE, 1);
VAL(NVS_TYPE_BLOB, 0x42);
VAL(ESP_EVENT_ANY_ID, -1);
VAL(WIFI_MODE_STA, 1);
VAL(WIFI_MODE_APSTA, 3);
VAL(WIFI_EVENT_STA_START, 2);
VAL(WIFI_EVENT_STA_DISCONNECTED, 5);
VAL(WIFI_EVENT_AP_STACONNECTED, 14);
VAL(IP_EVENT_STA_GOT_IP, 0);
VAL(ESP_RST_SW, 3);
VAL(ESP_RST_BROWNOUT, 9);
VAL(ESP_RST_CPU_LOCKUP, 15);
VAL(MALLOC_CAP_8BIT, 4);
VAL(MALLOC_CAP_DMA, 8);
VAL(MALLOC_CAP_SPIRAM, 0x400);
VAL(MALLOC_CAP_INTERNAL, 0x800);
VAL(MALLOC_CAP_DEFAULT, 0x1000);
VAL(ESP_INTR_FLAG_LEVEL1, 2);
VAL(ESP_INTR_FLAG_IRAM, 0x400);
VAL(ESP_INTR_CPU_AFFINITY_1, 2);

/* ---- structs ---- */
/* gpio_config_t: the superset layout with hys_ctrl_mode (see gpio.h). */
OFF(gpio_config_t, pin_bit_mask, 0);
OFF(gpio_config_t, mode, 8);
OFF(gpio_config_t, pull_up_en, 12);
OFF(gpio_config_t, pull_down_en, 16);
OFF(gpio_config_t, intr_type, 20);
OFF(gpio_config_t, hys_ctrl_mode, 24);
SIZE(gpio_config_t, 32);
ALIGN(gpio_config_t, 8);

OFF(esp_timer_create_args_t, callback, 0);
OFF(esp_timer_create_args_t, arg, 4);
OFF(esp_timer_create_args_t, dispatch_method, 8);
OFF(esp_timer_create_args_t, name, 12);
OFF(esp_timer_create_args_t, skip_unhandled_events, 16);
SIZE(esp_timer_create_args_t, 20);

OFF(ledc_timer_config_t, speed_mode, 0);
OFF(ledc_timer_config_t, duty_resolution, 4);
OFF(ledc_timer_config_t, timer_num, 8);
OFF(ledc_timer_config_t, freq_hz, 12);
OFF(ledc_timer_config_t, clk_cfg, 16);
OFF(ledc_timer_config_t, deconfigure, 20);
SIZE(ledc_timer_config_t, 24);

OFF(ledc_channel_config_t, gpio_num, 0);
OFF(ledc_channel_config_t, speed_mode, 4);
OFF(ledc_channel_config_t, channel, 8);
OFF(ledc_channel_config_t, intr_type, 12);
OFF(ledc_channel_config_t, timer_sel, 16);
OFF(ledc_channel_config_t, duty, 20);
OFF(ledc_channel_config_t, hpoint, 24);
OFF(ledc_channel_config_t, sleep_mode, 28);
OFF(ledc_channel_config_t, flags, 32);
SIZE(ledc_channel_config_t, 36);

OFF(uart_config_t, baud_rate, 0);
OFF(uart_config_t, data_bits, 4);
OFF(uart_config_t, parity, 8);
OFF(uart_config_t, stop_bits, 12);
OFF(uart_config_t, flow_ctrl, 16);
OFF(uart_config_t, rx_flow_ctrl_thresh, 20);
OFF(uart_config_t, source_clk, 24);
OFF(uart_config_t, lp_source_clk, 24);
OFF(uart_config_t, flags, 28);
SIZE(uart_config_t, 32);

OFF(uart_event_t, type, 0);
OFF(uart_event_t, size, 4);
OFF(uart_event_t, timeout_flag, 8);
SIZE(uart_event_t, 12);

OFF(i2c_master_bus_config_t, i2c_port, 0);
OFF(i2c_master_bus_config_t, sda_io_num, 4);
OFF(i2c_master_bus_config_t, scl_io_num, 8);
OFF(i2c_master_bus_config_t, clk_source, 12);
OFF(i2c_master_bus_config_t, lp_source_clk, 12);
OFF(i2c_master_bus_config_t, glitch_ignore_cnt, 16);
OFF(i2c_master_bus_config_t, intr_priority, 20);
OFF(i2c_master_bus_config_t, trans_queue_depth, 24);
OFF(i2c_master_bus_config_t, flags, 28);
SIZE(i2c_master_bus_config_t, 32);

OFF(i2c_device_config_t, dev_addr_length, 0);
OFF(i2c_device_config_t, device_address, 4);
OFF(i2c_device_config_t, scl_speed_hz, 8);
OFF(i2c_device_config_t, scl_wait_us, 12);
OFF(i2c_device_config_t, flags, 16);
SIZE(i2c_device_config_t, 20);

OFF(spi_bus_config_t, mosi_io_num, 0);
OFF(spi_bus_config_t, data0_io_num, 0);
OFF(spi_bus_config_t, miso_io_num, 4);
OFF(spi_bus_config_t, sclk_io_num, 8);
OFF(spi_bus_config_t, quadwp_io_num, 12);
OFF(spi_bus_config_t, quadhd_io_num, 16);
OFF(spi_bus_config_t, data4_io_num, 20);
OFF(spi_bus_config_t, data7_io_num, 32);
OFF(spi_bus_config_t, data_io_default_level, 36);
OFF(spi_bus_config_t, max_transfer_sz, 40);
OFF(spi_bus_config_t, flags, 44);
OFF(spi_bus_config_t, isr_cpu_id, 48);
OFF(spi_bus_config_t, intr_flags, 52);
SIZE(spi_bus_config_t, 56);

OFF(spi_device_interface_config_t, command_bits, 0);
OFF(spi_device_interface_config_t, address_bits, 1);
OFF(spi_device_interface_config_t, dummy_bits, 2);
OFF(spi_device_interface_config_t, mode, 3);
OFF(spi_device_interface_config_t, clock_source, 4);
OFF(spi_device_interface_config_t, duty_cycle_pos, 8);
OFF(spi_device_interface_config_t, cs_ena_pretrans, 10);
OFF(spi_device_interface_config_t, cs_ena_posttrans, 12);
OFF(spi_device_interface_config_t, clock_speed_hz, 16);
OFF(spi_device_interface_config_t, input_delay_ns, 20);
OFF(spi_device_interface_config_t, sample_point, 24);
OFF(spi_device_interface_config_t, spics_io_num, 28);
OFF(spi_device_interface_config_t, flags, 32);
OFF(spi_device_interface_config_t, queue_size, 36);
OFF(spi_device_interface_config_t, pre_cb, 40);
OFF(spi_device_interface_config_t, post_cb, 44);
SIZE(spi_device_interface_config_t, 48);

OFF(spi_transaction_t, flags, 0);
OFF(spi_transaction_t, cmd, 4);
OFF(spi_transaction_t, addr, 8);
OFF(spi_transaction_t, length, 16);
OFF(spi_transaction_t, rxlength, 20);
OFF(spi_transaction_t, override_freq_hz, 24);
OFF(spi_transaction_t, user, 28);
OFF(spi_transaction_t, tx_buffer, 32);
OFF(spi_transaction_t, tx_data, 32);
OFF(spi_transaction_t, rx_buffer, 36);
OFF(spi_transaction_t, rx_data, 36);
SIZE(spi_transaction_t, 40);
ALIGN(spi_transaction_t, 8);

OFF(spi_transaction_ext_t, base, 0);
OFF(spi_transaction_ext_t, command_bits, 40);
OFF(spi_transaction_ext_t, address_bits, 41);
OFF(spi_transaction_ext_t, dummy_bits, 42);
SIZE(spi_transaction_ext_t, 48);

OFF(esp_event_loop_args_t, queue_size, 0);
OFF(esp_event_loop_args_t, task_name, 4);
OFF(esp_event_loop_args_t, task_priority, 8);
OFF(esp_event_loop_args_t, task_stack_size, 12);
OFF(esp_event_loop_args_t, task_core_id, 16);
SIZE(esp_event_loop_args_t, 20);

SIZE(esp_ip4_addr_t, 4);
OFF(esp_netif_ip_info_t, ip, 0);
OFF(esp_netif_ip_info_t, netmask, 4);
OFF(esp_netif_ip_info_t, gw, 8);
SIZE(esp_netif_ip_info_t, 12);
OFF(ip_event_got_ip_t, esp_netif, 0);
OFF(ip_event_got_ip_t, ip_info, 4);
OFF(ip_event_got_ip_t, ip_changed, 16);
SIZE(ip_event_got_ip_t, 20);

/* ---- bit-field flags land in the first bits of their word ---- */
static int flags_layout_ok(void)
{
    union { uart_config_t c; uint32_t w[8]; } u = { .c = { .flags = { .backup_before_sleep = 1 } } };
    union { ledc_channel_config_t c; uint32_t w[9]; } l = { .c = { .flags = { .output_invert = 1 } } };
    union { i2c_master_bus_config_t c; uint32_t w[8]; } i = { .c = { .flags = { .enable_internal_pullup = 1 } } };
    return u.w[7] == 2u && l.w[8] == 1u && i.w[7] == 1u;
}
int espb_abi_flags_layout_ok(void) { return flags_layout_ok(); }
