//! What the QEMU tests share: the repository root, a target dir per test
//! binary, tool checks and the build of the riscv32 test firmware
//! (tests/qemu).
#![allow(dead_code)] // each test binary uses its own part

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// <target>/<profile>/cargo-espb -> <target>/`name`: a target dir of the
/// test binary's own, so the inner cargo never waits for the outer one's
/// lock (and each binary's firmware embeds its own module).
pub fn work_dir(name: &str) -> PathBuf {
    let espb = PathBuf::from(env!("CARGO_BIN_EXE_cargo-espb"));
    let work = espb.parent().and_then(Path::parent).unwrap().join(name);
    std::fs::create_dir_all(&work).unwrap();
    work
}

/// `out`, after asserting that the command behind it (`what`) succeeded.
pub fn check(out: Output, what: &str) -> Output {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs `cmd` and asserts it succeeded.
pub fn run(cmd: &mut Command, what: &str) -> Output {
    check(cmd.output().unwrap_or_else(|e| panic!("cannot run {what}: {e}")), what)
}

pub fn have_qemu() -> bool {
    Command::new("qemu-system-riscv32")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The rustup target `target` is installed (its libcore is there).
pub fn have_target(target: &str) -> bool {
    let Ok(o) = Command::new("rustc").args(["--print", "target-libdir", "--target", target]).output() else {
        return false;
    };
    let dir = PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
    o.status.success()
        && std::fs::read_dir(&dir)
            .is_ok_and(|mut d| d.any(|e| e.is_ok_and(|e| e.path().to_string_lossy().contains("libcore"))))
}

/// Builds the test firmware for `target` in `work`, embedding `module`
/// (mode 0's); returns the ELF.
pub fn build_firmware(target: &str, work: &Path, module: &Path) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .current_dir(root())
        .args(["build", "--release", "--target", target, "--manifest-path", "tests/qemu/Cargo.toml"])
        .env("CARGO_TARGET_DIR", work)
        .env("ESPB_QEMU_MODULE", module);
    // Flags meant for the host build (coverage, sanitizers) must not reach
    // the bare-metal one.
    for v in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "RUSTC_WORKSPACE_WRAPPER",
    ] {
        build.env_remove(v);
    }
    run(&mut build, &format!("cargo build of tests/qemu for {target}"));
    work.join(target).join("release").join("espb-qemu-test")
}
