//! Timing: a warm-up call, then repeated calls timed one by one with
//! `Instant`; the minimum is reported (the run least disturbed by the rest
//! of the machine).

use crate::{BenchError, Result};
use std::time::{Duration, Instant};

/// How long to keep sampling one engine on one kernel, at least
/// `min_samples` calls and at most `max_samples`.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub min_samples: usize,
    pub max_samples: usize,
    pub time: Duration,
}

impl Budget {
    /// The default run.
    pub const FULL: Budget = Budget { min_samples: 5, max_samples: 51, time: Duration::from_millis(500) };
    /// `--quick`: fewer samples, noisier.
    pub const QUICK: Budget = Budget { min_samples: 3, max_samples: 11, time: Duration::from_millis(100) };
}

/// The outcome of timing one engine on one kernel.
#[derive(Clone, Copy, Debug)]
pub struct Measured {
    pub min: Duration,
    pub samples: usize,
    /// The value every call returned.
    pub result: u32,
}

/// Times `call` under `budget`. Every call must return the same value
/// (a kernel is a pure function of its argument).
pub fn measure(budget: Budget, mut call: impl FnMut() -> Result<u32>) -> Result<Measured> {
    let result = call()?; // warm-up: caches, lazy compilation
    let mut min = Duration::MAX;
    let mut samples = 0;
    let start = Instant::now();
    while samples < budget.max_samples && (samples < budget.min_samples || start.elapsed() < budget.time) {
        let t = Instant::now();
        let r = std::hint::black_box(call()?);
        min = min.min(t.elapsed());
        samples += 1;
        if r != result {
            return Err(BenchError::new(format!("result changed between calls: {result} then {r}")));
        }
    }
    Ok(Measured { min, samples, result })
}

/// `1.23 ms`-style text.
pub fn format_duration(d: Duration) -> String {
    let ns = d.as_nanos() as f64;
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.1} µs", ns / 1e3)
    } else if ns < 1e9 {
        format!("{:.2} ms", ns / 1e6)
    } else {
        format!("{:.2} s", ns / 1e9)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_minimum_is_reported_and_a_changing_result_is_an_error() {
        let mut n = 0u32;
        let m = measure(Budget { min_samples: 3, max_samples: 3, time: Duration::ZERO }, || {
            n += 1;
            std::thread::sleep(Duration::from_millis(if n == 3 { 1 } else { 5 }));
            Ok(7)
        })
        .unwrap();
        assert_eq!((m.samples, m.result), (3, 7));
        assert!(m.min < Duration::from_millis(5), "{:?}", m.min);
        let mut k = 0;
        let e = measure(Budget::QUICK, || {
            k += 1;
            Ok(k)
        });
        assert!(e.is_err());
    }
}
