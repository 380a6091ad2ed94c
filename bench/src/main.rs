//! `cargo run --release -p espb-bench`: the same C kernels as native code,
//! on the espb VM, on wasmi and on wasm3, side by side (wall time, module
//! sizes); `--callgrind` counts host instructions instead, `--qemu` counts
//! retired rv32imc instructions under QEMU, `--footprint` measures the
//! runtime's flash footprint on riscv32imc. See bench/README.md.

use espb_bench::engine::Engine;
use espb_bench::kernels::{KERNELS, Kernel, Size};
use espb_bench::report::{Notes, Table, geomean, ratio_text};
use espb_bench::run::{Mode, Outcome, Sizes};
use espb_bench::timing::Budget;
use espb_bench::wasm::OPT;
use espb_bench::{callgrind, pairs, qemu};
use std::process::ExitCode;

const USAGE: &str = "\
usage: espb-bench [MODE] [--quick] [--strict] [KERNEL...]

Runs the C kernels in bench/c/ as native code, on the espb VM, on wasmi and
on wasm3, checks every result, and prints the measurements side by side.

modes:
  (none)        wall time on this machine (min of N calls) and module sizes
  --check       each kernel once per engine with a small input: results only
  --callgrind   host instructions per engine, counted by valgrind's callgrind
  --qemu        retired instructions on rv32imc under qemu-system-riscv32
                (native, espb runtime, wasm3), and espb's RAM per instance
  --footprint   flash footprint of the espb runtime (and wasm3) on riscv32imc
  --op-pairs    the espb instruction pairs the kernels execute most (build
                with --features op-stats)

options:
  --quick       fewer samples (time), or small inputs and few kernels (--qemu)
  --strict      also fail when a cell is n/a, not only on a wrong result
  KERNEL...     only these kernels (default: all)

environment: ESPB_BENCH_CLANG (clang for wasm32 and riscv32), ESPB_CLANG (clang for cargo-espb)";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Command {
    Time,
    Check,
    Callgrind,
    Qemu,
    Footprint,
    OpPairs,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--callgrind-child") {
        return match args.get(1).map(|d| callgrind::child(std::path::Path::new(d), &args[2..])) {
            Some(Ok(())) => ExitCode::SUCCESS,
            Some(Err(e)) => fail(&e.0),
            None => fail("--callgrind-child needs a directory"),
        };
    }
    let mut command = Command::Time;
    let (mut quick, mut strict) = (false, false);
    let mut kernels: Vec<&'static Kernel> = Vec::new();
    for arg in &args {
        let mode = match arg.as_str() {
            "--check" => Some(Command::Check),
            "--callgrind" => Some(Command::Callgrind),
            "--qemu" => Some(Command::Qemu),
            "--footprint" => Some(Command::Footprint),
            "--op-pairs" => Some(Command::OpPairs),
            "--quick" => {
                quick = true;
                None
            }
            "--strict" => {
                strict = true;
                None
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other if other.starts_with('-') => {
                eprintln!("espb-bench: unknown option `{other}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
            name => match Kernel::by_name(name) {
                Some(k) => {
                    kernels.push(k);
                    None
                }
                None => {
                    let all: Vec<&str> = KERNELS.iter().map(|k| k.name).collect();
                    eprintln!("espb-bench: no kernel `{name}`; the kernels are: {}", all.join(", "));
                    return ExitCode::from(2);
                }
            },
        };
        if let Some(m) = mode {
            if command != Command::Time {
                eprintln!("espb-bench: give one mode at a time\n\n{USAGE}");
                return ExitCode::from(2);
            }
            command = m;
        }
    }
    if kernels.is_empty() {
        kernels = KERNELS.iter().collect();
    }
    if cfg!(debug_assertions) && command != Command::Check {
        eprintln!(
            "espb-bench: warning: this is a debug build; the VM columns mean little. \
             Run `cargo run --release -p espb-bench`."
        );
    }
    let result = match command {
        Command::Time => {
            let budget = if quick { Budget::QUICK } else { Budget::FULL };
            espb_bench::run::run(&kernels, Size::Pc, Mode::Time(budget), true).map(|o| print_time(&o))
        }
        Command::Check => espb_bench::run::run(&kernels, Size::Small, Mode::Check, false).map(|o| print_check(&o)),
        Command::Callgrind => callgrind::run(&kernels).map(|c| {
            print_counts("host instructions (callgrind Ir) of one call, count inputs", &c.grid, &c.notes);
            (c.errors, count_na(&c.grid))
        }),
        Command::Qemu => qemu::run(&kernels, quick).map(|q| {
            qemu::print(&q);
            (q.errors, count_na(&q.grid))
        }),
        Command::Footprint => qemu::footprint().map(|f| {
            qemu::print_footprint(&f);
            (Vec::new(), 0)
        }),
        Command::OpPairs => pairs::run(&kernels).map(|p| {
            pairs::print(&p, 40);
            (Vec::new(), 0)
        }),
    };
    match result {
        Err(e) => fail(&e.0),
        Ok((errors, _)) if !errors.is_empty() => {
            eprintln!();
            for e in &errors {
                eprintln!("espb-bench: error: {e}");
            }
            ExitCode::FAILURE
        }
        Ok((_, missing)) if strict && missing > 0 => {
            fail(&format!("--strict: {missing} measurement(s) not available (see the notes)"))
        }
        Ok(_) => ExitCode::SUCCESS,
    }
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("espb-bench: error: {msg}");
    ExitCode::FAILURE
}

fn count_na(grid: &espb_bench::report::Grid) -> usize {
    grid.rows.iter().flat_map(|r| &r.cells).filter(|c| matches!(c, espb_bench::report::Cell::NotAvailable(_))).count()
}

const RATIOS: [(Engine, Engine); 3] =
    [(Engine::Espb, Engine::Native), (Engine::Espb, Engine::Wasmi), (Engine::Espb, Engine::Wasm3)];

fn print_time(o: &Outcome) -> (Vec<String>, usize) {
    let cc = env!("ESPB_BENCH_NATIVE_CC");
    println!();
    println!("espb-bench: the same C, {OPT} everywhere, x86-64");
    println!("  native  {cc} {OPT}, linked into this binary");
    println!("  espb    cargo-espb library {OPT} (in-process), run by the espb-runtime interpreter");
    println!("  wasmi   clang --target=wasm32 {OPT}, run by wasmi 2 (eager compilation)");
    println!("  wasm3   the same C for the wasm MVP (+ sign-ext, mutable-globals, nontrapping-fptoint;");
    println!("          wasm3 0.4.7 has no bulk memory), run by wasm3 0.4.7 (the wasm3 crate's C)");
    println!("  time = min of [n] calls after one warm-up call");
    println!();
    o.grid.print(&RATIOS);
    println!();
    println!("  ratios are time / time: lower is better for espb; espb/wasmi < 1.00 means");
    println!("  the espb VM is faster than wasmi. Other engines against native (geometric mean):");
    let others: Vec<String> = [Engine::Wasmi, Engine::Wasm3]
        .iter()
        .map(|&e| {
            let r: Vec<f64> = o.grid.ratios(e, Engine::Native).into_iter().flatten().collect();
            format!("{}/native {}", e.name(), ratio_text(geomean(&r)))
        })
        .collect();
    println!("  {}", others.join(", "));
    println!();
    print_sizes(&o.sizes);
    if !o.notes.is_empty() {
        println!();
        o.notes.print();
    }
    (o.errors.clone(), o.not_available())
}

/// Module sizes; a module that did not build is n/a (the time table's
/// footnotes say why).
fn print_sizes(sizes: &[Sizes]) {
    let mut t = Table::new(vec![
        "module size".into(),
        ".wasm (stripped)".into(),
        ".espb (no names, no debug lines)".into(),
        "espb/wasm".into(),
    ]);
    let bytes = |b: &espb_bench::Result<usize>| b.as_ref().map_or("n/a".to_string(), |b| format!("{b} B"));
    let mut ratios = Vec::new();
    let (mut tw, mut te) = (0, 0);
    for s in sizes {
        let r = match (&s.espb, &s.wasm) {
            (Ok(e), Ok(w)) if *w > 0 => {
                tw += w;
                te += e;
                ratios.push(*e as f64 / *w as f64);
                Some(*e as f64 / *w as f64)
            }
            _ => None,
        };
        t.push(vec![s.label.to_string(), bytes(&s.wasm), bytes(&s.espb), ratio_text(r)]);
    }
    t.separator();
    t.push(vec![
        format!("total ({} with both)", ratios.len()),
        format!("{tw} B"),
        format!("{te} B"),
        ratio_text((tw > 0).then(|| te as f64 / tw as f64)),
    ]);
    t.push(vec!["geometric mean".into(), String::new(), String::new(), ratio_text(geomean(&ratios))]);
    t.print();
    println!();
    println!("  whole files as a device stores them: .wasm without its custom sections (name,");
    println!("  producers, target_features), .espb without its NAMES and DEBUG_LINES sections.");
    println!("  espb/wasm < 1.00 means the .espb is smaller.");
}

fn print_check(o: &Outcome) -> (Vec<String>, usize) {
    o.grid.print(&[]);
    if !o.notes.is_empty() {
        println!();
        o.notes.print();
    }
    (o.errors.clone(), o.not_available())
}

fn print_counts(title: &str, grid: &espb_bench::report::Grid, notes: &Notes) {
    println!();
    println!("espb-bench: {title}");
    println!();
    grid.print(&RATIOS);
    println!();
    println!("  ratios are instructions / instructions: lower is better for espb.");
    if !notes.is_empty() {
        println!();
        notes.print();
    }
}
