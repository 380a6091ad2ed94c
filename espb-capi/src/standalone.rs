//! `standalone`: what a staticlib linked into C firmware needs from Rust's
//! side: a global allocator over the C library's `malloc`/`free`/`realloc`
//! and a panic handler that calls `abort()`.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

unsafe extern "C" {
    fn malloc(size: usize) -> *mut c_void;
    fn free(p: *mut c_void);
    fn realloc(p: *mut c_void, size: usize) -> *mut c_void;
    #[cfg(target_os = "none")]
    fn abort() -> !;
}

/// Alignment every `malloc` result has (ESP-IDF's heap guarantees 4 bytes on
/// 32-bit chips); larger alignments over-allocate.
const MALLOC_ALIGN: usize = 4;
const WORD: usize = core::mem::size_of::<usize>();

/// Allocator over `malloc`. An over-aligned block is placed inside a larger
/// `malloc` block; the word before it holds the `malloc` pointer.
pub struct CAlloc;

unsafe impl GlobalAlloc for CAlloc {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        if l.align() <= MALLOC_ALIGN {
            // SAFETY: plain C allocation.
            return unsafe { malloc(l.size()) }.cast();
        }
        let Some(total) = l.size().checked_add(l.align() + WORD) else {
            return core::ptr::null_mut();
        };
        // SAFETY: plain C allocation.
        let raw = unsafe { malloc(total) }.cast::<u8>();
        if raw.is_null() {
            return raw;
        }
        let offset = (raw as usize + WORD).next_multiple_of(l.align()) - raw as usize;
        // SAFETY: `WORD <= offset <= align + WORD - 1`, so the block and the
        // word before it lie within the `total` bytes allocated.
        unsafe {
            let p = raw.add(offset);
            p.sub(WORD).cast::<*mut u8>().write_unaligned(raw);
            p
        }
    }

    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        if l.align() <= MALLOC_ALIGN {
            // SAFETY: `p` came from `malloc` above.
            unsafe { free(p.cast()) };
        } else {
            // SAFETY: `alloc` stored the `malloc` pointer in the word before `p`.
            unsafe { free(p.sub(WORD).cast::<*mut u8>().read_unaligned().cast()) };
        }
    }

    unsafe fn realloc(&self, p: *mut u8, l: Layout, new_size: usize) -> *mut u8 {
        if l.align() <= MALLOC_ALIGN {
            // SAFETY: `p` came from `malloc` above.
            return unsafe { realloc(p.cast(), new_size) }.cast();
        }
        // SAFETY: GlobalAlloc's contract, passed on.
        unsafe {
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, l.align()));
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(p, new, l.size().min(new_size));
                self.dealloc(p, l);
            }
            new
        }
    }
}

#[global_allocator]
static ALLOC: CAlloc = CAlloc;

#[cfg(target_os = "none")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: C's abort never returns.
    unsafe { abort() }
}
