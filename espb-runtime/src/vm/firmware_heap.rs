//! Blocks of the firmware's own heap that a module holds: `heap_caps_malloc`
//! and its siblings stay natives (a DMA buffer must come from memory with
//! that capability, which the module's private heap cannot promise), but
//! what they return is firmware DRAM, which the module may only read
//! ([`crate::chip::Chip::firmware_windows`]). So each block becomes a
//! writable window of its own while it lives ([`Memory::grant`]), and only
//! a block the module holds may be freed or resized: anything else traps
//! before the native sees it (ESP-IDF's heap would abort the firmware).
//!
//! Which imports these are is decided by identity, like the builtins: the
//! `idf` table's slots ([`IDF_HEAP_CAPS_SLOTS`]), or the name on the PC.

use super::context::Hooks;
use super::memory::Memory;
use super::meter::Meter;
use super::trap::{Trap, TrapKind};
use crate::module::{Import, ImportRef, TableRef};
use crate::os::Resource;

/// A `heap_caps_*` native whose block the runtime follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HeapCaps {
    /// `heap_caps_malloc(size, caps)`.
    Malloc,
    /// `heap_caps_calloc(n, size, caps)`.
    Calloc,
    /// `heap_caps_realloc(ptr, size, caps)`.
    Realloc,
    /// `heap_caps_free(ptr)`.
    Free,
    /// `heap_caps_aligned_alloc(alignment, size, caps)`.
    AlignedAlloc,
}

/// The standard `idf` table's `heap_caps_*` slots (espb-sys
/// `manifests/idf.espbsym`, append-only; espb-sys's tests check them).
pub const IDF_HEAP_CAPS_SLOTS: &[(u16, &str)] = &[
    (204, "heap_caps_malloc"),
    (205, "heap_caps_calloc"),
    (206, "heap_caps_realloc"),
    (207, "heap_caps_free"),
    (208, "heap_caps_aligned_alloc"),
];

fn by_name(name: &str) -> Option<HeapCaps> {
    Some(match name {
        "heap_caps_malloc" => HeapCaps::Malloc,
        "heap_caps_calloc" => HeapCaps::Calloc,
        "heap_caps_realloc" => HeapCaps::Realloc,
        "heap_caps_free" => HeapCaps::Free,
        "heap_caps_aligned_alloc" => HeapCaps::AlignedAlloc,
        _ => return None,
    })
}

/// The `heap_caps_*` native an import is, by slot of the `idf` table (a
/// slot import) or by name (a name import).
pub(crate) fn heap_caps_of(imp: &Import, tables: &[TableRef]) -> Option<HeapCaps> {
    match &imp.what {
        ImportRef::Name(n) => by_name(n),
        ImportRef::Slot { table, index, .. } => {
            if tables.get(usize::from(*table)).is_none_or(|t| t.name != super::builtins::IDF_TABLE) {
                return None;
            }
            IDF_HEAP_CAPS_SLOTS.iter().find(|s| s.0 == *index).and_then(|s| by_name(s.1))
        }
    }
}

/// Calls `native` for `op` with `args`, and keeps `mem`'s windows in step
/// with the blocks the module holds. Out of line, as a cold path: inlined
/// into the interpreter loop it would grow its native stack frame.
#[cold]
#[inline(never)]
pub(crate) fn call(
    op: HeapCaps,
    args: &[u64],
    mem: &mut Memory,
    app: Option<&dyn Hooks>,
    meter: &mut Meter,
    native: impl FnOnce(&mut Memory, &mut Meter) -> Result<u64, Trap>,
) -> Result<u64, Trap> {
    let arg = |k: usize| args.get(k).copied().unwrap_or(0) as u32;
    // The block a free or realloc gives back must be one the module holds.
    let old = match op {
        HeapCaps::Free | HeapCaps::Realloc => arg(0),
        _ => 0,
    };
    if old != 0 && !mem.holds_block(old) {
        return Err(Trap::new(TrapKind::InvalidFree { addr: old }));
    }
    let size = match op {
        HeapCaps::Malloc => Some(arg(0)),
        HeapCaps::Calloc => arg(0).checked_mul(arg(1)),
        HeapCaps::Realloc | HeapCaps::AlignedAlloc => Some(arg(1)),
        HeapCaps::Free => Some(0),
    };
    if op == HeapCaps::Calloc {
        // The native zeroes the block: work in proportion to its size.
        meter.bytes(u64::from(size.unwrap_or(0))).map_err(Trap::new)?;
    }
    let r = native(mem, meter)?;
    let new = r as u32;
    let gone = match op {
        HeapCaps::Free => true,
        // realloc(p, 0) frees p; a failed realloc leaves it as it was.
        HeapCaps::Realloc => new != 0 || size == Some(0),
        _ => false,
    };
    if gone && old != 0 {
        mem.revoke(old);
        if let Some(app) = app {
            app.remove_resource(Resource::HeapBlock(old));
        }
    }
    if new != 0 && op != HeapCaps::Free {
        // SAFETY: the firmware's heap just handed `size` bytes at `new` to
        // the module; the window goes when the module frees or resizes it.
        if !unsafe { mem.grant(new, size.unwrap_or(0)) } {
            return Err(Trap::new(TrapKind::OutOfMemory { what: "the window of a heap_caps block", bytes: 12 }));
        }
        // Unload frees what the module still holds (an app's resources).
        if let Some(app) = app {
            app.add_resource(Resource::HeapBlock(new), None);
        }
    }
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::Window;
    use core::cell::Cell;

    /// `op` on `args` with a native that returns `ret` and counts its calls.
    fn run(m: &mut Memory, op: HeapCaps, args: &[u64], ret: u32, calls: &Cell<u32>) -> Result<u32, TrapKind> {
        let mut meter = Meter::unlimited();
        let native = |_: &mut Memory, _: &mut Meter| {
            calls.set(calls.get() + 1);
            Ok(u64::from(ret))
        };
        call(op, args, m, None, &mut meter, native).map(|r| r as u32).map_err(|t| t.kind)
    }

    #[test]
    fn blocks_are_followed_from_malloc_to_free() {
        let mut m = Memory::new(0x1000, 64);
        let calls = Cell::new(0);
        assert_eq!(run(&mut m, HeapCaps::Malloc, &[24, 4], 0xB000_0000, &calls), Ok(0xB000_0000));
        assert_eq!(m.windows(), &[Window::read_write(0xB000_0000, 0xB000_0018)]);
        // A failed realloc leaves the block as it was.
        assert_eq!(run(&mut m, HeapCaps::Realloc, &[0xB000_0000, 1 << 20, 4], 0, &calls), Ok(0));
        assert!(m.holds_block(0xB000_0000));
        assert_eq!(run(&mut m, HeapCaps::Realloc, &[0xB000_0000, 64, 4], 0xC000_0000, &calls), Ok(0xC000_0000));
        assert_eq!(m.windows(), &[Window::read_write(0xC000_0000, 0xC000_0040)]);
        assert_eq!(run(&mut m, HeapCaps::Free, &[0xC000_0000], 0, &calls), Ok(0));
        assert!(m.windows().is_empty());
        assert_eq!(calls.get(), 4);
        // A second free never reaches the firmware's heap (it would abort).
        let again = run(&mut m, HeapCaps::Free, &[0xC000_0000], 0, &calls);
        assert_eq!(again, Err(TrapKind::InvalidFree { addr: 0xC000_0000 }));
        let forged = run(&mut m, HeapCaps::Realloc, &[0x3FC8_0000, 8, 4], 0x1234, &calls);
        assert_eq!(forged, Err(TrapKind::InvalidFree { addr: 0x3FC8_0000 }), "realloc of memory it does not hold");
        assert_eq!(calls.get(), 4);
        assert_eq!(run(&mut m, HeapCaps::Free, &[0], 0, &calls), Ok(0), "free(NULL) is fine");
        // calloc and aligned_alloc grant their sizes; realloc(p, 0) frees.
        assert_eq!(run(&mut m, HeapCaps::Calloc, &[4, 8, 4], 0xD000_0000, &calls), Ok(0xD000_0000));
        assert_eq!(run(&mut m, HeapCaps::AlignedAlloc, &[64, 100, 4], 0xE000_0000, &calls), Ok(0xE000_0000));
        assert_eq!(
            m.windows(),
            &[Window::read_write(0xD000_0000, 0xD000_0020), Window::read_write(0xE000_0000, 0xE000_0064)]
        );
        assert_eq!(run(&mut m, HeapCaps::Realloc, &[0xD000_0000, 0, 4], 0, &calls), Ok(0));
        assert_eq!(m.windows(), &[Window::read_write(0xE000_0000, 0xE000_0064)]);
    }

    #[test]
    fn only_the_standard_slots_are_heap_caps() {
        let idf = [TableRef { name: "idf".into(), hash: 0, count: 300 }];
        let other = [TableRef { name: "custom".into(), hash: 0, count: 300 }];
        let slot = |index, name: &str| Import::func(ImportRef::Slot { table: 0, index, name: Some(name.into()) }, 0);
        assert_eq!(heap_caps_of(&slot(207, "my_free"), &idf), Some(HeapCaps::Free), "by slot, not by name");
        assert_eq!(heap_caps_of(&slot(3, "heap_caps_free"), &idf), None);
        assert_eq!(heap_caps_of(&slot(207, "heap_caps_free"), &other), None);
        assert_eq!(
            heap_caps_of(&Import::func(ImportRef::Name("heap_caps_malloc".into()), 0), &[]),
            Some(HeapCaps::Malloc)
        );
    }
}
