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

pub struct Memory {
    base: u32,
    bytes: Vec<u8>,
    /// Firmware regions (start, end) a native-memory module may also read
    /// and write directly: data imports, strings and structs natives hand
    /// it. Empty on the PC, where addresses are not real.
    windows: Vec<(u32, u32)>,
}

impl Memory {
    /// `len` zeroed bytes at module address `base`. `base + len` must not
    /// wrap the 32-bit space; callers check that.
    pub fn new(base: u32, len: usize) -> Memory {
        Memory { base, bytes: vec![0; len], windows: Vec::new() }
    }

    /// Like [`Memory::new`], but `None` instead of aborting when the
    /// allocator cannot provide `len` bytes (a device with little RAM).
    pub fn try_new(base: u32, len: usize) -> Option<Memory> {
        let mut bytes = Vec::new();
        bytes.try_reserve_exact(len).ok()?;
        bytes.resize(len, 0);
        Some(Memory { base, bytes, windows: Vec::new() })
    }

    // [native-calls] begin: a block whose module addresses are its real
    // addresses (devices: pointers go to natives unchanged).
    /// `len` zeroed bytes whose module address is their native address.
    /// `None` when the allocator has no room, or when the block does not lie
    /// wholly below 4 GiB (a 64-bit host) or starts at 0.
    pub fn try_new_native(len: usize) -> Option<Memory> {
        let mut bytes = Vec::new();
        bytes.try_reserve_exact(len.max(1)).ok()?;
        bytes.resize(len, 0);
        // The Vec's heap block never moves: it is never resized again, and
        // moving the Vec into the Memory moves only its header.
        let addr = bytes.as_ptr() as usize;
        let base = u32::try_from(addr).ok().filter(|&b| b != 0)?;
        u32::try_from(addr.checked_add(len)?).ok()?;
        Some(Memory { base, bytes, windows: Vec::new() })
    }
    // [native-calls] end

    /// The interpreter's view: start pointer and length of the bytes. The
    /// block is never resized, so the pointer stays put; callers take a fresh
    /// view after anything else used this `Memory` mutably.
    pub(crate) fn raw(&mut self) -> RawMem {
        let len = self.bytes.len();
        RawMem {
            ptr: self.bytes.as_mut_ptr(),
            len,
            ends: [1, 2, 4, 8].map(|n| (len + 1).saturating_sub(n)),
            base: self.base,
            windows: self.windows.as_ptr(),
            nwindows: self.windows.len(),
        }
    }

    /// Lets the module reach firmware memory in `windows` (start, end) by
    /// its real addresses. Only for a block made by
    /// [`Memory::try_new_native`], whose addresses are real too.
    ///
    /// # Safety
    /// Every window must be memory the firmware allows the module to read
    /// and write for the life of this `Memory`, at those addresses.
    pub unsafe fn set_firmware_windows(&mut self, windows: &[(u32, u32)]) {
        self.windows = windows.iter().copied().filter(|(s, e)| s < e).collect();
    }

    pub fn base(&self) -> u32 {
        self.base
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// One past the highest address.
    pub fn end(&self) -> u32 {
        self.base.wrapping_add(self.bytes.len() as u32)
    }

    /// The byte range for `len` bytes at `addr`, or an out-of-bounds trap.
    #[inline(always)]
    fn range(&self, addr: u32, len: usize) -> Result<core::ops::Range<usize>, Trap> {
        let off = addr.wrapping_sub(self.base) as usize;
        match off.checked_add(len) {
            Some(end) if end <= self.bytes.len() => Ok(off..end),
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
    /// firmware window (what a checked native may be handed).
    pub fn accessible(&self, addr: u32, len: u64) -> bool {
        let end = u64::from(addr) + len;
        let inside = |s: u32, e: u64| addr >= s && end <= e;
        inside(self.base, u64::from(self.base) + self.bytes.len() as u64)
            || self.windows.iter().any(|&(s, e)| inside(s, u64::from(e)))
    }

    /// The length of the NUL-terminated string at `addr`, when it and its
    /// NUL lie inside the block or inside one firmware window.
    pub fn c_str_len(&self, addr: u32) -> Option<usize> {
        if let Ok(s) = self.c_str(addr) {
            return Some(s.len());
        }
        let &(_, end) = self.windows.iter().find(|&&(s, e)| addr >= s && addr < e)?;
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
    windows: *const (u32, u32),
    nwindows: usize,
}

impl RawMem {
    /// A pointer to `n` bytes at module address `addr`: inside the block, or
    /// inside a firmware window (native-memory instances only).
    #[inline(always)]
    fn at(&self, addr: u32, n: usize) -> Result<*mut u8, Trap> {
        let off = addr.wrapping_sub(self.base) as usize;
        match off.checked_add(n) {
            // SAFETY: off + n <= len: inside the block.
            Some(end) if end <= self.len => Ok(unsafe { self.ptr.add(off) }),
            _ => self.in_window(addr, n),
        }
    }

    #[cold]
    fn in_window(&self, addr: u32, n: usize) -> Result<*mut u8, Trap> {
        // SAFETY: the pointer and length come from the Memory's Vec, which
        // outlives this view and is not changed while it is in use.
        let windows = unsafe { core::slice::from_raw_parts(self.windows, self.nwindows) };
        let end = u64::from(addr) + n as u64;
        if windows.iter().any(|&(s, e)| addr >= s && end <= u64::from(e)) {
            // The firmware declared this range accessible at its real
            // address (Memory::set_firmware_windows).
            Ok(addr as usize as *mut u8)
        } else {
            Err(Trap::new(TrapKind::OutOfBounds { addr, len: n as u32 }))
        }
    }

    /// Like [`RawMem::at`] for a fixed size of 1, 2, 4 or 8 bytes.
    #[inline(always)]
    fn at_n<const N: usize>(&self, addr: u32) -> Result<*mut u8, Trap> {
        let off = addr.wrapping_sub(self.base) as usize;
        let end = self.ends[N.trailing_zeros() as usize];
        if off < end {
            // SAFETY: off + N <= len: inside the block.
            Ok(unsafe { self.ptr.add(off) })
        } else {
            self.in_window(addr, N)
        }
    }

    #[inline(always)]
    pub(crate) fn load<const N: usize>(&self, addr: u32) -> Result<[u8; N], Trap> {
        const { assert!(N == 1 || N == 2 || N == 4 || N == 8) };
        let p = self.at_n::<N>(addr)?;
        // SAFETY: `at` returned N accessible bytes.
        Ok(unsafe { p.cast::<[u8; N]>().read_unaligned() })
    }

    #[inline(always)]
    pub(crate) fn store<const N: usize>(&self, addr: u32, v: [u8; N]) -> Result<(), Trap> {
        const { assert!(N == 1 || N == 2 || N == 4 || N == 8) };
        let p = self.at_n::<N>(addr)?;
        // SAFETY: `at` returned N accessible bytes.
        unsafe { p.cast::<[u8; N]>().write_unaligned(v) };
        Ok(())
    }

    /// memmove: either side may be a firmware window.
    pub(crate) fn copy(&self, dst: u32, src: u32, len: u32) -> Result<(), Trap> {
        let (d, s) = (self.at(dst, len as usize)?, self.at(src, len as usize)?);
        // SAFETY: both ranges are accessible (`at`); `copy` allows overlap.
        unsafe { core::ptr::copy(s, d, len as usize) };
        Ok(())
    }

    pub(crate) fn fill(&self, dst: u32, val: u8, len: u32) -> Result<(), Trap> {
        let d = self.at(dst, len as usize)?;
        // SAFETY: the range is accessible (`at`).
        unsafe { core::ptr::write_bytes(d, val, len as usize) };
        Ok(())
    }
}
