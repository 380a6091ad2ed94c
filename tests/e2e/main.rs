//! End-to-end tests of cargo-espb: C programs through the whole pipeline.
//!
//! * `c::NAME`: `tests/c/NAME.c` built natively (gcc -m32, see `native.rs`)
//!   and through `cargo-espb espb build` + `run`; stdout and exit code must
//!   be identical.
//! * `trap::NAME`: `tests/c/trap/NAME.c` must trap with the message named in
//!   its `// expect-trap:` first line.
//! * `cli::NAME`: the CLI's errors and everyday invocations.
//! * `csmith::seed_N`: random programs from csmith, checksum compared.
//!
//! Every program is its own test (libtest-mimic harness), so the usual
//! filters work: `cargo test -p cargo-espb --test e2e -- c::fib`.
//! Environment: `ESPB_E2E_TIMEOUT` (seconds per espb run, default 120),
//! `ESPB_E2E_REQUIRE_NATIVE=1` (fail instead of skipping without gcc -m32),
//! `ESPB_E2E_CC` (native compiler, default gcc), `CSMITH_INCLUDE`,
//! `ESPB_E2E_CLI` (test another cargo-espb binary than the one cargo built).

mod cli_errors;
mod csmith;
mod diff;
mod espb;
mod native;
mod programs;
mod util;

use libtest_mimic::{Arguments, Failed, Trial};

fn to_failed(r: Result<(), String>) -> Result<(), Failed> {
    r.map_err(Failed::from)
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();

    if let Err(why) = native::available() {
        eprintln!(
            "\n***************************************************************\n\
             *** WARNING: no native reference build: {why}\n\
             *** The C programs are only run through espb, NOT compared.\n\
             *** Install gcc-multilib (scripts/setup.sh does).\n\
             ***************************************************************\n"
        );
    }

    let programs = util::files_with_ext(&util::c_dir(), "c");
    assert!(!programs.is_empty(), "no C programs found in {}", util::c_dir().display());
    for src in programs {
        let name = format!("c::{}", util::stem(&src));
        trials.push(Trial::test(name, move || to_failed(programs::differential(&src))).with_kind("diff"));
    }

    for src in util::files_with_ext(&util::c_dir().join("trap"), "c") {
        let name = format!("trap::{}", util::stem(&src));
        trials.push(Trial::test(name, move || to_failed(programs::trap(&src))).with_kind("trap"));
    }

    for &(name, f) in cli_errors::TESTS {
        trials.push(Trial::test(format!("cli::{name}"), move || to_failed(f())).with_kind("cli"));
    }

    let csmith_missing = csmith::available()
        .err()
        .or_else(|| native::available().clone().err().map(|e| format!("no native reference build: {e}")));
    if let Some(why) = &csmith_missing {
        eprintln!("\n*** WARNING: csmith tests ignored: {why}\n");
    }
    for &seed in csmith::SEEDS {
        trials.push(
            Trial::test(format!("csmith::seed_{seed}"), move || to_failed(csmith::run_seed(seed)))
                .with_kind("csmith")
                .with_ignored_flag(csmith_missing.is_some()),
        );
    }

    libtest_mimic::run(&args, trials).exit();
}
