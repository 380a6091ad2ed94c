//! Tests of the portable SDK headers (`espb-sys/sdk/include`, see
//! docs/sdk-headers.md): the module template compiles for RISC-V and Xtensa,
//! struct layouts and constants match ESP-IDF v5.5 (`sdk/tests/abi_layout.c`),
//! and every function the headers declare is in the standard `idf` manifest.
//!
//! Needs clang-22; without it the tests print why and pass without checking.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const CLANG: &str = "clang-22";
const NEWLIB: &str = "/usr/include/newlib";

/// Functions the headers need that the `idf` manifest does not list yet.
/// Each one is requested from the manifest's owner; remove it from here once
/// the manifest has it.
const PENDING_IN_MANIFEST: &[(&str, &str)] = &[
    ("_esp_error_check_failed", "ESP_ERROR_CHECK (esp_err.h)"),
    ("_esp_error_check_failed_without_abort", "ESP_ERROR_CHECK_WITHOUT_ABORT (esp_err.h)"),
    ("vPortYield", "taskYIELD / portYIELD (freertos/task.h)"),
    ("esp_rom_printf", "esp_rom_sys.h"),
    ("esp_rom_delay_us", "esp_rom_sys.h"),
];

/// Data (not function) imports the headers declare: event bases, which the
/// firmware exports as variables.
const DATA_IMPORTS: &[&str] = &["IP_EVENT", "WIFI_EVENT"];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn include_dir() -> PathBuf {
    crate_dir().join("sdk/include")
}

fn template_main() -> PathBuf {
    crate_dir().join("../templates/module/src/main.c")
}

/// The two targets modules are compiled for. clang-22 accepts `--target=xtensa`
/// (its driver rejects `-mcpu=esp32`, and its Xtensa assembler cannot emit
/// this object file), so Xtensa is checked on bitcode, which is what the
/// espb pipeline consumes anyway.
fn targets() -> Vec<(&'static str, Vec<&'static str>)> {
    vec![
        ("riscv32", vec!["--target=riscv32-esp-elf", "-march=rv32imc", "-mabi=ilp32"]),
        ("xtensa", vec!["--target=xtensa"]),
    ]
}

fn have_clang() -> bool {
    let ok = Command::new(CLANG).arg("--version").output().map(|o| o.status.success()).unwrap_or(false);
    if !ok {
        eprintln!("SKIPPED: {CLANG} is not installed or does not run; install clang-22 to check the SDK headers");
    }
    ok
}

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("espb-sdk-headers-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs clang with the module flags of `target` plus `extra`; panics with
/// clang's diagnostics on failure and returns stdout.
fn clang(target: &[&str], extra: &[&str], src: &Path) -> String {
    let mut cmd = Command::new(CLANG);
    cmd.args(target)
        .arg("-isystem")
        .arg(NEWLIB)
        .arg("-I")
        .arg(include_dir())
        .args(["-Wall", "-Werror"])
        .args(extra)
        .arg(src);
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {CLANG}: {e}"));
    assert!(out.status.success(), "{cmd:?} failed:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn compile_both(src: &Path, name: &str) {
    let dir = out_dir(name);
    for (tname, target) in targets() {
        let (out, mode): (PathBuf, &[&str]) = if tname == "xtensa" {
            (dir.join(format!("{tname}.bc")), &["-c", "-emit-llvm"])
        } else {
            (dir.join(format!("{tname}.o")), &["-c"])
        };
        let mut extra: Vec<&str> = mode.to_vec();
        let out_s = out.to_str().unwrap().to_string();
        extra.extend(["-O1", "-o", &out_s]);
        clang(&target, &extra, src);
        assert!(out.exists(), "{tname}: clang produced no {}", out.display());
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn template_compiles_for_riscv_and_xtensa() {
    if !have_clang() {
        return;
    }
    compile_both(&template_main(), "template");
}

#[test]
fn abi_layouts_match_esp_idf() {
    if !have_clang() {
        return;
    }
    compile_both(&crate_dir().join("sdk/tests/abi_layout.c"), "abi");
}

/// Every header under sdk/include, as include paths (`freertos/task.h`).
fn all_headers() -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, base, out);
            } else if p.extension().is_some_and(|x| x == "h") {
                out.push(p.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut v = Vec::new();
    walk(&include_dir(), &include_dir(), &mut v);
    v.sort();
    // FreeRTOS headers require FreeRTOS.h first, as in ESP-IDF.
    v.sort_by_key(|h| h != "freertos/FreeRTOS.h");
    v
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Splits preprocessed header text into top-level statements, bodies in
/// braces elided; a function definition ends with its body.
fn top_level_statements(text: &str) -> Vec<String> {
    let mut stmts = Vec::new();
    let mut cur = String::new();
    let mut depth = 0usize;
    let mut in_str = false;
    let mut prev = ' ';
    for c in text.chars() {
        if in_str {
            in_str = !(c == '"' && prev != '\\');
            prev = c;
            if depth == 0 {
                cur.push(c);
            }
            continue;
        }
        prev = c;
        match c {
            '"' => {
                in_str = true;
                if depth == 0 {
                    cur.push(c);
                }
            }
            '{' => {
                if depth == 0 {
                    cur.push_str("{}");
                }
                depth += 1;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    let t = cur.trim_start();
                    let is_type = ["typedef", "struct", "union", "enum"].iter().any(|k| t.starts_with(k));
                    if !is_type && t.contains('(') {
                        stmts.push(std::mem::take(&mut cur));
                    }
                }
            }
            ';' if depth == 0 => stmts.push(std::mem::take(&mut cur)),
            _ if depth == 0 => cur.push(c),
            _ => {}
        }
    }
    stmts
}

/// (functions declared, extern data declared) by the portable headers.
fn header_declarations() -> (BTreeSet<String>, BTreeSet<String>) {
    let dir = out_dir("decls");
    let tu = dir.join("all_headers.c");
    let body: String = all_headers().iter().map(|h| format!("#include \"{h}\"\n")).collect();
    std::fs::write(&tu, body).unwrap();
    let pre = clang(&targets()[0].1, &["-E"], &tu);
    let _ = std::fs::remove_dir_all(dir);

    let inc = include_dir().canonicalize().unwrap();
    let mut ours = String::new();
    let mut in_sdk = false;
    for line in pre.lines() {
        if let Some(rest) = line.strip_prefix("# ")
            && let Some(file) = rest.split('"').nth(1)
        {
            in_sdk = Path::new(file).canonicalize().is_ok_and(|p| p.starts_with(&inc));
            continue;
        }
        if in_sdk {
            ours.push_str(line);
            ours.push('\n');
        }
    }

    let mut funcs = BTreeSet::new();
    let mut data = BTreeSet::new();
    for stmt in top_level_statements(&ours) {
        let s = espb_sys::c_text::strip_attributes(&stmt);
        let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
        if s.is_empty() || s.starts_with("typedef") || s.starts_with("static ") {
            continue;
        }
        // Declared `unavailable`: any use is a compile error, never an import.
        if s.contains("__espb_unavailable_") {
            continue;
        }
        if let Some(paren) = s.find('(') {
            let name: String = s[..paren].trim_end().chars().rev().take_while(|c| is_ident(*c)).collect();
            let name: String = name.chars().rev().collect();
            assert!(!name.is_empty(), "cannot find the declared name in `{s}`");
            funcs.insert(name);
        } else if s.starts_with("extern ") {
            let name: String = s.trim_end().chars().rev().take_while(|c| is_ident(*c)).collect();
            data.insert(name.chars().rev().collect());
        }
    }
    (funcs, data)
}

#[test]
fn header_functions_are_in_the_idf_manifest() {
    if !have_clang() {
        return;
    }
    let manifest = espb_sys::standard_idf_manifest();
    let (funcs, data) = header_declarations();
    assert!(funcs.len() > 150, "suspiciously few declarations found: {funcs:?}");

    let pending: BTreeSet<&str> = PENDING_IN_MANIFEST.iter().map(|p| p.0).collect();
    let mut missing = Vec::new();
    for f in &funcs {
        let live = manifest.lookup(f).is_some_and(|e| e.is_live());
        if live {
            if pending.contains(f.as_str()) {
                eprintln!("note: `{f}` is now in the idf manifest; drop it from PENDING_IN_MANIFEST");
            }
        } else if !pending.contains(f.as_str()) {
            missing.push(f.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "the portable headers declare functions the idf manifest lacks: {missing:?}\n\
         (add them to espb-sys/manifests/idf.espbsym, or remove them from the headers)"
    );
    for (f, why) in PENDING_IN_MANIFEST {
        assert!(funcs.contains(*f), "PENDING_IN_MANIFEST lists `{f}`, which no header declares");
        eprintln!("pending in the idf manifest: {f} (needed by {why})");
    }

    // Data imports: load-time constants and the event bases, nothing else.
    let doc = std::fs::read_to_string(crate_dir().join("../docs/sdk-headers.md"))
        .expect("docs/sdk-headers.md documents the load-time constants");
    let mut other = BTreeSet::new();
    for d in &data {
        if d.starts_with("__espb_cfg_") || d.starts_with("__espb_soc_") {
            assert!(doc.contains(d.as_str()), "`{d}` is not documented in docs/sdk-headers.md");
        } else {
            other.insert(d.as_str());
        }
    }
    let expected: BTreeSet<&str> = DATA_IMPORTS.iter().copied().collect();
    assert_eq!(other, expected, "unexpected data imports in the portable headers");
}

/// The template's bitcode imports only manifest functions and load-time
/// constants, and the FreeRTOS macros expand to the real functions.
#[test]
fn template_imports_resolve() {
    if !have_clang() {
        return;
    }
    let manifest = espb_sys::standard_idf_manifest();
    let pending: BTreeSet<&str> = PENDING_IN_MANIFEST.iter().map(|p| p.0).collect();
    for (tname, target) in targets() {
        let ir = clang(&target, &["-S", "-emit-llvm", "-O1", "-o", "-"], &template_main());
        let mut declared = BTreeSet::new();
        for line in ir.lines().filter(|l| l.starts_with("declare ")) {
            let name = line.split('@').nth(1).unwrap().split('(').next().unwrap();
            if !name.starts_with("llvm.") {
                declared.insert(name.to_string());
            }
        }
        for f in &declared {
            assert!(
                manifest.lookup(f).is_some_and(|e| e.is_live()) || pending.contains(f.as_str()),
                "{tname}: the template imports `{f}`, which the idf manifest lacks"
            );
        }
        for f in [
            "xTaskCreatePinnedToCore",
            "xTimerGenericCommand",
            "xQueueGenericSend",
            "xQueueGenericCreate",
            "xQueueReceive",
            "vTaskDelay",
            "esp_log_write",
            "esp_log_timestamp",
            "esp_timer_create",
            "gpio_set_level",
        ] {
            assert!(declared.contains(f), "{tname}: expected the template to call `{f}`; it calls {declared:?}");
        }
        assert!(
            ir.contains("@__espb_cfg_FREERTOS_HZ = external"),
            "{tname}: pdMS_TO_TICKS must read the tick rate at load time"
        );
    }
}

/// The runtime's table of the types natives call callbacks with
/// (`espb_runtime::module::callbacks::CALLBACK_ARGS`) says what the SDK
/// headers declare: each C type named there is the header's typedef, with
/// as many parameters as the table's module-side type, and a callback in a
/// struct sits at the field the table gives.
#[test]
fn callback_types_match_the_headers() {
    use espb_runtime::module::callbacks::{CALLBACK_ARGS, CallbackAt};
    if !have_clang() {
        return;
    }
    let mut src = String::from(
        "#include <stddef.h>\n#include \"freertos/FreeRTOS.h\"\n#include \"freertos/task.h\"\n\
         #include \"freertos/timers.h\"\n#include \"esp_timer.h\"\n#include \"driver/gpio.h\"\n\
         #include \"esp_event.h\"\n",
    );
    for c in CALLBACK_ARGS {
        let (typedef, c_type) = c.c_type.split_once(", ").expect("`Typedef, C type`");
        let params = c_type.rsplit_once('(').map_or(0, |(_, p)| p.trim_end_matches(')').split(',').count());
        assert_eq!(params, c.params.len(), "{}: {}", c.native, c.c_type);
        src.push_str(&format!(
            "_Static_assert(__builtin_types_compatible_p({typedef}, {c_type}), \"{}: {typedef}\");\n",
            c.native
        ));
        if let CallbackAt::Field { offset, .. } = c.at {
            assert_eq!(c.native, "esp_timer_create", "a new struct callback: name its struct here");
            src.push_str(&format!(
                "_Static_assert(offsetof(esp_timer_create_args_t, callback) == {offset}, \"callback field\");\n"
            ));
        }
    }
    let file = out_dir("callback_types").join("callback_types.c");
    std::fs::write(&file, src).unwrap();
    for (_, target) in targets() {
        clang(&target, &["-fsyntax-only"], &file);
    }
}
