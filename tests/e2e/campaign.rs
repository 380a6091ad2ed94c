//! Differential random testing on many fresh csmith seeds:
//!
//!     cargo bench -p cargo-espb --bench csmith -- --seeds 1000 --from 20000 --jobs 2
//!
//! Each seed's program is built natively (`gcc -m32`, as the e2e suite does)
//! and through espb, and the verdict printed: match, MISMATCH (a silent wrong
//! result, with a command that reproduces it), espb failed (trap, crash or
//! timeout), refused at build (with the translator's error) or native
//! timeout (skipped). A summary follows, refusals grouped by cause. The exit
//! code is 1 if any seed mismatched or failed in espb.

#[allow(dead_code)]
mod csmith;
#[allow(dead_code)]
mod diff;
#[allow(dead_code)]
mod espb;
#[allow(dead_code)]
mod native;
#[allow(dead_code)]
mod util;

use clap::Parser;
use csmith::Verdict;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Runs N csmith seeds through the native and the espb build and compares them.
#[derive(Parser, Debug)]
#[command(name = "csmith campaign")]
struct Args {
    /// How many seeds.
    #[arg(long, default_value_t = 100)]
    seeds: u64,
    /// The first seed (default: derived from the clock, printed at the start).
    #[arg(long)]
    from: Option<u64>,
    /// Seeds checked at the same time (default: the number of CPUs).
    #[arg(long, short)]
    jobs: Option<usize>,
    /// Seconds a native run may take before its seed is skipped.
    #[arg(long, default_value_t = 2)]
    native_timeout: u64,
    /// Seconds an espb run may take before it counts as failed.
    #[arg(long, default_value_t = 120)]
    espb_timeout: u64,
    /// Where programs that mismatch, fail or are refused are kept
    /// (default: $TMPDIR/espb-csmith-campaign).
    #[arg(long)]
    keep: Option<PathBuf>,
    /// Passed by `cargo bench`; without it (`cargo test --benches`) nothing runs.
    #[arg(long, hide = true)]
    bench: bool,
}

/// What is printed and counted for one seed.
struct Record {
    seed: u64,
    verdict: Result<Verdict, String>,
    took: Duration,
    /// Where the program was kept, if it was.
    kept: Option<String>,
}

fn main() {
    let args = Args::parse();
    if !args.bench && std::env::args().len() == 1 {
        println!("csmith campaign: run it with `cargo bench -p cargo-espb --bench csmith -- --seeds N`");
        return;
    }
    if let Err(why) = csmith::available().and_then(|_| native::available().clone()) {
        eprintln!("csmith campaign: cannot run: {why}");
        std::process::exit(2);
    }
    let from = args.from.unwrap_or_else(clock_seed);
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let keep = args.keep.clone().unwrap_or_else(|| csmith::kept_dir("espb-csmith-campaign"));
    let limits = csmith::Limits {
        native: Duration::from_secs(args.native_timeout),
        espb: Duration::from_secs(args.espb_timeout),
    };
    let last = from + args.seeds.saturating_sub(1);
    println!(
        "csmith campaign: seeds {from}..={last} ({} seeds), {jobs} jobs, programs kept in {}",
        args.seeds,
        keep.display()
    );
    println!("csmith options: {}", csmith::CSMITH_ARGS.join(" "));

    let start = Instant::now();
    let next = AtomicU64::new(0);
    let records = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= args.seeds {
                        break;
                    }
                    let record = check(from + i, limits, &keep);
                    report(&record);
                    records.lock().unwrap_or_else(|e| e.into_inner()).push(record);
                }
            });
        }
    });
    let mut records = records.into_inner().unwrap_or_else(|e| e.into_inner());
    records.sort_by_key(|r| r.seed);
    let failed = summary(&records, start.elapsed());
    std::process::exit(if failed { 1 } else { 0 });
}

/// A seed that differs from run to run, so that campaigns without `--from`
/// cover new programs.
fn clock_seed() -> u64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    (now.as_secs() % 1_000_000) * 1000
}

fn check(seed: u64, limits: csmith::Limits, keep: &Path) -> Record {
    let start = Instant::now();
    let mut kept = None;
    let verdict = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}")).and_then(|work| {
        let v = csmith::check_seed(seed, work.path(), limits);
        let sub = match &v {
            Ok(Verdict::Mismatch { .. } | Verdict::EspbFailed { .. }) => Some("failed"),
            Ok(Verdict::Refused { .. }) => Some("refused"),
            _ => None,
        };
        if let Some(sub) = sub {
            kept = Some(csmith::keep_program(&work.path().join(format!("csmith_{seed}.c")), &keep.join(sub)));
        }
        v
    });
    Record { seed, verdict, took: start.elapsed(), kept }
}

/// One line per seed; the details of a failure after it.
fn report(r: &Record) {
    let seed = r.seed;
    let took = format!("({:.1}s)", r.took.as_secs_f64());
    let kept = r.kept.as_deref().map(|k| format!("\n  kept at {k}")).unwrap_or_default();
    let text = match &r.verdict {
        Ok(Verdict::Match) => format!("seed {seed}: match {took}"),
        Ok(Verdict::NativeTimeout) => format!("seed {seed}: native timeout (skipped) {took}"),
        Ok(Verdict::Refused { error }) => format!("seed {seed}: refused at build {took}: {error}"),
        Ok(Verdict::Mismatch { report }) => format!(
            "seed {seed}: MISMATCH (SILENT WRONG RESULT: differs from the native build)\n{report}  {}{kept}",
            csmith::repro(seed)
        ),
        Ok(Verdict::EspbFailed { report }) => {
            format!("seed {seed}: ESPB FAILED (the native build finished)\n{report}  {}{kept}", csmith::repro(seed))
        }
        Err(e) => format!("seed {seed}: setup error: {e}"),
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
    let _ = out.flush();
}

/// Prints the counts and the refusals by cause; true if any seed failed.
fn summary(records: &[Record], elapsed: Duration) -> bool {
    let mut counts: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    let mut refusals: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for r in records {
        let kind = match &r.verdict {
            Ok(Verdict::Match) => "match",
            Ok(Verdict::Mismatch { .. }) => "mismatch",
            Ok(Verdict::EspbFailed { .. }) => "espb failed",
            Ok(Verdict::Refused { error }) => {
                refusals.entry(csmith::refusal_group(error)).or_default().push(r.seed);
                "refused at build"
            }
            Ok(Verdict::NativeTimeout) => "native timeout",
            Err(_) => "setup error",
        };
        counts.entry(kind).or_default().push(r.seed);
    }
    let n = records.len().max(1);
    let count = |k: &str| counts.get(k).map_or(0, Vec::len);
    println!("\n== csmith campaign summary ({} seeds in {:.0?})", records.len(), elapsed);
    for kind in ["match", "mismatch", "espb failed", "refused at build", "native timeout", "setup error"] {
        let c = count(kind);
        println!("  {kind:<17} {c:>6}  ({:.1}%)", c as f64 * 100.0 / n as f64);
    }
    if !refusals.is_empty() {
        println!("refusals by cause:");
        let mut by_count: Vec<_> = refusals.iter().collect();
        by_count.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
        for (msg, seeds) in by_count {
            let shown: Vec<String> = seeds.iter().take(5).map(u64::to_string).collect();
            let more = if seeds.len() > 5 { ", ..." } else { "" };
            println!("  {:>5}  {msg}  (seeds {}{more})", seeds.len(), shown.join(", "));
        }
    }
    for kind in ["mismatch", "espb failed", "setup error"] {
        if let Some(seeds) = counts.get(kind) {
            println!("{kind} seeds: {seeds:?}");
        }
    }
    count("mismatch") + count("espb failed") + count("setup error") > 0
}
