/* esp_intr_alloc.h (portable espb SDK): interrupt allocation flags only. */
#ifndef ESPB_ESP_INTR_ALLOC_H
#define ESPB_ESP_INTR_ALLOC_H

#include "esp_err.h"

#define ESP_INTR_FLAG_LEVEL1        (1 << 1)
#define ESP_INTR_FLAG_LEVEL2        (1 << 2)
#define ESP_INTR_FLAG_LEVEL3        (1 << 3)
#define ESP_INTR_FLAG_LEVEL4        (1 << 4)
#define ESP_INTR_FLAG_LEVEL5        (1 << 5)
#define ESP_INTR_FLAG_LEVEL6        (1 << 6)
#define ESP_INTR_FLAG_NMI           (1 << 7)
#define ESP_INTR_FLAG_SHARED        (1 << 8)
#define ESP_INTR_FLAG_EDGE          (1 << 9)
#define ESP_INTR_FLAG_IRAM          (1 << 10)
#define ESP_INTR_FLAG_INTRDISABLED  (1 << 11)
#define ESP_INTR_FLAG_LOWMED        (ESP_INTR_FLAG_LEVEL1 | ESP_INTR_FLAG_LEVEL2 | ESP_INTR_FLAG_LEVEL3)
#define ESP_INTR_FLAG_HIGH          (ESP_INTR_FLAG_LEVEL4 | ESP_INTR_FLAG_LEVEL5 | ESP_INTR_FLAG_LEVEL6 | ESP_INTR_FLAG_NMI)
#define ESP_INTR_FLAG_LEVELMASK     (ESP_INTR_FLAG_LEVEL1 | ESP_INTR_FLAG_LEVEL2 | ESP_INTR_FLAG_LEVEL3 | \
                                     ESP_INTR_FLAG_LEVEL4 | ESP_INTR_FLAG_LEVEL5 | ESP_INTR_FLAG_LEVEL6 | \
                                     ESP_INTR_FLAG_NMI)

/* Opaque handle of an allocated interrupt. */
typedef struct intr_handle_data_t *intr_handle_t;

/* CPU affinity of a driver's interrupt (spi_bus_config_t.isr_cpu_id). */
typedef enum {
    ESP_INTR_CPU_AFFINITY_AUTO,
    ESP_INTR_CPU_AFFINITY_0,
    ESP_INTR_CPU_AFFINITY_1,
} esp_intr_cpu_affinity_t;

#endif
