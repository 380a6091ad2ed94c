//! `sim::NAME`: ESP-IDF modules (`tests/sim/NAME.c`, tasks, timers,
//! queues...) built with the portable SDK headers and run by `cargo espb
//! run` on the simulated FreeRTOS in virtual time. Stdout must equal
//! `tests/sim/NAME.out` exactly, twice in a row (virtual time is
//! deterministic), or `NAME.out2` the second time when there is one (state
//! kept in a file from run to run). Runs start in a fresh directory; `{dir}`
//! in the arguments is `tests/sim`. The first comment lines say how to run
//! and what else to expect:
//!
//! ```c
//! // run: --for 10s        arguments of `cargo espb run` after the module
//! // exit: 101             the exit code (default 0)
//! // stderr: some text     stderr must contain it (repeatable)
//! // stderr-empty          stderr must be empty
//! ```
//!
//! `sim::template` builds the `cargo espb new` project and runs it for 3 s.

use crate::espb;
use crate::util::{self, Outcome};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The programs folder, `tests/sim`.
pub fn dir() -> PathBuf {
    util::tests_dir().join("sim")
}

fn sdk_include() -> PathBuf {
    util::tests_dir().join("..").join("espb-sys").join("sdk").join("include")
}

/// What a program's header comments ask for.
#[derive(Default)]
struct Expect {
    args: Vec<String>,
    exit: i32,
    stderr: Vec<String>,
    stderr_empty: bool,
}

fn expectations(src: &str) -> Result<Expect, String> {
    let mut e = Expect::default();
    for line in src.lines().map_while(|l| l.strip_prefix("// ")) {
        if let Some(a) = line.strip_prefix("run: ") {
            e.args = a.split_whitespace().map(String::from).collect();
        } else if let Some(c) = line.strip_prefix("exit: ") {
            e.exit = c.trim().parse().map_err(|_| format!("bad `// exit:` line: {line}"))?;
        } else if let Some(s) = line.strip_prefix("stderr: ") {
            e.stderr.push(s.to_string());
        } else if line.trim() == "stderr-empty" {
            e.stderr_empty = true;
        }
    }
    Ok(e)
}

/// Stderr with miette's frame and line breaks taken out, for matching.
fn flat(text: &str) -> String {
    text.replace(['│', '×', '╰', '─', '▶'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Checks one run against the expectations.
fn check(what: &str, o: &Outcome, want_out: &str, e: &Expect) -> Result<(), String> {
    let problem = if o.code() != Some(e.exit) {
        Some(format!("exit code {:?}, expected {}", o.code(), e.exit))
    } else if o.stdout_str() != want_out {
        Some("stdout differs from the .out file".to_string())
    } else if e.stderr_empty && !o.stderr_str().is_empty() {
        Some("stderr should be empty".to_string())
    } else {
        let err = flat(&o.stderr_str());
        e.stderr.iter().find(|s| !err.contains(&flat(s))).map(|s| format!("stderr lacks {s:?}"))
    };
    match problem {
        None => Ok(()),
        Some(p) => Err(format!(
            "{what}: {p}\n  -> {}\n  stdout:\n{}  expected:\n{}  stderr:\n{}",
            o.describe_end(),
            util::indent(&o.stdout_str(), 40),
            util::indent(want_out, 40),
            util::indent(&o.stderr_str(), 30)
        )),
    }
}

fn run_twice(what: &str, cmd: impl Fn() -> std::process::Command, want: [&str; 2], e: &Expect) -> Result<(), String> {
    for (round, want) in ["", " (second run)"].into_iter().zip(want) {
        let c = cmd();
        let shown = util::show_cmd(&c);
        let o = util::run(c, util::espb_timeout()).map_err(|err| format!("cannot start {shown}: {err}"))?;
        util::check_no_panic(&shown, &o)?;
        check(&format!("{what}: $ {shown}{round}"), &o, want, e)?;
    }
    Ok(())
}

fn read(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
}

/// `sim::NAME`.
pub fn program(src: &Path) -> Result<(), String> {
    let e = expectations(&read(src)?)?;
    let want = read(&src.with_extension("out"))?;
    let second = src.with_extension("out2");
    let want2 = if second.is_file() { read(&second)? } else { want.clone() };
    let work = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
    let include = sdk_include();
    let module = espb::build(src, work.path(), &["-I", &include.display().to_string()])?;
    let cmd = || {
        let mut c = util::espb_cmd();
        let here = dir().display().to_string();
        c.arg("run").arg(&module).args(e.args.iter().map(|a| a.replace("{dir}", &here))).current_dir(work.path());
        c
    };
    run_twice(&util::stem(src), cmd, [&want, &want2], &e)
}

/// Runs `cargo-espb espb ARGS` in `dir`; the outcome, or why it did not run.
fn espb_in(dir: &Path, args: &[&str]) -> Result<(String, Outcome), String> {
    let mut c = util::espb_cmd();
    c.args(args).current_dir(dir);
    let shown = util::show_cmd(&c);
    let o = util::run(c, Duration::from_secs(300)).map_err(|e| format!("cannot start {shown}: {e}"))?;
    util::check_no_panic(&shown, &o)?;
    Ok((shown, o))
}

/// Like [`espb_in`], failing unless the command succeeds.
fn espb_ok(dir: &Path, args: &[&str]) -> Result<Outcome, String> {
    let (shown, o) = espb_in(dir, args)?;
    if o.code() != Some(0) {
        return Err(format!("$ {shown}: {}\n{}", o.describe_end(), util::indent(&o.stderr_str(), 30)));
    }
    Ok(o)
}

/// `sim::project_stubs`: a project calling its own firmware functions
/// (a custom table from `--add-missing`) is refused with their names until
/// espb.toml `[sim.stubs]` answers them.
pub fn project_stubs() -> Result<(), String> {
    let work = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
    espb_ok(work.path(), &["new", "board"])?;
    let project = work.path().join("board");
    let main = "#include <stdio.h>\nint board_temp(int sensor);\nvoid board_led(int on);\n\
                void app_main(void) {\n    for (int i = 0; i < 2; i++) {\n        int t = board_temp(i);\n        \
                board_led(t > 21);\n        printf(\"sensor %d: %d C\\n\", i, t);\n    }\n}\n";
    std::fs::write(project.join("src/main.c"), main).map_err(|e| format!("cannot write main.c: {e}"))?;
    espb_ok(&project, &["build", "--add-missing"])?;
    let (shown, o) = espb_in(&project, &["run"])?;
    let err = flat(&o.stderr_str());
    if o.code() != Some(1) || !err.contains("lacks `board_temp`, `board_led`") || !err.contains("[sim.stubs]") {
        return Err(format!(
            "$ {shown}: expected a refusal naming both natives\n{}",
            util::indent(&o.stderr_str(), 30)
        ));
    }
    let stubs = "\n[sim.stubs]\nboard_temp = { returns = [20, 22], print = true }\nboard_led = { print = true }\n";
    let toml = project.join("espb.toml");
    let text = std::fs::read_to_string(&toml).map_err(|e| format!("cannot read espb.toml: {e}"))?;
    std::fs::write(&toml, text + stubs).map_err(|e| format!("cannot write espb.toml: {e}"))?;
    let want = "I (0) sim: board_temp(0) -> 20\nI (0) sim: board_led(0)\nsensor 0: 20 C\n\
                I (0) sim: board_temp(1) -> 22\nI (0) sim: board_led(1)\nsensor 1: 22 C\n";
    let cmd = || {
        let mut c = util::espb_cmd();
        c.arg("run").current_dir(&project);
        c
    };
    run_twice("project_stubs", cmd, [want, want], &Expect::default())
}

/// `sim::template`: `cargo espb new blinky && cd blinky && cargo espb build
/// && cargo espb run --for 3s` prints the template's LED and tick lines.
pub fn template() -> Result<(), String> {
    let work = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
    espb_ok(work.path(), &["new", "blinky"])?;
    let project = work.path().join("blinky");
    espb_ok(&project, &["build"])?;
    let want = read(&dir().join("template.out"))?;
    let cmd = || {
        let mut c = util::espb_cmd();
        c.args(["run", "--for", "3s"]).current_dir(&project);
        c
    };
    run_twice("template", cmd, [&want, &want], &Expect::default())
}
