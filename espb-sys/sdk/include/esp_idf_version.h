/* ESP-IDF version of the API the portable espb headers declare. */
#ifndef ESPB_ESP_IDF_VERSION_H
#define ESPB_ESP_IDF_VERSION_H

#include "espb_sdk_common.h"

/* The portable headers follow the ESP-IDF v5.5 declarations. */
#define ESP_IDF_VERSION_MAJOR 5
#define ESP_IDF_VERSION_MINOR 5
#define ESP_IDF_VERSION_PATCH 0

#define ESP_IDF_VERSION_VAL(major, minor, patch) (((major) << 16) | ((minor) << 8) | (patch))
#define ESP_IDF_VERSION ESP_IDF_VERSION_VAL(ESP_IDF_VERSION_MAJOR, ESP_IDF_VERSION_MINOR, ESP_IDF_VERSION_PATCH)

ESPB_EXTERN_C_BEGIN
/* Version string of the firmware actually running the module. */
const char *esp_get_idf_version(void);
ESPB_EXTERN_C_END

#endif
