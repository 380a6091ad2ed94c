/* esp_random.h (portable espb SDK): hardware random numbers. */
#ifndef ESPB_ESP_RANDOM_H
#define ESPB_ESP_RANDOM_H

#include <stddef.h>
#include <stdint.h>
#include "espb_sdk_common.h"

ESPB_EXTERN_C_BEGIN

uint32_t esp_random(void);
void esp_fill_random(void *buf, size_t len);

ESPB_EXTERN_C_END

#endif
