//! Runs every kernel once with a small input through each engine and checks
//! the result, so CI notices when the benchmark stops working. No timing.

use espb_bench::espb::{self, EspbRunner};
use espb_bench::wasm::{WasmRunner, WasmToolchain};
use espb_bench::{KERNELS, ScratchDir};

#[test]
fn native_kernels_give_known_results() {
    for k in KERNELS {
        assert_eq!(k.call_native(k.smoke_arg), k.smoke_expect, "{}", k.label(k.smoke_arg));
    }
}

#[test]
fn wasmi_matches_native() {
    let dir = ScratchDir::new().unwrap();
    let tc = WasmToolchain::find().unwrap_or_else(|e| panic!("{e}"));
    for k in KERNELS {
        let wasm = tc.build(k, &dir).unwrap_or_else(|e| panic!("{e}"));
        let mut r = WasmRunner::new(k, &wasm).unwrap_or_else(|e| panic!("{e}"));
        let got = r.call(k.smoke_arg).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, k.call_native(k.smoke_arg), "{} on wasmi", k.label(k.smoke_arg));
    }
}

#[test]
fn espb_matches_native() {
    let dir = ScratchDir::new().unwrap();
    for k in KERNELS {
        let m = espb::build(k, &dir).unwrap_or_else(|e| panic!("{e}"));
        let mut r = EspbRunner::new(k, &m.bytes).unwrap_or_else(|e| panic!("{e}"));
        let got = r.call(k.smoke_arg).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, k.call_native(k.smoke_arg), "{} on espb", k.label(k.smoke_arg));
    }
}
