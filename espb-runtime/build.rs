//! Picks the C calling convention native calls use (`cfg(espb_native_abi)`,
//! read by src/native/abi.rs), and generates the device's callback thunk
//! table (`cfg(espb_thunks)`, src/thunk/device.rs): `ESPB_THUNKS` thunks
//! (default 32, see `thunk::DEFAULT_THUNKS`), and under ilp32f also
//! `ESPB_FLOAT_THUNKS` that return a `float` in fa0 (default 4, see
//! `thunk::DEFAULT_FLOAT_THUNKS`).
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
    println!("cargo::rustc-check-cfg=cfg(espb_thunks)");
    println!("cargo::rerun-if-env-changed=ESPB_THUNKS");
    println!("cargo::rerun-if-env-changed=ESPB_FLOAT_THUNKS");
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
        println!("cargo::rustc-cfg=espb_thunks");
        thunk_table(abi == "riscv-ilp32f");
    }
}

/// Keep in step with `thunk::DEFAULT_THUNKS` and `thunk::DEFAULT_FLOAT_THUNKS`.
const DEFAULT_THUNKS: usize = 32;
const DEFAULT_FLOAT_THUNKS: usize = 4;

/// A count from environment variable `var`, `min..=4096`.
fn env_count(var: &str, min: usize, default: usize) -> usize {
    match env::var(var) {
        Ok(v) => match v.trim().parse::<usize>() {
            Ok(n) if (min..=4096).contains(&n) => n,
            _ => panic!("{var} must be a number of callback thunks from {min} to 4096, not `{v}`"),
        },
        Err(_) => default,
    }
}

/// `$OUT_DIR/thunks.rs`: `COUNT` and `THUNKS`, the list of `thunk::<N>`,
/// and with `float` (ilp32f) `FLOAT_COUNT` and `FLOAT_THUNKS`, the
/// float-returning `thunk_f32::<N>`, whose slots follow the others'.
fn thunk_table(float: bool) {
    let count = env_count("ESPB_THUNKS", 1, DEFAULT_THUNKS);
    let mut out = format!("/// Thunks in this build (`ESPB_THUNKS`).\npub(super) const COUNT: usize = {count};\n");
    out.push_str("/// The thunks, slot by slot.\npub(super) static THUNKS: [Thunk; COUNT] = [\n");
    for i in 0..count {
        out.push_str(&format!("    thunk::<{i}>,\n"));
    }
    out.push_str("];\n");
    if float {
        let floats = env_count("ESPB_FLOAT_THUNKS", 0, DEFAULT_FLOAT_THUNKS);
        out.push_str(&format!(
            "/// Float-returning thunks (`ESPB_FLOAT_THUNKS`).\npub(super) const FLOAT_COUNT: usize = {floats};\n"
        ));
        out.push_str(
            "/// Their slots are COUNT and up.\npub(super) static FLOAT_THUNKS: [FloatThunk; FLOAT_COUNT] = [\n",
        );
        for i in 0..floats {
            out.push_str(&format!("    thunk_f32::<{}>,\n", count + i));
        }
        out.push_str("];\n");
    }
    let dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    std::fs::write(std::path::Path::new(&dir).join("thunks.rs"), out).expect("OUT_DIR is writable");
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
