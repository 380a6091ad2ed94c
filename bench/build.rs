//! Compiles the C kernels in `c/` into the benchmark binary (the "native"
//! column) with the system C compiler at -O2, the same level the wasm and
//! espb builds use.

const KERNELS: &[&str] = &["c/fib.c", "c/sieve.c", "c/crc32.c"];

fn main() {
    println!("cargo::rerun-if-changed=c");
    for k in KERNELS {
        println!("cargo::rerun-if-changed={k}");
    }
    let mut build = cc::Build::new();
    build.files(KERNELS).opt_level(2).warnings(true);
    // Tell the binary which compiler built the native column.
    let compiler = build.get_compiler();
    let name = compiler.path().file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "cc".to_owned());
    let family = if compiler.is_like_clang() {
        " (clang)"
    } else if compiler.is_like_gnu() {
        " (gcc)"
    } else {
        ""
    };
    let name = format!("{name}{family}");
    println!("cargo::rustc-env=ESPB_BENCH_NATIVE_CC={name}");
    build.compile("espb_bench_kernels");
}
