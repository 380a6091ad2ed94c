//! Building and running programs through `cargo-espb espb build/run`.

use crate::util::{self, Outcome};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// `cargo-espb espb build SRC -o WORK/STEM.espb [-- clang_flags]`; returns
/// the module path, or a failure message with the CLI's diagnostics.
pub fn build(src: &Path, work: &Path, clang_flags: &[&str]) -> Result<PathBuf, String> {
    build_with(src, work, clang_flags, Variant::default())
}

/// How a program is built: the default clang and chip, or others.
#[derive(Clone, Copy, Debug, Default)]
pub struct Variant {
    /// Another clang (`ESPB_CLANG`).
    pub clang: Option<&'static str>,
    /// Another chip (`--chip`).
    pub chip: Option<&'static str>,
    /// An optimisation level for clang instead of the default (`-- -O0`).
    pub opt: Option<&'static str>,
}

/// [`build`] as `variant` says.
pub fn build_with(src: &Path, work: &Path, clang_flags: &[&str], variant: Variant) -> Result<PathBuf, String> {
    let (shown, built) = run_build(src, work, clang_flags, variant)?;
    built.map_err(|o| {
        format!("espb build failed ({}):\n  $ {shown}\n{}", o.describe_end(), util::indent(&o.stderr_str(), 40))
    })
}

/// [`build_with`], with a refusal as the CLI's outcome: `Ok(Err(outcome))`
/// when the build ended without a module. `Err` if the CLI panicked.
pub fn build_outcome(
    src: &Path,
    work: &Path,
    clang_flags: &[&str],
    variant: Variant,
) -> Result<Result<PathBuf, Outcome>, String> {
    run_build(src, work, clang_flags, variant).map(|(_, built)| built)
}

/// Runs the build; returns the command line shown in reports and the module
/// or the failed build's outcome.
fn run_build(
    src: &Path,
    work: &Path,
    clang_flags: &[&str],
    variant: Variant,
) -> Result<(String, Result<PathBuf, Outcome>), String> {
    let out = work.join(format!("{}.espb", util::stem(src)));
    let mut cmd = util::espb_cmd();
    if let Some(c) = variant.clang {
        cmd.env("ESPB_CLANG", c);
    }
    cmd.arg("build").arg(src).arg("-o").arg(&out);
    if let Some(chip) = variant.chip {
        cmd.args(["--chip", chip]);
    }
    let flags: Vec<&str> = clang_flags.iter().copied().chain(variant.opt).collect();
    if !flags.is_empty() {
        cmd.arg("--").args(&flags);
    }
    let shown = util::show_cmd(&cmd);
    let o = util::run(cmd, Duration::from_secs(300)).map_err(|e| format!("cannot start {shown}: {e}"))?;
    util::check_no_panic(&format!("`{shown}`"), &o)?;
    let built = if o.code() == Some(0) && out.is_file() { Ok(out) } else { Err(o) };
    Ok((shown, built))
}

/// `cargo-espb espb run MODULE`.
pub fn run(module: &Path, timeout: Duration) -> Result<Outcome, String> {
    run_with(module, &[], timeout)
}

/// `cargo-espb espb run MODULE ARGS...`.
pub fn run_with(module: &Path, args: &[String], timeout: Duration) -> Result<Outcome, String> {
    let mut cmd = util::espb_cmd();
    cmd.arg("run").arg(module).args(args);
    let shown = util::show_cmd(&cmd);
    let o = util::run(cmd, timeout).map_err(|e| format!("cannot start {shown}: {e}"))?;
    util::check_no_panic(&format!("`{shown}`"), &o)?;
    Ok(o)
}
