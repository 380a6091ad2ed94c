//! Timing: a warm-up call, then repeated calls timed one by one with
//! `Instant`; the median is reported.

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

impl Default for Budget {
    fn default() -> Self {
        Budget { min_samples: 5, max_samples: 101, time: Duration::from_millis(700) }
    }
}

/// The outcome of timing one engine on one kernel.
#[derive(Clone, Copy, Debug)]
pub struct Measured {
    pub median: Duration,
    pub samples: usize,
    /// The value every call returned.
    pub result: u32,
}

/// Times `call` under `budget`. Every call must return the same value
/// (a kernel is a pure function of its argument).
pub fn measure(budget: Budget, mut call: impl FnMut() -> Result<u32>) -> Result<Measured> {
    let result = call()?; // warm-up: caches, lazy setup
    let mut times = Vec::with_capacity(budget.min_samples);
    let start = Instant::now();
    while times.len() < budget.max_samples && (times.len() < budget.min_samples || start.elapsed() < budget.time) {
        let t = Instant::now();
        let r = std::hint::black_box(call()?);
        times.push(t.elapsed());
        if r != result {
            return Err(BenchError::new(format!("result changed between calls: {result} then {r}")));
        }
    }
    times.sort_unstable();
    let n = times.len();
    let median = if n % 2 == 1 { times[n / 2] } else { (times[n / 2 - 1] + times[n / 2]) / 2 };
    Ok(Measured { median, samples: n, result })
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
