//! One module per `cargo espb` command, each an `Args` struct (clap) and
//! its `exec`: the arguments become calls of the library, and `exec`
//! prints what the user sees. Nothing below this layer imports it.

pub mod build;
pub mod flash;
pub mod inspect;
pub mod monitor;
pub mod new;
pub mod push;
pub mod run;
pub mod symbols;

use crate::error::CliError;
use std::path::Path;

/// A module file's bytes, with an error that names the file.
fn read_module_bytes(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|source| CliError::ReadModule { path: path.to_path_buf(), source })
}
