//! wasm3 on bare metal: the calls into wasm3_driver.c, and the few C
//! library functions wasm3's sources need, which a bare-metal firmware has
//! no libc for: the allocator (over the firmware's heap), string helpers,
//! libm's rounding and square roots (the `libm` crate), newlib's
//! `__fpclassify*` (behind `isnan`), and `vsnprintf`
//! (error messages only: it copies the format, unformatted).

use alloc::string::String;
use core::ffi::{CStr, c_char, c_void};

type Runtime = *mut c_void;
type Function = *mut c_void;

unsafe extern "C" {
    fn wasm3_load(
        wasm: *const u8,
        len: u32,
        stack_bytes: u32,
        name: *const c_char,
        rt: *mut Runtime,
        f: *mut Function,
    ) -> *const c_char;
    fn wasm3_call(rt: Runtime, f: Function, n: i32, result: *mut u32) -> *const c_char;
    fn m3_GetMemory(rt: Runtime, size: *mut u32, index: u32) -> *mut u8;
}

/// wasm3's value stack, as in the PC column.
const STACK_BYTES: u32 = 64 * 1024;

/// A module loaded into its own runtime (never freed: the firmware runs
/// each kernel once).
pub struct Loaded {
    rt: Runtime,
    f: Function,
}

fn message(m: *const c_char) -> String {
    // SAFETY: wasm3's results are NUL-terminated static strings.
    String::from(unsafe { CStr::from_ptr(m) }.to_str().unwrap_or("wasm3 error"))
}

impl Loaded {
    pub fn new(wasm: &'static [u8], export: &CStr) -> Result<Loaded, String> {
        let (mut rt, mut f) = (core::ptr::null_mut(), core::ptr::null_mut());
        // SAFETY: the bytes outlive the runtime (static), the name is a C string.
        let r = unsafe { wasm3_load(wasm.as_ptr(), wasm.len() as u32, STACK_BYTES, export.as_ptr(), &mut rt, &mut f) };
        if r.is_null() { Ok(Loaded { rt, f }) } else { Err(message(r)) }
    }

    pub fn call(&self, n: i32) -> Result<u32, String> {
        let mut out = 0;
        // SAFETY: a runtime and function wasm3_load returned.
        let r = unsafe { wasm3_call(self.rt, self.f, n, &mut out) };
        if r.is_null() { Ok(out) } else { Err(message(r)) }
    }

    /// Bytes of the instance's linear memory.
    pub fn memory_size(&self) -> usize {
        let mut size = 0;
        // SAFETY: a live runtime; memory 0 is the only one.
        unsafe { m3_GetMemory(self.rt, &mut size, 0) };
        size as usize
    }
}

// ---- the C library wasm3 needs ---------------------------------------------

use alloc::alloc::{Layout, alloc_zeroed, dealloc};

/// Each block starts with its size, so free and realloc know it.
const HEADER: usize = 8;

fn layout(size: usize) -> Option<Layout> {
    Layout::from_size_align(size.checked_add(HEADER)?, HEADER).ok()
}

#[unsafe(no_mangle)]
pub extern "C" fn malloc(size: usize) -> *mut c_void {
    let Some(l) = layout(size) else { return core::ptr::null_mut() };
    // SAFETY: a non-zero-sized layout; the header records the size.
    unsafe {
        let p = alloc_zeroed(l);
        if p.is_null() {
            return p.cast();
        }
        (p as *mut usize).write(size);
        p.add(HEADER).cast()
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn calloc(n: usize, size: usize) -> *mut c_void {
    n.checked_mul(size).map_or(core::ptr::null_mut(), |b| malloc(b))
}

/// # Safety
/// `p` is null or came from malloc/calloc/realloc and is not freed yet.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn free(p: *mut c_void) {
    if p.is_null() {
        return;
    }
    // SAFETY: the caller's contract: a header precedes the block.
    unsafe {
        let base = (p as *mut u8).sub(HEADER);
        let size = (base as *const usize).read();
        dealloc(base, layout(size).unwrap_unchecked());
    }
}

/// # Safety
/// As for [`free`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn realloc(p: *mut c_void, size: usize) -> *mut c_void {
    let q = malloc(size);
    if !p.is_null() && !q.is_null() {
        // SAFETY: both blocks are live; copy the smaller size.
        unsafe {
            let old = ((p as *mut u8).sub(HEADER) as *const usize).read();
            core::ptr::copy_nonoverlapping(p as *const u8, q as *mut u8, old.min(size));
            free(p);
        }
    }
    q
}

#[unsafe(no_mangle)]
pub extern "C" fn abort() -> ! {
    panic!("wasm3 called abort()")
}

// These two walk the bytes themselves: CStr::from_ptr calls strlen, which
// would be themselves.

/// # Safety
/// `s` is a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strlen(s: *const c_char) -> usize {
    let mut n = 0;
    // SAFETY: the caller's contract: every byte up to the NUL is readable.
    while unsafe { *s.add(n) } != 0 {
        n += 1;
    }
    n
}

/// # Safety
/// Both are NUL-terminated strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strcmp(a: *const c_char, b: *const c_char) -> i32 {
    let (a, b) = (a.cast::<u8>(), b.cast::<u8>());
    let mut i = 0;
    loop {
        // SAFETY: the caller's contract; the loop stops at either NUL.
        let (x, y) = unsafe { (*a.add(i), *b.add(i)) };
        if x != y || x == 0 {
            return i32::from(x) - i32::from(y);
        }
        i += 1;
    }
}

/// Decimal only (wasm3 parses call arguments with base 10).
///
/// # Safety
/// `s` is a NUL-terminated string; `end` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strtoull(s: *const c_char, end: *mut *const c_char, _base: i32) -> u64 {
    // SAFETY: the caller's contract.
    let bytes = unsafe { CStr::from_ptr(s) }.to_bytes();
    let (neg, digits) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    let len = digits.iter().take_while(|b| b.is_ascii_digit()).count();
    let v = digits[..len].iter().fold(0u64, |v, &d| v.wrapping_mul(10).wrapping_add(u64::from(d - b'0')));
    if !end.is_null() {
        // SAFETY: the caller's contract.
        unsafe { *end = s.add(bytes.len() - digits.len() + len) };
    }
    if neg { v.wrapping_neg() } else { v }
}

/// # Safety
/// As for [`strtoull`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strtoul(s: *const c_char, end: *mut *const c_char, base: i32) -> u32 {
    // SAFETY: the caller's contract.
    unsafe { strtoull(s, end, base) as u32 }
}

/// Copies the format without formatting (wasm3 uses it for its error
/// message buffer only).
///
/// # Safety
/// `buf` has room for `size` bytes; `fmt` is a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn vsnprintf(buf: *mut u8, size: usize, fmt: *const c_char, _ap: *mut c_void) -> i32 {
    // SAFETY: the caller's contract.
    let f = unsafe { CStr::from_ptr(fmt) }.to_bytes();
    if size > 0 {
        let n = f.len().min(size - 1);
        // SAFETY: n < size bytes fit in buf.
        unsafe {
            core::ptr::copy_nonoverlapping(f.as_ptr(), buf, n);
            buf.add(n).write(0);
        }
    }
    f.len() as i32
}

macro_rules! libm_fns {
    ($($name:ident($($a:ident: $t:ty),*) -> $r:ty;)*) => {$(
        #[unsafe(no_mangle)]
        pub extern "C" fn $name($($a: $t),*) -> $r {
            libm::$name($($a),*)
        }
    )*};
}

libm_fns! {
    ceil(x: f64) -> f64; ceilf(x: f32) -> f32;
    floor(x: f64) -> f64; floorf(x: f32) -> f32;
    trunc(x: f64) -> f64; truncf(x: f32) -> f32;
    rint(x: f64) -> f64; rintf(x: f32) -> f32;
    sqrt(x: f64) -> f64; sqrtf(x: f32) -> f32;
    fabs(x: f64) -> f64; fabsf(x: f32) -> f32;
    copysign(x: f64, y: f64) -> f64; copysignf(x: f32, y: f32) -> f32;
}

/// newlib's `fpclassify` (FP_NAN 0, FP_INFINITE 1, FP_ZERO 2, FP_SUBNORMAL
/// 3, FP_NORMAL 4), which its isnan/signbit macros call.
fn classify(category: core::num::FpCategory) -> i32 {
    use core::num::FpCategory::*;
    match category {
        Nan => 0,
        Infinite => 1,
        Zero => 2,
        Subnormal => 3,
        Normal => 4,
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn __fpclassifyf(x: f32) -> i32 {
    classify(x.classify())
}

#[unsafe(no_mangle)]
pub extern "C" fn __fpclassifyd(x: f64) -> i32 {
    classify(x.classify())
}
