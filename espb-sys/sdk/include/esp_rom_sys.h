/* esp_rom_sys.h (portable espb SDK): ROM printf and busy-wait delay. */
#ifndef ESPB_ESP_ROM_SYS_H
#define ESPB_ESP_ROM_SYS_H

#include <stdint.h>
#include "espb_sdk_common.h"

ESPB_EXTERN_C_BEGIN

int esp_rom_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void esp_rom_delay_us(uint32_t us);

ESPB_EXTERN_C_END

#endif
