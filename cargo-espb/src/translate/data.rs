//! The data image: every defined global laid out in one block (initialised
//! globals first, zero-initialised ones after, so the stored initial bytes
//! stay short), with relocations for pointer initialisers.

use super::ModuleInfo;
use super::consts::{AddrKind, Const, ConstEnv, ConstError};
use super::error::TranslateError;
use super::ir::{IrModule, Layout, Ty, TypeKind, Val, ValKind};
use super::types::Tables;
use espb_runtime::{Data, Reloc, RelocKind};
use std::collections::HashMap;

/// Where each defined global lives in the data image.
pub struct GlobalLayout {
    pub offsets: HashMap<Val, u32>,
    /// Globals in image order.
    pub order: Vec<Val>,
    pub size: u32,
    pub align: u32,
}

fn is_zero_init(g: Val) -> bool {
    g.initializer().is_none_or(|i| i.kind() == ValKind::NullOrUndef)
}

/// Assigns offsets to every defined global variable.
pub fn layout_globals(ir: IrModule, layout: &Layout) -> Result<GlobalLayout, TranslateError> {
    let defined: Vec<Val> = ir.globals().into_iter().filter(|g| !g.is_declaration()).collect();
    let mut order: Vec<Val> = defined.iter().copied().filter(|g| !is_zero_init(*g)).collect();
    order.extend(defined.iter().copied().filter(|g| is_zero_init(*g)));
    let mut offsets = HashMap::new();
    let mut size: u64 = 0;
    let mut max_align: u32 = 4;
    for &g in &order {
        if g.is_thread_local() {
            return Err(TranslateError::BadGlobal {
                name: g.name(),
                msg: "thread-local variables are not supported in modules".into(),
            });
        }
        let ty = g.global_value_type();
        let align = g.alignment().max(layout.abi_align(ty)).clamp(1, 4096);
        max_align = max_align.max(align);
        size = size.div_ceil(align as u64) * align as u64;
        offsets.insert(g, size as u32);
        size += layout.alloc_size(ty);
        if size > u32::MAX as u64 / 2 {
            return Err(TranslateError::BadGlobal { name: g.name(), msg: "static data too large".into() });
        }
    }
    Ok(GlobalLayout { offsets, order, size: size as u32, align: max_align })
}

/// Serialises every initialiser into the data image.
pub fn build_data(gl: &GlobalLayout, info: &ModuleInfo, tables: &mut Tables) -> Result<Data, TranslateError> {
    let mut w = Writer { bytes: vec![0; gl.size as usize], relocs: Vec::new(), layout: info.layout };
    let mut env = ConstEnv { info, tables, allocas: None };
    for &g in &gl.order {
        let Some(init) = g.initializer() else { continue };
        if init.kind() == ValKind::NullOrUndef {
            continue;
        }
        let off = gl.offsets.get(&g).copied().unwrap_or(0) as u64;
        w.write(&mut env, init, g.global_value_type(), off).map_err(|e| match e {
            ConstError::ExternalVar(name) => TranslateError::ExternalVariable { name, function: None },
            ConstError::Unsupported(msg) => {
                TranslateError::BadGlobal { name: g.name(), msg: format!("unsupported initialiser: {msg}") }
            }
        })?;
    }
    let end = w.bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    // Trailing zeros are implied by `size`; relocated words are patched at load.
    w.bytes.truncate(end);
    w.relocs.sort_by_key(|r| r.offset);
    Ok(Data { size: gl.size, align: gl.align, init: w.bytes, relocs: w.relocs })
}

struct Writer {
    bytes: Vec<u8>,
    relocs: Vec<Reloc>,
    layout: Layout,
}

impl Writer {
    fn put(&mut self, off: u64, b: &[u8]) -> Result<(), ConstError> {
        let end = off as usize + b.len();
        let dst = self
            .bytes
            .get_mut(off as usize..end)
            .ok_or_else(|| ConstError::Unsupported("initialiser larger than its global".into()))?;
        dst.copy_from_slice(b);
        Ok(())
    }

    fn write(&mut self, env: &mut ConstEnv<'_>, c: Val, ty: Ty, off: u64) -> Result<(), ConstError> {
        match c.kind() {
            ValKind::NullOrUndef => Ok(()),
            ValKind::ConstFp if super::f128::is_f128(ty) => {
                let bits = c.const_fp128_bits().ok_or_else(|| ConstError::Unsupported("fp128 constant".into()))?;
                self.put(off, &bits.to_le_bytes())
            }
            ValKind::ConstAggregate => {
                if let Some(s) = c.string_bytes() {
                    return self.put(off, &s);
                }
                if ty.is_struct() {
                    for (i, fty) in ty.struct_fields().into_iter().enumerate() {
                        let e =
                            c.aggregate_element(i as u32).ok_or_else(|| ConstError::Unsupported("struct".into()))?;
                        self.write(env, e, fty, off + self.layout.field_offset(ty, i as u32))?;
                    }
                    Ok(())
                } else if ty.is_array() || ty.is_vector() {
                    let et = ty.element();
                    let step = self.layout.alloc_size(et);
                    let n = if ty.is_array() { ty.array_len() } else { self.layout.alloc_size(ty) / step.max(1) };
                    for i in 0..n {
                        let e = c.aggregate_element(i as u32).ok_or_else(|| ConstError::Unsupported("array".into()))?;
                        self.write(env, e, et, off + i * step)?;
                    }
                    Ok(())
                } else {
                    Err(ConstError::Unsupported(format!("constant of type `{}`", ty.describe())))
                }
            }
            _ => {
                let size = self.layout.store_size(ty) as usize;
                match env.eval(c)? {
                    Some(Const::Int(x)) => {
                        let b = x.to_le_bytes();
                        let b = b.get(..size.min(8)).ok_or_else(|| ConstError::Unsupported("wide constant".into()))?;
                        if ty.kind() == TypeKind::LLVMIntegerTypeKind && ty.int_width() > 64 {
                            return Err(ConstError::Unsupported(format!("{}-bit integer", ty.int_width())));
                        }
                        self.put(off, b)
                    }
                    Some(Const::Addr { kind, target, addend }) => {
                        let kind = match kind {
                            AddrKind::Data => RelocKind::Data,
                            AddrKind::Func => RelocKind::Func,
                            AddrKind::Import => RelocKind::Import,
                            AddrKind::Stack => return Err(ConstError::Unsupported("stack address in data".into())),
                        };
                        if size < 4 {
                            return Err(ConstError::Unsupported("address truncated below 32 bits".into()));
                        }
                        let addend = i32::try_from(addend)
                            .map_err(|_| ConstError::Unsupported("address offset out of range".into()))?;
                        self.put(off, &[0; 4])?;
                        self.relocs.push(Reloc { offset: off as u32, kind, target, addend });
                        Ok(())
                    }
                    None => Err(ConstError::Unsupported("non-constant initialiser".into())),
                }
            }
        }
    }
}
