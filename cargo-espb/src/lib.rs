//! cargo-espb as a library: the CLI, the build driver (clang + bitcode
//! linking), the translator (LLVM IR -> .espb), and the PC simulator.

pub mod cli;
pub mod compile;
pub mod sim;
pub mod translate;
