//! CI's check of the benchmark: every kernel once, with its small input,
//! through every engine (native, espb, wasmi, wasm3), each result checked
//! against the value recorded in src/kernels.rs. No timing. Runs
//! `espb-bench --check` in-process.

use espb_bench::engine::Engine;
use espb_bench::kernels::{KERNELS, Size};
use espb_bench::report::Cell;
use espb_bench::run::{Mode, run};

/// Kernels cargo-espb's translator refuses today (their espb cells are
/// n/a, with the translator's message). Every other cell must run.
const TRANSLATOR_REFUSES: &[&str] = &["aha_mont64"];

#[test]
fn every_engine_gives_every_kernels_recorded_result() {
    let kernels: Vec<_> = KERNELS.iter().collect();
    let out = run(&kernels, Size::Small, Mode::Check, false).unwrap_or_else(|e| panic!("{e}"));
    assert!(out.errors.is_empty(), "wrong results:\n{}", out.errors.join("\n"));
    for (row, k) in out.grid.rows.iter().zip(KERNELS) {
        for (cell, engine) in row.cells.iter().zip(Engine::ALL) {
            let refused = engine == Engine::Espb && TRANSLATOR_REFUSES.contains(&k.name);
            assert!(
                matches!(cell, Cell::Value { .. }) || refused,
                "{} on {}: not run: {cell:?}\nnotes: {:?}",
                row.label,
                engine.name(),
                out.notes
            );
        }
    }
}

#[test]
fn native_kernels_give_their_recorded_results() {
    for k in KERNELS {
        for size in [Size::Small, Size::Count] {
            let c = k.case(size);
            assert_eq!(k.call_native(c.arg), c.expect, "{}", k.label(c.arg));
        }
    }
}

#[test]
fn every_c_file_is_a_kernel() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("c");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".c"))
        .collect();
    files.sort();
    let mut listed: Vec<String> = KERNELS.iter().map(|k| k.file.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed, "bench/c/ and src/kernels.rs must list the same kernels");
}
