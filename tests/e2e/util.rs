//! Paths, process execution with timeouts, and small helpers shared by the
//! end-to-end tests.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The `tests/` folder of the repository.
pub fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("tests")
}

/// The C programs folder, `tests/c`.
pub fn c_dir() -> PathBuf {
    tests_dir().join("c")
}

/// The `cargo-espb` binary built by cargo for this test, or the one named by
/// `ESPB_E2E_CLI` (to test an installed or separately built binary).
pub fn cli_bin() -> std::ffi::OsString {
    std::env::var_os("ESPB_E2E_CLI").unwrap_or_else(|| env!("CARGO_BIN_EXE_cargo-espb").into())
}

/// A `cargo-espb espb ...` command, the way cargo invokes the subcommand.
pub fn espb_cmd() -> Command {
    let mut c = Command::new(cli_bin());
    c.arg("espb");
    c
}

/// What a finished (or killed) process produced.
#[derive(Debug)]
pub struct Outcome {
    pub status: Option<ExitStatus>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub timed_out: bool,
    pub elapsed: Duration,
}

impl Outcome {
    /// The exit code, or `None` if killed by a signal or timed out.
    pub fn code(&self) -> Option<i32> {
        self.status.and_then(|s| s.code())
    }

    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// One line describing how the process ended.
    pub fn describe_end(&self) -> String {
        if self.timed_out {
            return format!("timed out after {:.1}s", self.elapsed.as_secs_f64());
        }
        match self.status {
            Some(s) => match s.code() {
                Some(c) => format!("exit code {c}"),
                None => format!("killed ({s})"),
            },
            None => "did not finish".into(),
        }
    }
}

/// Default time limit for a module run through the (debug-built) interpreter.
pub fn espb_timeout() -> Duration {
    let secs = std::env::var("ESPB_E2E_TIMEOUT").ok().and_then(|s| s.parse().ok()).unwrap_or(120);
    Duration::from_secs(secs)
}

/// Runs `cmd` to completion with a time limit, capturing stdout and stderr.
pub fn run(mut cmd: Command, timeout: Duration) -> std::io::Result<Outcome> {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    let mut out_pipe = child.stdout.take().expect("piped stdout");
    let mut err_pipe = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out_pipe.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err_pipe.read_to_end(&mut v);
        v
    });
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break Some(s);
        }
        if start.elapsed() > timeout {
            timed_out = true;
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Ok(Outcome { status, stdout, stderr, timed_out, elapsed: start.elapsed() })
}

/// Human-readable rendering of a command line, for failure messages.
pub fn show_cmd(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}

/// Indents every line of `text` (trimmed to at most `max_lines` lines).
pub fn indent(text: &str, max_lines: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut s = String::new();
    for l in lines.iter().take(max_lines) {
        s.push_str("    | ");
        s.push_str(l);
        s.push('\n');
    }
    if lines.len() > max_lines {
        s.push_str(&format!("    | ... ({} more lines)\n", lines.len() - max_lines));
    }
    s
}

/// Sorted list of files in `dir` with extension `ext` (not recursive).
pub fn files_with_ext(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == ext))
            .collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

/// The stem of a path as a `String` (`tests/c/fib.c` -> `fib`).
pub fn stem(p: &Path) -> String {
    p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Fails if a Rust panic escaped from the CLI.
pub fn check_no_panic(what: &str, o: &Outcome) -> Result<(), String> {
    let err = o.stderr_str();
    if err.contains("panicked at") || o.code() == Some(101) && err.contains("RUST_BACKTRACE") {
        return Err(format!("{what}: the CLI panicked instead of reporting an error:\n{}", indent(&err, 30)));
    }
    Ok(())
}

/// The value of a `// KEY: value` line among a program's first lines.
pub fn header(src: &Path, key: &str) -> Option<String> {
    let text = std::fs::read_to_string(src).ok()?;
    let prefix = format!("// {key}:");
    text.lines().take(5).find_map(|l| l.trim().strip_prefix(prefix.as_str()).map(|v| v.trim().to_string()))
}
