//! Bare-metal firmware for `qemu-system-riscv32 -machine virt -bios none
//! -icount shift=0`: runs each benchmark kernel (the table build.rs
//! generates) once to warm up and once counted, as native rv32imc code,
//! in the espb runtime and in wasm3, each engine compiled in by its
//! feature. Prints one line per measurement on the UART, which
//! `espb-bench --qemu` parses:
//!
//! ```text
//! run <kernel> <engine> <result> <retired instructions>
//! na <kernel> <engine> <why>
//! ram <kernel> <engine> <module> <instance> <call> <memory> <stack>
//! ```
//!
//! `ram` (bytes): the heap the decoded module takes, what instantiation
//! adds (linear memory, register file, frames), the most the call adds on
//! top, the instance's linear memory alone, and the deepest native stack
//! the counted call used. Exit code through the SiFive test device.
#![no_std]
#![no_main]

extern crate alloc;

use core::cell::Cell;
use core::ffi::CStr;
use core::fmt::Write;

struct Kernel {
    name: &'static str,
    #[cfg_attr(not(feature = "wasm3"), allow(dead_code))]
    export: &'static CStr,
    arg: i32,
    expect: u32,
    warm: i32,
    #[cfg_attr(not(feature = "native"), allow(dead_code))]
    native: Option<unsafe extern "C" fn(i32) -> u32>,
    espb: Option<&'static [u8]>,
    wasm: Option<&'static [u8]>,
}

include!(concat!(env!("OUT_DIR"), "/kernels.rs"));

// ---- boot, UART, exit --------------------------------------------------------

#[cfg(target_arch = "riscv32")]
core::arch::global_asm!(
    r#"
    .section .text.start, "ax"
    .global _start
_start:
    la sp, _stack_top
    la t0, _bss_start
    la t1, _bss_end
1:  bgeu t0, t1, 2f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 1b
2:  call firmware_main
3:  j 3b
"#
);

/// The virt machine's 16550 UART (THR at +0, LSR at +5) and SiFive test
/// finisher.
const UART: usize = 0x1000_0000;
const FINISHER: usize = 0x10_0000;

struct Uart;
impl Write for Uart {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for b in s.bytes() {
            // SAFETY: MMIO registers of the virt machine's UART.
            unsafe {
                while core::ptr::read_volatile((UART + 5) as *const u8) & 0x20 == 0 {}
                core::ptr::write_volatile(UART as *mut u8, b);
            }
        }
        Ok(())
    }
}

macro_rules! say {
    ($($t:tt)*) => {{ let _ = writeln!(Uart, $($t)*); }};
}

fn exit(code: u32) -> ! {
    let v = if code == 0 { 0x5555 } else { (code << 16) | 0x3333 };
    // SAFETY: writing the finisher ends QEMU.
    unsafe { core::ptr::write_volatile(FINISHER as *mut u32, v) };
    loop {
        core::hint::spin_loop();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    say!("panic {info}");
    exit(101)
}

// ---- counters --------------------------------------------------------------

/// Retired instructions so far (minstret, exact under `-icount shift=0`).
#[inline(always)]
fn instret() -> u64 {
    #[cfg(target_arch = "riscv32")]
    loop {
        let (hi, lo, hi2): (u32, u32, u32);
        // SAFETY: reading machine-mode counters; the firmware runs in M-mode.
        unsafe {
            core::arch::asm!("csrr {0}, minstreth", "csrr {1}, minstret", "csrr {2}, minstreth",
                out(reg) hi, out(reg) lo, out(reg) hi2, options(nomem, nostack));
        }
        if hi == hi2 {
            return (u64::from(hi) << 32) | u64::from(lo);
        }
    }
    #[cfg(not(target_arch = "riscv32"))]
    0
}

/// Instructions `f` retires, less the cost of reading the counter.
fn count<R>(f: impl FnOnce() -> R) -> (R, u64) {
    let empty = {
        let a = instret();
        let b = instret();
        b - a
    };
    let a = instret();
    let r = core::hint::black_box(f());
    let b = instret();
    (r, (b - a).saturating_sub(empty))
}

const STACK_PAINT: u32 = 0x5afe_57ac;

unsafe extern "C" {
    static mut _stack_bottom: u32;
}

fn stack_pointer() -> usize {
    #[cfg(target_arch = "riscv32")]
    {
        let sp: usize;
        // SAFETY: reads sp.
        unsafe { core::arch::asm!("mv {0}, sp", out(reg) sp, options(nomem, nostack)) };
        sp
    }
    #[cfg(not(target_arch = "riscv32"))]
    0
}

/// Paints the free stack well below the caller's frame; returns the
/// caller's stack pointer, from which [`stack_used`] measures.
#[inline(always)]
fn paint_stack() -> usize {
    let sp = stack_pointer();
    let top = sp - 256; // clear of the painting loop's own frame
    let mut p = &raw mut _stack_bottom as usize;
    while p < top {
        // SAFETY: between the stack's bottom and (below) the live frames.
        unsafe { (p as *mut u32).write_volatile(STACK_PAINT) };
        p += 4;
    }
    sp
}

/// Bytes below `sp` (from [`paint_stack`]) that the run since overwrote:
/// the deepest the stack went (at least 256 bytes when it went at all).
fn stack_used(sp: usize) -> usize {
    let top = sp - 256;
    let mut p = &raw mut _stack_bottom as usize;
    // SAFETY: the painted region.
    while p < top && unsafe { (p as *const u32).read_volatile() } == STACK_PAINT {
        p += 4;
    }
    sp - p
}

// ---- heap: a bump allocator that tracks bytes in use and their peak --------

struct Heap {
    next: Cell<usize>,
    in_use: Cell<usize>,
    peak: Cell<usize>,
}
// SAFETY: one hart, no interrupts.
unsafe impl Sync for Heap {}

const ARENA: usize = 64 << 20;
static mut ARENA_BYTES: [u8; ARENA] = [0; ARENA];

unsafe impl core::alloc::GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: core::alloc::Layout) -> *mut u8 {
        let base = &raw mut ARENA_BYTES as usize;
        let start = (base + self.next.get()).next_multiple_of(layout.align());
        if start + layout.size() > base + ARENA {
            return core::ptr::null_mut();
        }
        self.next.set(start + layout.size() - base);
        self.in_use.set(self.in_use.get() + layout.size());
        self.peak.set(self.peak.get().max(self.in_use.get()));
        start as *mut u8
    }
    unsafe fn dealloc(&self, _: *mut u8, layout: core::alloc::Layout) {
        self.in_use.set(self.in_use.get() - layout.size());
    }
}

#[global_allocator]
static HEAP: Heap = Heap { next: Cell::new(0), in_use: Cell::new(0), peak: Cell::new(0) };

impl Heap {
    /// Bytes in use now; the peak restarts from here.
    fn mark(&self) -> usize {
        self.peak.set(self.in_use.get());
        self.in_use.get()
    }
}

/// What one engine did on one kernel.
struct Run {
    result: u32,
    instructions: u64,
    /// module, instance, call, memory (see the crate docs); not for native.
    ram: Option<[usize; 4]>,
    stack: usize,
}

type Outcome = Result<Run, alloc::string::String>;

/// Runs one kernel on one engine; `None` when the engine is not built in
/// or the kernel's module did not build.
type Engine = fn(&Kernel) -> Option<Outcome>;

fn native(k: &Kernel) -> Option<Outcome> {
    let f = k.native?;
    // SAFETY: the kernels take an int and touch only their own statics.
    unsafe { f(k.warm) };
    let top = paint_stack();
    let (result, instructions) = count(|| unsafe { f(k.arg) });
    Some(Ok(Run { result, instructions, ram: None, stack: stack_used(top) }))
}

#[cfg(feature = "espb")]
fn espb(k: &Kernel) -> Option<Outcome> {
    use alloc::string::ToString;
    use espb_runtime::native::DeviceHost;
    use espb_runtime::symtab::Registry;
    use espb_runtime::{Config, Instance};
    let bytes = k.espb?;
    Some((|| {
        let before = HEAP.mark();
        let module = espb_runtime::load(bytes).map_err(|e| e.to_string())?;
        let loaded = HEAP.mark();
        let func = module.find_function(k.name_export()).ok_or("no such function")?;
        // As on a device: the device host (real native calls; the kernels
        // import nothing, so no tables) and linear memory at its native
        // address.
        let host = DeviceHost::new(Registry::new(), &module);
        let config = Config { native_memory: true, ..Config::default() };
        let mut inst = Instance::new(module, host, config).map_err(|e| e.to_string())?;
        let memory = inst.memory().len();
        let warm = |inst: &mut Instance<DeviceHost<'_>>, n: i32| match inst.call(func, &[u64::from(n as u32)]) {
            Ok(Some(v)) => Ok(v as u32),
            Ok(None) => Err("the kernel returned nothing".to_string()),
            Err(t) => Err(inst.describe(&t)),
        };
        warm(&mut inst, k.warm)?;
        let ready = HEAP.mark();
        let top = paint_stack();
        let (result, instructions) = count(|| warm(&mut inst, k.arg));
        let stack = stack_used(top);
        let call = HEAP.peak.get() - ready;
        Ok(Run { result: result?, instructions, ram: Some([loaded - before, ready - loaded, call, memory]), stack })
    })())
}

#[cfg(not(feature = "espb"))]
fn espb(_: &Kernel) -> Option<Outcome> {
    None
}

impl Kernel {
    /// `bench_<name>` as text.
    #[cfg_attr(not(feature = "espb"), allow(dead_code))]
    fn name_export(&self) -> &str {
        self.export.to_str().unwrap_or("")
    }
}

#[cfg(feature = "wasm3")]
mod wasm3;

#[cfg(feature = "wasm3")]
fn wasm3(k: &Kernel) -> Option<Outcome> {
    let bytes = k.wasm?;
    Some((|| {
        let before = HEAP.mark();
        let m = wasm3::Loaded::new(bytes, k.export)?;
        m.call(k.warm)?;
        let ready = HEAP.mark();
        let top = paint_stack();
        let (result, instructions) = count(|| m.call(k.arg));
        let stack = stack_used(top);
        let call = HEAP.peak.get() - ready;
        // wasm3 keeps the parsed module in its runtime: module and instance
        // are one figure (reported as the instance).
        Ok(Run { result: result?, instructions, ram: Some([0, ready - before, call, m.memory_size()]), stack })
    })())
}

#[cfg(not(feature = "wasm3"))]
fn wasm3(_: &Kernel) -> Option<Outcome> {
    None
}

#[unsafe(no_mangle)]
pub extern "C" fn firmware_main() -> ! {
    let mut bad = 0;
    let engines: [(&str, Engine); 3] = [("native", native), ("espb", espb), ("wasm3", wasm3)];
    let mut ran = 0;
    for k in KERNELS {
        for (engine, run) in engines {
            match run(k) {
                None => {}
                Some(Err(e)) => {
                    say!("na {} {engine} {e}", k.name);
                    bad += 1;
                }
                Some(Ok(r)) => {
                    ran += 1;
                    say!("run {} {engine} {} {}", k.name, r.result, r.instructions);
                    if let Some([m, i, c, mem]) = r.ram {
                        say!("ram {} {engine} {m} {i} {c} {mem} {}", k.name, r.stack);
                    }
                    if r.result != k.expect {
                        bad += 1;
                    }
                }
            }
        }
    }
    // A build without engines (the footprint baseline) still keeps the
    // modules it embeds and the heap, so only the engine differs between
    // builds.
    let embedded: usize = KERNELS.iter().map(|k| k.espb.map_or(0, <[u8]>::len) + k.wasm.map_or(0, <[u8]>::len)).sum();
    let checksum = KERNELS
        .iter()
        .flat_map(|k| k.espb.into_iter().chain(k.wasm))
        .flat_map(|m| m.iter())
        .fold(0u32, |h, &b| h.wrapping_mul(31).wrapping_add(u32::from(core::hint::black_box(b))));
    // The arena too, so every build's .bss holds it (it is only referenced
    // through the allocator otherwise).
    let arena = core::hint::black_box(&raw const ARENA_BYTES) as usize;
    say!("done {ran} runs, {embedded} module bytes ({checksum:#x}), heap at {arena:#x}");
    exit(if bad == 0 { 0 } else { 1 })
}
