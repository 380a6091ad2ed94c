//! Runs kernels through every engine: timed (the default table) or once
//! each (the `--check` mode and the CI test), checking every result.

use crate::engine::{Built, Engine, with_engine};
use crate::kernels::{Kernel, Size};
use crate::report::{Cell, Grid, Notes, Row};
use crate::timing::{Budget, Measured, format_duration, measure};
use crate::wasm::{WasmToolchain, size_without_custom_sections};
use crate::{Result, ScratchDir};

#[derive(Clone, Copy, Debug)]
pub enum Mode {
    /// Time each engine (min of N).
    Time(Budget),
    /// Call each engine once and check the result.
    Check,
}

/// A kernel's module sizes: the whole files a device stores, without the
/// optional sections (wasm custom sections; .espb names and debug lines).
pub struct Sizes {
    pub label: &'static str,
    pub wasm: Result<usize>,
    pub espb: Result<usize>,
}

/// Everything a run found.
pub struct Outcome {
    pub grid: Grid,
    pub sizes: Vec<Sizes>,
    pub notes: Notes,
    /// Wrong results and traps: these fail the run.
    pub errors: Vec<String>,
}

impl Outcome {
    /// Cells that could not be measured.
    pub fn not_available(&self) -> usize {
        self.grid.rows.iter().flat_map(|r| &r.cells).filter(|c| matches!(c, Cell::NotAvailable(_))).count()
    }
}

/// Runs `kernels` at `size` through every engine.
pub fn run(kernels: &[&'static Kernel], size: Size, mode: Mode, progress: bool) -> Result<Outcome> {
    let dir = ScratchDir::new()?;
    let wasm_tc = WasmToolchain::find();
    let mut out =
        Outcome { grid: Grid::new(&Engine::ALL), sizes: Vec::new(), notes: Notes::default(), errors: Vec::new() };
    for kernel in kernels {
        let case = kernel.case(size);
        let label = kernel.label(case.arg);
        if progress {
            eprint!("espb-bench: {label}: building");
        }
        let built = Built::new(kernel, &wasm_tc, &dir);
        out.sizes.push(Sizes {
            label: kernel.name,
            wasm: built.wasm.as_ref().map_err(Clone::clone).and_then(|w| {
                size_without_custom_sections(w).ok_or_else(|| crate::BenchError::new("not a well-formed .wasm"))
            }),
            espb: built.espb.as_ref().map(|m| m.core_size).map_err(Clone::clone),
        });
        let mut cells = Vec::new();
        for engine in Engine::ALL {
            if progress {
                eprint!(", {}", engine.name());
            }
            let measured = with_engine(engine, kernel, &built, |call| match mode {
                Mode::Time(budget) => measure(budget, || call(case.arg)),
                Mode::Check => call(case.arg).map(|result| Measured { min: Default::default(), samples: 1, result }),
            });
            cells.push(classify(kernel, &label, engine, case.expect, mode, measured, &mut out));
        }
        if progress {
            eprintln!();
        }
        out.grid.rows.push(Row { label, result: kernel.format_result(case.expect), cells });
    }
    Ok(out)
}

/// One engine's cell: n/a when it could not be set up, an error of the run
/// when it trapped or gave anything but the recorded result.
fn classify(
    kernel: &Kernel,
    label: &str,
    engine: Engine,
    expect: u32,
    mode: Mode,
    measured: Result<Result<Measured>>,
    out: &mut Outcome,
) -> Cell {
    match measured {
        Err(e) => Cell::NotAvailable(out.notes.add(e.0)),
        Ok(Err(e)) => {
            out.errors.push(format!("{label} on {}: {e}", engine.name()));
            Cell::Failed
        }
        Ok(Ok(m)) if m.result != expect => {
            out.errors.push(format!(
                "{label} on {} returned {}, expected {}",
                engine.name(),
                kernel.format_result(m.result),
                kernel.format_result(expect)
            ));
            Cell::Failed
        }
        Ok(Ok(m)) => match mode {
            Mode::Time(_) => {
                Cell::Value { value: m.min.as_secs_f64(), text: format!("{} [{}]", format_duration(m.min), m.samples) }
            }
            Mode::Check => Cell::Value { value: 1.0, text: "ok".into() },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BenchError;

    #[test]
    fn traps_and_wrong_results_fail_the_run_and_setup_failures_are_footnotes() {
        let k = &crate::KERNELS[0];
        let mut out =
            Outcome { grid: Grid::new(&Engine::ALL), sizes: Vec::new(), notes: Notes::default(), errors: Vec::new() };
        let m = |result| Ok(Ok(Measured { min: Default::default(), samples: 1, result }));
        let cell = |out: &mut Outcome, r| classify(k, "fib(15)", Engine::Espb, 610, Mode::Check, r, out);
        assert!(matches!(cell(&mut out, m(610)), Cell::Value { .. }));
        assert!(matches!(cell(&mut out, m(611)), Cell::Failed));
        assert!(matches!(cell(&mut out, Ok(Err(BenchError::new("trap: unreachable")))), Cell::Failed));
        assert!(matches!(cell(&mut out, Err(BenchError::new("translator refuses"))), Cell::NotAvailable(1)));
        assert_eq!(out.errors, ["fib(15) on espb returned 611, expected 610", "fib(15) on espb: trap: unreachable"]);
        assert_eq!(out.not_available(), 0, "cells are counted from the grid, not from classify");
    }
}
