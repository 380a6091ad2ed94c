//! The C programs of `tests/c`: each one is built natively and through espb,
//! and both runs must print the same thing and exit with the same code.
//! The programs of `tests/c/trap` must trap when run through espb.

use crate::{diff, espb, native, util};
use std::path::Path;
use std::time::Duration;

/// Set `ESPB_E2E_REQUIRE_NATIVE=1` (CI does) to fail instead of skipping the
/// differential part when `gcc -m32` is missing.
pub fn require_native() -> bool {
    std::env::var_os("ESPB_E2E_REQUIRE_NATIVE").is_some_and(|v| v != "0" && !v.is_empty())
}

/// The extra optimisation levels a program asks for in its first lines
/// (`// opt-levels: -O0 -O2`), each with its test-name prefixes (riscv32,
/// Xtensa).
pub fn opt_levels(src: &Path) -> Vec<((&'static str, &'static str), &'static str)> {
    const KNOWN: &[((&str, &str), &str)] = &[
        (("c-O0", "xtensa-O0"), "-O0"),
        (("c-O2", "xtensa-O2"), "-O2"),
        (("c-O3", "xtensa-O3"), "-O3"),
        (("c-Os", "xtensa-Os"), "-Os"),
    ];
    let Some(line) = header(src, "opt-levels") else { return Vec::new() };
    line.split_whitespace().filter_map(|o| KNOWN.iter().find(|k| k.1 == o).copied()).collect()
}

pub use crate::util::header;

/// `// chips: riscv` keeps a program off the Xtensa builds: for C that
/// clang does not accept for Xtensa (`_BitInt`).
pub fn riscv_only(src: &Path) -> bool {
    header(src, "chips").is_some_and(|c| c == "riscv")
}

/// Native build + espb build (as `variant` says), run both, compare.
pub fn differential(src: &Path, variant: espb::Variant) -> Result<(), String> {
    let name = util::stem(src);
    let work = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
    // `// fs: /spiffs`: the program's files live under the macro FS, a
    // fresh folder natively and that mount in the simulator (`--fs`).
    let fs = header(src, "fs");
    let (native_fs, espb_fs) = (work.path().join("native-fs"), work.path().join("espb-fs"));
    let (mut native_flags, mut espb_flags, mut run_args) = (Vec::new(), Vec::new(), Vec::new());
    if let Some(mount) = &fs {
        for d in [&native_fs, &espb_fs] {
            std::fs::create_dir(d).map_err(|e| format!("cannot create {}: {e}", d.display()))?;
        }
        native_flags.push(format!("-DFS=\"{}\"", native_fs.display()));
        espb_flags.push(format!("-DFS=\"{mount}\""));
        run_args = vec!["--fs".to_string(), format!("{mount}={}", espb_fs.display())];
    }
    let native_flags: Vec<&str> = native_flags.iter().map(String::as_str).collect();
    let espb_flags: Vec<&str> = espb_flags.iter().map(String::as_str).collect();
    let native = match native::available() {
        Ok(()) => {
            let cc = header(src, "native-cc");
            let n = native::build_and_run(src, work.path(), cc.as_deref(), &native_flags, Duration::from_secs(30))?;
            if n.timed_out || n.code().is_none() {
                return Err(format!(
                    "{name}: the NATIVE reference run failed ({}); the test program itself is broken",
                    n.describe_end()
                ));
            }
            Some(n)
        }
        Err(why) => {
            if require_native() {
                return Err(format!("ESPB_E2E_REQUIRE_NATIVE is set but the native build is unavailable: {why}"));
            }
            eprintln!(
                "\n*** WARNING: {name}: skipping the differential comparison, no native reference: {why}\n\
                 *** (install gcc-multilib; only checking that the program builds and runs through espb)\n"
            );
            None
        }
    };
    let module = espb::build_with(src, work.path(), &espb_flags, variant).map_err(|e| format!("{name}: {e}"))?;
    let out = espb::run_with(&module, &run_args, util::espb_timeout())?;
    match native {
        Some(n) => {
            diff::compare(&name, &n, &out)?;
            if fs.is_some() {
                let (want, got) = (folder_contents(&native_fs)?, folder_contents(&espb_fs)?);
                if want != got {
                    return Err(format!("{name}: the files left differ\n  native: {want:?}\n  espb:   {got:?}"));
                }
            }
            Ok(())
        }
        None => {
            // the programs never write to stderr: anything there is the runner's error
            if out.timed_out || out.code() == Some(101) || out.code().is_none() || !out.stderr.is_empty() {
                Err(format!(
                    "{name}: espb run failed ({}):\n{}",
                    out.describe_end(),
                    util::indent(&out.stderr_str(), 20)
                ))
            } else {
                Ok(())
            }
        }
    }
}

/// What a trap program expects, from its first comment lines:
/// `// expect-trap: <substring of the error>` and optionally
/// `// expect-trap-at: <substring of the location, e.g. file.c:12>`.
#[derive(Debug)]
pub struct TrapExpectation {
    pub message: String,
    pub location: Option<String>,
}

pub fn parse_expectation(src: &Path) -> Result<TrapExpectation, String> {
    let text = std::fs::read_to_string(src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
    let mut message = None;
    let mut location = None;
    for line in text.lines().take(5) {
        if let Some(m) = line.trim().strip_prefix("// expect-trap:") {
            message = Some(m.trim().to_string());
        } else if let Some(m) = line.trim().strip_prefix("// expect-trap-at:") {
            location = Some(m.trim().to_string());
        }
    }
    let message = message.ok_or_else(|| format!("{} has no `// expect-trap: <message>` first line", src.display()))?;
    Ok(TrapExpectation { message, location })
}

/// Trap exit code of `cargo espb run` (see cargo-espb's `cli::TRAP_EXIT_CODE`).
pub const TRAP_EXIT_CODE: i32 = 101;

/// Build through espb, run, and check that the run trapped as expected.
pub fn trap(src: &Path) -> Result<(), String> {
    let name = util::stem(src);
    let expect = parse_expectation(src)?;
    let work = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
    let module = espb::build(src, work.path(), &[]).map_err(|e| format!("trap/{name}: {e}"))?;
    let out = espb::run(&module, util::espb_timeout())?;
    let err = out.stderr_str();
    let mut problems = Vec::new();
    if out.code() != Some(TRAP_EXIT_CODE) {
        problems.push(format!("expected a trap (exit code {TRAP_EXIT_CODE}), got {}", out.describe_end()));
    }
    if !err.contains(&expect.message) {
        problems.push(format!("stderr does not contain {:?}", expect.message));
    }
    if let Some(loc) = &expect.location
        && !err.contains(loc.as_str())
    {
        problems.push(format!("stderr does not name the location {loc:?}"));
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(format!(
        "trap/{name}:\n  - {}\n  stdout:\n{}  stderr:\n{}",
        problems.join("\n  - "),
        util::indent(&out.stdout_str(), 10),
        util::indent(&err, 20)
    ))
}

/// Every file under `dir` (relative path and contents), sorted.
fn folder_contents(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).map_err(|e| format!("cannot list {}: {e}", d.display()))? {
            let p = e.map_err(|e| e.to_string())?.path();
            let rel = p.strip_prefix(dir).map_err(|e| e.to_string())?.display().to_string();
            if p.is_dir() {
                out.push((format!("{rel}/"), String::new()));
                todo.push(p);
            } else {
                let bytes = std::fs::read(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
                out.push((rel, String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
    }
    out.sort();
    Ok(out)
}
