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
        assert!(src.contains(".name = \"idf\",\n"), "name initialiser");
        assert!(src.contains(".checking = ESPB_SYMTAB_IDF_CHECKING,\n};"), "checked unless the firmware says trusted");
        let cm = std::fs::read_to_string(&g.cmake).unwrap();
        assert!(cm.contains("PRIV_REQUIRES driver esp_common esp_event esp_hw_support esp_netif esp_rom esp_system esp_timer esp_wifi freertos heap log nvs_flash"), "{cm}");
        // Every header of the standard table has its component: nothing left to the user.
        assert!(!cm.contains("does not know"), "{cm}");
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
        // Configuration slots hold the sdkconfig's values (0 where unset, as in C).
        assert_eq!(g.config_values.len(), cfg_values);
        assert!(g.config_values.contains(&("FREERTOS_HZ".into(), 100)), "{:?}", g.config_values);
        assert!(g.config_values.contains(&("SOC_UART_NUM".into(), 0)), "{:?}", g.config_values);
        let text = std::fs::read_to_string(&g.path).unwrap();
        assert!(text.contains("    pub static CFG_FREERTOS_HZ: u32 = 100;\n"), "{text}");
        assert!(text.contains("Slot::data(&CFG_FREERTOS_HZ), // 406: __espb_cfg_FREERTOS_HZ = 100\n"));
        assert!(text.contains("    pub const NAME: &str = \"idf\";\n") && text.contains("name: c\"idf\".as_ptr(),"));
        let obj = rustc_obj(&res, &g.path, &[]);
        assert_eq!(undefined_symbols(&obj), want, "resolved, config {}", c.name);

        // Resolved from esp-idf-sys style cfg args (as cfgs_from_env reads
        // them): the same slots; cfgs carry no values, so only without them.
        let opts: Vec<String> = c.defines.iter().map(|d| d.to_string()).collect();
        let list = || TableBuilder::new("idf").enabled_options(&opts).idf_version(c.version.0, c.version.1);
        let from_list = d.join("list");
        std::fs::create_dir_all(&from_list).unwrap();
        let err = list().cargo_directives(false).generate_rust(&from_list).unwrap_err().to_string();
        assert!(err.starts_with("table `idf` has load-time configuration slots (__espb_cfg_FREERTOS_HZ, "), "{err}");
        assert!(err.contains(".sdkconfig_from_env()") && err.contains(".without_config_values()"), "{err}");
        let g2 = list().without_config_values().cargo_directives(false).generate_rust(&from_list).unwrap();
        assert!(g2.config_values.is_empty());
        let no_values = d.join("no-values");
        std::fs::create_dir_all(&no_values).unwrap();
        let g3 = TableBuilder::new("idf")
            .sdkconfig(&cfg_file)
            .without_config_values()
            .cargo_directives(false)
            .generate_rust(&no_values)
            .unwrap();
        assert_eq!(std::fs::read_to_string(&g2.path).unwrap(), std::fs::read_to_string(&g3.path).unwrap());

        // Deferred: #[cfg] on esp-idf-sys cfg names, decided by rustc.
        let def = d.join("deferred");
        std::fs::create_dir_all(&def).unwrap();
        let g = TableBuilder::new("idf").without_config_values().cargo_directives(false).generate_rust(&def).unwrap();
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
        "0 alpha=native_alpha -\n1 - removed:beta\n2 gamma - if CONFIG_GAMMA\n3 delta - if !CONFIG_GAMMA\n\
         4 __espb_cfg_TICK_HZ -\n",
    )
    .unwrap();
    let sdkconfig = d.join("sdkconfig");
    std::fs::write(&sdkconfig, "CONFIG_TICK_HZ=250\n").unwrap();
    let m = Manifest::load(&man).unwrap();
    let g = TableBuilder::new("custom")
        .manifest(&man)
        .sdkconfig(&sdkconfig)
        .enable("CONFIG_GAMMA")
        .cargo_directives(false)
        .generate_rust(&d)
        .unwrap();
    assert_eq!(g.disabled, vec!["delta".to_string()]);
    assert_eq!(g.config_values, vec![("TICK_HZ".to_string(), 250)]);
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
    let addr = |s: Slot| s.get().map(|p| p as usize);
    assert_eq!(addr(ENTRIES[0]), Some(native_alpha as usize));
    assert_eq!(addr(ENTRIES[1]), None);
    assert_eq!(addr(ENTRIES[2]), Some(gamma as usize));
    assert_eq!(addr(ENTRIES[3]), None);
    assert_eq!(unsafe {{ *(ENTRIES[4].addr() as *const u32) }}, 250, "the sdkconfig value");
    assert_eq!(ENTRIES[1].get(), None);
    assert_eq!(addresses(), ENTRIES.map(Slot::addr));
    assert_eq!(addresses()[1], 0);
    let t = unsafe {{ &espb_symtab_custom }};
    assert_eq!(t.hash, 0x{hash:08x});
    assert_eq!(t.count, 5);
    assert_eq!(t.entries, ENTRIES.as_ptr());
    assert_eq!(unsafe {{ *t.prefix_hashes.add(4) }}, t.hash);
    assert_eq!(unsafe {{ std::ffi::CStr::from_ptr(t.name) }}, c"custom");
    assert_eq!(NAME, "custom");
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

#[test]
fn config_values_follow_c() {
    let d = common::scratch("cfg-values");
    let man = d.join("t.espbsym");
    std::fs::write(&man, "0 __espb_cfg_A -\n1 __espb_cfg_B -\n2 __espb_cfg_C -\n3 __espb_cfg_D -\n4 __espb_cfg_E -\n")
        .unwrap();
    let sdk = d.join("sdkconfig");
    std::fs::write(&sdk, "CONFIG_A=y\nCONFIG_B=0x10\n# CONFIG_C is not set\nCONFIG_E=-1\n").unwrap();
    let b = || TableBuilder::new("t").manifest(&man).sdkconfig(&sdk).cargo_directives(false);
    let g = b().generate_rust(&d).unwrap();
    let want: Vec<(String, u32)> =
        [("A", 1), ("B", 16), ("C", 0), ("D", 0), ("E", u32::MAX)].iter().map(|(o, v)| (o.to_string(), *v)).collect();
    assert_eq!(g.config_values, want, "bools 0/1, hex, unset 0, (uint32_t)-1");
    std::fs::write(&sdk, "CONFIG_D=\"fast\"\n").unwrap();
    let err = b().generate_rust(&d).unwrap_err().to_string();
    assert!(
        err.starts_with("table `t`, entry 3 `__espb_cfg_D` (line 4): CONFIG_D is the string \"fast\" in "),
        "{err}"
    );
}

/// The whole device path on the PC: a generated Rust table registered in
/// the runtime's `Registry`, and a module whose data import of
/// `__espb_cfg_TICK_HZ` resolves to the table's static and is read through
/// the window its `data:4` gives it at instantiate (the firmware grants no
/// region), by `runner::run_module`; the word after it traps, as does a
/// store; the user's `counter` (`data:4:rw`) may be written. Native memory needs addresses
/// below 4 GiB, so the program is built as a non-PIE executable in a crate
/// of its own.
#[test]
fn rust_table_feeds_the_runtime() {
    use espb_runtime::isa::Instr;
    use espb_runtime::{FuncType, Function, Import, ImportRef, Layout, Module, TableRef, ValType};

    let d = common::scratch("gen-rs-runtime");
    let man = d.join("custom.espbsym");
    std::fs::write(&man, "0 alpha -\n1 __espb_cfg_TICK_HZ - data:4\n2 counter - data:4:rw\n").unwrap();
    let sdkconfig = d.join("sdkconfig");
    std::fs::write(&sdkconfig, "CONFIG_TICK_HZ=250\n").unwrap();
    let m = Manifest::load(&man).unwrap();
    let g = TableBuilder::new("custom").manifest(&man).sdkconfig(&sdkconfig).cargo_directives(false);
    let g = g.generate_rust(&d).unwrap();

    // app_main() { return *(const uint32_t *)&__espb_cfg_TICK_HZ; }
    let mut code = Vec::new();
    for i in [Instr::ImportAddr { d: 0, i: 0 }, Instr::LoadI32 { d: 0, a: 0, off: 0 }, Instr::Ret { s: 0 }] {
        i.encode(&mut code);
    }
    let module = Module {
        types: vec![FuncType { params: vec![], result: Some(ValType::I32), variadic_fixed: None }],
        imports: vec![Import::data(ImportRef::Slot { table: 0, index: 1, name: Some("__espb_cfg_TICK_HZ".into()) })],
        tables: vec![TableRef { name: "custom".into(), hash: m.hash(), count: m.count() }],
        functions: vec![Function { ty: 0, num_regs: 1, frame_size: 0, code }],
        names: vec!["app_main".into()],
        // Small enough for the C heap's brk area, below 4 GiB in a non-PIE program.
        layout: Layout { stack_size: 1024, heap_size: 256 },
        ..Module::default()
    };
    let module_file = d.join("app.espb");
    std::fs::write(&module_file, espb_runtime::format::encode(&module)).unwrap();
    // app_main() { *(uint32_t *)&__espb_cfg_TICK_HZ = 0; return 0; }
    let mut code = Vec::new();
    for i in [Instr::ImportAddr { d: 0, i: 0 }, Instr::StoreI32 { s: 0, a: 0, off: 0 }, Instr::Ret { s: 0 }] {
        i.encode(&mut code);
    }
    let store = Module { functions: vec![Function { ty: 0, num_regs: 1, frame_size: 0, code }], ..module.clone() };
    let store_file = d.join("store.espb");
    std::fs::write(&store_file, espb_runtime::format::encode(&store)).unwrap();
    // app_main() { return ((const uint32_t *)&__espb_cfg_TICK_HZ)[1]; }
    let mut code = Vec::new();
    for i in [Instr::ImportAddr { d: 0, i: 0 }, Instr::LoadI32 { d: 0, a: 0, off: 4 }, Instr::Ret { s: 0 }] {
        i.encode(&mut code);
    }
    let next = Module { functions: vec![Function { ty: 0, num_regs: 1, frame_size: 0, code }], ..module.clone() };
    let next_file = d.join("next.espb");
    std::fs::write(&next_file, espb_runtime::format::encode(&next)).unwrap();
    // app_main() { counter += 35; return counter; }
    let mut code = Vec::new();
    for i in [
        Instr::ImportAddr { d: 0, i: 0 },
        Instr::LoadI32 { d: 1, a: 0, off: 0 },
        Instr::AddImmI32 { d: 1, a: 1, v: 35 },
        Instr::StoreI32 { s: 1, a: 0, off: 0 },
        Instr::LoadI32 { d: 1, a: 0, off: 0 },
        Instr::Ret { s: 1 },
    ] {
        i.encode(&mut code);
    }
    let count = Module {
        imports: vec![Import::data(ImportRef::Slot { table: 0, index: 2, name: Some("counter".into()) })],
        functions: vec![Function { ty: 0, num_regs: 2, frame_size: 0, code }],
        ..module.clone()
    };
    let count_file = d.join("count.espb");
    std::fs::write(&count_file, espb_runtime::format::encode(&count)).unwrap();

    let krate = d.join("firmware");
    std::fs::create_dir_all(krate.join("src")).unwrap();
    let runtime = Path::new(env!("CARGO_MANIFEST_DIR")).join("../espb-runtime");
    std::fs::write(
        krate.join("Cargo.toml"),
        format!(
            "[package]\nname = \"firmware\"\nversion = \"0.0.0\"\nedition = \"2024\"\n[workspace]\n\
             [dependencies]\nespb-runtime = {{ path = {:?} }}\n",
            runtime.display().to_string()
        ),
    )
    .unwrap();
    // The workspace's lock file: the same dependency versions, offline.
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock"), krate.join("Cargo.lock")).unwrap();
    std::fs::write(
        krate.join("src/main.rs"),
        format!(
            r#"include!({table:?});
use espb_runtime::{{Config, FirmwareWindows, Window}};
use espb_runtime::runner::run_module;
use espb_runtime::symtab::{{Registry, SymbolTable}};

#[unsafe(no_mangle)]
pub extern "C" fn alpha() {{}}

/// A firmware global the table exports writable (`data:4:rw`).
#[unsafe(no_mangle)]
pub static mut counter: u32 = 7;

fn main() {{
    let file = |k: usize| std::fs::read(std::env::args().nth(k).unwrap()).unwrap();
    let (load, store, next, count) = (file(1), file(2), file(3), file(4));
    let entries = espb_symtab_custom::addresses();
    let hz = &espb_symtab_custom::CFG_TICK_HZ as *const u32 as usize as u32;
    let everything = Window::read_write(0x1000, 0xFFFF_0000);
    for (bytes, window) in [
        (&load, None),
        (&next, None),
        (&store, None),
        (&count, None),
        (&count, None),
        (&next, Some(Window::read(hz + 4, hz + 8))),
        (&load, Some(everything)),
    ] {{
        let mut tables = Registry::new();
        let t = SymbolTable::new(espb_symtab_custom::NAME, &entries, &espb_symtab_custom::PREFIX_HASHES)
            .with_signatures(&espb_symtab_custom::SIG_INDEX, &espb_symtab_custom::SIGS);
        tables.register(t).unwrap();
        // SAFETY: the word after the table's static is the program's
        // memory, only read; `everything` is refused before anything runs.
        let windows = unsafe {{ FirmwareWindows::new(window.as_slice()) }};
        match run_module(bytes, tables, Config::device(windows), "app_main") {{
            Ok(o) => println!("{{}}", o.value()),
            Err(e) => println!(
                "{{}}",
                e.to_string()
                    .replace(&format!("{{hz:#010x}}"), "HZ")
                    .replace(&format!("{{:#010x}}", hz + 4), "HZ+4")
            ),
        }}
    }}
}}
"#,
            table = g.path.display().to_string()
        ),
    )
    .unwrap();
    // Only the program itself is built non-PIE (dependencies stay PIC, which
    // links either way; proc macros must).
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rust-table-runtime");
    run(Command::new(env!("CARGO"))
        .current_dir(&krate)
        .args(["rustc", "--offline", "--quiet", "--", "-C", "relocation-model=static"])
        .env("CARGO_TARGET_DIR", &target));
    let out = Command::new(target.join("debug/firmware"))
        .args([&module_file, &store_file, &next_file, &count_file])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[..2],
        ["250", "trap: out-of-bounds access of 4 bytes at address HZ+4 in function `app_main` at code offset 0x4"],
        "the value through the window its table's size gives it; the next word, outside every window, traps"
    );
    assert_eq!(
        lines[2],
        "trap: store of 4 bytes into read-only firmware memory at address HZ in function `app_main` at code offset 0x4",
        "a store into a read-only data import traps before it reaches the memory"
    );
    assert_eq!(lines[3..5], ["42", "77"], "a writable data import is the firmware's global itself");
    assert_ne!(lines[5], lines[1], "a window the firmware grants explicitly still works: {stdout}");
    assert!(
        lines[6].starts_with("firmware window 0x00001000..0xffff0000 is writable and holds the module's code"),
        "a writable window over the module's code is refused: {stdout}"
    );
    assert_eq!(lines.len(), 7, "{stdout}");
}
