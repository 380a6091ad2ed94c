//! Round trips of hand-built modules through encode/decode, section-table
//! rules that must be accepted, the disassembler, and size overhead.

#[path = "format_common.rs"]
mod common;

use common::*;
use espb_runtime::format::{self, HEADER_SIZE, SECTION_ENTRY_SIZE, section};
use espb_runtime::isa::{Instr, Opcode, OperandKind};
use espb_runtime::{DebugLines, Function, Layout, Module, ValType, disasm, load, verify};

#[test]
fn sample_round_trips_and_verifies() {
    let m = sample_module();
    verify::verify(&m).expect("sample verifies");
    let bytes = format::encode(&m);
    assert_eq!(format::decode(&bytes), Ok(m.clone()));
    assert_eq!(load(&bytes).map(Module::from), Ok(m.clone()));
    // Encoding is deterministic and stable through a decode.
    assert_eq!(format::encode(&format::decode(&bytes).unwrap()), bytes);
}

#[test]
fn minimal_and_empty_modules_round_trip() {
    for m in [minimal_module(), Module::default()] {
        let bytes = format::encode(&m);
        assert_eq!(load(&bytes).map(Module::from), Ok(m));
    }
    // An empty module is just a header.
    assert_eq!(format::encode(&Module::default()).len(), HEADER_SIZE);
}

#[test]
fn optional_parts_round_trip_exactly() {
    // Default layout (LAYOUT omitted), no data, empty debug lines (kept as
    // Some), slot import without a name.
    let mut m = minimal_module();
    m.debug_lines = Some(DebugLines::default());
    let bytes = format::encode(&m);
    let ids: Vec<u8> = sections_of(&bytes).iter().map(|s| s.0).collect();
    assert_eq!(ids, [section::TYPES, section::FUNCTIONS, section::DEBUG_LINES]);
    assert_eq!(format::decode(&bytes), Ok(m.clone()));

    m.debug_lines = None;
    m.layout = Layout { stack_size: 0, heap_size: u32::MAX };
    assert_eq!(format::decode(&format::encode(&m)), Ok(m));
}

#[test]
fn extreme_values_round_trip() {
    let mut m = sample_module();
    m.flags = u16::MAX;
    m.functions[1].frame_size = u32::MAX - 15;
    m.data.relocs[0].addend = i32::MIN;
    m.data.relocs[1].addend = i32::MAX;
    m.data.relocs[2].offset = u32::MAX;
    m.data.relocs[2].target = u32::MAX;
    m.tables[0].hash = u32::MAX;
    m.debug_lines.as_mut().unwrap().functions[0][0].line = u32::MAX;
    m.debug_lines.as_mut().unwrap().functions[0][1].line = 0;
    m.names[0] = "名前 ✓".into();
    let bytes = format::encode(&m);
    assert_eq!(format::decode(&bytes), Ok(m));
}

#[test]
fn sections_in_any_order_with_gaps() {
    let m = sample_module();
    let mut secs = sections_of(&format::encode(&m));
    secs.reverse();
    let bytes = build_file(m.flags, &secs);
    assert_eq!(format::decode(&bytes), Ok(m.clone()));

    // Padding between sections is allowed.
    let padded: Vec<(u8, Vec<u8>)> = secs.clone();
    let mut bytes = build_file(m.flags, &padded);
    let h = format::read_header(&bytes).unwrap();
    let table_end = HEADER_SIZE + SECTION_ENTRY_SIZE * h.sections.len();
    let mut body = Vec::new();
    for (i, (_, b)) in padded.iter().enumerate() {
        let off = table_end + body.len() + 3;
        body.extend_from_slice(&[0xAA; 3]);
        body.extend_from_slice(b);
        let e = entry_at(i);
        bytes[e + 1..e + 5].copy_from_slice(&(off as u32).to_le_bytes());
    }
    bytes.truncate(table_end);
    bytes.extend_from_slice(&body);
    format::fix_checksum(&mut bytes);
    assert_eq!(format::decode(&bytes), Ok(m));
}

#[test]
fn unknown_optional_sections_are_skipped() {
    let m = sample_module();
    let mut secs = sections_of(&format::encode(&m));
    secs.insert(1, (0x7F, b"future stuff".to_vec()));
    secs.push((0xFF, vec![]));
    secs.push((0xFF, vec![1, 2, 3])); // unknown optional ids may repeat
    secs.push((section::NATIVE_CODE, vec![0x13, 0, 0, 0]));
    let bytes = build_file(m.flags, &secs);
    assert_eq!(load(&bytes).map(Module::from), Ok(m));
}

#[test]
fn disassembly_shows_resolved_names() {
    let bytes = format::encode(&sample_module());
    let text = disasm::disassemble(&bytes).expect("decodes");
    for want in [
        ".espb v1  flags 0x0001",
        "FUNCTIONS",
        "t2: (i32, ...) -> i32",
        "t4: (i32, ... f64) -> i32",
        "i2: idf[300]  t3 (i32) -> void  [idf slot 300]  [out 0]",
        "i0: printf  t2 (i32, ...) -> i32  [idf slot 42]  [inout 0, blocking]",
        "i1: gpio_set_level  t1 (i32, i32) -> i32  [cb 0, ctx 1]",
        "callbacks (address-taken functions):\n  f1 add\n",
        "IMPORT_HINTS",
        "main -> f0 main",
        "reloc @0x0018 = i0 printf +4",
        "layout: stack 4096 bytes, heap 8192 bytes",
        "func f1 add: t1 (i32, i32) -> i32  regs 3  frame 16",
        "0x0000: const.i32 r0, 10",
        "call f1 <add>, r2, (r0, r1)",
        "call.import i0 <printf>, t4 (i32, ... f64) -> i32, r3, (r3, r2)",
        "0x0000: br.lt.s.i32 r0, r1, @0x000b",
        "br.table r0, @0x001a, [@0x000a, @0x0016]",
        "func.addr r1, f1 <add>",
        "import.addr r1, i1 <gpio_set_level>",
        "ret.void",
    ] {
        assert!(text.contains(want), "missing {want:?} in\n{text}");
    }
}

#[test]
fn disassembler_prints_every_opcode_from_the_table() {
    let mut code = Vec::new();
    for &op in Opcode::ALL {
        code.push(op as u8);
        for &(_, k) in op.operands() {
            match k {
                OperandKind::Args => code.extend_from_slice(&[1, 0]),
                OperandKind::Targets => code.extend_from_slice(&[1, 0, 0, 0]),
                k => code.extend(std::iter::repeat_n(0, k.fixed_size().unwrap())),
            }
        }
    }
    let m = Module {
        functions: vec![Function { ty: 0, num_regs: 1, frame_size: 0, code: code.clone() }],
        ..Module::default()
    };
    let text = disasm::disassemble_module(&m);
    for &op in Opcode::ALL {
        assert!(text.contains(&format!(": {}", op.mnemonic())), "{op:?} missing");
    }
    assert!(!text.contains(".bytes"));
    // Garbage is shown, not a panic.
    let m = Module {
        functions: vec![Function { ty: 9, num_regs: 1, frame_size: 0, code: vec![0x00, 0xFF, 0x01] }],
        ..Module::default()
    };
    let text = disasm::disassemble_module(&m);
    assert!(text.contains("0x0001: .bytes ff 01"), "{text}");
    assert!(text.contains("t9 <?>"), "{text}");
    if std::env::var("SHOW_DISASM").is_ok() {
        println!("{}", disasm::disassemble(&format::encode(&sample_module())).unwrap());
    }
}

/// Header + section table overhead, measured. The header is 16 bytes and
/// each present section costs a 9-byte table entry; empty sections (and a
/// default LAYOUT) are left out.
#[test]
fn encoded_size_overhead() {
    let min = minimal_module();
    let bytes = format::encode(&min);
    let h = format::read_header(&bytes).unwrap();
    assert_eq!(h.sections.len(), 2); // TYPES, FUNCTIONS
    assert_eq!(h.overhead(), HEADER_SIZE + 2 * SECTION_ENTRY_SIZE);
    // TYPES: count, nparams, sig = 3; FUNCTIONS: count, ty, regs, frame, len, code = 6.
    assert_eq!(bytes.len(), 16 + 18 + 3 + 6);

    let sample = sample_module();
    let bytes = format::encode(&sample);
    let h = format::read_header(&bytes).unwrap();
    assert_eq!(h.sections.len(), 10);
    assert_eq!(h.overhead(), 16 + 10 * 9);
    let code: usize = sample.functions.iter().map(|f| f.code.len()).sum();
    println!(
        "minimal module {} bytes; sample module {} bytes: header+table {} bytes, code {code} bytes, data init {} bytes",
        format::encode(&min).len(),
        bytes.len(),
        h.overhead(),
        sample.data.init.len()
    );
    for s in &h.sections {
        println!("  {:<12} {:>4} bytes", format::section_name(s.id), s.len);
    }
}

#[test]
fn leb_counts_keep_sections_compact() {
    // 200 one-instruction functions: per function 5 bytes (ty, regs, frame,
    // len, code), plus a 2-byte count.
    let mut m = minimal_module();
    m.functions = vec![m.functions[0].clone(); 200];
    let bytes = format::encode(&m);
    let h = format::read_header(&bytes).unwrap();
    let f = h.sections.iter().find(|s| s.id == section::FUNCTIONS).unwrap();
    assert_eq!(f.len, 2 + 200 * 5);
    assert_eq!(load(&bytes).map(Module::from), Ok(m));
}

#[test]
fn load_accepts_what_verify_accepts() {
    let mut m = sample_module();
    m.types.push(common::ty(&[ValType::F32], None));
    let bytes = format::encode(&m);
    assert!(load(&bytes).is_ok());
    let _ = Instr::Nop {}; // keep the import used in every configuration
}

#[test]
fn import_hints_round_trip_and_cost_few_bytes() {
    use espb_runtime::{ArgSet, CallHints, ImportHints};
    let sample = sample_module();
    // Modules without hints have no IMPORT_HINTS section (and old files
    // decode with none).
    let mut bare = sample.clone();
    bare.import_hints.clear();
    let bytes = format::encode(&bare);
    assert!(sections_of(&bytes).iter().all(|s| s.0 != section::IMPORT_HINTS));
    assert_eq!(load(&bytes).map(Module::from), Ok(bare.clone()));

    // `xTaskCreatePinnedToCore: cb 0, ctx 3` is 4 bytes: import, flags, two one-byte masks;
    // `vTaskDelay: blocking` is 2 bytes; plus the count and the 9-byte table entry.
    let mut m = bare.clone();
    m.types.push(common::ty(&[ValType::I32; 4], Some(ValType::I32)));
    m.imports[1].ty = m.types.len() as u16 - 1;
    m.import_hints = vec![
        ImportHints { import: 1, hints: CallHints { cb: ArgSet(1), ctx: ArgSet(1 << 3), ..CallHints::default() } },
        ImportHints { import: 2, hints: CallHints { blocking: true, ..CallHints::default() } },
    ];
    let with = format::encode(&m);
    let h = format::read_header(&with).unwrap();
    let s = h.sections.iter().find(|s| s.id == section::IMPORT_HINTS).unwrap();
    assert_eq!(s.len, 1 + 4 + 2);
    let mut m_bare = m.clone();
    m_bare.import_hints.clear();
    assert_eq!(with.len(), format::encode(&m_bare).len() + 9 + 7);
    assert_eq!(load(&with).map(Module::from), Ok(m.clone()));
    assert_eq!(m.hints_for(1).map(|h| h.to_string()).as_deref(), Some("cb 0, ctx 3"));
    assert_eq!(m.hints_for(0), None);
    // A mask with the highest argument index takes the longest LEB128.
    m.types.push(common::ty(&[ValType::I32; 64], Some(ValType::I32)));
    m.imports[1].ty = m.types.len() as u16 - 1;
    m.import_hints[0].hints.out = ArgSet(1 << 63);
    assert_eq!(load(&format::encode(&m)).map(Module::from), Ok(m));
}
