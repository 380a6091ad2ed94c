//! `cargo run --release -p espb-bench`: times each C kernel as native code,
//! on wasmi and on the espb VM, and prints times, ratios and module sizes
//! side by side. See bench/README.md.

use espb_bench::espb::{self, EspbRunner};
use espb_bench::timing::{Budget, Measured, format_duration, measure};
use espb_bench::wasm::{OPT, WasmRunner, WasmToolchain, size_without_custom_sections};
use espb_bench::{KERNELS, Kernel, Result, ScratchDir};
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "\
usage: espb-bench [--quick] [--strict]

Times each kernel in bench/c/ as native code, on wasmi and on the espb VM,
and prints times, ratios and module sizes side by side.

  --quick    fewer samples (for a fast check; numbers are noisier)
  --strict   exit with an error when a column is n/a, not only on a mismatch

environment: ESPB_BENCH_CLANG (clang for wasm32), ESPB_CLANG (clang for cargo-espb)";

/// One engine's outcome on one kernel.
enum Cell {
    Time(Measured),
    /// Not available: a footnote number into `Report::notes`.
    NotAvailable(usize),
    /// It ran and trapped (listed in `Report::errors`).
    Failed,
}

struct Row {
    label: String,
    kernel: &'static Kernel,
    native: Measured,
    wasmi: Cell,
    espb: Cell,
    wasm_size: Option<Size>,
    espb_size: Option<Size>,
}

/// A module's bytes: the whole file, and without the sections a device
/// does not need to run it (names, debug info).
#[derive(Clone, Copy)]
struct Size {
    file: usize,
    core: Option<usize>,
}

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
    /// Why a column is n/a; the same reason is listed once.
    notes: Vec<String>,
    /// Result mismatches and traps: these fail the run.
    errors: Vec<String>,
}

impl Report {
    /// Times one engine; a trap or a wrong result is an error of the run.
    fn time(
        &mut self,
        kernel: &Kernel,
        label: &str,
        engine: &str,
        budget: Budget,
        call: impl FnMut() -> Result<u32>,
    ) -> Cell {
        match measure(budget, call) {
            Ok(m) => {
                self.check(kernel, label, engine, m.result);
                Cell::Time(m)
            }
            Err(e) => {
                self.errors.push(format!("{label} on {engine}: {e}"));
                Cell::Failed
            }
        }
    }

    /// Every engine must give the kernel's known result.
    fn check(&mut self, kernel: &Kernel, label: &str, engine: &str, got: u32) {
        if got != kernel.bench_expect {
            self.errors.push(format!(
                "{label} on {engine} returned {}, expected {}",
                kernel.format_result(got),
                kernel.format_result(kernel.bench_expect)
            ));
        }
    }

    fn note(&mut self, reason: String) -> usize {
        match self.notes.iter().position(|n| *n == reason) {
            Some(i) => i + 1,
            None => {
                self.notes.push(reason);
                self.notes.len()
            }
        }
    }
}

fn main() -> ExitCode {
    let mut budget = Budget::default();
    let mut strict = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--quick" => budget = Budget { min_samples: 3, max_samples: 21, time: Duration::from_millis(150) },
            "--strict" => strict = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("espb-bench: unknown argument `{other}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    if cfg!(debug_assertions) {
        eprintln!(
            "espb-bench: warning: this is a debug build; the VM columns mean little. \
             Run `cargo run --release -p espb-bench`."
        );
    }

    let report = match run(budget) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("espb-bench: error: {e}");
            return ExitCode::FAILURE;
        }
    };
    print_report(&report);
    if !report.errors.is_empty() {
        eprintln!();
        for e in &report.errors {
            eprintln!("espb-bench: error: {e}");
        }
        return ExitCode::FAILURE;
    }
    let missing =
        report.rows.iter().flat_map(|r| [&r.wasmi, &r.espb]).filter(|c| matches!(c, Cell::NotAvailable(_))).count();
    if strict && missing > 0 {
        eprintln!("espb-bench: error: --strict: {missing} measurement(s) not available (see the notes)");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn run(budget: Budget) -> Result<Report> {
    let dir = ScratchDir::new()?;
    let wasm_tc = WasmToolchain::find();
    let mut report = Report::default();

    for kernel in KERNELS {
        let n = kernel.bench_arg;
        let label = kernel.label(n);
        eprint!("espb-bench: {label}: native");
        let native = measure(budget, || Ok(kernel.call_native(n)))?;
        report.check(kernel, &label, "native", native.result);

        eprint!(", wasmi");
        let mut wasm_size = None;
        let wasmi = match wasm_tc.as_ref().map_err(Clone::clone).and_then(|tc| {
            let wasm = tc.build(kernel, &dir)?;
            wasm_size = Some(Size { file: wasm.len(), core: size_without_custom_sections(&wasm) });
            WasmRunner::new(kernel, &wasm)
        }) {
            Ok(mut runner) => report.time(kernel, &label, "wasmi", budget, || runner.call(n)),
            Err(e) => Cell::NotAvailable(report.note(format!("wasmi: {e}"))),
        };

        eprint!(", espb");
        let mut espb_size = None;
        let espb = match espb::build(kernel, &dir).and_then(|m| {
            espb_size = Some(Size { file: m.bytes.len(), core: Some(m.core_size) });
            EspbRunner::new(kernel, &m.bytes)
        }) {
            Ok(mut runner) => report.time(kernel, &label, "espb", budget, || runner.call(n)),
            Err(e) => Cell::NotAvailable(report.note(format!("espb: {e}"))),
        };
        eprintln!();

        report.rows.push(Row { label, kernel, native, wasmi, espb, wasm_size, espb_size });
    }
    Ok(report)
}

fn print_report(r: &Report) {
    let cc = env!("ESPB_BENCH_NATIVE_CC");
    println!();
    println!("espb-bench: the same C, {OPT} everywhere");
    println!("  native  {cc} {OPT}, linked into this binary");
    println!("  wasmi   clang --target=wasm32 {OPT}, run by wasmi 2 (eager compilation)");
    println!("  espb    cargo-espb library {OPT} (in-process), run by the espb-runtime interpreter");
    println!("  time = median of the timed calls (after one warm-up call); [n] = samples");
    println!();

    let mut t =
        Table::new(&["kernel", "result", "native", "wasmi", "espb", "wasmi/native", "espb/native", "espb/wasmi"]);
    for row in &r.rows {
        let nat = row.native.median;
        t.push(vec![
            row.label.clone(),
            row.kernel.format_result(row.native.result),
            time_cell(&Cell::Time(row.native)),
            time_cell(&row.wasmi),
            time_cell(&row.espb),
            ratio(cell_time(&row.wasmi), Some(nat)),
            ratio(cell_time(&row.espb), Some(nat)),
            ratio(cell_time(&row.espb), cell_time(&row.wasmi)),
        ]);
    }
    t.print();
    println!();
    println!("  ratios are time / time: lower is better for the left-hand engine.");
    println!("  espb/wasmi < 1.00 means the espb VM is faster than wasmi; > 1.00 slower.");
    println!();

    let mut s = Table::new(&["module size", ".wasm", ".wasm core", ".espb", ".espb core", "espb/wasm (core)"]);
    let bytes = |b: Option<usize>| b.map_or("n/a".to_string(), |b| format!("{b} B"));
    for row in &r.rows {
        let wasm_core = row.wasm_size.and_then(|s| s.core);
        let espb_core = row.espb_size.and_then(|s| s.core);
        let ratio = match (espb_core, wasm_core) {
            (Some(e), Some(w)) if w > 0 => format!("{:.2}", e as f64 / w as f64),
            _ => "n/a".into(),
        };
        s.push(vec![
            row.kernel.file.to_string(),
            bytes(row.wasm_size.map(|s| s.file)),
            bytes(wasm_core),
            bytes(row.espb_size.map(|s| s.file)),
            bytes(espb_core),
            ratio,
        ]);
    }
    s.print();
    println!();
    println!("  core = without the optional sections: .wasm custom sections (name, producers,");
    println!("  target_features), .espb NAMES and DEBUG_LINES.");
    println!("  espb/wasm = .espb core / .wasm core: lower is better for espb.");

    if !r.notes.is_empty() {
        println!();
        for (i, n) in r.notes.iter().enumerate() {
            println!("[{}] {}", i + 1, n.replace('\n', "\n    "));
        }
    }
}

fn cell_time(c: &Cell) -> Option<Duration> {
    match c {
        Cell::Time(m) => Some(m.median),
        Cell::NotAvailable(_) | Cell::Failed => None,
    }
}

fn time_cell(c: &Cell) -> String {
    match c {
        Cell::Time(m) => format!("{} [{}]", format_duration(m.median), m.samples),
        Cell::NotAvailable(i) => format!("n/a [{i}]"),
        Cell::Failed => "error".into(),
    }
}

fn ratio(a: Option<Duration>, b: Option<Duration>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if !b.is_zero() => format!("{:.2}", a.as_secs_f64() / b.as_secs_f64()),
        _ => "n/a".into(),
    }
}

/// A text table: first column left-aligned, the rest right-aligned.
struct Table {
    rows: Vec<Vec<String>>,
}

impl Table {
    fn new(header: &[&str]) -> Table {
        Table { rows: vec![header.iter().map(|h| h.to_string()).collect()] }
    }

    fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    fn print(&self) {
        let cols = self.rows.iter().map(Vec::len).max().unwrap_or(0);
        let width: Vec<usize> = (0..cols)
            .map(|c| self.rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0))
            .collect();
        for (i, row) in self.rows.iter().enumerate() {
            let mut line = String::new();
            for (c, cell) in row.iter().enumerate() {
                if c == 0 {
                    line.push_str(&format!("{cell:<w$}", w = width[c]));
                } else {
                    line.push_str(&format!("  {cell:>w$}", w = width[c]));
                }
            }
            println!("{}", line.trim_end());
            if i == 0 {
                println!("{}", "-".repeat(width.iter().sum::<usize>() + 2 * cols.saturating_sub(1)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use espb_bench::BenchError;

    fn quick() -> Budget {
        Budget { min_samples: 1, max_samples: 1, time: Duration::ZERO }
    }

    #[test]
    fn traps_and_wrong_results_are_errors() {
        let k = &KERNELS[0];
        let mut r = Report::default();
        assert!(matches!(r.time(k, "fib", "x", quick(), || Err(BenchError::new("trap"))), Cell::Failed));
        assert!(matches!(r.time(k, "fib", "y", quick(), || Ok(k.bench_expect + 1)), Cell::Time(_)));
        assert!(matches!(r.time(k, "fib", "z", quick(), || Ok(k.bench_expect)), Cell::Time(_)));
        assert_eq!(r.errors.len(), 2, "{:?}", r.errors);
        assert!(r.errors[0].contains("on x: trap"));
        assert!(r.errors[1].contains("on y returned"));
    }
}
