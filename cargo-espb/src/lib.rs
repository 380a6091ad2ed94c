//! cargo-espb as a library: the CLI, the build driver (clang + bitcode
//! linking) and the translator (LLVM IR -> .espb). The PC simulator that
//! `cargo espb run` uses is the espb-sim crate.

pub mod bind;
pub mod cli;
pub mod compile;
pub mod flash;
pub mod hints;
// issue #4: firmware flags, projects, clang discovery
pub mod flags;
pub mod project;
pub mod symbols_cmd;
pub mod toolchain;
pub mod translate;

pub use compile::{BuildError, BuildOptions, build_module};
pub use translate::{TranslateError, TranslateOptions, translate};
