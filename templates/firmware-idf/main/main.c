/*
 * {{name}}: firmware that runs the .espb module in the `{{partition_label}}` flash
 * partition (its app_main) and takes new modules over its serial console,
 * without a reset: `cargo espb push` (docs/deploy.md). Write the first
 * module with `cargo espb flash --module`; the firmware itself never changes.
 */
#include <stdint.h>
#include "driver/uart.h"
#include "esp_err.h"
#include "esp_log.h"
#include "esp_partition.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"
#include "sdkconfig.h"
#include "soc/soc.h"
#include "espb_runtime.h"
#include "espb_symtab_idf.h"
/* The project's own table, when components/espb_symtab_custom exists
 * (main/CMakeLists.txt requires it then; symbols/README.md). */
#if __has_include("espb_symtab_custom.h")
#include "espb_symtab_custom.h"
#define ESPB_HAVE_SYMTAB_CUSTOM 1
#endif

static const char *TAG = "{{name}}";

/* What a module reaches of firmware memory (cargo-espb docs/native-calls.md,
 * "Firmware memory"): its data imports and what natives return, as far as
 * the symbol tables size them, and the heap_caps blocks it holds. No region
 * is granted. Build with -DESPB_GRANT_CHIP_REGIONS=1 to let modules also read
 * (never write) all of the chip's memory, from ESP-IDF's memory map: internal
 * DRAM, flash-mapped read-only data and RTC memory where the chip has it
 * (a read of an unmapped flash page faults). */
#ifndef ESPB_GRANT_CHIP_REGIONS
#define ESPB_GRANT_CHIP_REGIONS 0
#endif
#if ESPB_GRANT_CHIP_REGIONS
static const espb_window_t windows[] = {
    { SOC_DRAM_LOW, SOC_DRAM_HIGH, ESPB_WINDOW_READ },
    { SOC_DROM_LOW, SOC_DROM_HIGH, ESPB_WINDOW_READ },
#ifdef SOC_RTC_DRAM_LOW
    { SOC_RTC_DRAM_LOW, SOC_RTC_DRAM_HIGH, ESPB_WINDOW_READ },
#endif
#if defined(SOC_RTC_DATA_LOW) && SOC_RTC_DATA_LOW != SOC_RTC_DRAM_LOW
    { SOC_RTC_DATA_LOW, SOC_RTC_DATA_HIGH, ESPB_WINDOW_READ }, /* RTC slow memory (ESP32, S2, S3) */
#endif
};
#define ESPB_WINDOWS windows, sizeof windows / sizeof windows[0]
#else
#define ESPB_WINDOWS NULL, 0
#endif

/* The runtime verifies every module completely before anything runs, and
 * resolves its imports through the firmware's symbol tables. */
static const espb_symtab_t *const tables[] = {
    &espb_symtab_idf,
#ifdef ESPB_HAVE_SYMTAB_CUSTOM
    &espb_symtab_custom,
#endif
};

/* The module partition, by the label and subtype `cargo espb flash` and
 * partitions.csv give it. */
#define ESPB_PART_LABEL "{{partition_label}}"
#define ESPB_PART_SUBTYPE {{partition_subtype_c}}

/* The console UART, where `cargo espb push` sends modules. */
#ifdef CONFIG_ESP_CONSOLE_UART_NUM
#define ESPB_CONSOLE CONFIG_ESP_CONSOLE_UART_NUM
#else
#define ESPB_CONSOLE 0
#endif

/* The push loader's view of this firmware: the partition, the console for
 * replies, the log and the clock (espb_runtime.h, "live push"). */
static int part_read(void *ctx, uint32_t offset, uint8_t *buf, size_t len)
{
    return esp_partition_read(ctx, offset, buf, len);
}

static int part_write(void *ctx, uint32_t offset, const uint8_t *data, size_t len)
{
    return esp_partition_write(ctx, offset, data, len);
}

static int part_erase(void *ctx, uint32_t offset, uint32_t len)
{
    return esp_partition_erase_range(ctx, offset, len);
}

static void console_send(void *ctx, const uint8_t *frame, size_t len)
{
    (void) ctx;
    uart_write_bytes(ESPB_CONSOLE, frame, len);
}

static void log_line(void *ctx, const char *line)
{
    (void) ctx;
    ESP_LOGI(TAG, "%s", line);
}

static uint64_t now_ms(void *ctx)
{
    (void) ctx;
    return (uint64_t) esp_timer_get_time() / 1000;
}

void app_main(void)
{
    const esp_partition_t *part =
        esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESPB_PART_SUBTYPE, ESPB_PART_LABEL);
    if (part == NULL) {
        ESP_LOGE(TAG, "no `" ESPB_PART_LABEL "` data partition ({{partition_subtype}}): check partitions.csv");
        return;
    }
    /* The tick rate, and the task that runs module callbacks called in
     * interrupt context (GPIO ISR handlers, ISR-dispatched esp_timers). */
    espb_error_t err = espb_init(configTICK_RATE_HZ, 5, 6144);
    if (err != ESPB_OK) {
        ESP_LOGW(TAG, "espb_init: %s", espb_error_str(err));
    }

    /* Modules run with espb_config_default's limits and app_main as entry;
     * set .start/.stop/.failure to run them yourself, .trial_ms to change
     * how long a pushed module must run before it is kept. */
    const espb_push_io_t io = {
        .ctx = (void *) part,
        .flash_size = part->size,
        .flash_read = part_read,
        .flash_write = part_write,
        .flash_erase = part_erase,
        .send = console_send,
        .log = log_line,
        .now_ms = now_ms,
    };
    espb_push_t *push = NULL;
    err = espb_push_new(&io, tables, sizeof tables / sizeof tables[0], ESPB_WINDOWS, NULL, &push);
    if (err != ESPB_OK) {
        char detail[160];
        espb_last_detail(detail, sizeof detail);
        ESP_LOGE(TAG, "the `" ESPB_PART_LABEL "` partition cannot hold modules: %s", detail);
        return;
    }
    if (uart_driver_install(ESPB_CONSOLE, 2048, 0, 0, NULL, 0) != ESP_OK) {
        ESP_LOGW(TAG, "no UART driver on the console: `cargo espb push` will not be heard");
    }
    /* The last good slot (after `cargo espb flash --module`: slot A). */
    espb_push_boot(push);
    uint8_t buf[256];
    const TickType_t wait = (10 * configTICK_RATE_HZ + 999) / 1000; /* about 10 ms */
    for (;;) {
        int n = uart_read_bytes(ESPB_CONSOLE, buf, sizeof buf, wait);
        espb_push_feed(push, buf, n > 0 ? (size_t) n : 0);
        espb_push_poll(push);
    }
}
