//! Bare-metal firmware for `qemu-system-riscv32 -machine virt -bios none`:
//! runs tests/qemu/app/main.c (built to .espb by the driver test) in
//! espb-runtime with a [`DeviceHost`], so every import is a real call of a
//! native below (or of natives.c, C variadic and float-heavy functions)
//! under the target's ABI: ilp32 for riscv32imc, ilp32f (f32 in fa0..fa7)
//! for riscv32imafc. Output goes to the 16550 UART; the exit code to the
//! SiFive test device.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::boxed::Box;
use core::cell::{Cell, UnsafeCell};
use core::ffi::{CStr, c_char};
use core::fmt::Write;
use espb_runtime::FirmwareWindows;
use espb_runtime::native::{Abi, DeviceHost};
use espb_runtime::symtab::{Registry, SymbolTable};
use espb_runtime::{Config, Instance};

include!(concat!(env!("OUT_DIR"), "/espb_symtab_custom.rs"));

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

macro_rules! println {
    ($($t:tt)*) => {{ let _ = writeln!(Uart, $($t)*); }};
}
macro_rules! print {
    ($($t:tt)*) => {{ let _ = write!(Uart, $($t)*); }};
}

fn exit(code: u32) -> ! {
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

// ---- heap: a bump allocator over a static array (frees are dropped) -------

struct Bump {
    arena: UnsafeCell<[u8; 4 << 20]>,
    next: Cell<usize>,
}
// SAFETY: one hart, no interrupts: never accessed concurrently.
unsafe impl Sync for Bump {}

unsafe impl core::alloc::GlobalAlloc for Bump {
    unsafe fn alloc(&self, layout: core::alloc::Layout) -> *mut u8 {
        let base = self.arena.get() as usize;
        let start = (base + self.next.get()).next_multiple_of(layout.align());
        let end = start + layout.size();
        if end > base + (4 << 20) {
            return core::ptr::null_mut();
        }
        self.next.set(end - base);
        start as *mut u8
    }
    unsafe fn dealloc(&self, _: *mut u8, _: core::alloc::Layout) {}
}

#[global_allocator]
static HEAP: Bump = Bump { arena: UnsafeCell::new([0; 4 << 20]), next: Cell::new(0) };

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

// ---- main ------------------------------------------------------------------

/// The virt machine's RAM (128 MiB at 0x8000_0000), as QEMU is started here.
const RAM: (u32, u32) = (0x8000_0000, 0x8800_0000);

fn run() -> Result<i32, alloc::string::String> {
    use alloc::string::ToString;
    let module = espb_runtime::load(APP).map_err(|e| e.to_string())?;
    // The registry wants the slots' addresses, for as long as it lives.
    let entries: &'static [usize] = Box::leak(Box::new(espb_symtab_custom::addresses()));
    let mut tables = Registry::new();
    tables
        .register(SymbolTable {
            name: espb_symtab_custom::NAME,
            entries,
            prefix_hashes: &espb_symtab_custom::PREFIX_HASHES,
        })
        .map_err(|e| e.to_string())?;
    let host = DeviceHost::new(tables, &module);
    // SAFETY: all of the virt machine's RAM belongs to this firmware, and it
    // lets the module reach it (strings and data natives hand out).
    let firmware_windows = unsafe { FirmwareWindows::new(&[RAM]) };
    let config = Config { native_memory: true, firmware_windows, ..Config::default() };
    let mut inst = Instance::new(module, host, config).map_err(|e| e.to_string())?;
    let base = inst.memory().base() as usize;
    let arena = HEAP.arena.get() as usize;
    let native = base >= arena && base < arena + (4 << 20);
    println!("module memory at its native address: {}", if native { "yes" } else { "NO" });
    let main = inst.module().find_function("main").ok_or("no main")?;
    match inst.call(main, &[]) {
        Ok(v) => Ok(v.unwrap_or(0) as u32 as i32),
        Err(t) => Err(inst.describe(&t)),
    }
}

unsafe extern "C" {
    /// capi_test.c: runs the module through the C API (espb-capi) with the
    /// generated C table; 0 when every outcome is the expected one.
    fn capi_test(module: *const u8, len: u32) -> i32;
}

#[unsafe(no_mangle)]
pub extern "C" fn rust_main() -> ! {
    let abi = Abi::NATIVE.map_or("none", Abi::name);
    println!("espb-runtime on riscv32 (qemu virt), native calls: {abi}");
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
