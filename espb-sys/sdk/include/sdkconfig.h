/*
 * Portable sdkconfig.h of the espb SDK.
 *
 * A portable module runs on every chip and under every sdkconfig, so this
 * file defines no CONFIG_* option at all: in particular CONFIG_IDF_TARGET,
 * CONFIG_IDF_TARGET_ESP32* and CONFIG_SOC_* are absent. Values the API needs
 * (tick rate, core count, log level, ...) are load-time constants, see
 * espb_sdk_common.h and docs/sdk-headers.md. Code that must test the target
 * in the preprocessor has to be built against a real firmware build.
 */
#ifndef ESPB_SDKCONFIG_H
#define ESPB_SDKCONFIG_H

#include "espb_sdk_common.h"

#define ESPB_PORTABLE_SDKCONFIG 1

#endif
