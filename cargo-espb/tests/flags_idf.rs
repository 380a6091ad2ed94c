//! Flags scraped from idf.py builds: `build/compile_commands.json` in the
//! format ESP-IDF v5.x writes, for an ESP32-C3 (`command` strings) and an
//! ESP32 (`arguments` arrays); exact clang argv; modules built end to end.

use cargo_espb::flags::{self, Chip, FlagsError, FlagsOrigin};
use cargo_espb::project::{BuildOptions, Project, build::clang_args, build_project};
use cargo_espb::toolchain::Toolchain;
use std::path::{Path, PathBuf};

/// The shim headers' folder, which goes before newlib's.
fn shims() -> String {
    flags::shims::dir().expect("the shim headers can be written").display().to_string()
}

const SDK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../espb-sys/sdk/include");
const MAIN_C: &str = include_str!("../../templates/module/src/main.c");

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn write(p: &Path, text: &str) {
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
    }
    std::fs::write(p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}

/// A GCC toolchain as idf_tools.py installs it, whose sysroot headers are
/// Debian's newlib (so the fixture's C really compiles).
fn fake_toolchain(root: &Path, triple: &str, gcc: &str) -> PathBuf {
    let tc = root.join("tools").join(triple).join("esp-13.2.0_20240530").join(triple);
    let bin = tc.join("bin");
    write(&bin.join(gcc), "#!/bin/sh\nexit 1\n");
    std::fs::create_dir_all(tc.join(triple)).unwrap_or_else(|e| panic!("{e}"));
    std::os::unix::fs::symlink("/usr/include/newlib", tc.join(triple).join("include"))
        .unwrap_or_else(|e| panic!("{e}"));
    bin.join(gcc)
}

fn sdkconfig_h(target: &str) -> String {
    format!(
        "/*\n * Automatically generated file. DO NOT EDIT.\n * Espressif IoT Development Framework (ESP-IDF) 5.3.1 Configuration Header\n */\n\
         #pragma once\n#define CONFIG_SOC_GPIO_PIN_COUNT 22\n#define CONFIG_IDF_TARGET \"{target}\"\n\
         #define CONFIG_IDF_FIRMWARE_CHIP_ID 0x0005\n#define CONFIG_FREERTOS_HZ 100\n#define CONFIG_LOG_MAXIMUM_LEVEL 3\n"
    )
}

/// An idf.py ESP32-C3 project `fw/` with `build/compile_commands.json`
/// (three components, `command` form). Returns the build directory.
fn idf_c3(tmp: &Path) -> PathBuf {
    let fw = tmp.join("fw");
    let build = fw.join("build");
    let gcc = fake_toolchain(tmp, "riscv32-esp-elf", "riscv32-esp-elf-gcc");
    write(&fw.join("main/main.c"), "void app_main(void) {}\n");
    write(&build.join("config/sdkconfig.h"), &sdkconfig_h("esp32c3"));
    write(
        &build.join("project_description.json"),
        &format!(
            "{{\"version\": \"1.2\", \"project_name\": \"fw\", \"project_path\": \"{}\", \"target\": \"esp32c3\"}}",
            fw.display()
        ),
    );
    let common = format!(
        "{gcc} -DESP_PLATFORM -DIDF_VER=\\\"v5.3.1\\\" -DSOC_MMU_PAGE_SIZE=CONFIG_MMU_PAGE_SIZE \
         -DSOC_XTAL_FREQ_MHZ=CONFIG_XTAL_FREQ -D_GLIBCXX_HAVE_POSIX_SEMAPHORE -D_GLIBCXX_USE_POSIX_SEMAPHORE \
         -D_GNU_SOURCE -D_POSIX_READER_WRITER_LOCKS -I{b}/config -I{sdk} \
         -march=rv32imc_zicsr_zifencei -fdiagnostics-color=always -ffunction-sections -fdata-sections -Wall \
         -Werror=all -Wno-error=unused-function -Wno-error=unused-variable -Wno-error=unused-but-set-variable \
         -Wno-error=deprecated-declarations -Wextra -Wno-unused-parameter -Wno-sign-compare -Wno-enum-conversion \
         -gdwarf-4 -ggdb -nostartfiles -Og -fno-shrink-wrap -fmacro-prefix-map={fw}=. \
         -fmacro-prefix-map=/opt/esp-idf=/IDF -fstrict-volatile-bitfields -fno-jump-tables \
         -fno-tree-switch-conversion -std=gnu17 -Wno-old-style-declaration",
        gcc = gcc.display(),
        b = build.display(),
        sdk = SDK,
        fw = fw.display()
    );
    let entry = |obj: &str, file: &str| {
        serde_json::json!({
            "directory": build,
            "command": format!("{common} -o {obj} -c {file}"),
            "file": file,
            "output": obj,
        })
    };
    let db = serde_json::json!([
        entry(
            "esp-idf/esp_timer/CMakeFiles/__idf_esp_timer.dir/src/esp_timer.c.obj",
            "/opt/esp-idf/components/esp_timer/src/esp_timer.c"
        ),
        entry("esp-idf/main/CMakeFiles/__idf_main.dir/main.c.obj", &format!("{}/main/main.c", fw.display())),
        entry("esp-idf/log/CMakeFiles/__idf_log.dir/log.c.obj", "/opt/esp-idf/components/log/log.c"),
    ]);
    write(&build.join("compile_commands.json"), &serde_json::to_string_pretty(&db).unwrap_or_default());
    build
}

/// An idf.py ESP32 project (Xtensa, `arguments` form, relative include
/// paths as some generators write them).
fn idf_esp32(tmp: &Path) -> PathBuf {
    let fw = tmp.join("fw32");
    let build = fw.join("build");
    let gcc = fake_toolchain(tmp, "xtensa-esp-elf", "xtensa-esp32-elf-gcc");
    write(&fw.join("main/app.c"), "void app_main(void) {}\n");
    write(&build.join("config/sdkconfig.h"), &sdkconfig_h("esp32"));
    let args = |file: &str, obj: &str| -> Vec<String> {
        let mut v = s(&[
            &gcc.display().to_string(),
            "-DESP_PLATFORM",
            "-DIDF_VER=\"v5.2.2\"",
            "-D_GNU_SOURCE",
            "-Iconfig",
            "-I",
            SDK,
        ]);
        v.extend(s(&[
            "-mlongcalls",
            "-Wno-frame-address",
            "-fno-builtin-memcpy",
            "-fno-builtin-memset",
            "-fno-builtin-bzero",
            "-fno-builtin-stpcpy",
            "-fno-builtin-strncpy",
            "-ffunction-sections",
            "-fdata-sections",
            "-Wall",
            "-Werror=all",
            "-Wno-error=unused-function",
            "-Wextra",
            "-Wno-unused-parameter",
            "-Wno-sign-compare",
            "-gdwarf-4",
            "-ggdb",
            "-Os",
            "-freorder-blocks",
            "-fstrict-volatile-bitfields",
            "-fno-jump-tables",
            "-fno-tree-switch-conversion",
            "-mtext-section-literals",
            "-mfix-esp32-psram-cache-issue",
            "-mfix-esp32-psram-cache-strategy=memw",
            "-specs=nano.specs",
            "-std=gnu17",
            "-Wno-old-style-declaration",
            "-MD",
            "-MT",
            obj,
            "-MF",
            &format!("{obj}.d"),
            "-o",
            obj,
            "-c",
            file,
        ]));
        v
    };
    let db = serde_json::json!([
        { "directory": build, "arguments": args("/opt/esp-idf/components/log/log.c", "log.c.obj"), "file": "/opt/esp-idf/components/log/log.c" },
        { "directory": build, "arguments": args("../main/app.c", "esp-idf/main/CMakeFiles/__idf_main.dir/app.c.obj"), "file": "../main/app.c" },
    ]);
    write(&build.join("compile_commands.json"), &serde_json::to_string_pretty(&db).unwrap_or_default());
    build
}

fn module_project(tmp: &Path, name: &str, chip: Option<&str>, firmware: &str) -> Project {
    let root = tmp.join(name);
    let chip = chip.map(|c| format!("chip = \"{c}\"\n")).unwrap_or_default();
    write(&root.join("espb.toml"), &format!("[package]\nname = \"{name}\"\n{chip}\n[firmware]\n{firmware}\n"));
    write(&root.join("src/main.c"), MAIN_C);
    Project::load(&root).unwrap_or_else(|e| panic!("{e}"))
}

fn debian_clang() -> Toolchain {
    Toolchain {
        clang: PathBuf::from("/usr/bin/clang-22"),
        version: (22, 1, 8),
        version_line: "Debian clang version 22.1.8".into(),
        esp_clang: false,
        found_by: "test",
    }
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn esp32c3_command_form_exact_argv() {
    let t = tmp();
    let build = idf_c3(t.path());
    let p = module_project(t.path(), "m", Some("esp32c3"), "build = \"../fw/build\"");
    let ff = flags::firmware_flags(&p.flags_source()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ff.chip, Chip::Esp32c3);
    let fw = t.path().join("fw");
    match &ff.origin {
        FlagsOrigin::Firmware { source, .. } => assert_eq!(source, &fw.join("main/main.c")),
        o => panic!("{o:?}"),
    }
    let newlib = t.path().join("tools/riscv32-esp-elf/esp-13.2.0_20240530/riscv32-esp-elf/riscv32-esp-elf/include");
    let root = std::fs::canonicalize(t.path().join("m")).unwrap_or_else(|e| panic!("{e}"));
    let expected = vec![
        "--target=riscv32-esp-elf".to_string(),
        "-march=rv32imc_zicsr_zifencei".into(),
        "-mabi=ilp32".into(),
        "-DESP_PLATFORM".into(),
        "-DIDF_VER=\"v5.3.1\"".into(),
        "-DSOC_MMU_PAGE_SIZE=CONFIG_MMU_PAGE_SIZE".into(),
        "-DSOC_XTAL_FREQ_MHZ=CONFIG_XTAL_FREQ".into(),
        "-D_GLIBCXX_HAVE_POSIX_SEMAPHORE".into(),
        "-D_GLIBCXX_USE_POSIX_SEMAPHORE".into(),
        "-D_GNU_SOURCE".into(),
        "-D_POSIX_READER_WRITER_LOCKS".into(),
        format!("-I{}/config", build.display()),
        format!("-I{SDK}"),
        "-ffunction-sections".into(),
        "-fdata-sections".into(),
        "-Wall".into(),
        "-Wextra".into(),
        "-Wno-unused-parameter".into(),
        "-Wno-sign-compare".into(),
        "-Wno-enum-conversion".into(),
        "-gdwarf-4".into(),
        "-ggdb".into(),
        "-O1".into(),
        format!("-fmacro-prefix-map={}=.", fw.display()),
        "-fmacro-prefix-map=/opt/esp-idf=/IDF".into(),
        "-fno-jump-tables".into(),
        "-std=gnu17".into(),
        "-isystem".into(),
        shims(),
        "-isystem".into(),
        newlib.display().to_string(),
        format!("-ffile-prefix-map={}=.", root.display()),
        "-DEXTRA=1".into(),
    ];
    assert_eq!(clang_args(&p, &debian_clang(), &ff, &s(&["-DEXTRA=1"])), expected);
    let dropped: Vec<&str> = ff.dropped.iter().map(|d| d.flag.as_str()).collect();
    for f in [
        "-Werror=all",
        "-fno-shrink-wrap",
        "-fstrict-volatile-bitfields",
        "-fno-tree-switch-conversion",
        "-nostartfiles",
        "-Wno-old-style-declaration",
        "-c",
        "-o esp-idf/main/CMakeFiles/__idf_main.dir/main.c.obj",
    ] {
        assert!(dropped.contains(&f), "{f} not dropped: {dropped:?}");
    }
}

#[test]
fn esp32_arguments_form_exact_argv_and_fallback_target() {
    let t = tmp();
    let build = idf_esp32(t.path());
    // No chip in espb.toml: taken from the firmware's sdkconfig.h.
    let p = module_project(t.path(), "m32", None, "build = \"../fw32/build\"");
    let ff = flags::firmware_flags(&p.flags_source()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(ff.chip, Chip::Esp32);
    let newlib = t.path().join("tools/xtensa-esp-elf/esp-13.2.0_20240530/xtensa-esp-elf/xtensa-esp-elf/include");
    let root = std::fs::canonicalize(t.path().join("m32")).unwrap_or_else(|e| panic!("{e}"));
    let mut expected = s(&[
        "--target=xtensa",
        "-Xclang",
        "-nostdsysteminc",
        "-DESP_PLATFORM",
        "-DIDF_VER=\"v5.2.2\"",
        "-D_GNU_SOURCE",
    ]);
    expected.push(format!("-I{}/config", build.display()));
    expected.extend(s(&["-I", SDK]));
    expected.extend(s(&[
        "-Wno-frame-address",
        "-fno-builtin-memcpy",
        "-fno-builtin-memset",
        "-fno-builtin-bzero",
        "-fno-builtin-stpcpy",
        "-fno-builtin-strncpy",
        "-ffunction-sections",
        "-fdata-sections",
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter",
        "-Wno-sign-compare",
        "-gdwarf-4",
        "-ggdb",
        "-Os",
        "-fno-jump-tables",
        "-std=gnu17",
        "-isystem",
    ]));
    expected.extend([shims(), "-isystem".into(), newlib.display().to_string()]);
    expected.push(format!("-ffile-prefix-map={}=.", root.display()));
    assert_eq!(clang_args(&p, &debian_clang(), &ff, &[]), expected);
    // esp-clang gets the exact CPU.
    let esp = Toolchain { esp_clang: true, ..debian_clang() };
    assert_eq!(clang_args(&p, &esp, &ff, &[])[..2], s(&["--target=xtensa-esp-elf", "-mcpu=esp32"]));
}

#[test]
fn chip_mismatch_is_refused() {
    let t = tmp();
    idf_c3(t.path());
    let p = module_project(t.path(), "m", Some("esp32s3"), "build = \"../fw/build\"");
    let e = flags::firmware_flags(&p.flags_source()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("esp32s3") && e.contains("esp32c3") && e.contains("[package] chip"), "{e}");
}

#[test]
fn missing_compile_commands_says_run_idf_py_build() {
    let t = tmp();
    std::fs::create_dir_all(t.path().join("fw/build")).unwrap_or_else(|e| panic!("{e}"));
    let p = module_project(t.path(), "m", Some("esp32c3"), "build = \"../fw/build\"");
    let e = flags::firmware_flags(&p.flags_source()).err();
    assert!(matches!(e, Some(FlagsError::NoCompileCommands { .. })), "{e:?}");
    let msg = e.map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("idf.py build") && msg.contains("fw/build"), "{msg}");
    let p = module_project(t.path(), "m2", Some("esp32c3"), "build = \"../nowhere/build\"");
    let msg = flags::firmware_flags(&p.flags_source()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("does not exist") && msg.contains("idf.py build"), "{msg}");
}

#[test]
fn malformed_compile_commands_names_the_file() {
    let t = tmp();
    write(&t.path().join("fw/build/compile_commands.json"), "[{\"directory\": 1}");
    let p = module_project(t.path(), "m", Some("esp32c3"), "build = \"../fw/build\"");
    let msg = flags::firmware_flags(&p.flags_source()).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(msg.contains("compile_commands.json is not valid"), "{msg}");
}

fn check_no_abs_paths(module: &Path, tmp: &Path) {
    let bytes = std::fs::read(module).unwrap_or_else(|e| panic!("{e}"));
    let needle = tmp.to_string_lossy().into_owned();
    assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "{} leaks {needle}", module.display());
    let m = espb_runtime::format::decode(&bytes).unwrap_or_else(|e| panic!("{e}"));
    let files = m.debug_lines.map(|d| d.files).unwrap_or_default();
    assert!(!files.is_empty());
    assert!(files.iter().all(|f| !f.contains('/')), "{files:?}");
}

#[test]
fn builds_modules_against_both_firmware_builds() {
    let t = tmp();
    idf_c3(t.path());
    idf_esp32(t.path());
    for (name, fw) in [("c3mod", "../fw/build"), ("xmod", "../fw32/build")] {
        let p = module_project(t.path(), name, None, &format!("build = \"{fw}\""));
        let r = build_project(&p, &BuildOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(r.output, p.root.join(format!("build/{name}.espb")));
        assert!(r.functions >= 4, "{name}: {} functions", r.functions);
        check_no_abs_paths(&r.output, t.path());
        // The editor database follows the firmware flags.
        let db = std::fs::read_to_string(p.root.join("compile_commands.json")).unwrap_or_default();
        assert!(db.contains("-DESP_PLATFORM"), "{db}");
    }
}
