//! Bare-metal firmware for `qemu-system-riscv32 -machine virt -bios none`:
//! runs tests/qemu/app/main.c (built to .espb by the driver test) in
//! espb-runtime with a [`DeviceHost`], so every import is a real call of a
//! native below (or of natives.c, C variadic and float-heavy functions)
//! under the target's ABI: ilp32 for riscv32imc, ilp32f (f32 in fa0..fa7)
//! for riscv32imafc. Output goes to the 16550 UART; the exit code to the
//! SiFive test device.
//!
//! The word at [`MODE_WORD`] (0 unless QEMU is told otherwise, e.g.
//! `-device loader,addr=0x84000000,data=1,data-len=4`) selects what runs:
//! 0 the module above (in the scheduler's `main` task), 1 the scheduler's
//! own test ([`rtos_demo`]: native tasks on the small preemptive FreeRTOS
//! stand-in of [`rtos`], which exports the FreeRTOS and esp_timer functions
//! modules and the runtime's FreeRTOS `Os` call), 2 and 3 a module QEMU
//! loads into RAM, run on that scheduler as an app that lives on, through
//! the Rust API (2) or the C API (3) ([`apps`]); 4 measures what a callback
//! costs ([`apps::measure`]); 5 runs the live-push loader on the UART
//! ([`push`]).
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::{String, ToString};
use core::ffi::{CStr, c_char};
use core::fmt::Write;
use espb_runtime::native::{Abi, DeviceHost};
use espb_runtime::symtab::{Registry, SymbolTable};
use espb_runtime::{Config, Instance};

include!(concat!(env!("OUT_DIR"), "/espb_symtab_custom.rs"));
// The standard table, with the slots of what this firmware provides.
include!(concat!(env!("OUT_DIR"), "/espb_symtab_idf.rs"));

static APP: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/app.espb"));

// ---- boot -----------------------------------------------------------------

// Float instructions trap until mstatus.FS leaves Off; build.rs sets
// `qemu_fpu` for the targets with the F extension.
#[cfg(qemu_fpu)]
macro_rules! fpu_on {
    () => {
        "li t0, 0x2000\n    csrs mstatus, t0\n" // FS = Initial
    };
}
#[cfg(not(qemu_fpu))]
macro_rules! fpu_on {
    () => {
        ""
    };
}

#[cfg(target_arch = "riscv32")]
core::arch::global_asm!(concat!(
    r#"
    .section .text.start, "ax"
    .global _start
_start:
    la sp, _stack_top
    "#,
    fpu_on!(),
    r#"
    la t0, _sbss
    la t1, _ebss
1:  bgeu t0, t1, 2f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 1b
2:  call rust_main
3:  j 3b
"#
));

// ---- UART (16550 at 0x1000_0000) and exit (SiFive test at 0x10_0000) -------

const UART: usize = 0x1000_0000;
const FINISHER: usize = 0x10_0000;

fn put_byte(b: u8) {
    // SAFETY: MMIO registers of the virt machine's 16550: LSR at +5 (bit 5:
    // transmit holding register empty), THR at +0.
    unsafe {
        while core::ptr::read_volatile((UART + 5) as *const u8) & 0x20 == 0 {}
        core::ptr::write_volatile(UART as *mut u8, b);
    }
}

struct Uart;
impl Write for Uart {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        s.bytes().for_each(put_byte);
        Ok(())
    }
}

// A line is written with interrupts masked, so tasks' lines never mix.
macro_rules! println {
    ($($t:tt)*) => {{ $crate::rtos::port::critical(|| { let _ = writeln!($crate::Uart, $($t)*); }) }};
}
macro_rules! print {
    ($($t:tt)*) => {{ $crate::rtos::port::critical(|| { let _ = write!($crate::Uart, $($t)*); }) }};
}

mod apps;
mod idf;
mod push;
mod rtos;
mod rtos_demo;

fn exit(code: u32) -> ! {
    // SAFETY: the 16550's LSR; bit 6: transmitter empty (the last byte
    // left, so ending QEMU loses none).
    while unsafe { core::ptr::read_volatile((UART + 5) as *const u8) } & 0x40 == 0 {}
    let v = if code == 0 { 0x5555 } else { (code << 16) | 0x3333 };
    // SAFETY: the virt machine's SiFive test finisher; writing ends QEMU.
    unsafe { core::ptr::write_volatile(FINISHER as *mut u32, v) };
    loop {
        core::hint::spin_loop();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    println!("PANIC: {info}");
    exit(101)
}

// ---- heap ---------------------------------------------------------------------

mod heap;

#[global_allocator]
static HEAP: heap::Heap = heap::Heap::new();

// ---- natives (the `custom` table: app/custom.espbsym) ----------------------

/// # Safety
/// `s` must be a NUL-terminated string.
unsafe fn c_str<'a>(s: *const c_char) -> &'a str {
    // SAFETY: caller's contract.
    unsafe { CStr::from_ptr(s) }.to_str().unwrap_or("<not utf-8>")
}

#[unsafe(no_mangle)]
pub extern "C" fn print_i32(v: i32) {
    println!("print_i32: {v}");
}

/// # Safety
/// `s` must be a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn print_str(s: *const c_char) {
    // SAFETY: the module passes a pointer into its memory, at its native address.
    println!("print_str: {}", unsafe { c_str(s) });
}

#[unsafe(no_mangle)]
pub extern "C" fn sum6_i64(a: i32, b: i64, c: i32, d: i64, e: f64) -> i64 {
    println!("sum6_i64({a}, {b}, {c}, {d}, {e})");
    i64::from(a) + b + i64::from(c) + d + (e * 2.0) as i64
}

#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn spill_split(a: i32, b: i32, c: i32, d: i32, e: i32, f: i32, g: i32, h: i64, i: i32) -> i64 {
    println!("spill_split({a}, {b}, {c}, {d}, {e}, {f}, {g}, {h:#x}, {i})");
    [a, b, c, d, e, f, g, i].iter().map(|&v| i64::from(v)).sum::<i64>() + h
}

#[unsafe(no_mangle)]
pub extern "C" fn mix_f32(x: f32, k: i32, y: f64) -> f32 {
    println!("mix_f32({x}, {k}, {y})");
    x * k as f32 + y as f32
}

#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn stack_i64(
    a: i32,
    b: i32,
    c: i32,
    d: i32,
    e: i32,
    f: i32,
    g: i32,
    h: i32,
    i: i32,
    j: i64,
    k: f64,
) -> f64 {
    println!("stack_i64({a}, {b}, {c}, {d}, {e}, {f}, {g}, {h}, {i}, {j}, {k})");
    f64::from(a + b + c + d + e + f + g + h + i) + j as f64 + k
}

/// Ten floats, then an int, a double and a float: under ilp32f a..h in
/// fa0..fa7, i and j in a0/a1, k in a2, m in a3:a4, n in a5; under ilp32
/// a..h in a0..a7 and the rest on the stack.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn many_f32(
    a: f32,
    b: f32,
    c: f32,
    d: f32,
    e: f32,
    f: f32,
    g: f32,
    h: f32,
    i: f32,
    j: f32,
    k: i32,
    m: f64,
    n: f32,
) -> f32 {
    println!("many_f32({a}, {b}, {c}, {d}, {e}, {f}, {g}, {h}, {i}, {j}, {k}, {m}, {n})");
    a + b + c + d + e + f + g + h + i + j + k as f32 + m as f32 + n
}

/// # Safety
/// `out` must be valid for `n` bytes of writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn fill_buf(out: *mut u8, n: i32) -> i32 {
    for i in 0..n.max(0) as usize {
        // SAFETY: caller's contract (the module's own buffer).
        unsafe { out.add(i).write(b'a' + i as u8) };
    }
    n
}

/// A string that lives in firmware memory, not the module's: the module
/// reads it through its firmware window.
#[unsafe(no_mangle)]
pub extern "C" fn fw_greeting() -> *const c_char {
    c"firmware says hi".as_ptr()
}

// Formatting helpers for natives.c's `vprint`.
#[unsafe(no_mangle)]
pub extern "C" fn qemu_put_char(c: i32) {
    put_byte(c as u8);
}
/// # Safety
/// `s` must be a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qemu_put_str(s: *const c_char) {
    // SAFETY: caller's contract.
    print!("{}", unsafe { c_str(s) });
}
#[unsafe(no_mangle)]
pub extern "C" fn qemu_put_i64(v: i64) {
    print!("{v}");
}
#[unsafe(no_mangle)]
pub extern "C" fn qemu_put_f64(v: f64) {
    print!("{v}");
}

/// printf's `%.<precision>f`, into `buf` (at most `cap` bytes, no NUL);
/// returns the length.
///
/// # Safety
/// `buf` must be valid for `cap` bytes of writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn qemu_fmt_f64(buf: *mut u8, cap: i32, v: f64, precision: i32) -> i32 {
    struct Buf<'a>(&'a mut [u8], usize);
    impl Write for Buf<'_> {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let n = s.len().min(self.0.len() - self.1);
            self.0[self.1..self.1 + n].copy_from_slice(&s.as_bytes()[..n]);
            self.1 += n;
            Ok(())
        }
    }
    // SAFETY: caller's contract.
    let mut b = Buf(unsafe { core::slice::from_raw_parts_mut(buf, cap.max(0) as usize) }, 0);
    let _ = write!(b, "{v:.*}", precision.clamp(0, 30) as usize);
    b.1 as i32
}

// ---- main ------------------------------------------------------------------

/// The firmware's symbol tables (`custom` and `idf`), as a registry.
pub fn registry() -> Registry<'static> {
    let mut tables = Registry::new();
    for table in [
        SymbolTable::new(
            espb_symtab_custom::NAME,
            addresses(&espb_symtab_custom::ENTRIES),
            &espb_symtab_custom::PREFIX_HASHES,
        )
        .with_signatures(&espb_symtab_custom::SIG_INDEX, &espb_symtab_custom::SIGS),
        SymbolTable::new(espb_symtab_idf::NAME, addresses(&espb_symtab_idf::ENTRIES), &espb_symtab_idf::PREFIX_HASHES)
            .with_signatures(&espb_symtab_idf::SIG_INDEX, &espb_symtab_idf::SIGS),
    ] {
        tables.register(table).expect("the firmware's tables are consistent and distinct");
    }
    tables
}

/// A generated table's slots as the addresses a registry wants.
fn addresses<T: Copy>(slots: &'static [T]) -> &'static [usize] {
    const { assert!(size_of::<T>() == size_of::<usize>()) };
    // SAFETY: a generated `Slot` is a `#[repr(transparent)]` pointer, laid
    // out as a usize; the statics are never written.
    unsafe { core::slice::from_raw_parts(slots.as_ptr().cast::<usize>(), slots.len()) }
}

/// For capi_app.c: the `idf` table as C's `espb_symtab_t`.
#[unsafe(no_mangle)]
pub extern "C" fn qemu_idf_symtab() -> *const espb_symtab_idf::Symtab {
    &espb_symtab_idf::SYMTAB
}

/// How modules are configured here: memory at its native address, and no
/// firmware region granted, as the templates do: a module reaches its data
/// imports and what natives return as far as the tables size them.
pub fn app_config() -> Config {
    Config { native_memory: true, ..Config::default() }
}

/// `bytes` loaded and instantiated against the firmware's tables.
fn instantiate(bytes: &[u8]) -> Result<Instance<DeviceHost<'static>>, String> {
    let module = espb_runtime::load(bytes).map_err(|e| e.to_string())?;
    let host = DeviceHost::new(registry(), &module);
    Instance::new(module, host, app_config()).map_err(|e| e.to_string())
}

fn run() -> Result<i32, String> {
    let mut inst = instantiate(APP)?;
    let native = HEAP.range().contains(&(inst.memory().base() as usize));
    println!("module memory at its native address: {}", if native { "yes" } else { "NO" });
    let main = inst.module().find_function("main").ok_or("no main")?;
    match inst.call(main, &[]) {
        Ok(v) => Ok(v.unwrap_or(0) as u32 as i32),
        Err(t) => Err(inst.describe(&t)),
    }
}

/// Modes 2 and 3: where QEMU's loader put a module (`-device
/// loader,file=M.espb,addr=0x85000000,force-raw=on`), its length in the
/// word after the mode word, and how long to let it run (ms of virtual time
/// after the load; 0: until it ends by itself) in the next.
const MODULE_ADDR: usize = 0x8500_0000;

/// The loaded module and how long to run it.
pub fn loaded_module() -> (&'static [u8], u32) {
    // SAFETY: the words after the mode word, written by QEMU's loader.
    let (len, run_for_ms) = unsafe {
        (
            core::ptr::read_volatile((MODE_WORD + 4) as *const u32),
            core::ptr::read_volatile((MODE_WORD + 8) as *const u32),
        )
    };
    // SAFETY: RAM QEMU's loader filled with the module's bytes (outside the
    // image, the heap and the stacks), never written.
    (unsafe { core::slice::from_raw_parts(MODULE_ADDR as *const u8, len as usize) }, run_for_ms)
}

fn run_with_rust_api() {
    let (bytes, run_for_ms) = loaded_module();
    apps::run(bytes, run_for_ms, false);
}

fn run_with_c_api() {
    let (bytes, run_for_ms) = loaded_module();
    apps::run(bytes, run_for_ms, true);
}

fn measure_callbacks() {
    apps::measure(loaded_module().0);
}

unsafe extern "C" {
    /// capi_test.c: runs the module through the C API (espb-capi) with the
    /// generated C table; 0 when every outcome is the expected one.
    fn capi_test(module: *const u8, len: u32) -> i32;
}

/// The firmware mode (see the crate docs): outside the image and the 32 MiB
/// it links into, below QEMU's device tree near the top of RAM.
const MODE_WORD: usize = 0x8400_0000;

#[unsafe(no_mangle)]
pub extern "C" fn rust_main() -> ! {
    rtos::port::install_trap_handler();
    let abi = Abi::NATIVE.map_or("none", Abi::name);
    println!("espb-runtime on riscv32 (qemu virt), native calls: {abi}");
    // SAFETY: RAM of the virt machine, written only by QEMU's loader.
    match unsafe { core::ptr::read_volatile(MODE_WORD as *const u32) } {
        0 => rtos::sched::start(run_embedded_module, 64 << 10),
        1 => rtos_demo::run(),
        2 => rtos::sched::start(run_with_rust_api, 64 << 10),
        3 => rtos::sched::start(run_with_c_api, 64 << 10),
        4 => rtos::sched::start(measure_callbacks, 64 << 10),
        5 => rtos::sched::start(push::run, 64 << 10),
        m => {
            println!("FAILED: unknown firmware mode {m}");
            exit(3)
        }
    }
}

/// Mode 0, in the scheduler's `main` task (as ESP-IDF runs app_main): the
/// embedded module through the Rust API, then through the C API.
fn run_embedded_module() {
    match run() {
        Ok(v) => println!("main returned {v}"),
        Err(e) => {
            println!("FAILED: {e}");
            exit(1)
        }
    }
    // SAFETY: the module's bytes and length; capi_test only reads them.
    let bad = unsafe { capi_test(APP.as_ptr(), APP.len() as u32) };
    if bad != 0 {
        println!("FAILED: the C API run");
        exit(2)
    }
    exit(0)
}

// The C API (espb_run_with, ...) is called from capi_test.c: keep the crate.
use espb_capi as _;
