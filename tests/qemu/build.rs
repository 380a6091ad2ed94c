//! Generates the `custom` symbol table from app/custom.espbsym (espb-sys,
//! as a firmware's build.rs would), compiles natives.c with clang for
//! riscv32 ilp32, copies the module built by the driver test
//! (`ESPB_QEMU_MODULE`) next to the generated sources, and links with
//! link.x.
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let manifest = dir.join("app/custom.espbsym");
    println!("cargo:rerun-if-changed={}", manifest.display());
    println!("cargo:rerun-if-changed=natives.c");
    println!("cargo:rerun-if-changed=link.x");
    println!("cargo:rerun-if-env-changed=ESPB_QEMU_MODULE");
    println!("cargo:rerun-if-env-changed=ESPB_CLANG");

    espb_sys::TableBuilder::new("custom")
        .manifest(&manifest)
        .generate_rust(&out)
        .unwrap_or_else(|e| panic!("cannot generate the custom table: {e}"));

    let module = std::env::var_os("ESPB_QEMU_MODULE")
        .map(PathBuf::from)
        .expect("set ESPB_QEMU_MODULE to the .espb built from tests/qemu/app/main.c");
    println!("cargo:rerun-if-changed={}", module.display());
    std::fs::copy(&module, out.join("app.espb")).unwrap_or_else(|e| panic!("{}: {e}", module.display()));

    let target = std::env::var("TARGET").unwrap();
    if !target.starts_with("riscv32") {
        return;
    }
    let clang = std::env::var_os("ESPB_CLANG").map(PathBuf::from).unwrap_or_else(|| {
        ["clang-22", "clang"]
            .iter()
            .map(PathBuf::from)
            .find(|c| Command::new(c).arg("--version").output().is_ok_and(|o| o.status.success()))
            .expect("clang not found (set ESPB_CLANG)")
    });
    let obj = out.join("natives.o");
    let st = Command::new(&clang)
        .args(["--target=riscv32-unknown-elf", "-march=rv32imc", "-mabi=ilp32", "-ffreestanding", "-O2", "-c"])
        .arg(dir.join("natives.c"))
        .arg("-o")
        .arg(&obj)
        .status()
        .expect("running clang");
    assert!(st.success(), "clang failed on natives.c");
    println!("cargo:rustc-link-arg={}", obj.display());
    println!("cargo:rustc-link-arg=-T{}", dir.join("link.x").display());
}
