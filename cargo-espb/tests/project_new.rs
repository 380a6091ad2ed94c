//! `cargo espb new` (module, --firmware idf, --firmware rust) and the
//! project build: generated projects build, incrementally; refusals. The
//! firmware projects carry what they build from and survive a move: the
//! vendored crates equal this workspace's, resolve and type-check offline.

use cargo_espb::flash::{MODULE_PARTITION_LABEL, MODULE_PARTITION_SUBTYPE};
use std::collections::BTreeMap;
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
    assert!(
        err.contains("invalid value 'esp8266'") && err.contains("possible values") && err.contains("esp32c3"),
        "{err}"
    );
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

fn workspace() -> PathBuf {
    let ws = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::canonicalize(&ws).unwrap_or_else(|e| panic!("{}: {e}", ws.display()))
}

fn write_file(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().unwrap_or(Path::new("."))).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}

fn toml_of(p: &Path) -> toml::Table {
    toml::from_str(&read(p)).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Writes a firmware project with `cargo espb new`, then moves it to
/// another directory (the original one is removed); returns the temporary
/// directory, the project's new root and the directory it was written in.
fn new_and_moved(name: &str, kind: &str, chip: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let t = tmp();
    let base = std::fs::canonicalize(t.path()).unwrap_or_else(|e| panic!("{e}"));
    let first = base.join("written-here");
    std::fs::create_dir_all(&first).unwrap_or_else(|e| panic!("{e}"));
    ok(&espb(&first, &["new", name, "--firmware", kind, "--chip", chip]));
    let moved = base.join("moved");
    std::fs::create_dir_all(&moved).unwrap_or_else(|e| panic!("{e}"));
    std::fs::rename(first.join(name), moved.join(name)).unwrap_or_else(|e| panic!("{e}"));
    std::fs::remove_dir_all(&first).unwrap_or_else(|e| panic!("{e}"));
    (t, moved.join(name), first)
}

/// Every file under `dir`, relative to it, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let p = e.unwrap_or_else(|e| panic!("{e}")).path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap_or(&p).to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// No file of the project names the directory it was written in, or this
/// checkout.
fn assert_no_machine_path(root: &Path, written_in: &Path) {
    for needle in [written_in.to_string_lossy().into_owned(), workspace().to_string_lossy().into_owned()] {
        for f in files_under(root) {
            let bytes = std::fs::read(root.join(&f)).unwrap_or_default();
            assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "{} names {needle}", f.display());
        }
    }
}

/// `vendored` is a copy of the workspace crate `krate`: the same files
/// (the manifest aside), and none of the crate's missing except its tests,
/// benches and examples and what its `package.exclude` leaves out.
fn assert_vendored_copy(vendored: &Path, krate: &Path) {
    let manifest = toml_of(&krate.join("Cargo.toml"));
    let exclude: Vec<&str> = manifest["package"]
        .get("exclude")
        .and_then(|e| e.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let copied = files_under(vendored);
    for f in &copied {
        if f != Path::new("Cargo.toml") {
            assert_eq!(std::fs::read(vendored.join(f)).ok(), std::fs::read(krate.join(f)).ok(), "{}", f.display());
        }
    }
    for f in files_under(krate) {
        let top = f.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned()).unwrap_or_default();
        let left_out = ["tests", "benches", "examples"].contains(&top.as_str()) || exclude.contains(&top.as_str());
        assert_eq!(copied.contains(&f), !left_out, "{} of {}", f.display(), krate.display());
    }
}

/// cargo of the toolchain running the tests, with its own rustc (a
/// generated project's rust-toolchain.toml names a toolchain that need not
/// be installed).
fn cargo(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO"));
    let rustc = Path::new(env!("CARGO")).with_file_name("rustc");
    if rustc.is_file() {
        c.env("RUSTC", rustc);
    }
    c.current_dir(dir).env("CARGO_NET_OFFLINE", "true").env_remove("CARGO_TARGET_DIR");
    c
}

fn run_ok(mut c: Command) -> Output {
    let o = c.output().unwrap_or_else(|e| panic!("{c:?}: {e}"));
    assert!(o.status.success(), "{c:?} failed:\n{}", String::from_utf8_lossy(&o.stderr));
    o
}

/// `cargo metadata --offline` of a manifest: the packages by name.
fn metadata(manifest: &Path, args: &[&str]) -> BTreeMap<String, serde_json::Value> {
    let mut c = cargo(manifest.parent().unwrap_or(Path::new(".")));
    c.args(["metadata", "--offline", "--format-version", "1", "--manifest-path"]).arg(manifest).args(args);
    let o = run_ok(c);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}"));
    let packages = v["packages"].as_array().cloned().unwrap_or_default();
    packages.into_iter().map(|p| (p["name"].as_str().unwrap_or_default().to_string(), p)).collect()
}

/// What cargo makes of a vendored package equals what it makes of the
/// workspace crate (version, edition, features, targets, and every
/// dependency but the dev ones), except that a path dependency points into
/// `vendor_root` pinned to its exact version.
fn assert_same_package(vendored: &serde_json::Value, original: &serde_json::Value, vendor_root: &Path) {
    let name = original["name"].as_str().unwrap_or_default();
    let manifest = PathBuf::from(vendored["manifest_path"].as_str().unwrap_or_default());
    assert_eq!(manifest, vendor_root.join(name).join("Cargo.toml"), "{name} resolved elsewhere");
    for k in ["version", "edition", "rust_version", "features", "license", "description", "links"] {
        assert_eq!(vendored[k], original[k], "{name}: {k}");
    }
    let targets = |p: &serde_json::Value| -> Vec<serde_json::Value> {
        let dev =
            |t: &serde_json::Value| t["kind"].to_string().contains("test") || t["kind"].to_string().contains("bench");
        let mut ts: Vec<serde_json::Value> = p["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| !dev(t))
            .map(|t| serde_json::json!([t["name"], t["kind"], t["crate_types"], t["edition"]]))
            .collect();
        ts.sort_by_key(|t| t.to_string());
        ts
    };
    assert_eq!(targets(vendored), targets(original), "{name}: targets");
    let deps = |p: &serde_json::Value| -> Vec<serde_json::Value> {
        let mut ds: Vec<serde_json::Value> = p["dependencies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|d| d["kind"] != "dev")
            .map(|d| {
                // A path dependency: the copy's path and `=version`, the original's `*`.
                let req = if d.get("path").is_some() { serde_json::Value::Null } else { d["req"].clone() };
                serde_json::json!([
                    d["name"],
                    d["kind"],
                    d["optional"],
                    d["uses_default_features"],
                    d["features"],
                    d["target"],
                    d["rename"],
                    req
                ])
            })
            .collect();
        ds.sort_by_key(|d| d.to_string());
        ds
    };
    assert_eq!(deps(vendored), deps(original), "{name}: dependencies");
    for d in vendored["dependencies"].as_array().into_iter().flatten().filter(|d| d.get("path").is_some()) {
        let dep = d["name"].as_str().unwrap_or_default();
        assert_eq!(PathBuf::from(d["path"].as_str().unwrap_or_default()), vendor_root.join(dep), "{name} -> {dep}");
        assert_eq!(d["req"].as_str(), Some(&*format!("={}", env!("CARGO_PKG_VERSION"))), "{name} -> {dep}");
    }
}

fn check_partitions(csv: &Path) {
    let text = read(csv);
    let table = esp_idf_part::PartitionTable::try_from(text.as_bytes().to_vec()).unwrap_or_else(|e| panic!("{e:?}"));
    let part = table.find(MODULE_PARTITION_LABEL).unwrap_or_else(|| panic!("no {MODULE_PARTITION_LABEL} partition"));
    assert_eq!(part.ty(), esp_idf_part::Type::Data);
    assert_eq!(part.subtype(), esp_idf_part::SubType::Data(MODULE_PARTITION_SUBTYPE));
    assert_eq!(part.size(), 256 * 1024);
    // `cargo espb flash`, with a module project's defaults, writes to it.
    let t = tmp();
    ok(&espb(t.path(), &["new", "m"]));
    let module = t.path().join("m.espb");
    // A valid (empty) module: flash checks it would load before writing.
    std::fs::write(&module, espb_runtime::format::encode(&espb_runtime::Module::default()))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut c = Command::new(env!("CARGO_BIN_EXE_cargo-espb"));
    c.current_dir(t.path().join("m")).args(["flash", "--module", "--dry-run", "--module-file"]).arg(&module);
    c.arg("--partition-table").arg(csv);
    let o = run_ok(c);
    let plan = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
    let offset = format!("{:#x}", part.offset());
    assert!(plan.contains(&format!("module    {MODULE_PARTITION_LABEL} ")) && plan.contains(&offset), "{plan}");
}

/// The C firmware's `tables[]` and the partition it looks the module up in.
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
    assert!(
        main.contains(&format!("#define ESPB_PART_LABEL \"{MODULE_PARTITION_LABEL}\""))
            && main.contains("#define ESPB_PART_SUBTYPE ESP_PARTITION_SUBTYPE_DATA_UNDEFINED")
            && main.contains("esp_partition_find_first(ESP_PARTITION_TYPE_DATA, ESPB_PART_SUBTYPE, ESPB_PART_LABEL)"),
        "{main}"
    );
    // No memory region is granted unless the firmware opts in; then the
    // chip's windows come from ESP-IDF's own soc.h, read-only.
    assert!(
        main.contains("#include \"soc/soc.h\"")
            && main.contains("#define ESPB_GRANT_CHIP_REGIONS 0")
            && main.contains("{ SOC_DROM_LOW, SOC_DROM_HIGH, ESPB_WINDOW_READ },")
            && main.contains("#define ESPB_WINDOWS NULL, 0"),
        "{main}"
    );
    // The push loader: the partition behind its flash callbacks, the console
    // UART's bytes fed in, the last good slot booted (docs/deploy.md).
    for wiring in [
        "espb_push_new(&io, tables,",
        "sizeof tables[0], ESPB_WINDOWS, NULL, &push)",
        ".flash_write = part_write",
        "esp_partition_erase_range(ctx, offset, len)",
        "uart_read_bytes(ESPB_CONSOLE, buf",
        "espb_push_feed(push, buf",
        "espb_push_poll(push)",
        "espb_push_boot(push)",
    ] {
        assert!(main.contains(wiring), "{wiring} missing:\n{main}");
    }
    assert!(read(&root.join("main/CMakeLists.txt")).contains("espb_symtab_idf"));
    // The generated symbol-table component.
    for f in ["espb_symtab_idf.c", "espb_symtab_idf.h", "CMakeLists.txt", "Kconfig"] {
        assert!(root.join("components/espb_symtab_idf").join(f).is_file(), "{f}");
    }
    // The module project's flash helper reads the same partition label.
    assert!(!root.join("espb.toml").exists());
    // Generated files ask for nothing to be edited in them.
    let cm = read(&root.join("components/espb_symtab_idf/CMakeLists.txt"));
    assert!(cm.contains("@generated") && !cm.contains("does not know") && !cm.contains("add them"), "{cm}");
    for f in files_under(&root) {
        let text = std::fs::read(root.join(&f)).unwrap_or_default();
        if f.extension().is_some_and(|e| e == "c" || e == "h" || e == "txt" || e == "md" || e == "defaults") {
            assert!(!String::from_utf8_lossy(&text).contains("{{"), "{} has an unexpanded placeholder", f.display());
        }
    }
    // The README names the cargo step's target and toolchain for the chip.
    let readme = read(&root.join("README.md"));
    assert!(
        readme.contains("cargo +esp rustc")
            && readme.contains("--target xtensa-esp32s3-none-elf -Zbuild-std=core,alloc"),
        "{readme}"
    );
    assert!(readme.contains("espup install"), "{readme}");
}

/// The C component travels with the project: the runtime's sources in
/// components/espb_runtime/rust equal this workspace's, and its Cargo.lock
/// is what cargo itself computes for them (`--locked`), offline, after the
/// project was moved.
#[test]
fn idf_firmware_is_self_contained() {
    let (_t, root, written_in) = new_and_moved("pump", "idf", "esp32c3");
    assert_no_machine_path(&root, &written_in);
    let component = root.join("components/espb_runtime");
    let original = workspace().join("espb-sys/component/espb_runtime");
    for f in files_under(&original) {
        assert_eq!(std::fs::read(component.join(&f)).ok(), std::fs::read(original.join(&f)).ok(), "{}", f.display());
    }
    let rust = component.join("rust");
    for c in ["espb-capi", "espb-runtime"] {
        assert_vendored_copy(&rust.join(c), &workspace().join(c));
    }
    let copies = metadata(&rust.join("Cargo.toml"), &["--locked"]);
    let originals = metadata(&workspace().join("Cargo.toml"), &["--no-deps"]);
    for c in ["espb-capi", "espb-runtime"] {
        assert_same_package(&copies[c], &originals[c], &rust);
    }
    assert!(!copies.contains_key("espb-sys") && !copies.contains_key("proptest"), "{:?}", copies.keys());
    let readme = read(&root.join("README.md"));
    assert!(
        readme.contains("cargo rustc --manifest-path components/espb_runtime/rust/Cargo.toml")
            && readme.contains("rustup target add riscv32imc-unknown-none-elf"),
        "{readme}"
    );
}

/// Both flavours give modules the same `idf` table: the Rust firmware's
/// ESP-IDF build gets the C component's Kconfig (NVS on by default, Wi-Fi
/// off), and their sdkconfig.defaults agree but for what only idf.py reads.
#[test]
fn both_flavours_configure_espb_alike() {
    let t = tmp();
    ok(&espb(t.path(), &["new", "c", "--firmware", "idf", "--chip", "esp32c6"]));
    ok(&espb(t.path(), &["new", "r", "--firmware", "rust", "--chip", "esp32c6"]));
    let (c, r) = (t.path().join("c"), t.path().join("r"));
    let manifest = toml_of(&r.join("Cargo.toml"));
    let extra = &manifest["package"]["metadata"]["esp-idf-sys"]["extra_components"];
    let dirs = extra[0]["component_dirs"].as_array().cloned().unwrap_or_default();
    assert_eq!(dirs.len(), 1, "{extra}");
    let kconfig_dir = r.join(dirs[0].as_str().unwrap_or_default());
    assert_eq!(read(&kconfig_dir.join("Kconfig")), read(&c.join("components/espb_symtab_idf/Kconfig")));
    assert!(read(&kconfig_dir.join("CMakeLists.txt")).contains("idf_component_register()"));
    let kconfig = read(&kconfig_dir.join("Kconfig"));
    assert!(kconfig.contains("config ESPB_IDF_NVS\n        bool") && kconfig.contains("default y"), "{kconfig}");

    let settings = |p: &Path| -> BTreeMap<String, String> {
        read(p)
            .lines()
            .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect()
    };
    let mut c_cfg = settings(&c.join("sdkconfig.defaults"));
    let r_cfg = settings(&r.join("sdkconfig.defaults"));
    // idf.py reads the target and partitions.csv from here; esp-idf-sys
    // takes the target from MCU, and cannot use a relative partitions.csv
    // (espflash gets it with --partition-table).
    assert_eq!(c_cfg.remove("CONFIG_IDF_TARGET").as_deref(), Some("\"esp32c6\""));
    assert_eq!(c_cfg.remove("CONFIG_PARTITION_TABLE_CUSTOM").as_deref(), Some("y"));
    assert_eq!(c_cfg.remove("CONFIG_PARTITION_TABLE_CUSTOM_FILENAME").as_deref(), Some("\"partitions.csv\""));
    assert_eq!(c_cfg, r_cfg);
    let stack: u32 = r_cfg.get("CONFIG_ESP_MAIN_TASK_STACK_SIZE").and_then(|v| v.parse().ok()).unwrap_or(0);
    assert!(stack >= 16384, "the interpreter runs on the main task: {stack}");
    // Module callbacks run on these tasks: the interpreter's ~3 KiB and the
    // natives the callback calls.
    for key in ["CONFIG_FREERTOS_TIMER_TASK_STACK_DEPTH", "CONFIG_ESP_TIMER_TASK_STACK_SIZE"] {
        let v: u32 = r_cfg.get(key).and_then(|v| v.parse().ok()).unwrap_or(0);
        assert!(v >= 4096, "module callbacks run on this task: {key} = {v}");
    }
    let runner = toml_of(&r.join(".cargo/config.toml"))["target"]["riscv32imac-esp-espidf"]["runner"].to_string();
    assert!(runner.contains("--partition-table partitions.csv"), "{runner}");
}

#[test]
fn rust_firmware_project() {
    let t = tmp();
    ok(&espb(t.path(), &["new", "rfw", "--firmware", "rust", "--chip", "esp32c3"]));
    let root = t.path().join("rfw");
    check_partitions(&root.join("partitions.csv"));
    let manifest = toml_of(&root.join("Cargo.toml"));
    assert_eq!(manifest["package"]["name"].as_str(), Some("rfw"));
    assert!(manifest["build-dependencies"].get("espb-sys").is_some());
    let cfg = toml_of(&root.join(".cargo/config.toml"));
    assert_eq!(cfg["build"]["target"].as_str(), Some("riscv32imc-esp-espidf"));
    let tc = toml_of(&root.join("rust-toolchain.toml"));
    assert_eq!(tc["toolchain"]["channel"].as_str(), Some("nightly"));
    for f in ["src/main.rs", "build.rs", "sdkconfig.defaults", ".gitignore", "Cargo.toml", "README.md"] {
        let text = read(&root.join(f));
        assert!(!text.contains("{{"), "{f} has an unexpanded placeholder");
    }
    let main = read(&root.join("src/main.rs"));
    assert!(
        main.contains("const CHIP: Chip = Chip::Esp32c3;")
            && main.contains("const GRANT_CHIP_REGIONS: bool = false;")
            && main.contains("CHIP.firmware_windows()"),
        "no region unless the firmware opts in: {main}"
    );
    // The module runs as an app the push loader can replace (docs/deploy.md),
    // with the device's limits.
    assert!(
        main.contains("runner::start_module(module, self.tables.clone(), config, \"app_main\", os, self.pool)"),
        "{main}"
    );
    assert!(main.contains("Config::device(windows)"), "{main}");
    assert!(
        main.contains("loader.boot(&mut fw)") && main.contains("loader.feed(&buf[..n as usize], &mut fw)"),
        "{main}"
    );
    assert!(main.contains(&format!("c\"{MODULE_PARTITION_LABEL}\"")), "{main}");
    // Edition 2024 crates need Rust 1.85; the project asks for what the workspace does.
    assert_eq!(manifest["package"]["edition"].as_str(), Some("2024"));
    let ws = toml_of(&workspace().join("Cargo.toml"));
    assert_eq!(manifest["package"]["rust-version"], ws["workspace"]["package"]["rust-version"]);
    assert!(manifest.contains_key("workspace"), "a workspace of its own");
    assert!(!read(&root.join("sdkconfig.defaults")).contains("\nCONFIG_PARTITION_TABLE_CUSTOM"));
}

/// The Rust firmware resolves and type-checks offline after a move, with
/// only esp-idf-svc and embuild (ESP-IDF builds) replaced by host stand-ins
/// (tests/fixtures/esp-idf-stubs): the manifest's own path dependencies, the
/// vendored crates, build.rs (which generates the tables from esp-idf-sys's
/// sdkconfig.h) and all of src/main.rs, with and without a `custom` table.
#[test]
fn rust_firmware_is_self_contained() {
    let (t, root, written_in) = new_and_moved("rfw", "rust", "esp32c3");
    assert_no_machine_path(&root, &written_in);
    let vendor = root.join("vendor");
    for c in ["espb-runtime", "espb-sys"] {
        assert_vendored_copy(&vendor.join(c), &workspace().join(c));
    }

    // The ESP-IDF crates become stand-ins; the espb ones stay as written.
    let manifest_path = root.join("Cargo.toml");
    let mut manifest = toml_of(&manifest_path);
    let stubs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/esp-idf-stubs");
    for (kind, name) in [("dependencies", "esp-idf-svc"), ("build-dependencies", "embuild")] {
        let deps = manifest.get_mut(kind).and_then(|d| d.as_table_mut()).unwrap_or_else(|| panic!("no {kind}"));
        assert!(deps.get(name).is_some_and(|d| d.is_str()), "{name}: {deps}");
        let stub =
            toml::Table::from_iter([("path".to_string(), toml::Value::from(stubs.join(name).display().to_string()))]);
        deps.insert(name.to_string(), toml::Value::Table(stub));
    }
    for (kind, name) in [("dependencies", "espb-runtime"), ("build-dependencies", "espb-sys")] {
        let path = manifest[kind][name]["path"].as_str().unwrap_or_default();
        assert!(Path::new(path).is_relative() && root.join(path).is_dir(), "{name}: {path}");
    }
    write_file(&manifest_path, &toml::to_string(&manifest).unwrap_or_else(|e| panic!("{e}")));

    let packages = metadata(&manifest_path, &[]);
    let originals = metadata(&workspace().join("Cargo.toml"), &["--no-deps"]);
    for c in ["espb-runtime", "espb-sys"] {
        assert_same_package(&packages[c], &originals[c], &vendor);
    }
    let ws = toml_of(&workspace().join("Cargo.toml"));
    assert_eq!(packages["rfw"]["rust_version"].as_str(), ws["workspace"]["package"]["rust-version"].as_str());
    assert_eq!(packages["rfw"]["edition"].as_str(), Some("2024"));

    // esp-idf-sys's build directory, as far as the tables need it.
    let config = t.path().join("esp-idf-sys-out/build/config");
    write_file(
        &config.join("sdkconfig.h"),
        "/*\n * Automatically generated file. DO NOT EDIT.\n * Espressif IoT Development Framework (ESP-IDF) \
         5.3.1 Configuration Header\n */\n#pragma once\n#define CONFIG_IDF_TARGET \"esp32c3\"\n\
         #define CONFIG_FREERTOS_HZ 100\n#define CONFIG_SOC_GPIO_SUPPORTED 1\n#define CONFIG_SOC_LEDC_SUPPORTED 1\n\
         #define CONFIG_ESPB_IDF_NVS 1\n#define CONFIG_ESPB_IDF_I2C_NONE 1\n",
    );
    let host = {
        let o = run_ok({
            let mut c = Command::new(Path::new(env!("CARGO")).with_file_name("rustc"));
            c.arg("-vV");
            c
        });
        let v = String::from_utf8_lossy(&o.stdout).into_owned();
        v.lines().find_map(|l| l.strip_prefix("host: ")).unwrap_or_default().to_string()
    };
    let check = || {
        let mut c = cargo(&root);
        c.args(["check", "--offline", "--target", &host])
            .env("CARGO_TARGET_DIR", workspace().join("target-project/firmware-check"))
            // embuild's format (CInclArgs from esp-idf-sys's CMake File API reply).
            .env(
                "DEP_ESP_IDF_SVC_EMBUILD_C_INCLUDE_ARGS",
                format!("-DESP_PLATFORM \"-isystem/nonexistent/include\" \"-isystem{}\"", config.display()),
            );
        String::from_utf8_lossy(&run_ok(c).stderr).into_owned()
    };
    let log = check();
    assert!(log.contains("espb symbol table idf: ") && !log.contains("espb symbol table custom"), "{log}");
    write_file(&root.join("symbols/custom.espbsym"), "0  pump_set_speed  -\n1  pump_read_flow  -\n");
    let log = check();
    assert!(log.contains("espb symbol table custom: 2 slots"), "{log}");
}
