//! The host interface: the natives the firmware (or the PC simulator)
//! provides, and what a native may touch of the instance.

use super::context::Gate;
use super::heap::Heap;
use super::memory::Memory;
use super::meter::Meter;
use super::trap::Trap;
use crate::module::{FuncType, Import};
use crate::signature::NativeSig;
use crate::symtab::Checking;

/// What a host function may touch: the instance's memory and heap.
pub struct HostCtx<'a> {
    pub mem: &'a mut Memory,
    pub heap: &'a mut Heap,
    /// The app's lock, when the instance runs in an [`App`](crate::app::App).
    pub(crate) gate: Option<&'a dyn Gate>,
    /// The fuel the run may spend on this call's work ([`HostCtx::charge`]).
    pub(crate) meter: Meter,
}

/// Re-takes the gate when dropped (also if the blocking code panics).
struct Reacquire<'g>(&'g dyn Gate, u32);

impl Drop for Reacquire<'_> {
    fn drop(&mut self) {
        self.0.reacquire(self.1);
    }
}

impl<'a> HostCtx<'a> {
    pub fn new(mem: &'a mut Memory, heap: &'a mut Heap) -> HostCtx<'a> {
        HostCtx { mem, heap, gate: None, meter: Meter::unlimited() }
    }

    /// Pays for `bytes` of work the native is about to do (bytes copied,
    /// compared, formatted or written out), one unit of fuel per
    /// [`BYTES_PER_FUEL`](crate::BYTES_PER_FUEL). Call it before the work:
    /// when the run's fuel cannot pay, it returns the out-of-fuel trap and
    /// the native returns it at once, so a huge length costs nothing. Work
    /// that is the native's own business (a fixed-size struct) needs no
    /// charge; anything that grows with an argument does.
    pub fn charge(&mut self, bytes: u64) -> Result<(), Trap> {
        self.meter.bytes(bytes).map_err(Trap::new)
    }

    /// Bytes of work the run's fuel can still pay for (`u64::MAX` when the
    /// fuel is unlimited): a native that cannot know its work in advance
    /// (formatting) stops there and returns the out-of-fuel trap.
    pub fn work_left(&self) -> u64 {
        self.meter.work_left()
    }

    /// Runs `f` (a call that may block the task: a delay, a queue receive)
    /// with the app's lock released, so the app's other tasks and callbacks
    /// run meanwhile; takes it again before returning. Without an app (a
    /// plain [`crate::Instance`]) it just runs `f`.
    ///
    /// `f` must not touch the instance (it cannot: `ctx` is borrowed), and
    /// the host must not keep state of its own in `&mut self` across it:
    /// other tasks call the host meanwhile. Keep state shared by tasks behind
    /// a lock of its own.
    pub fn block<R>(&mut self, f: impl FnOnce() -> R) -> R {
        match self.gate {
            None => f(),
            Some(g) => {
                let _again = Reacquire(g, g.release());
                f()
            }
        }
    }
    /// Allocates from the module's heap; 0 when it is full.
    pub fn malloc(&mut self, size: u32) -> u32 {
        self.heap.malloc(size)
    }
    pub fn free(&mut self, addr: u32) -> Result<(), Trap> {
        self.heap.free(addr).map_err(Trap::from)
    }
}

/// Native functions as the firmware (or the PC simulator) provides them.
pub trait Host {
    /// Finds the native for an import at instantiation. Returns an id that
    /// [`Host::call`] receives, or `None` when the firmware lacks it.
    fn resolve(&mut self, import: &Import, ty: &FuncType) -> Option<u32>;

    /// Calls native `id`. `ty` is the call site's signature (variadic
    /// arguments included); `args` hold raw register bits: i32 and f32 in the
    /// low 32 bits, i64 and f64 in all 64. Returns the raw result bits.
    fn call(&mut self, id: u32, ty: &FuncType, args: &[u64], ctx: &mut HostCtx<'_>) -> Result<u64, Trap>;

    /// Finds the native in slot `index` of the firmware's symbol table
    /// `table` (whose hash the loader already checked). The default asks
    /// [`Host::resolve`], which can go by the import's recorded name; a
    /// device host answers from its [`crate::symtab::Registry`].
    fn resolve_slot(&mut self, table: &str, index: u16, import: &Import, ty: &FuncType) -> Option<u32> {
        let _ = (table, index);
        self.resolve(import, ty)
    }

    /// The C signature of the native in slot `index` of table `table`, and
    /// how calls into that table are checked (docs/symbols.md
    /// "Signatures"). `None`: the table gives no signature for the slot,
    /// and its calls are not checked. A device host answers from its
    /// [`crate::symtab::Registry`].
    fn native_signature(&self, table: &str, index: u16) -> Option<(NativeSig, Checking)> {
        let _ = (table, index);
        None
    }

    /// The address of a data import (a firmware variable such as newlib's
    /// `_impure_ptr`, or a load-time configuration value `__espb_cfg_*`). A
    /// simulating host may place the data in the instance's memory through
    /// `ctx`. `None`: the firmware lacks it.
    fn data_address(&mut self, import: &Import, ctx: &mut HostCtx<'_>) -> Option<u32> {
        let _ = (import, ctx);
        None
    }

    /// The firmware's symbol table `name`: the hash of its first `count`
    /// slots (tables are append-only, so a module built against a shorter
    /// table still fits a longer one with the same prefix).
    fn table_prefix_hash(&self, name: &str, count: u32) -> Result<u32, TableLookupError> {
        let _ = (name, count);
        Err(TableLookupError::Missing)
    }
}

/// Why [`Host::table_prefix_hash`] has no hash to give.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableLookupError {
    /// The firmware registered no table of that name.
    Missing,
    /// The firmware's table has only `slots` slots.
    TooShort { slots: u32 },
}

/// A host with no natives at all (pure computation modules, benchmarks).
pub struct NoHost;

impl Host for NoHost {
    fn resolve(&mut self, _: &Import, _: &FuncType) -> Option<u32> {
        None
    }
    fn call(&mut self, _: u32, _: &FuncType, _: &[u64], _: &mut HostCtx<'_>) -> Result<u64, Trap> {
        Err(Trap::host("no natives available"))
    }
}
