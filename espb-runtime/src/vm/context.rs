//! Execution contexts: what one task needs of its own to run module code
//! (its register stack, call frames and shadow-stack region), and the hooks
//! through which the interpreter reaches the app it runs in (lock, time
//! slices, resources). Memory, heap, imports and host are the instance's,
//! shared by every task as in C.

use super::frame::Frame;
use super::trap::Trap;
use crate::os::{Resource, TaskId};
use alloc::string::String;
use alloc::vec::Vec;

/// One task's registers, frames and stack region.
pub(crate) struct ExecCtx {
    pub(super) regs: Vec<u64>,
    pub(super) frames: Vec<Frame>,
    /// The stack pointer a run starts at (the region's top, 16-aligned).
    pub(crate) sp_top: u32,
    /// The lowest address the stack may reach.
    pub(crate) sp_limit: u32,
}

impl ExecCtx {
    /// A context whose stack is `limit..top` of module memory.
    pub(crate) fn new(top: u32, limit: u32) -> ExecCtx {
        // The interpreter sizes it at the first call (the entry's registers
        // plus one window: 4 KiB for most functions).
        ExecCtx { regs: Vec::new(), frames: Vec::new(), sp_top: top & !15, sp_limit: limit }
    }
}

/// The lock [`super::HostCtx::block`] releases (an app's instance lock).
pub(crate) trait Gate {
    /// Releases the calling task's hold completely; returns what
    /// [`Gate::reacquire`] needs to restore it.
    fn release(&self) -> u32;
    /// Takes the lock again as [`Gate::release`] left it.
    fn reacquire(&self, depth: u32);
}

/// What the interpreter asks of the app it runs in. Every method is called
/// by the task holding the app's lock, from cold paths only (time slices,
/// resource natives, blocked calls).
pub(crate) trait Hooks: Gate {
    /// The app was unloaded (seen after a blocking call or a slice end:
    /// the run must stop).
    fn dead(&self) -> bool;
    /// End of a time slice: let the app's other tasks run. `Err` when the
    /// app was unloaded meanwhile.
    fn slice_end(&self) -> Result<(), Trap>;
    /// An indirect call to `addr`, which is neither a function of this
    /// instance nor an import: another app's thunk, if it is one.
    fn call_foreign(&self, addr: u32, args: &[u64]) -> Option<Result<u64, Trap>>;
    /// The calling task.
    fn current_task(&self) -> TaskId;
    /// Whether `task` is one the module created (and has not deleted).
    fn is_module_task(&self, task: TaskId) -> bool;
    /// The module started `r` (a task also gets its name for messages).
    fn add_resource(&self, r: Resource, name: Option<String>);
    /// The module stopped `r` itself.
    fn remove_resource(&self, r: Resource);
    /// Module task `task` is about to be deleted by another task of the
    /// module: it never runs again, so its context goes.
    fn forget_task(&self, task: TaskId);
    /// A word of module memory for an output argument the module passed as
    /// NULL (a task handle the runtime needs to know).
    fn scratch_word(&self) -> u32;
    /// Whether callbacks called in interrupt context can be deferred to a
    /// task ([`crate::os::Os::can_defer`]).
    fn can_defer(&self) -> bool;
    /// A line for the firmware's log.
    fn log(&self, msg: core::fmt::Arguments<'_>);
}

/// Grows a register stack to at least `need` registers (rounded up to a
/// power of two) without aborting when the firmware's heap is short: the
/// run traps instead.
#[cold]
#[inline(never)]
pub(super) fn grow_registers(regs: &mut Vec<u64>, need: usize) -> Result<(), super::trap::TrapKind> {
    let want = need.checked_next_power_of_two().unwrap_or(need);
    let oom = || super::trap::TrapKind::OutOfMemory { what: "the register stack", bytes: (want as u64) * 8 };
    regs.try_reserve_exact(want.saturating_sub(regs.len())).map_err(|_| oom())?;
    regs.resize(want, 0);
    Ok(())
}

/// Room for one more call frame, taken fallibly (doubling).
#[cold]
#[inline(never)]
pub(super) fn grow_frames(frames: &mut Vec<Frame>) -> Result<(), super::trap::TrapKind> {
    let more = frames.capacity().max(16);
    frames.try_reserve(more).map_err(|_| super::trap::TrapKind::OutOfMemory {
        what: "call frames",
        bytes: ((frames.capacity() + more) * core::mem::size_of::<Frame>()) as u64,
    })
}
