//! Unit tests: small IR snippets through the translator, checked by
//! decoding the produced code.

use super::*;
use espb_runtime::opcodes::Instr;
use inkwell::context::Context;
use inkwell::memory_buffer::MemoryBuffer;

const HEADER: &str =
    "target datalayout = \"e-m:e-p:32:32-i64:64-n32-S128\"\ntarget triple = \"riscv32-esp-unknown-elf\"\n";

pub(crate) fn translate_ll(src: &str) -> Result<Module, TranslateError> {
    let ctx = Context::create();
    let text = format!("{HEADER}{src}");
    let buf = MemoryBuffer::create_from_memory_range_copy(text.as_bytes(), "test.ll");
    let m = match ctx.create_module_from_ir(buf) {
        Ok(m) => m,
        Err(e) => panic!("bad test IR: {e}"),
    };
    translate(&m, &TranslateOptions::default())
}

/// Disassembles function `name` into mnemonic lines.
pub(crate) fn disasm(m: &Module, name: &str) -> Vec<String> {
    let f = m.find_function(name).expect("function exists") as usize;
    let code = &m.functions[f].code;
    let mut pc = 0;
    let mut out = Vec::new();
    while pc < code.len() {
        let (i, next) = Instr::decode(code, pc).expect("decodes");
        out.push(format!("{pc}: {i:?}"));
        pc = next;
    }
    out
}

#[test]
fn add_function() {
    let m = translate_ll("define i32 @add(i32 %a, i32 %b) {\n  %c = add i32 %a, %b\n  ret i32 %c\n}\n").unwrap();
    let d = disasm(&m, "add");
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(m.exports.len(), 1);
}
