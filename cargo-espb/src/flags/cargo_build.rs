//! esp-idf-sys firmware built with Cargo: its OUT_DIR comes from cargo's
//! JSON messages (the `build-script-executed` message of `esp-idf-sys`),
//! never from searching `target/`.
//!
//! `ESPB_CARGO_MESSAGES=<file>` makes cargo-espb read the messages from a
//! file (the output of `cargo build --message-format=json`) instead of
//! running cargo; `CARGO` (set by cargo for subcommands) names the cargo to
//! run, else `cargo` on the PATH.

use super::FlagsError;
use cargo_metadata::{Message, PackageId};
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The package whose OUT_DIR holds the ESP-IDF CMake build.
pub const ESP_IDF_SYS: &str = "esp-idf-sys";

/// The package name of a package id, in every format cargo has used:
/// `esp-idf-sys 0.36.1 (registry+...)`, `registry+...#esp-idf-sys@0.36.1`,
/// `path+file:///x/esp-idf-sys#0.36.1`.
pub fn package_name(id: &PackageId) -> &str {
    let r = id.repr.as_str();
    match r.rsplit_once('#') {
        Some((url, frag)) => match frag.split_once('@') {
            Some((name, _)) => name,
            None => url.trim_end_matches('/').rsplit('/').next().unwrap_or(url),
        },
        None => r.split_whitespace().next().unwrap_or(r),
    }
}

/// The OUT_DIR of the last `esp-idf-sys` build script run in a message stream.
pub fn out_dir_from_messages(reader: impl BufRead) -> Option<PathBuf> {
    let mut found = None;
    for m in Message::parse_stream(reader).flatten() {
        if let Message::BuildScriptExecuted(b) = m
            && package_name(&b.package_id) == ESP_IDF_SYS
        {
            found = Some(b.out_dir.into_std_path_buf());
        }
    }
    found
}

/// Builds the firmware crate at `dir` (`cargo build --message-format=json
/// ARGS`) and returns esp-idf-sys's OUT_DIR.
pub fn out_dir(dir: &Path, cargo_args: &[String], verbose: bool) -> Result<PathBuf, FlagsError> {
    if let Some(file) = std::env::var_os("ESPB_CARGO_MESSAGES").filter(|f| !f.is_empty()) {
        let file = PathBuf::from(file);
        let f = std::fs::File::open(&file).map_err(|source| FlagsError::Read { path: file.clone(), source })?;
        return out_dir_from_messages(std::io::BufReader::new(f))
            .ok_or_else(|| FlagsError::NoOutDir { dir: dir.to_path_buf(), origin: file.display().to_string() });
    }
    if !dir.join("Cargo.toml").is_file() {
        return Err(FlagsError::NoCargoToml { dir: dir.to_path_buf() });
    }
    let cargo = std::env::var_os("CARGO").filter(|c| !c.is_empty()).unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.current_dir(dir).args(["build", "--message-format=json"]).args(cargo_args);
    // The module's own cargo invocation must not leak its target dir into the firmware's.
    cmd.env_remove("CARGO_TARGET_DIR").stdout(Stdio::piped()).stderr(Stdio::inherit());
    if verbose {
        eprintln!("     Running {cmd:?} (firmware flags)");
    }
    let spawn_err = |source| FlagsError::CargoSpawn { cargo: PathBuf::from(&cargo), dir: dir.to_path_buf(), source };
    let mut child = cmd.spawn().map_err(spawn_err)?;
    let found = child.stdout.take().and_then(|s| out_dir_from_messages(std::io::BufReader::new(s)));
    let status = child.wait().map_err(spawn_err)?;
    match found {
        Some(d) => Ok(d),
        None if !status.success() => {
            Err(FlagsError::CargoFailed { dir: dir.to_path_buf(), status: status.to_string() })
        }
        None => {
            Err(FlagsError::NoOutDir { dir: dir.to_path_buf(), origin: "`cargo build --message-format=json`".into() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_id_formats() {
        for (repr, name) in [
            ("esp-idf-sys 0.36.1 (registry+https://github.com/rust-lang/crates.io-index)", "esp-idf-sys"),
            ("registry+https://github.com/rust-lang/crates.io-index#esp-idf-sys@0.36.1", "esp-idf-sys"),
            ("path+file:///home/u/esp-idf-sys#0.36.1", "esp-idf-sys"),
            ("git+https://github.com/esp-rs/esp-idf-sys#esp-idf-sys@0.36.1", "esp-idf-sys"),
        ] {
            assert_eq!(package_name(&PackageId { repr: repr.into() }), name);
        }
    }
}
