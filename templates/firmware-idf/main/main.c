/*
 * {{name}}: firmware that loads a .espb module from the `{{partition_label}}` flash
 * partition and runs its app_main. Write a new module with
 * `cargo espb flash --module`; the firmware itself never changes.
 */
#include <stdint.h>
#include <string.h>
#include "esp_err.h"
#include "esp_log.h"
#include "esp_partition.h"
#include "esp_rom_crc.h"
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

/* The firmware memory a module may read at its real addresses (cargo-espb
 * docs/native-calls.md, "Firmware memory"), from ESP-IDF's memory map:
 * internal DRAM, flash-mapped read-only data (string literals natives return,
 * the __espb_cfg_* values) and RTC memory where the chip has it. Read-only
 * (ESPB_WINDOW_READ): a store there traps, so the module cannot change
 * firmware data, its own code or the runtime's state; the heap_caps blocks it
 * allocates are writable while it holds them. A read of an unmapped flash
 * page still faults. */
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

/* The module partition, by the label and subtype `cargo espb flash` and
 * partitions.csv give it. */
#define ESPB_PART_LABEL "{{partition_label}}"
#define ESPB_PART_SUBTYPE {{partition_subtype_c}}

/* The partition header written by `cargo espb flash --module` (docs/flash.md). */
#define ESPB_PART_MAGIC "EPBP"
#define ESPB_PART_HEADER_LEN 16

static uint32_t rd32(const uint8_t *p) { return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t) p[3] << 24); }

void app_main(void)
{
    const esp_partition_t *part =
        esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESPB_PART_SUBTYPE, ESPB_PART_LABEL);
    if (part == NULL) {
        ESP_LOGE(TAG, "no `" ESPB_PART_LABEL "` data partition ({{partition_subtype}}): check partitions.csv");
        return;
    }
    const void *map = NULL;
    esp_partition_mmap_handle_t handle;
    ESP_ERROR_CHECK(esp_partition_mmap(part, 0, part->size, ESP_PARTITION_MMAP_DATA, &map, &handle));
    const uint8_t *bytes = map;
    if (memcmp(bytes, ESPB_PART_MAGIC, 4) != 0) {
        ESP_LOGW(TAG, "no module in the `" ESPB_PART_LABEL "` partition yet: run `cargo espb flash --module`");
        esp_partition_munmap(handle);
        return;
    }
    uint32_t len = rd32(bytes + 8);
    uint32_t crc = rd32(bytes + 12);
    if (len > part->size - ESPB_PART_HEADER_LEN ||
        esp_rom_crc32_le(0, bytes + ESPB_PART_HEADER_LEN, len) != crc) {
        ESP_LOGE(TAG, "the module in the `" ESPB_PART_LABEL "` partition is corrupt (length or CRC): flash it again");
        esp_partition_munmap(handle);
        return;
    }

    /* The runtime verifies the module completely before anything runs, and
     * resolves its imports through the firmware's symbol tables. */
    const espb_symtab_t *tables[] = {
        &espb_symtab_idf,
#ifdef ESPB_HAVE_SYMTAB_CUSTOM
        &espb_symtab_custom,
#endif
    };
    espb_error_t err = espb_run_with(bytes + ESPB_PART_HEADER_LEN, len, tables, sizeof tables / sizeof tables[0],
                                     "app_main", windows, sizeof windows / sizeof windows[0]);
    char detail[160];
    espb_last_detail(detail, sizeof detail);
    if (err != ESPB_OK) {
        ESP_LOGE(TAG, "module failed: %s: %s", espb_error_str(err), detail);
    } else {
        ESP_LOGI(TAG, "module: %s", detail);
    }
    /* The module's instance is gone once espb_run_with returns: tasks, timers
     * and callbacks it created must not run its code any more (callback
     * thunks, which would keep it alive, are not implemented yet). The
     * runtime copied what it needs, so the mapping can go. */
    esp_partition_munmap(handle);
}
