//! Shared helpers for the format tests: a tiny assembler with labels, a
//! sample module that uses every section, and a way to build files from raw
//! sections. Included by the other test files with `#[path]`; compiled on
//! its own too (then it has no tests).
#![allow(dead_code)]

use espb_runtime::format::{self, HEADER_SIZE, SECTION_ENTRY_SIZE};
use espb_runtime::isa::{Instr, Regs, Targets, encode_targets};
use espb_runtime::{
    ArgSet, CallHints, Data, DebugLines, Export, FuncType, Function, Import, ImportHints, ImportRef, Layout, LineEntry,
    Module, Reloc, RelocKind, TableRef, ValType,
};

/// Assembles instructions; `at(n)` is the code offset of instruction `n`
/// (instruction sizes never depend on target values, so two passes do).
pub fn asm(build: impl Fn(&dyn Fn(usize) -> u16) -> Vec<Instr<'static>>) -> Vec<u8> {
    let first = build(&|_| 0);
    let mut offsets = Vec::new();
    let mut code = Vec::new();
    for i in &first {
        offsets.push(code.len() as u16);
        i.encode(&mut code);
    }
    offsets.push(code.len() as u16);
    let real = build(&|n| offsets[n]);
    let mut code = Vec::new();
    for i in &real {
        i.encode(&mut code);
    }
    code
}

/// A `Regs` operand with a 'static buffer.
pub fn regs(r: &[u8]) -> Regs<'static> {
    Regs(Box::leak(r.to_vec().into_boxed_slice()))
}

/// A `Targets` operand with a 'static buffer.
pub fn targets(t: &[u16]) -> Targets<'static> {
    Targets(Box::leak(encode_targets(t).into_boxed_slice()))
}

pub fn ty(params: &[ValType], result: Option<ValType>) -> FuncType {
    FuncType { params: params.to_vec(), result, variadic_fixed: None }
}

/// A module using every section, every kind of import and relocation, and
/// every kind of import hint.
/// It verifies.
pub fn sample_module() -> Module {
    use ValType::*;
    let types = vec![
        ty(&[], Some(I32)),                                                              // t0 main
        ty(&[I32, I32], Some(I32)),                                                      // t1 add
        FuncType { params: vec![I32], result: Some(I32), variadic_fixed: Some(1) },      // t2 printf
        ty(&[I32], None),                                                                // t3 sw
        FuncType { params: vec![I32, F64], result: Some(I32), variadic_fixed: Some(1) }, // t4 printf call site
        ty(&[I64, F32, F64], Some(F64)),                                                 // t5 unused
    ];
    let main = asm(|_| {
        vec![
            Instr::ConstI32 { d: 0, v: 10 },
            Instr::ConstI32 { d: 1, v: 32 },
            Instr::Call { f: 1, d: 2, args: regs(&[0, 1]) },
            Instr::DataAddr { d: 3, off: 0 },
            Instr::CallImport { i: 0, ty: 4, d: 3, args: regs(&[3, 2]) },
            Instr::ConstI32 { d: 0, v: 1 },
            Instr::Call { f: 2, d: 0, args: regs(&[0]) },
            Instr::Ret { s: 2 },
        ]
    });
    let add = asm(|at| {
        vec![
            Instr::BrLtSI32 { a: 0, b: 1, t: at(3) },
            Instr::AddI32 { d: 2, a: 0, b: 1 },
            Instr::Ret { s: 2 },
            Instr::SubI32 { d: 2, a: 0, b: 1 },
            Instr::Ret { s: 2 },
        ]
    });
    let sw = asm(|at| {
        vec![
            Instr::BrTable { s: 0, default: at(4), ts: targets(&[at(1), at(3)]) },
            Instr::FuncAddr { d: 1, f: 1 },
            Instr::CallIndirect { p: 1, ty: 1, d: 1, args: regs(&[0, 0]) },
            Instr::ImportAddr { d: 1, i: 1 },
            Instr::RetVoid {},
        ]
    });
    let mut init = b"hello %d\n\0".to_vec();
    init.resize(16, 0);
    Module {
        flags: 0x0001,
        types,
        tables: vec![TableRef { name: "idf".into(), hash: 0xDEAD_BEEF, count: 400 }],
        imports: vec![
            Import::func(ImportRef::Slot { table: 0, index: 42, name: Some("printf".into()) }, 2),
            Import::func(ImportRef::Name("gpio_set_level".into()), 1),
            Import::func(ImportRef::Slot { table: 0, index: 300, name: None }, 3),
        ],
        functions: vec![
            Function { ty: 0, num_regs: 4, frame_size: 0, code: main },
            Function { ty: 1, num_regs: 3, frame_size: 16, code: add },
            Function { ty: 3, num_regs: 2, frame_size: 0, code: sw },
        ],
        data: Data {
            size: 40,
            align: 8,
            init,
            relocs: vec![
                Reloc { offset: 16, kind: RelocKind::Data, target: 0, addend: 0 },
                Reloc { offset: 20, kind: RelocKind::Func, target: 1, addend: 0 },
                Reloc { offset: 24, kind: RelocKind::Import, target: 0, addend: 4 },
                Reloc { offset: 28, kind: RelocKind::Data, target: 40, addend: -1 },
                Reloc { offset: 8, kind: RelocKind::Data, target: 3, addend: -100_000 },
            ],
        },
        exports: vec![Export { name: "main".into(), func: 0 }, Export { name: "add".into(), func: 1 }],
        layout: Layout { stack_size: 4096, heap_size: 8192 },
        names: vec!["main".into(), "add".into(), "sw".into()],
        debug_lines: Some(DebugLines {
            files: vec!["main.c".into(), "util.c".into()],
            functions: vec![
                vec![
                    LineEntry { pc: 0, file: 0, line: 10 },
                    LineEntry { pc: 12, file: 0, line: 11 },
                    LineEntry { pc: 12, file: 0, line: 9 },
                ],
                vec![LineEntry { pc: 0, file: 1, line: 3 }, LineEntry { pc: 11, file: 1, line: 5 }],
                vec![],
            ],
        }),
        import_hints: vec![
            ImportHints { import: 0, hints: CallHints { inout: ArgSet(0b1), blocking: true, ..CallHints::default() } },
            ImportHints { import: 1, hints: CallHints { cb: ArgSet(0b01), ctx: ArgSet(0b10), ..CallHints::default() } },
            ImportHints { import: 2, hints: CallHints { out: ArgSet(0b1), ..CallHints::default() } },
        ],
    }
}

/// The smallest useful module: one exported `void f(void) { }`.
pub fn minimal_module() -> Module {
    Module {
        types: vec![ty(&[], None)],
        functions: vec![Function { ty: 0, num_regs: 1, frame_size: 0, code: vec![0xC4] }],
        ..Module::default()
    }
}

/// A verifiable module around one function of type `t` with `code`:
/// types t0 = `t`, t1 = (i32, i32) -> i32; import i0 of type t1; a helper
/// function f1 of type t1.
pub fn module_with(t: FuncType, num_regs: u16, code: Vec<u8>) -> Module {
    let helper = asm(|_| vec![Instr::Ret { s: 0 }]);
    Module {
        types: vec![t, ty(&[ValType::I32, ValType::I32], Some(ValType::I32))],
        imports: vec![Import::func(ImportRef::Name("native".into()), 1)],
        functions: vec![
            Function { ty: 0, num_regs, frame_size: 0, code },
            Function { ty: 1, num_regs: 2, frame_size: 0, code: helper },
        ],
        ..Module::default()
    }
}

/// The (id, body) sections of a file, in table order.
pub fn sections_of(bytes: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let h = format::read_header(bytes).expect("valid header");
    h.sections.iter().map(|s| (s.id, bytes[s.offset as usize..(s.offset + s.len) as usize].to_vec())).collect()
}

/// Builds a file (with a correct CRC) from sections, written contiguously
/// in the order given.
pub fn build_file(flags: u16, sections: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"ESPB");
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&flags.to_le_bytes());
    out.extend_from_slice(&(sections.len() as u16).to_le_bytes());
    out.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
    let mut off = HEADER_SIZE + SECTION_ENTRY_SIZE * sections.len();
    for (id, body) in sections {
        out.push(*id);
        out.extend_from_slice(&(off as u32).to_le_bytes());
        out.extend_from_slice(&(body.len() as u32).to_le_bytes());
        off += body.len();
    }
    for (_, body) in sections {
        out.extend_from_slice(body);
    }
    format::fix_checksum(&mut out);
    out
}

/// Offset of section-table entry `n` in a file.
pub fn entry_at(n: usize) -> usize {
    HEADER_SIZE + SECTION_ENTRY_SIZE * n
}
