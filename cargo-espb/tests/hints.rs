//! `.hints` files: the parser (every error names file:line:col and never a
//! panic), the standard `idf` defaults (names in the manifest, indices that
//! fit the portable headers' declarations), merging with the translator's
//! analysis, and what a user sees: `inspect` output, build errors with
//! file:line, warnings, rebuilds after the hints file changes.

use cargo_espb::hints::{self, HintFile};
use espb_runtime::{ArgSet, CallHints, FuncType, Import, ImportHints, ImportRef, Module, ValType};
use proptest::prelude::*;
use std::path::Path;
use std::process::{Command, Output};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new(".."))
}

fn parse_err(text: &str) -> String {
    match HintFile::parse("t.hints", text) {
        Ok(f) => panic!("{text:?} parsed: {:?}", f.lines),
        Err(e) => e.to_string(),
    }
}

// ------------------------------------------------------------------ parser

#[test]
fn parses_lines_comments_and_blank_lines() {
    let text = "# a comment\n\nxTaskCreatePinnedToCore: cb 0, ctx 3   # trailing\n  vTaskDelay:blocking\r\n\
                my_api : out 0,inout 1 , blocking\nnothing:\n";
    let f = HintFile::parse("t.hints", text).unwrap_or_else(|e| panic!("{e}"));
    let shown: Vec<String> = f.lines.iter().map(|l| format!("{}@{}: {}", l.name, l.line, l.hints)).collect();
    assert_eq!(
        shown,
        [
            "xTaskCreatePinnedToCore@3: cb 0, ctx 3",
            "vTaskDelay@4: blocking",
            "my_api@5: out 0, inout 1, blocking",
            "nothing@6: "
        ]
    );
    assert_eq!(f.get("my_api").map(|l| l.hints.out), Some(ArgSet(1)));
    assert!(f.get("nothing").is_some_and(|l| l.hints.is_empty()));
    assert!(HintFile::parse("empty", "").is_ok_and(|f| f.lines.is_empty()));
}

#[test]
fn every_parse_error_says_where_and_what() {
    let cases = [
        ("a: callback 0", "t.hints:1:4: unknown attribute `callback`"),
        ("\n a: cb", "t.hints:2:5: `cb` needs an argument index: `cb N`, N counted from 0"),
        ("a: cb x", "t.hints:1:7: `x` is not an argument index"),
        ("a: ctx -1", "t.hints:1:8: `-1` is not an argument index"),
        ("a: out 64", "t.hints:1:8: argument index 64 is too large (at most 63)"),
        ("a: out 99999999999", "t.hints:1:8: argument index 99999999999 is too large"),
        ("a: blocking 1", "t.hints:1:13: `blocking` takes no argument index, found `1`"),
        ("a: cb 0 1", "t.hints:1:9: unexpected `1` after `cb 0`"),
        ("a: cb 0,, ctx 1", "t.hints:1:9: empty attribute"),
        ("a: cb 0,", "t.hints:1:9: empty attribute"),
        ("a: cb 0, cb 0", "t.hints:1:10: `cb 0` is given twice for `a`"),
        ("a: out 1, inout 1", "t.hints:1:11: argument 1 of `a` cannot be both `out 1` and `inout 1`"),
        ("a: ctx 2, cb 2", "t.hints:1:11: argument 2 of `a` cannot be both `cb 2` and `ctx 2`"),
        ("a: cb 0\n# x\na: blocking", "t.hints:3:1: `a` already has hints on line 1"),
        ("a cb 0", "t.hints:1:1: expected `:` after the function name in `a cb 0`"),
        ("  : cb 0", "t.hints:1:1: missing function name before `:`"),
        ("my-api: cb 0", "t.hints:1:1: `my-api` is not a function name"),
        ("é: cb 0", "t.hints:1:1: `é` is not a function name"),
        ("ok: cb 0\nb: cb ٣", "t.hints:2:7: `٣` is not an argument index"),
    ];
    for (text, want) in cases {
        let got = parse_err(text);
        assert!(got.starts_with(want), "{text:?}:\n  got  {got}\n  want {want}...");
    }
}

/// Arbitrary text, and lines assembled from near-valid pieces, never make
/// the parser (or the diagnostic renderer) panic; what parses prints back
/// to the same hints.
fn piece() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a", "xTask", "_x1", "1bad", "my-api", "", ":", ": ", ",", ", ", ",,", " ", "\t", "out", "inout", "cb", "ctx",
        "blocking", "callback", "0", "3", "63", "64", "-1", "x", "٣", "#", "# c", "\r", "\n", "é",
    ])
    .prop_map(str::to_string)
}

fn check_parse(text: &str) -> Result<(), TestCaseError> {
    match HintFile::parse("p.hints", text) {
        Ok(f) => {
            for l in &f.lines {
                let again = HintFile::parse("q.hints", &format!("{}: {}", l.name, l.hints))
                    .map_err(|e| TestCaseError::fail(format!("{e}")))?;
                prop_assert_eq!(again.lines.first().map(|m| m.hints), Some(l.hints));
                prop_assert_eq!(l.hints.conflict(), None);
            }
        }
        Err(e) => {
            let s = e.to_string();
            prop_assert!(s.starts_with("p.hints:"), "{}", s);
            prop_assert!(e.line >= 1 && e.line <= text.split('\n').count(), "{} in {:?}", s, text);
            let mut out = String::new();
            let _ = miette::GraphicalReportHandler::new().render_report(&mut out, &e);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        check_parse(&text)?;
    }

    #[test]
    fn assembled_lines_never_panic(pieces in prop::collection::vec(piece(), 0..24)) {
        check_parse(&pieces.concat())?;
        check_parse(&pieces.join(" "))?;
    }
}

// ---------------------------------------------------------------- defaults

#[test]
fn defaults_name_live_idf_entries() {
    let defaults = hints::standard_defaults().unwrap_or_else(|e| panic!("{e}"));
    let manifest = espb_sys::standard_idf_manifest();
    assert!(defaults.lines.len() >= 40, "{} lines", defaults.lines.len());
    for l in &defaults.lines {
        let e = manifest.lookup(&l.name);
        assert!(
            e.is_some_and(|e| !e.removed),
            "{}: `{}` is not a live entry of idf.espbsym",
            defaults.place(l),
            l.name
        );
        assert!(!l.hints.is_empty(), "{}: empty default line", defaults.place(l));
    }
    for (name, want) in [
        ("xTaskCreatePinnedToCore", "cb 0, ctx 3"),
        ("xTimerCreate", "cb 4, ctx 3"),
        ("esp_event_handler_register", "cb 2, ctx 3"),
        ("esp_event_handler_instance_register", "cb 2, ctx 3"),
        ("gpio_isr_handler_add", "cb 1, ctx 2"),
        ("vTaskDelay", "blocking"),
        ("xQueueReceive", "blocking"),
        ("uart_read_bytes", "blocking"),
    ] {
        assert_eq!(defaults.get(name).map(|l| l.hints.to_string()).as_deref(), Some(want), "{name}");
    }
    // The callback of esp_timer_create sits in a struct: said in a comment, no attribute.
    assert!(defaults.get("esp_timer_create").is_none());
    assert!(espb_sys::STANDARD_IDF_HINTS.contains("esp_timer_create_args_t"));
}

/// The runtime's table of callback types (which the loader checks) and the
/// hints (which say which argument is a callback) agree: every callback
/// argument the table types is hinted `cb` for the natives the `idf` table
/// has.
#[test]
fn callback_types_are_for_hinted_callback_arguments() {
    use espb_runtime::module::callbacks::{CALLBACK_ARGS, CallbackAt};
    let defaults = hints::standard_defaults().unwrap_or_else(|e| panic!("{e}"));
    let manifest = espb_sys::standard_idf_manifest();
    let mut checked = 0;
    for c in CALLBACK_ARGS {
        let CallbackAt::Arg(n) = c.at else { continue };
        if manifest.lookup(c.native).is_none_or(|e| e.removed) {
            continue;
        }
        let line = defaults.get(c.native).unwrap_or_else(|| panic!("{} has no hints line", c.native));
        assert!(
            line.hints.cb.contains(u32::from(n)),
            "{}: hinted `{}`, typed callback argument {n}",
            c.native,
            line.hints
        );
        checked += 1;
    }
    assert!(checked >= 6, "only {checked} checked");
}

/// IDF v5 prototypes of the hinted natives the portable SDK does not
/// declare (only the parameter count matters here).
const UNDECLARED: &[(&str, &str)] = &[
    (
        "xTaskCreateStaticPinnedToCore",
        "int xTaskCreateStaticPinnedToCore(void (*)(void *), const char *, uint32_t, void *, unsigned, void *, void *, int);",
    ),
    ("xTimerCreateStatic", "void *xTimerCreateStatic(const char *, uint32_t, int, void *, void (*)(void *), void *);"),
    ("xTimerGenericCommandFromTask", "int xTimerGenericCommandFromTask(void *, int, uint32_t, int *, uint32_t);"),
    ("i2c_master_cmd_begin", "int i2c_master_cmd_begin(int, void *, uint32_t);"),
    ("i2c_master_write_to_device", "int i2c_master_write_to_device(int, uint8_t, const uint8_t *, size_t, uint32_t);"),
    ("i2c_master_read_from_device", "int i2c_master_read_from_device(int, uint8_t, uint8_t *, size_t, uint32_t);"),
    (
        "i2c_master_write_read_device",
        "int i2c_master_write_read_device(int, uint8_t, const uint8_t *, size_t, uint8_t *, size_t, uint32_t);",
    ),
    ("esp_wifi_scan_start", "int esp_wifi_scan_start(const void *, _Bool);"),
];

fn header_text(dir: &Path, out: &mut String) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            header_text(&p, out);
        } else if p.extension().is_some_and(|x| x == "h") {
            out.push_str(&std::fs::read_to_string(&p).unwrap_or_default());
        }
    }
}

/// Every default's argument indices fit the function's declaration: a C
/// file takes the address of each hinted native (declared by the portable
/// headers or newlib, else by [`UNDECLARED`]), the translator records the
/// declared signatures, and merging the defaults reports no misfit.
#[test]
fn defaults_fit_the_declarations() {
    let defaults = hints::standard_defaults().unwrap_or_else(|e| panic!("{e}"));
    let manifest = espb_sys::standard_idf_manifest();
    let sdk = root().join("espb-sys/sdk/include");
    let newlib = Path::new("/usr/include/newlib");
    let mut declared = String::new();
    header_text(&sdk, &mut declared);
    header_text(newlib, &mut declared);

    let mut c = String::from("#include <stdint.h>\n#include <stddef.h>\n#include \"freertos/FreeRTOS.h\"\n");
    let mut refs = String::new();
    for l in &defaults.lines {
        let name = &l.name;
        if declared.contains(&format!("{name}(")) || declared.contains(&format!("{name} (")) {
            let header = manifest.lookup(name).and_then(|e| e.header.clone()).unwrap_or_default();
            assert!(sdk.join(&header).is_file() || newlib.join(&header).is_file(), "{name}: header {header} missing");
            c.push_str(&format!("#include <{header}>\n"));
        } else {
            let Some((_, proto)) = UNDECLARED.iter().find(|(n, _)| n == name) else {
                panic!("{name} is declared neither by the portable SDK nor in UNDECLARED: add its IDF prototype")
            };
            c.push_str(proto);
            c.push('\n');
        }
        refs.push_str(&format!("    (void *) &{name},\n"));
    }
    c.push_str(&format!("void *const used[] = {{\n{refs}}};\nint main(void) {{ return used[0] != 0; }}\n"));

    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let src = dir.path().join("defaults.c");
    std::fs::write(&src, &c).unwrap_or_else(|e| panic!("{e}"));
    let flags = vec!["-I".to_string(), sdk.display().to_string()];
    let mut m = cargo_espb::build_module(&[src], &flags, &cargo_espb::BuildOptions::default())
        .unwrap_or_else(|e| panic!("{e}\n{c}"));
    let warnings = hints::merge(&mut m, &defaults, None).unwrap_or_else(|e| panic!("{e}"));
    assert!(warnings.is_empty(), "{warnings:#?}");
    for l in &defaults.lines {
        let i = m.imports.iter().position(|i| i.name() == Some(l.name.as_str()));
        let got = i.and_then(|i| m.hints_for(i));
        assert_eq!(got, Some(&l.hints), "{}", l.name);
    }
}

// ------------------------------------------------------------------- merge

/// i0 `reg(i32, i32, i32)`, i1 data `_ctype_`, i2 `other(i32)`; analysis
/// found `cb 1` on i0.
fn module_for_merge() -> Module {
    let t3 = FuncType { params: vec![ValType::I32; 3], result: None, variadic_fixed: None };
    let t1 = FuncType { params: vec![ValType::I32], result: None, variadic_fixed: None };
    Module {
        types: vec![t3, t1],
        imports: vec![
            Import::func(ImportRef::Name("reg".into()), 0),
            Import::data(ImportRef::Name("_ctype_".into())),
            Import::func(ImportRef::Name("other".into()), 1),
        ],
        import_hints: vec![ImportHints { import: 0, hints: CallHints { cb: ArgSet(0b10), ..CallHints::default() } }],
        ..Module::default()
    }
}

fn file(text: &str) -> HintFile {
    HintFile::parse("p.hints", text).unwrap_or_else(|e| panic!("{e}"))
}

fn shown(m: &Module) -> Vec<String> {
    m.import_hints.iter().map(|h| format!("i{} {}", h.import, h.hints)).collect()
}

#[test]
fn project_lines_replace_defaults_and_extend_analysis() {
    let defaults = file("reg: blocking\nother: out 0\n");
    // Defaults and analysis.
    let mut m = module_for_merge();
    assert!(hints::merge(&mut m, &defaults, None).is_ok_and(|w| w.is_empty()));
    assert_eq!(shown(&m), ["i0 cb 1, blocking", "i2 out 0"]);
    // A project line replaces the default one; analysis still adds its
    // callback unless the line says otherwise; `other:` clears its default.
    let mut m = module_for_merge();
    let w = hints::merge(&mut m, &defaults, Some(&file("reg: ctx 2\nother:\nabsent: blocking\n")));
    assert_eq!(
        w.unwrap_or_else(|e| panic!("{e}")),
        ["p.hints:3: the module does not import `absent`; this line has no effect"]
    );
    assert_eq!(shown(&m), ["i0 cb 1, ctx 2"]);
    let mut m = module_for_merge();
    assert!(hints::merge(&mut m, &defaults, Some(&file("reg: ctx 1\n"))).is_ok());
    assert_eq!(shown(&m), ["i0 ctx 1", "i2 out 0"]);
}

#[test]
fn project_lines_are_checked_against_the_declaration() {
    let defaults = file("");
    let err = |text: &str| match hints::merge(&mut module_for_merge(), &defaults, Some(&file(text))) {
        Ok(w) => panic!("{text:?} accepted ({w:?})"),
        Err(e) => e.to_string(),
    };
    assert_eq!(
        err("# x\nreg: cb 0, ctx 3"),
        "p.hints:2:12: `ctx 3`: argument 3 is out of range, `reg` takes 3 arguments (indices 0 to 2)"
    );
    assert_eq!(
        err("other: out 1"),
        "p.hints:1:8: `out 1`: argument 1 is out of range, `other` takes 1 argument (index 0)"
    );
    assert!(err("_ctype_: blocking").starts_with("p.hints:1:1: `_ctype_` is a variable of the firmware"));
    // A default that does not fit is a warning, never an error.
    let mut m = module_for_merge();
    let w = hints::merge(&mut m, &file("other: cb 4"), None).unwrap_or_else(|e| panic!("{e}"));
    assert!(w.len() == 1 && w[0].contains("default `other: cb 4` does not fit"), "{w:?}");
}

// ---------------------------------------------------------------- the CLI

fn espb(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-espb"))
        .current_dir(dir)
        .args(args)
        .env_remove("ESPB_CLANG")
        .env_remove("ESPB_CARGO_MESSAGES")
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn ok(o: &Output) -> (String, String) {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "failed: {err}");
    (String::from_utf8_lossy(&o.stdout).into_owned(), err)
}

/// Stderr, with the lines miette wraps at 80 columns joined again.
fn fail(o: &Output) -> String {
    let err = String::from_utf8_lossy(&o.stderr).replace("\n  │ ", " ");
    assert!(!o.status.success(), "unexpected success: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

fn write(p: &Path, text: &str) {
    std::fs::write(p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}

/// The import line of `name` in `inspect` output.
fn import_line<'a>(inspect: &'a str, name: &str) -> &'a str {
    inspect
        .lines()
        .find(|l| l.trim_start().starts_with('i') && l.contains(&format!(": {name}  ")))
        .unwrap_or_else(|| panic!("no import {name} in\n{inspect}"))
}

const CALLBACK_C: &str = r#"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

int my_register(int id, void (*handler)(int), void *ctx);

static void worker(void *arg) { (void) arg; vTaskDelete(NULL); }
static void on_id(int id) { (void) id; }

void app_main(void)
{
    xTaskCreate(worker, "worker", 2048, NULL, 5, NULL);
    my_register(7, on_id, NULL);
    vTaskDelay(pdMS_TO_TICKS(10));
}
"#;

/// A module whose C passes callbacks to natives: analysis marks them, the
/// defaults add contexts and blocking calls, a hints file adds the rest,
/// and `inspect` shows it all plus the address-taken functions.
#[test]
fn inspect_shows_callbacks_and_hints() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = t.path();
    write(&d.join("app.c"), CALLBACK_C);
    write(&d.join("custom.espbsym"), "0 my_register -\n");
    let sdk = root().join("espb-sys/sdk/include").display().to_string();
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "app.c", "--symbols", "custom.espbsym", "-o", "app.espb"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--", "-I", &sdk]);
        espb(d, &args)
    };
    ok(&build(&[]));
    let (out, _) = ok(&espb(d, &["inspect", "app.espb"]));
    assert!(import_line(&out, "xTaskCreatePinnedToCore").ends_with("[cb 0, ctx 3]"), "{out}");
    assert!(import_line(&out, "vTaskDelay").ends_with("[blocking]"), "{out}");
    assert!(import_line(&out, "vTaskDelete").ends_with("[blocking]"), "{out}");
    // No default for my_register: analysis alone finds its callback.
    assert!(import_line(&out, "my_register").ends_with("[cb 1]"), "{out}");
    assert!(out.contains("IMPORT_HINTS"), "{out}");
    assert!(import_line(&out, "__espb_cfg_FREERTOS_HZ").ends_with("  data  [idf slot 406]"), "{out}");
    let callbacks = out.split("callbacks (address-taken functions):\n").nth(1).unwrap_or("");
    assert!(callbacks.contains(" worker\n") && callbacks.contains(" on_id\n"), "{out}");
    // Loads and verifies with the section.
    let m = espb_runtime::format::load(&std::fs::read(d.join("app.espb")).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(m.import_hints.len() >= 4);

    // A hints file adds the context; a line for an absent function warns.
    write(&d.join("app.hints"), "# mine\nmy_register: ctx 2\nnot_called: blocking\n");
    let (_, err) = ok(&build(&["--hints", "app.hints"]));
    assert!(err.contains("warning: app.hints:3: the module does not import `not_called`"), "{err}");
    let (out, _) = ok(&espb(d, &["inspect", "app.espb"]));
    assert!(import_line(&out, "my_register").ends_with("[cb 1, ctx 2]"), "{out}");

    // Errors in the file stop the build, naming file:line:col.
    for (text, want) in [
        ("my_register: callback 1\n", "app.hints:1:14: unknown attribute `callback`"),
        ("\nmy_register: cb\n", "app.hints:2:14: `cb` needs an argument index"),
        ("my_register: cb one\n", "app.hints:1:17: `one` is not an argument index"),
        ("my_register: cb 1\nmy_register: ctx 2\n", "app.hints:2:1: `my_register` already has hints on line 1"),
        ("my_register: out 1, inout 1\n", "app.hints:1:21: argument 1 of `my_register` cannot be both"),
        ("my_register: cb 1, ctx 1\n", "app.hints:1:20: argument 1 of `my_register` cannot be both `cb 1` and `ctx 1`"),
        (
            "my_register: ctx 3\n",
            "app.hints:1:14: `ctx 3`: argument 3 is out of range, `my_register` takes 3 arguments",
        ),
        ("__espb_cfg_FREERTOS_HZ: blocking\n", "app.hints:1:1: `__espb_cfg_FREERTOS_HZ` is a variable"),
    ] {
        write(&d.join("app.hints"), text);
        let err = fail(&build(&["--hints", "app.hints"]));
        assert!(err.contains(want), "{text:?}: stderr should contain {want:?}:\n{err}");
        assert!(err.contains("help:") || err.contains("help"), "{err}");
    }
    let err = fail(&build(&["--hints", "nope.hints"]));
    assert!(err.contains("cannot read hints file nope.hints"), "{err}");
}

/// A project's `[build] hints` file travels into the module; editing it
/// rebuilds the module without recompiling C; a missing file is an error
/// naming the path and the key.
#[test]
fn project_hints_file() {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    ok(&espb(t.path(), &["new", "blinky"]));
    let root = t.path().join("blinky");
    let hints = root.join("blinky.hints");
    let mut text = std::fs::read_to_string(&hints).unwrap_or_default();
    text.push_str("esp_timer_create: out 1\n");
    write(&hints, &text);
    ok(&espb(&root, &["build"]));
    let (out, _) = ok(&espb(&root, &["inspect", "build/blinky.espb"]));
    assert!(import_line(&out, "esp_timer_create").ends_with("[out 1]"), "{out}");
    assert!(import_line(&out, "xTaskCreatePinnedToCore").ends_with("[cb 0, ctx 3]"), "{out}");
    assert!(import_line(&out, "xTimerCreate").ends_with("[cb 4, ctx 3]"), "{out}");
    assert!(import_line(&out, "xQueueReceive").ends_with("[blocking]"), "{out}");
    for f in ["blink_task", "fast_timer_cb", "slow_timer_cb"] {
        assert!(out.contains(&format!(" {f}\n")), "callback {f} missing:\n{out}");
    }

    // Edited hints: C is fresh, the module changes.
    write(&hints, "esp_timer_create: out 1, blocking\n");
    let (_, err) = ok(&espb(&root, &["build"]));
    assert!(err.contains("Fresh src/main.c") && !err.contains("Compiling"), "{err}");
    let (out, _) = ok(&espb(&root, &["inspect", "build/blinky.espb"]));
    assert!(import_line(&out, "esp_timer_create").ends_with("[out 1, blocking]"), "{out}");

    // A typo fails before clang runs, with file:line:col.
    write(&hints, "# ok\nesp_timer_create: out 1 blocking\n");
    let err = fail(&espb(&root, &["build"]));
    assert!(err.contains("blinky.hints:2:25: unexpected `blocking` after `out 1`"), "{err}");
    assert!(err.contains("separate attributes with commas"), "{err}");

    std::fs::remove_file(&hints).unwrap_or_else(|e| panic!("{e}"));
    let err = fail(&espb(&root, &["build"]));
    assert!(err.contains("blinky.hints") && err.contains("`[build] hints`") && err.contains("espb.toml"), "{err}");
}
