//! Fast symbols end to end: `cargo espb build` binds imports to table slots
//! (or refuses with the names), `--add-missing` grows the custom table, a
//! guard that is off in the firmware's sdkconfig is refused, and the loader
//! refuses a module whose tables or slots do not match the firmware.

use espb_runtime::{Config, ImportRef, Instance, InstantiateError, VerifiedModule, format};
use espb_sim::PcHost;
use std::path::Path;
use std::process::{Command, Output};

fn cli(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-espb")).current_dir(dir).arg("espb").args(args).output().expect("runs")
}

/// Output with whitespace and miette's frame characters removed, so that
/// checks do not depend on where the diagnostic wraps its lines; compare
/// against [`squash`]ed needles.
fn text(o: &Output) -> String {
    squash(&format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace() && *c != '│').collect()
}

fn write(dir: &Path, name: &str, body: &str) {
    std::fs::write(dir.join(name), body).expect("write");
}

/// Builds `src` in a fresh directory and returns the directory and module.
fn build(src: &str, extra: &[&str]) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "app.c", src);
    let mut args = vec!["build", "app.c", "-o", "app.espb"];
    args.extend_from_slice(extra);
    let out = cli(dir.path(), &args);
    (dir, out)
}

const USES_PRINTF: &str = "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42); return 0; }\n";

#[test]
fn imports_become_named_slots_of_the_idf_table() {
    let (dir, out) = build(USES_PRINTF, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let m = format::load(&std::fs::read(dir.path().join("app.espb")).expect("module")).expect("loads");
    assert_eq!(m.tables.len(), 1);
    assert_eq!(m.tables[0].name, "idf");
    let idf = espb_sys::standard_idf_manifest();
    let printf = idf.lookup("printf").expect("printf in idf");
    let slot = m
        .imports
        .iter()
        .find_map(|i| match &i.what {
            ImportRef::Slot { index, name: Some(n), .. } if n == "printf" => Some(*index),
            _ => None,
        })
        .expect("printf bound to a slot");
    assert_eq!(u32::from(slot), printf.index);
    // Only the prefix the module uses is recorded, with its hash.
    assert_eq!(m.tables[0].count, slot as u32 + 1);
    assert_eq!(Some(m.tables[0].hash), idf.prefix_hash(m.tables[0].count));
    let run = cli(dir.path(), &["run", "app.espb"]);
    assert_eq!(String::from_utf8_lossy(&run.stdout), "42\n");
}

#[test]
fn unknown_imports_are_listed_and_add_missing_grows_the_custom_table() {
    let src = "int my_sensor_read(int ch);\nint my_led(int on);\n\
               int main(void) { return my_sensor_read(1) + my_led(1); }\n";
    let (dir, out) = build(src, &[]);
    assert!(!out.status.success());
    let t = text(&out);
    assert!(t.contains(&squash("not in any symbol table")), "{t}");
    assert!(t.contains("my_led") && t.contains("my_sensor_read"), "{t}");
    assert!(t.contains("--add-missing"), "{t}");

    let out = cli(dir.path(), &["build", "app.c", "-o", "app.espb", "--add-missing"]);
    assert!(out.status.success(), "{}", text(&out));
    let manifest = std::fs::read_to_string(dir.path().join("symbols/custom.espbsym")).expect("custom manifest");
    let custom = espb_sys::Manifest::parse(&manifest, "custom.espbsym").expect("parses");
    assert_eq!(custom.lookup("my_led").map(|e| e.index), Some(0));
    assert_eq!(custom.lookup("my_sensor_read").map(|e| e.index), Some(1));
    let generated = std::fs::read_to_string(dir.path().join("symbols/custom/espb_symtab_custom.c")).expect("C source");
    assert!(generated.contains("my_led") && generated.contains("espb_symtab_custom"));
    let m = format::load(&std::fs::read(dir.path().join("app.espb")).expect("module")).expect("loads");
    assert!(m.tables.iter().any(|t| t.name == "custom" && t.count == 2), "{:?}", m.tables);

    // A second run appends nothing: both are known now.
    let out = cli(dir.path(), &["build", "app.c", "-o", "app.espb", "--add-missing"]);
    assert!(out.status.success());
    let again = std::fs::read_to_string(dir.path().join("symbols/custom.espbsym")).expect("manifest");
    assert_eq!(again, manifest);
}

/// Every import as (table name, slot, function name), for comparing builds.
fn bound_imports(m: &espb_runtime::Module) -> Vec<(String, u16, String)> {
    m.imports
        .iter()
        .filter_map(|imp| match &imp.what {
            ImportRef::Slot { table, index, name } => {
                Some((m.tables[*table as usize].name.clone(), *index, name.clone().unwrap_or_default()))
            }
            ImportRef::Name(_) => None,
        })
        .collect()
}

#[test]
fn add_missing_binds_standard_imports_to_the_idf_table_as_a_plain_build_does() {
    // Standard imports (printf, puts) first, then natives no table has: the
    // build that adds them must bind every import exactly as the next plain
    // build does, not move printf onto the new custom table's slot 0.
    let src = "#include <stdio.h>\nint my_sensor_read(int ch);\nint my_led(int on);\n\
               int main(void) { printf(\"%d\\n\", my_sensor_read(1)); puts(\"x\"); return my_led(1); }\n";
    let (dir, out) = build(src, &["--add-missing"]);
    assert!(out.status.success(), "{}", text(&out));
    let added = format::load(&std::fs::read(dir.path().join("app.espb")).expect("module")).expect("loads");
    let out = cli(dir.path(), &["build", "app.c", "-o", "app.espb"]);
    assert!(out.status.success(), "{}", text(&out));
    let plain = format::load(&std::fs::read(dir.path().join("app.espb")).expect("module")).expect("loads");
    let (a, p) = (bound_imports(&added), bound_imports(&plain));
    assert_eq!(a.len(), 4, "every import bound: {a:?}");
    assert_eq!(a, p);
    let idf = espb_sys::standard_idf_manifest();
    for (table, slot, name) in &a {
        let want = if name.starts_with("my_") { "custom" } else { "idf" };
        assert_eq!(table, want, "{name} bound to {table}:{slot}");
        if want == "idf" {
            assert_eq!(idf.lookup(name).map(|e| e.index), Some(u32::from(*slot)), "{name}");
        }
    }
    let hashes =
        |m: &espb_runtime::Module| m.tables.iter().map(|t| (t.name.clone(), t.count, t.hash)).collect::<Vec<_>>();
    assert_eq!(hashes(&added), hashes(&plain));
}

#[test]
fn an_import_disabled_in_the_sdkconfig_is_refused_with_its_option() {
    let src = "int ledc_update_duty(int mode, int channel);\n\
               int main(void) { return ledc_update_duty(0, 0); }\n";
    let (dir, _) = build(src, &[]);
    // ESP-IDF's sdkconfig.h: disabled options are simply absent.
    write(dir.path(), "sdkconfig.h", "#define CONFIG_IDF_TARGET \"esp32c2\"\n#define CONFIG_FREERTOS_HZ 100\n");
    let out = cli(dir.path(), &["build", "app.c", "-o", "app.espb", "--sdkconfig", "sdkconfig.h"]);
    assert!(!out.status.success());
    let t = text(&out);
    assert!(t.contains("ledc_update_duty") && t.contains("CONFIG_SOC_LEDC_SUPPORTED"), "{t}");
    assert!(t.contains("sdkconfig.h"), "{t}");

    write(dir.path(), "sdkconfig.h", "#define CONFIG_SOC_LEDC_SUPPORTED 1\n");
    let out = cli(dir.path(), &["build", "app.c", "-o", "app.espb", "--sdkconfig", "sdkconfig.h"]);
    assert!(out.status.success(), "{}", text(&out));
}

fn built_module() -> espb_runtime::Module {
    let (dir, out) = build(USES_PRINTF, &[]);
    assert!(out.status.success(), "{}", text(&out));
    format::load(&std::fs::read(dir.path().join("app.espb")).expect("module")).expect("loads").into()
}

fn instantiate(m: espb_runtime::Module) -> Result<(), InstantiateError> {
    let (host, _, _) = PcHost::capture();
    Instance::new(VerifiedModule::new(m)?, host, Config::default()).map(|_| ())
}

#[test]
fn loader_refuses_a_table_with_another_hash() {
    let mut m = built_module();
    assert!(instantiate(m.clone()).is_ok());
    m.tables[0].hash ^= 1;
    let e = instantiate(m).expect_err("refused");
    assert!(matches!(e, InstantiateError::TableHashMismatch { ref table, .. } if table == "idf"), "{e}");
    assert!(e.to_string().contains("symbol table `idf` differs"), "{e}");
}

#[test]
fn loader_refuses_an_unknown_table_and_a_longer_one() {
    let mut m = built_module();
    m.tables[0].name = "motor".into();
    let e = instantiate(m).expect_err("refused");
    assert!(matches!(e, InstantiateError::MissingTable { ref table } if table == "motor"), "{e}");

    let mut m = built_module();
    m.tables[0].count = 60_000;
    let e = instantiate(m).expect_err("refused");
    assert!(matches!(e, InstantiateError::TableTooShort { need: 60_000, .. }), "{e}");
}

#[test]
fn loader_names_the_function_of_a_null_slot() {
    // uart_flush is in the idf table, but the PC firmware has no UART: the
    // run must say which function and where.
    let (dir, out) = build("int uart_flush(int);\nint main(void) { return uart_flush(0); }\n", &[]);
    assert!(out.status.success(), "{}", text(&out));
    let run = cli(dir.path(), &["run", "app.espb"]);
    assert!(!run.status.success());
    let t = text(&run);
    let slot = espb_sys::standard_idf_manifest().lookup("uart_flush").map(|e| e.index).expect("in idf");
    assert!(t.contains("uart_flush") && t.contains(&squash(&format!("slot {slot} of table `idf`"))), "{t}");
}

/// A C file that declares its own prototype of an SDK function: the call
/// does not fit the native's signature in the table, and the build says
/// where, before a device refuses the module at load.
#[test]
fn a_wrong_prototype_of_a_table_function_is_refused_at_build_with_its_line() {
    let src = "long long strlen(int s);\nint main(void) { return (int)strlen(3); }\n";
    let (_dir, out) = build(src, &[]);
    assert!(!out.status.success(), "{}", text(&out));
    let t = text(&out);
    for part in ["app.c:2:", "`strlen`(import#0)iscalledasi64(i32)", "declaresiti32(str)", "includetheSDKheader"] {
        assert!(t.contains(&squash(part)), "{part:?} missing in: {t}");
    }
}

/// `inspect` lists the native calls with their signatures and what is
/// checked of them, and what the data imports and results let the module
/// reach.
#[test]
fn inspect_lists_which_native_calls_are_checked() {
    let src = "#include <errno.h>\n#include <stdio.h>\n#include <stdarg.h>\n\
               __attribute__((noinline)) static void say(const char *f, ...) \
               { va_list a; va_start(a, f); vprintf(f, a); va_end(a); }\n\
               int main(void) { char b[16]; snprintf(b, sizeof b, \"%d\", 42); puts(b); say(\"%s\\n\", b); \
               fputs(\"e\", stderr); return errno; }\n";
    let (dir, out) = build(src, &[]);
    assert!(out.status.success(), "{}", text(&out));
    let o = cli(dir.path(), &["inspect", "app.espb"]);
    assert!(o.status.success(), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    let section = stdout.split("native calls").nth(1).unwrap_or_else(|| panic!("no native calls section:\n{stdout}"));
    let line = |name: &str| {
        section.lines().find(|l| l.contains(&format!(" {name} "))).unwrap_or_else(|| panic!("{name}:\n{section}"))
    };
    let snprintf = "i32(buf:1,i32,str,...)  checked: signature, arg 0: arg 1 bytes, arg 2: string";
    assert!(line("snprintf").contains(snprintf), "{section}");
    assert!(line("puts").contains("i32(str)  checked: signature, arg 0: string"), "{section}");
    assert!(line("vprintf").contains("no signature: unchecked"), "{section}");
    assert!(line("__errno").contains("mem:4:rw()  checked: signature; result: 4 bytes, read-write"), "{section}");
    let impure = "data:4->16  window: 4 bytes, read-only, and 16 bytes where it points, read-only";
    assert!(line("_impure_ptr").contains(impure), "{section}");
}
