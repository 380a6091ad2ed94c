//! Generates the firmware's kernel table from the list `espb-bench --qemu`
//! writes (`ESPB_BENCH_QEMU_KERNELS`: one line per kernel, `name arg
//! expect warm-up-arg`, with `<name>.espb` and `<name>.wasm` beside it when
//! they built), compiles the C kernels (`native` feature) and wasm3's C
//! sources (`wasm3` feature, from `ESPB_BENCH_WASM3_SRC`: the wasm3-sys
//! crate the PC benchmark uses) with clang for rv32imc/ilp32, and links
//! with link.x.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    for v in ["ESPB_BENCH_QEMU_KERNELS", "ESPB_BENCH_WASM3_SRC", "ESPB_BENCH_CLANG"] {
        println!("cargo:rerun-if-env-changed={v}");
    }
    println!("cargo:rerun-if-changed=link.x");
    println!("cargo:rerun-if-changed=wasm3_driver.c");
    let list = PathBuf::from(
        std::env::var_os("ESPB_BENCH_QEMU_KERNELS")
            .expect("set ESPB_BENCH_QEMU_KERNELS (espb-bench --qemu writes it and builds this crate)"),
    );
    println!("cargo:rerun-if-changed={}", list.display());
    let modules = list.parent().unwrap().to_path_buf();
    let text = std::fs::read_to_string(&list).unwrap_or_else(|e| panic!("{}: {e}", list.display()));
    let native = std::env::var_os("CARGO_FEATURE_NATIVE").is_some();
    let target = std::env::var("TARGET").unwrap();
    let bare_metal = target.starts_with("riscv32");

    let mut table = String::from("static KERNELS: &[Kernel] = &[\n");
    let mut externs = String::new();
    let mut c_files = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let [name, arg, expect, warm] = f[..] else { panic!("{}: bad line `{line}`", list.display()) };
        let file = |ext: &str| {
            let p = modules.join(format!("{name}.{ext}"));
            println!("cargo:rerun-if-changed={}", p.display());
            if p.exists() { format!("Some(include_bytes!({:?}))", p.display().to_string()) } else { "None".into() }
        };
        let native_fn = if native {
            writeln!(externs, "    fn bench_{name}(n: i32) -> u32;").unwrap();
            c_files.push(dir.join(format!("../c/{name}.c")));
            format!("Some(bench_{name})")
        } else {
            "None".into()
        };
        writeln!(
            table,
            "    Kernel {{ name: {name:?}, export: c\"bench_{name}\", arg: {arg}, expect: {expect}, warm: {warm}, \
             native: {native_fn}, espb: {}, wasm: {} }},",
            file("espb"),
            file("wasm")
        )
        .unwrap();
    }
    table.push_str("];\n");
    let src = format!("unsafe extern \"C\" {{\n{externs}}}\n{table}");
    std::fs::write(out.join("kernels.rs"), src).unwrap();

    if !bare_metal {
        return; // `cargo check` on the host: nothing to compile or link
    }
    let clang = std::env::var("ESPB_BENCH_CLANG").unwrap_or_else(|_| "clang-22".into());
    // The C kernels always at -O2, as in every column of the benchmark;
    // wasm3 at the firmware's level (-O2, or -Oz for the footprint build).
    let size_opt = matches!(std::env::var("OPT_LEVEL").as_deref(), Ok("s" | "z"));
    for c in &c_files {
        println!("cargo:rerun-if-changed={}", c.display());
        compile(&clang, c, &out, &["-O2"]);
    }
    if std::env::var_os("CARGO_FEATURE_WASM3").is_some() {
        let src = PathBuf::from(
            std::env::var_os("ESPB_BENCH_WASM3_SRC")
                .expect("set ESPB_BENCH_WASM3_SRC to wasm3's source directory (espb-bench --qemu finds it)"),
        );
        let mut files: Vec<PathBuf> = std::fs::read_dir(&src)
            .unwrap_or_else(|e| panic!("{}: {e}", src.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let n = p.file_name().unwrap().to_string_lossy();
                // The WASI, libc and tracer bindings are not needed: the
                // kernels import nothing.
                n.ends_with(".c") && !n.starts_with("m3_api_")
            })
            .collect();
        files.sort();
        files.push(dir.join("wasm3_driver.c"));
        let opt = if size_opt { "-Oz" } else { "-O2" };
        let inc = format!("-I{}", src.display());
        // The configuration of the PC column's wasm3 (the wasm3 crate's
        // `use-32bit-slots`, no logging, no WASI).
        let defs = ["-Dd_m3Use32BitSlots=1", "-Dd_m3LogOutput=0", "-isystem", "/usr/include/newlib", "-w"];
        for f in &files {
            let mut flags = vec![opt, inc.as_str()];
            flags.extend(defs);
            compile(&clang, f, &out, &flags);
        }
    }
    println!("cargo:rustc-link-arg=-T{}", dir.join("link.x").display());
}

/// clang for rv32imc/ilp32, bare metal; links the object into the firmware.
fn compile(clang: &str, src: &Path, out: &Path, flags: &[&str]) {
    let stem = src.file_stem().unwrap().to_string_lossy();
    let obj = out.join(format!("{stem}.o"));
    let st = Command::new(clang)
        .args(["--target=riscv32-unknown-elf", "-march=rv32imc", "-mabi=ilp32", "-ffreestanding"])
        .args(["-ffunction-sections", "-fdata-sections", "-c"])
        .args(flags)
        .arg(src)
        .arg("-o")
        .arg(&obj)
        .status()
        .unwrap_or_else(|e| panic!("cannot run {clang}: {e} (set ESPB_BENCH_CLANG)"));
    assert!(st.success(), "{clang} failed on {}", src.display());
    println!("cargo:rustc-link-arg={}", obj.display());
}
