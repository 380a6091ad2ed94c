//! Finding and running the external tools (clang, wasm-ld, cargo-espb).

use crate::{BenchError, Result};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `name` as given if it contains a path separator and exists, else the
/// first match in `PATH`.
pub fn find_program(name: &str) -> Option<PathBuf> {
    let p = Path::new(name);
    if p.components().count() > 1 {
        return p.is_file().then(|| p.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|cand| cand.is_file())
}

/// The first of `names` found (see [`find_program`]).
pub fn find_first(names: &[&str]) -> Option<PathBuf> {
    names.iter().find_map(|n| find_program(n))
}

/// Runs `cmd`; on failure the error names the command line and carries its
/// stderr.
pub fn run(cmd: &mut Command, what: &str) -> Result<()> {
    let line = command_line(cmd);
    let out = cmd.output().map_err(|e| BenchError::new(format!("{what}: cannot run `{line}`: {e}")))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    Err(BenchError::new(format!(
        "{what}: `{line}` failed ({}):\n{}{}",
        out.status,
        stderr.trim_end(),
        if stdout.trim().is_empty() { String::new() } else { format!("\n{}", stdout.trim_end()) }
    )))
}

/// The output of `cmd` as a trimmed string, or `None` when it fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn command_line(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&quote(a));
    }
    s
}

fn quote(a: &OsStr) -> String {
    let a = a.to_string_lossy();
    if a.is_empty() || a.contains([' ', '"', '\'']) { format!("{a:?}") } else { a.into_owned() }
}
