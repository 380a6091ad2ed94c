//! Whole modules through [`espb_sim::Sim`]: output, the entry rule, exit
//! status, traps and virtual time, as `cargo espb run` shows them.

use espb_runtime::TrapKind;
use espb_runtime::runner::{Outcome, RunError};
use espb_sim::{Ended, Options, Run, Sim, SimError, exit_code};

/// fixtures/run.c built by cargo espb.
const MODULE: &[u8] = include_bytes!("fixtures/run.espb");

fn run(entry: Option<&str>) -> (Result<Run, SimError>, String) {
    let options = Options { entry: entry.map(String::from), ..Options::default() };
    let (sim, out, _) = Sim::capture(options);
    let r = sim.run(MODULE);
    (r, out.text())
}

fn ended(r: &Result<Run, SimError>) -> &Ended {
    match r {
        Ok(run) => &run.ended,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn main_runs_first_and_its_result_is_the_exit_code() {
    let (r, out) = run(None);
    assert_eq!(ended(&r), &Ended::Finished(Outcome::Returned(7)));
    assert_eq!(exit_code(&r), Some(7));
    assert_eq!(out, "hello 42\n");
    let (r, out) = run(Some("app_main"));
    assert_eq!((exit_code(&r), out.as_str()), (Some(0), "app_main\n"));
}

#[test]
fn exit_flushes_and_gives_its_status() {
    let (r, out) = run(Some("quit"));
    assert_eq!(ended(&r), &Ended::Exited(3));
    assert_eq!(exit_code(&r), Some(3));
    assert_eq!(out, "bye", "unterminated output is flushed at exit");
}

#[test]
fn traps_and_refusals_have_no_exit_code() {
    let (r, _) = run(Some("crash"));
    let Ended::Trapped { trap: Some(trap), message } = ended(&r) else { panic!("{r:?}") };
    assert_eq!(trap.kind, TrapKind::DivideByZero);
    assert!(message.contains("`crash`") && message.contains("run.c:"), "{message}");
    assert!(message.ends_with("(task main)"), "the task is named: {message}");
    assert_eq!(exit_code(&r), None);
    let (r, _) = run(Some("nope"));
    assert!(matches!(&r, Err(SimError::Run(RunError::NoEntry { entry })) if entry == "nope"), "{r:?}");
    let (sim, _, _) = Sim::capture(Options::default());
    let r = sim.run(&MODULE[..MODULE.len() / 2]);
    assert!(matches!(r, Err(SimError::Run(RunError::Load(_)))), "{r:?}");
}

#[test]
fn virtual_time_advances_by_the_delay_without_sleeping() {
    let started = std::time::Instant::now();
    let (r, out) = run(Some("wait"));
    assert_eq!(ended(&r), &Ended::Finished(Outcome::Returned(0)));
    // 50 ticks of 10 ms.
    assert_eq!(out, "500000\n");
    assert_eq!(r.map(|r| r.time_us), Ok(500_000));
    assert!(started.elapsed().as_millis() < 500, "slept instead of advancing the clock");
}

#[test]
fn fuel_stops_a_run() {
    let options = Options { entry: Some("spin".into()), fuel: Some(1000), ..Options::default() };
    let (sim, _, _) = Sim::capture(options);
    let r = sim.run(MODULE);
    assert!(matches!(ended(&r), Ended::Trapped { trap: Some(trap), .. } if trap.kind == TrapKind::OutOfFuel), "{r:?}");
}

#[test]
fn a_time_limit_stops_a_module_that_runs_forever() {
    let options = Options {
        entry: Some("spin".into()),
        run_for: Some(std::time::Duration::from_millis(100)),
        ..Options::default()
    };
    let (sim, _, _) = Sim::capture(options);
    let r = sim.run(MODULE);
    assert_eq!(ended(&r), &Ended::TimeUp);
    assert_eq!(exit_code(&r), Some(0));
    assert_eq!(r.map(|r| r.time_us), Ok(100_000), "time slices cost virtual time");
}

#[test]
fn the_tick_rate_sets_how_long_a_tick_is() {
    let options = Options { entry: Some("wait".into()), tick_hz: 1000, ..Options::default() };
    let (sim, out, _) = Sim::capture(options);
    let r = sim.run(MODULE);
    assert_eq!(ended(&r), &Ended::Finished(Outcome::Returned(0)));
    assert_eq!(out.text(), "50000\n", "50 ticks of 1 ms");
}
