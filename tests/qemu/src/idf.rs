//! The ESP-IDF functions besides FreeRTOS and esp_timer that modules call
//! here (natives.c has the variadic log writers and ESP_ERROR_CHECK's
//! failure): the log clock, and a GPIO stand-in that prints every level a
//! module sets (the virt machine has no GPIO), with ESP-IDF's checks.

use crate::rtos::TICK_RATE_HZ;
use crate::rtos::esp_timer::{ESP_ERR_INVALID_ARG, ESP_OK, EspErr};
use crate::rtos::sched::xTaskGetTickCount;
use core::ffi::{CStr, c_char};
use core::fmt::Write;

/// SOC_GPIO_PIN_COUNT of the ESP32-C3 (the chips' value for modules, too).
pub const GPIO_PIN_COUNT: u32 = 22;

/// gpio_config_t, laid out as ESP-IDF's (the espb SDK's superset).
#[repr(C)]
pub struct GpioConfig {
    pin_bit_mask: u64,
    mode: u32,
    pull_up_en: u32,
    pull_down_en: u32,
    intr_type: u32,
    hys_ctrl_mode: u32,
}

/// Milliseconds since the scheduler started, as ESP-IDF counts them for
/// log lines once it runs (ticks times the tick period).
#[unsafe(no_mangle)]
pub extern "C" fn esp_log_timestamp() -> u32 {
    xTaskGetTickCount().wrapping_mul(1000 / TICK_RATE_HZ)
}

/// Accepts a configuration of existing pins (nothing to set up here).
///
/// # Safety
/// `config` must be NULL or valid for reads.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn gpio_config(config: *const GpioConfig) -> EspErr {
    // SAFETY: caller's contract.
    match unsafe { config.as_ref() } {
        Some(c) if c.pin_bit_mask != 0 && c.pin_bit_mask >> GPIO_PIN_COUNT == 0 => ESP_OK,
        _ => ESP_ERR_INVALID_ARG,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn gpio_set_level(gpio: u32, level: u32) -> EspErr {
    if gpio >= GPIO_PIN_COUNT {
        return ESP_ERR_INVALID_ARG;
    }
    println!("gpio: GPIO{gpio} = {}", u32::from(level != 0));
    ESP_OK
}

/// ESP-IDF's abort() after a failed ESP_ERROR_CHECK: the firmware stops.
///
/// # Safety
/// `why` must be NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qemu_abort(why: *const c_char) -> ! {
    // SAFETY: caller's contract.
    panic!("abort: {}", unsafe { CStr::from_ptr(why) }.to_str().unwrap_or("?"))
}
