//! C's `_Complex` multiplication and division: clang calls libgcc's
//! `__mulsc3`, `__muldc3`, `__divsc3` and `__divdc3` (no symbol table has
//! them); a call of one the module does not define becomes one `complex`
//! instruction (Annex G's rules, in the runtime). The four parts arrive as
//! scalars; the result comes back as each ABI gives it: through an `sret`
//! pointer, as `[2 x i32]` (ilp32's `float _Complex`) or `{float, float}`.

use super::ir::{Val, ValKind};
use super::lower::{FuncLower, Result};
use super::mir::MOp;
use espb_runtime::isa::{ComplexOp, Opcode};

/// The operation a call of `callee` stands for, if it is one of the four
/// helpers and the module does not define it.
pub fn expands(callee: Val) -> Option<ComplexOp> {
    if callee.kind() != ValKind::Function || !callee.is_declaration() {
        return None;
    }
    Some(match callee.name().as_str() {
        "__mulsc3" => ComplexOp::MulF32,
        "__muldc3" => ComplexOp::MulF64,
        "__divsc3" => ComplexOp::DivF32,
        "__divdc3" => ComplexOp::DivF64,
        _ => return None,
    })
}

impl FuncLower<'_> {
    pub fn lower_complex_call(&mut self, inst: Val, op: ComplexOp) -> Result<()> {
        let n = inst.num_arg_operands();
        let sret = n == 5;
        if !(n == 4 || sret) {
            return self.unsupported(format!("`_Complex` helper call with {n} arguments"));
        }
        let first = u32::from(sret);
        let parts = (first..first + 4)
            .map(|i| self.operand(inst, i).and_then(|v| self.use_val(v)))
            .collect::<Result<Vec<_>>>()?;
        let (re, im) = (self.new_vreg(), self.new_vreg());
        let mut ops = vec![MOp::Reg(re), MOp::Reg(im)];
        ops.extend(parts.into_iter().map(MOp::Reg));
        ops.push(MOp::Imm(op as i64));
        self.emit(Opcode::Complex, ops);
        if sret {
            let (a, off) = self.base_addr(self.operand(inst, 0)?, 16)?;
            let (store, size) = if matches!(op, ComplexOp::MulF32 | ComplexOp::DivF32) {
                (Opcode::StoreI32, 4)
            } else {
                (Opcode::StoreI64, 8)
            };
            self.emit(store, vec![MOp::Reg(re), MOp::Reg(a), MOp::Imm(off)]);
            self.emit(store, vec![MOp::Reg(im), MOp::Reg(a), MOp::Imm(off + size)]);
            return Ok(());
        }
        if super::types::leaf_types(inst.ty()).is_none_or(|l| l.len() != 2) {
            return self.unsupported(format!("`_Complex` helper returning `{}`", inst.ty().describe()));
        }
        let r = self.agg_regs(inst, 2);
        self.mov(r[0], re);
        self.mov(r[1], im);
        Ok(())
    }
}
