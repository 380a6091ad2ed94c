//! Differential test on a few small csmith programs with fixed seeds: the
//! checksum printed by the native build and by the espb build must match.
//! Programs that do not finish quickly natively are skipped.

use crate::{diff, espb, native, util};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// Fixed seeds: small programs (csmith 2.3.0) that run in milliseconds natively.
pub const SEEDS: &[u64] = &[1, 4, 9, 13, 19];

/// Keeps the programs small and within what both builds agree on.
const CSMITH_ARGS: &[&str] = &[
    "--no-packed-struct",
    "--no-bitfields",
    "--no-volatiles",
    "--no-volatile-pointers",
    "--no-argc",
    "--max-funcs",
    "4",
    "--max-block-depth",
    "3",
    "--max-array-dim",
    "2",
    "--max-array-len-per-dim",
    "6",
    "--max-expr-complexity",
    "6",
    "--max-struct-fields",
    "5",
];

/// The folder holding `csmith.h`: `CSMITH_INCLUDE`, else the usual places.
pub fn include_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("CSMITH_INCLUDE") {
        return Some(PathBuf::from(d));
    }
    let mut candidates = vec![PathBuf::from("/usr/include/csmith"), PathBuf::from("/usr/local/include/csmith")];
    if let Ok(rd) = std::fs::read_dir("/usr/local/include") {
        candidates.extend(
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("csmith"))),
        );
    }
    candidates.into_iter().find(|d| d.join("csmith.h").is_file())
}

/// `Ok(include dir)` if csmith and its headers are there, else why not.
pub fn available() -> Result<PathBuf, String> {
    let probe = Command::new("csmith").arg("--version").output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return Err("`csmith` is not installed (apt-get install csmith libcsmith-dev)".into());
    }
    include_dir().ok_or_else(|| "csmith.h not found (apt-get install libcsmith-dev, or set CSMITH_INCLUDE)".into())
}

pub fn run_seed(seed: u64) -> Result<(), String> {
    let inc = available()?;
    native::available().as_ref().map_err(|e| format!("the csmith test needs the native build: {e}"))?;
    let work = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
    let src = work.path().join(format!("csmith_{seed}.c"));
    let mut gen_cmd = Command::new("csmith");
    gen_cmd.arg("--seed").arg(seed.to_string()).args(CSMITH_ARGS).arg("-o").arg(&src);
    let generated = util::run(gen_cmd, Duration::from_secs(60)).map_err(|e| format!("cannot run csmith: {e}"))?;
    if generated.code() != Some(0) || !src.is_file() {
        return Err(format!("csmith --seed {seed} failed ({})", generated.describe_end()));
    }
    let inc_flag = format!("-I{}", inc.display());
    let native = native::build_and_run(&src, work.path(), &[&inc_flag], Duration::from_secs(5))?;
    if native.timed_out {
        eprintln!("\n*** csmith seed {seed}: the native build does not finish within 5s; skipped\n");
        return Ok(());
    }
    let kept = keep_failing_program(&src, seed);
    let module = espb::build(&src, work.path(), &[&inc_flag, "-w"])
        .map_err(|e| format!("csmith seed {seed} (program kept at {kept}): {e}"))?;
    let out = espb::run(&module, util::espb_timeout())?;
    diff::compare(&format!("csmith seed {seed}"), &native, &out)
        .map_err(|e| format!("{e}  (regenerate: csmith --seed {seed} {}; copy kept at {kept})", CSMITH_ARGS.join(" ")))
}

/// Copies the generated program next to the build outputs so that a failure
/// can be reproduced after the temp dir is gone; returns where.
fn keep_failing_program(src: &std::path::Path, seed: u64) -> String {
    let dir = std::env::temp_dir().join("espb-e2e-csmith");
    let dst = dir.join(format!("csmith_{seed}.c"));
    match std::fs::create_dir_all(&dir).and_then(|_| std::fs::copy(src, &dst)) {
        Ok(_) => dst.display().to_string(),
        Err(_) => "(not kept)".into(),
    }
}
