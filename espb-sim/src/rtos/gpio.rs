//! GPIO (driver/gpio.h). Output level changes are printed as lines of the
//! simulator's own (`I (500) sim: GPIO2 = 1`); inputs read what the input
//! script drove them to (`--gpio-script`), else their pull resistor, else
//! 0 (an input-output pin reads back its output). A scripted change on a
//! pin with an interrupt type and a handler (`gpio_install_isr_service`,
//! `gpio_isr_handler_add`) calls the handler in (simulated) interrupt
//! context, which the runtime defers to a task. Level-triggered interrupts
//! fire once per change.

use super::{ESP_ERR_INVALID_ARG, ESP_ERR_INVALID_STATE, ESP_OK};
use crate::gpio_script::Input;
use crate::kernel::{Kernel, Service, World};
use crate::{Call, Native, PcHost, n, t};
use espb_runtime::{HostCtx, Trap};
use std::collections::{BTreeMap, VecDeque};

pub(crate) const NATIVES: &[Native] = &[
    n("gpio_config", config),
    n("gpio_reset_pin", reset_pin),
    n("gpio_set_level", set_level),
    n("gpio_get_level", get_level),
    n("gpio_set_direction", set_direction),
    n("gpio_set_pull_mode", set_pull_mode),
    n("gpio_pullup_en", pullup_en),
    n("gpio_pullup_dis", pullup_dis),
    n("gpio_pulldown_en", pulldown_en),
    n("gpio_pulldown_dis", pulldown_dis),
    n("gpio_set_intr_type", set_intr_type),
    n("gpio_intr_enable", intr_enable),
    n("gpio_intr_disable", intr_disable),
    n("gpio_install_isr_service", install_isr_service),
    n("gpio_uninstall_isr_service", uninstall_isr_service),
    t("gpio_isr_handler_add", isr_handler_add),
    t("gpio_isr_handler_remove", isr_handler_remove),
    n("gpio_set_drive_capability", accept),
    n("gpio_hold_en", accept),
    n("gpio_hold_dis", accept),
];

/// GPIO pins of the simulated chip (ESP32-C3, `SOC_GPIO_PIN_COUNT`).
pub(crate) const PIN_COUNT: u32 = 22;
/// `GPIO_MODE_DEF_INPUT`, `GPIO_MODE_DEF_OUTPUT`.
const MODE_INPUT: u32 = 1;
const MODE_OUTPUT: u32 = 2;

#[derive(Clone, Copy, Debug, Default)]
struct Pin {
    mode: u32,
    out: u32,
    /// Driven by the input script.
    input: Option<u32>,
    pull_up: bool,
    pull_down: bool,
    intr: u32,
    intr_enabled: bool,
    handler: Option<(u32, u32)>,
}

impl Pin {
    fn read(&self) -> u32 {
        if self.mode & MODE_INPUT == 0 {
            return 0;
        }
        match self.input {
            Some(v) => v,
            None if self.mode & MODE_OUTPUT != 0 => self.out,
            None => u32::from(self.pull_up && !self.pull_down),
        }
    }

    /// Whether a change from `old` to `new` raises this pin's interrupt.
    fn fires(&self, old: u32, new: u32) -> bool {
        let edge = match self.intr {
            1 => old == 0 && new == 1,
            2 => old == 1 && new == 0,
            3 => old != new,
            4 => new == 0 && old != new,
            5 => new == 1 && old != new,
            _ => false,
        };
        edge && self.intr_enabled && self.handler.is_some()
    }
}

#[derive(Default)]
pub(crate) struct Gpio {
    pins: BTreeMap<u32, Pin>,
    isr_service: bool,
    /// Scripted input changes still to come, in time order.
    pub script: VecDeque<Input>,
}

/// Starts the input task when a script drives the pins.
pub(crate) fn load_script(k: &'static Kernel, inputs: Vec<Input>) {
    let any = !inputs.is_empty();
    k.lock().rtos.gpio.script.extend(inputs);
    if any {
        start_input_task(k);
    }
}

pub(crate) fn start_input_task(k: &'static Kernel) {
    k.service(Service::Isr);
    k.service(Service::Gpio);
}

/// An input change from outside while running (real time, stdin): now,
/// or at its time.
pub(crate) fn input(k: &Kernel, input: Input) {
    let mut w = k.lock();
    let now = w.sync_clock();
    let at = input.at_us.unwrap_or(now);
    let script = &mut w.rtos.gpio.script;
    let i = script.iter().position(|x| x.at_us.unwrap_or(0) > at).unwrap_or(script.len());
    script.insert(i, Input { at_us: Some(at), ..input });
    let first = script.front().and_then(|x| x.at_us);
    w.retime_service(Service::Gpio, first);
    drop(w);
    k.poke();
}

/// The GPIO input task: applies script changes when due and raises their
/// interrupts.
pub(crate) fn service(k: &'static Kernel) {
    let next = |w: &mut World| {
        let now = w.now;
        let Some(&input) = w.rtos.gpio.script.front() else { return (None, None) };
        match input.at_us {
            Some(at) if at > now => (None, Some(at)),
            _ => {
                w.rtos.gpio.script.pop_front();
                (Some(input), None)
            }
        }
    };
    while let Ok(input) = k.wait_service(Service::Gpio, next) {
        let (pin, fire) = {
            let mut w = k.lock();
            let isr = w.rtos.gpio.isr_service;
            let pin = w.rtos.gpio.pins.entry(input.pin).or_default();
            let old = pin.read();
            pin.input = Some(input.level);
            let new = pin.read();
            let fire = pin.fires(old, new);
            (*pin, fire && isr)
        };
        let ms = k.now() / 1000;
        let line = crate::esp::log_line(3, ms, "sim", &format!("GPIO{} input = {}", input.pin, input.level), false);
        k.console.line(&line);
        if let (true, Some((f, arg))) = (fire, pin.handler) {
            Kernel::set_in_isr(true);
            super::callback(k, &format!("GPIO{} ISR handler", input.pin), f, &[u64::from(arg)]);
            Kernel::set_in_isr(false);
        }
    }
}

fn pin_arg(c: &Call<'_>) -> Result<Option<u32>, Trap> {
    let p = c.u32(0)?;
    Ok((p < PIN_COUNT).then_some(p))
}

/// Runs `f` on the pin of argument 0; `ESP_ERR_INVALID_ARG` for a pin the
/// chip does not have.
fn with_pin(h: &PcHost, c: &Call<'_>, f: impl FnOnce(&mut Pin)) -> Result<u64, Trap> {
    let Some(p) = pin_arg(c)? else { return Ok(ESP_ERR_INVALID_ARG) };
    f(h.k.lock().rtos.gpio.pins.entry(p).or_default());
    Ok(ESP_OK)
}

/// `gpio_config(const gpio_config_t *)`: `{ u64 pin_bit_mask, mode,
/// pull_up_en, pull_down_en, intr_type }`.
fn config(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let p = c.u32(0)?;
    if p == 0 {
        return Ok(ESP_ERR_INVALID_ARG);
    }
    let mask = u64::from(ctx.mem.read_u32(p)?) | u64::from(ctx.mem.read_u32(p + 4)?) << 32;
    let (mode, up, down, intr) =
        (ctx.mem.read_u32(p + 8)?, ctx.mem.read_u32(p + 12)?, ctx.mem.read_u32(p + 16)?, ctx.mem.read_u32(p + 20)?);
    if mask == 0 || mask >> PIN_COUNT != 0 {
        return Ok(ESP_ERR_INVALID_ARG);
    }
    let mut w = h.k.lock();
    for pin in (0..PIN_COUNT).filter(|i| mask & (1 << i) != 0) {
        let e = w.rtos.gpio.pins.entry(pin).or_default();
        e.mode = mode;
        e.pull_up = up != 0;
        e.pull_down = down != 0;
        e.intr = intr;
        e.intr_enabled = intr != 0;
    }
    Ok(ESP_OK)
}

fn reset_pin(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    with_pin(h, c, |p| *p = Pin { input: p.input, pull_up: true, ..Pin::default() })
}

/// `gpio_set_level(pin, level)`: an output whose level changes gets a line.
fn set_level(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let level = u32::from(c.u32(1)? != 0);
    let mut changed = false;
    let r = with_pin(h, c, |p| {
        changed = p.mode & MODE_OUTPUT != 0 && p.out != level;
        p.out = level;
    })?;
    if changed {
        h.sim_log(3, &format!("GPIO{} = {level}", c.u32(0)?));
    }
    Ok(r)
}

fn get_level(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let Some(p) = pin_arg(c)? else { return Ok(0) };
    Ok(u64::from(h.k.lock().rtos.gpio.pins.get(&p).map_or(0, Pin::read)))
}

fn set_direction(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mode = c.u32(1)?;
    with_pin(h, c, |p| p.mode = mode)
}

/// `gpio_set_pull_mode(pin, mode)`: GPIO_PULLUP_ONLY 0, PULLDOWN_ONLY 1,
/// PULLUP_PULLDOWN 2, FLOATING 3.
fn set_pull_mode(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mode = c.u32(1)?;
    with_pin(h, c, |p| {
        p.pull_up = matches!(mode, 0 | 2);
        p.pull_down = matches!(mode, 1 | 2);
    })
}

fn pullup_en(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    with_pin(h, c, |p| p.pull_up = true)
}

fn pullup_dis(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    with_pin(h, c, |p| p.pull_up = false)
}

fn pulldown_en(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    with_pin(h, c, |p| p.pull_down = true)
}

fn pulldown_dis(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    with_pin(h, c, |p| p.pull_down = false)
}

fn set_intr_type(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let intr = c.u32(1)?;
    with_pin(h, c, |p| p.intr = intr)
}

fn intr_enable(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    with_pin(h, c, |p| p.intr_enabled = true)
}

fn intr_disable(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    with_pin(h, c, |p| p.intr_enabled = false)
}

fn install_isr_service(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    start_input_task(h.k);
    let mut w = h.k.lock();
    Ok(if std::mem::replace(&mut w.rtos.gpio.isr_service, true) { ESP_ERR_INVALID_STATE } else { ESP_OK })
}

fn uninstall_isr_service(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mut w = h.k.lock();
    w.rtos.gpio.isr_service = false;
    for p in w.rtos.gpio.pins.values_mut() {
        p.handler = None;
    }
    Ok(0)
}

/// `gpio_isr_handler_add(pin, handler, arg)`: needs the ISR service.
fn isr_handler_add(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (f, arg) = (c.u32(1)?, c.u32(2)?);
    if !h.k.lock().rtos.gpio.isr_service {
        return Ok(ESP_ERR_INVALID_STATE);
    }
    with_pin(h, c, |p| p.handler = Some((f, arg)))
}

fn isr_handler_remove(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    with_pin(h, c, |p| p.handler = None)
}

/// Unload: the handler is removed.
pub(crate) fn remove_handler(k: &Kernel, pin: u32) {
    if let Some(p) = k.lock().rtos.gpio.pins.get_mut(&pin) {
        p.handler = None;
    }
}

/// Settings without an effect on a simulated pin.
fn accept(_: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(if pin_arg(c)?.is_some() { ESP_OK } else { ESP_ERR_INVALID_ARG })
}
