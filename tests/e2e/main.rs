//! End-to-end tests of cargo-espb: C programs through the whole pipeline.
//!
//! * `c::NAME`: `tests/c/NAME.c` built natively (gcc -m32, see `native.rs`)
//!   and through `cargo-espb espb build` + `run`; stdout and exit code must
//!   be identical.
//! * `clang-N::NAME`: the same with the module compiled by an older clang
//!   (esp-clang's LLVM is 15 to 21; the translator must read its bitcode):
//!   clang-15 and clang-19 from Debian, skipped loudly when missing unless
//!   `ESPB_E2E_REQUIRE_NATIVE` is set.
//! * `xtensa::NAME`: the same with the module compiled for Xtensa
//!   (`--chip esp32`: clang's `--target=xtensa`, Xtensa's `va_list`).
//! * `c-O0::NAME`, `c-O2::NAME`, `c-O3::NAME`, `c-Os::NAME` (and `xtensa-O0::`...): the
//!   same at another optimisation level, for programs whose first lines
//!   say `// opt-levels: -O0 -O2`.
//! * `trap::NAME`: `tests/c/trap/NAME.c` must trap with the message named in
//!   its `// expect-trap:` first line.
//! * `sim::NAME`: ESP-IDF modules (`tests/sim/NAME.c`: tasks, timers,
//!   queues, traps) run by `cargo espb run` in virtual time, stdout compared
//!   with `NAME.out` (see `sim.rs`); `sim::template` runs the `cargo espb new`
//!   project.
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
mod sim;
mod util;

use espb::Variant;
use libtest_mimic::{Arguments, Failed, Trial};

/// Older clangs whose bitcode the translator must read (esp-clang ships LLVM
/// 15 to 21; these are Debian 12's).
const OLDER_CLANGS: &[&str] = &["clang-15", "clang-19"];

fn which_clang(name: &str) -> bool {
    std::process::Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success())
}

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
    let old_clangs: Vec<&'static str> = OLDER_CLANGS
        .iter()
        .copied()
        .filter(|c| {
            let found = which_clang(c);
            if !found {
                eprintln!("*** WARNING: {c} is not installed: the C programs are not built with it (scripts/setup.sh installs it)");
            }
            found || programs::require_native()
        })
        .collect();
    for src in programs {
        let opt_levels = programs::opt_levels(&src);
        let riscv_only = programs::riscv_only(&src);
        let variants = [("c", Variant::default()), ("xtensa", Variant { chip: Some("esp32"), ..Variant::default() })]
            .into_iter()
            .chain(old_clangs.iter().map(|&c| (c, Variant { clang: Some(c), ..Variant::default() })))
            .chain(opt_levels.iter().flat_map(|&(kind, o)| {
                [
                    (kind.0, Variant { opt: Some(o), ..Variant::default() }),
                    (kind.1, Variant { opt: Some(o), chip: Some("esp32"), ..Variant::default() }),
                ]
            }))
            .filter(|(_, v)| !(riscv_only && v.chip.is_some()));
        for (kind, variant) in variants {
            let name = format!("{kind}::{}", util::stem(&src));
            let s = src.clone();
            trials.push(Trial::test(name, move || to_failed(programs::differential(&s, variant))).with_kind("diff"));
        }
    }

    for src in util::files_with_ext(&util::c_dir().join("trap"), "c") {
        let name = format!("trap::{}", util::stem(&src));
        trials.push(Trial::test(name, move || to_failed(programs::trap(&src))).with_kind("trap"));
    }

    for src in util::files_with_ext(&sim::dir(), "c") {
        let name = format!("sim::{}", util::stem(&src));
        trials.push(Trial::test(name, move || to_failed(sim::program(&src))).with_kind("sim"));
    }
    trials.push(Trial::test("sim::template", || to_failed(sim::template())).with_kind("sim"));
    trials.push(Trial::test("sim::project_stubs", || to_failed(sim::project_stubs())).with_kind("sim"));

    for &(name, f) in cli_errors::TESTS {
        trials.push(Trial::test(format!("cli::{name}"), move || to_failed(f())).with_kind("cli"));
    }

    let csmith_missing = csmith::available()
        .err()
        .or_else(|| native::available().clone().err().map(|e| format!("no native reference build: {e}")));
    if let Some(why) = &csmith_missing {
        eprintln!("\n*** WARNING: csmith tests ignored: {why}\n");
    }
    trials.push(Trial::test("csmith::refusal_groups", || to_failed(csmith::refusal_groups_test())).with_kind("csmith"));
    trials.push(
        Trial::test("csmith::seeds_cover_packed_bitfields", || to_failed(csmith::seeds_cover_packed_bitfields()))
            .with_kind("csmith")
            .with_ignored_flag(csmith_missing.is_some()),
    );
    for &seed in csmith::SEEDS {
        trials.push(
            Trial::test(format!("csmith::seed_{seed}"), move || to_failed(csmith::run_seed(seed)))
                .with_kind("csmith")
                .with_ignored_flag(csmith_missing.is_some()),
        );
    }

    libtest_mimic::run(&args, trials).exit();
}
