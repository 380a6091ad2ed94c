//! Differential testing on csmith programs: the checksum printed by the
//! native build and by the espb build must match.
//!
//! The e2e suite runs a fixed set of seeds ([`SEEDS`]); the `csmith` bench
//! (`campaign.rs`) runs any number of fresh ones with the same per-seed
//! check, [`check_seed`].

use crate::{diff, espb, native, util};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Fixed seeds (csmith 2.3.0): programs with both packed structs and bit-fields
/// that the translator accepts and that run in milliseconds natively (about
/// 25 s for all of them on two cores with the debug build).
pub const SEEDS: &[u64] = &[
    2, 5, 8, 10, 13, 35, 39, 46, 49, 51, 63, 65, 68, 74, 79, 82, 85, 86, 87, 90, 99, 124, 126, 138, 142, 145, 150, 162,
    171, 172, 184, 195, 209, 210, 223, 228, 236, 242, 250, 267, 276, 288, 289, 292, 306, 323, 326, 336, 344, 370,
];

/// csmith's defaults (packed structs, bit-fields, volatiles, ...) with only
/// the sizes bounded, so that programs stay small and finish quickly.
pub const CSMITH_ARGS: &[&str] = &[
    "--max-funcs",
    "4",
    "--max-block-depth",
    "3",
    "--max-array-dim",
    "2",
    "--max-array-len-per-dim",
    "6",
    "--max-expr-complexity",
    "6",
    "--max-struct-fields",
    "5",
];

/// The folder holding `csmith.h`: `CSMITH_INCLUDE`, else the usual places.
pub fn include_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("CSMITH_INCLUDE") {
        return Some(PathBuf::from(d));
    }
    let mut candidates = vec![PathBuf::from("/usr/include/csmith"), PathBuf::from("/usr/local/include/csmith")];
    if let Ok(rd) = std::fs::read_dir("/usr/local/include") {
        candidates.extend(
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("csmith"))),
        );
    }
    candidates.into_iter().find(|d| d.join("csmith.h").is_file())
}

/// `Ok(include dir)` if csmith and its headers are there, else why not.
pub fn available() -> Result<PathBuf, String> {
    let probe = Command::new("csmith").arg("--version").output();
    if !probe.is_ok_and(|o| o.status.success()) {
        return Err("`csmith` is not installed (apt-get install csmith libcsmith-dev)".into());
    }
    include_dir().ok_or_else(|| "csmith.h not found (apt-get install libcsmith-dev, or set CSMITH_INCLUDE)".into())
}

/// Time limits of one seed's runs.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Longer natively and the seed is skipped (csmith programs may loop for
    /// a very long time).
    pub native: Duration,
    pub espb: Duration,
}

/// What one seed gave.
#[derive(Debug)]
pub enum Verdict {
    /// Same stdout and exit code.
    Match,
    /// Both runs ended normally with different output or exit code: a silent
    /// wrong result.
    Mismatch { report: String },
    /// The espb run trapped, crashed or timed out where the native one
    /// finished.
    EspbFailed { report: String },
    /// `cargo espb build` refused the program; `error` is its message.
    Refused { error: String },
    /// The native run did not finish in time: skipped.
    NativeTimeout,
}

/// Generates the program of `seed` into `work` and returns its path.
pub fn generate(seed: u64, work: &Path) -> Result<PathBuf, String> {
    let src = work.join(format!("csmith_{seed}.c"));
    let mut gen_cmd = Command::new("csmith");
    // csmith writes `platform.info` into its working directory
    gen_cmd.current_dir(work).arg("--seed").arg(seed.to_string()).args(CSMITH_ARGS).arg("-o").arg(&src);
    let generated = util::run(gen_cmd, Duration::from_secs(60)).map_err(|e| format!("cannot run csmith: {e}"))?;
    if generated.code() != Some(0) || !src.is_file() {
        return Err(format!("csmith --seed {seed} failed ({})", generated.describe_end()));
    }
    Ok(src)
}

/// Builds and runs the program of `seed` both ways in `work`. `Err` is a
/// problem of the test setup (csmith or the native build failing).
pub fn check_seed(seed: u64, work: &Path, limits: Limits) -> Result<Verdict, String> {
    let inc = available()?;
    native::available().as_ref().map_err(|e| format!("the csmith test needs the native build: {e}"))?;
    let src = generate(seed, work)?;
    let inc_flag = format!("-I{}", inc.display());
    let native = native::build_and_run(&src, work, None, &[&inc_flag], limits.native)?;
    if native.timed_out {
        return Ok(Verdict::NativeTimeout);
    }
    let built = espb::build_outcome(&src, work, &[&inc_flag, "-w"], espb::Variant::default())?;
    let module = match built {
        Ok(m) => m,
        Err(o) => return Ok(Verdict::Refused { error: first_error_line(&o.stderr_str()) }),
    };
    let out = espb::run(&module, limits.espb)?;
    Ok(match diff::compare(&format!("csmith seed {seed}"), &native, &out) {
        Ok(()) => Verdict::Match,
        Err(report) if out.timed_out || out.code().is_none() || out.code() == Some(101) => {
            Verdict::EspbFailed { report }
        }
        Err(report) => Verdict::Mismatch { report },
    })
}

/// The e2e test of one fixed seed: anything but a match fails.
pub fn run_seed(seed: u64) -> Result<(), String> {
    let work = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
    let limits = Limits { native: Duration::from_secs(5), espb: util::espb_timeout() };
    let verdict = check_seed(seed, work.path(), limits)?;
    let problem = match verdict {
        Verdict::Match => return Ok(()),
        Verdict::NativeTimeout => format!("the native build does not finish within {:?}", limits.native),
        Verdict::Refused { error } => format!("cargo espb build refused it: {error}"),
        Verdict::Mismatch { report } | Verdict::EspbFailed { report } => report,
    };
    let kept = keep_program(&work.path().join(format!("csmith_{seed}.c")), &kept_dir("espb-e2e-csmith"));
    Err(format!("csmith seed {seed}: {problem}\n  {}\n  (copy kept at {kept})", repro(seed)))
}

/// Every fixed seed's program must contain a packed struct and a bit-field,
/// or the fixed set no longer tests them.
pub fn seeds_cover_packed_bitfields() -> Result<(), String> {
    let work = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
    let (mut packed, mut bitfields) = (Vec::new(), Vec::new());
    for &seed in SEEDS {
        let text = std::fs::read_to_string(generate(seed, work.path())?).map_err(|e| e.to_string())?;
        if text.contains("#pragma pack(1)") {
            packed.push(seed);
        }
        if has_bitfield(&text) {
            bitfields.push(seed);
        }
    }
    if packed.len() * 2 < SEEDS.len() || bitfields.len() * 2 < SEEDS.len() {
        return Err(format!(
            "fewer than half the fixed csmith seeds {SEEDS:?} have packed structs ({packed:?}) or bit-fields \
             ({bitfields:?}): check the csmith options"
        ));
    }
    Ok(())
}

/// A struct member declared with a width, as csmith writes them
/// (`   signed f0 : 17;`).
fn has_bitfield(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        l.ends_with(';')
            && l.split_once(" : ").is_some_and(|(decl, width)| {
                !decl.contains(['(', '?', '=']) && width.trim_end_matches(';').chars().all(|c| c.is_ascii_digit())
            })
    })
}

/// How to rebuild a seed's program by hand, both ways.
pub fn repro(seed: u64) -> String {
    let inc = include_dir().map(|d| d.display().to_string()).unwrap_or_else(|| "<csmith include dir>".into());
    format!(
        "repro: csmith --seed {seed} {} -o csmith_{seed}.c && {} {} -I{inc} csmith_{seed}.c -o native -lm && \
         ./native; cargo espb build csmith_{seed}.c -- -I{inc} -w && cargo espb run csmith_{seed}.espb",
        CSMITH_ARGS.join(" "),
        native::cc(),
        native::NATIVE_FLAGS.join(" "),
    )
}

/// `$TMPDIR/NAME`, where failing programs are kept.
pub fn kept_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(name)
}

/// Copies the generated program into `dir` so that a failure can be
/// reproduced after the temp dir is gone; returns where.
pub fn keep_program(src: &Path, dir: &Path) -> String {
    let Some(name) = src.file_name() else { return "(not kept)".into() };
    let dst = dir.join(name);
    match std::fs::create_dir_all(dir).and_then(|_| std::fs::copy(src, &dst)) {
        Ok(_) => dst.display().to_string(),
        Err(_) => "(not kept)".into(),
    }
}

/// The CLI's error: the message miette marks with `×` (with the lines it
/// wrapped onto, marked `│`), else the first non-empty line.
fn first_error_line(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let Some(start) = lines.iter().position(|l| l.starts_with('×')) else {
        return lines.first().map_or("(no message)", |l| l).to_string();
    };
    let mut msg = lines[start].trim_start_matches('×').trim().to_string();
    for l in lines[start + 1..].iter().map_while(|l| l.strip_prefix('│')) {
        msg.push(' ');
        msg.push_str(l.trim());
    }
    msg
}

/// A refusal's message without what is specific to one program (function
/// and variable names, file positions, counts), so that refusals group by
/// cause: "unsupported 72-bit integer type in function `main` at c.c:653" ->
/// "unsupported 72-bit integer type".
pub fn refusal_group(error: &str) -> String {
    let mut s = error.to_string();
    for marker in [" (used in function `", " in function `"] {
        while let Some(start) = s.find(marker) {
            let after = start + marker.len();
            let mut end = s[after..].find('`').map_or(s.len(), |i| after + i + 1);
            if marker.starts_with(" (") && s[end..].starts_with(')') {
                end += 1;
            }
            s.replace_range(start..end, "");
        }
    }
    let words: Vec<&str> = s.split(' ').collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if w == "at" && words.get(i + 1).is_some_and(|p| is_position(p)) {
            // keep what punctuation followed the position (`at a.c:1: split it`)
            let p = words[i + 1];
            if let Some(last) = out.last_mut() {
                last.push_str(position_suffix(p));
            }
            i += 2;
            continue;
        }
        out.push(normalize_word(i.checked_sub(1).map(|p| words[p]), w));
        i += 1;
    }
    out.join(" ")
}

/// `file.c:123` with trailing punctuation.
fn is_position(word: &str) -> bool {
    let core = word.trim_end_matches(|c: char| c.is_ascii_punctuation());
    core.rsplit_once(':').is_some_and(|(f, l)| !f.is_empty() && !l.is_empty() && l.chars().all(|c| c.is_ascii_digit()))
}

/// The punctuation after a position (`a.c:1:` -> `:`).
fn position_suffix(word: &str) -> &str {
    let core = word.trim_end_matches(|c: char| c.is_ascii_punctuation());
    &word[core.len()..]
}

/// The quoted name of a function, variable or global (`prev` is the word
/// before it) becomes `…` (an intrinsic's or a type's name is the cause, and
/// stays), a count of three or more digits `N`.
fn normalize_word(prev: Option<&str>, w: &str) -> String {
    let named = prev.is_some_and(|p| ["function", "variable", "global"].contains(&p));
    if named && w.len() >= 2 && w.starts_with('`') && w.trim_end_matches(|c: char| c != '`').len() > 1 {
        let end = w.rfind('`').unwrap_or(0);
        return format!("`…`{}", &w[end + 1..]);
    }
    if w.len() > 2 && w.chars().all(|c| c.is_ascii_digit()) {
        return "N".into();
    }
    w.to_string()
}

/// The grouping of refusal messages: the e2e trial `csmith::refusal_groups`.
pub fn refusal_groups_test() -> Result<(), String> {
    let cases = [
        ("unsupported 72-bit integer type in function `main` at csmith_4.c:653", "unsupported 72-bit integer type"),
        ("unsupported 72-bit integer type in function `func_1`", "unsupported 72-bit integer type"),
        (
            "unsupported extractvalue of an aggregate in function `f` at a.c:1: split it",
            "unsupported extractvalue of an aggregate: split it",
        ),
        (
            "function `func_3` needs 5000 registers even with spilling, more than the 4096 a function may have",
            "function `…` needs N registers even with spilling, more than the N a function may have",
        ),
        (
            "external thread-local variable `t` is not supported (used in function `g`): access it",
            "external thread-local variable `…` is not supported: access it",
        ),
    ];
    for (msg, want) in cases {
        let got = refusal_group(msg);
        if got != want {
            return Err(format!("refusal_group({msg:?}) = {got:?}, want {want:?}"));
        }
    }
    let intrinsic = "unsupported intrinsic `llvm.sadd.sat.i32` in function `main` at safe_math.h:294";
    if refusal_group(intrinsic) != "unsupported intrinsic `llvm.sadd.sat.i32`" {
        return Err(format!(
            "refusal_group({intrinsic:?}) = {:?}: the intrinsic is the cause",
            refusal_group(intrinsic)
        ));
    }
    // miette wraps long messages onto lines marked `│`
    let stderr = "warning: something\n  × unsupported intrinsic `llvm.sadd.sat.i32` in function `main` at\n  │ safe_math.h:294\n\n";
    if first_error_line(stderr) != intrinsic {
        return Err(format!("first_error_line picked {:?}", first_error_line(stderr)));
    }
    let with_fields = "struct S0 {\n   signed f0 : 17;\n   const uint8_t  f1;\n};\n";
    if !has_bitfield(with_fields) || has_bitfield("    x = a ? b : 7;\nint y;\n") {
        return Err("has_bitfield misjudges a struct member or a conditional".into());
    }
    Ok(())
}
