//! The chip table (`espb_runtime::chip::TABLE`) reaches every consumer, for
//! every chip: clang's target flags (project and single-file builds), the
//! ESP-IDF component's `chips.cmake` as CMake reads it, and the values
//! `cargo espb new` writes into the templates.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cargo_espb::flags::chip::DEFAULT_CHIP;
use cargo_espb::flags::{Chip, ChipFlags};

fn espb(dir: &Path, args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cargo-espb"));
    c.current_dir(dir).args(args).env_remove("ESPB_CLANG").env_remove("ESPB_CARGO_MESSAGES");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap_or_else(|e| panic!("{e}"))
}

fn ok(o: &Output) {
    assert!(o.status.success(), "failed: {}", String::from_utf8_lossy(&o.stderr));
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn toml_file(p: &Path) -> toml::Table {
    toml::from_str(&read(p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn clang_target_flags_are_the_tables() {
    for chip in Chip::ALL {
        let s = chip.spec();
        let tail: Vec<String> = s
            .clang
            .march
            .map(|m| format!("-march={m}"))
            .into_iter()
            .chain(s.abi.mabi().map(|m| format!("-mabi={m}")))
            .collect();
        let esp = chip.target_flags(true);
        let mut want = vec![format!("--target={}", s.clang.triple)];
        want.extend(tail.iter().cloned());
        want.extend(s.clang.mcpu.map(|m| format!("-mcpu={m}")));
        assert_eq!(esp, want, "{chip} with esp-clang");

        let upstream = chip.target_flags(false);
        assert_eq!(upstream[0], format!("--target={}", s.clang.upstream_triple), "{chip}");
        assert_eq!(upstream[1..=tail.len()], tail[..], "{chip}: -march/-mabi with any clang");
        assert!(!upstream.iter().any(|f| f.starts_with("-mcpu")), "{chip}: upstream clang gets no -mcpu: {upstream:?}");
    }
}

/// A clang that records its arguments and fails (the build stops there).
fn fake_clang(dir: &Path) -> (PathBuf, PathBuf) {
    let log = dir.join("clang.log");
    let clang = dir.join("clang");
    let script = format!("#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{}'\nexit 1\n", log.display());
    std::fs::write(&clang, script).unwrap_or_else(|e| panic!("{e}"));
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&clang, std::fs::Permissions::from_mode(0o755)).unwrap_or_else(|e| panic!("{e}"));
    (clang, log)
}

#[test]
fn single_file_builds_use_the_tables_flags() {
    let t = tmp();
    std::fs::write(t.path().join("a.c"), "int f(void) { return 1; }\n").unwrap_or_else(|e| panic!("{e}"));
    let (clang, log) = fake_clang(t.path());
    let cases = [
        (DEFAULT_CHIP.portable_target_flags(), &["build", "a.c"][..]),
        (Chip::Esp32p4.portable_target_flags(), &["build", "a.c", "--chip", "esp32p4"]),
    ];
    for (want, args) in cases {
        let _ = std::fs::remove_file(&log);
        let o = espb(t.path(), args, &[("ESPB_CLANG", &clang)]);
        assert!(!o.status.success(), "the fake clang fails the build");
        let argv: Vec<String> = read(&log).lines().map(str::to_string).collect();
        assert!(argv.windows(want.len()).any(|w| w == want), "{args:?}: {want:?} not in {argv:?}");
    }
}

fn require_native() -> bool {
    std::env::var_os("ESPB_E2E_REQUIRE_NATIVE").is_some_and(|v| v != "0" && !v.is_empty())
}

/// clang-15 (as old as the bitcode cargo-espb accepts) builds for every
/// RISC-V chip, single-file with `--chip` and as a project: its `-march`
/// knows no `zicsr`/`zifencei`, so the flags are respelled for it.
#[test]
fn clang_15_builds_for_riscv_chips() {
    let Ok(clang15) = which::which("clang-15") else {
        assert!(!require_native(), "clang-15 is missing and ESPB_E2E_REQUIRE_NATIVE=1: install it (scripts/setup.sh)");
        eprintln!("clang-15 not installed: skipped");
        return;
    };
    let t = tmp();
    std::fs::write(t.path().join("a.c"), "int app_main(void) { return 1; }\n").unwrap_or_else(|e| panic!("{e}"));
    for chip in ["esp32c3", "esp32c6", "esp32p4"] {
        ok(&espb(t.path(), &["build", "a.c", "--chip", chip], &[("ESPB_CLANG", &clang15)]));
    }
    ok(&espb(t.path(), &["new", "p", "--chip", "esp32c6"], &[]));
    ok(&espb(&t.path().join("p"), &["build"], &[("ESPB_CLANG", &clang15)]));
}

/// CMake itself reads the committed chips.cmake the ESP-IDF component
/// includes: every chip, its Rust target, toolchain and build-std.
#[test]
fn the_component_cmake_maps_the_tables_chips() {
    if which::which("cmake").is_err() {
        assert!(!require_native(), "cmake is missing and ESPB_E2E_REQUIRE_NATIVE=1: install it (scripts/setup.sh)");
        eprintln!("SKIPPED (chip_table): cmake is missing; scripts/setup.sh installs it");
        return;
    }
    let t = tmp();
    let chips = Path::new(env!("CARGO_MANIFEST_DIR")).join("../espb-sys/component/espb_runtime/chips.cmake");
    let script = t.path().join("print.cmake");
    let text = format!(
        "include(\"{}\")\n\
         message(\"chips=${{ESPB_CHIPS}}\")\n\
         foreach(c ${{ESPB_CHIPS}})\n\
         \x20   message(\"${{c}}|${{ESPB_CHIP_${{c}}_RUST_TARGET}}|${{ESPB_CHIP_${{c}}_RUST_TOOLCHAIN}}|${{ESPB_CHIP_${{c}}_BUILD_STD}}\")\n\
         endforeach()\n",
        chips.display()
    );
    std::fs::write(&script, text).unwrap_or_else(|e| panic!("{e}"));
    let o = Command::new("cmake").arg("-P").arg(&script).output().unwrap_or_else(|e| panic!("{e}"));
    let printed = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{printed}");
    let mut lines = printed.lines();
    let names: Vec<&str> = Chip::ALL.iter().map(|c| c.name()).collect();
    assert_eq!(lines.next(), Some(&*format!("chips={}", names.join(";"))));
    for chip in Chip::ALL {
        let rust = &chip.spec().rust;
        let line = lines.next().unwrap_or_default();
        let fields: Vec<&str> = line.split('|').collect();
        assert_eq!(fields[..3], [chip.name(), rust.bare_metal, rust.bare_metal_toolchain().unwrap_or("")], "{line}");
        assert_eq!(!fields[3].is_empty(), rust.esp_toolchain, "{chip}: -Zbuild-std iff the esp toolchain: {line}");
    }
}

#[test]
fn templates_carry_the_tables_values() {
    let t = tmp();
    for chip in Chip::ALL {
        let s = chip.spec();
        let name = chip.name();

        ok(&espb(t.path(), &["new", &format!("m-{name}"), "--chip", name], &[]));
        let root = t.path().join(format!("m-{name}"));
        let espb_toml = read(&root.join("espb.toml"));
        assert!(espb_toml.contains(&Chip::names()), "the chips of the table are listed: {espb_toml}");
        assert_eq!(toml_file(&root.join("espb.toml"))["package"]["chip"].as_str(), Some(name));
        let db: serde_json::Value =
            serde_json::from_str(&read(&root.join("compile_commands.json"))).unwrap_or_else(|e| panic!("{e}"));
        let argv: Vec<&str> = db[0]["arguments"].as_array().into_iter().flatten().filter_map(|a| a.as_str()).collect();
        let want = chip.target_flags(false);
        assert_eq!(argv[1..=want.len()], want.iter().map(String::as_str).collect::<Vec<_>>()[..], "{chip}");

        ok(&espb(t.path(), &["new", &format!("r-{name}"), "--firmware", "rust", "--chip", name], &[]));
        let root = t.path().join(format!("r-{name}"));
        let cfg = toml_file(&root.join(".cargo/config.toml"));
        assert_eq!(cfg["build"]["target"].as_str(), Some(s.rust.espidf), "{chip}");
        assert!(cfg["target"].get(s.rust.espidf).is_some(), "{chip}: [target.{}] missing", s.rust.espidf);
        assert_eq!(cfg["env"]["MCU"].as_str(), Some(name));
        let tc = toml_file(&root.join("rust-toolchain.toml"));
        assert_eq!(tc["toolchain"]["channel"].as_str(), Some(s.rust.espidf_toolchain()), "{chip}");
        assert!(read(&root.join("src/main.rs")).contains(&format!("const CHIP: Chip = Chip::{chip:?};")));

        ok(&espb(t.path(), &["new", &format!("i-{name}"), "--firmware", "idf", "--chip", name], &[]));
        let sdkconfig = read(&t.path().join(format!("i-{name}/sdkconfig.defaults")));
        assert!(sdkconfig.contains(&format!("CONFIG_IDF_TARGET=\"{name}\"\n")), "{sdkconfig}");
    }
    ok(&espb(t.path(), &["new", "default"], &[]));
    assert_eq!(toml_file(&t.path().join("default/espb.toml"))["package"]["chip"].as_str(), Some(DEFAULT_CHIP.name()));
}
