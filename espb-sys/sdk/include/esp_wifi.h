/*
 * esp_wifi.h (portable espb SDK): Wi-Fi basics (the firmware must export
 * them: CONFIG_ESPB_IDF_WIFI).
 *
 * wifi_init_config_t (and so WIFI_INIT_CONFIG_DEFAULT) and wifi_config_t are
 * large, sdkconfig-dependent structs: they are not offered; using them is a
 * compile error that explains why. Bring Wi-Fi up in the firmware, or build
 * the module against the firmware's ESP-IDF.
 */
#ifndef ESPB_ESP_WIFI_H
#define ESPB_ESP_WIFI_H

#include <stdint.h>
#include <stdbool.h>
#include "esp_err.h"
#include "esp_event.h"
#include "esp_netif.h"

ESPB_EXTERN_C_BEGIN

#define ESP_ERR_WIFI_NOT_INIT       (ESP_ERR_WIFI_BASE + 1)
#define ESP_ERR_WIFI_NOT_STARTED    (ESP_ERR_WIFI_BASE + 2)
#define ESP_ERR_WIFI_NOT_STOPPED    (ESP_ERR_WIFI_BASE + 3)
#define ESP_ERR_WIFI_IF             (ESP_ERR_WIFI_BASE + 4)
#define ESP_ERR_WIFI_MODE           (ESP_ERR_WIFI_BASE + 5)
#define ESP_ERR_WIFI_STATE          (ESP_ERR_WIFI_BASE + 6)
#define ESP_ERR_WIFI_CONN           (ESP_ERR_WIFI_BASE + 7)
#define ESP_ERR_WIFI_NVS            (ESP_ERR_WIFI_BASE + 8)
#define ESP_ERR_WIFI_MAC            (ESP_ERR_WIFI_BASE + 9)
#define ESP_ERR_WIFI_SSID           (ESP_ERR_WIFI_BASE + 10)
#define ESP_ERR_WIFI_PASSWORD       (ESP_ERR_WIFI_BASE + 11)
#define ESP_ERR_WIFI_TIMEOUT        (ESP_ERR_WIFI_BASE + 12)

typedef enum {
    WIFI_MODE_NULL = 0,
    WIFI_MODE_STA,
    WIFI_MODE_AP,
    WIFI_MODE_APSTA,
    WIFI_MODE_NAN,
    WIFI_MODE_MAX
} wifi_mode_t;

typedef enum {
    WIFI_PS_NONE,
    WIFI_PS_MIN_MODEM,
    WIFI_PS_MAX_MODEM,
} wifi_ps_type_t;

typedef enum {
    WIFI_STORAGE_FLASH,
    WIFI_STORAGE_RAM,
} wifi_storage_t;

/* The first events, stable across ESP-IDF v5.x. */
typedef enum {
    WIFI_EVENT_WIFI_READY = 0,
    WIFI_EVENT_SCAN_DONE,
    WIFI_EVENT_STA_START,
    WIFI_EVENT_STA_STOP,
    WIFI_EVENT_STA_CONNECTED,
    WIFI_EVENT_STA_DISCONNECTED,
    WIFI_EVENT_STA_AUTHMODE_CHANGE,
    WIFI_EVENT_STA_WPS_ER_SUCCESS,
    WIFI_EVENT_STA_WPS_ER_FAILED,
    WIFI_EVENT_STA_WPS_ER_TIMEOUT,
    WIFI_EVENT_STA_WPS_ER_PIN,
    WIFI_EVENT_STA_WPS_ER_PBC_OVERLAP,
    WIFI_EVENT_AP_START,
    WIFI_EVENT_AP_STOP,
    WIFI_EVENT_AP_STACONNECTED,
    WIFI_EVENT_AP_STADISCONNECTED,
    WIFI_EVENT_AP_PROBEREQRECVED,
} wifi_event_t;

ESP_EVENT_DECLARE_BASE(WIFI_EVENT);

typedef struct espb_unavailable_wifi_init_config wifi_init_config_t
    ESPB_UNAVAILABLE("wifi_init_config_t is " ESPB_NEEDS_FIRMWARE_BUILD);
typedef union espb_unavailable_wifi_config wifi_config_t
    ESPB_UNAVAILABLE("wifi_config_t is " ESPB_NEEDS_FIRMWARE_BUILD);

int __espb_unavailable_WIFI_INIT_CONFIG_DEFAULT(void)
    ESPB_UNAVAILABLE("WIFI_INIT_CONFIG_DEFAULT() is " ESPB_NEEDS_FIRMWARE_BUILD
                     "; initialise Wi-Fi in the firmware");
#define WIFI_INIT_CONFIG_DEFAULT() __espb_unavailable_WIFI_INIT_CONFIG_DEFAULT()

esp_err_t esp_wifi_deinit(void);
esp_err_t esp_wifi_set_mode(wifi_mode_t mode);
esp_err_t esp_wifi_get_mode(wifi_mode_t *mode);
esp_err_t esp_wifi_start(void);
esp_err_t esp_wifi_stop(void);
esp_err_t esp_wifi_connect(void);
esp_err_t esp_wifi_disconnect(void);
esp_err_t esp_wifi_set_storage(wifi_storage_t storage);
esp_err_t esp_wifi_set_ps(wifi_ps_type_t type);
esp_err_t esp_wifi_scan_get_ap_num(uint16_t *number);

/* esp_wifi_default.h */
esp_netif_t *esp_netif_create_default_wifi_sta(void);
esp_netif_t *esp_netif_create_default_wifi_ap(void);

ESPB_EXTERN_C_END

#endif /* ESPB_ESP_WIFI_H */
