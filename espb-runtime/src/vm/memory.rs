//! An instance's linear memory: one block of bytes seen by the module at
//! 32-bit addresses `base .. base + len`. Every access is bounds-checked;
//! nothing is mapped at address 0 because `base` is never 0.
//!
//! Layout, low to high: static data, the private heap (malloc/free of the
//! module), then the stack, which grows down from the top.

use super::trap::{Trap, TrapKind};
use alloc::vec;
use alloc::vec::Vec;

/// Where module memory starts on the PC: the start of ESP32-C3 internal
/// DRAM, so addresses look like the chip's.
pub const PC_MEMORY_BASE: u32 = 0x3FC8_0000;
/// Module function `f` has address `FUNC_ADDR_BASE + 4 * f` on the PC (the
/// ESP32-C3 flash instruction window).
pub const FUNC_ADDR_BASE: u32 = 0x4200_0000;
/// Import `i` has address `IMPORT_ADDR_BASE + 4 * i` on the PC (ROM window).
pub const IMPORT_ADDR_BASE: u32 = 0x4000_0000;

/// What a module may do in a firmware [`Window`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Loads only: a store traps ([`TrapKind::ReadOnly`]) instead of
    /// reaching the memory (flash-mapped data would fault the CPU, DRAM
    /// would be the firmware's to lose).
    Read,
    /// Loads and stores.
    ReadWrite,
}

/// A firmware region `start..end` a native-memory module may reach at its
/// real addresses, with what it may do there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: u32,
    pub end: u32,
    pub access: Access,
}

impl Window {
    /// `start..end`, loads only.
    pub const fn read(start: u32, end: u32) -> Window {
        Window { start, end, access: Access::Read }
    }

    /// `start..end`, loads and stores.
    pub const fn read_write(start: u32, end: u32) -> Window {
        Window { start, end, access: Access::ReadWrite }
    }

    /// Whether `n` bytes at `addr` lie inside, and the access allows a store
    /// when `store`.
    fn allows(&self, addr: u32, n: usize, store: bool) -> bool {
        addr >= self.start
            && u64::from(addr) + n as u64 <= u64::from(self.end)
            && (!store || self.access == Access::ReadWrite)
    }
}

pub struct Memory {
    base: u32,
    /// The block, `skew` bytes ahead of the module's address `base` (a
    /// native block is allocated with room to start at the alignment the
    /// module's data asks for).
    bytes: Vec<u8>,
    skew: usize,
    /// Firmware regions a native-memory module may also reach directly:
    /// the ones the firmware granted, its data imports' objects (as the
    /// tables size them), then the heap blocks it got from `heap_caps_*`.
    /// Empty on the PC, where addresses are not real.
    windows: Vec<Window>,
    /// `windows[blocks..]` are the heap blocks.
    blocks: usize,
    /// Windows over what natives returned (a result annotation: `__errno`'s
    /// `errno`, `__getreent`'s `stdout`, a task's name), each with the task
    /// that called the native: its grants go when it ends
    /// ([`Memory::revoke_task`]). At most [`MAX_RESULT_GRANTS`], oldest
    /// first.
    results: Vec<(Window, usize)>,
    /// Whether module addresses are real ([`Memory::try_new_native`]): only
    /// then do natives' results become windows.
    real: bool,
}

/// Most windows over natives' results one instance keeps: past that the
/// oldest goes (the module traps if it still reads through it).
pub const MAX_RESULT_GRANTS: usize = 32;
/// Longest string result (its NUL included) that becomes a window.
pub const MAX_RESULT_STR: usize = 4096;
/// The owner of grants made outside an app (no task to end).
pub const NO_TASK: usize = usize::MAX;

impl Memory {
    /// `len` zeroed bytes at module address `base`. `base + len` must not
    /// wrap the 32-bit space; callers check that.
    pub fn new(base: u32, len: usize) -> Memory {
        Memory { base, bytes: vec![0; len], windows: Vec::new(), blocks: 0, skew: 0, results: Vec::new(), real: false }
    }

    /// Like [`Memory::new`], but `None` instead of aborting when the
    /// allocator cannot provide `len` bytes (a device with little RAM).
    pub fn try_new(base: u32, len: usize) -> Option<Memory> {
        let mut bytes = Vec::new();
        bytes.try_reserve_exact(len).ok()?;
        bytes.resize(len, 0);
        Some(Memory { base, bytes, windows: Vec::new(), blocks: 0, skew: 0, results: Vec::new(), real: false })
    }

    // [native-calls] begin: a block whose module addresses are its real
    // addresses (devices: pointers go to natives unchanged).
    /// `len` zeroed bytes whose module address is their native address,
    /// starting at a multiple of `align` (a power of two: the module's data
    /// alignment, at least the heap's). `None` when the allocator has no
    /// room, or when the block does not lie wholly below 4 GiB (a 64-bit
    /// host) or starts at 0.
    pub fn try_new_native(len: usize, align: usize) -> Option<Memory> {
        let room = len.checked_add(align.checked_sub(1)?)?;
        let mut bytes = Vec::new();
        bytes.try_reserve_exact(room.max(1)).ok()?;
        bytes.resize(room, 0);
        // The Vec's heap block never moves: it is never resized again, and
        // moving the Vec into the Memory moves only its header.
        let start = bytes.as_ptr() as usize;
        let skew = skew_to(start, align);
        let addr = start + skew;
        let base = u32::try_from(addr).ok().filter(|&b| b != 0)?;
        u32::try_from(addr.checked_add(len)?).ok()?;
        bytes.truncate(skew + len);
        Some(Memory { base, bytes, windows: Vec::new(), blocks: 0, skew, results: Vec::new(), real: true })
    }
    // [native-calls] end

    /// The interpreter's view: start pointer and length of the bytes. The
    /// block is never resized, so the pointer stays put; callers take a fresh
    /// view after anything else used this `Memory` mutably.
    pub(crate) fn raw(&mut self) -> RawMem {
        let skew = self.skew;
        let block = &mut self.bytes[skew..];
        let len = block.len();
        RawMem {
            ptr: block.as_mut_ptr(),
            len,
            ends: [1, 2, 4, 8].map(|n| (len + 1).saturating_sub(n)),
            base: self.base,
            windows: self.windows.as_ptr(),
            nwindows: self.windows.len(),
            results: self.results.as_ptr(),
            nresults: self.results.len(),
        }
    }

    /// Lets the module reach firmware memory in `windows` by its real
    /// addresses, as each window's [`Access`] allows. Only for a block made
    /// by [`Memory::try_new_native`], whose addresses are real too.
    ///
    /// # Safety
    /// Every window must be memory the firmware allows the module to read,
    /// and to write where the window says so, for the life of this `Memory`,
    /// at those addresses.
    pub unsafe fn set_firmware_windows(&mut self, windows: &[Window]) {
        self.windows = windows.iter().copied().filter(|w| w.start < w.end).collect();
        self.blocks = self.windows.len();
    }

    /// Also lets the module reach a data import's object (`Window` as its
    /// table's `data:SIZE` says), for the life of this `Memory`. `false`,
    /// and nothing granted, when the firmware heap has no room to note it.
    ///
    /// # Safety
    /// As for [`Memory::set_firmware_windows`].
    pub(crate) unsafe fn grant_data(&mut self, w: Window) -> bool {
        if w.start >= w.end || self.windows.try_reserve(1).is_err() {
            return w.start >= w.end;
        }
        self.windows.insert(self.blocks, w);
        self.blocks += 1;
        true
    }

    /// The windows the module may reach now (firmware, data imports, heap
    /// blocks; natives' results are [`Memory::result_windows`]).
    pub fn windows(&self) -> &[Window] {
        &self.windows
    }

    /// The windows over natives' results, with the task each is for.
    pub fn result_windows(&self) -> &[(Window, usize)] {
        &self.results
    }

    /// Whether module addresses are real addresses.
    pub fn is_real(&self) -> bool {
        self.real
    }

    /// Whether `w` is reachable already for `task` (the block, a window,
    /// or a grant of its own allows it: another task's grant may go first).
    fn covers(&self, w: &Window, task: usize) -> bool {
        let n = (w.end - w.start) as usize;
        let store = w.access == Access::ReadWrite;
        let inside_block = w.start >= self.base && u64::from(w.end) <= u64::from(self.base) + self.len() as u64;
        inside_block
            || self.windows.iter().any(|x| x.allows(w.start, n, store))
            || self.results.iter().any(|(x, t)| *t == task && x.allows(w.start, n, store))
    }

    /// Lets the module reach what a native returned at `addr`, as the
    /// native's result annotation says, until `task` ends
    /// ([`Memory::revoke_task`]) or [`MAX_RESULT_GRANTS`] newer grants push
    /// it out. NULL, a string longer than [`MAX_RESULT_STR`], or no room in
    /// the firmware heap: nothing is granted (the module traps if it reads).
    ///
    /// # Safety
    /// `addr` is what a native of the firmware's table returned, and the
    /// table says what lies there: a NUL-terminated string (read here to
    /// find its end) or an object of that size, readable (and writable when
    /// the annotation says so) while `task` lives.
    pub(crate) unsafe fn grant_result(&mut self, addr: u32, what: crate::signature::ResultMem, task: usize) {
        use crate::signature::ResultMem;
        if !self.real || addr == 0 {
            return;
        }
        let w = match what {
            ResultMem::None => return,
            ResultMem::Obj { size, writable } => {
                let Some(end) = addr.checked_add(u32::from(size)) else { return };
                Window { start: addr, end, access: if writable { Access::ReadWrite } else { Access::Read } }
            }
            ResultMem::Str => {
                if self.c_str_len(addr).is_some() {
                    return;
                }
                let room = (u32::MAX - addr).min(MAX_RESULT_STR as u32) as usize;
                // SAFETY: the caller's: a string lies at `addr`; the scan
                // stops at its NUL.
                let Some(n) = (0..room).find(|&k| unsafe { (addr as usize as *const u8).add(k).read() } == 0) else {
                    return;
                };
                Window::read(addr, addr + n as u32 + 1)
            }
        };
        if self.covers(&w, task) {
            return;
        }
        if self.results.len() >= MAX_RESULT_GRANTS {
            self.results.remove(0);
        } else if self.results.try_reserve(1).is_err() {
            return;
        }
        self.results.push((w, task));
    }

    /// Takes back the grants of natives' results made for `task` (it ended:
    /// its `errno` and `struct _reent` went with it).
    pub(crate) fn revoke_task(&mut self, task: usize) {
        self.results.retain(|&(_, t)| t != task);
    }

    /// Also lets the module read and write `len` bytes at `addr` (a block
    /// a `heap_caps_*` native allocated for it). `false`, and nothing
    /// granted, when the firmware heap has no room to note it.
    ///
    /// # Safety
    /// `addr..addr + len` is memory the module may read and write until
    /// [`Memory::revoke`] takes it back.
    pub(crate) unsafe fn grant(&mut self, addr: u32, len: u32) -> bool {
        let Some(end) = addr.checked_add(len) else { return false };
        if self.windows.try_reserve(1).is_err() {
            return false;
        }
        self.windows.push(Window::read_write(addr, end));
        true
    }

    /// Whether [`Memory::grant`] granted a block at `addr` that is still held.
    pub(crate) fn holds_block(&self, addr: u32) -> bool {
        self.windows[self.blocks..].iter().any(|w| w.start == addr)
    }

    /// Takes back the block [`Memory::grant`] granted at `addr` (none: nothing).
    pub(crate) fn revoke(&mut self, addr: u32) {
        if let Some(i) = self.windows[self.blocks..].iter().position(|w| w.start == addr) {
            self.windows.swap_remove(self.blocks + i);
        }
    }

    pub fn base(&self) -> u32 {
        self.base
    }

    pub fn len(&self) -> usize {
        self.bytes.len() - self.skew
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// One past the highest address.
    pub fn end(&self) -> u32 {
        self.base.wrapping_add(self.len() as u32)
    }

    /// The byte range for `len` bytes at `addr`, or an out-of-bounds trap.
    #[inline(always)]
    fn range(&self, addr: u32, len: usize) -> Result<core::ops::Range<usize>, Trap> {
        let off = addr.wrapping_sub(self.base) as usize;
        match off.checked_add(len) {
            Some(end) if end <= self.len() => Ok(off + self.skew..end + self.skew),
            _ => Err(Trap::new(TrapKind::OutOfBounds { addr, len: len as u32 })),
        }
    }

    #[inline(always)]
    pub fn slice(&self, addr: u32, len: usize) -> Result<&[u8], Trap> {
        let r = self.range(addr, len)?;
        Ok(&self.bytes[r])
    }

    #[inline(always)]
    pub fn slice_mut(&mut self, addr: u32, len: usize) -> Result<&mut [u8], Trap> {
        let r = self.range(addr, len)?;
        Ok(&mut self.bytes[r])
    }

    #[inline(always)]
    pub fn load<const N: usize>(&self, addr: u32) -> Result<[u8; N], Trap> {
        let s = self.slice(addr, N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    #[inline(always)]
    pub fn store<const N: usize>(&mut self, addr: u32, v: [u8; N]) -> Result<(), Trap> {
        self.slice_mut(addr, N)?.copy_from_slice(&v);
        Ok(())
    }

    pub fn read_u8(&self, addr: u32) -> Result<u8, Trap> {
        Ok(self.load::<1>(addr)?[0])
    }
    pub fn read_u16(&self, addr: u32) -> Result<u16, Trap> {
        Ok(u16::from_le_bytes(self.load(addr)?))
    }
    pub fn read_u32(&self, addr: u32) -> Result<u32, Trap> {
        Ok(u32::from_le_bytes(self.load(addr)?))
    }
    pub fn read_u64(&self, addr: u32) -> Result<u64, Trap> {
        Ok(u64::from_le_bytes(self.load(addr)?))
    }
    pub fn write_u8(&mut self, addr: u32, v: u8) -> Result<(), Trap> {
        self.store(addr, [v])
    }
    pub fn write_u16(&mut self, addr: u32, v: u16) -> Result<(), Trap> {
        self.store(addr, v.to_le_bytes())
    }
    pub fn write_u32(&mut self, addr: u32, v: u32) -> Result<(), Trap> {
        self.store(addr, v.to_le_bytes())
    }
    pub fn write_u64(&mut self, addr: u32, v: u64) -> Result<(), Trap> {
        self.store(addr, v.to_le_bytes())
    }

    /// The NUL-terminated string at `addr` (without the NUL).
    pub fn c_str(&self, addr: u32) -> Result<&[u8], Trap> {
        let start = self.range(addr, 0)?.start;
        match self.bytes[start..].iter().position(|&b| b == 0) {
            Some(n) => Ok(&self.bytes[start..start + n]),
            None => Err(Trap::new(TrapKind::OutOfBounds { addr, len: (self.bytes.len() - start + 1) as u32 })),
        }
    }

    /// Whether `len` bytes at `addr` lie inside the block or inside one
    /// writable firmware window (what a checked native may be handed as a
    /// buffer: the native may write it, so a read-only window does not do).
    pub fn accessible(&self, addr: u32, len: u64) -> bool {
        let end = u64::from(addr) + len;
        let inside = |s: u32, e: u64| addr >= s && end <= e;
        inside(self.base, u64::from(self.base) + self.len() as u64)
            || usize::try_from(len).is_ok_and(|n| {
                self.windows.iter().chain(self.results.iter().map(|(w, _)| w)).any(|w| w.allows(addr, n, true))
            })
    }

    /// The length of the NUL-terminated string at `addr`, when it and its
    /// NUL lie inside the block or inside one firmware window.
    pub fn c_str_len(&self, addr: u32) -> Option<usize> {
        if let Ok(s) = self.c_str(addr) {
            return Some(s.len());
        }
        let end = self
            .windows
            .iter()
            .chain(self.results.iter().map(|(w, _)| w))
            .find(|w| addr >= w.start && addr < w.end)?
            .end;
        // SAFETY: the window was declared readable at its real addresses by
        // the firmware (`set_firmware_windows` is unsafe), and the scan
        // stays inside it.
        let bytes = unsafe { core::slice::from_raw_parts(addr as usize as *const u8, (end - addr) as usize) };
        bytes.iter().position(|&b| b == 0)
    }

    /// memmove semantics: overlapping ranges are fine.
    pub fn copy_within(&mut self, dst: u32, src: u32, len: u32) -> Result<(), Trap> {
        let s = self.range(src, len as usize)?;
        let d = self.range(dst, len as usize)?;
        self.bytes.copy_within(s, d.start);
        Ok(())
    }

    pub fn fill(&mut self, dst: u32, val: u8, len: u32) -> Result<(), Trap> {
        self.slice_mut(dst, len as usize)?.fill(val);
        Ok(())
    }
}

/// How far past `start` the next multiple of `align` (a power of two) lies.
fn skew_to(start: usize, align: usize) -> usize {
    start.wrapping_neg() & (align - 1)
}

/// Bounds-checked loads and stores through a raw view of a [`Memory`], for
/// the interpreter's hot path (no double indirection through the instance).
#[derive(Clone, Copy)]
pub(crate) struct RawMem {
    ptr: *mut u8,
    len: usize,
    /// For an access of 1, 2, 4 or 8 bytes: the offsets below which it
    /// lies inside the block (`len + 1 - n`), so a fixed-size load or
    /// store checks one compare.
    ends: [usize; 4],
    base: u32,
    windows: *const Window,
    nwindows: usize,
    results: *const (Window, usize),
    nresults: usize,
}

/// An access outside the memory and every window, or a store into a
/// read-only window: what the trap reports. Small and `Copy`, so a failed
/// access comes back cheaply and the interpreter builds its trap at one
/// place.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Oob {
    addr: u32,
    len: u32,
    read_only: bool,
}

impl From<Oob> for TrapKind {
    fn from(o: Oob) -> TrapKind {
        if o.read_only {
            TrapKind::ReadOnly { addr: o.addr, len: o.len }
        } else {
            TrapKind::OutOfBounds { addr: o.addr, len: o.len }
        }
    }
}

/// What [`RawMem::in_window`] returns for an access no window allows, and
/// for a store into a read-only one (no window starts below 2).
const NO_WINDOW: usize = 0;
const READ_ONLY: usize = 1;

impl RawMem {
    /// A pointer to `n` bytes at module address `addr`: inside the block, or
    /// inside a firmware window (native-memory instances only).
    /// `store` says whether the bytes will be written.
    #[inline(always)]
    fn at(&self, addr: u32, n: usize, store: bool) -> Result<*mut u8, Oob> {
        let off = addr.wrapping_sub(self.base) as usize;
        match off.checked_add(n) {
            // SAFETY: off + n <= len: inside the block.
            Some(end) if end <= self.len => Ok(unsafe { self.ptr.add(off) }),
            _ => self.outside(addr, n, store),
        }
    }

    /// [`RawMem::in_window`] as a `Result`, kept out of the hot path.
    #[inline(always)]
    fn outside(&self, addr: u32, n: usize, store: bool) -> Result<*mut u8, Oob> {
        match self.in_window(addr, n, store) {
            NO_WINDOW => Err(Oob { addr, len: n as u32, read_only: false }),
            READ_ONLY => Err(Oob { addr, len: n as u32, read_only: true }),
            p => Ok(p as *mut u8),
        }
    }

    /// The real address of `n` bytes at `addr` inside a firmware window that
    /// allows the access, else [`NO_WINDOW`] or [`READ_ONLY`] (a plain
    /// integer comes back in a register).
    #[cold]
    #[inline(never)]
    fn in_window(&self, addr: u32, n: usize, store: bool) -> usize {
        // SAFETY: the pointer and length come from the Memory's Vec, which
        // outlives this view and is not changed while it is in use.
        let windows = unsafe { core::slice::from_raw_parts(self.windows, self.nwindows) };
        // SAFETY: as above, the Memory's other Vec.
        let results = unsafe { core::slice::from_raw_parts(self.results, self.nresults) };
        let mut all = windows.iter().chain(results.iter().map(|(w, _)| w));
        if addr <= READ_ONLY as u32 {
            NO_WINDOW
        } else if all.clone().any(|w| w.allows(addr, n, store)) {
            // The firmware declared this range accessible at its real
            // address (Memory::set_firmware_windows, grant_data, grant,
            // grant_result).
            addr as usize
        } else if store && all.any(|w| w.allows(addr, n, false)) {
            READ_ONLY
        } else {
            NO_WINDOW
        }
    }

    /// The `N` bytes at `addr` when they lie inside the block: the
    /// interpreter's hot path, one subtract and one compare. `None`: the
    /// access is for [`RawMem::load_outside`]. (Split in two so that the
    /// fast path's value stays in a register: a `Result` merged from both
    /// paths kept its fault fields live and in memory on every load.)
    #[inline(always)]
    pub(crate) fn load_inside<const N: usize>(&self, addr: u32) -> Option<[u8; N]> {
        const { assert!(N == 1 || N == 2 || N == 4 || N == 8) };
        let off = addr.wrapping_sub(self.base) as usize;
        if off < self.ends[N.trailing_zeros() as usize] {
            // SAFETY: off + N <= len: N readable bytes inside the block.
            Some(unsafe { self.ptr.add(off).cast::<[u8; N]>().read_unaligned() })
        } else {
            None
        }
    }

    /// A load [`RawMem::load_inside`] did not serve: a firmware window, or
    /// the fault.
    #[cold]
    #[inline(never)]
    pub(crate) fn load_outside<const N: usize>(&self, addr: u32) -> Result<[u8; N], Oob> {
        let p = self.at(addr, N, false)?;
        // SAFETY: `at` returned N readable bytes.
        Ok(unsafe { p.cast::<[u8; N]>().read_unaligned() })
    }

    /// Stores `v` at `addr` when the bytes lie inside the block; `false`:
    /// nothing written, the store is for [`RawMem::store_outside`].
    #[inline(always)]
    pub(crate) fn store_inside<const N: usize>(&self, addr: u32, v: [u8; N]) -> bool {
        const { assert!(N == 1 || N == 2 || N == 4 || N == 8) };
        let off = addr.wrapping_sub(self.base) as usize;
        if off < self.ends[N.trailing_zeros() as usize] {
            // SAFETY: off + N <= len: N writable bytes inside the block.
            unsafe { self.ptr.add(off).cast::<[u8; N]>().write_unaligned(v) };
            true
        } else {
            false
        }
    }

    /// A store [`RawMem::store_inside`] did not serve.
    #[cold]
    #[inline(never)]
    pub(crate) fn store_outside<const N: usize>(&self, addr: u32, v: [u8; N]) -> Result<(), Oob> {
        let p = self.at(addr, N, true)?;
        // SAFETY: `at` returned N writable bytes.
        unsafe { p.cast::<[u8; N]>().write_unaligned(v) };
        Ok(())
    }

    /// Either path, for code off the hot path (`complex.f128`) and tests.
    pub(crate) fn load<const N: usize>(&self, addr: u32) -> Result<[u8; N], Oob> {
        self.load_inside(addr).map_or_else(|| self.load_outside(addr), Ok)
    }

    /// Either path, for code off the hot path and tests.
    pub(crate) fn store<const N: usize>(&self, addr: u32, v: [u8; N]) -> Result<(), Oob> {
        if self.store_inside(addr, v) { Ok(()) } else { self.store_outside(addr, v) }
    }

    /// memmove: either side may be a firmware window.
    pub(crate) fn copy(&self, dst: u32, src: u32, len: u32) -> Result<(), Oob> {
        let (d, s) = (self.at(dst, len as usize, true)?, self.at(src, len as usize, false)?);
        // SAFETY: both ranges are accessible (`at`); `copy` allows overlap.
        unsafe { core::ptr::copy(s, d, len as usize) };
        Ok(())
    }

    pub(crate) fn fill(&self, dst: u32, val: u8, len: u32) -> Result<(), Oob> {
        let d = self.at(dst, len as usize, true)?;
        // SAFETY: the range is writable (`at`).
        unsafe { core::ptr::write_bytes(d, val, len as usize) };
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Addresses outside the block go to the windows; a store needs a
    /// writable one. (Only the checks run: nothing here is dereferenced.)
    #[test]
    fn windows_allow_what_their_access_says() {
        let mut m = Memory::new(0x1000, 64);
        // SAFETY: nothing is read or written through these windows.
        unsafe {
            m.set_firmware_windows(&[
                Window::read(0x9000_0000, 0x9000_0100),
                Window::read_write(0xA000_0000, 0xA000_0010),
            ])
        };
        let raw = m.raw();
        let kind = |r: Result<*mut u8, Oob>| r.map(|_| ()).map_err(TrapKind::from);
        assert_eq!(kind(raw.at(0x9000_0000, 4, false)), Ok(()));
        assert_eq!(kind(raw.at(0x9000_0000, 4, true)), Err(TrapKind::ReadOnly { addr: 0x9000_0000, len: 4 }));
        assert_eq!(
            raw.fill(0x9000_0010, 0, 8).map_err(TrapKind::from),
            Err(TrapKind::ReadOnly { addr: 0x9000_0010, len: 8 })
        );
        let copy = raw.copy(0x9000_0010, 0x1000, 8).map_err(TrapKind::from);
        assert_eq!(copy, Err(TrapKind::ReadOnly { addr: 0x9000_0010, len: 8 }), "memcpy into a read-only window");
        assert_eq!(
            raw.load::<4>(0x9000_00FE).map_err(TrapKind::from),
            Err(TrapKind::OutOfBounds { addr: 0x9000_00FE, len: 4 })
        );
        assert_eq!(raw.load::<4>(0x1000 + 60).map_err(TrapKind::from), Ok([0; 4]), "the last word of the block");
        assert_eq!(
            raw.store::<4>(0x1000 + 61, [1; 4]).map_err(TrapKind::from),
            Err(TrapKind::OutOfBounds { addr: 0x1000 + 61, len: 4 })
        );
        assert_eq!(
            raw.store::<2>(0x9000_0000, [1; 2]).map_err(TrapKind::from),
            Err(TrapKind::ReadOnly { addr: 0x9000_0000, len: 2 })
        );
        assert_eq!(kind(raw.at(0xA000_0000, 16, true)), Ok(()));
        assert_eq!(kind(raw.at(0xA000_0008, 16, true)), Err(TrapKind::OutOfBounds { addr: 0xA000_0008, len: 16 }));
        assert_eq!(kind(raw.at(0x1000, 64, true)), Ok(()), "the module's own memory");
    }

    #[test]
    fn native_blocks_start_at_the_alignment_asked_for() {
        for (start, align, skew) in [(0x1001, 4096, 4095), (0x2000, 4096, 0), (0x1008, 16, 8), (0x1234, 1, 0)] {
            assert_eq!(skew_to(start, align), skew, "{start:#x} to {align}");
            assert_eq!((start + skew) % align, 0);
        }
    }

    #[test]
    fn granted_blocks_are_writable_until_revoked() {
        let mut m = Memory::new(0x1000, 64);
        // SAFETY: nothing is read or written through these windows.
        unsafe { m.set_firmware_windows(&[Window::read(0xB000_0000, 0xB100_0000)]) };
        assert!(!m.holds_block(0xB000_0000), "a firmware window is no block");
        // SAFETY: as above.
        assert!(unsafe { m.grant(0xB000_0040, 32) });
        assert!(m.holds_block(0xB000_0040));
        assert!(m.raw().at(0xB000_0040, 32, true).is_ok());
        m.revoke(0xB000_0040);
        assert!(!m.holds_block(0xB000_0040));
        let after = m.raw().at(0xB000_0040, 4, true).map_err(TrapKind::from);
        assert_eq!(after.err(), Some(TrapKind::ReadOnly { addr: 0xB000_0040, len: 4 }), "read-only DRAM again");
        m.revoke(0xB000_0000);
        assert_eq!(m.windows().len(), 1, "revoking takes back blocks only");
    }

    /// What natives return becomes a window of the calling task, as the
    /// result annotation says, and goes when the task ends or when newer
    /// grants push it out. (Only the checks run: nothing is dereferenced.)
    #[test]
    fn results_are_granted_per_task_as_annotated() {
        use crate::signature::ResultMem;
        let mut m = Memory::new(0x1000, 64);
        m.real = true;
        let errno = ResultMem::Obj { size: 4, writable: true };
        let reent = ResultMem::Obj { size: 16, writable: false };
        // SAFETY: nothing is read or written through these windows.
        unsafe {
            m.grant_result(0xA000_0000, errno, 7);
            m.grant_result(0xA000_0000, reent, 7);
            m.grant_result(0xA000_0000, reent, 7);
            m.grant_result(0, reent, 7);
            m.grant_result(0x1010, reent, 7);
            m.grant_result(0xB000_0000, ResultMem::None, 7);
            m.grant_result(0xB000_0000, errno, 8);
            m.grant_result(0xA000_0004, ResultMem::Obj { size: 4, writable: false }, 8);
        }
        assert_eq!(m.result_windows().len(), 4, "NULL, a repeat, own memory and a plain pointer grant nothing");
        let kind = |m: &mut Memory, a, n, store| m.raw().at(a, n, store).map(|_| ()).map_err(TrapKind::from);
        assert_eq!(kind(&mut m, 0xA000_0000, 4, true), Ok(()), "errno is writable");
        assert_eq!(kind(&mut m, 0xA000_000C, 4, false), Ok(()), "stderr is readable");
        assert_eq!(kind(&mut m, 0xA000_000C, 4, true), Err(TrapKind::ReadOnly { addr: 0xA000_000C, len: 4 }));
        assert_eq!(kind(&mut m, 0xA000_0010, 1, false), Err(TrapKind::OutOfBounds { addr: 0xA000_0010, len: 1 }));
        assert!(m.accessible(0xA000_0000, 4) && !m.accessible(0xA000_0004, 4), "a native may be handed errno");
        m.revoke_task(7);
        assert_eq!(kind(&mut m, 0xA000_0000, 4, false), Err(TrapKind::OutOfBounds { addr: 0xA000_0000, len: 4 }));
        assert_eq!(kind(&mut m, 0xB000_0000, 4, true), Ok(()), "another task's grant stays");
        assert_eq!(kind(&mut m, 0xA000_0004, 4, false), Ok(()), "its own, though task 7's covered it");
        for k in 0..MAX_RESULT_GRANTS as u32 {
            // SAFETY: as above.
            unsafe { m.grant_result(0xC000_0000 + 16 * k, reent, 9) };
        }
        assert_eq!(m.result_windows().len(), MAX_RESULT_GRANTS);
        assert!(kind(&mut m, 0xB000_0000, 4, false).is_err(), "the oldest grant went");
        let mut pc = Memory::new(0x1000, 64);
        // SAFETY: as above.
        unsafe { pc.grant_result(0xA000_0000, errno, 7) };
        assert!(pc.result_windows().is_empty(), "no windows where addresses are not real");
    }

    #[test]
    fn data_windows_come_before_heap_blocks() {
        let mut m = Memory::new(0x1000, 64);
        // SAFETY: nothing is read or written through these windows.
        unsafe {
            m.set_firmware_windows(&[]);
            assert!(m.grant(0xB000_0040, 32));
            assert!(m.grant_data(Window::read(0x9000_0000, 0x9000_0004)));
            assert!(m.grant_data(Window::read(0x9000_0010, 0x9000_0010)), "an empty window is nothing to note");
        }
        assert_eq!(m.windows().len(), 2);
        assert!(m.holds_block(0xB000_0040) && !m.holds_block(0x9000_0000), "a data import is no heap block");
        m.revoke(0x9000_0000);
        assert!(m.raw().at(0x9000_0000, 4, false).is_ok(), "revoking takes back blocks only");
        assert!(m.raw().at(0x9000_0001, 4, false).is_err(), "not a byte past the object");
    }
}
