//! Encoding and decoding of each section's contents (docs/format.md).

use super::leb::{Reader, Writer};
use super::{DEFAULT_HEAP_SIZE, DEFAULT_STACK_SIZE, FormatError, section};
use crate::module::{
    ArgRole, ArgSet, CallHints, Data, DebugLines, Export, FuncType, Function, Import, ImportHints, ImportKind,
    ImportRef, Layout, LineEntry, Module, Reloc, RelocKind, TableRef, ValType,
};
use alloc::vec::Vec;

/// Signature byte: low 3 bits the result type (0 = none), bit 7 variadic.
const TYPE_RESULT_MASK: u8 = 0x07;
const TYPE_VARIADIC: u8 = 0x80;

const IMPORT_BY_NAME: u8 = 0;
const IMPORT_SLOT: u8 = 1;
const IMPORT_SLOT_NAMED: u8 = 2;
/// Set on the kind byte of a data import, which carries no type.
const IMPORT_DATA: u8 = 0x80;

/// Hint flags byte: bit 0 blocking; bit 1 + n: an argument mask for
/// `ArgRole::ALL[n]` follows (out, inout, cb, ctx, in that order).
const HINT_BLOCKING: u8 = 0x01;
const HINT_ROLE_SHIFT: u8 = 1;
const HINT_FLAGS_MASK: u8 = 0x1F;

// Smallest encodings of one element, used to bound counts.
const MIN_TYPE: usize = 2; // param count, signature byte
const MIN_TABLE: usize = 6; // name length, hash, slot count
const MIN_IMPORT: usize = 3; // kind, name length, type
const MIN_FUNCTION: usize = 4; // type, regs, frame, code length
const MIN_RELOC: usize = 4; // offset, kind, target, addend
const MIN_EXPORT: usize = 2; // name length, function
const MIN_NAME: usize = 1;
const MIN_FILE: usize = 1;
const MIN_LINE_FUNC: usize = 1; // entry count
const MIN_LINE: usize = 3; // pc delta, file, line delta
const MIN_HINT: usize = 2; // import, flags

/// Section bodies in the order they are written. Empty ones are left out.
pub(super) fn encode_sections(m: &Module) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    if !m.types.is_empty() {
        out.push((section::TYPES, encode_types(&m.types)));
    }
    if !m.tables.is_empty() {
        out.push((section::TABLES, encode_tables(&m.tables)));
    }
    if !m.imports.is_empty() {
        out.push((section::IMPORTS, encode_imports(&m.imports)));
    }
    if !m.functions.is_empty() {
        out.push((section::FUNCTIONS, encode_functions(&m.functions)));
    }
    if m.data != Data::default() {
        out.push((section::DATA, encode_data(&m.data)));
    }
    if !m.exports.is_empty() {
        out.push((section::EXPORTS, encode_exports(&m.exports)));
    }
    if m.layout != (Layout { stack_size: DEFAULT_STACK_SIZE, heap_size: DEFAULT_HEAP_SIZE }) {
        let mut w = Writer::new();
        w.leb(u64::from(m.layout.stack_size));
        w.leb(u64::from(m.layout.heap_size));
        out.push((section::LAYOUT, w.out));
    }
    if !m.names.is_empty() {
        let mut w = Writer::new();
        w.len(m.names.len());
        for n in &m.names {
            w.string(n);
        }
        out.push((section::NAMES, w.out));
    }
    if let Some(dl) = &m.debug_lines {
        out.push((section::DEBUG_LINES, encode_debug_lines(dl)));
    }
    if !m.import_hints.is_empty() {
        out.push((section::IMPORT_HINTS, encode_import_hints(&m.import_hints)));
    }
    out
}

fn encode_types(types: &[FuncType]) -> Vec<u8> {
    let mut w = Writer::new();
    w.len(types.len());
    for t in types {
        w.len(t.params.len());
        for p in &t.params {
            w.u8(*p as u8);
        }
        let mut sig = t.result.map_or(0, |r| r as u8);
        if t.variadic_fixed.is_some() {
            sig |= TYPE_VARIADIC;
        }
        w.u8(sig);
        if let Some(n) = t.variadic_fixed {
            w.u8(n);
        }
    }
    w.out
}

fn encode_tables(tables: &[TableRef]) -> Vec<u8> {
    let mut w = Writer::new();
    w.len(tables.len());
    for t in tables {
        w.string(&t.name);
        w.u32_le(t.hash);
        w.leb(u64::from(t.count));
    }
    w.out
}

fn encode_imports(imports: &[Import]) -> Vec<u8> {
    let mut w = Writer::new();
    w.len(imports.len());
    for i in imports {
        let data = if i.is_data() { IMPORT_DATA } else { 0 };
        match &i.what {
            ImportRef::Name(n) => {
                w.u8(IMPORT_BY_NAME | data);
                w.string(n);
            }
            ImportRef::Slot { table, index, name } => {
                w.u8(data | if name.is_some() { IMPORT_SLOT_NAMED } else { IMPORT_SLOT });
                w.u8(*table);
                w.leb(u64::from(*index));
                if let Some(n) = name {
                    w.string(n);
                }
            }
        }
        if !i.is_data() {
            w.leb(u64::from(i.ty));
        }
    }
    w.out
}

fn encode_functions(functions: &[Function]) -> Vec<u8> {
    let mut w = Writer::new();
    w.len(functions.len());
    for f in functions {
        w.leb(u64::from(f.ty));
        w.leb(u64::from(f.num_regs));
        w.leb(u64::from(f.frame_size));
        w.bytes(&f.code);
    }
    w.out
}

fn encode_data(d: &Data) -> Vec<u8> {
    let mut w = Writer::new();
    w.leb(u64::from(d.size));
    w.leb(u64::from(d.align));
    w.bytes(&d.init);
    w.len(d.relocs.len());
    let mut prev = 0u32;
    for r in &d.relocs {
        w.sleb(i64::from(r.offset) - i64::from(prev));
        prev = r.offset;
        w.u8(r.kind as u8);
        w.leb(u64::from(r.target));
        w.sleb(i64::from(r.addend));
    }
    w.out
}

fn encode_exports(exports: &[Export]) -> Vec<u8> {
    let mut w = Writer::new();
    w.len(exports.len());
    for e in exports {
        w.string(&e.name);
        w.leb(u64::from(e.func));
    }
    w.out
}

fn encode_debug_lines(dl: &DebugLines) -> Vec<u8> {
    let mut w = Writer::new();
    w.len(dl.files.len());
    for f in &dl.files {
        w.string(f);
    }
    w.len(dl.functions.len());
    for entries in &dl.functions {
        w.len(entries.len());
        let (mut pc, mut line) = (0u32, 0u32);
        for e in entries {
            w.sleb(i64::from(e.pc) - i64::from(pc));
            w.leb(u64::from(e.file));
            w.sleb(i64::from(e.line) - i64::from(line));
            pc = e.pc;
            line = e.line;
        }
    }
    w.out
}

fn encode_import_hints(hints: &[ImportHints]) -> Vec<u8> {
    let mut w = Writer::new();
    w.len(hints.len());
    for h in hints {
        w.leb(u64::from(h.import));
        let mut flags = if h.hints.blocking { HINT_BLOCKING } else { 0 };
        for (n, role) in ArgRole::ALL.into_iter().enumerate() {
            if !h.hints.args(role).is_empty() {
                flags |= 1 << (HINT_ROLE_SHIFT + n as u8);
            }
        }
        w.u8(flags);
        for role in ArgRole::ALL {
            let set = h.hints.args(role);
            if !set.is_empty() {
                w.leb(set.0);
            }
        }
    }
    w.out
}

/// Decodes one known section into `m`. `base` is its file offset.
pub(super) fn decode_section(m: &mut Module, id: u8, body: &[u8], base: usize) -> Result<(), FormatError> {
    let mut r = Reader::new(body, base, id);
    match id {
        section::TYPES => m.types = decode_types(&mut r)?,
        section::TABLES => m.tables = decode_tables(&mut r)?,
        section::IMPORTS => m.imports = decode_imports(&mut r)?,
        section::FUNCTIONS => m.functions = decode_functions(&mut r)?,
        section::DATA => m.data = decode_data(&mut r)?,
        section::EXPORTS => m.exports = decode_exports(&mut r)?,
        section::LAYOUT => {
            let stack_size = r.leb_u32()?;
            let heap_size = r.leb_u32()?;
            m.layout = Layout { stack_size, heap_size };
        }
        section::NAMES => {
            let n = r.count(MIN_NAME)?;
            let mut names = Vec::with_capacity(n);
            for _ in 0..n {
                names.push(r.string()?);
            }
            m.names = names;
        }
        section::DEBUG_LINES => m.debug_lines = Some(decode_debug_lines(&mut r)?),
        section::IMPORT_HINTS => m.import_hints = decode_import_hints(&mut r)?,
        _ => return Ok(()),
    }
    r.finish()
}

fn valtype(r: &mut Reader<'_>, b: u8, offset: usize) -> Result<ValType, FormatError> {
    ValType::from_u8(b).ok_or(FormatError::BadValType { section: r.section(), offset, byte: b })
}

fn decode_types(r: &mut Reader<'_>) -> Result<Vec<FuncType>, FormatError> {
    let n = r.count(MIN_TYPE)?;
    let mut types = Vec::with_capacity(n);
    for _ in 0..n {
        let np = r.count(1)?;
        let mut params = Vec::with_capacity(np);
        for _ in 0..np {
            let at = r.offset();
            let b = r.u8()?;
            params.push(valtype(r, b, at)?);
        }
        let at = r.offset();
        let sig = r.u8()?;
        if sig & !(TYPE_RESULT_MASK | TYPE_VARIADIC) != 0 {
            return Err(FormatError::BadTypeFlags { section: r.section(), offset: at, byte: sig });
        }
        let result = match sig & TYPE_RESULT_MASK {
            0 => None,
            b => Some(valtype(r, b, at)?),
        };
        let variadic_fixed = if sig & TYPE_VARIADIC != 0 { Some(r.u8()?) } else { None };
        types.push(FuncType { params, result, variadic_fixed });
    }
    Ok(types)
}

fn decode_tables(r: &mut Reader<'_>) -> Result<Vec<TableRef>, FormatError> {
    let n = r.count(MIN_TABLE)?;
    let mut tables = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.string()?;
        let hash = r.u32_le()?;
        let count = r.leb_u32()?;
        tables.push(TableRef { name, hash, count });
    }
    Ok(tables)
}

fn decode_imports(r: &mut Reader<'_>) -> Result<Vec<Import>, FormatError> {
    let n = r.count(MIN_IMPORT)?;
    let mut imports = Vec::with_capacity(n);
    for _ in 0..n {
        let at = r.offset();
        let byte = r.u8()?;
        let kind = if byte & IMPORT_DATA != 0 { ImportKind::Data } else { ImportKind::Func };
        let what = match byte & !IMPORT_DATA {
            IMPORT_BY_NAME => ImportRef::Name(r.string()?),
            k @ (IMPORT_SLOT | IMPORT_SLOT_NAMED) => {
                let table = r.u8()?;
                let index = r.leb_u16()?;
                let name = if k == IMPORT_SLOT_NAMED { Some(r.string()?) } else { None };
                ImportRef::Slot { table, index, name }
            }
            _ => {
                return Err(FormatError::BadImportKind { section: r.section(), offset: at, kind: byte });
            }
        };
        let ty = if kind == ImportKind::Data { 0 } else { r.leb_u16()? };
        imports.push(Import { what, ty, kind });
    }
    Ok(imports)
}

fn decode_functions(r: &mut Reader<'_>) -> Result<Vec<Function>, FormatError> {
    let n = r.count(MIN_FUNCTION)?;
    let mut functions = Vec::with_capacity(n);
    for _ in 0..n {
        let ty = r.leb_u16()?;
        let num_regs = r.leb_u16()?;
        let frame_size = r.leb_u32()?;
        let code = r.byte_vec()?.to_vec();
        functions.push(Function { ty, num_regs, frame_size, code });
    }
    Ok(functions)
}

fn decode_data(r: &mut Reader<'_>) -> Result<Data, FormatError> {
    let size = r.leb_u32()?;
    let align = r.leb_u32()?;
    let init = r.byte_vec()?.to_vec();
    let n = r.count(MIN_RELOC)?;
    let mut relocs = Vec::with_capacity(n);
    let mut prev = 0u32;
    for _ in 0..n {
        let offset = r.delta_u32(prev)?;
        prev = offset;
        let at = r.offset();
        let k = r.u8()?;
        let kind =
            RelocKind::from_u8(k).ok_or(FormatError::BadRelocKind { section: r.section(), offset: at, kind: k })?;
        let target = r.leb_u32()?;
        let addend = r.sleb_i32()?;
        relocs.push(Reloc { offset, kind, target, addend });
    }
    Ok(Data { size, align, init, relocs })
}

fn decode_exports(r: &mut Reader<'_>) -> Result<Vec<Export>, FormatError> {
    let n = r.count(MIN_EXPORT)?;
    let mut exports = Vec::with_capacity(n);
    for _ in 0..n {
        let name = r.string()?;
        let func = r.leb_u16()?;
        exports.push(Export { name, func });
    }
    Ok(exports)
}

fn decode_debug_lines(r: &mut Reader<'_>) -> Result<DebugLines, FormatError> {
    let nf = r.count(MIN_FILE)?;
    let mut files = Vec::with_capacity(nf);
    for _ in 0..nf {
        files.push(r.string()?);
    }
    let nfun = r.count(MIN_LINE_FUNC)?;
    let mut functions = Vec::with_capacity(nfun);
    for _ in 0..nfun {
        let ne = r.count(MIN_LINE)?;
        let mut entries = Vec::with_capacity(ne);
        let (mut pc, mut line) = (0u32, 0u32);
        for _ in 0..ne {
            pc = r.delta_u32(pc)?;
            let file = r.leb_u16()?;
            line = r.delta_u32(line)?;
            entries.push(LineEntry { pc, file, line });
        }
        functions.push(entries);
    }
    Ok(DebugLines { files, functions })
}

fn decode_import_hints(r: &mut Reader<'_>) -> Result<Vec<ImportHints>, FormatError> {
    let n = r.count(MIN_HINT)?;
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let import = r.leb_u16()?;
        let at = r.offset();
        let flags = r.u8()?;
        if flags & !HINT_FLAGS_MASK != 0 {
            return Err(FormatError::BadHintFlags { section: r.section(), offset: at, byte: flags });
        }
        let mut hints = CallHints { blocking: flags & HINT_BLOCKING != 0, ..CallHints::default() };
        for (n, role) in ArgRole::ALL.into_iter().enumerate() {
            if flags & (1 << (HINT_ROLE_SHIFT + n as u8)) != 0 {
                *hints.args_mut(role) = ArgSet(r.leb_u64()?);
            }
        }
        out.push(ImportHints { import, hints });
    }
    Ok(out)
}
