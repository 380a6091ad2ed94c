//! The kernels: one C file each in `bench/c/`, one exported function
//! `unsigned-or-int bench_X(int n)`, no libc, no imports. The native build
//! comes from build.rs (linked into this binary); the sources are embedded
//! here for the wasm and espb builds.

use std::ffi::c_int;

unsafe extern "C" {
    fn bench_fib(n: c_int) -> c_int;
    fn bench_sieve(n: c_int) -> u32;
    fn bench_crc32(n: c_int) -> u32;
}

/// One benchmark kernel.
pub struct Kernel {
    /// Short name for the table.
    pub name: &'static str,
    /// File name in `bench/c/`.
    pub file: &'static str,
    /// The C source (embedded).
    pub source: &'static str,
    /// The exported C function.
    pub export: &'static str,
    /// Argument for the timed run, and the result it must give.
    pub bench_arg: i32,
    pub bench_expect: u32,
    /// Argument for the smoke test, and the result it must give.
    pub smoke_arg: i32,
    pub smoke_expect: u32,
    /// Print the result in hex (checksums).
    pub hex: bool,
    native: fn(i32) -> u32,
}

impl Kernel {
    /// Calls the native (gcc -O2) build. Result bits as u32.
    pub fn call_native(&self, n: i32) -> u32 {
        (self.native)(std::hint::black_box(n))
    }

    /// `fib(30)`-style label with the argument.
    pub fn label(&self, n: i32) -> String {
        format!("{}({n})", self.name)
    }

    pub fn format_result(&self, r: u32) -> String {
        if self.hex { format!("{r:#010x}") } else { r.to_string() }
    }
}

// SAFETY (all three): the C functions take an int, touch only their own
// static arrays, and have no preconditions; n is clamped in C where needed.
fn native_fib(n: i32) -> u32 {
    unsafe { bench_fib(n) as u32 }
}
fn native_sieve(n: i32) -> u32 {
    unsafe { bench_sieve(n) }
}
fn native_crc32(n: i32) -> u32 {
    unsafe { bench_crc32(n) }
}

pub static KERNELS: &[Kernel] = &[
    Kernel {
        name: "fib",
        file: "fib.c",
        source: include_str!("../c/fib.c"),
        export: "bench_fib",
        bench_arg: 30,
        bench_expect: 832_040,
        smoke_arg: 10,
        smoke_expect: 55,
        hex: false,
        native: native_fib,
    },
    Kernel {
        name: "sieve",
        file: "sieve.c",
        source: include_str!("../c/sieve.c"),
        export: "bench_sieve",
        bench_arg: 65536,
        bench_expect: 6542,
        smoke_arg: 100,
        smoke_expect: 25,
        hex: false,
        native: native_sieve,
    },
    Kernel {
        name: "crc32",
        file: "crc32.c",
        source: include_str!("../c/crc32.c"),
        export: "bench_crc32",
        bench_arg: 8,
        bench_expect: 0x793d_0c78,
        smoke_arg: 1,
        smoke_expect: 0x9bf8_6749,
        hex: true,
        native: native_crc32,
    },
];
