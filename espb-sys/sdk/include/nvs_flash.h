/* nvs_flash.h (portable espb SDK): NVS partition initialisation. */
#ifndef ESPB_NVS_FLASH_H
#define ESPB_NVS_FLASH_H

#include "esp_err.h"
#include "nvs.h"

ESPB_EXTERN_C_BEGIN

esp_err_t nvs_flash_init(void);
esp_err_t nvs_flash_deinit(void);
esp_err_t nvs_flash_erase(void);

ESPB_EXTERN_C_END

#endif
