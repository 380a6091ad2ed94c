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

// ---- heap_caps: the firmware heap's blocks, as ESP-IDF hands them out ------

/// Bytes in front of every heap_caps block: its size and alignment, so
/// `heap_caps_free` and `heap_caps_realloc` can rebuild the layout.
const CAPS_HEADER: usize = 16;

fn caps_layout(size: usize, align: usize) -> Option<core::alloc::Layout> {
    core::alloc::Layout::from_size_align(size.checked_add(align.max(CAPS_HEADER))?, align.max(CAPS_HEADER)).ok()
}

/// A block of `size` bytes aligned to `align` (a power of two), or NULL.
fn caps_alloc(size: usize, align: usize) -> *mut u8 {
    let Some(layout) = caps_layout(size, align) else { return core::ptr::null_mut() };
    // SAFETY: the layout is not zero-sized (it holds the header).
    let base = unsafe { alloc::alloc::alloc(layout) };
    if base.is_null() {
        return base;
    }
    // SAFETY: the header lies inside the block, right before the result.
    unsafe {
        let p = base.add(layout.align());
        p.cast::<usize>().sub(1).write(size);
        p.cast::<usize>().sub(2).write(align);
        p
    }
}

/// # Safety
/// `p` is NULL or a block of [`caps_alloc`] not freed yet.
unsafe fn caps_free(p: *mut u8) {
    if p.is_null() {
        return;
    }
    // SAFETY: caller's contract: the header is ours.
    unsafe {
        let (size, align) = (p.cast::<usize>().sub(1).read(), p.cast::<usize>().sub(2).read());
        let layout = caps_layout(size, align).expect("the header of a live block");
        alloc::alloc::dealloc(p.sub(layout.align()), layout);
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn heap_caps_malloc(size: usize, _caps: u32) -> *mut u8 {
    caps_alloc(size, 8)
}

#[unsafe(no_mangle)]
pub extern "C" fn heap_caps_calloc(n: usize, size: usize, _caps: u32) -> *mut u8 {
    let Some(total) = n.checked_mul(size) else { return core::ptr::null_mut() };
    let p = caps_alloc(total, 8);
    if !p.is_null() {
        // SAFETY: a fresh block of `total` bytes.
        unsafe { p.write_bytes(0, total) };
    }
    p
}

#[unsafe(no_mangle)]
pub extern "C" fn heap_caps_aligned_alloc(align: usize, size: usize, _caps: u32) -> *mut u8 {
    if !align.is_power_of_two() {
        return core::ptr::null_mut();
    }
    caps_alloc(size, align)
}

/// # Safety
/// `p` is NULL or a live heap_caps block.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn heap_caps_free(p: *mut u8) {
    // SAFETY: caller's contract.
    unsafe { caps_free(p) }
}

/// # Safety
/// `p` is NULL or a live heap_caps block.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn heap_caps_realloc(p: *mut u8, size: usize, _caps: u32) -> *mut u8 {
    if size == 0 {
        // SAFETY: caller's contract.
        unsafe { caps_free(p) };
        return core::ptr::null_mut();
    }
    let q = caps_alloc(size, 8);
    if !q.is_null() && !p.is_null() {
        // SAFETY: caller's contract: `p`'s header gives its size.
        unsafe {
            let old = p.cast::<usize>().sub(1).read();
            core::ptr::copy_nonoverlapping(p, q, old.min(size));
            caps_free(p);
        }
    }
    q
}
