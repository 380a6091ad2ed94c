//! Flags of an esp-idf-sys firmware: OUT_DIR from cargo's JSON messages
//! (a message log through ESPB_CARGO_MESSAGES, and a fake `cargo` through
//! CARGO), then CMake File API replies, or compile_commands.json.

use cargo_espb::flags::{cargo_build, cmake_file_api};
use std::path::{Path, PathBuf};
use std::process::Command;

const SDK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../espb-sys/sdk/include");
const MAIN_C: &str = include_str!("../../templates/module/src/main.c");

fn write(p: &Path, text: &str) {
    if let Some(d) = p.parent() {
        std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
    }
    std::fs::write(p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}

fn messages(out_dir: &Path) -> String {
    let lines = [
        serde_json::json!({"reason":"build-script-executed","package_id":"registry+https://github.com/rust-lang/crates.io-index#libc@0.2.172","linked_libs":[],"linked_paths":[],"cfgs":["freebsd11"],"env":[],"out_dir":"/nowhere/libc-1/out"}),
        serde_json::json!({"reason":"build-script-executed","package_id":"registry+https://github.com/rust-lang/crates.io-index#esp-idf-sys@0.36.1","linked_libs":["espidf"],"linked_paths":[format!("native={}", out_dir.display())],"cfgs":["esp_idf_soc_gpio_supported","esp32c6"],"env":[],"out_dir": out_dir}),
        serde_json::json!({"reason":"build-finished","success":true}),
    ];
    let mut s = String::from("   Compiling esp-idf-sys v0.36.1\n");
    for l in lines {
        s.push_str(&l.to_string());
        s.push('\n');
    }
    s
}

/// esp-idf-sys's OUT_DIR with a CMake File API reply for an ESP32-C6.
fn out_dir_with_file_api(tmp: &Path) -> PathBuf {
    let out = tmp.join("target/riscv32imac-esp-espidf/debug/build/esp-idf-sys-0123abcd/out");
    let build = out.join("build");
    let reply = build.join(".cmake/api/v1/reply");
    write(
        &build.join("config/sdkconfig.h"),
        "#define CONFIG_IDF_TARGET \"esp32c6\"\n#define CONFIG_IDF_TARGET_ESP32C6 1\n",
    );
    write(
        &reply.join("index-2025-01-01T10-00-00-0000.json"),
        &serde_json::json!({"cmake":{"version":{"string":"3.30.2"}},"objects":[
            {"kind":"codemodel","version":{"major":2,"minor":7},"jsonFile":"codemodel-v2-1111.json"},
            {"kind":"toolchains","version":{"major":1,"minor":0},"jsonFile":"toolchains-v1-2222.json"}],
            "reply":{}})
        .to_string(),
    );
    // An older index pointing nowhere: the newest must win.
    write(&reply.join("index-2024-01-01T10-00-00-0000.json"), "{\"objects\": []}");
    write(
        &reply.join("codemodel-v2-1111.json"),
        &serde_json::json!({"kind":"codemodel","version":{"major":2,"minor":7},
            "paths":{"source": out, "build": build},
            "configurations":[{"name":"","targets":[
                {"name":"__idf_log","id":"__idf_log::@1","directoryIndex":1,"projectIndex":0,"jsonFile":"target-__idf_log-3333.json"},
                {"name":"libespidf.elf","id":"libespidf.elf::@2","directoryIndex":0,"projectIndex":0,"jsonFile":"target-libespidf.elf-4444.json"}]}]})
        .to_string(),
    );
    write(&reply.join("target-__idf_log-3333.json"), &serde_json::json!({"name":"__idf_log","type":"STATIC_LIBRARY","paths":{"source":"/opt/esp-idf/components/log","build":"esp-idf/log"},"sources":[],"compileGroups":[]}).to_string());
    write(
        &reply.join("target-libespidf.elf-4444.json"),
        &serde_json::json!({"name":"libespidf.elf","type":"EXECUTABLE","paths":{"source":".","build":"."},
            "sources":[{"path":"main.c","compileGroupIndex":0}],
            "compileGroups":[{"language":"C","sourceIndexes":[0],
                "compileCommandFragments":[
                    {"fragment":"-march=rv32imac_zicsr_zifencei -fdiagnostics-color=always -ffunction-sections -fdata-sections -Wall -Werror=all -Wno-error=unused-function -Wextra -Wno-unused-parameter -gdwarf-4 -ggdb -Os -fno-shrink-wrap -fstrict-volatile-bitfields -fno-jump-tables -fno-tree-switch-conversion"},
                    {"fragment":"-std=gnu17 -Wno-old-style-declaration"}],
                "includes":[{"path": build.join("config")},{"path": SDK, "isSystem": true}],
                "defines":[{"define":"ESP_PLATFORM"},{"define":"IDF_VER=\"v5.3.3\""},{"define":"_GNU_SOURCE"}]}]})
        .to_string(),
    );
    write(
        &reply.join("toolchains-v1-2222.json"),
        &serde_json::json!({"kind":"toolchains","toolchains":[{"language":"C","compiler":{"path":"/nonexistent/riscv32-esp-elf/bin/riscv32-esp-elf-gcc","id":"GNU","version":"13.2.0"}}]}).to_string(),
    );
    out
}

#[test]
fn out_dir_from_cargo_messages() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = t.path().join("o");
    let got = cargo_build::out_dir_from_messages(std::io::Cursor::new(messages(&out)));
    assert_eq!(got, Some(out));
    assert_eq!(
        cargo_build::out_dir_from_messages(std::io::Cursor::new("{\"reason\":\"build-finished\",\"success\":false}\n")),
        None
    );
}

#[test]
fn file_api_reply_exact_args() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = out_dir_with_file_api(t.path());
    let build = out.join("build");
    let s = cmake_file_api::scrape(&build).unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("no reply"));
    assert_eq!(s.compiler.as_deref(), Some("/nonexistent/riscv32-esp-elf/bin/riscv32-esp-elf-gcc"));
    assert_eq!(s.source, out.join("main.c"));
    let mut expected = vec![
        "-DESP_PLATFORM".to_string(),
        "-DIDF_VER=\"v5.3.3\"".into(),
        "-D_GNU_SOURCE".into(),
        format!("-I{}", build.join("config").display()),
        "-isystem".into(),
        SDK.into(),
    ];
    expected.extend(
        "-march=rv32imac_zicsr_zifencei -fdiagnostics-color=always -ffunction-sections -fdata-sections -Wall -Werror=all -Wno-error=unused-function -Wextra -Wno-unused-parameter -gdwarf-4 -ggdb -Os -fno-shrink-wrap -fstrict-volatile-bitfields -fno-jump-tables -fno-tree-switch-conversion -std=gnu17 -Wno-old-style-declaration"
            .split(' ')
            .map(String::from),
    );
    assert_eq!(s.args, expected);
    assert_eq!(cmake_file_api::scrape(&t.path().join("none")).ok().flatten(), None);
}

fn module_project(tmp: &Path, firmware: &str) -> PathBuf {
    let root = tmp.join("mod");
    write(
        &root.join("espb.toml"),
        &format!("[package]\nname = \"cmod\"\nchip = \"esp32c6\"\n[firmware]\n{firmware}\n"),
    );
    write(&root.join("src/main.c"), MAIN_C);
    root
}

fn espb(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cargo-espb"));
    c.current_dir(dir).env_remove("ESPB_CARGO_MESSAGES").env_remove("ESPB_CLANG");
    c
}

#[test]
fn builds_against_esp_idf_sys_out_dir_from_message_log() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = out_dir_with_file_api(t.path());
    let log = t.path().join("cargo-messages.json");
    write(&log, &messages(&out));
    std::fs::create_dir_all(t.path().join("firmware")).unwrap_or_else(|e| panic!("{e}"));
    let root = module_project(t.path(), "cargo = \"../firmware\"");
    let o = espb(&root)
        .args(["build", "--verbose"])
        .env("ESPB_CARGO_MESSAGES", &log)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("target-libespidf.elf-4444.json"), "{err}");
    assert!(err.contains("-march=rv32imac_zicsr_zifencei"), "{err}");
    assert!(err.contains("Dropped -fno-shrink-wrap"), "{err}");
    assert!(root.join("build/cmod.espb").is_file());
}

#[test]
fn fake_cargo_and_compile_commands_fallback() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = t.path().join("out");
    let build = out.join("build");
    write(&build.join("config/sdkconfig.h"), "#define CONFIG_IDF_TARGET \"esp32c6\"\n");
    let db = serde_json::json!([{ "directory": build, "file": "main.c",
        "command": format!("/x/riscv32-esp-elf-gcc -DESP_PLATFORM -I{}/config -I{SDK} -march=rv32imac_zicsr_zifencei -Os -o main.c.obj -c main.c", build.display()) }]);
    write(&build.join("compile_commands.json"), &db.to_string());
    let fw = t.path().join("firmware");
    write(&fw.join("Cargo.toml"), "[package]\nname = \"fw\"\nversion = \"0.1.0\"\n");
    let msgs = t.path().join("msgs.json");
    write(&msgs, &messages(&out));
    let fake = t.path().join("fake-cargo");
    write(&fake, &format!("#!/bin/sh\necho \"$@\" > {}\ncat {}\n", t.path().join("args").display(), msgs.display()));
    Command::new("chmod").arg("+x").arg(&fake).status().unwrap_or_else(|e| panic!("{e}"));
    let root = module_project(t.path(), "cargo = \"../firmware\"\ncargo-args = [\"--release\"]");
    let o = espb(&root).arg("build").env("CARGO", &fake).output().unwrap_or_else(|e| panic!("{e}"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let args = std::fs::read_to_string(t.path().join("args")).unwrap_or_default();
    assert_eq!(args.trim(), "build --message-format=json --release");

    // A firmware without esp-idf-sys: a clear error.
    write(&msgs, "{\"reason\":\"build-finished\",\"success\":true}\n");
    let o = espb(&root).arg("build").env("CARGO", &fake).output().unwrap_or_else(|e| panic!("{e}"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("esp-idf-sys"), "{err}");
}
