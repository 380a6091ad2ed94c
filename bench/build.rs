//! Compiles every C kernel in `c/` into the benchmark binary (the "native"
//! column) with the system C compiler at -O2, the level the wasm and espb
//! builds use. src/kernels.rs lists the same files (a test checks it).

fn main() {
    println!("cargo::rerun-if-changed=c");
    let mut files: Vec<_> = std::fs::read_dir("c")
        .expect("bench/c is missing")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "c"))
        .collect();
    files.sort();
    for f in &files {
        println!("cargo::rerun-if-changed={}", f.display());
    }
    let mut build = cc::Build::new();
    build.files(&files).opt_level(2).warnings(true);
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
    println!("cargo::rustc-env=ESPB_BENCH_NATIVE_CC={name}{family}");
    build.compile("espb_bench_kernels");
}
