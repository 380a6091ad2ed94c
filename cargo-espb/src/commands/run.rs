//! `cargo espb run`: the module on the PC, on espb-sim's simulated
//! FreeRTOS and ESP-IDF, in virtual time unless `--realtime`. In a project
//! directory without a module argument it runs the project's module (as
//! `cargo run` does), with the project's `[sim]` settings and its own
//! symbol tables, whose natives `[sim.stubs]` answers.

use crate::error::CliError;
use crate::project::Project;
use espb_runtime::runner::RunError;
use espb_runtime::thunk::DEFAULT_THUNKS;
use espb_sim::{Ended, Options, SimError, parse_duration};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// Exit code of `run` when the module traps.
pub const TRAP_EXIT_CODE: u8 = 101;

/// The simulated time a run stops after when neither `--for` nor `[sim]
/// for` says otherwise: a module that never ends (a busy loop costs
/// simulated time too, one millisecond per time slice) ends the command.
pub const DEFAULT_RUN_FOR: Duration = Duration::from_secs(60);

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The module to run (default: the project's, where `cargo espb build` writes it).
    pub module: Option<PathBuf>,
    /// Function to call (default: `main`, else `app_main`).
    #[arg(long)]
    pub entry: Option<String>,
    /// Stop after this much simulated time (500ms, 3s, 1.5s, 2m); the run then exits 0. Default: 60s.
    #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration)]
    pub run_for: Option<Duration>,
    /// Run without the default time limit (until the module ends, or forever).
    #[arg(long, conflicts_with = "run_for")]
    pub no_time_limit: bool,
    /// Run against the wall clock (default: virtual time, the same output every run).
    #[arg(long)]
    pub realtime: bool,
    /// GPIO inputs: a script of lines like `at 1500ms set 4 1`; `-` reads stdin (with --realtime, as lines arrive).
    #[arg(long, value_name = "FILE")]
    pub gpio_script: Option<PathBuf>,
    /// A file that backs NVS: read at nvs_flash_init, written at nvs_commit.
    #[arg(long, value_name = "FILE")]
    pub nvs: Option<PathBuf>,
    /// Files the module opens (fopen...): `DIR` holds every absolute path, `/spiffs=DIR` the paths under /spiffs (repeatable, as ESP-IDF VFS mounts).
    #[arg(long, value_name = "[PREFIX=]DIR")]
    pub fs: Vec<String>,
    /// Seed of esp_random.
    #[arg(long)]
    pub seed: Option<u64>,
    /// FreeRTOS tick rate of the simulated firmware (default: the project firmware's CONFIG_FREERTOS_HZ, else 100).
    #[arg(long)]
    pub tick_hz: Option<u32>,
    /// Callback thunks of the simulated firmware (a device's ESPB_THUNKS).
    #[arg(long, default_value_t = DEFAULT_THUNKS)]
    pub thunks: usize,
    /// ESP-IDF's colours on the simulator's own log lines.
    #[arg(long)]
    pub log_colors: bool,
    /// Stop after this many calls and backward branches.
    #[arg(long)]
    pub fuel: Option<u64>,
    /// Stack size in bytes (default: the module's request).
    #[arg(long)]
    pub stack_size: Option<u32>,
    /// Heap size in bytes (default: the module's request).
    #[arg(long)]
    pub heap_size: Option<u32>,
}

impl Args {
    /// Exits with the module's return value (or `exit` status), 0 when the
    /// time limit ended it; a trap prints what and where and exits with
    /// [`TRAP_EXIT_CODE`].
    pub fn exec(&self) -> Result<ExitCode, CliError> {
        let cwd = std::env::current_dir().map_err(CliError::CurrentDir)?;
        // With a module named, a broken espb.toml around is not its concern.
        let project = match &self.module {
            Some(_) => Project::find(&cwd).ok().flatten(),
            None => Project::find(&cwd)?,
        };
        let path = match (&self.module, &project) {
            (Some(m), _) => m.clone(),
            (None, Some(p)) => project_module(p)?,
            (None, None) => return Err(CliError::NoModule { dir: cwd }),
        };
        let bytes = super::read_module_bytes(&path)?;
        let options = self.options(project.as_ref())?;
        let default_limit = options.run_for.filter(|_| self.defaulted(project.as_ref()));
        let result = espb_sim::Sim::new(options).run(&bytes);
        let _ = std::io::stdout().flush();
        // A C program's status reaches the shell as its low 8 bits.
        let status = |code: i32| Ok(ExitCode::from(code as u8));
        let run = match result {
            Ok(run) => run,
            Err(SimError::Lacks { missing }) => return Err(CliError::SimLacks { path, missing }),
            Err(SimError::Run(e)) => return Err(run_error(path, e)),
        };
        match run.ended {
            Ended::Finished(o) => status(o.value()),
            Ended::Exited(code) => status(code),
            Ended::TimeUp => {
                if let Some(d) = default_limit {
                    eprintln!(
                        "note: stopped after {} s of simulated time, the default limit: `--for <DURATION>` sets \
                         another (or `for` under `[sim]` in espb.toml), `--no-time-limit` lifts it",
                        d.as_secs()
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            Ended::Idle => {
                eprintln!(
                    "note: at {} ms every task waits for something that can no longer happen: the run ends here",
                    run.time_us / 1000
                );
                Ok(ExitCode::SUCCESS)
            }
            Ended::Trapped { message, .. } => {
                eprintln!("error: trap: {message}");
                Ok(ExitCode::from(TRAP_EXIT_CODE))
            }
        }
    }

    /// Whether the run's time limit is the default one.
    fn defaulted(&self, project: Option<&Project>) -> bool {
        self.run_for.is_none() && !self.no_time_limit && project.is_none_or(|p| p.config.sim.run_for.is_none())
    }

    /// The simulator's options: the command line over the project's `[sim]`.
    fn options(&self, project: Option<&Project>) -> Result<Options, CliError> {
        let sim = project.map(|p| &p.config.sim);
        let rel = |p: &Path| project.map_or_else(|| p.to_path_buf(), |pr| pr.root.join(p));
        let run_for = match (self.run_for, sim.and_then(|s| s.run_for.as_deref())) {
            (Some(d), _) => Some(d),
            (None, Some(s)) => Some(parse_duration(s).map_err(|error| CliError::SimSetting {
                file: project.map(|p| p.file.clone()).unwrap_or_default(),
                message: format!("`[sim] for`: {error}"),
            })?),
            (None, None) if self.no_time_limit => None,
            (None, None) => Some(DEFAULT_RUN_FOR),
        };
        let script = self.gpio_script.clone().or_else(|| sim.and_then(|s| s.gpio_script.as_deref()).map(rel));
        let interactive = self.realtime && script.as_deref() == Some(Path::new("-"));
        let gpio_inputs = match &script {
            Some(p) if !interactive => gpio_inputs(p)?,
            _ => Vec::new(),
        };
        let sdkconfig = project.and_then(firmware_sdkconfig).transpose()?;
        let hz = match sdkconfig.as_ref().and_then(|c| c.get("FREERTOS_HZ")) {
            Some(espb_sys::Value::Int(hz)) => u32::try_from(*hz).ok(),
            _ => None,
        };
        // `--fs` wins over `[sim] fs`, whose folders are the project's.
        let specs: Vec<(String, bool)> = if self.fs.is_empty() {
            sim.map(|s| s.fs.iter().map(|f| (f.clone(), true)).collect()).unwrap_or_default()
        } else {
            self.fs.iter().map(|f| (f.clone(), false)).collect()
        };
        let mut fs = Vec::with_capacity(specs.len());
        for (spec, from_project) in specs {
            let (prefix, dir) = match spec.split_once('=') {
                Some((p, d)) if p.starts_with('/') => (p.to_string(), PathBuf::from(d)),
                _ => (String::new(), PathBuf::from(&spec)),
            };
            let dir = if from_project { rel(&dir) } else { dir };
            if !dir.is_dir() {
                return Err(CliError::FsFolder { spec, dir });
            }
            fs.push((prefix, dir));
        }
        Ok(Options {
            entry: self.entry.clone(),
            fs,
            fuel: self.fuel,
            stack_size: self.stack_size,
            heap_size: self.heap_size,
            realtime: self.realtime,
            run_for,
            tick_hz: self.tick_hz.or(hz).unwrap_or(espb_sim::DEFAULT_TICK_HZ),
            seed: self.seed.or(sim.and_then(|s| s.seed)).unwrap_or(0),
            thunks: self.thunks,
            gpio_inputs,
            gpio_stdin: interactive,
            nvs_file: self.nvs.clone().or_else(|| sim.and_then(|s| s.nvs.as_deref()).map(rel)),
            stubs: sim.map(|s| s.stubs()).unwrap_or_default(),
            tables: match project {
                Some(p) => p.custom_tables()?,
                None => loose_custom_table()?,
            },
            log_colors: self.log_colors,
            sdkconfig,
            ..Options::default()
        })
    }
}

/// Outside a project, the custom table a loose build in the current
/// directory wrote (`cargo espb build app.c --add-missing`).
fn loose_custom_table() -> Result<Vec<(String, espb_sys::Manifest)>, CliError> {
    let cwd = std::env::current_dir().map_err(CliError::CurrentDir)?;
    let Some((name, path)) = crate::project::default_custom_table(&cwd) else { return Ok(Vec::new()) };
    let m = espb_sys::TableBuilder::new(&name).manifest(&path).load_manifest()?;
    Ok(vec![(name, m)])
}

/// The configuration of the project's firmware (an idf.py build's
/// `config/sdkconfig.h`), whose values the simulated firmware gives the
/// module.
fn firmware_sdkconfig(p: &Project) -> Option<Result<espb_sys::Sdkconfig, CliError>> {
    let header = p.root.join(p.config.firmware.build.as_ref()?).join("config").join("sdkconfig.h");
    header.is_file().then(|| espb_sys::Sdkconfig::load(&header).map_err(CliError::from))
}

/// The project's built module; a note when a source is newer.
fn project_module(p: &Project) -> Result<PathBuf, CliError> {
    let module = p.output();
    let built = std::fs::metadata(&module)
        .and_then(|m| m.modified())
        .map_err(|_| CliError::NotBuilt { path: module.clone(), project: p.name().to_string() })?;
    let newer = p
        .sources()
        .unwrap_or_default()
        .into_iter()
        .find(|s| std::fs::metadata(p.root.join(s)).and_then(|m| m.modified()).is_ok_and(|t| t > built));
    if let Some(s) = newer {
        eprintln!("warning: {} changed since the module was built: run `cargo espb build` first", s.display());
    }
    Ok(module)
}

/// The GPIO script at `path` (`-`: all of stdin).
fn gpio_inputs(path: &Path) -> Result<Vec<espb_sim::gpio_script::Input>, CliError> {
    let mut text = String::new();
    let read = if path == Path::new("-") {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(path).map(|t| text = t)
    };
    read.map_err(|source| CliError::ReadGpioScript { path: path.to_path_buf(), source })?;
    espb_sim::gpio_script::parse(&text).map_err(|error| CliError::GpioScript { path: path.to_path_buf(), error })
}

/// The CLI error of a module that did not start.
fn run_error(path: PathBuf, e: RunError) -> CliError {
    match e {
        RunError::Load(error) => CliError::InvalidModule { path, error },
        RunError::NoEntry { entry } => CliError::NoEntry { path, entry },
        error @ RunError::BadEntry { .. } => CliError::BadEntry { path, error },
        RunError::Instantiate(error) => CliError::instantiate(path, error),
        error => CliError::RunFailed { path, error },
    }
}
