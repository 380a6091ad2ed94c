//! cargo-espb as a library: the build driver (clang + bitcode linking), the
//! translator (LLVM IR -> .espb), firmware flags, projects, symbol binding,
//! hints and flashing; and on top of them the CLI ([`cli`], [`commands`]),
//! which only this crate's binary and tests use. The PC simulator that
//! `cargo espb run` uses is the espb-sim crate.
//!
//! Without the default `translator` feature the crate builds without LLVM:
//! everything but [`compile`], [`translate`] and the project build.

pub mod bind;
pub mod cli;
pub mod commands;
#[cfg(feature = "translator")]
pub mod compile;
pub mod error;
pub mod flags;
pub mod flash;
pub mod hints;
pub mod monitor;
pub mod project;
pub mod push;
pub mod sigs;
pub mod toolchain;
#[cfg(feature = "translator")]
pub mod translate;

#[cfg(feature = "translator")]
pub use compile::{BuildError, BuildOptions, build_module};
pub use error::CliError;
#[cfg(feature = "translator")]
pub use translate::{TranslateError, TranslateOptions, translate};
