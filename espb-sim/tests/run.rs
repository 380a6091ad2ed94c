//! Whole modules through [`espb_sim::Sim`]: output, the entry rule, exit
//! status, traps and virtual time, as `cargo espb run` shows them.

use espb_runtime::TrapKind;
use espb_runtime::runner::{Outcome, RunError};
use espb_sim::{Options, Sim, exit_code};

/// fixtures/run.c built by cargo espb.
const MODULE: &[u8] = include_bytes!("fixtures/run.espb");

fn run(entry: Option<&str>) -> (Result<Outcome, RunError>, String) {
    let options = Options { entry: entry.map(String::from), virtual_time: true, ..Options::default() };
    let (sim, out, _) = Sim::capture(options);
    let r = sim.run(MODULE);
    (r, out.text())
}

#[test]
fn main_runs_first_and_its_result_is_the_exit_code() {
    let (r, out) = run(None);
    assert_eq!(r, Ok(Outcome::Returned(7)));
    assert_eq!(exit_code(&r), Some(7));
    assert_eq!(out, "hello 42\n");
    let (r, out) = run(Some("app_main"));
    assert_eq!((exit_code(&r), out.as_str()), (Some(0), "app_main\n"));
}

#[test]
fn exit_flushes_and_gives_its_status() {
    let (r, out) = run(Some("quit"));
    assert_eq!(r, Err(RunError::Exit(3)));
    assert_eq!(exit_code(&r), Some(3));
    assert_eq!(out, "bye", "unterminated output is flushed at exit");
}

#[test]
fn traps_and_refusals_have_no_exit_code() {
    let (r, _) = run(Some("crash"));
    let Err(RunError::Trap { trap, message }) = &r else { panic!("{r:?}") };
    assert_eq!(trap.kind, TrapKind::DivideByZero);
    assert!(message.contains("`crash`") && message.contains("run.c:"), "{message}");
    assert_eq!(exit_code(&r), None);
    let (r, _) = run(Some("nope"));
    assert!(matches!(&r, Err(RunError::NoEntry { entry }) if entry == "nope"), "{r:?}");
    let (sim, _, _) = Sim::capture(Options::default());
    let r = sim.run(&MODULE[..MODULE.len() / 2]);
    assert!(matches!(r, Err(RunError::Load(_))), "{r:?}");
}

#[test]
fn virtual_time_advances_by_the_delay_without_sleeping() {
    let started = std::time::Instant::now();
    let (r, out) = run(Some("wait"));
    assert_eq!(r, Ok(Outcome::Returned(0)));
    // 50 ticks of 10 ms.
    assert_eq!(out, "500000\n");
    assert!(started.elapsed().as_millis() < 500, "slept instead of advancing the clock");
}

#[test]
fn fuel_stops_a_run() {
    let options = Options { entry: Some("spin".into()), fuel: Some(1000), ..Options::default() };
    let (sim, _, _) = Sim::capture(options);
    let r = sim.run(MODULE);
    assert!(matches!(&r, Err(RunError::Trap { trap, .. }) if trap.kind == TrapKind::OutOfFuel), "{r:?}");
}
