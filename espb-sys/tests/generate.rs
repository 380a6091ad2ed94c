//! Generated C (clang-22, riscv32) and Rust (rustc) compile, and reference
//! exactly the functions the configuration enables — the same set from the
//! C preprocessor, from generation-time resolution and from `#[cfg]`.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use espb_sys::{Manifest, Sdkconfig, TableBuilder, standard_idf_manifest};

/// (name, sdkconfig.h body, idf version, rustc cfgs)
struct Config {
    name: &'static str,
    defines: &'static [&'static str],
    version: (u32, u32),
}

const CONFIGS: &[Config] = &[
    Config {
        name: "c3-v52",
        defines: &[
            "CONFIG_SOC_LEDC_SUPPORTED",
            "CONFIG_SOC_GPSPI_SUPPORTED",
            "CONFIG_SOC_WIFI_SUPPORTED",
            "CONFIG_ESPB_IDF_NVS",
            "CONFIG_ESPB_IDF_I2C_MASTER",
            "CONFIG_FREERTOS_USE_TRACE_FACILITY",
        ],
        version: (5, 2),
    },
    Config {
        name: "wifi-v51",
        defines: &[
            "CONFIG_SOC_GPSPI_SUPPORTED",
            "CONFIG_SOC_WIFI_SUPPORTED",
            "CONFIG_ESPB_IDF_WIFI",
            "CONFIG_ESPB_IDF_I2C_LEGACY",
            "CONFIG_FREERTOS_USE_TRACE_FACILITY",
            "CONFIG_FREERTOS_USE_STATS_FORMATTING_FUNCTIONS",
        ],
        version: (5, 1),
    },
];

fn sdkconfig_h(c: &Config) -> String {
    let mut s = format!(
        "/*\n * Automatically generated file. DO NOT EDIT.\n * Espressif IoT Development \
         Framework (ESP-IDF) {}.{}.0 Configuration Header\n */\n#pragma once\n\
         #define CONFIG_IDF_TARGET \"esp32c3\"\n#define CONFIG_FREERTOS_HZ 100\n",
        c.version.0, c.version.1
    );
    for d in c.defines {
        s.push_str(&format!("#define {d} 1\n"));
    }
    s
}

/// Stand-in headers: every header the manifest names declares its entries.
fn write_fake_headers(m: &Manifest, dir: &Path, c: &Config) {
    let mut files: std::collections::BTreeMap<String, String> = Default::default();
    for e in m.live() {
        if let Some(h) = &e.header {
            files
                .entry(h.clone())
                .or_insert_with(|| "#pragma once\n".to_string())
                .push_str(&format!("void {}(void);\n", e.native));
        }
    }
    files.insert("freertos/FreeRTOS.h".into(), "#pragma once\n".into());
    files.insert(
        "esp_idf_version.h".into(),
        format!(
            "#pragma once\n#define ESP_IDF_VERSION_VAL(major, minor, patch) \
             ((major << 16) | (minor << 8) | (patch))\n\
             #define ESP_IDF_VERSION ESP_IDF_VERSION_VAL({}, {}, 0)\n",
            c.version.0, c.version.1
        ),
    );
    files.insert("sdkconfig.h".into(), sdkconfig_h(c));
    for (h, body) in files {
        let p = dir.join(&h);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, body).unwrap();
    }
}

fn expected(m: &Manifest, cfg_file: &Path) -> BTreeSet<String> {
    let filled = TableBuilder::new(m.name()).manifest_parsed(m.clone()).sdkconfig(cfg_file).resolve(m).unwrap();
    // Configuration values are defined by the table itself, not linked.
    m.live()
        .filter(|e| filled[e.index as usize] && espb_sys::gen_c::config_option(&e.name).is_none())
        .map(|e| e.native.clone())
        .collect()
}

fn undefined_symbols(obj: &Path) -> BTreeSet<String> {
    let nm = common::tool(&["llvm-nm-22", "llvm-nm"]).expect("llvm-nm");
    let out = Command::new(nm).arg("-u").arg(obj).output().unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .map(str::to_string)
        .collect()
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn c_table_compiles_for_riscv_with_clang22() {
    let Some(clang) = common::tool(&["clang-22"]) else {
        eprintln!("clang-22 not found: skipped");
        return;
    };
    let m = standard_idf_manifest();
    for c in CONFIGS {
        let d = common::scratch(&format!("gen-c-{}", c.name));
        let inc = d.join("include");
        let comp = d.join("component");
        write_fake_headers(&m, &inc, c);
        let g = TableBuilder::new("idf").generate_c(&comp).unwrap();
        assert_eq!(g.count, m.count());
        let obj = d.join("table.o");
        run(Command::new(&clang)
            .args([
                "--target=riscv32-esp-elf",
                "-march=rv32imc",
                "-mabi=ilp32",
                "-std=gnu17",
                "-fno-builtin",
                "-Wall",
                "-Wextra",
                "-Werror",
                "-c",
            ])
            .arg("-I")
            .arg(&inc)
            .arg("-I")
            .arg(&comp)
            .arg(&g.source)
            .arg("-o")
            .arg(&obj));
        let want = expected(&m, &inc.join("sdkconfig.h"));
        assert_eq!(undefined_symbols(&obj), want, "config {}", c.name);

        // The entries array has one pointer per slot; the header carries the hash.
        let readelf = common::tool(&["llvm-readelf-22", "llvm-readelf"]).unwrap();
        let out = Command::new(readelf).arg("-s").arg(&obj).output().unwrap();
        let syms = String::from_utf8_lossy(&out.stdout).to_string();
        let line = syms.lines().find(|l| l.ends_with(" espb_symtab_idf_entries")).expect("entries symbol");
        let size: u32 = line.split_whitespace().nth(2).unwrap().parse().unwrap();
        assert_eq!(size, 4 * m.count());
        assert!(syms.lines().any(|l| l.ends_with(" espb_symtab_idf") && l.contains("GLOBAL")));
        let h = std::fs::read_to_string(&g.header).unwrap();
        assert!(h.contains(&format!("#define ESPB_SYMTAB_IDF_HASH 0x{:08x}u", m.hash())));
        assert!(h.contains("    const char *name;"), "the table carries its name last");
        let src = std::fs::read_to_string(&g.source).unwrap();
        assert!(src.contains(".name = \"idf\",\n};"), "name initialiser");
        let cm = std::fs::read_to_string(&g.cmake).unwrap();
        assert!(cm.contains("PRIV_REQUIRES driver esp_common esp_event esp_hw_support esp_netif esp_system esp_timer esp_wifi freertos heap log nvs_flash"), "{cm}");
        assert!(g.kconfig.is_some());
        if c.name == "c3-v52" {
            // ESP-IDF's own kernel keeps xTimerGenericCommand in every v5.x.
            assert!(want.contains("xTimerGenericCommand") && !want.contains("xTimerGenericCommandFromTask"));
            assert!(want.contains("ledc_set_duty") && !want.contains("esp_wifi_init"));
            assert!(want.contains("i2c_new_master_bus") && !want.contains("i2c_driver_install"));
        } else {
            assert!(want.contains("xTimerGenericCommand") && want.contains("esp_wifi_init"));
            assert!(!want.contains("ledc_set_duty") && !want.contains("nvs_open"));
            assert!(want.contains("vTaskList") && want.contains("i2c_driver_install"));
        }
    }
}

fn rustc_obj(dir: &Path, table_rs: &Path, cfgs: &[String]) -> std::path::PathBuf {
    let lib = dir.join("lib.rs");
    std::fs::write(&lib, format!("#![deny(warnings)]\ninclude!({:?});\n", table_rs.display().to_string())).unwrap();
    let obj = dir.join("lib.o");
    let mut cmd = Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()));
    cmd.args(["--edition", "2024", "--crate-type", "lib", "--crate-name", "fw", "--emit"])
        .arg(format!("obj={}", obj.display()))
        .arg(&lib);
    for c in cfgs {
        cmd.arg("--cfg").arg(c);
    }
    run(&mut cmd);
    obj
}

#[test]
fn rust_table_compiles_resolved_and_deferred() {
    let m = standard_idf_manifest();
    for c in CONFIGS {
        let d = common::scratch(&format!("gen-rs-{}", c.name));
        let cfg_file = d.join("sdkconfig.h");
        std::fs::write(&cfg_file, sdkconfig_h(c)).unwrap();
        let want = expected(&m, &cfg_file);

        // Resolved at generation time from the sdkconfig.
        let res = d.join("resolved");
        std::fs::create_dir_all(&res).unwrap();
        let g = TableBuilder::new("idf").sdkconfig(&cfg_file).cargo_directives(false).generate_rust(&res).unwrap();
        assert_eq!(g.hash, m.hash());
        let cfg_values = m.live().filter(|e| espb_sys::gen_c::config_option(&e.name).is_some()).count();
        assert_eq!(g.disabled.len(), m.live().count() - want.len() - cfg_values);
        let obj = rustc_obj(&res, &g.path, &[]);
        assert_eq!(undefined_symbols(&obj), want, "resolved, config {}", c.name);

        // Resolved from esp-idf-sys style cfg args (as cfgs_from_env reads them).
        let opts: Vec<String> = c.defines.iter().map(|d| d.to_string()).collect();
        let from_list = d.join("list");
        std::fs::create_dir_all(&from_list).unwrap();
        let g2 = TableBuilder::new("idf")
            .enabled_options(&opts)
            .idf_version(c.version.0, c.version.1)
            .cargo_directives(false)
            .generate_rust(&from_list)
            .unwrap();
        assert_eq!(std::fs::read_to_string(&g2.path).unwrap(), std::fs::read_to_string(&g.path).unwrap());

        // Deferred: #[cfg] on esp-idf-sys cfg names, decided by rustc.
        let def = d.join("deferred");
        std::fs::create_dir_all(&def).unwrap();
        let g = TableBuilder::new("idf").cargo_directives(false).generate_rust(&def).unwrap();
        let mut cfgs: Vec<String> = c.defines.iter().map(|o| espb_sys::gen_rust::cfg_name(o)).collect();
        cfgs.push(format!("esp_idf_version_major=\"{}\"", c.version.0));
        cfgs.push(format!("esp_idf_version_minor=\"{}\"", c.version.1));
        let obj = rustc_obj(&def, &g.path, &cfgs);
        assert_eq!(undefined_symbols(&obj), want, "deferred, config {}", c.name);
    }
}

#[test]
fn rust_table_runs_with_real_addresses() {
    let d = common::scratch("gen-rs-run");
    let man = d.join("custom.espbsym");
    std::fs::write(
        &man,
        "0 alpha=native_alpha -\n1 - removed:beta\n2 gamma - if CONFIG_GAMMA\n3 delta - if !CONFIG_GAMMA\n",
    )
    .unwrap();
    let m = Manifest::load(&man).unwrap();
    let g = TableBuilder::new("custom")
        .manifest(&man)
        .enable("CONFIG_GAMMA")
        .cargo_directives(false)
        .generate_rust(&d)
        .unwrap();
    assert_eq!(g.disabled, vec!["delta".to_string()]);
    let main = d.join("main.rs");
    std::fs::write(
        &main,
        format!(
            r#"include!({path:?});
#[unsafe(no_mangle)] pub extern "C" fn native_alpha() {{}}
#[unsafe(no_mangle)] pub extern "C" fn gamma() {{}}
unsafe extern "C" {{ static espb_symtab_custom: espb_symtab_custom::Symtab; }}
fn main() {{
    use espb_symtab_custom::*;
    let addr = |s: Slot| s.map(|f| f as usize);
    assert_eq!(addr(ENTRIES[0]), Some(native_alpha as usize));
    assert_eq!(addr(ENTRIES[1]), None);
    assert_eq!(addr(ENTRIES[2]), Some(gamma as usize));
    assert_eq!(addr(ENTRIES[3]), None);
    let t = unsafe {{ &espb_symtab_custom }};
    assert_eq!(t.hash, 0x{hash:08x});
    assert_eq!(t.count, 4);
    assert_eq!(t.entries, ENTRIES.as_ptr());
    assert_eq!(unsafe {{ *t.prefix_hashes.add(3) }}, t.hash);
    println!("ok");
}}
"#,
            path = g.path.display().to_string(),
            hash = m.hash()
        ),
    )
    .unwrap();
    let exe = d.join("main");
    run(Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
        .args(["--edition", "2024", "-o"])
        .arg(&exe)
        .arg(&main));
    let out = Command::new(&exe).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok\n");
}

#[test]
fn guard_resolution_errors() {
    let m = Manifest::parse("0 a - if CONFIG_LEVEL\n1 b - if IDF >= 5.2\n", "t.espbsym").unwrap();
    let c = Sdkconfig::parse("CONFIG_LEVEL=3\n", espb_sys::sdkconfig::Format::Text, "sdkconfig").unwrap();
    let _ = c;
    let d = common::scratch("guard-err");
    let sdk = d.join("sdkconfig");
    std::fs::write(&sdk, "CONFIG_LEVEL=3\n").unwrap();
    let err = TableBuilder::new("t").manifest_parsed(m.clone()).sdkconfig(&sdk).resolve(&m).unwrap_err().to_string();
    assert!(err.contains("entry 0 `a` (line 1)") && err.contains("not a bool"), "{err}");
    std::fs::write(&sdk, "CONFIG_LEVEL=y\n").unwrap();
    let err = TableBuilder::new("t").manifest_parsed(m.clone()).sdkconfig(&sdk).resolve(&m).unwrap_err().to_string();
    assert!(err.contains("needs the ESP-IDF version") && err.contains(".idf_version(5, 2)"), "{err}");
    let err = TableBuilder::new("custom").generate_rust(&d).unwrap_err().to_string();
    assert!(err.contains("needs a manifest"), "{err}");
}
