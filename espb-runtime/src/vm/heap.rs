//! The module's private heap: `malloc`/`free` of the module are served from
//! a region of its own linear memory.
//!
//! The bookkeeping lives outside that memory, so a module that scribbles
//! over its heap cannot corrupt the allocator, and freeing a pointer that was
//! never allocated is caught (a trap) instead of silently corrupting state.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

/// Alignment of every block (riscv32's `max_align_t` with 16-byte long double).
pub const HEAP_ALIGN: u32 = 16;

#[derive(Debug, Clone)]
pub struct Heap {
    start: u32,
    end: u32,
    /// Free blocks as (address, size), sorted by address, never adjacent.
    free: Vec<(u32, u32)>,
    /// Live blocks: address -> size actually reserved.
    live: BTreeMap<u32, u32>,
}

/// Why a `free`/`realloc` was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidFree(pub u32);

impl Heap {
    /// A heap over module addresses `start..end` (both aligned by the caller).
    pub fn new(start: u32, end: u32) -> Heap {
        let free = if end > start { alloc::vec![(start, end - start)] } else { Vec::new() };
        Heap { start, end, free, live: BTreeMap::new() }
    }

    pub fn start(&self) -> u32 {
        self.start
    }

    pub fn end(&self) -> u32 {
        self.end
    }

    /// Bytes currently handed out.
    pub fn used(&self) -> u32 {
        self.live.values().sum()
    }

    /// First fit. Returns 0 (NULL) when no block is large enough, like C.
    pub fn malloc(&mut self, size: u32) -> u32 {
        let Some(size) = size.max(1).checked_add(HEAP_ALIGN - 1).map(|s| s & !(HEAP_ALIGN - 1)) else {
            return 0;
        };
        let Some(i) = self.free.iter().position(|&(_, s)| s >= size) else {
            return 0;
        };
        let (addr, avail) = self.free[i];
        if avail == size {
            self.free.remove(i);
        } else {
            self.free[i] = (addr + size, avail - size);
        }
        self.live.insert(addr, size);
        addr
    }

    /// A block of `size` bytes at a multiple of `align` (a power of two;
    /// smaller than [`HEAP_ALIGN`] is [`HEAP_ALIGN`]), first fit; 0 (NULL)
    /// when none fits. The bytes before the aligned address stay free.
    pub fn malloc_aligned(&mut self, align: u32, size: u32) -> u32 {
        if align <= HEAP_ALIGN {
            return self.malloc(size);
        }
        let Some(size) = size.max(1).checked_add(HEAP_ALIGN - 1).map(|s| s & !(HEAP_ALIGN - 1)) else {
            return 0;
        };
        let fits = |&(a, s): &(u32, u32)| {
            let at = a.checked_add(align - 1)? & !(align - 1);
            (u64::from(at - a) + u64::from(size) <= u64::from(s)).then_some(at)
        };
        let Some((i, at)) = self.free.iter().enumerate().find_map(|(i, b)| fits(b).map(|at| (i, at))) else {
            return 0;
        };
        let (addr, avail) = self.free[i];
        let (lead, tail) = (at - addr, avail - (at - addr) - size);
        // Blocks keep HEAP_ALIGN granularity: `lead` and `tail` are multiples of it.
        let mut keep = alloc::vec::Vec::with_capacity(2);
        if lead > 0 {
            keep.push((addr, lead));
        }
        if tail > 0 {
            keep.push((at + size, tail));
        }
        self.free.splice(i..=i, keep);
        self.live.insert(at, size);
        at
    }

    /// The usable size of a live block.
    pub fn block_size(&self, addr: u32) -> Option<u32> {
        self.live.get(&addr).copied()
    }

    /// Frees a block; `free(NULL)` is a no-op.
    pub fn free(&mut self, addr: u32) -> Result<(), InvalidFree> {
        if addr == 0 {
            return Ok(());
        }
        let size = self.live.remove(&addr).ok_or(InvalidFree(addr))?;
        let i = self.free.partition_point(|&(a, _)| a < addr);
        self.free.insert(i, (addr, size));
        // Merge with the next block, then with the previous one.
        if i + 1 < self.free.len() && self.free[i].0 + self.free[i].1 == self.free[i + 1].0 {
            self.free[i].1 += self.free[i + 1].1;
            self.free.remove(i + 1);
        }
        if i > 0 && self.free[i - 1].0 + self.free[i - 1].1 == self.free[i].0 {
            self.free[i - 1].1 += self.free[i].1;
            self.free.remove(i);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocates_frees_and_coalesces() {
        let mut h = Heap::new(0x1000, 0x1000 + 256);
        let a = h.malloc(10);
        let b = h.malloc(100);
        let c = h.malloc(16);
        assert_eq!(a, 0x1000);
        assert_eq!(b, 0x1010);
        assert_ne!(c, 0);
        assert_eq!(h.malloc(1000), 0, "too large gives NULL");
        h.free(b).unwrap();
        h.free(a).unwrap();
        h.free(c).unwrap();
        assert_eq!(h.free, alloc::vec![(0x1000, 256)]);
        assert_eq!(h.free(a), Err(InvalidFree(a)), "double free is caught");
        assert_eq!(h.free(0x1234), Err(InvalidFree(0x1234)));
        assert_eq!(h.malloc(256), 0x1000);
    }

    #[test]
    fn aligned_blocks_leave_the_bytes_before_them_free() {
        let mut h = Heap::new(0x1000, 0x1000 + 512);
        let a = h.malloc(16);
        let b = h.malloc_aligned(128, 40);
        assert_eq!((a, b), (0x1000, 0x1080));
        assert_eq!(h.block_size(b), Some(48));
        assert_eq!(h.malloc(64), 0x1010, "the gap before the aligned block is used");
        assert_eq!(h.malloc_aligned(256, 300), 0, "no aligned room");
        assert_eq!(h.malloc_aligned(8, 8), 0x1050, "small alignments are the heap's own");
        assert_eq!(h.malloc_aligned(1 << 31, 16), 0);
        for p in [a, b, 0x1010, 0x1050] {
            h.free(p).unwrap();
        }
        assert_eq!(h.free, alloc::vec![(0x1000, 512)]);
    }
}
