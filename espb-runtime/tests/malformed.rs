//! One test per class of malformed input, each asserting its specific
//! error. Byte-level corruptions fix the CRC up afterwards so the intended
//! check fires; verifier-level ones build a module, encode it and go
//! through the whole `load` path.

#[path = "format_common.rs"]
mod common;

use common::*;
use espb_runtime::format::{self, FormatError, HEADER_SIZE, LoadError, section};
use espb_runtime::isa::{Instr, encode_targets};
use espb_runtime::verify::VerifyError;
use espb_runtime::{
    ArgSet, CallHints, Data, DebugLines, Export, FuncType, Import, ImportHints, ImportRef, Layout, LineEntry, Module,
    Reloc, RelocKind, ValType, load,
};

fn format_err(bytes: &[u8]) -> FormatError {
    match load(bytes) {
        Err(LoadError::Format(e)) => {
            assert!(!e.to_string().is_empty());
            e
        }
        other => panic!("expected a format error, got {other:?}"),
    }
}

fn verify_err(m: &Module) -> VerifyError {
    match load(&format::encode(m)) {
        Err(LoadError::Verify(e)) => {
            assert!(!e.to_string().is_empty());
            e
        }
        other => panic!("expected a verify error, got {other:?}"),
    }
}

fn sample_bytes() -> Vec<u8> {
    format::encode(&sample_module())
}

fn void() -> FuncType {
    common::ty(&[], None)
}
fn i32_to_i32() -> FuncType {
    common::ty(&[ValType::I32], Some(ValType::I32))
}

// ---------------------------------------------------------------- header

#[test]
fn empty_and_short_files() {
    assert_eq!(format_err(&[]), FormatError::TooShort { len: 0 });
    let b = sample_bytes();
    assert_eq!(format_err(&b[..10]), FormatError::TooShort { len: 10 });
    assert_eq!(format_err(&b[..15]), FormatError::TooShort { len: 15 });
}

#[test]
fn wrong_magic() {
    let mut b = sample_bytes();
    b[0] = b'W';
    assert_eq!(format_err(&b), FormatError::BadMagic);
    assert_eq!(format_err(b"\0asm\x01\0\0\0"), FormatError::BadMagic);
}

#[test]
fn unsupported_version() {
    let mut b = sample_bytes();
    b[4..6].copy_from_slice(&2u16.to_le_bytes());
    format::fix_checksum(&mut b);
    assert_eq!(format_err(&b), FormatError::UnsupportedVersion(2));
}

#[test]
fn reserved_field_not_zero() {
    let mut b = sample_bytes();
    b[10] = 1;
    assert_eq!(format_err(&b), FormatError::ReservedNotZero(1));
}

#[test]
fn wrong_checksum() {
    let mut b = sample_bytes();
    let last = b.len() - 1;
    b[last] ^= 0x40;
    let found = crc32fast::hash(&b[HEADER_SIZE..]);
    let expected = u32::from_le_bytes(b[12..16].try_into().unwrap());
    assert_eq!(format_err(&b), FormatError::ChecksumMismatch { expected, found });
}

#[test]
fn truncated_file() {
    // Cut anywhere after the header (CRC fixed up): a section now runs past
    // the end, or the section table does.
    let b = sample_bytes();
    let mut cut = b[..b.len() - 1].to_vec();
    format::fix_checksum(&mut cut);
    assert!(matches!(format_err(&cut), FormatError::SectionOutOfBounds { id: section::IMPORT_HINTS, .. }));
    let mut cut = b[..HEADER_SIZE + 5].to_vec();
    format::fix_checksum(&mut cut);
    assert_eq!(format_err(&cut), FormatError::SectionTableOutOfBounds { count: 10, file_len: HEADER_SIZE + 5 });
}

// ---------------------------------------------------------- section table

#[test]
fn section_past_end() {
    let mut b = sample_bytes();
    let e = entry_at(0);
    b[e + 5..e + 9].copy_from_slice(&10_000u32.to_le_bytes());
    format::fix_checksum(&mut b);
    let file_len = b.len();
    assert!(matches!(
        format_err(&b),
        FormatError::SectionOutOfBounds { id: section::TYPES, len: 10_000, file_len: l, .. } if l == file_len
    ));
}

#[test]
fn section_offset_overflow() {
    let mut b = sample_bytes();
    let e = entry_at(0);
    b[e + 1..e + 5].copy_from_slice(&u32::MAX.to_le_bytes());
    format::fix_checksum(&mut b);
    assert!(matches!(format_err(&b), FormatError::SectionOutOfBounds { offset: u32::MAX, .. }));
}

#[test]
fn section_overlapping_header_or_table() {
    let mut b = sample_bytes();
    let e = entry_at(2);
    b[e + 1..e + 5].copy_from_slice(&20u32.to_le_bytes());
    b[e + 5..e + 9].copy_from_slice(&1u32.to_le_bytes());
    format::fix_checksum(&mut b);
    assert_eq!(
        format_err(&b),
        FormatError::SectionOverlapsHeader { id: section::IMPORTS, offset: 20, table_end: HEADER_SIZE + 10 * 9 }
    );
}

#[test]
fn overlapping_sections() {
    let mut b = sample_bytes();
    // Point EXPORTS (entry 5) one byte into DATA (entry 4).
    let data_off = u32::from_le_bytes(b[entry_at(4) + 1..entry_at(4) + 5].try_into().unwrap());
    let e = entry_at(5);
    b[e + 1..e + 5].copy_from_slice(&(data_off + 1).to_le_bytes());
    format::fix_checksum(&mut b);
    assert_eq!(
        format_err(&b),
        FormatError::OverlappingSections { first: section::DATA, second: section::EXPORTS, offset: data_off + 1 }
    );
}

#[test]
fn duplicate_section() {
    let mut secs = sections_of(&sample_bytes());
    let types = secs[0].clone();
    secs.push(types);
    assert_eq!(format_err(&build_file(0, &secs)), FormatError::DuplicateSection(section::TYPES));
}

#[test]
fn unknown_required_section() {
    let mut secs = sections_of(&sample_bytes());
    secs.push((0x20, vec![1, 2, 3]));
    assert_eq!(format_err(&build_file(0, &secs)), FormatError::UnknownRequiredSection(0x20));
    // Reserved ids this version does not implement are required ones.
    let secs = vec![(section::CALLBACKS, vec![])];
    assert_eq!(format_err(&build_file(0, &secs)), FormatError::UnknownRequiredSection(section::CALLBACKS));
    let secs = vec![(0x00, vec![])];
    assert_eq!(format_err(&build_file(0, &secs)), FormatError::UnknownRequiredSection(0));
}

// ------------------------------------------------------- section contents

/// A file whose only section is `id` with `body`; the body starts at
/// offset 25.
fn one_section(id: u8, body: &[u8]) -> FormatError {
    format_err(&build_file(0, &[(id, body.to_vec())]))
}

#[test]
fn truncated_section() {
    // One type, one param (i32), then the signature byte is missing.
    assert_eq!(one_section(section::TYPES, &[1, 1, 1]), FormatError::Truncated { section: section::TYPES, offset: 28 });
    // An empty LAYOUT section.
    assert_eq!(one_section(section::LAYOUT, &[]), FormatError::Truncated { section: section::LAYOUT, offset: 25 });
    // A code length beyond the section.
    assert_eq!(
        one_section(section::FUNCTIONS, &[1, 0, 1, 0, 9, 0xC4]),
        FormatError::Truncated { section: section::FUNCTIONS, offset: 30 }
    );
}

#[test]
fn trailing_bytes_in_section() {
    assert_eq!(
        one_section(section::LAYOUT, &[1, 2, 3]),
        FormatError::TrailingBytes { section: section::LAYOUT, offset: 27 }
    );
}

#[test]
fn bad_leb() {
    let mut body = vec![0xFF; 10];
    body.push(0x01);
    assert_eq!(one_section(section::LAYOUT, &body), FormatError::BadLeb { section: section::LAYOUT, offset: 25 });
}

#[test]
fn value_out_of_range() {
    // A function type index of 70000 (> u16::MAX).
    assert_eq!(
        one_section(section::FUNCTIONS, &[1, 0xF0, 0xA2, 0x04, 1, 0, 1, 0xC4]),
        FormatError::ValueOutOfRange { section: section::FUNCTIONS, offset: 26, value: 70000, min: 0, max: 65535 }
    );
}

#[test]
fn huge_count_is_rejected_before_allocating() {
    // 2^32-1 functions in a 6-byte section.
    assert_eq!(
        one_section(section::FUNCTIONS, &[0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0]),
        FormatError::CountTooLarge { section: section::FUNCTIONS, offset: 25, count: 0xFFFF_FFFF, remaining: 1 }
    );
    // A huge string length is a plain truncation, never an allocation.
    assert!(matches!(
        one_section(section::NAMES, &[1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        FormatError::Truncated { section: section::NAMES, .. }
    ));
}

#[test]
fn invalid_utf8() {
    assert_eq!(
        one_section(section::EXPORTS, &[1, 2, 0xC3, 0x28, 0]),
        FormatError::Utf8 { section: section::EXPORTS, offset: 26 }
    );
}

#[test]
fn bad_val_type() {
    assert_eq!(
        one_section(section::TYPES, &[1, 1, 9, 0]),
        FormatError::BadValType { section: section::TYPES, offset: 27, byte: 9 }
    );
    // In the result position.
    assert_eq!(
        one_section(section::TYPES, &[1, 0, 5]),
        FormatError::BadValType { section: section::TYPES, offset: 27, byte: 5 }
    );
}

#[test]
fn bad_type_flags() {
    assert_eq!(
        one_section(section::TYPES, &[1, 0, 0x11]),
        FormatError::BadTypeFlags { section: section::TYPES, offset: 27, byte: 0x11 }
    );
}

#[test]
fn bad_import_kind() {
    assert_eq!(
        one_section(section::IMPORTS, &[1, 7, 0, 0]),
        FormatError::BadImportKind { section: section::IMPORTS, offset: 26, kind: 7 }
    );
}

#[test]
fn bad_reloc_kind() {
    // size 8, align 4, no init, one reloc at 0 of kind 9.
    assert_eq!(
        one_section(section::DATA, &[8, 4, 0, 1, 0, 9, 0, 0]),
        FormatError::BadRelocKind { section: section::DATA, offset: 30, kind: 9 }
    );
}

#[test]
fn bad_import_hints_section() {
    // One entry: import 0, flags with a reserved bit.
    assert_eq!(
        one_section(section::IMPORT_HINTS, &[1, 0, 0x20]),
        FormatError::BadHintFlags { section: section::IMPORT_HINTS, offset: 27, byte: 0x20 }
    );
    // The cb flag (bit 3) promises a mask that is missing.
    assert_eq!(
        one_section(section::IMPORT_HINTS, &[1, 0, 0x08]),
        FormatError::Truncated { section: section::IMPORT_HINTS, offset: 28 }
    );
    // An import index beyond u16.
    assert_eq!(
        one_section(section::IMPORT_HINTS, &[1, 0x80, 0x80, 0x04, 0x01]),
        FormatError::ValueOutOfRange { section: section::IMPORT_HINTS, offset: 26, value: 65536, min: 0, max: 65535 }
    );
    // A mask longer than 64 bits.
    let mut body = vec![1, 0, 0x02];
    body.extend_from_slice(&[0xFF; 9]);
    body.push(0x02);
    assert_eq!(
        one_section(section::IMPORT_HINTS, &body),
        FormatError::BadLeb { section: section::IMPORT_HINTS, offset: 28 }
    );
    assert_eq!(
        one_section(section::IMPORT_HINTS, &[0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0]),
        FormatError::CountTooLarge { section: section::IMPORT_HINTS, offset: 25, count: 0xFFFF_FFFF, remaining: 1 }
    );
    assert_eq!(
        one_section(section::IMPORT_HINTS, &[1, 0, 0x01, 0]),
        FormatError::TrailingBytes { section: section::IMPORT_HINTS, offset: 28 }
    );
}

// ------------------------------------------------------- verifier: code

#[test]
fn out_of_range_register() {
    let code = asm(|_| vec![Instr::AddI32 { d: 1, a: 0, b: 4 }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 4, code)),
        VerifyError::RegisterOutOfRange { func: 0, pc: 0, reg: 4, num_regs: 4 }
    );
}

#[test]
fn out_of_range_spill_register() {
    // The 16-bit register numbers of the spill moves, past the window too.
    let code = asm(|_| vec![Instr::MovXL { d: 300, s: 0 }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 300, code)),
        VerifyError::RegisterOutOfRange { func: 0, pc: 0, reg: 300, num_regs: 300 }
    );
    let code = asm(|_| vec![Instr::Nop {}, Instr::MovLX { d: 0, s: 0xFFFF }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 4096, code)),
        VerifyError::RegisterOutOfRange { func: 0, pc: 1, reg: 0xFFFF, num_regs: 4096 }
    );
    // The window's one-byte registers are checked against a large frame too.
    let code = asm(|_| vec![Instr::MovXL { d: 199, s: 255 }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 200, code)),
        VerifyError::RegisterOutOfRange { func: 0, pc: 0, reg: 255, num_regs: 200 }
    );
}

#[test]
fn out_of_range_register_in_call_arguments() {
    let code = asm(|_| vec![Instr::Nop {}, Instr::Call { f: 1, d: 0, args: regs(&[0, 9]) }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 2, code)),
        VerifyError::RegisterOutOfRange { func: 0, pc: 1, reg: 9, num_regs: 2 }
    );
}

#[test]
fn out_of_range_function_index() {
    let code = asm(|_| vec![Instr::Call { f: 2, d: 0, args: regs(&[0, 0]) }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 1, code)),
        VerifyError::IndexOutOfRange { func: 0, pc: 0, what: "function", index: 2, count: 2 }
    );
    let code = asm(|_| vec![Instr::FuncAddr { d: 0, f: 7 }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 1, code)),
        VerifyError::IndexOutOfRange { func: 0, pc: 0, what: "function", index: 7, count: 2 }
    );
}

#[test]
fn out_of_range_import_index() {
    let code = asm(|_| vec![Instr::CallImport { i: 1, ty: 1, d: 0, args: regs(&[0, 0]) }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 1, code)),
        VerifyError::IndexOutOfRange { func: 0, pc: 0, what: "import", index: 1, count: 1 }
    );
    let code = asm(|_| vec![Instr::ImportAddr { d: 0, i: 3 }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 1, code)),
        VerifyError::IndexOutOfRange { func: 0, pc: 0, what: "import", index: 3, count: 1 }
    );
}

#[test]
fn out_of_range_type_index() {
    let code = asm(|_| vec![Instr::CallIndirect { p: 0, ty: 2, d: 0, args: regs(&[]) }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 1, code)),
        VerifyError::IndexOutOfRange { func: 0, pc: 0, what: "type", index: 2, count: 2 }
    );
    let code = asm(|_| vec![Instr::CallImport { i: 0, ty: 5, d: 0, args: regs(&[]) }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 1, code)),
        VerifyError::IndexOutOfRange { func: 0, pc: 0, what: "type", index: 5, count: 2 }
    );
}

#[test]
fn branch_into_the_middle_of_an_instruction() {
    let code = asm(|_| vec![Instr::ConstI32 { d: 0, v: 0 }, Instr::Br { t: 2 }]);
    assert_eq!(verify_err(&module_with(void(), 1, code)), VerifyError::BadBranchTarget { func: 0, pc: 6, target: 2 });
}

#[test]
fn branch_past_the_end() {
    let code = asm(|at| vec![Instr::BrIf { c: 0, t: at(2) }, Instr::RetVoid {}]);
    assert_eq!(verify_err(&module_with(void(), 1, code)), VerifyError::BadBranchTarget { func: 0, pc: 0, target: 5 });
}

#[test]
fn bad_branch_table_entry() {
    let code = asm(|at| vec![Instr::BrTable { s: 0, default: at(1), ts: targets(&[at(1), 1000]) }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 1, code)),
        VerifyError::BadBranchTarget { func: 0, pc: 0, target: 1000 }
    );
    // The default target too.
    let code = asm(|at| vec![Instr::BrTable { s: 0, default: 1, ts: targets(&[at(1)]) }, Instr::RetVoid {}]);
    assert_eq!(verify_err(&module_with(void(), 1, code)), VerifyError::BadBranchTarget { func: 0, pc: 0, target: 1 });
    let _ = encode_targets(&[]);
}

#[test]
fn unknown_opcode() {
    assert_eq!(
        verify_err(&module_with(void(), 1, vec![0x00, 0xFF, 0xC4])),
        VerifyError::UnknownOpcode { func: 0, pc: 1, byte: 0xFF }
    );
}

#[test]
fn truncated_instruction() {
    assert_eq!(
        verify_err(&module_with(void(), 1, vec![0xC4, 0x02, 0x00, 0x01])),
        VerifyError::TruncatedInstr { func: 0, pc: 1, mnemonic: "const.i32" }
    );
}

#[test]
fn missing_terminator() {
    let code = asm(|_| vec![Instr::RetVoid {}, Instr::Mov { d: 0, s: 0 }]);
    assert_eq!(
        verify_err(&module_with(void(), 1, code)),
        VerifyError::MissingTerminator { func: 0, pc: 1, mnemonic: "mov" }
    );
}

#[test]
fn empty_code() {
    assert_eq!(verify_err(&module_with(void(), 1, vec![])), VerifyError::EmptyCode { func: 0 });
}

#[test]
fn wrong_arg_count() {
    let code = asm(|_| vec![Instr::Call { f: 1, d: 0, args: regs(&[0]) }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 1, code)),
        VerifyError::ArgCountMismatch { func: 0, pc: 0, expected: 2, found: 1 }
    );
    let code = asm(|_| vec![Instr::CallImport { i: 0, ty: 0, d: 0, args: regs(&[0]) }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 1, code)),
        VerifyError::ArgCountMismatch { func: 0, pc: 0, expected: 0, found: 1 }
    );
    let code = asm(|_| vec![Instr::CallIndirect { p: 0, ty: 1, d: 0, args: regs(&[0, 0, 0]) }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 1, code)),
        VerifyError::ArgCountMismatch { func: 0, pc: 0, expected: 2, found: 3 }
    );
}

#[test]
fn ret_kind_must_match_result() {
    let code = asm(|_| vec![Instr::Ret { s: 0 }]);
    assert_eq!(verify_err(&module_with(void(), 1, code)), VerifyError::RetInVoidFunction { func: 0, pc: 0 });
    let code = asm(|_| vec![Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(i32_to_i32(), 1, code)),
        VerifyError::RetVoidInNonVoidFunction { func: 0, pc: 0 }
    );
}

#[test]
fn bad_selectors() {
    let cases: [(Instr<'static>, &str, &str, u8); 8] = [
        (Instr::Convert { d: 0, s: 0, k: 18 }, "convert", "conversion", 18),
        (Instr::FUnary { d: 0, s: 0, k: 16 }, "funary", "function", 16),
        (Instr::FBinary { d: 0, a: 0, b: 0, k: 8 }, "fbinary", "function", 8),
        (Instr::CmpF32 { d: 0, a: 0, b: 0, p: 16 }, "cmp.f32", "predicate", 16),
        (Instr::CmpF64 { d: 0, a: 0, b: 0, p: 255 }, "cmp.f64", "predicate", 255),
        // 31 lies between the operations (0..=30) and the compares (32..=47).
        (Instr::F128 { dlo: 0, dhi: 0, alo: 0, ahi: 0, blo: 0, bhi: 0, k: 31 }, "f128", "operation", 31),
        (Instr::F128 { dlo: 0, dhi: 0, alo: 0, ahi: 0, blo: 0, bhi: 0, k: 48 }, "f128", "operation", 48),
        (Instr::ComplexF128 { dst: 0, src: 0, k: 2 }, "complex.f128", "operation", 2),
    ];
    for (i, mnemonic, operand, value) in cases {
        let code = asm(|_| vec![i, Instr::RetVoid {}]);
        assert_eq!(
            verify_err(&module_with(void(), 1, code)),
            VerifyError::BadSelector { func: 0, pc: 0, mnemonic, operand, value }
        );
    }
}

// -------------------------------------------------- verifier: module level

#[test]
fn bad_num_regs() {
    let ret = asm(|_| vec![Instr::Ret { s: 0 }]);
    assert_eq!(
        verify_err(&module_with(i32_to_i32(), 0, ret.clone())),
        VerifyError::BadNumRegs { func: 0, num_regs: 0, params: 1 }
    );
    let two = common::ty(&[ValType::I32, ValType::I64], Some(ValType::I32));
    assert_eq!(
        verify_err(&module_with(two, 1, ret.clone())),
        VerifyError::BadNumRegs { func: 0, num_regs: 1, params: 2 }
    );
    // Past the window (spilled registers) is fine, past MAX_REGS is not.
    assert!(load(&format::encode(&module_with(i32_to_i32(), 4096, ret.clone()))).is_ok());
    assert_eq!(
        verify_err(&module_with(i32_to_i32(), 4097, ret)),
        VerifyError::BadNumRegs { func: 0, num_regs: 4097, params: 1 }
    );
}

#[test]
fn bad_frame_size() {
    let mut m = minimal_module();
    m.functions[0].frame_size = 24;
    assert_eq!(verify_err(&m), VerifyError::BadFrameSize { func: 0, frame_size: 24 });
}

#[test]
fn function_type_out_of_range() {
    let mut m = minimal_module();
    m.functions[0].ty = 1;
    assert_eq!(verify_err(&m), VerifyError::FunctionTypeOutOfRange { func: 0, ty: 1, count: 1 });
}

#[test]
fn import_type_and_table_out_of_range() {
    let mut m = minimal_module();
    m.imports.push(Import::func(ImportRef::Name("x".into()), 3));
    assert_eq!(verify_err(&m), VerifyError::ImportTypeOutOfRange { import: 0, ty: 3, count: 1 });
    m.imports[0] = Import::func(ImportRef::Slot { table: 0, index: 1, name: None }, 0);
    assert_eq!(verify_err(&m), VerifyError::ImportTableOutOfRange { import: 0, table: 0, count: 0 });
}

#[test]
fn bad_variadic_type() {
    let mut m = minimal_module();
    m.types.push(FuncType { params: vec![ValType::I32], result: None, variadic_fixed: Some(2) });
    assert_eq!(verify_err(&m), VerifyError::BadVariadic { ty: 1, fixed: 2, params: 1 });
}

fn with_data(data: Data) -> Module {
    Module { data, ..minimal_module() }
}

#[test]
fn data_init_larger_than_size() {
    let m = with_data(Data { size: 2, align: 4, init: vec![1, 2, 3], relocs: vec![] });
    assert_eq!(verify_err(&m), VerifyError::InitTooLarge { init: 3, size: 2 });
}

#[test]
fn data_align_not_power_of_two() {
    let m = with_data(Data { size: 8, align: 3, init: vec![], relocs: vec![] });
    assert_eq!(verify_err(&m), VerifyError::BadDataAlign { align: 3 });
    let m = with_data(Data { size: 8, align: 0, init: vec![], relocs: vec![] });
    assert_eq!(verify_err(&m), VerifyError::BadDataAlign { align: 0 });
    let m = with_data(Data { size: 8, align: 1 << 20, init: vec![], relocs: vec![] });
    assert_eq!(verify_err(&m), VerifyError::BadDataAlign { align: 1 << 20 });
}

#[test]
fn memory_too_large() {
    let mut m = with_data(Data { size: u32::MAX - 10, align: 4, init: vec![], relocs: vec![] });
    m.layout = Layout { stack_size: 8, heap_size: 8 };
    assert_eq!(verify_err(&m), VerifyError::MemoryTooLarge { data: u32::MAX - 10, stack: 8, heap: 8 });
}

#[test]
fn relocation_outside_data() {
    let r = Reloc { offset: 5, kind: RelocKind::Data, target: 0, addend: 0 };
    let m = with_data(Data { size: 8, align: 4, init: vec![], relocs: vec![r] });
    assert_eq!(verify_err(&m), VerifyError::RelocOutOfRange { reloc: 0, offset: 5, size: 8 });
    let r = Reloc { offset: u32::MAX, ..r };
    let m = with_data(Data { size: 8, align: 4, init: vec![], relocs: vec![r] });
    assert_eq!(verify_err(&m), VerifyError::RelocOutOfRange { reloc: 0, offset: u32::MAX, size: 8 });
}

#[test]
fn relocation_target_out_of_range() {
    let ok = Reloc { offset: 0, kind: RelocKind::Data, target: 8, addend: 0 };
    for (kind, target, count) in [(RelocKind::Data, 9, 8), (RelocKind::Func, 1, 1), (RelocKind::Import, 0, 0)] {
        let r = Reloc { offset: 4, kind, target, addend: 0 };
        let m = with_data(Data { size: 8, align: 4, init: vec![], relocs: vec![ok, r] });
        assert_eq!(verify_err(&m), VerifyError::RelocTargetOutOfRange { reloc: 1, kind, target, count });
    }
}

#[test]
fn export_out_of_range_and_duplicate() {
    let mut m = minimal_module();
    m.exports = vec![Export { name: "f".into(), func: 1 }];
    assert_eq!(verify_err(&m), VerifyError::ExportOutOfRange { export: 0, func: 1, count: 1 });
    m.exports = vec![Export { name: "f".into(), func: 0 }, Export { name: "f".into(), func: 0 }];
    assert_eq!(verify_err(&m), VerifyError::DuplicateExport { name: "f".into() });
}

#[test]
fn more_names_than_functions() {
    let mut m = minimal_module();
    m.names = vec!["a".into(), "b".into()];
    assert_eq!(verify_err(&m), VerifyError::TooManyNames { names: 2, functions: 1 });
}

fn with_lines(files: usize, entries: Vec<Vec<LineEntry>>) -> Module {
    let mut m = sample_module();
    m.debug_lines = Some(DebugLines { files: (0..files).map(|i| format!("f{i}.c")).collect(), functions: entries });
    m
}

#[test]
fn debug_lines_out_of_range() {
    let e = |pc, file, line| LineEntry { pc, file, line };
    let m = with_lines(1, vec![vec![], vec![e(0, 0, 1), e(17, 0, 2)]]);
    assert_eq!(verify_err(&m), VerifyError::LineOutOfRange { func: 1, entry: 1, pc: 17, code_len: 17 });
    let m = with_lines(1, vec![vec![e(0, 1, 1)]]);
    assert_eq!(verify_err(&m), VerifyError::LineBadFile { func: 0, entry: 0, file: 1, files: 1 });
    let m = with_lines(1, vec![vec![e(4, 0, 1), e(3, 0, 1)]]);
    assert_eq!(verify_err(&m), VerifyError::LinesUnsorted { func: 0, entry: 1 });
    let m = with_lines(1, vec![vec![], vec![], vec![], vec![]]);
    assert_eq!(verify_err(&m), VerifyError::TooManyLineFunctions { entries: 4, functions: 3 });
}

#[test]
fn too_many_symbol_tables() {
    let mut m = minimal_module();
    m.tables = (0..257).map(|i| espb_runtime::TableRef { name: format!("t{i}"), hash: i, count: 1 }).collect();
    assert_eq!(verify_err(&m), VerifyError::TooMany { what: "symbol tables", count: 257, max: 256 });
}

// ------------------------------------------------------ verifier: hints

fn hint(import: u16, hints: CallHints) -> ImportHints {
    ImportHints { import, hints }
}

/// `module_with`'s import i0 takes (i32, i32); a data import i1 is added.
fn with_hints(hints: Vec<ImportHints>) -> Module {
    let code = asm(|_| vec![Instr::RetVoid {}]);
    let mut m = module_with(void(), 1, code);
    m.imports.push(Import::data(ImportRef::Name("_ctype_".into())));
    m.import_hints = hints;
    m
}

#[test]
fn import_hints_verify() {
    let cb0 = CallHints { cb: ArgSet(0b01), ctx: ArgSet(0b10), blocking: true, ..CallHints::default() };
    assert_eq!(
        load(&format::encode(&with_hints(vec![hint(0, cb0)]))).map(Module::from),
        Ok(with_hints(vec![hint(0, cb0)]))
    );

    let m = with_hints(vec![hint(0, cb0), hint(0, cb0)]);
    assert_eq!(verify_err(&m), VerifyError::HintsUnsorted { entry: 1, import: 0 });
    let m = with_hints(vec![hint(2, cb0)]);
    assert_eq!(verify_err(&m), VerifyError::HintImportOutOfRange { entry: 0, import: 2, count: 2 });
    let m = with_hints(vec![hint(1, CallHints { blocking: true, ..CallHints::default() })]);
    assert_eq!(verify_err(&m), VerifyError::HintOnDataImport { import: 1 });
    let m = with_hints(vec![hint(0, CallHints { ctx: ArgSet(1 << 2), ..CallHints::default() })]);
    assert_eq!(verify_err(&m), VerifyError::HintArgOutOfRange { import: 0, role: "ctx", arg: 2, params: 2 });
    let m = with_hints(vec![hint(0, CallHints { out: ArgSet(1 << 63), ..CallHints::default() })]);
    assert_eq!(verify_err(&m), VerifyError::HintArgOutOfRange { import: 0, role: "out", arg: 63, params: 2 });
    let m = with_hints(vec![hint(0, CallHints { out: ArgSet(0b10), inout: ArgSet(0b10), ..CallHints::default() })]);
    assert_eq!(verify_err(&m), VerifyError::HintConflict { import: 0, arg: 1, first: "out", second: "inout" });
    let m = with_hints(vec![hint(0, CallHints { cb: ArgSet(0b11), ctx: ArgSet(0b10), ..CallHints::default() })]);
    assert_eq!(verify_err(&m), VerifyError::HintConflict { import: 0, arg: 1, first: "cb", second: "ctx" });
}

#[test]
fn remainder_branch_checks_its_target_and_registers() {
    let code = asm(|_| vec![Instr::RemUBrEqzI32 { d: 0, a: 0, b: 0, t: 3 }, Instr::RetVoid {}]);
    assert_eq!(verify_err(&module_with(void(), 1, code)), VerifyError::BadBranchTarget { func: 0, pc: 0, target: 3 });
    let code = asm(|at| vec![Instr::RemUBrNezI32 { d: 0, a: 0, b: 2, t: at(1) }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 2, code)),
        VerifyError::RegisterOutOfRange { func: 0, pc: 0, reg: 2, num_regs: 2 }
    );
}

#[test]
fn load_multiply_add_checks_its_registers() {
    let code = asm(|_| vec![Instr::LoadMulAddI32 { d: 0, a: 1, off: 4, b: 0, c: 3 }, Instr::RetVoid {}]);
    assert_eq!(
        verify_err(&module_with(void(), 3, code)),
        VerifyError::RegisterOutOfRange { func: 0, pc: 0, reg: 3, num_regs: 3 }
    );
}
