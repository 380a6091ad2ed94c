//! The hardware side of the scheduler: the trap entry that saves a task's
//! whole register context on its own stack and restores another one, the
//! virt machine's CLINT timer, and interrupt masking. Everything runs in
//! M-mode on the one hart.

use core::arch::{asm, global_asm};

/// CLINT of QEMU's virt machine: hart 0's `mtimecmp` and the free-running
/// `mtime`, which counts at 10 MHz of virtual time.
const MTIMECMP: usize = 0x0200_4000;
const MTIME: usize = 0x0200_bff8;
pub const MTIME_HZ: u64 = 10_000_000;

/// A saved context, in words from the saved stack pointer: `[0]` mepc,
/// `[1]` ra, `[2]` mstatus (sp itself is where the frame is), `[3..32]`
/// x3..x31; with the F extension `[32..64]` f0..f31 and `[64]` fcsr.
pub const FRAME_MEPC: usize = 0;
pub const FRAME_MSTATUS: usize = 2;
pub const FRAME_A0: usize = 10;
pub const FRAME_A1: usize = 11;
#[cfg(not(qemu_fpu))]
pub const FRAME_BYTES: usize = 128;
#[cfg(qemu_fpu)]
pub const FRAME_BYTES: usize = 272;

/// mstatus a task starts with: MPP = M (it stays in M-mode after `mret`),
/// MPIE (interrupts on once it runs), FS = Initial where there is an FPU.
#[cfg(not(qemu_fpu))]
pub const MSTATUS_TASK: usize = 0x1880;
#[cfg(qemu_fpu)]
pub const MSTATUS_TASK: usize = 0x1880 | 0x2000;

pub const MCAUSE_ECALL_M: usize = 11;
pub const MCAUSE_TIMER: usize = 0x8000_0007;

// The module-level assembler does not see the target's F extension:
// `.option arch` turns it on for these lines.
#[cfg(qemu_fpu)]
macro_rules! fpu_save {
    () => {
        r#"
    .option push
    .option arch, +f
    .irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    fsw f\r, 128+\r*4(sp)
    .endr
    frcsr t0
    sw t0, 256(sp)
    .option pop
"#
    };
}
#[cfg(qemu_fpu)]
macro_rules! fpu_restore {
    () => {
        r#"
    .option push
    .option arch, +f
    lw t0, 256(sp)
    fscsr t0
    .irp r, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    flw f\r, 128+\r*4(sp)
    .endr
    .option pop
"#
    };
}
#[cfg(not(qemu_fpu))]
macro_rules! fpu_save {
    () => {
        ""
    };
}
#[cfg(not(qemu_fpu))]
macro_rules! fpu_restore {
    () => {
        ""
    };
}

// The trap entry (mtvec, direct mode: every trap lands here). It saves the
// interrupted context on the current stack, runs `rtos_trap` on a stack of
// its own (so task stacks only need room for one frame) and restores the
// context whose stack pointer `rtos_trap` returns: a task switch is a
// different return value. `rtos_start_first` enters the first task through
// the same restore path. Traps cannot nest: the hart masks interrupts on
// entry and `mret` restores the task's own MIE from MPIE.
global_asm!(
    concat!(
        r#"
    .section .text.rtos_trap, "ax"
    .balign 4
    .global rtos_trap_entry
rtos_trap_entry:
    addi sp, sp, -{frame}
    sw ra, 4(sp)
    .irp r, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sw x\r, \r*4(sp)
    .endr
    csrr t0, mepc
    sw t0, 0(sp)
    csrr t0, mstatus
    sw t0, 8(sp)
"#,
        fpu_save!(),
        r#"
    mv a0, sp
    la sp, rtos_isr_stack_top
    call rtos_trap
    .global rtos_start_first
rtos_start_first:
    mv sp, a0
"#,
        fpu_restore!(),
        r#"
    lw t0, 0(sp)
    csrw mepc, t0
    lw t0, 8(sp)
    csrw mstatus, t0
    lw ra, 4(sp)
    .irp r, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    lw x\r, \r*4(sp)
    .endr
    addi sp, sp, {frame}
    mret

    .section .bss.rtos_isr_stack, "aw", @nobits
    .balign 16
    .space 16384
rtos_isr_stack_top:
"#
    ),
    frame = const FRAME_BYTES,
);

unsafe extern "C" {
    fn rtos_trap_entry();
    fn rtos_start_first(sp: usize) -> !;
}

/// Points mtvec at the trap entry: a fault then panics with its cause
/// instead of jumping to address 0, in every firmware mode.
pub fn install_trap_handler() {
    // SAFETY: the entry is 4-byte aligned (direct mode) and handles every trap.
    unsafe { asm!("csrw mtvec, {}", in(reg) rtos_trap_entry as *const () as usize) };
}

/// Restores the context saved at `sp` and never returns.
///
/// # Safety
/// Interrupts must be masked and `sp` must point at a complete frame on a
/// live task stack.
pub unsafe fn start_first(sp: usize) -> ! {
    // SAFETY: caller's contract.
    unsafe { rtos_start_first(sp) }
}

/// Masks machine interrupts; returns whether they were on.
pub fn irq_save() -> bool {
    let prev: usize;
    // SAFETY: clears mstatus.MIE only; also a compiler barrier.
    unsafe { asm!("csrrci {}, mstatus, 8", out(reg) prev) };
    prev & 8 != 0
}

/// Unmasks machine interrupts if `on` (what [`irq_save`] returned).
pub fn irq_restore(on: bool) {
    if on {
        // SAFETY: sets mstatus.MIE; also a compiler barrier.
        unsafe { asm!("csrsi mstatus, 8") };
    }
}

/// Runs `f` with interrupts masked: nothing else runs on the hart meanwhile.
pub fn critical<R>(f: impl FnOnce() -> R) -> R {
    let on = irq_save();
    let r = f();
    irq_restore(on);
    r
}

/// Traps into the scheduler (a synchronous `ecall`), which may switch tasks;
/// returns when this task is picked again, with its interrupt state as it was.
pub fn trap_yield() {
    // SAFETY: the trap entry saves and restores every register; `ecall` is
    // skipped by advancing the saved mepc.
    unsafe { asm!("ecall") };
}

/// Sleeps until an interrupt is pending (the idle task).
pub fn wait_for_interrupt() {
    // SAFETY: a hint; returns at once if an interrupt is pending.
    unsafe { asm!("wfi") };
}

/// Enables the machine timer interrupt (mie.MTIE).
pub fn enable_timer_interrupt() {
    // SAFETY: only the timer interrupt bit.
    unsafe { asm!("csrs mie, {}", in(reg) 0x80usize) };
}

pub fn mcause() -> usize {
    let v: usize;
    // SAFETY: reads a CSR.
    unsafe { asm!("csrr {}, mcause", out(reg) v) };
    v
}

pub fn mtval() -> usize {
    let v: usize;
    // SAFETY: reads a CSR.
    unsafe { asm!("csrr {}, mtval", out(reg) v) };
    v
}

/// The 64-bit `mtime`, read as two halves (the high one again until it did
/// not change in between).
pub fn mtime() -> u64 {
    // SAFETY: CLINT MMIO registers of the virt machine.
    unsafe {
        loop {
            let hi = core::ptr::read_volatile((MTIME + 4) as *const u32);
            let lo = core::ptr::read_volatile(MTIME as *const u32);
            if core::ptr::read_volatile((MTIME + 4) as *const u32) == hi {
                return (u64::from(hi) << 32) | u64::from(lo);
            }
        }
    }
}

/// Arms the timer interrupt for `mtime >= at`; the low half goes to its
/// maximum first so no intermediate value fires early.
pub fn set_mtimecmp(at: u64) {
    // SAFETY: CLINT MMIO registers of the virt machine.
    unsafe {
        core::ptr::write_volatile(MTIMECMP as *mut u32, u32::MAX);
        core::ptr::write_volatile((MTIMECMP + 4) as *mut u32, (at >> 32) as u32);
        core::ptr::write_volatile(MTIMECMP as *mut u32, at as u32);
    }
}
