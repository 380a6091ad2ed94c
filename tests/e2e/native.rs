//! The native reference build: `gcc -m32` (x86 ILP32) with the layout and
//! arithmetic choices that make it behave like riscv32/xtensa:
//!
//! * `-malign-double`: 8-byte alignment of `long long` and `double` (riscv32
//!   and xtensa ilp32 ABIs), so struct layouts and `sizeof`/`offsetof` match;
//! * `-msse2 -mfpmath=sse -ffp-contract=off`: IEEE double/float arithmetic
//!   without the x87's 80-bit excess precision and without fused
//!   multiply-adds, like the chips' soft-float and single-precision FPUs;
//! * `-funsigned-char`: plain `char` is unsigned on riscv and xtensa.

use crate::util::{self, Outcome};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

pub const NATIVE_FLAGS: &[&str] =
    &["-m32", "-malign-double", "-msse2", "-mfpmath=sse", "-ffp-contract=off", "-funsigned-char", "-O1", "-w"];

/// The C compiler for the native build (`ESPB_E2E_CC`, default `gcc`).
pub fn cc() -> String {
    std::env::var("ESPB_E2E_CC").unwrap_or_else(|_| "gcc".into())
}

/// `Ok(())` if `gcc -m32` can build and run a program here, else why not.
pub fn available() -> &'static Result<(), String> {
    static AVAILABLE: OnceLock<Result<(), String>> = OnceLock::new();
    AVAILABLE.get_or_init(|| {
        let dir = tempfile::tempdir().map_err(|e| format!("cannot create a temp dir: {e}"))?;
        let src = dir.path().join("probe.c");
        std::fs::write(&src, "#include <stdio.h>\n#include <math.h>\nint main(void){printf(\"%d\\n\",(int)sizeof(long));return (int)sqrt(49.0);}\n")
            .map_err(|e| e.to_string())?;
        let exe = dir.path().join("probe");
        let built = build(&src, &exe, &[])?;
        if !built.status.is_some_and(|s| s.success()) {
            return Err(format!(
                "`{} -m32` cannot build a program (install gcc-multilib):\n{}",
                cc(),
                util::indent(&built.stderr_str(), 10)
            ));
        }
        let ran = util::run(Command::new(&exe), Duration::from_secs(10)).map_err(|e| e.to_string())?;
        if ran.code() != Some(7) || ran.stdout_str() != "4\n" {
            return Err(format!("the `-m32` probe program misbehaved: {} {:?}", ran.describe_end(), ran.stdout_str()));
        }
        Ok(())
    })
}

/// Compiles `src` to `exe` with the native flags (plus `extra`).
pub fn build(src: &Path, exe: &Path, extra: &[&str]) -> Result<Outcome, String> {
    build_with(&cc(), src, exe, extra)
}

/// A program whose first lines say `// native-cc: clang` is built with
/// clang (`ESPB_E2E_NATIVE_CLANG`, default `clang-22`): C that GCC 12 does
/// not have (`_BitInt`). Any other value is the compiler itself.
fn compiler(named: Option<&str>) -> String {
    match named {
        None => cc(),
        Some("clang") => std::env::var("ESPB_E2E_NATIVE_CLANG").unwrap_or_else(|_| "clang-22".into()),
        Some(other) => other.to_string(),
    }
}

/// A program's first lines may name more native libraries, linked after
/// `-lm`: `// native-libs: -lquadmath` (for `__float128`, the native
/// stand-in of riscv32's binary128 `long double`).
fn build_with(cc: &str, src: &Path, exe: &Path, extra: &[&str]) -> Result<Outcome, String> {
    let mut cmd = Command::new(cc);
    cmd.args(NATIVE_FLAGS).args(extra).arg(src).arg("-o").arg(exe).arg("-lm");
    if let Some(libs) = util::header(src, "native-libs") {
        cmd.args(libs.split_whitespace());
    }
    util::run(cmd, Duration::from_secs(120)).map_err(|e| format!("cannot start `{cc}`: {e}"))
}

/// Builds (with the compiler `cc` names, see [`compiler`]) and runs `src`
/// natively; errors if it does not build.
pub fn build_and_run(
    src: &Path,
    work: &Path,
    cc: Option<&str>,
    extra: &[&str],
    timeout: Duration,
) -> Result<Outcome, String> {
    let exe: PathBuf = work.join(format!("{}.native", util::stem(src)));
    let b = build_with(&compiler(cc), src, &exe, extra)?;
    if !b.status.is_some_and(|s| s.success()) {
        return Err(format!(
            "native build of {} failed ({}):\n{}",
            src.display(),
            b.describe_end(),
            util::indent(&b.stderr_str(), 30)
        ));
    }
    util::run(Command::new(&exe), timeout).map_err(|e| format!("cannot run {}: {e}", exe.display()))
}
