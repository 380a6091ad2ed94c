//! Running a whole module on the PC: the runtime's app (load, start, the
//! module's tasks, timers and callbacks through the thunk pool, unload) on
//! the simulated FreeRTOS, with [`PcHost`] as the firmware.
//!
//! The entry (`app_main`, or `main`) runs on the task "main" (priority 1,
//! as ESP-IDF's). The run ends when the module is done (its entry returned
//! and nothing of it is left, `exit`, a trap in any task), when the time
//! limit is reached ([`Options::run_for`]), or when every task waits for
//! something that can no longer happen.

use crate::gpio_script::Input;
use crate::kernel::{Clock, Kernel, Stop};
use crate::stubs::Stub;
use crate::{Console, PcHost, SharedBuf};
use espb_runtime::app::{App, AppStatus};
use espb_runtime::runner::{Outcome, RunError};
use espb_runtime::thunk::{DEFAULT_THUNKS, ThunkPool};
use espb_runtime::{Config, Trap};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How [`Sim::run`] runs a module.
#[derive(Clone, Debug)]
pub struct Options {
    /// The function to call; `None`: `main` when the module has one, else
    /// `app_main`.
    pub entry: Option<String>,
    /// Stop after this many calls and backward branches.
    pub fuel: Option<u64>,
    /// Stack size in bytes (default: the module's request).
    pub stack_size: Option<u32>,
    /// Heap size in bytes (default: the module's request).
    pub heap_size: Option<u32>,
    /// Run against the wall clock. Default: virtual time, where waits take
    /// no time and every run prints the same.
    pub realtime: bool,
    /// Stop after this much simulated time.
    pub run_for: Option<Duration>,
    /// `CONFIG_FREERTOS_HZ` of the simulated firmware.
    pub tick_hz: u32,
    /// Seed of `esp_random`.
    pub seed: u64,
    /// Slots of the thunk pool (callbacks of the module), as `ESPB_THUNKS`
    /// on a device.
    pub thunks: usize,
    /// Shadow stack of each task that runs module code (default: the
    /// runtime's).
    pub task_stack_size: Option<u32>,
    /// GPIO input changes ([`crate::gpio_script`]).
    pub gpio_inputs: Vec<Input>,
    /// Real time: GPIO input lines arrive on stdin while the module runs.
    pub gpio_stdin: bool,
    /// A file backing NVS.
    pub nvs_file: Option<PathBuf>,
    /// VFS mounts: module paths under the prefix (`/spiffs`; `""`: every
    /// absolute path) live in the folder.
    pub fs: Vec<(String, PathBuf)>,
    /// Answers for natives the simulator lacks.
    pub stubs: Vec<Stub>,
    /// The project's symbol tables besides `idf`, by name.
    pub tables: Vec<(String, espb_sys::Manifest)>,
    /// The simulator's own log lines in ESP-IDF's colours.
    pub log_colors: bool,
    /// The firmware's sdkconfig: the configuration values (`__espb_cfg_*`)
    /// the module reads. Set `tick_hz` from its `CONFIG_FREERTOS_HZ`.
    pub sdkconfig: Option<espb_sys::Sdkconfig>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            entry: None,
            fuel: None,
            stack_size: None,
            heap_size: None,
            realtime: false,
            run_for: None,
            tick_hz: crate::DEFAULT_TICK_HZ,
            seed: 0,
            thunks: DEFAULT_THUNKS,
            task_stack_size: None,
            gpio_inputs: Vec::new(),
            gpio_stdin: false,
            nvs_file: None,
            fs: Vec::new(),
            stubs: Vec::new(),
            tables: Vec::new(),
            log_colors: false,
            sdkconfig: None,
        }
    }
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ended {
    /// The module finished: its entry returned (or it called `exit(0)`)
    /// and nothing of it was left running.
    Finished(Outcome),
    /// The module called `exit(status)` with a non-zero status.
    Exited(i32),
    /// A task of the module trapped: `message` says what, where (function,
    /// source line) and on which task. `trap` is the trap itself when it
    /// happened in the entry.
    Trapped { message: String, trap: Option<Trap> },
    /// The time limit was reached while the module was running.
    TimeUp,
    /// Every task waits for something that can no longer happen: the module
    /// lives on, idle.
    Idle,
}

/// A finished run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub ended: Ended,
    /// The simulated time at the end, in microseconds.
    pub time_us: u64,
}

/// Why a module did not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    #[error(transparent)]
    Run(#[from] RunError),
    /// The module imports functions or variables the simulator does not
    /// have.
    #[error("the PC simulator lacks {}, which the module imports", list(missing))]
    Lacks { missing: Vec<Missing> },
}

/// An import the simulator lacks: its name, and for a slot import its table
/// and slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    pub name: String,
    pub slot: Option<(String, u16)>,
}

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.slot {
            Some((table, index)) => write!(f, "`{}` (slot {index} of table `{table}`)", self.name),
            None => write!(f, "`{}`", self.name),
        }
    }
}

fn list(missing: &[Missing]) -> String {
    missing.iter().map(Missing::to_string).collect::<Vec<_>>().join(", ")
}

/// A simulated ESP32 about to run one module: the options and where its
/// stdout and stderr go.
pub struct Sim {
    options: Options,
    out: Box<dyn Write + Send>,
    err: Box<dyn Write + Send>,
}

impl Sim {
    /// Module output goes to the process's stdout and stderr.
    pub fn new(options: Options) -> Sim {
        Sim::with_output(options, Box::new(std::io::stdout()), Box::new(std::io::stderr()))
    }

    /// Module output goes to `out` and `err`.
    pub fn with_output(options: Options, out: Box<dyn Write + Send>, err: Box<dyn Write + Send>) -> Sim {
        Sim { options, out, err }
    }

    /// Module output is captured in the returned buffers.
    pub fn capture(options: Options) -> (Sim, SharedBuf, SharedBuf) {
        let (out, err) = (SharedBuf::new(), SharedBuf::new());
        (Sim::with_output(options, Box::new(out.clone()), Box::new(err.clone())), out, err)
    }

    /// Loads, verifies and runs the module in `bytes` (no partition header)
    /// until it ends (see the [module docs](self)). Its output is flushed
    /// when this returns, however the run ended.
    pub fn run(self, bytes: &[u8]) -> Result<Run, SimError> {
        let Sim { options: o, out, err } = self;
        let m = espb_runtime::format::load(bytes).map_err(RunError::from)?;
        let entry = o.entry.clone().unwrap_or_else(|| espb_runtime::runner::default_entry(&m).to_string());
        let console = Console::new(out, err);
        let pool = ThunkPool::synthetic(o.thunks);
        let until = o.run_for.map(|d| d.as_micros() as u64);
        let k = Kernel::new(console.clone(), pool, Clock { tick_hz: o.tick_hz, realtime: o.realtime, until });
        k.enter_as_controller();
        k.lock().rtos.nvs.file = o.nvs_file.clone();
        let mut host = PcHost::with_kernel(k, console.clone());
        host.random = o.seed;
        host.log_colors = o.log_colors;
        host.collect_missing = true;
        host.sdkconfig = o.sdkconfig;
        for (prefix, dir) in o.fs {
            host.mount(&prefix, dir);
        }
        for (name, manifest) in o.tables {
            host.add_table(&name, manifest);
        }
        for stub in o.stubs {
            host.add_stub(stub);
        }
        let mut config = Config { fuel: o.fuel, stack_size: o.stack_size, heap_size: o.heap_size, ..Config::default() };
        if let Some(s) = o.task_stack_size {
            config.task_stack_size = s;
        }
        let app = App::load_module(m, host, config, k, pool)?;
        let missing = app.with_host(|h| std::mem::take(&mut h.missing)).unwrap_or_default();
        if !missing.is_empty() {
            return Err(SimError::Lacks { missing });
        }
        crate::rtos::gpio::load_script(k, o.gpio_inputs);
        if o.gpio_stdin && o.realtime {
            read_inputs_from_stdin(k);
        }
        let result: Arc<Mutex<Option<Result<Outcome, RunError>>>> = Arc::default();
        let (main_app, main_result) = (app.clone(), result.clone());
        let main = move || {
            let r = main_app.start(&entry);
            *main_result.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(r);
        };
        if k.spawn("main", 1, Box::new(main)).is_none() {
            return Err(SimError::Run(RunError::Instantiate(espb_runtime::InstantiateError::Os(
                "the simulator could not start the main task (no thread)",
            ))));
        }
        app.on_finish(Box::new(move |_| k.request_stop()));
        let stop = k.run();
        let time_us = k.lock().now;
        let _ = console.flush();
        let entry_result = result.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        let ended = match app.status() {
            AppStatus::Finished(o) => Ended::Finished(o),
            AppStatus::Exited(c) => Ended::Exited(c),
            AppStatus::Trapped => {
                let trap = match &entry_result {
                    Some(Err(RunError::Trap { trap, .. })) => Some(trap.clone()),
                    _ => None,
                };
                let last = app.last_trap().unwrap_or_default();
                let message = last.strip_prefix("trap: ").unwrap_or(&last).to_string();
                Ended::Trapped { message, trap }
            }
            AppStatus::Unloaded => Ended::Finished(Outcome::Returned(0)),
            AppStatus::Loaded | AppStatus::Running => match entry_result {
                Some(Err(e)) => return Err(e.into()),
                _ if stop == Stop::TimeUp => Ended::TimeUp,
                _ => Ended::Idle,
            },
        };
        // Unload now (dropping `app` would) and say what the firmware still
        // holds of the module: unload must have freed all of it.
        app.unload();
        let left = crate::rtos::leftovers(k);
        if !left.is_empty() {
            console.err_line(&format!("espb-sim: after its unload the module left {left} in the firmware"));
        }
        let _ = console.flush();
        Ok(Run { ended, time_us })
    }
}

/// Real time: GPIO input lines typed (or piped) on stdin apply when they
/// arrive (`set 4 1`), or at their time (`at 5s set 4 0`).
fn read_inputs_from_stdin(k: &'static Kernel) {
    k.lock().external = true;
    let reader = move || {
        let mut line = String::new();
        let mut n = 0;
        while matches!(std::io::stdin().read_line(&mut line), Ok(1..)) {
            n += 1;
            match crate::gpio_script::parse_line(&line, n) {
                Ok(Some(input)) => crate::rtos::gpio::input(k, input),
                Ok(None) => {}
                Err(e) => k.console.err_line(&format!("espb-sim: stdin: {e}")),
            }
            line.clear();
        }
        k.lock().external = false;
        k.poke();
    };
    crate::rtos::gpio::start_input_task(k);
    if std::thread::Builder::new().name("gpio stdin".into()).spawn(reader).is_err() {
        k.lock().external = false;
    }
}

/// The process exit status of a run, as a C program's would be: the
/// entry's return value or `exit`'s status, 0 when the time limit ended a
/// running module; `None` for a trap and the errors.
pub fn exit_code(result: &Result<Run, SimError>) -> Option<i32> {
    match result.as_ref().map(|r| &r.ended) {
        Ok(Ended::Finished(o)) => Some(o.value()),
        Ok(Ended::Exited(c)) => Some(*c),
        Ok(Ended::TimeUp | Ended::Idle) => Some(0),
        Ok(Ended::Trapped { .. }) | Err(_) => None,
    }
}

/// A duration such as `500ms`, `3s`, `1.5s`, `2m`, `100us`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a duration: write a number and a unit, e.g. 500ms, 3s, 1.5s, 2m, 100us")]
pub struct DurationError(pub String);

pub fn parse_duration(s: &str) -> Result<Duration, DurationError> {
    let bad = || DurationError(s.to_string());
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(bad)?;
    let (num, unit) = t.split_at(split);
    let scale = match unit.trim() {
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(bad()),
    };
    let v: f64 = num.parse().map_err(|_| bad())?;
    Duration::try_from_secs_f64(v * scale).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_their_units() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("3s"), Ok(Duration::from_secs(3)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("100us"), Ok(Duration::from_micros(100)));
        for bad in ["", "3", "s", "3 parsecs", "-1s", "1..2s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
