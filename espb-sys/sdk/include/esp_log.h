/*
 * esp_log.h (portable espb SDK): logging.
 *
 * ESP_LOGx expand as in ESP-IDF v5.0-v5.4 with the default configuration
 * (CONFIG_LOG_COLORS off, CONFIG_LOG_TIMESTAMP_SOURCE_RTOS): a call of
 * esp_log_write() with the "I (%lu) tag: ..." format and esp_log_timestamp().
 * esp_log_write() exists in every v5.x release (v5.5 keeps it next to the
 * newer esp_log()). The compile-time level filter LOG_LOCAL_LEVEL defaults to
 * the firmware's CONFIG_LOG_MAXIMUM_LEVEL, read at load time; define
 * LOG_LOCAL_LEVEL before including this header to filter at compile time.
 */
#ifndef ESPB_ESP_LOG_H
#define ESPB_ESP_LOG_H

#include <stdint.h>
#include <stdarg.h>
#include <inttypes.h>
#include "sdkconfig.h"
#include "espb_sdk_common.h"

ESPB_EXTERN_C_BEGIN

typedef enum {
    ESP_LOG_NONE    = 0,
    ESP_LOG_ERROR   = 1,
    ESP_LOG_WARN    = 2,
    ESP_LOG_INFO    = 3,
    ESP_LOG_DEBUG   = 4,
    ESP_LOG_VERBOSE = 5,
} esp_log_level_t;

typedef int (*vprintf_like_t)(const char *, va_list);

void esp_log_level_set(const char *tag, esp_log_level_t level);
esp_log_level_t esp_log_level_get(const char *tag);
uint32_t esp_log_timestamp(void);
char *esp_log_system_timestamp(void);
void esp_log_write(esp_log_level_t level, const char *tag, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
void esp_log_writev(esp_log_level_t level, const char *tag, const char *format, va_list args);

#ifndef LOG_LOCAL_LEVEL
#define LOG_LOCAL_LEVEL ((esp_log_level_t) ESPB_CFG(LOG_MAXIMUM_LEVEL))
#endif

/* No colours: ESP-IDF's default (CONFIG_LOG_COLORS=n). */
#define LOG_COLOR_E
#define LOG_COLOR_W
#define LOG_COLOR_I
#define LOG_COLOR_D
#define LOG_COLOR_V
#define LOG_RESET_COLOR

#define LOG_FORMAT(letter, format) \
    LOG_COLOR_ ## letter #letter " (%" PRIu32 ") %s: " format LOG_RESET_COLOR "\n"
#define LOG_SYSTEM_TIME_FORMAT(letter, format) \
    LOG_COLOR_ ## letter #letter " (%s) %s: " format LOG_RESET_COLOR "\n"

#define ESP_LOG_LEVEL(level, tag, format, ...) do {                                                                           \
        if (level == ESP_LOG_ERROR)        { esp_log_write(ESP_LOG_ERROR,   tag, LOG_FORMAT(E, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } \
        else if (level == ESP_LOG_WARN)    { esp_log_write(ESP_LOG_WARN,    tag, LOG_FORMAT(W, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } \
        else if (level == ESP_LOG_DEBUG)   { esp_log_write(ESP_LOG_DEBUG,   tag, LOG_FORMAT(D, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } \
        else if (level == ESP_LOG_VERBOSE) { esp_log_write(ESP_LOG_VERBOSE, tag, LOG_FORMAT(V, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } \
        else                               { esp_log_write(ESP_LOG_INFO,    tag, LOG_FORMAT(I, format), esp_log_timestamp(), tag, ##__VA_ARGS__); } \
    } while (0)

#define ESP_LOG_LEVEL_LOCAL(level, tag, format, ...) do {                               \
        if (LOG_LOCAL_LEVEL >= level) ESP_LOG_LEVEL(level, tag, format, ##__VA_ARGS__); \
    } while (0)

#define ESP_LOGE(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_ERROR,   tag, format, ##__VA_ARGS__)
#define ESP_LOGW(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_WARN,    tag, format, ##__VA_ARGS__)
#define ESP_LOGI(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_INFO,    tag, format, ##__VA_ARGS__)
#define ESP_LOGD(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_DEBUG,   tag, format, ##__VA_ARGS__)
#define ESP_LOGV(tag, format, ...) ESP_LOG_LEVEL_LOCAL(ESP_LOG_VERBOSE, tag, format, ##__VA_ARGS__)

/* A module never runs before the scheduler starts or from an ISR, so the
 * early and DRAM variants log through the normal path; the firmware's
 * default level (CONFIG_LOG_DEFAULT_LEVEL) filters them like ESP-IDF does. */
#define ESP_LOG_EARLY_IMPL(tag, format, log_level, log_tag_letter, ...) do {                       \
        if (LOG_LOCAL_LEVEL >= (log_level) &&                                                       \
            (esp_log_level_t) ESPB_CFG(LOG_DEFAULT_LEVEL) >= (log_level)) {                         \
            esp_log_write(log_level, tag, LOG_FORMAT(log_tag_letter, format), esp_log_timestamp(),  \
                          tag, ##__VA_ARGS__);                                                      \
        }                                                                                           \
    } while (0)
#define ESP_EARLY_LOGE(tag, format, ...) ESP_LOG_EARLY_IMPL(tag, format, ESP_LOG_ERROR,   E, ##__VA_ARGS__)
#define ESP_EARLY_LOGW(tag, format, ...) ESP_LOG_EARLY_IMPL(tag, format, ESP_LOG_WARN,    W, ##__VA_ARGS__)
#define ESP_EARLY_LOGI(tag, format, ...) ESP_LOG_EARLY_IMPL(tag, format, ESP_LOG_INFO,    I, ##__VA_ARGS__)
#define ESP_EARLY_LOGD(tag, format, ...) ESP_LOG_EARLY_IMPL(tag, format, ESP_LOG_DEBUG,   D, ##__VA_ARGS__)
#define ESP_EARLY_LOGV(tag, format, ...) ESP_LOG_EARLY_IMPL(tag, format, ESP_LOG_VERBOSE, V, ##__VA_ARGS__)
#define ESP_DRAM_LOGE ESP_EARLY_LOGE
#define ESP_DRAM_LOGW ESP_EARLY_LOGW
#define ESP_DRAM_LOGI ESP_EARLY_LOGI
#define ESP_DRAM_LOGD ESP_EARLY_LOGD
#define ESP_DRAM_LOGV ESP_EARLY_LOGV

ESPB_EXTERN_C_END

#endif /* ESPB_ESP_LOG_H */
