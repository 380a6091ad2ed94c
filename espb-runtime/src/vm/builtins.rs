//! C library functions the VM provides itself, whatever the firmware has:
//! the heap (`malloc` family, on the instance's private heap), `qsort` and
//! `bsearch` (which call back into the module), and `exit`/`abort`.

use super::checked::Imports;
use super::context::{Gate, Hooks};
use super::firmware_heap::{self, HeapCaps};
use super::heap::Heap;
use super::host::{Host, HostCtx};
use super::memory::Memory;
use super::meter::Meter;
use super::resources::{self, Rule};
use super::trap::{Trap, TrapKind};
use crate::module::FuncType;
use alloc::vec::Vec;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Builtin {
    Malloc,
    Calloc,
    Realloc,
    Free,
    Qsort,
    Bsearch,
    /// `exit`/`_exit`/`_Exit`/`abort` end the module, never the firmware.
    Exit,
    Abort,
    /// `aligned_alloc(align, size)` and `memalign(align, size)`.
    AlignedAlloc,
    /// `posix_memalign(&p, align, size)`.
    PosixMemalign,
    /// `strdup(s)` and `strndup(s, n)`: the copy is the module's to free,
    /// so it comes from the private heap (newlib's would be the firmware's).
    Strdup,
    Strndup,
    /// `div`/`ldiv`/`lldiv`: served here because each ABI returns their
    /// struct its own way (below), and GCC's Xtensa newlib (in registers)
    /// and clang's Xtensa code (through `sret`) disagree on it.
    Div,
}

/// What an import resolved to at instantiation.
#[derive(Clone, Copy, Debug)]
pub(super) enum ImportTarget {
    Builtin(Builtin),
    Host(u32),
    /// A native that starts or stops something unload must know about
    /// (vm/resources.rs): the host's id and what it does.
    Tracked(u32, Rule),
    /// A `heap_caps_*` native, whose blocks become the module's windows
    /// (vm/firmware_heap.rs).
    FirmwareHeap(u32, HeapCaps),
}

/// The standard `idf` table's slots that are builtins, with their C names
/// (espb-sys `manifests/idf.espbsym`; the table is append-only, so these
/// indices never change, and espb-sys's tests check them).
pub const IDF_BUILTIN_SLOTS: &[(u16, &str)] = &[
    (31, "strdup"),
    (34, "malloc"),
    (35, "calloc"),
    (36, "realloc"),
    (37, "free"),
    (48, "qsort"),
    (49, "bsearch"),
    (52, "abort"),
    (353, "exit"),
    (354, "_exit"),
    (377, "strndup"),
    (418, "div"),
    (419, "ldiv"),
    (420, "lldiv"),
    (421, "aligned_alloc"),
    (422, "posix_memalign"),
    (496, "_Exit"),
];

/// The name of the standard table.
pub(super) const IDF_TABLE: &str = "idf";

/// The builtin an import gets, before the host is asked: by identity, never
/// by the name the module gives it. A slot import is a builtin when it is
/// one of [`IDF_BUILTIN_SLOTS`] of the `idf` table (whose identity the
/// table hash check vouches for), whatever it is called (a slot named
/// `xfree` is still `free`, served by the private heap), and only then (a
/// slot of another table named `free` is that table's native). A name
/// import (the PC's hosts resolve by name) is one by its name.
pub(super) fn builtin_of(imp: &crate::module::Import, tables: &[crate::module::TableRef]) -> Option<Builtin> {
    match &imp.what {
        crate::module::ImportRef::Name(n) => builtin(n),
        crate::module::ImportRef::Slot { table, index, .. } => {
            if tables.get(usize::from(*table)).is_none_or(|t| t.name != IDF_TABLE) {
                return None;
            }
            IDF_BUILTIN_SLOTS.iter().find(|s| s.0 == *index).and_then(|s| builtin(s.1))
        }
    }
}

/// The builtin an import of this name gets.
fn builtin(name: &str) -> Option<Builtin> {
    Some(match name {
        "malloc" => Builtin::Malloc,
        "calloc" => Builtin::Calloc,
        "realloc" => Builtin::Realloc,
        "free" => Builtin::Free,
        "qsort" => Builtin::Qsort,
        "bsearch" => Builtin::Bsearch,
        "exit" | "_exit" | "_Exit" => Builtin::Exit,
        "abort" => Builtin::Abort,
        "aligned_alloc" | "memalign" => Builtin::AlignedAlloc,
        "posix_memalign" => Builtin::PosixMemalign,
        "div" | "ldiv" | "lldiv" => Builtin::Div,
        "strdup" => Builtin::Strdup,
        "strndup" => Builtin::Strndup,
        _ => return None,
    })
}
/// Calls import `i`: a builtin here, or the host's native. In an app, a
/// native may release the app's lock ([`HostCtx::block`]); when the app was
/// unloaded meanwhile the run stops here.
#[allow(clippy::too_many_arguments)]
pub(super) fn call_import<H: Host>(
    imports: &Imports,
    host: &mut H,
    mem: &mut Memory,
    heap: &mut Heap,
    app: Option<&dyn Hooks>,
    i: u16,
    ty: &FuncType,
    args: &[u64],
    meter: &mut Meter,
) -> Result<u64, Trap> {
    let arg = |k: usize| args.get(k).copied().unwrap_or(0) as u32;
    let target = imports.get(i as usize);
    // heap_caps_* blocks are checked by firmware_heap (a realloc's old block
    // is smaller than its new size).
    if let Some(ImportTarget::Host(_) | ImportTarget::Tracked(..)) = target
        && !imports.args_ok(i, args, mem)
    {
        return Err(Trap::new(imports.args_refusal(i, args, mem)));
    }
    match target {
        Some(&ImportTarget::Host(id)) => {
            let r = native(host, id, ty, args, mem, heap, app, meter);
            if app.is_some_and(|a| a.dead()) {
                return Err(Trap::new(TrapKind::Unloaded));
            }
            grant_result(imports, i, mem, app, r)
        }
        Some(&ImportTarget::Tracked(id, rule)) => {
            let Some(app) = app else {
                let r = native(host, id, ty, args, mem, heap, None, meter);
                return grant_result(imports, i, mem, None, r);
            };
            let r = resources::call(app, rule, args, mem, |args, mem| {
                native(host, id, ty, args, mem, heap, Some(app), meter)
            });
            if app.dead() { Err(Trap::new(TrapKind::Unloaded)) } else { grant_result(imports, i, mem, Some(app), r) }
        }
        Some(&ImportTarget::FirmwareHeap(id, op)) => firmware_heap::call(op, args, mem, app, meter, |mem, meter| {
            native(host, id, ty, args, mem, heap, app, meter)
        }),
        Some(ImportTarget::Builtin(b)) => match b {
            Builtin::Malloc => Ok(u64::from(heap.malloc(arg(0)))),
            Builtin::Calloc => {
                let Some(total) = arg(0).checked_mul(arg(1)) else { return Ok(0) };
                meter.bytes(u64::from(total)).map_err(Trap::new)?;
                let p = heap.malloc(total);
                if p != 0 {
                    mem.fill(p, 0, total)?;
                }
                Ok(u64::from(p))
            }
            Builtin::Realloc => {
                let (old, size) = (arg(0), arg(1));
                if old == 0 {
                    return Ok(u64::from(heap.malloc(size)));
                }
                let Some(old_size) = heap.block_size(old) else {
                    return Err(Trap::new(TrapKind::InvalidFree { addr: old }));
                };
                if size <= old_size && size > 0 {
                    return Ok(u64::from(old));
                }
                meter.bytes(u64::from(old_size.min(size))).map_err(Trap::new)?;
                let p = heap.malloc(size);
                if p == 0 {
                    return Ok(0);
                }
                mem.copy_within(p, old, old_size.min(size))?;
                heap.free(old).map_err(Trap::from)?;
                Ok(u64::from(p))
            }
            // A direct call is handled in the interpreter loop, which can
            // re-enter the module; through a pointer it cannot.
            Builtin::Qsort | Builtin::Bsearch => Err(Trap::host(alloc::format!(
                "`{}` called through a function pointer: the runtime runs qsort and bsearch only when the \
                 module calls them by name; call it directly",
                if *b == Builtin::Qsort { "qsort" } else { "bsearch" }
            ))),
            Builtin::Exit => Err(Trap::new(TrapKind::Exit(arg(0) as i32))),
            Builtin::Abort => Err(Trap::new(TrapKind::Abort)),
            Builtin::Free => {
                heap.free(arg(0)).map_err(Trap::from)?;
                Ok(0)
            }
            // NULL for an alignment that is not a power of two, as ESP-IDF's
            // heap_caps_aligned_alloc (behind both on a device).
            Builtin::AlignedAlloc => Ok(u64::from(aligned(heap, arg(0), arg(1)))),
            Builtin::PosixMemalign => {
                let (out, align, size) = (arg(0), arg(1), arg(2));
                // POSIX: a power of two that is a multiple of sizeof(void *).
                if !align.is_power_of_two() || align < 4 {
                    return Ok(EINVAL);
                }
                let p = aligned(heap, align, size);
                if p == 0 {
                    return Ok(ENOMEM);
                }
                // `*out` is only written on success.
                if let Err(t) = mem.write_u32(out, p) {
                    heap.free(p).map_err(Trap::from)?;
                    return Err(t);
                }
                Ok(0)
            }
            Builtin::Div => div(ty, args, mem),
            Builtin::Strdup | Builtin::Strndup => {
                let src = arg(0);
                // The string may lie in a firmware window (a native's text).
                let len = match (mem.c_str_len(src), *b) {
                    (Some(len), Builtin::Strdup) => len,
                    (Some(len), _) => len.min(arg(1) as usize),
                    // strndup reads no further than `n`: a buffer without a NUL.
                    (None, Builtin::Strndup) if mem.slice(src, arg(1) as usize).is_ok() => arg(1) as usize,
                    (None, _) => return Err(Trap::new(TrapKind::OutOfBounds { addr: src, len: 1 })),
                } as u32;
                meter.bytes(u64::from(len)).map_err(Trap::new)?;
                let p = heap.malloc(len.saturating_add(1));
                if p != 0 {
                    mem.raw().copy(p, src, len).map_err(|e| Trap::new(e.into()))?;
                    mem.write_u8(p.wrapping_add(len), 0)?;
                }
                Ok(u64::from(p))
            }
        },
        None => Err(Trap::new(TrapKind::BadCode)),
    }
}

/// After a native call: what its result points at, when its signature
/// says (`str`, `mem:SIZE`, `mem:SIZE:rw`), becomes a window for the
/// calling task.
#[inline]
fn grant_result(
    imports: &Imports,
    i: u16,
    mem: &mut Memory,
    app: Option<&dyn Hooks>,
    r: Result<u64, Trap>,
) -> Result<u64, Trap> {
    if let Ok(v) = r {
        let what = imports.result_mem(i);
        if what != crate::signature::ResultMem::None {
            let task = app.map_or(super::memory::NO_TASK, |a| a.current_task());
            // SAFETY: `v` is what the firmware's native returned, and the
            // firmware's table says what lies there (the result annotation).
            unsafe { mem.grant_result(v as u32, what, task) };
        }
    }
    r
}

/// newlib's `EINVAL` and `ENOMEM`, as `posix_memalign` returns them.
const EINVAL: u64 = 22;
const ENOMEM: u64 = 12;

/// A block at a multiple of `align`, or 0 when `align` is not a power of two
/// or the heap has no room.
fn aligned(heap: &mut Heap, align: u32, size: u32) -> u32 {
    if !align.is_power_of_two() { 0 } else { heap.malloc_aligned(align, size) }
}

/// `div`, `ldiv` (`long` is 32 bits) and `lldiv`, in the shape the call site
/// has: riscv32 returns `div_t`/`ldiv_t` in two registers (the translator's
/// i64, quotient in the low half), clang's Xtensa code and every target's
/// `lldiv` pass a pointer to the result (`sret`) first. Division by zero
/// traps as the `/` operator does; `INT_MIN / -1`, undefined in C, wraps.
fn div(ty: &FuncType, args: &[u64], mem: &mut Memory) -> Result<u64, Trap> {
    use crate::module::ValType::{I32, I64};
    let a = |k: usize| args.get(k).copied().unwrap_or(0);
    let n32 = |k: usize| i64::from(a(k) as u32 as i32);
    let divide = |n: i64, d: i64| {
        if d == 0 { Err(Trap::new(TrapKind::DivideByZero)) } else { Ok((n.wrapping_div(d), n.wrapping_rem(d))) }
    };
    match (ty.params.as_slice(), ty.result) {
        ([I32, I32], Some(I64)) => {
            let (q, r) = divide(n32(0), n32(1))?;
            Ok(u64::from(q as i32 as u32) | (u64::from(r as i32 as u32) << 32))
        }
        ([I32, I32, I32], None) => {
            let (q, r) = divide(n32(1), n32(2))?;
            let out = a(0) as u32;
            mem.write_u32(out, q as i32 as u32)?;
            mem.write_u32(out.wrapping_add(4), r as i32 as u32)?;
            Ok(0)
        }
        ([I32, I64, I64], None) => {
            let (q, r) = divide(a(1) as i64, a(2) as i64)?;
            let out = a(0) as u32;
            mem.write_u64(out, q as u64)?;
            mem.write_u64(out.wrapping_add(8), r as u64)?;
            Ok(0)
        }
        _ => {
            Err(Trap::host("`div`/`ldiv`/`lldiv` called with a type no ABI gives them (declare them with <stdlib.h>)"))
        }
    }
}

/// Calls the host's native `id`, charging its work to `meter`.
#[allow(clippy::too_many_arguments)]
fn native<H: Host>(
    host: &mut H,
    id: u32,
    ty: &FuncType,
    args: &[u64],
    mem: &mut Memory,
    heap: &mut Heap,
    app: Option<&dyn Hooks>,
    meter: &mut Meter,
) -> Result<u64, Trap> {
    let mut ctx = HostCtx { mem, heap, gate: app.map(|a| a as &dyn Gate), meter: *meter };
    let r = host.call(id, ty, args, &mut ctx);
    *meter = ctx.meter;
    r
}

/// What `qsort` and `bsearch` need from the interpreter: to call the
/// module's comparator, and the memory the elements sit in.
pub(super) trait Reenter {
    /// Calls the function at module address `addr` (module function or import).
    fn call_address(&mut self, addr: u32, args: &[u64]) -> Result<u64, Trap>;
    fn memory(&mut self) -> &mut Memory;
    /// Spends `units` of the run's fuel.
    fn charge(&mut self, units: u64) -> Result<(), Trap>;
}

/// A zeroed scratch vector of `n` items, or an out-of-memory trap.
fn scratch<T: Clone + Default>(n: usize, what: &'static str) -> Result<Vec<T>, Trap> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        Trap::new(TrapKind::OutOfMemory { what, bytes: (n as u64).saturating_mul(core::mem::size_of::<T>() as u64) })
    })?;
    v.resize(n, T::default());
    Ok(v)
}

/// `qsort(base, n, size, cmp)` and `bsearch(key, base, n, size, cmp)`,
/// which call the module's comparator (each call pays fuel like any call).
/// qsort is a stable merge sort, like glibc's, so equal elements keep their
/// order; it pays for its copying too, and its scratch memory (the
/// elements' bytes and two index arrays: `n * (size + 8)` bytes) is taken
/// fallibly: a sort the firmware's heap cannot hold traps.
pub(super) fn search_sort(vm: &mut impl Reenter, b: Builtin, args: &[u64]) -> Result<u64, Trap> {
    let arg = |k: usize| args.get(k).copied().unwrap_or(0) as u32;
    if b == Builtin::Bsearch {
        let (key, arr, n, size, cmp) = (arg(0), arg(1), arg(2), arg(3), arg(4));
        let (mut lo, mut hi) = (0u32, n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let elem = arr.wrapping_add(mid.wrapping_mul(size));
            let c = vm.call_address(cmp, &[u64::from(key), u64::from(elem)])? as u32 as i32;
            match c {
                ..0 => hi = mid,
                0 => return Ok(u64::from(elem)),
                _ => lo = mid + 1,
            }
        }
        return Ok(0);
    }
    let (arr, n, size, cmp) = (arg(0), arg(1), arg(2), arg(3));
    if n < 2 || size == 0 {
        return Ok(0);
    }
    let total = n.checked_mul(size).ok_or(Trap::new(TrapKind::OutOfBounds { addr: arr, len: u32::MAX }))?;
    // Bounds first: a bad array costs nothing.
    vm.memory().slice(arr, total as usize)?;
    // Copying in and out, and the index arrays.
    vm.charge((2 * u64::from(total) + 8 * u64::from(n)) / u64::from(super::meter::BYTES_PER_FUEL))?;
    let mut original: Vec<u8> = scratch(total as usize, "qsort's copy of the array")?;
    original.copy_from_slice(vm.memory().slice(arr, total as usize)?);
    // Sort indices; the elements stay in place while the comparator runs.
    let mut idx: Vec<u32> = scratch(n as usize, "qsort's index array")?;
    for (k, i) in idx.iter_mut().enumerate() {
        *i = k as u32;
    }
    let mut tmp: Vec<u32> = scratch(n as usize, "qsort's index array")?;
    let mut width = 1usize;
    let len = n as usize;
    while width < len {
        let mut start = 0;
        while start < len {
            let mid = (start + width).min(len);
            let end = (start + 2 * width).min(len);
            let (mut i, mut j, mut k) = (start, mid, start);
            while i < mid && j < end {
                let pa = arr.wrapping_add(idx[i] * size);
                let pb = arr.wrapping_add(idx[j] * size);
                let c = vm.call_address(cmp, &[u64::from(pa), u64::from(pb)])? as u32 as i32;
                if c <= 0 {
                    tmp[k] = idx[i];
                    i += 1;
                } else {
                    tmp[k] = idx[j];
                    j += 1;
                }
                k += 1;
            }
            tmp[k..k + (mid - i)].copy_from_slice(&idx[i..mid]);
            k += mid - i;
            tmp[k..k + (end - j)].copy_from_slice(&idx[j..end]);
            start = end;
        }
        core::mem::swap(&mut idx, &mut tmp);
        width *= 2;
    }
    let out = vm.memory().slice_mut(arr, total as usize)?;
    let size = size as usize;
    for (k, &i) in idx.iter().enumerate() {
        let from = i as usize * size;
        out[k * size..(k + 1) * size].copy_from_slice(&original[from..from + size]);
    }
    Ok(0)
}
