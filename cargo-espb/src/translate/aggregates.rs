//! First-class aggregates (structs and arrays as SSA values): each lives in
//! one register per scalar leaf (`FuncLower::aggs`), in memory order.
//! `extractvalue`/`insertvalue` pick and replace leaf ranges, loads and
//! stores go leaf by leaf, constants are materialised per leaf, and in
//! signatures an aggregate parameter is its leaves (`types::func_type`)
//! while an aggregate result of one or two 32-bit leaves comes back packed
//! in one 64-bit register (`types::agg_return_type`).

use super::consts::Const;
use super::ir::{Op, Ty, TypeKind, Val, ValKind, is_inst};
use super::lower::{FuncLower, Result};
use super::mir::{MOp, VReg};
use super::types::{is_aggregate, is_wide, leaf_types};
use espb_runtime::isa::Opcode;

/// The leaves of `ty` with their byte offsets.
fn leaf_offsets(ty: Ty, layout: &super::ir::Layout, base: u64, out: &mut Vec<(u64, Ty)>) {
    match ty.kind() {
        TypeKind::LLVMStructTypeKind => {
            for (i, f) in ty.struct_fields().into_iter().enumerate() {
                leaf_offsets(f, layout, base + layout.field_offset(ty, i as u32), out);
            }
        }
        TypeKind::LLVMArrayTypeKind => {
            let e = ty.element();
            let size = layout.alloc_size(e);
            for i in 0..ty.array_len() {
                leaf_offsets(e, layout, base + i * size, out);
            }
        }
        _ => out.push((base, ty)),
    }
}

/// Number of leaves of `ty` (1 for a scalar).
fn leaf_count(ty: Ty) -> usize {
    if ty.is_vector() {
        return ty.vector_len() as usize;
    }
    if is_aggregate(ty) { leaf_types(ty).map_or(0, |l| l.len()) } else { 1 }
}

/// The leaf range `(start, len)` an index path selects in `ty`.
fn leaf_range(mut ty: Ty, indices: &[u32]) -> Option<(usize, usize)> {
    let mut start = 0;
    for &i in indices {
        match ty.kind() {
            TypeKind::LLVMStructTypeKind => {
                let fields = ty.struct_fields();
                start += fields.get(..i as usize)?.iter().map(|f| leaf_count(*f)).sum::<usize>();
                ty = *fields.get(i as usize)?;
            }
            TypeKind::LLVMArrayTypeKind => {
                ty = ty.element();
                start += i as usize * leaf_count(ty);
            }
            _ => return None,
        }
    }
    Some((start, leaf_count(ty)))
}

/// Memory access opcodes (load, store) for a leaf.
fn leaf_ops(leaf: Ty) -> Option<(Opcode, Opcode)> {
    Some(match leaf.kind() {
        TypeKind::LLVMIntegerTypeKind => match leaf.int_width() {
            1..=8 => (Opcode::LoadI8U, Opcode::StoreI8),
            9..=16 => (Opcode::LoadI16U, Opcode::StoreI16),
            32 => (Opcode::LoadI32, Opcode::StoreI32),
            64 => (Opcode::LoadI64, Opcode::StoreI64),
            _ => return None,
        },
        TypeKind::LLVMPointerTypeKind | TypeKind::LLVMFloatTypeKind => (Opcode::LoadI32, Opcode::StoreI32),
        TypeKind::LLVMDoubleTypeKind => (Opcode::LoadI64, Opcode::StoreI64),
        _ => return None,
    })
}

impl FuncLower<'_> {
    fn agg_unsupported<T>(&self, ty: Ty) -> Result<T> {
        self.unsupported(format!("aggregate value of type `{}`", ty.describe()))
    }

    /// Leaves of an aggregate type with offsets, refused by name when the
    /// type cannot live in registers.
    fn leaves_of(&self, ty: Ty) -> Result<Vec<(u64, Ty)>> {
        if leaf_types(ty).is_none() {
            return self.agg_unsupported(ty);
        }
        let mut out = Vec::new();
        leaf_offsets(ty, &self.info.layout, 0, &mut out);
        Ok(out)
    }

    /// The leaf registers of aggregate value `v` (an instruction's or
    /// argument's registers, or a constant's materialised leaves).
    pub fn agg_val(&mut self, v: Val) -> Result<Vec<VReg>> {
        let ty = v.ty();
        let Some(leaves) = leaf_types(ty) else { return self.agg_unsupported(ty) };
        match v.kind() {
            ValKind::Instruction | ValKind::Argument => Ok(self.agg_regs(v, leaves.len())),
            _ => {
                let mut consts = Vec::with_capacity(leaves.len());
                self.const_leaves(v, &mut consts)?;
                Ok(consts.into_iter().map(|(c, wide)| self.materialise(c, wide)).collect())
            }
        }
    }

    /// A constant aggregate's leaves (undef and poison as 0).
    fn const_leaves(&mut self, c: Val, out: &mut Vec<(Const, bool)>) -> Result<()> {
        let ty = c.ty();
        if !is_aggregate(ty) {
            let v = if c.is_poison_or_undef() { Some(Const::Int(0)) } else { self.eval_const(c)? };
            let Some(v) = v else { return self.agg_unsupported(ty) };
            out.push((v, is_wide(ty)));
            return Ok(());
        }
        let n = if ty.is_struct() { ty.struct_fields().len() as u64 } else { ty.array_len() };
        for i in 0..n {
            let Some(e) = c.aggregate_element(i as u32) else { return self.agg_unsupported(ty) };
            self.const_leaves(e, out)?;
        }
        Ok(())
    }

    pub fn lower_extractvalue(&mut self, inst: Val) -> Result<()> {
        let agg = self.operand(inst, 0)?;
        let Some((start, len)) = leaf_range(agg.ty(), &inst.agg_indices()) else {
            return self.agg_unsupported(agg.ty());
        };
        let src = self.agg_val(agg)?;
        let Some(part) = src.get(start..start + len) else { return self.internal("extractvalue index") };
        if is_aggregate(inst.ty()) {
            let out = self.agg_regs(inst, len);
            for (&d, &s) in out.iter().zip(part) {
                self.mov(d, s);
            }
        } else {
            self.alias(inst, part[0]);
        }
        Ok(())
    }

    pub fn lower_insertvalue(&mut self, inst: Val) -> Result<()> {
        let (agg, v) = (self.operand(inst, 0)?, self.operand(inst, 1)?);
        let Some((start, len)) = leaf_range(inst.ty(), &inst.agg_indices()) else {
            return self.agg_unsupported(inst.ty());
        };
        let n = leaf_count(inst.ty());
        // An undef base leaves the other leaves undefined: no moves.
        let base = if agg.is_poison_or_undef() { None } else { Some(self.agg_val(agg)?) };
        let new = if is_aggregate(v.ty()) { self.agg_val(v)? } else { vec![self.use_val(v)?] };
        let out = self.agg_regs(inst, n);
        for (j, &d) in out.iter().enumerate() {
            if (start..start + len).contains(&j) {
                self.mov(d, new[j - start]);
            } else if let Some(b) = &base {
                self.mov(d, b[j]);
            }
        }
        Ok(())
    }

    /// `base + off` of an aggregate access as a register and an offset
    /// that stays an `i16` up to the last leaf.
    fn agg_address(&mut self, ptr: Val, size: u64) -> Result<(VReg, i64)> {
        let super::isel::Addr::Off(a, off) = self.address(ptr, &[])? else {
            return self.internal("indexed address without index scales");
        };
        if i16::try_from(off as i64 + size as i64).is_ok() {
            return Ok((a, off as i64));
        }
        let r = self.emit_imm(Opcode::AddImmI32, a, off as i64);
        if i16::try_from(size).is_err() {
            return self.unsupported(format!("aggregate value of {size} bytes"));
        }
        Ok((r, 0))
    }

    pub fn lower_agg_load(&mut self, inst: Val, ptr: Val) -> Result<()> {
        let leaves = self.leaves_of(inst.ty())?;
        let size = self.info.layout.store_size(inst.ty());
        let (a, off) = self.agg_address(ptr, size)?;
        let out = self.agg_regs(inst, leaves.len());
        for (&(o, ty), &d) in leaves.iter().zip(&out) {
            let Some((ld, _)) = leaf_ops(ty) else { return self.agg_unsupported(inst.ty()) };
            self.emit(ld, vec![MOp::Reg(d), MOp::Reg(a), MOp::Imm(off + o as i64)]);
        }
        Ok(())
    }

    pub fn lower_agg_store(&mut self, v: Val, ptr: Val) -> Result<()> {
        let leaves = self.leaves_of(v.ty())?;
        let regs = self.agg_val(v)?;
        let size = self.info.layout.store_size(v.ty());
        let (a, off) = self.agg_address(ptr, size)?;
        for (&(o, ty), &s) in leaves.iter().zip(&regs) {
            let Some((_, st)) = leaf_ops(ty) else { return self.agg_unsupported(v.ty()) };
            self.emit(st, vec![MOp::Reg(s), MOp::Reg(a), MOp::Imm(off + o as i64)]);
        }
        Ok(())
    }

    /// `select` and `freeze` of aggregates, leaf by leaf.
    pub fn lower_agg_select(&mut self, inst: Val) -> Result<()> {
        let n = leaf_count(inst.ty());
        let out = self.agg_regs(inst, n);
        if is_inst(inst, Op::LLVMFreeze) {
            let s = self.agg_val(self.operand(inst, 0)?)?;
            for (&d, &x) in out.iter().zip(&s) {
                self.mov(d, x);
            }
            return Ok(());
        }
        let c = self.use_val(self.operand(inst, 0)?)?;
        let a = self.agg_val(self.operand(inst, 1)?)?;
        let b = self.agg_val(self.operand(inst, 2)?)?;
        for ((&d, &x), &y) in out.iter().zip(&a).zip(&b) {
            self.emit(Opcode::Select, vec![MOp::Reg(d), MOp::Reg(c), MOp::Reg(x), MOp::Reg(y)]);
        }
        Ok(())
    }

    /// An aggregate result as the one register it is returned in.
    pub fn pack_return(&mut self, v: Val) -> Result<VReg> {
        let regs = self.agg_arg(v)?;
        match regs.as_slice() {
            [one] => Ok(*one),
            [lo, hi] => {
                let l = self.emit2(Opcode::ZextI32I64, *lo);
                let h = self.emit2(Opcode::ZextI32I64, *hi);
                let h = self.emit_imm(Opcode::ShlImmI64, h, 32);
                Ok(self.emit3(Opcode::OrI64, l, h))
            }
            _ => self.agg_unsupported(v.ty()),
        }
    }

    /// Unpacks a call's aggregate result from register `r` into the call's
    /// leaf registers.
    pub fn unpack_return(&mut self, inst: Val, r: VReg) -> Result<()> {
        let n = leaf_count(inst.ty());
        let out = self.agg_regs(inst, n);
        match out.as_slice() {
            [one] => self.mov(*one, r),
            [lo, hi] => {
                self.emit(Opcode::WrapI64I32, vec![MOp::Reg(*lo), MOp::Reg(r)]);
                let t = self.emit_imm(Opcode::ShrUImmI64, r, 32);
                self.emit(Opcode::WrapI64I32, vec![MOp::Reg(*hi), MOp::Reg(t)]);
            }
            _ => return self.agg_unsupported(inst.ty()),
        }
        Ok(())
    }

    /// Registers a call passes for argument `a`: an aggregate's leaves, a
    /// vector's lanes.
    pub fn agg_arg(&mut self, a: Val) -> Result<Vec<VReg>> {
        if a.ty().is_vector() { self.vec_val(a) } else { self.agg_val(a) }
    }
}
