//! `cargo espb new` (module, --firmware idf, --firmware rust) and the
//! project build: generated projects build, incrementally; refusals.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn espb(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-espb"))
        .current_dir(dir)
        .args(args)
        .env_remove("ESPB_CLANG")
        .env_remove("ESPB_CARGO_MESSAGES")
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn ok(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "failed: {err}");
    err
}

fn fail(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!o.status.success(), "unexpected success: {err}");
    err
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn module_project_builds_and_is_incremental() {
    let t = tmp();
    ok(&espb(t.path(), &["new", "blinky", "--chip", "esp32c6"]));
    let root = t.path().join("blinky");
    for f in ["espb.toml", "src/main.c", "blinky.hints", ".gitignore", ".clangd", "compile_commands.json"] {
        assert!(root.join(f).is_file(), "{f} missing");
    }
    assert!(root.join(".espb/sdk/include/freertos/FreeRTOS.h").is_file());
    let toml = read(&root.join("espb.toml"));
    assert!(toml.contains("name = \"blinky\"") && toml.contains("chip = \"esp32c6\""), "{toml}");
    let db: serde_json::Value = serde_json::from_str(&read(&root.join("compile_commands.json"))).unwrap_or_default();
    let argv = db[0]["arguments"].to_string();
    assert!(argv.contains("rv32imac_zicsr_zifencei") && argv.contains(".espb/sdk/include"), "{argv}");

    let err = ok(&espb(&root, &["build"]));
    assert!(err.contains("Compiling src/main.c"), "{err}");
    let module = root.join("build/blinky.espb");
    let first = std::fs::read(&module).unwrap_or_default();
    assert!(!first.is_empty());
    // Unchanged: nothing recompiled, same module.
    let err = ok(&espb(&root, &["build"]));
    assert!(err.contains("Fresh src/main.c") && !err.contains("Compiling"), "{err}");
    assert_eq!(std::fs::read(&module).unwrap_or_default(), first);
    // A build from a subdirectory finds espb.toml.
    ok(&espb(&root.join("src"), &["build"]));
    // A changed header recompiles (the depfile lists it).
    let h = root.join(".espb/sdk/include/esp_timer.h");
    let mut text = read(&h);
    text.push_str("\n/* touched */\n");
    std::fs::write(&h, text).unwrap_or_else(|e| panic!("{e}"));
    let err = ok(&espb(&root, &["build"]));
    assert!(err.contains("Compiling src/main.c"), "{err}");
    // Changed flags recompile too; a second source is compiled alongside.
    std::fs::write(root.join("src/util.c"), "int util_twice(int x) { return 2 * x; }\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let err = ok(&espb(&root, &["build", "--", "-DEXTRA=1"]));
    assert!(err.contains("Compiling src/main.c") && err.contains("Compiling src/util.c"), "{err}");
    let err = ok(&espb(&root, &["build", "--", "-DEXTRA=1"]));
    assert!(err.contains("Fresh src/util.c"), "{err}");
    // The module contains no absolute path of the project.
    let bytes = std::fs::read(&module).unwrap_or_default();
    let needle = t.path().to_string_lossy().into_owned();
    assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()));
    // --verbose prints each clang command.
    std::fs::write(root.join("src/util.c"), "int util_twice(int x) { return x + x; }\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let err = ok(&espb(&root, &["build", "--verbose", "-o", "out.espb"]));
    assert!(err.contains("Running") && err.contains("-emit-llvm") && err.contains("src/util.c"), "{err}");
    assert!(root.join("out.espb").is_file());
}

#[test]
fn xtensa_module_project_builds_with_fallback_target() {
    let t = tmp();
    ok(&espb(t.path(), &["new", "xt", "--chip", "esp32s3"]));
    let err = ok(&espb(&t.path().join("xt"), &["build", "--verbose"]));
    assert!(err.contains("--target=xtensa") && err.contains("is not esp-clang"), "{err}");
}

#[test]
fn refusals() {
    let t = tmp();
    ok(&espb(t.path(), &["new", "one"]));
    let before = read(&t.path().join("one/espb.toml"));
    let err = fail(&espb(t.path(), &["new", "one"]));
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(read(&t.path().join("one/espb.toml")), before);
    for (name, why) in
        [("9lives", "start with"), ("my app", "not allowed"), ("a/b", "not allowed"), ("test", "reserved")]
    {
        let err = fail(&espb(t.path(), &["new", name]));
        assert!(err.contains("invalid project name") && err.contains(why), "{name}: {err}");
        assert!(!t.path().join(name).exists());
    }
    let err = fail(&espb(t.path(), &["new", "x", "--chip", "esp8266"]));
    assert!(err.contains("unknown chip `esp8266`") && err.contains("esp32c3"), "{err}");
    // No files and no espb.toml.
    let err = fail(&espb(t.path(), &["build"]));
    assert!(err.contains("no espb.toml") && err.contains("cargo espb new"), "{err}");
    // A broken espb.toml names the file.
    std::fs::write(t.path().join("one/espb.toml"), "[package]\nchip = \"esp32\"\n").unwrap_or_else(|e| panic!("{e}"));
    let err = fail(&espb(&t.path().join("one"), &["build"]));
    assert!(err.contains("espb.toml is not a valid espb.toml") && err.contains("name"), "{err}");
}

#[test]
fn clang_too_new_is_refused() {
    let t = tmp();
    ok(&espb(t.path(), &["new", "m"]));
    let fake = t.path().join("clang-23");
    std::fs::write(&fake, "#!/bin/sh\necho 'clang version 23.0.0 (https://github.com/llvm/llvm-project)'\necho 'Target: x86_64-unknown-linux-gnu'\n")
        .unwrap_or_else(|e| panic!("{e}"));
    Command::new("chmod").arg("+x").arg(&fake).status().unwrap_or_else(|e| panic!("{e}"));
    let o = Command::new(env!("CARGO_BIN_EXE_cargo-espb"))
        .current_dir(t.path().join("m"))
        .arg("build")
        .env("ESPB_CLANG", &fake)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = fail(&o).replace(['│', '\n'], " ");
    let err = err.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        err.contains("clang 23") && err.contains("newer than this cargo-espb's LLVM 22") && err.contains("<= 22"),
        "{err}"
    );
    // The same through espb.toml's `[build] clang`.
    let toml =
        read(&t.path().join("m/espb.toml")).replace("[build]\n", &format!("[build]\nclang = \"{}\"\n", fake.display()));
    std::fs::write(t.path().join("m/espb.toml"), toml).unwrap_or_else(|e| panic!("{e}"));
    let err = fail(&espb(&t.path().join("m"), &["build"]));
    assert!(err.contains("clang 23"), "{err}");
}

fn check_partitions(csv: &Path) {
    let text = read(csv);
    let table = esp_idf_part::PartitionTable::try_from(text.as_bytes().to_vec()).unwrap_or_else(|e| panic!("{e:?}"));
    let espb = table.find("espb").unwrap_or_else(|| panic!("no espb partition"));
    assert_eq!(espb.ty(), esp_idf_part::Type::Data);
    assert_eq!(espb.subtype(), esp_idf_part::SubType::Data(esp_idf_part::DataType::Undefined));
    assert_eq!(espb.size(), 256 * 1024);
}

#[test]
fn idf_firmware_project() {
    let t = tmp();
    ok(&espb(t.path(), &["new", "pump", "--firmware", "idf", "--chip", "esp32s3"]));
    let root = t.path().join("pump");
    check_partitions(&root.join("partitions.csv"));
    assert!(read(&root.join("CMakeLists.txt")).contains("project(pump)"));
    assert!(read(&root.join("sdkconfig.defaults")).contains("CONFIG_IDF_TARGET=\"esp32s3\""));
    let main = read(&root.join("main/main.c"));
    assert!(main.contains("esp_partition_find_first") && main.contains("\"espb\"") && !main.contains("{{"), "{main}");
    // The chip's memory windows, from ESP-IDF's own soc.h, go to the runtime.
    assert!(main.contains("#include \"soc/soc.h\"") && main.contains("{ SOC_DROM_LOW, SOC_DROM_HIGH },"), "{main}");
    assert!(main.contains("espb_run_with(") && main.contains("windows,"), "{main}");
    assert!(read(&root.join("main/CMakeLists.txt")).contains("espb_symtab_idf"));
    // The generated symbol-table component.
    for f in ["espb_symtab_idf.c", "espb_symtab_idf.h", "CMakeLists.txt", "Kconfig"] {
        assert!(root.join("components/espb_symtab_idf").join(f).is_file(), "{f}");
    }
    // The module project's flash helper reads the same partition label.
    assert!(!root.join("espb.toml").exists());
}

#[test]
fn rust_firmware_project() {
    let t = tmp();
    ok(&espb(t.path(), &["new", "rfw", "--firmware", "rust", "--chip", "esp32c3"]));
    let root = t.path().join("rfw");
    check_partitions(&root.join("partitions.csv"));
    let manifest: toml::Table = toml::from_str(&read(&root.join("Cargo.toml"))).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(manifest["package"]["name"].as_str(), Some("rfw"));
    assert!(manifest["build-dependencies"].get("espb-sys").is_some());
    let cfg: toml::Table = toml::from_str(&read(&root.join(".cargo/config.toml"))).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cfg["build"]["target"].as_str(), Some("riscv32imc-esp-espidf"));
    let tc: toml::Table = toml::from_str(&read(&root.join("rust-toolchain.toml"))).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(tc["toolchain"]["channel"].as_str(), Some("nightly"));
    for f in ["src/main.rs", "build.rs", "sdkconfig.defaults", ".gitignore"] {
        let text = read(&root.join(f));
        assert!(!text.contains("{{"), "{f} has an unexpanded placeholder");
    }
    let main = read(&root.join("src/main.rs"));
    assert!(main.contains("const CHIP: Chip = Chip::Esp32c3;") && main.contains("CHIP.firmware_windows()"), "{main}");
    assert!(main.contains("runner::run_module(module, tables, windows, \"app_main\")"), "{main}");
    check_build_rs_compiles(&root.join("build.rs"), &main, t.path());
}

/// Runs the template's build.rs as the build script of a dummy crate that
/// depends on this workspace's espb-sys (and a stub `embuild`), with the
/// include arguments esp-idf-svc relays from esp-idf-sys (whose `config`
/// directory holds the sdkconfig.h) in the environment; the crate compiles
/// the generated table and the part of the template's main.rs that runs the
/// module (`fn run_module` on: everything but the ESP-IDF calls).
fn check_build_rs_compiles(build_rs: &Path, main_rs: &str, tmp: &Path) {
    let espb_sys = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../espb-sys"));
    let espb_runtime = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../espb-runtime"));
    let dummy = tmp.join("dummy");
    let stub = tmp.join("embuild-stub");
    let w = |p: PathBuf, s: &str| {
        std::fs::create_dir_all(p.parent().unwrap_or(Path::new("."))).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(p, s).unwrap_or_else(|e| panic!("{e}"));
    };
    w(stub.join("Cargo.toml"), "[package]\nname = \"embuild\"\nversion = \"0.33.0\"\nedition = \"2021\"\n");
    w(stub.join("src/lib.rs"), "pub mod espidf { pub mod sysenv { pub fn output() {} } }\n");
    w(
        dummy.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"dummy\"\nversion = \"0.1.0\"\nedition = \"2021\"\nbuild = \"build.rs\"\n[workspace]\n\
             [dependencies]\nespb-runtime = {{ path = \"{}\" }}\n\
             [build-dependencies]\nembuild = {{ path = \"{}\" }}\nespb-sys = {{ path = \"{}\" }}\n",
            espb_runtime.display(),
            stub.display(),
            espb_sys.display()
        ),
    );
    w(dummy.join("build.rs"), &read(build_rs));
    // The workspace's lock file: espb-runtime's dependencies, offline.
    w(dummy.join("Cargo.lock"), &read(&PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"))));
    let run_module = main_rs.find("fn run_module").map(|i| &main_rs[i..]).unwrap_or_else(|| panic!("{main_rs}"));
    w(
        dummy.join("src/lib.rs"),
        &format!(
            "include!(concat!(env!(\"OUT_DIR\"), \"/espb_symtab_idf.rs\"));\n\
             use espb_runtime::chip::Chip;\nuse espb_runtime::runner::{{self, Outcome}};\n\
             use espb_runtime::symtab::{{Registry, SymbolTable}};\nconst CHIP: Chip = Chip::Esp32c3;\n\
             pub {run_module}\n\
             pub fn hz() -> u32 {{ espb_symtab_idf::CFG_FREERTOS_HZ }}\n"
        ),
    );
    // esp-idf-sys's build directory, as far as the table needs it.
    let config = tmp.join("esp-idf-sys-out/build/config");
    w(
        config.join("sdkconfig.h"),
        "/*\n * Automatically generated file. DO NOT EDIT.\n * Espressif IoT Development Framework (ESP-IDF) \
         5.3.1 Configuration Header\n */\n#pragma once\n#define CONFIG_IDF_TARGET \"esp32c3\"\n\
         #define CONFIG_FREERTOS_HZ 100\n#define CONFIG_SOC_GPIO_SUPPORTED 1\n#define CONFIG_SOC_LEDC_SUPPORTED 1\n",
    );
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target-project/buildrs-check");
    let o = Command::new(env!("CARGO"))
        .current_dir(&dummy)
        .args(["check", "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", &target)
        // embuild's format (CInclArgs from esp-idf-sys's CMake File API reply).
        .env(
            "DEP_ESP_IDF_SVC_EMBUILD_C_INCLUDE_ARGS",
            format!("-DESP_PLATFORM \"-isystem/nonexistent/include\" \"-isystem{}\"", config.display()),
        )
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(o.status.success(), "template build.rs failed:\n{}", String::from_utf8_lossy(&o.stderr));
}
