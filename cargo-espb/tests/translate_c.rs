//! Real C compiled by clang-22 through the translator.

use cargo_espb::compile::{BuildError, BuildOptions, build_module};
use cargo_espb::translate::TranslateError;
use espb_runtime::Module;
use espb_runtime::isa::Instr;
use std::path::PathBuf;

/// Writes `src` to a fresh temporary `name` and returns its path.
fn c_file(name: &str, src: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join(name);
    std::fs::write(&p, src).expect("write C file");
    (dir, p)
}

fn build(name: &str, src: &str) -> Result<Module, BuildError> {
    let (_d, p) = c_file(name, src);
    build_module(&[p], &[], &BuildOptions::default())
}

fn disasm(m: &Module, f: &str) -> Vec<String> {
    let i = m.find_function(f).expect("function") as usize;
    let code = &m.functions[i].code;
    let mut pc = 0;
    let mut out = Vec::new();
    while pc < code.len() {
        let (ins, next) = Instr::decode(code, pc).expect("decodes");
        out.push(format!("{pc}: {ins:?}"));
        pc = next;
    }
    out
}

#[test]
fn c_program_translates_with_imports_data_and_lines() {
    let src = "#include <stdio.h>\n#include <string.h>\n\
const char *names[] = {\"a\", \"bb\"};\n\
int table[16];\n\
int sum(int *a, int n) { int s = 0; for (int i = 0; i < n; i++) s += a[i]; return s; }\n\
int main(void) { char b[8]; strcpy(b, names[1]); printf(\"%d %s\\n\", sum(table, 16), b); return 0; }\n";
    let m = build("prog.c", src).expect("translates");
    assert!(m.find_function("main").is_some() && m.find_function("sum").is_some());
    assert!(m.imports.iter().any(|i| i.name() == Some("printf")));
    assert!(!m.data.relocs.is_empty(), "names[] holds pointers");
    let lines = m.debug_lines.as_ref().expect("debug lines");
    assert_eq!(lines.files, vec!["prog.c".to_string()]);
    // The loop indexes with load.idx.i32.
    assert!(disasm(&m, "sum").iter().any(|l| l.contains("LoadIdxI32")));
}

#[test]
fn indexed_64_bit_loads_and_stores_take_one_instruction() {
    let src = "double gather(const double *a, const int *ix, int n) {\n\
  double s = 0; for (int i = 0; i < n; i++) s += a[ix[i]]; return s; }\n\
void scatter(long long *a, const int *ix, int n) { for (int i = 0; i < n; i++) a[ix[i]] = i; }\n";
    let m = build("idx.c", src).expect("translates");
    assert!(disasm(&m, "gather").iter().any(|l| l.contains("LoadIdxI64")), "{:?}", disasm(&m, "gather"));
    assert!(disasm(&m, "scatter").iter().any(|l| l.contains("StoreIdxI64")), "{:?}", disasm(&m, "scatter"));
}

#[test]
fn inline_asm_is_unsupported_with_function_and_line() {
    let e = build("blink.c", "int foo(int x) {\n  int y = x + 1;\n  __asm__ volatile(\"nop\");\n  return y;\n}\n")
        .unwrap_err();
    match &e {
        BuildError::Translate(TranslateError::Unsupported { construct, function, location }) => {
            assert_eq!(construct, "inline assembly");
            assert_eq!(function, "foo");
            assert_eq!(location.as_ref().map(|(f, l)| (f.as_str(), *l)), Some(("blink.c", 3)));
        }
        other => panic!("wrong error: {other}"),
    }
    assert_eq!(e.to_string(), "unsupported inline assembly in function `foo` at blink.c:3");
}

#[test]
fn missing_input_is_named() {
    let e = build_module(&[PathBuf::from("/nonexistent/x.c")], &[], &BuildOptions::default()).unwrap_err();
    assert!(matches!(e, BuildError::InputNotFound { .. }), "{e}");
    assert!(e.to_string().contains("/nonexistent/x.c"));
}

#[test]
fn bad_c_reports_clang_diagnostics() {
    let e = build("bad.c", "int f(void) { return undeclared_thing; }\n").unwrap_err();
    let s = e.to_string();
    assert!(matches!(e, BuildError::CompileFailed { .. }), "{s}");
    assert!(s.contains("bad.c"), "{s}");
    assert!(s.contains("undeclared_thing"), "{s}");
}
