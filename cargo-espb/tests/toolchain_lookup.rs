//! How `cargo espb build` finds clang: an esp-clang installed by ESP-IDF's
//! tools (`$IDF_TOOLS_PATH/tools/esp-clang/<version>/esp-clang/bin/clang`,
//! newest first) wins over clang-22 on PATH, gets Espressif's target flags
//! (`--target=xtensa-esp-elf -mcpu=esp32s3`), and builds the module; the
//! overrides (`ESPB_CLANG`, espb.toml `[build] clang`) beat it.
//!
//! esp-clang itself cannot be downloaded here, so the installed "esp-clang"
//! is a script that answers `--version` like Espressif's LLVM 19 build,
//! records its command line, and compiles through clang-22 with the
//! upstream spelling of the Xtensa target (upstream clang has no
//! `-mcpu=esp32s3`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

fn espb(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cargo-espb"));
    c.current_dir(dir).args(args).env_remove("ESPB_CLANG").env_remove("IDF_TOOLS_PATH");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap_or_else(|e| panic!("{e}"))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Installs a fake esp-clang `version` under `tools`; returns its path and
/// the file where it logs each command line.
fn install_esp_clang(tools: &Path, version: &str, major: u32) -> (PathBuf, PathBuf) {
    let bin = tools.join("tools/esp-clang").join(version).join("esp-clang/bin");
    std::fs::create_dir_all(&bin).unwrap_or_else(|e| panic!("{e}"));
    let log = bin.join("calls.log");
    let clang = bin.join("clang");
    let script = format!(
        r#"#!/bin/sh
if [ "$1" = "--version" ]; then
    echo "clang version {major}.1.2 (https://github.com/espressif/llvm-project {version})"
    echo "Target: xtensa-esp-unknown-elf"
    exit 0
fi
echo "$*" >> '{log}'
args=""
for a in "$@"; do
    case "$a" in
        --target=xtensa-esp-elf) a=--target=xtensa ;;
        -mcpu=esp32*) continue ;;
    esac
    args="$args '$a'"
done
eval exec clang-22 $args
"#,
        log = log.display()
    );
    std::fs::write(&clang, script).unwrap_or_else(|e| panic!("{e}"));
    let ok = Command::new("chmod").arg("+x").arg(&clang).status().is_ok_and(|s| s.success());
    assert!(ok, "chmod failed");
    (clang, log)
}

#[test]
fn esp_clang_from_idf_tools_is_found_and_used() {
    if !have_clang22() {
        return;
    }
    let t = tmp();
    let tools = t.path().join("espressif");
    // Two versions: the newest is used.
    install_esp_clang(&tools, "esp-18.1.2_20240912", 18);
    let (clang, log) = install_esp_clang(&tools, "esp-19.1.2_20250225", 19);
    let o = espb(t.path(), &["new", "xt", "--chip", "esp32s3"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let root = t.path().join("xt");

    let o = espb(&root, &["build", "--verbose"], &[("IDF_TOOLS_PATH", &tools)]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains(&clang.display().to_string()), "the esp-clang path is not shown: {err}");
    assert!(!err.contains("is not esp-clang"), "esp-clang was not recognised: {err}");
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        calls.contains("--target=xtensa-esp-elf") && calls.contains("-mcpu=esp32s3") && calls.contains("src/main.c"),
        "esp-clang did not get Espressif's target flags: {calls}"
    );
    assert!(root.join("build/xt.espb").is_file());
    let other = tools.join("tools/esp-clang/esp-18.1.2_20240912/esp-clang/bin/calls.log");
    assert!(!other.exists(), "the older esp-clang was used");

    // ESPB_CLANG beats the ESP-IDF tools: back to upstream clang's flags.
    std::fs::remove_file(&log).unwrap_or_else(|e| panic!("{e}"));
    let upstream = which_clang22().unwrap_or_default();
    let o = espb(&root, &["build", "--verbose"], &[("IDF_TOOLS_PATH", &tools), ("ESPB_CLANG", &upstream)]);
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("is not esp-clang") && err.contains("--target=xtensa"), "{err}");
    assert!(!log.exists(), "esp-clang ran although ESPB_CLANG was set");
}

#[test]
fn single_file_builds_find_esp_clang_too() {
    if !have_clang22() {
        return;
    }
    let t = tmp();
    let tools = t.path().join("espressif");
    let (_, log) = install_esp_clang(&tools, "esp-19.1.2_20250225", 19);
    std::fs::write(t.path().join("three.c"), "int main(void) { return 3; }\n").unwrap_or_else(|e| panic!("{e}"));
    let o = espb(t.path(), &["build", "three.c", "--chip", "esp32s3"], &[("IDF_TOOLS_PATH", &tools)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(
        calls.contains("--target=xtensa-esp-elf") && calls.contains("-mcpu=esp32s3") && calls.contains("three.c"),
        "esp-clang did not build the file with Espressif's target flags: {calls}"
    );
    let o = espb(t.path(), &["run", "three.espb"], &[]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
}

#[test]
fn esp_clang_newer_than_the_translator_is_refused() {
    let t = tmp();
    let tools = t.path().join("espressif");
    let (clang, _) = install_esp_clang(&tools, "esp-23.1.0_20270101", 23);
    let o = espb(t.path(), &["new", "m", "--chip", "esp32"], &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = espb(&t.path().join("m"), &["build"], &[("IDF_TOOLS_PATH", &tools)]);
    assert!(!o.status.success());
    let err = stderr(&o).replace(['│', '\n'], " ");
    let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(err.contains("clang 23") && err.contains("LLVM 22"), "{err}");
    let shown = clang.display().to_string();
    assert!(err.contains(&shown) || err.contains("esp-23.1.0"), "the refused clang is not named: {err}");
}

/// Whether clang-22 (which the fake esp-clang runs) is installed; says so when not.
fn have_clang22() -> bool {
    let found = which_clang22().is_some();
    if !found {
        eprintln!("SKIPPED: clang-22 is not installed (scripts/setup.sh installs it)");
    }
    found
}

fn which_clang22() -> Option<PathBuf> {
    which::which("clang-22").ok()
}
