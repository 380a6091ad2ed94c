//! Picks the C calling convention native calls use (`cfg(espb_native_abi)`,
//! read by src/native/abi.rs).
//!
//! A RISC-V target's float ABI (ilp32, ilp32f, ilp32d, ilp32e) is its target
//! spec's `llvm-abiname`, which no stable `cfg` shows: stable rustc hides
//! `target_feature = "f"`/`"d"` on RISC-V, and a `+f` feature on an ilp32
//! target would not change the ABI anyway. The built-in targets name their
//! ISA, and with it their ABI, in the triple (riscv32imafc-* is ilp32f,
//! riscv32gc-* ilp32d, riscv32e* ilp32e), so that is what decides here.

use std::env;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!(
        "cargo::rustc-check-cfg=cfg(espb_native_abi, values(\"riscv-ilp32\", \"riscv-ilp32f\", \"riscv-ilp32d\", \
         \"riscv-ilp32e\", \"riscv-unknown\", \"xtensa\"))"
    );
    println!("cargo::rustc-check-cfg=cfg(espb_native_call)");
    let arch = env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let target = env::var("TARGET").unwrap_or_default();
    let abi = match arch.as_str() {
        "riscv32" => riscv_abi(&target, &env::var("CARGO_CFG_TARGET_ABI").unwrap_or_default()),
        "xtensa" => "xtensa",
        _ => return,
    };
    println!("cargo::rustc-cfg=espb_native_abi=\"{abi}\"");
    // The ABIs src/native/call.rs can call with (abi.rs checks it agrees).
    if matches!(abi, "riscv-ilp32" | "riscv-ilp32f" | "xtensa") {
        println!("cargo::rustc-cfg=espb_native_call");
    }
}

/// The float ABI of a riscv32 target from its triple's ISA string
/// (`riscv32` + extension letters up to the first `-` or `_`).
fn riscv_abi(target: &str, target_abi: &str) -> &'static str {
    if target_abi == "ilp32e" {
        return "riscv-ilp32e";
    }
    let isa = target.split(['-', '_']).next().and_then(|a| a.strip_prefix("riscv32")).unwrap_or("");
    if isa.is_empty() || !isa.bytes().all(|b| b.is_ascii_lowercase()) {
        // A custom target spec with another name: its ABI is unknown here.
        return "riscv-unknown";
    }
    if isa.starts_with('e') {
        "riscv-ilp32e"
    } else if isa.contains(['g', 'd']) {
        "riscv-ilp32d"
    } else if isa.contains('f') {
        "riscv-ilp32f"
    } else {
        "riscv-ilp32"
    }
}
