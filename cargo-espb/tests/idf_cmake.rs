//! The ESP-IDF CMake side without ESP-IDF: a project written by
//! `cargo espb new NAME --firmware idf --chip CHIP` is configured with the real
//! cmake against a stub ESP-IDF (tests/fixtures/idf-stub, see its
//! tools/cmake/project.cmake for what it implements), so the CMakeLists.txt of
//! the template, of the generated `espb_symtab_idf` component and of the
//! `espb_runtime` component (espb-sys/component/espb_runtime) run for real:
//! early expansion, requirement resolution, libraries, include directories.
//!
//! Per chip: configure succeeds; `cmake --build --target espb_capi_cargo` runs
//! a fake `cargo` (first on PATH) that records its command line and writes
//! libespb_capi.a, whose command line must carry the chip's Rust target and
//! flags; the firmware's link line holds the library and the table; with
//! clang-22 and newlib headers, the generated table and the template's main.c
//! compile for the chip (-Wall -Werror=all, like ESP-IDF) against the portable
//! SDK headers. The project's `custom` table, once generated, is required by
//! main and registered by main.c. Refusals: unknown IDF_TARGET, missing crate
//! manifest, missing runtime component (or its Rust workspace), unknown
//! component requirement. One chip's runtime is also built with the real
//! cargo, offline, from the project's own copy after the project was moved.
//!
//! Skipped loudly without cmake (or make), failing instead when
//! ESPB_E2E_REQUIRE_NATIVE=1 (CI); the same for clang-22/newlib and the
//! compile step.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cargo_espb::flags::{Chip, ChipFlags};

/// The Rust target espb_runtime's CMakeLists.txt must build espb-capi for.
fn rust_target(chip: &str) -> &'static str {
    match chip {
        "esp32" => "xtensa-esp32-none-elf",
        "esp32s2" => "xtensa-esp32s2-none-elf",
        "esp32s3" => "xtensa-esp32s3-none-elf",
        "esp32c2" | "esp32c3" => "riscv32imc-unknown-none-elf",
        "esp32c6" | "esp32h2" => "riscv32imac-unknown-none-elf",
        "esp32p4" => "riscv32imafc-unknown-none-elf",
        other => panic!("no chip {other}"),
    }
}

const CHIPS: [&str; 8] = ["esp32", "esp32s2", "esp32s3", "esp32c2", "esp32c3", "esp32c6", "esp32h2", "esp32p4"];

fn require_native() -> bool {
    std::env::var_os("ESPB_E2E_REQUIRE_NATIVE").is_some_and(|v| v != "0" && !v.is_empty())
}

/// Skips (returns false) with a loud message, or panics under ESPB_E2E_REQUIRE_NATIVE.
fn available(what: &str, ok: bool) -> bool {
    if !ok {
        assert!(!require_native(), "{what} is missing and ESPB_E2E_REQUIRE_NATIVE=1: install it (scripts/setup.sh)");
        eprintln!("SKIPPED (idf_cmake): {what} is missing; scripts/setup.sh installs it");
    }
    ok
}

fn workspace() -> PathBuf {
    let ws = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::canonicalize(&ws).unwrap_or(ws)
}

fn stub() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/idf-stub")
}

const NEWLIB: &str = "/usr/include/newlib";

/// cmake (and make) must exist; clang-22 with newlib headers is needed only
/// for the compile step.
struct Tools {
    clang: Option<PathBuf>,
}

fn tools() -> Option<Tools> {
    let cmake = which::which("cmake").is_ok();
    if !available("cmake", cmake) || !available("make (cmake's generator)", which::which("make").is_ok()) {
        return None;
    }
    let clang = which::which("clang-22").ok().filter(|_| Path::new(NEWLIB).is_dir());
    let clang =
        if available("clang-22 with newlib headers (/usr/include/newlib), for the compile step", clang.is_some()) {
            clang
        } else {
            None
        };
    Some(Tools { clang })
}

fn out(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"))
}

fn ok(cmd: &mut Command) -> String {
    let o = run(cmd);
    assert!(o.status.success(), "{cmd:?} failed:\n{}", out(&o));
    out(&o)
}

/// The output of a command that must fail, whitespace collapsed (CMake wraps
/// its messages).
fn fail(cmd: &mut Command) -> String {
    let o = run(cmd);
    assert!(!o.status.success(), "{cmd:?} succeeded unexpectedly:\n{}", out(&o));
    out(&o).split_whitespace().collect::<Vec<_>>().join(" ")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A temporary directory with a generated firmware project `fw` and a fake
/// `cargo` in `bin/`.
struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    project: PathBuf,
    build: PathBuf,
    log: PathBuf,
}

/// Records its working directory, the CARGO*/RUST*/ESPB* environment and its
/// arguments (one per line), then writes the static library where cargo would.
const FAKE_CARGO: &str = r#"#!/bin/sh
{
    printf 'cwd=%s\n' "$PWD"
    env | grep -E '^(CARGO|RUST|ESPB)' | sed 's/^/env=/'
    for a in "$@"; do printf 'arg=%s\n' "$a"; done
} > "${FAKE_CARGO_LOG:?FAKE_CARGO_LOG is not set}"
target=""
prev=""
for a in "$@"; do
    [ "$prev" = "--target" ] && target="$a"
    case "$a" in --target=*) target="${a#--target=}" ;; esac
    prev="$a"
done
[ -n "$target" ] || { echo "fake cargo: no --target in: $*" >&2; exit 2; }
mkdir -p "$CARGO_TARGET_DIR/$target/release" || exit 1
printf '!<arch>\n' > "$CARGO_TARGET_DIR/$target/release/libespb_capi.a"
"#;

impl Fixture {
    fn new(chip: &str) -> Fixture {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = std::fs::canonicalize(tmp.path()).unwrap_or_else(|e| panic!("{e}"));
        let o = run(Command::new(env!("CARGO_BIN_EXE_cargo-espb"))
            .args(["new", "fw", "--firmware", "idf", "--chip", chip, "--path"])
            .arg(&dir));
        assert!(o.status.success(), "cargo espb new: {}", out(&o));
        let bin = dir.join("bin");
        std::fs::create_dir_all(&bin).unwrap_or_else(|e| panic!("{e}"));
        let cargo = bin.join("cargo");
        std::fs::write(&cargo, FAKE_CARGO).unwrap_or_else(|e| panic!("{e}"));
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap_or_else(|e| panic!("{e}"));
        Fixture { project: dir.join("fw"), build: dir.join("build"), log: dir.join("cargo.log"), dir, _tmp: tmp }
    }

    /// cmake (configure or build) in the environment idf.py would give it, with
    /// the stub as IDF_PATH and the fake cargo first on PATH.
    fn cmake(&self, tools: &Tools, chip: Option<&str>) -> Command {
        let mut c = Command::new("cmake");
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.dir.join("bin")];
        paths.extend(std::env::split_paths(&path));
        c.env("PATH", std::env::join_paths(paths).unwrap_or_else(|e| panic!("{e}")))
            .env("IDF_PATH", stub())
            .env("IDF_STUB_SDK_INCLUDE", workspace().join("espb-sys/sdk/include"))
            .env("FAKE_CARGO_LOG", &self.log)
            .env("CMAKE_GENERATOR", "Unix Makefiles")
            .env("MAKEFLAGS", "") // no jobserver of an outer make
            .env_remove("IDF_TARGET")
            .env_remove("ESPB_CAPI_MANIFEST")
            .env_remove("ESPB_RUNTIME_DIR")
            .env_remove("ESPB_RUST_TOOLCHAIN")
            .env_remove("CARGO_TARGET_DIR");
        match (&tools.clang, chip) {
            (Some(clang), Some(chip)) => {
                let chip: Chip = chip.parse().unwrap_or_else(|e| panic!("{e}"));
                let mut flags = chip.target_flags(false);
                flags.extend(["-isystem".to_string(), NEWLIB.to_string()]);
                c.env("IDF_STUB_CC", clang).env("IDF_STUB_CFLAGS", flags.join(" "));
            }
            _ => {
                c.env_remove("IDF_STUB_CC").env_remove("IDF_STUB_CFLAGS");
            }
        }
        c
    }

    fn configure(&self, tools: &Tools, chip: Option<&str>, target: Option<&str>) -> Command {
        let mut c = self.cmake(tools, chip);
        c.arg("-S").arg(&self.project).arg("-B").arg(&self.build);
        if let Some(t) = target {
            c.arg(format!("-DIDF_TARGET={t}"));
        }
        c
    }

    fn build(&self, tools: &Tools, chip: Option<&str>, targets: &[&str]) -> Command {
        let mut c = self.cmake(tools, chip);
        c.arg("--build").arg(&self.build).arg("--target").args(targets);
        c
    }
}

/// The fake cargo's record: arguments, environment, working directory.
struct CargoCall {
    args: Vec<String>,
    env: BTreeMap<String, String>,
    cwd: String,
}

fn cargo_call(log: &Path) -> CargoCall {
    let text = read(log);
    let mut call = CargoCall { args: Vec::new(), env: BTreeMap::new(), cwd: String::new() };
    for line in text.lines() {
        if let Some(a) = line.strip_prefix("arg=") {
            call.args.push(a.to_string());
        } else if let Some(e) = line.strip_prefix("env=") {
            let (k, v) = e.split_once('=').unwrap_or((e, ""));
            call.env.insert(k.to_string(), v.to_string());
        } else if let Some(d) = line.strip_prefix("cwd=") {
            call.cwd = d.to_string();
        }
    }
    call
}

fn has_pair(args: &[String], flag: &str, value: &str) -> bool {
    args.windows(2).any(|w| w[0] == flag && w[1] == value) || args.iter().any(|a| *a == format!("{flag}={value}"))
}

/// Configures the project of `chip`, builds the runtime through the fake
/// cargo (and, with clang-22, the table and main), and checks the cargo call.
/// `toolchain`: ESPB_RUST_TOOLCHAIN for configure and build. `guess`: no
/// -DIDF_TARGET, the stub guesses it from sdkconfig.defaults.
fn chip(chip: &str, toolchain: Option<&str>, guess: bool) {
    let Some(tools) = tools() else { return };
    let f = Fixture::new(chip);
    // The runtime component is the project's own copy: no path of this checkout.
    let top = read(&f.project.join("CMakeLists.txt"));
    assert!(!top.contains(&*workspace().to_string_lossy()) && !top.contains("EXTRA_COMPONENT_DIRS"), "{top}");

    let mut configure = f.configure(&tools, Some(chip), (!guess).then_some(chip));
    let mut build = f.build(&tools, Some(chip), &["espb_capi_cargo"]);
    if let Some(tc) = toolchain {
        configure.env("ESPB_RUST_TOOLCHAIN", tc);
        build.env("ESPB_RUST_TOOLCHAIN", tc);
    }
    let log = ok(&mut configure);
    assert!(log.contains(&format!("Building ESP-IDF components for target {chip}")), "{log}");
    if guess {
        assert!(log.contains(&format!("guessed '{chip}' from sdkconfig")), "{log}");
    }
    let components = log.lines().find_map(|l| l.strip_prefix("-- Components: ")).unwrap_or_default();
    let components: Vec<&str> = components.split(' ').collect();
    for c in ["espb_runtime", "espb_symtab_idf", "main", "esp_partition", "freertos", "nvs_flash"] {
        assert!(components.contains(&c), "component {c} not in the build: {log}");
    }
    // Requirements first: the runtime and the table are added before main.
    let pos = |c: &str| components.iter().position(|x| *x == c);
    assert!(pos("espb_runtime") < pos("main") && pos("espb_symtab_idf") < pos("main"), "{components:?}");
    let sdkconfig_h = read(&f.build.join("config/sdkconfig.h"));
    assert!(sdkconfig_h.contains(&format!("#define CONFIG_IDF_TARGET \"{chip}\"")), "{sdkconfig_h}");

    ok(&mut build);
    let call = cargo_call(&f.log);
    let target = rust_target(chip);
    let xtensa = target.starts_with("xtensa");
    let args = &call.args;
    let want_tc = toolchain.or(xtensa.then_some("esp")).map(|t| format!("+{t}"));
    let rest = match &want_tc {
        Some(tc) => {
            assert_eq!(args.first(), Some(tc), "cargo's toolchain for {chip}: {args:?}");
            &args[1..]
        }
        None => {
            assert!(!args.iter().any(|a| a.starts_with('+')), "no +toolchain for {chip}: {args:?}");
            &args[..]
        }
    };
    assert_eq!(rest.first().map(String::as_str), Some("rustc"), "{args:?}");
    let rust = f.project.join("components/espb_runtime/rust");
    let manifest = rust.join("Cargo.toml");
    for (flag, value) in [
        ("--target", target),
        ("--manifest-path", &*manifest.to_string_lossy()),
        ("-p", "espb-capi"),
        ("--crate-type", "staticlib"),
        ("--features", "standalone,esp-idf"),
    ] {
        assert!(has_pair(rest, flag, value), "`{flag} {value}` missing for {chip}: {args:?}");
    }
    for flag in ["--release", "--lib"] {
        assert!(rest.iter().any(|a| a == flag), "{flag} missing for {chip}: {args:?}");
    }
    let build_std = rest.iter().any(|a| a == "-Zbuild-std=core,alloc") || has_pair(rest, "-Z", "build-std=core,alloc");
    assert_eq!(build_std, xtensa, "-Zbuild-std=core,alloc iff Xtensa ({chip}): {args:?}");
    assert_eq!(call.cwd, rust.to_string_lossy(), "cargo runs in the component's workspace");
    let cargo_dir = f.build.join("esp-idf/espb_runtime/cargo");
    assert_eq!(call.env.get("CARGO_TARGET_DIR").map(String::as_str), Some(&*cargo_dir.to_string_lossy()));
    let lib = cargo_dir.join(target).join("release/libespb_capi.a");
    assert!(lib.is_file(), "{} missing", lib.display());

    // The firmware links the runtime library and keeps the table.
    let link = read(&f.build.join("CMakeFiles/fw.elf.dir/link.txt"));
    let rel_lib = format!("esp-idf/espb_runtime/cargo/{target}/release/libespb_capi.a");
    assert!(link.contains(&rel_lib), "{link}");
    assert!(link.contains("-u espb_symtab_idf"), "{link}");

    // The generated table and main.c compile for the chip (ESP-IDF's -Werror=all).
    if tools.clang.is_some() {
        let mut b = f.build(&tools, Some(chip), &["__idf_espb_symtab_idf", "__idf_main"]);
        if let Some(tc) = toolchain {
            b.env("ESPB_RUST_TOOLCHAIN", tc);
        }
        ok(&mut b);
        for lib in ["esp-idf/espb_symtab_idf/libespb_symtab_idf.a", "esp-idf/main/libmain.a"] {
            assert!(f.build.join(lib).is_file(), "{lib} missing");
        }
    }
}

#[test]
fn esp32() {
    chip("esp32", None, false);
}

#[test]
fn esp32s2_with_toolchain_override() {
    chip("esp32s2", Some("esp-custom"), false);
}

#[test]
fn esp32s3() {
    chip("esp32s3", None, false);
}

#[test]
fn esp32c2_with_toolchain_override() {
    chip("esp32c2", Some("nightly"), false);
}

#[test]
fn esp32c3() {
    chip("esp32c3", None, false);
}

#[test]
fn esp32c6() {
    chip("esp32c6", None, false);
}

#[test]
fn esp32h2_target_from_sdkconfig_defaults() {
    chip("esp32h2", None, true);
}

#[test]
fn esp32p4() {
    chip("esp32p4", None, false);
}

#[test]
fn unknown_target_names_the_known_chips() {
    let Some(tools) = tools() else { return };
    // esp32c5 is an ESP-IDF v5.5 target the runtime has no mapping for.
    let f = Fixture::new("esp32c3");
    let err = fail(&mut f.configure(&tools, None, Some("esp32c5")));
    assert!(err.contains("espb_runtime") && err.contains("esp32c5"), "{err}");
    for c in CHIPS {
        assert!(err.contains(c), "{c} not named: {err}");
    }
    // A target ESP-IDF itself does not know stops in the stub, as in ESP-IDF.
    let f = Fixture::new("esp32c3");
    let err = fail(&mut f.configure(&tools, None, Some("esp32x9")));
    assert!(err.contains("toolchain-esp32x9.cmake not found"), "{err}");
}

#[test]
fn missing_crate_manifest() {
    let Some(tools) = tools() else { return };
    let f = Fixture::new("esp32c3");
    let nowhere = f.dir.join("nowhere/Cargo.toml");
    let err = fail(f.configure(&tools, None, Some("esp32c3")).env("ESPB_CAPI_MANIFEST", &nowhere));
    assert!(err.contains("espb_runtime: no cargo-espb workspace at"), "{err}");
    assert!(err.contains(&*nowhere.to_string_lossy()) && err.contains("set ESPB_CAPI_MANIFEST"), "{err}");
}

#[test]
fn runtime_component_missing_or_overridden() {
    let Some(tools) = tools() else { return };
    // Without its Rust workspace the component looks for the repository it
    // would be part of, and says what to set.
    let f = Fixture::new("esp32c3");
    let rust = f.project.join("components/espb_runtime/rust");
    std::fs::remove_dir_all(&rust).unwrap_or_else(|e| panic!("{e}"));
    let err = fail(&mut f.configure(&tools, None, Some("esp32c3")));
    assert!(err.contains("no cargo-espb workspace at") && err.contains("set ESPB_CAPI_MANIFEST"), "{err}");
    // ESPB_CAPI_MANIFEST builds from another workspace (a checkout's).
    let manifest = workspace().join("Cargo.toml");
    let log = ok(f.configure(&tools, None, Some("esp32c3")).env("ESPB_CAPI_MANIFEST", &manifest));
    assert!(log.contains("Components: "), "{log}");
    ok(f.build(&tools, None, &["espb_capi_cargo"]).env("ESPB_CAPI_MANIFEST", &manifest));
    let call = cargo_call(&f.log);
    assert!(has_pair(&call.args, "--manifest-path", &manifest.to_string_lossy()), "{:?}", call.args);
    assert_eq!(call.cwd, workspace().to_string_lossy());

    // Without the component, ESP-IDF names what main requires.
    let f = Fixture::new("esp32c3");
    std::fs::remove_dir_all(f.project.join("components/espb_runtime")).unwrap_or_else(|e| panic!("{e}"));
    let err = fail(&mut f.configure(&tools, None, Some("esp32c3")));
    assert!(err.contains("Failed to resolve component 'espb_runtime' required by component 'main'"), "{err}");
}

/// The project's `custom` table: once its component exists, main requires
/// it and main.c puts it in the runtime's table list.
#[test]
fn custom_table_is_registered() {
    let Some(tools) = tools() else { return };
    let f = Fixture::new("esp32c3");
    let log = ok(&mut f.configure(&tools, Some("esp32c3"), Some("esp32c3")));
    assert!(!log.contains("espb_symtab_custom"), "{log}");
    std::fs::write(f.project.join("symbols/custom.espbsym"), "0  pump_set_speed  -\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let o = run(Command::new(env!("CARGO_BIN_EXE_cargo-espb")).current_dir(&f.project).args([
        "symbols",
        "gen",
        "symbols/custom.espbsym",
        "--c",
        "components/espb_symtab_custom",
    ]));
    assert!(o.status.success(), "{}", out(&o));
    std::fs::remove_dir_all(&f.build).unwrap_or_else(|e| panic!("{e}"));
    let log = ok(&mut f.configure(&tools, Some("esp32c3"), Some("esp32c3")));
    let components = log.lines().find_map(|l| l.strip_prefix("-- Components: ")).unwrap_or_default();
    assert!(components.split(' ').any(|c| c == "espb_symtab_custom"), "{log}");
    let link = read(&f.build.join("CMakeFiles/fw.elf.dir/link.txt"));
    assert!(link.contains("-u espb_symtab_custom"), "{link}");
    // main.c takes the table's address (its object references the symbol).
    let nm = which::which("llvm-nm-22").ok();
    if tools.clang.is_none() || !available("llvm-nm-22, to read main.c's object", nm.is_some()) {
        return;
    }
    let nm = nm.unwrap_or_default();
    ok(&mut f.build(&tools, Some("esp32c3"), &["__idf_main"]));
    let syms = ok(Command::new(&nm).arg("-u").arg(f.build.join("esp-idf/main/libmain.a")));
    assert!(syms.contains("espb_symtab_custom") && syms.contains("espb_symtab_idf"), "{syms}");
}

/// The cargo step for real: the component's own Rust workspace builds
/// libespb_capi.a with the real cargo, offline, from a project moved away
/// from where it was written (RISC-V; needs the rustup target).
#[test]
fn real_cargo_builds_the_runtime_offline() {
    let Some(tools) = tools() else { return };
    let target = rust_target("esp32c3");
    let sysroot = run(Command::new("rustc").args(["--print", "sysroot"]));
    let sysroot = String::from_utf8_lossy(&sysroot.stdout).trim().to_string();
    let installed = Path::new(&sysroot).join("lib/rustlib").join(target).is_dir();
    if !available(&format!("the Rust target {target} (rustup target add {target})"), installed) {
        return;
    }
    let f = Fixture::new("esp32c3");
    let moved = f.dir.join("moved");
    std::fs::create_dir_all(&moved).unwrap_or_else(|e| panic!("{e}"));
    let project = moved.join("fw");
    std::fs::rename(&f.project, &project).unwrap_or_else(|e| panic!("{e}"));
    let cmake = |args: &[&str]| {
        let mut c = f.cmake(&tools, None);
        // The real cargo: PATH without the fake one.
        c.env("PATH", std::env::var_os("PATH").unwrap_or_default()).env("CARGO_NET_OFFLINE", "true").args(args);
        c
    };
    let (src, build) = (project.to_string_lossy().into_owned(), f.build.to_string_lossy().into_owned());
    ok(&mut cmake(&["-S", &src, "-B", &build, "-DIDF_TARGET=esp32c3"]));
    ok(&mut cmake(&["--build", &build, "--target", "espb_capi_cargo"]));
    let lib = f.build.join("esp-idf/espb_runtime/cargo").join(target).join("release/libespb_capi.a");
    let bytes = std::fs::read(&lib).unwrap_or_else(|e| panic!("{}: {e}", lib.display()));
    assert!(bytes.starts_with(b"!<arch>\n") && bytes.len() > 10_000, "{} bytes", bytes.len());
}

#[test]
fn stub_refuses_unknown_requirement() {
    let Some(tools) = tools() else { return };
    let f = Fixture::new("esp32c3");
    let main = f.project.join("main/CMakeLists.txt");
    let text = read(&main).replace("PRIV_REQUIRES", "PRIV_REQUIRES no_such_component");
    std::fs::write(&main, text).unwrap_or_else(|e| panic!("{e}"));
    let err = fail(&mut f.configure(&tools, None, Some("esp32c3")));
    assert!(err.contains("Failed to resolve component 'no_such_component' required by component 'main'"), "{err}");
}
