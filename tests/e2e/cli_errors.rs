//! What a user sees from the CLI: errors that name the problem (missing
//! file, clang diagnostics, inline assembly, files that are no module,
//! truncated modules, bad flags) and a few everyday invocations.

use crate::util::{self, Outcome};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

type TestResult = Result<(), String>;
type CliTest = (&'static str, fn() -> TestResult);

pub const TESTS: &[CliTest] = &[
    ("build_missing_file", build_missing_file),
    ("build_syntax_error", build_syntax_error),
    ("build_inline_asm", build_inline_asm),
    ("build_long_double_on_riscv", build_long_double),
    ("build_no_inputs_outside_a_project", build_no_inputs),
    ("build_two_files", build_two_files),
    ("build_clang_flags_after_dashdash", build_clang_flags),
    ("run_missing_module", run_missing_module),
    ("run_not_a_module", run_not_a_module),
    ("run_truncated_module", run_truncated_module),
    ("run_missing_entry", run_missing_entry),
    ("run_app_main_entry", run_app_main_entry),
    ("run_stops_at_the_default_time_limit", run_default_time_limit),
    ("bad_flag_is_usage_error", bad_flag),
    ("unknown_command_is_usage_error", unknown_command),
    ("inspect_module", inspect_module),
    ("inspect_unverifiable_module_fails", inspect_unverifiable),
    ("invoked_without_espb_word", without_espb_word),
    ("callback_of_the_wrong_type_warns_at_build_and_is_refused_at_load", callback_type),
];

fn tmp() -> Result<tempfile::TempDir, String> {
    tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))
}

fn write(dir: &Path, name: &str, text: &str) -> Result<PathBuf, String> {
    let p = dir.join(name);
    std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
    Ok(p)
}

/// Runs `cargo-espb espb ARGS...`.
fn espb(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Result<(String, Outcome), String> {
    let mut cmd = util::espb_cmd();
    for a in args {
        cmd.arg(a);
    }
    run_cmd(cmd)
}

fn run_cmd(cmd: Command) -> Result<(String, Outcome), String> {
    let shown = util::show_cmd(&cmd);
    let o = util::run(cmd, Duration::from_secs(300)).map_err(|e| format!("cannot start {shown}: {e}"))?;
    util::check_no_panic(&shown, &o)?;
    Ok((shown, o))
}

fn report(cmd: &str, o: &Outcome, problem: &str) -> String {
    format!(
        "{problem}\n  $ {cmd}\n  -> {}\n  stdout:\n{}  stderr:\n{}",
        o.describe_end(),
        util::indent(&o.stdout_str(), 15),
        util::indent(&o.stderr_str(), 30)
    )
}

/// A user error: exit code neither 0 (success) nor 101 (module trap).
fn expect_user_error(cmd: &str, o: &Outcome) -> TestResult {
    match o.code() {
        Some(0) => Err(report(cmd, o, "expected an error, the command succeeded")),
        Some(101) => Err(report(cmd, o, "expected a user error, got the trap exit code 101")),
        None => Err(report(cmd, o, "the command did not exit normally")),
        Some(_) => Ok(()),
    }
}

fn expect_stderr(cmd: &str, o: &Outcome, needles: &[&str]) -> TestResult {
    let err = o.stderr_str();
    for n in needles {
        if !err.contains(n) {
            return Err(report(cmd, o, &format!("stderr should contain {n:?}")));
        }
    }
    Ok(())
}

/// Builds `src` into `dir/NAME.espb`, failing with the CLI's output.
fn build_ok(dir: &Path, srcs: &[&Path], extra: &[&str]) -> Result<PathBuf, String> {
    let out = dir.join("module.espb");
    let mut cmd = util::espb_cmd();
    cmd.arg("build").args(srcs).arg("-o").arg(&out);
    if !extra.is_empty() {
        cmd.arg("--").args(extra);
    }
    let (shown, o) = run_cmd(cmd)?;
    if o.code() != Some(0) || !out.is_file() {
        return Err(report(&shown, &o, "the build should have succeeded"));
    }
    Ok(out)
}

const HELLO: &str = "#include <stdio.h>\nint main(void) {\n    printf(\"hello %d\\n\", 42);\n    return 7;\n}\n";

fn build_missing_file() -> TestResult {
    let d = tmp()?;
    let missing = d.path().join("does_not_exist.c");
    let out = d.path().join("x.espb");
    let (cmd, o) = espb(&[&"build", &missing, &"-o", &out])?;
    expect_user_error(&cmd, &o)?;
    expect_stderr(&cmd, &o, &["does_not_exist.c"])?;
    if out.exists() {
        return Err(report(&cmd, &o, "a failed build must not leave an output module"));
    }
    Ok(())
}

fn build_syntax_error() -> TestResult {
    let d = tmp()?;
    let src = write(d.path(), "broken.c", "int main(void) {\n    int x = 1 +;\n    return x;\n}\n")?;
    let (cmd, o) = espb(&[&"build", &src, &"-o", &d.path().join("x.espb")])?;
    expect_user_error(&cmd, &o)?;
    // the file and clang's own diagnostic (with its line) are passed through
    expect_stderr(&cmd, &o, &["broken.c", "expected expression"])?;
    expect_stderr(&cmd, &o, &["broken.c:2"])
}

fn build_inline_asm() -> TestResult {
    let d = tmp()?;
    let src = write(
        d.path(),
        "asm_func.c",
        "int f(int x) {\n    __asm__ volatile(\"nop\");\n    return x + 1;\n}\n\nint main(void) { return 0; }\n",
    )?;
    let (cmd, o) = espb(&[&"build", &src, &"-o", &d.path().join("x.espb")])?;
    expect_user_error(&cmd, &o)?;
    expect_stderr(&cmd, &o, &["unsupported inline assembly in function `f`", "asm_func.c:2"])
}

/// `long double` is binary128 on RISC-V, computed in software, and a
/// double on Xtensa: both build and run. A fused multiply-add on it is
/// refused by name (the VM has no exact binary128 fma).
fn build_long_double() -> TestResult {
    let d = tmp()?;
    let src = write(
        d.path(),
        "ld.c",
        "long double third(long double x) {\n    return x / 3;\n}\n\nint main(void) { return (int)third(9.0L); }\n",
    )?;
    for (chip, out) in [("esp32c3", "x.espb"), ("esp32", "y.espb")] {
        let (cmd, o) = espb(&[&"build", &"--chip", &chip, &src, &"-o", &d.path().join(out)])?;
        if o.code() != Some(0) {
            return Err(report(&cmd, &o, &format!("`long double` should build for {chip}")));
        }
        let (cmd, o) = espb(&[&"run", &d.path().join(out)])?;
        if o.code() != Some(3) {
            return Err(report(&cmd, &o, &format!("9.0L / 3 on {chip} should give exit code 3")));
        }
    }
    let fma = write(
        d.path(),
        "fma.c",
        "#include <math.h>\nlong double f(long double a, long double b) {\n    return fmal(a, b, 1.0L);\n}\n\nint main(void) { return (int)f(2.0L, 3.0L); }\n",
    )?;
    let (cmd, o) = espb(&[&"build", &fma, &"-o", &d.path().join("z.espb")])?;
    expect_user_error(&cmd, &o)?;
    expect_stderr(&cmd, &o, &["fused multiply-add (`fmal`) on `long double`", "`f`"])
}

/// Without files and outside a project (no espb.toml up the tree), `build`
/// says what to do instead of guessing.
fn build_no_inputs() -> TestResult {
    let (cmd, o) = espb(&[&"build"])?;
    if o.code() != Some(1) {
        return Err(report(&cmd, &o, "`build` without inputs outside a project should fail (exit code 1)"));
    }
    expect_stderr(&cmd, &o, &["no input files", "espb.toml", "cargo espb new"])
}

fn build_two_files() -> TestResult {
    let d = tmp()?;
    let a = write(
        d.path(),
        "main_part.c",
        "#include <stdio.h>\nint helper(int);\nextern const char *helper_name;\nint main(void) {\n    printf(\"%s(20) = %d\\n\", helper_name, helper(20));\n    return helper(1);\n}\n",
    )?;
    let b = write(
        d.path(),
        "helper_part.c",
        "const char *helper_name = \"helper\";\nint helper(int x) { return x * 2 + 1; }\n",
    )?;
    let m = build_ok(d.path(), &[&a, &b], &[])?;
    let (cmd, o) = espb(&[&"run", &m])?;
    if o.stdout_str() != "helper(20) = 41\n" || o.code() != Some(3) {
        return Err(report(&cmd, &o, "expected stdout \"helper(20) = 41\\n\" and exit code 3"));
    }
    Ok(())
}

fn build_clang_flags() -> TestResult {
    let d = tmp()?;
    let src = write(
        d.path(),
        "flags.c",
        "#include <stdio.h>\nint main(void) {\n    printf(\"%s\\n\", GREETING);\n    return VALUE;\n}\n",
    )?;
    let m = build_ok(d.path(), &[&src], &["-DVALUE=42", "-DGREETING=\"from -D\""])?;
    let (cmd, o) = espb(&[&"run", &m])?;
    if o.stdout_str() != "from -D\n" || o.code() != Some(42) {
        return Err(report(&cmd, &o, "expected stdout \"from -D\\n\" and exit code 42"));
    }
    Ok(())
}

fn run_missing_module() -> TestResult {
    let d = tmp()?;
    let (cmd, o) = espb(&[&"run", &d.path().join("nothing_here.espb")])?;
    expect_user_error(&cmd, &o)?;
    expect_stderr(&cmd, &o, &["nothing_here.espb"])
}

fn run_not_a_module() -> TestResult {
    let d = tmp()?;
    let f = write(d.path(), "junk.espb", "this is a text file, not a module\n")?;
    let (cmd, o) = espb(&[&"run", &f])?;
    expect_user_error(&cmd, &o)?;
    expect_stderr(&cmd, &o, &["junk.espb"])?;
    let err = o.stderr_str().to_lowercase();
    if !(err.contains("not a valid .espb module")
        || err.contains("not an espb module")
        || err.contains("not a .espb module"))
    {
        return Err(report(&cmd, &o, "stderr should say that the file is not an .espb module"));
    }
    Ok(())
}

fn run_truncated_module() -> TestResult {
    let d = tmp()?;
    let src = write(d.path(), "hello.c", HELLO)?;
    let m = build_ok(d.path(), &[&src], &[])?;
    let bytes = std::fs::read(&m).map_err(|e| e.to_string())?;
    for keep in [bytes.len() - 1, bytes.len() * 3 / 4, bytes.len() / 2, 16, 4, 0] {
        let t = d.path().join(format!("truncated_{keep}.espb"));
        std::fs::write(&t, &bytes[..keep]).map_err(|e| e.to_string())?;
        let (cmd, o) = espb(&[&"run", &t])?;
        expect_user_error(&cmd, &o).map_err(|e| format!("module truncated to {keep} of {} bytes: {e}", bytes.len()))?;
        expect_stderr(&cmd, &o, &[&format!("truncated_{keep}.espb")])?;
        if !o.stdout.is_empty() {
            return Err(report(&cmd, &o, "a truncated module must not start running"));
        }
    }
    Ok(())
}

fn run_missing_entry() -> TestResult {
    let d = tmp()?;
    let src = write(d.path(), "hello.c", HELLO)?;
    let m = build_ok(d.path(), &[&src], &[])?;
    let (cmd, o) = espb(&[&"run", &m, &"--entry", &"no_such_function"])?;
    expect_user_error(&cmd, &o)?;
    expect_stderr(&cmd, &o, &["no_such_function"])
}

fn run_app_main_entry() -> TestResult {
    let d = tmp()?;
    let src = write(
        d.path(),
        "app.c",
        "#include <stdio.h>\nstatic int ticks;\nvoid app_main(void) {\n    for (int i = 0; i < 3; i++) ticks++;\n    printf(\"app_main ran, ticks=%d\\n\", ticks);\n}\n",
    )?;
    let m = build_ok(d.path(), &[&src], &[])?;
    let (cmd, o) = espb(&[&"run", &m])?;
    if o.stdout_str() != "app_main ran, ticks=3\n" || o.code() != Some(0) {
        return Err(report(&cmd, &o, "without `main`, `run` should call `app_main` and exit with 0"));
    }
    Ok(())
}

/// A task function with two parameters, cast to `TaskFunction_t`: the
/// build warns with the call's line, the loader refuses the module.
fn callback_type() -> TestResult {
    let d = tmp()?;
    let src = write(
        d.path(),
        "cb.c",
        "typedef void (*TaskFunction_t)(void *);\n\
         int xTaskCreatePinnedToCore(TaskFunction_t f, const char *name, unsigned depth, void *p, unsigned prio,\n\
                                     void **out, int core);\n\
         static void two_args(void *a, int b) { (void) a; (void) b; }\n\
         void app_main(void) {\n\
             xTaskCreatePinnedToCore((TaskFunction_t) two_args, \"t\", 2048, 0, 1, 0, 0x7fffffff);\n\
         }\n",
    )?;
    let out = d.path().join("cb.espb");
    let (cmd, o) = espb(&[&"build", &src, &"-o", &out])?;
    if o.code() != Some(0) {
        return Err(report(&cmd, &o, "a callback of the wrong type is a warning at build, not an error"));
    }
    let warning = "warning: callback of the wrong type: `two_args` has type void(i32, i32), but \
                   xTaskCreatePinnedToCore calls its argument 0 as TaskFunction_t, void (*)(void *) (call in \
                   `app_main` at cb.c:6)";
    expect_stderr(&cmd, &o, &[warning])?;
    let (cmd, o) = espb(&[&"run", &out])?;
    expect_user_error(&cmd, &o)?;
    expect_stderr(&cmd, &o, &["callback of the wrong type", "`two_args`", "change the function's parameters"])
}

fn run_default_time_limit() -> TestResult {
    let d = tmp()?;
    let src = write(
        d.path(),
        "forever.c",
        "#include <stdint.h>\nvoid vTaskDelay(uint32_t ticks);\n\
         void app_main(void) {\n    for (;;) vTaskDelay(100);\n}\n",
    )?;
    let m = build_ok(d.path(), &[&src], &[])?;
    let (cmd, o) = espb(&[&"run", &m])?;
    if o.code() != Some(0) {
        return Err(report(&cmd, &o, "a module that never ends stops at the default limit with exit code 0"));
    }
    expect_stderr(&cmd, &o, &["60 s of simulated time", "--for <DURATION>", "--no-time-limit"])?;
    // An explicit limit says nothing.
    let (cmd, o) = espb(&[&"run", &m, &"--for", &"2s"])?;
    if o.code() != Some(0) || o.stderr_str().contains("default limit") {
        return Err(report(&cmd, &o, "with --for the run ends quietly at that time"));
    }
    Ok(())
}

fn bad_flag() -> TestResult {
    let (cmd, o) = espb(&[&"run", &"--definitely-not-a-flag", &"x.espb"])?;
    if o.code() != Some(2) {
        return Err(report(&cmd, &o, "an unknown flag should be a usage error with exit code 2"));
    }
    expect_stderr(&cmd, &o, &["--definitely-not-a-flag"])?;
    if !o.stderr_str().to_lowercase().contains("usage") {
        return Err(report(&cmd, &o, "a usage error should show the usage"));
    }
    Ok(())
}

fn unknown_command() -> TestResult {
    let (cmd, o) = espb(&[&"frobnicate"])?;
    if o.code() != Some(2) {
        return Err(report(&cmd, &o, "an unknown subcommand should be a usage error with exit code 2"));
    }
    expect_stderr(&cmd, &o, &["frobnicate"])
}

fn inspect_module() -> TestResult {
    let d = tmp()?;
    let src = write(d.path(), "hello.c", HELLO)?;
    let m = build_ok(d.path(), &[&src], &[])?;
    let (cmd, o) = espb(&[&"inspect", &m])?;
    if o.code() != Some(0) {
        return Err(report(&cmd, &o, "inspect of a fresh module should succeed"));
    }
    let out = o.stdout_str();
    if !out.contains("main") || !out.contains("printf") {
        return Err(report(&cmd, &o, "inspect should list the function `main` and the import `printf`"));
    }
    Ok(())
}

fn inspect_unverifiable() -> TestResult {
    let d = tmp()?;
    let src = write(d.path(), "hello.c", HELLO)?;
    let m = build_ok(d.path(), &[&src], &[])?;
    let bytes = std::fs::read(&m).map_err(|e| e.to_string())?;
    let mut module = espb_runtime::format::decode(&bytes).map_err(|e| e.to_string())?;
    // Registers the code uses no longer exist: well-formed, but refused.
    module.functions[0].num_regs = 0;
    let bad = d.path().join("bad.espb");
    std::fs::write(&bad, espb_runtime::format::encode(&module)).map_err(|e| e.to_string())?;
    let (cmd, o) = espb(&[&"inspect", &bad])?;
    expect_user_error(&cmd, &o)?;
    if !o.stdout_str().contains("verification FAILED") {
        return Err(report(&cmd, &o, "inspect still shows the module and says that it fails verification"));
    }
    expect_stderr(&cmd, &o, &["bad.espb"])
}

fn without_espb_word() -> TestResult {
    let d = tmp()?;
    let src = write(d.path(), "hello.c", HELLO)?;
    let out = d.path().join("direct.espb");
    let mut b = Command::new(util::cli_bin());
    b.arg("build").arg(&src).arg("-o").arg(&out);
    let (cmd, o) = run_cmd(b)?;
    if o.code() != Some(0) {
        return Err(report(&cmd, &o, "`cargo-espb build` (without the `espb` word) should work too"));
    }
    let mut r = Command::new(util::cli_bin());
    r.arg("run").arg(&out);
    let (cmd, o) = run_cmd(r)?;
    if o.stdout_str() != "hello 42\n" || o.code() != Some(7) {
        return Err(report(&cmd, &o, "expected stdout \"hello 42\\n\" and exit code 7"));
    }
    Ok(())
}
