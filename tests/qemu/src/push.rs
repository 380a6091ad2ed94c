//! Mode 5: the live-push loader on the UART, as a firmware wires it
//! (espb-runtime's `push::Loader`): the module partition is 64 KiB of RAM
//! at [`FLASH_ADDR`] (QEMU's loader fills it with what `cargo espb flash
//! --module` would have written), the loader boots its last good slot and
//! then reads the UART in the `main` task, feeding it every byte; pushed
//! modules replace the running one without a reset. Modules run as apps
//! (the Rust API), their entry on this task.

use crate::rtos::sched::{vTaskDelay, xTaskGetTickCount};
use crate::rtos::{TICK_RATE_HZ, port};
use crate::{UART, put_byte};
use alloc::string::{String, ToString};
use core::fmt::Write;
use espb_runtime::TableRef;
use espb_runtime::app::{App, AppStatus};
use espb_runtime::native::DeviceHost;
use espb_runtime::push::{Firmware, Loader, LoaderConfig, RamFlash, check_tables};

/// Where the simulated module partition lives, and its size.
const FLASH_ADDR: usize = 0x8600_0000;
const FLASH_SIZE: usize = 64 * 1024;
/// A pushed module that fails within this time is rolled back.
const TRIAL_MS: u32 = 1000;

struct Qemu {
    app: Option<App<DeviceHost<'static>>>,
}

impl Firmware for Qemu {
    fn now_ms(&self) -> u64 {
        u64::from(xTaskGetTickCount()) * u64::from(1000 / TICK_RATE_HZ)
    }

    fn send(&mut self, frame: &[u8]) {
        // In one piece: no module line lands inside a frame.
        port::critical(|| frame.iter().copied().for_each(put_byte));
    }

    fn log(&mut self, line: core::fmt::Arguments<'_>) {
        println!("{line}");
    }

    fn check_tables(&self, tables: &[TableRef]) -> Result<(), String> {
        check_tables(&crate::registry(), tables)
    }

    fn stop(&mut self) {
        if let Some(app) = self.app.take() {
            app.unload();
        }
    }

    fn start(&mut self, module: &[u8]) -> Result<(), String> {
        let app = crate::apps::load(module).map_err(|e| e.to_string())?;
        app.start("app_main").map_err(|e| e.to_string())?;
        self.app = Some(app);
        Ok(())
    }

    fn failure(&mut self) -> Option<String> {
        let app = self.app.as_ref()?;
        match app.status() {
            AppStatus::Trapped => Some(app.last_trap().unwrap_or_else(|| "trapped".into())),
            AppStatus::Exited(c) => Some(alloc::format!("the module called exit({c})")),
            _ => None,
        }
    }
}

/// A byte from the UART, if one is waiting (16550: LSR bit 0, RBR at +0).
fn get_byte() -> Option<u8> {
    // SAFETY: MMIO registers of the virt machine's 16550.
    unsafe {
        (core::ptr::read_volatile((UART + 5) as *const u8) & 1 != 0)
            .then(|| core::ptr::read_volatile(UART as *const u8))
    }
}

/// The `main` task of mode 5.
pub fn run() {
    // SAFETY: the 16550's FCR: FIFO on and cleared, so QEMU hands over 16
    // bytes at a time instead of one.
    unsafe { core::ptr::write_volatile((UART + 2) as *mut u8, 0x07) };
    // SAFETY: RAM of the virt machine outside the image, the heap and the
    // stacks, filled by QEMU's loader and used by nothing else.
    let bytes = unsafe { core::slice::from_raw_parts_mut(FLASH_ADDR as *mut u8, FLASH_SIZE) };
    let config = LoaderConfig { trial_ms: TRIAL_MS, idle_timeout_ms: 2000 };
    let mut loader = match Loader::new(RamFlash { bytes, sector: 4096 }, config) {
        Ok(l) => l,
        Err(e) => {
            println!("FAILED: {e}");
            crate::exit(1)
        }
    };
    let mut fw = Qemu { app: None };
    loader.boot(&mut fw);
    println!("loader: ready");
    let mut buf = [0u8; 64];
    let mut idle = 0u32;
    loop {
        let mut n = 0;
        while n < buf.len()
            && let Some(b) = get_byte()
        {
            buf[n] = b;
            n += 1;
        }
        if n > 0 {
            loader.feed(&buf[..n], &mut fw);
            idle = 0;
        }
        loader.poll(&mut fw);
        // Bytes come in bursts of a FIFO's worth: keep looking for a
        // while before sleeping a tick.
        idle += 1;
        if idle > 2000 {
            vTaskDelay(1);
            idle = 0;
        }
    }
}
