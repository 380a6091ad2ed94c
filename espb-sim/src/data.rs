//! Firmware variables a module imports by address (data imports): newlib's
//! `_impure_ptr` and `_ctype_` (behind `stdout` and the ctype macros), event
//! bases, and the load-time configuration values `__espb_cfg_<OPTION>` that
//! the portable SDK headers read instead of baking sdkconfig into the module
//! (docs/sdk-headers.md). The simulator plays an ESP32-C3 with ESP-IDF's
//! default sdkconfig.

use super::PcHost;
use espb_runtime::HostCtx;

/// `_ctype_`: entry 0 is EOF, entry `1 + c` classifies byte `c`.
fn ctype_table() -> [u8; 257] {
    let mut t = [0u8; 257];
    for (c, e) in t[1..].iter_mut().enumerate() {
        *e = super::ctype::class(c as i32);
    }
    t
}

/// The value of a configuration option as the simulated firmware has it:
/// the firmware's sdkconfig when one was given ([`crate::Options::sdkconfig`];
/// an option it lacks is a boolean that is off), else ESP-IDF's defaults.
/// The tick rate is always the kernel's, so the module's `pdMS_TO_TICKS`
/// and the scheduler agree.
fn config_value(h: &PcHost, option: &str) -> Option<u32> {
    if option == "FREERTOS_HZ" {
        return Some(h.k.tick_hz());
    }
    if let Some(c) = &h.sdkconfig {
        match c.get(option) {
            Some(espb_sys::Value::Bool(b)) => return Some(u32::from(*b)),
            Some(espb_sys::Value::Int(v)) => return Some(*v as u32),
            Some(espb_sys::Value::Hex(v)) => return Some(*v as u32),
            Some(espb_sys::Value::Str(_)) => {}
            None => return Some(default_config_value(option).unwrap_or(0)),
        }
    }
    default_config_value(option)
}

/// ESP-IDF's defaults for an ESP32-C3.
fn default_config_value(option: &str) -> Option<u32> {
    Some(match option {
        "FREERTOS_NUMBER_OF_CORES" => 1,
        "FREERTOS_MAX_TASK_NAME_LEN" => 16,
        "LOG_MAXIMUM_LEVEL" | "LOG_DEFAULT_LEVEL" => 3,
        "SOC_GPIO_PIN_COUNT" => 22,
        "SOC_LEDC_SUPPORT_HS_MODE" => 0,
        "SOC_LEDC_CHANNEL_NUM" => 6,
        "SOC_LEDC_TIMER_BIT_WIDTH" => 14,
        "SOC_UART_NUM" => 2,
        "SOC_SPI_PERIPH_NUM" => 2,
        _ => return None,
    })
}

fn alloc_bytes(ctx: &mut HostCtx<'_>, bytes: &[u8]) -> Option<u32> {
    let p = ctx.malloc(u32::try_from(bytes.len()).ok()?);
    if p == 0 {
        return None;
    }
    ctx.mem.slice_mut(p, bytes.len()).ok()?.copy_from_slice(bytes);
    Some(p)
}

/// Places the variable `name` in the module's memory and returns its address.
pub(crate) fn address(h: &mut PcHost, name: &str, ctx: &mut HostCtx<'_>) -> Option<u32> {
    if let Some(&a) = h.data.get(name) {
        return Some(a);
    }
    let addr = match name {
        "_impure_ptr" | "_global_impure_ptr" => {
            let reent = h.reent(ctx).ok()?;
            alloc_bytes(ctx, &reent.to_le_bytes())?
        }
        "_ctype_" => alloc_bytes(ctx, &ctype_table())?,
        "WIFI_EVENT" | "IP_EVENT" | "ETH_EVENT" => {
            let mut s = name.as_bytes().to_vec();
            s.push(0);
            let text = alloc_bytes(ctx, &s)?;
            alloc_bytes(ctx, &text.to_le_bytes())?
        }
        _ => {
            let option = name.strip_prefix("__espb_cfg_")?;
            alloc_bytes(ctx, &config_value(h, option)?.to_le_bytes())?
        }
    };
    h.data.insert(name.to_string(), addr);
    Some(addr)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctype_table_is_indexed_from_eof() {
        let t = ctype_table();
        assert_eq!(t[0], 0, "EOF is in no class");
        assert_eq!(t[1 + b'5' as usize], 0o4, "digit");
        assert_eq!(t[1 + b'a' as usize], 0o2 | 0o100, "lower hex letter");
        assert_eq!(t[1 + 200], 0);
    }
}
