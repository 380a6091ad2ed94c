//! The firmware's heap: first fit over a static arena, with a free list
//! sorted by address whose neighbours merge on free, so memory freed by
//! deleted tasks, queues and unloaded modules is reused, and
//! [`Heap::in_use`] shows whether something leaked. Blocks are multiples
//! of 8 bytes; a free block holds its size and the next free block in its
//! first two words. Every operation runs with interrupts masked (tasks
//! preempt each other).

use crate::rtos::port::critical;
use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;

pub const ARENA_BYTES: usize = 4 << 20;
const GRAIN: usize = 8;

#[repr(C)]
struct Free {
    size: usize,
    next: *mut Free,
}

struct State {
    /// First free block (lowest address); null when none.
    free: *mut Free,
    in_use: usize,
    initialized: bool,
}

#[repr(C, align(16))]
struct Arena([u8; ARENA_BYTES]);

pub struct Heap {
    arena: UnsafeCell<Arena>,
    state: UnsafeCell<State>,
}

// SAFETY: one hart, and the state is only touched with interrupts masked.
unsafe impl Sync for Heap {}

impl Heap {
    pub const fn new() -> Heap {
        Heap {
            arena: UnsafeCell::new(Arena([0; ARENA_BYTES])),
            state: UnsafeCell::new(State { free: core::ptr::null_mut(), in_use: 0, initialized: false }),
        }
    }

    /// The arena's address range.
    pub fn range(&self) -> core::ops::Range<usize> {
        let base = self.arena.get() as usize;
        base..base + ARENA_BYTES
    }

    /// Bytes allocated and not freed (rounded up to the block size).
    pub fn in_use(&self) -> usize {
        self.with_state(|s| s.in_use)
    }

    /// Runs `f` on the state with interrupts masked (the free list made
    /// on first use).
    fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        critical(|| {
            // SAFETY: masked, and `f` does not reach the heap: the only
            // reference.
            let s = unsafe { &mut *self.state.get() };
            if !s.initialized {
                let block = self.arena.get().cast::<Free>();
                // SAFETY: the arena is 16-aligned and larger than a Free.
                unsafe { block.write(Free { size: ARENA_BYTES, next: core::ptr::null_mut() }) };
                s.free = block;
                s.initialized = true;
            }
            f(s)
        })
    }
}

fn block_size(layout: Layout) -> usize {
    layout.size().max(1).next_multiple_of(GRAIN)
}

/// Puts `[at, at + size)` on the free list in address order and merges it
/// with the blocks it touches.
///
/// # Safety
/// The range is inside the arena, GRAIN-aligned, and free.
unsafe fn insert(s: &mut State, at: usize, size: usize) {
    let mut prev: *mut Free = core::ptr::null_mut();
    let mut next = s.free;
    while !next.is_null() && (next as usize) < at {
        prev = next;
        // SAFETY: a free block of the list.
        next = unsafe { (*next).next };
    }
    let block = at as *mut Free;
    // SAFETY: the caller's range is free and can hold a Free.
    unsafe { block.write(Free { size, next }) };
    // SAFETY: free blocks of the list (and the new one).
    unsafe {
        if !next.is_null() && at + size == next as usize {
            (*block).size += (*next).size;
            (*block).next = (*next).next;
        }
        if prev.is_null() {
            s.free = block;
        } else if prev as usize + (*prev).size == at {
            (*prev).size += (*block).size;
            (*prev).next = (*block).next;
        } else {
            (*prev).next = block;
        }
    }
}

unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let size = block_size(layout);
        let align = layout.align().max(GRAIN);
        self.with_state(|s| {
            let mut prev: *mut Free = core::ptr::null_mut();
            let mut cur = s.free;
            while !cur.is_null() {
                // SAFETY: a free block of the list.
                let (start, len, next) = unsafe { (cur as usize, (*cur).size, (*cur).next) };
                let at = start.next_multiple_of(align);
                if at + size <= start + len {
                    // Unlink, then give the unused head and tail back.
                    if prev.is_null() {
                        s.free = next;
                    } else {
                        // SAFETY: a free block of the list.
                        unsafe { (*prev).next = next };
                    }
                    // SAFETY: both parts are free, aligned ranges of the block.
                    unsafe {
                        if at > start {
                            insert(s, start, at - start);
                        }
                        if start + len > at + size {
                            insert(s, at + size, start + len - at - size);
                        }
                    }
                    s.in_use += size;
                    return at as *mut u8;
                }
                prev = cur;
                cur = next;
            }
            core::ptr::null_mut()
        })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let size = block_size(layout);
        self.with_state(|s| {
            s.in_use -= size;
            // SAFETY: `ptr` was allocated here with `layout`: its block is
            // `size` bytes, and now free.
            unsafe { insert(s, ptr as usize, size) };
        })
    }
}
