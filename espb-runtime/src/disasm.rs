//! Text disassembly of a module, driven by the opcode table: every
//! instruction is printed from [`Opcode::mnemonic`](crate::isa::Opcode::mnemonic) and its operands as
//! listed by [`Opcode::operands`](crate::isa::Opcode::operands), never by code per opcode.
//!
//! The disassembler works on unverified modules too (so `cargo espb inspect`
//! can show a broken file): out-of-range indices print as `<?>`, and an
//! unknown opcode or truncated instruction ends that function's listing
//! with the remaining bytes.

use crate::format::{self, FormatError, Header, section_name};
use crate::isa::Instr;
use crate::isa::operand::{Operand, operands};
use crate::module::{FuncType, ImportRef, Module, RelocKind};
use alloc::string::String;
use core::fmt::Write;

/// Disassembles a file: header, section table, then [`disassemble_module`].
pub fn disassemble(bytes: &[u8]) -> Result<String, FormatError> {
    let header = format::read_header(bytes)?;
    let m = format::decode(bytes)?;
    let mut s = String::new();
    write_header(&mut s, &header, bytes.len());
    s.push_str(&disassemble_module(&m));
    Ok(s)
}

fn write_header(s: &mut String, h: &Header, file_len: usize) {
    let _ = writeln!(
        s,
        ".espb v{}  flags {:#06x}  {} bytes  crc32 {:#010x}  header+table {} bytes",
        h.version,
        h.flags,
        file_len,
        h.crc32,
        h.overhead()
    );
    let _ = writeln!(s, "sections:");
    for e in &h.sections {
        let _ =
            writeln!(s, "  {:<13} id {:#04x}  offset {:#07x}  {:>6} bytes", section_name(e.id), e.id, e.offset, e.len);
    }
}

/// A signature as `(i32, i64, ...) -> f32`.
pub fn signature(t: &FuncType) -> String {
    let mut s = String::from("(");
    for (i, p) in t.params.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        if t.variadic_fixed.map(usize::from) == Some(i) {
            s.push_str("... ");
        }
        s.push_str(p.name());
    }
    if let Some(n) = t.variadic_fixed
        && usize::from(n) >= t.params.len()
    {
        s.push_str(if t.params.is_empty() { "..." } else { ", ..." });
    }
    s.push_str(") -> ");
    s.push_str(t.result.map_or("void", |r| r.name()));
    s
}

fn type_sig(m: &Module, ty: u16) -> String {
    m.types.get(usize::from(ty)).map_or_else(|| String::from("<?>"), signature)
}

fn import_name(m: &Module, i: usize) -> String {
    match m.imports.get(i) {
        Some(imp) => match &imp.what {
            ImportRef::Name(n) => n.clone(),
            ImportRef::Slot { table, index, name } => {
                let t = m.tables.get(usize::from(*table)).map_or("?", |t| t.name.as_str());
                match name {
                    Some(n) => n.clone(),
                    None => alloc::format!("{t}[{index}]"),
                }
            }
        },
        None => String::from("<?>"),
    }
}

fn func_name(m: &Module, f: usize) -> String {
    if f < m.functions.len() { String::from(m.function_name(f)) } else { String::from("<?>") }
}

/// Disassembles a decoded module: types, tables, imports, exports, data,
/// layout and every function's code.
pub fn disassemble_module(m: &Module) -> String {
    let mut s = String::new();
    if !m.types.is_empty() {
        let _ = writeln!(s, "types:");
        for (i, t) in m.types.iter().enumerate() {
            let _ = writeln!(s, "  t{i}: {}", signature(t));
        }
    }
    if !m.tables.is_empty() {
        let _ = writeln!(s, "symbol tables:");
        for (i, t) in m.tables.iter().enumerate() {
            let _ = writeln!(s, "  #{i} {}  {} slots, hash {:#010x}", t.name, t.count, t.hash);
        }
    }
    if !m.imports.is_empty() {
        let _ = writeln!(s, "imports:");
        for (i, imp) in m.imports.iter().enumerate() {
            let slot = match &imp.what {
                ImportRef::Name(_) => String::new(),
                ImportRef::Slot { table, index, .. } => {
                    let t = m.tables.get(usize::from(*table)).map_or("?", |t| t.name.as_str());
                    alloc::format!("  [{t} slot {index}]")
                }
            };
            let hints = match m.hints_for(i) {
                Some(h) if !h.is_empty() => alloc::format!("  [{h}]"),
                _ => String::new(),
            };
            // A data import has no type: the firmware supplies an address.
            let ty = if imp.is_data() {
                String::from("data")
            } else {
                alloc::format!("t{} {}", imp.ty, type_sig(m, imp.ty))
            };
            let _ = writeln!(s, "  i{i}: {}  {ty}{slot}{hints}", import_name(m, i));
        }
    }
    // Hints naming no import (an unverified module) are shown, not lost.
    for h in m.import_hints.iter().filter(|h| usize::from(h.import) >= m.imports.len()) {
        let _ = writeln!(s, "  i{}: <?>  [{}]", h.import, h.hints);
    }
    let callbacks = m.address_taken_functions();
    if !callbacks.is_empty() {
        let _ = writeln!(s, "callbacks (address-taken functions):");
        for f in callbacks {
            let _ = writeln!(s, "  f{f} {}", func_name(m, usize::from(f)));
        }
    }
    if !m.exports.is_empty() {
        let _ = writeln!(s, "exports:");
        for e in &m.exports {
            let _ = writeln!(s, "  {} -> f{} {}", e.name, e.func, func_name(m, usize::from(e.func)));
        }
    }
    let d = &m.data;
    let _ = writeln!(
        s,
        "data: {} bytes, align {}, {} initialised, {} relocations",
        d.size,
        d.align,
        d.init.len(),
        d.relocs.len()
    );
    for r in &d.relocs {
        let target = match r.kind {
            RelocKind::Data => alloc::format!("data+{:#x}", r.target),
            RelocKind::Func => alloc::format!("f{} {}", r.target, func_name(m, r.target as usize)),
            RelocKind::Import => {
                alloc::format!("i{} {}", r.target, import_name(m, r.target as usize))
            }
        };
        let _ = writeln!(s, "  reloc @{:#06x} = {target} {:+}", r.offset, r.addend);
    }
    let _ = writeln!(s, "layout: stack {} bytes, heap {} bytes", m.layout.stack_size, m.layout.heap_size);
    for (fi, f) in m.functions.iter().enumerate() {
        let _ = writeln!(
            s,
            "\nfunc f{fi} {}: t{} {}  regs {}  frame {}  code {} bytes",
            func_name(m, fi),
            f.ty,
            type_sig(m, f.ty),
            f.num_regs,
            f.frame_size,
            f.code.len()
        );
        disassemble_code(&mut s, m, &f.code);
    }
    s
}

/// One line per instruction: `offset: mnemonic operands`.
fn disassemble_code(s: &mut String, m: &Module, code: &[u8]) {
    let mut pc = 0usize;
    while pc < code.len() {
        let complete = Instr::decode(code, pc);
        let (Some((op, ops)), Some((_, next))) = (operands(code, pc), complete) else {
            let _ = write!(s, "  {pc:#06x}: .bytes");
            for b in code.get(pc..).unwrap_or(&[]) {
                let _ = write!(s, " {b:02x}");
            }
            let _ = writeln!(s, "   ; unknown opcode or truncated instruction");
            return;
        };
        let _ = write!(s, "  {pc:#06x}: {}", op.mnemonic());
        for (i, (name, o)) in ops.enumerate() {
            s.push_str(if i == 0 { " " } else { ", " });
            write_operand(s, m, name, o);
        }
        s.push('\n');
        pc = next.max(pc + 1);
    }
}

/// Formats one operand from its kind; `U16` operands are indices whose
/// meaning the opcode table's operand name gives (`f` function, `i`
/// import, `ty` type).
fn write_operand(s: &mut String, m: &Module, name: &str, o: Operand<'_>) {
    let _ = match o {
        Operand::Reg(r) => write!(s, "r{r}"),
        Operand::Reg16(r) => write!(s, "r{r}"),
        Operand::U8(v) => write!(s, "{v}"),
        Operand::I8(v) => write!(s, "{v}"),
        Operand::I16(v) => write!(s, "{v}"),
        Operand::I32(v) => write!(s, "{v}"),
        Operand::I64(v) => write!(s, "{v}"),
        Operand::U32(v) => write!(s, "{v:#x}"),
        Operand::U16(v) => match name {
            "f" => write!(s, "f{v} <{}>", func_name(m, usize::from(v))),
            "i" => write!(s, "i{v} <{}>", import_name(m, usize::from(v))),
            "ty" => write!(s, "t{v} {}", type_sig(m, v)),
            _ => write!(s, "{v}"),
        },
        Operand::Target(t) => write!(s, "@{t:#06x}"),
        Operand::Regs(rs) => {
            s.push('(');
            for (i, r) in rs.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                let _ = write!(s, "r{r}");
            }
            s.push(')');
            Ok(())
        }
        Operand::Targets(ts) => {
            s.push('[');
            for (i, t) in ts.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                let _ = write!(s, "@{t:#06x}");
            }
            s.push(']');
            Ok(())
        }
    };
}
