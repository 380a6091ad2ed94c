//! `cargo espb`: build, run, inspect and flash .espb modules.

use std::process::ExitCode;

fn main() -> ExitCode {
    // Invoked by cargo as `cargo-espb espb ...`, or directly as `cargo-espb ...`.
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "espb") {
        args.remove(1);
    }
    cargo_espb::cli::main(args)
}
