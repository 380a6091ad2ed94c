//! `--op-pairs`: which espb instruction follows which, over the kernels
//! (count inputs), for choosing superinstructions. Needs the `op-stats`
//! feature (`cargo run --release -p espb-bench --features op-stats --
//! --op-pairs`): the runtime then counts every dispatch, so this build's
//! other measurements mean nothing.

use crate::kernels::{Kernel, Size};
use crate::{BenchError, Result, ScratchDir};

/// One pair of consecutive instructions and how much of the run it is.
pub struct Pair {
    pub first: &'static str,
    pub then: &'static str,
    /// The mean over the kernels of its share of their executed pairs.
    pub mean_share: f64,
    /// The kernel where its share is largest, and that share.
    pub top: (&'static str, f64),
}

/// Runs each kernel once on the espb VM and returns the pairs, largest
/// mean share first. Every kernel weighs the same, however long it runs.
#[cfg(feature = "op-stats")]
pub fn run(kernels: &[&'static Kernel]) -> Result<Vec<Pair>> {
    use espb_runtime::vm::{op_pairs, reset_op_stats};
    use std::collections::HashMap;
    let dir = ScratchDir::new()?;
    // (first, then) -> (sum of shares, (kernel with the largest, its share))
    type Shares = HashMap<(&'static str, &'static str), (f64, (&'static str, f64))>;
    let mut shares = Shares::new();
    let mut counted = 0;
    for k in kernels {
        let Ok(module) = crate::espb::build(k, &dir) else {
            eprintln!("espb-bench: {} does not build for espb: left out", k.name);
            continue;
        };
        let mut runner = crate::espb::EspbRunner::new(k, &module.bytes)?;
        let case = k.case(Size::Count);
        reset_op_stats();
        let got = runner.call(case.arg)?;
        if got != case.expect {
            return Err(BenchError::new(format!("{} on espb returned {got:#x}, expected {:#x}", k.name, case.expect)));
        }
        let pairs = op_pairs();
        let total: u64 = pairs.iter().map(|p| u64::from(p.2)).sum();
        for (a, b, n) in pairs {
            let share = f64::from(n) / total.max(1) as f64;
            let e = shares.entry((a.mnemonic(), b.mnemonic())).or_insert((0.0, (k.name, 0.0)));
            e.0 += share;
            if share > e.1.1 {
                e.1 = (k.name, share);
            }
        }
        counted += 1;
    }
    let mut v: Vec<Pair> = shares
        .into_iter()
        .map(|((first, then), (sum, top))| Pair { first, then, mean_share: sum / f64::from(counted.max(1)), top })
        .collect();
    v.sort_by(|x, y| y.mean_share.total_cmp(&x.mean_share));
    Ok(v)
}

#[cfg(not(feature = "op-stats"))]
pub fn run(_kernels: &[&'static Kernel]) -> Result<Vec<Pair>> {
    let _ = (Size::Count, ScratchDir::new);
    Err(BenchError::new(
        "--op-pairs needs the runtime's counters: cargo run --release -p espb-bench --features op-stats -- --op-pairs",
    ))
}

/// The `n` most frequent pairs as a table.
pub fn print(pairs: &[Pair], n: usize) {
    println!("espb-bench --op-pairs: consecutive instructions executed, count inputs\n");
    println!("{:<24} {:<24} {:>10}  {:<24}", "instruction", "then", "mean share", "most in");
    println!("{}", "-".repeat(86));
    for p in pairs.iter().take(n) {
        println!(
            "{:<24} {:<24} {:>9.2}%  {} ({:.1}%)",
            p.first,
            p.then,
            100.0 * p.mean_share,
            p.top.0,
            100.0 * p.top.1
        );
    }
    println!("\n  mean share: the pair's fraction of each kernel's executed pairs, averaged over the kernels.");
}
