//! Property tests: `load` (and `decode`, and the disassembler on whatever
//! decodes) never panics, on arbitrary bytes and on mutated valid modules
//! with the CRC fixed up so the mutation reaches the section parsers and
//! the verifier; arbitrary modules round-trip through encode/decode.

#[path = "format_common.rs"]
mod common;

use common::*;
use espb_runtime::format::{self, HEADER_SIZE};
use espb_runtime::{
    ArgSet, CallHints, Data, DebugLines, Export, FuncType, Function, Import, ImportHints, ImportRef, Layout, LineEntry,
    Module, Reloc, RelocKind, TableRef, ValType, disasm, load,
};
use proptest::prelude::*;

/// Everything a loader may do with bytes; must never panic.
fn exercise(bytes: &[u8]) {
    let _ = load(bytes);
    if let Ok(m) = format::decode(bytes) {
        let _ = disasm::disassemble(bytes);
        let _ = disasm::disassemble_module(&m);
        // Whatever decodes re-encodes to something that decodes to itself.
        assert_eq!(format::decode(&format::encode(&m)).as_ref(), Ok(&m));
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let mut minimal_lines = minimal_module();
    minimal_lines.debug_lines = Some(DebugLines::default());
    vec![format::encode(&sample_module()), format::encode(&minimal_module()), format::encode(&minimal_lines)]
}

#[derive(Clone, Debug)]
enum Mutation {
    FlipBit(usize, u8),
    SetByte(usize, u8),
    Truncate(usize),
    Insert(usize, u8),
    Remove(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        3 => (any::<usize>(), any::<u8>()).prop_map(|(i, v)| Mutation::SetByte(i, v)),
        1 => any::<usize>().prop_map(Mutation::Truncate),
        1 => (any::<usize>(), any::<u8>()).prop_map(|(i, v)| Mutation::Insert(i, v)),
        1 => any::<usize>().prop_map(Mutation::Remove),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let len = bytes.len().max(1);
    match *m {
        Mutation::FlipBit(i, b) => {
            if let Some(x) = bytes.get_mut(i % len) {
                *x ^= 1 << b;
            }
        }
        Mutation::SetByte(i, v) => {
            if let Some(x) = bytes.get_mut(i % len) {
                *x = v;
            }
        }
        Mutation::Truncate(i) => bytes.truncate(i % len),
        Mutation::Insert(i, v) => bytes.insert(i % (bytes.len() + 1), v),
        Mutation::Remove(i) => {
            if !bytes.is_empty() {
                bytes.remove(i % bytes.len());
            }
        }
    }
}

fn valtype() -> impl Strategy<Value = ValType> {
    prop_oneof![Just(ValType::I32), Just(ValType::I64), Just(ValType::F32), Just(ValType::F64)]
}

fn func_type() -> impl Strategy<Value = FuncType> {
    (prop::collection::vec(valtype(), 0..6), prop::option::of(valtype()), prop::option::of(any::<u8>()))
        .prop_map(|(params, result, variadic_fixed)| FuncType { params, result, variadic_fixed })
}

fn import() -> impl Strategy<Value = Import> {
    let what = prop_oneof![
        ".{0,12}".prop_map(ImportRef::Name),
        (any::<u8>(), any::<u16>(), prop::option::of(".{0,8}")).prop_map(|(table, index, name)| ImportRef::Slot {
            table,
            index,
            name
        }),
    ];
    (what, any::<u16>()).prop_map(|(what, ty)| Import::func(what, ty))
}

fn function() -> impl Strategy<Value = Function> {
    (any::<u16>(), any::<u16>(), any::<u32>(), prop::collection::vec(any::<u8>(), 0..40))
        .prop_map(|(ty, num_regs, frame_size, code)| Function { ty, num_regs, frame_size, code })
}

fn reloc() -> impl Strategy<Value = Reloc> {
    let kind = prop_oneof![Just(RelocKind::Data), Just(RelocKind::Func), Just(RelocKind::Import)];
    (any::<u32>(), kind, any::<u32>(), any::<i32>()).prop_map(|(offset, kind, target, addend)| Reloc {
        offset,
        kind,
        target,
        addend,
    })
}

fn data() -> impl Strategy<Value = Data> {
    (any::<u32>(), any::<u32>(), prop::collection::vec(any::<u8>(), 0..32), prop::collection::vec(reloc(), 0..5))
        .prop_map(|(size, align, init, relocs)| Data { size, align, init, relocs })
}

fn line_entry() -> impl Strategy<Value = LineEntry> {
    (any::<u32>(), any::<u16>(), any::<u32>()).prop_map(|(pc, file, line)| LineEntry { pc, file, line })
}

/// Small masks mostly (what modules carry), any 64-bit mask sometimes.
fn arg_set() -> impl Strategy<Value = ArgSet> {
    prop_oneof![3 => Just(ArgSet::EMPTY), 3 => (0u64..16).prop_map(ArgSet), 1 => any::<u64>().prop_map(ArgSet)]
}

fn import_hints() -> impl Strategy<Value = ImportHints> {
    (any::<u16>(), any::<bool>(), arg_set(), arg_set(), arg_set(), arg_set()).prop_map(
        |(import, blocking, out, inout, cb, ctx)| ImportHints {
            import,
            hints: CallHints { blocking, out, inout, cb, ctx },
        },
    )
}

fn module() -> impl Strategy<Value = Module> {
    let lines = prop::option::of(
        (prop::collection::vec(".{0,6}", 0..3), prop::collection::vec(prop::collection::vec(line_entry(), 0..4), 0..3))
            .prop_map(|(files, functions)| DebugLines { files, functions }),
    );
    (
        any::<u16>(),
        prop::collection::vec(func_type(), 0..4),
        prop::collection::vec(
            (".{0,6}", any::<u32>(), any::<u32>()).prop_map(|(name, hash, count)| TableRef { name, hash, count }),
            0..3,
        ),
        prop::collection::vec(import(), 0..4),
        prop::collection::vec(function(), 0..4),
        prop_oneof![1 => Just(Data::default()), 3 => data()],
        prop::collection::vec((".{0,6}", any::<u16>()).prop_map(|(name, func)| Export { name, func }), 0..3),
        prop_oneof![
            Just(Layout { stack_size: 16 * 1024, heap_size: 64 * 1024 }),
            (any::<u32>(), any::<u32>()).prop_map(|(stack_size, heap_size)| Layout { stack_size, heap_size })
        ],
        prop::collection::vec(".{0,6}", 0..3),
        lines,
        prop::collection::vec(import_hints(), 0..3),
    )
        .prop_map(
            |(flags, types, tables, imports, functions, data, exports, layout, names, debug_lines, import_hints)| {
                Module {
                    flags,
                    types,
                    tables,
                    imports,
                    functions,
                    data,
                    exports,
                    layout,
                    names,
                    debug_lines,
                    import_hints,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        exercise(&bytes);
    }

    /// Random bytes behind a valid-looking header (magic, version, a small
    /// section count, right CRC) get past the header checks.
    #[test]
    fn arbitrary_sections_never_panic(count in 0u16..6, body in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut bytes = Vec::from(*b"ESPB");
        bytes.extend_from_slice(&1u16.to_le_bytes());
        bytes.extend_from_slice(&0u16.to_le_bytes());
        bytes.extend_from_slice(&count.to_le_bytes());
        bytes.extend_from_slice(&[0; 6]);
        bytes.extend_from_slice(&body);
        format::fix_checksum(&mut bytes);
        exercise(&bytes);
    }

    #[test]
    fn mutated_modules_never_panic(
        seed in 0usize..3,
        muts in prop::collection::vec(mutation(), 1..6),
        fix_crc in prop::bool::weighted(0.9),
    ) {
        let mut bytes = seeds()[seed].clone();
        for m in &muts {
            apply(&mut bytes, m);
        }
        if fix_crc {
            format::fix_checksum(&mut bytes);
        }
        exercise(&bytes);
    }

    /// Mutations confined to one section's body (CRC fixed), so they reach
    /// the contents of every section, not mostly the table.
    #[test]
    fn mutated_section_bodies_never_panic(
        which in any::<usize>(),
        muts in prop::collection::vec(mutation(), 1..4),
    ) {
        let secs = sections_of(&seeds()[0]);
        let i = which % secs.len();
        let mut secs = secs;
        for m in &muts {
            apply(&mut secs[i].1, m);
        }
        exercise(&build_file(0, &secs));
    }

    /// Hints that pass the verifier display and merge without panicking,
    /// and `merge_under` never introduces a contradiction.
    #[test]
    fn hints_merge_without_conflicts(a in import_hints(), b in import_hints()) {
        let (mut x, y) = (a.hints, b.hints);
        if x.conflict().is_none() && y.conflict().is_none() {
            x.merge_under(&y);
            prop_assert_eq!(x.conflict(), None);
            prop_assert!(!x.to_string().is_empty() || x.is_empty());
        }
    }

    #[test]
    fn arbitrary_modules_round_trip(m in module()) {
        let bytes = format::encode(&m);
        prop_assert_eq!(format::decode(&bytes), Ok(m.clone()));
        prop_assert!(bytes.len() >= HEADER_SIZE);
        // Verification and disassembly of arbitrary (mostly invalid)
        // modules never panic either.
        let _ = espb_runtime::verify::verify(&m);
        let _ = disasm::disassemble_module(&m);
    }
}
