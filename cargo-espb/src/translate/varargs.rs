//! Variadic functions defined in the module.
//!
//! Convention (docs/architecture.md, "Calls"): a module function defined
//! variadic takes one hidden trailing i32 parameter, the address of its
//! variadic-argument area. The caller stores the variadic arguments there
//! as the RISC-V ilp32 ABI lays out a `va_list` (4-byte slots; i64/f64 in
//! 8-byte aligned slots), so the `va_arg` code clang generates for riscv32
//! (pointer arithmetic, `llvm.ptrmask`, loads) reads them unchanged, and a
//! `va_list` can be handed on to natives such as `vprintf`.
//! `va_start` stores the hidden parameter into the `va_list`; `va_end` does
//! nothing; `va_copy` copies the pointer.
//!
//! Xtensa bitcode (`--target=xtensa`) has another `va_list`: the struct
//! `{ int *__va_stk; int *__va_reg; int __va_ndx; }`, read by the `va_arg`
//! instruction (clang leaves it to the backend) with GCC's rule: an
//! argument at byte index `ndx` lies at `__va_reg + ndx` while it ends
//! within the 24 bytes of the six argument registers, else at
//! `__va_stk + ndx` (indices from 32; an argument never straddles the
//! two, the index jumps to 32 instead). The area layout above satisfies
//! that rule with `__va_reg = area`, `__va_stk = area - 8`, `__va_ndx = 0`:
//! register-part index `i` is area offset `i`, stack-part index `i` is
//! area offset `i - 8`, and the jump from 24 to 32 lands on offset 24.
//! So the same area serves both, and a `va_list` handed to a native
//! `vprintf` (by value: three words) is what Xtensa's newlib expects.

use super::consts::{AddrKind, Const};
use super::ir::{Block, Op, Val, ValKind, is_inst};
use super::lower::{FuncLower, Result};
use super::mir::{MOp, VReg};
use super::types::{leaf_types, module_func_type, val_type};
use espb_runtime::isa::Opcode;
use espb_runtime::{FuncType, ValType};

/// The `va_list` of the bitcode's target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VaAbi {
    /// A pointer into the area (RISC-V ilp32 and everything else).
    Pointer,
    /// Xtensa's `{ __va_stk, __va_reg, __va_ndx }`.
    Xtensa,
}

/// Bytes of the register part of an Xtensa argument list (a2..a7).
const XTENSA_REG_BYTES: i64 = 24;
/// Where Xtensa's stack part starts in `__va_ndx` terms.
const XTENSA_STACK_NDX: i64 = 32;

impl VaAbi {
    pub fn of_triple(triple: &str) -> VaAbi {
        if triple.starts_with("xtensa") { VaAbi::Xtensa } else { VaAbi::Pointer }
    }

    /// Bytes of a `va_list` object.
    pub fn list_bytes(self) -> u32 {
        match self {
            VaAbi::Pointer => 4,
            VaAbi::Xtensa => 12,
        }
    }
}

/// Bytes a variadic-argument area for `varargs` needs (with the slack for
/// aligning it at run time), or `None` if an argument has no VM type.
fn area_size(varargs: &[Val]) -> Option<u32> {
    let mut off = 0u32;
    let mut wide_slot = false;
    for a in varargs {
        if let Some(leaves) = leaf_types(a.ty()) {
            // A coerced struct (`[2 x i32]`) takes one 4-byte slot per leaf.
            off += 4 * leaves.len() as u32;
            continue;
        }
        if super::f128::is_f128(a.ty()) {
            // A pointer to a copy.
            off += 4;
            continue;
        }
        match val_type(a.ty())? {
            ValType::I32 | ValType::F32 => off += 4,
            ValType::I64 | ValType::F64 => {
                off = off.div_ceil(8) * 8 + 8;
                wide_slot = true;
            }
        }
    }
    Some(off + if wide_slot { 7 } else { 0 })
}

impl FuncLower<'_> {
    /// The variadic arguments of `inst` when it passes them in an area:
    /// a call of a variadic module function, directly or possibly through
    /// a pointer.
    fn area_args(&self, inst: Val) -> Option<Vec<Val>> {
        let callee = inst.called_value()?;
        let callee = if callee.kind() == ValKind::GlobalAlias { callee.aliasee()? } else { callee };
        let nfixed = if callee.kind() == ValKind::Function {
            if !self.info.funcs.contains_key(&callee) || !callee.global_value_type().is_vararg() {
                return None;
            }
            callee.global_value_type().param_types().len()
        } else if inst.called_fn_type().is_vararg() && !self.info.variadic_targets.is_empty() {
            inst.called_fn_type().param_types().len()
        } else {
            return None;
        };
        Some((nfixed as u32..inst.num_arg_operands()).filter_map(|i| inst.operand(i)).collect())
    }

    /// Reserves one frame slot shared by all the function's
    /// variadic-argument areas (each is dead once its call returns).
    pub fn plan_va_areas(&mut self, bbs: &[Block]) -> Result<()> {
        let mut max = None;
        for b in bbs {
            for inst in b.instructions() {
                if is_inst(inst, Op::LLVMCall)
                    && let Some(args) = self.area_args(inst)
                {
                    let size = area_size(&args).unwrap_or(0);
                    max = Some(max.unwrap_or(0).max(size));
                }
            }
        }
        if let Some(size) = max {
            self.va_out = Some(self.frame_slot(size, 8)?);
        }
        Ok(())
    }

    /// Stores `varargs` (the arguments from position `first` of call
    /// `inst`) into a new area of the caller's static frame; returns a
    /// register with the area's address.
    fn va_area(&mut self, inst: Val, varargs: &[Val], first: u32) -> Result<VReg> {
        let mut slots = Vec::with_capacity(varargs.len());
        let mut off = 0u32;
        let mut wide_slot = false;
        let mut agg_slots = Vec::new();
        for (k, &a) in varargs.iter().enumerate() {
            if let Some(leaves) = leaf_types(a.ty()) {
                if leaves.iter().any(|t| super::types::is_wide(*t)) {
                    return self.unsupported(format!("variadic argument of type `{}`", a.ty().describe()));
                }
                agg_slots.push((a, off));
                off += 4 * leaves.len() as u32;
                continue;
            }
            let op = match val_type(a.ty()) {
                Some(ValType::I32 | ValType::F32) => Opcode::StoreI32,
                // `use_val` makes it the address of a copy.
                None if super::f128::is_f128(a.ty()) => Opcode::StoreI32,
                Some(ValType::I64 | ValType::F64) => {
                    off = off.div_ceil(8) * 8;
                    wide_slot = true;
                    Opcode::StoreI64
                }
                None => {
                    return self
                        .unsupported(format!("variadic argument of {}", super::types::describe_unsupported(a.ty())));
                }
            };
            slots.push((a, off, op, first + k as u32));
            off += if op == Opcode::StoreI64 { 8 } else { 4 };
        }
        // `va_arg` aligns 8-byte slots by absolute address, and the frame
        // pointer is only as aligned as the callers' dynamic allocas left
        // the stack: align the area at run time when it has such slots.
        let Some(at) = self.va_out else { return self.internal("variadic call without an area") };
        let sa = self.new_vreg();
        self.emit(Opcode::StackAddr, vec![MOp::Reg(sa), MOp::Imm(at as i64)]);
        let base = if wide_slot {
            let t = self.emit_imm(Opcode::AddImm8I32, sa, 7);
            self.emit_imm(Opcode::AndImmI32, t, -8)
        } else {
            sa
        };
        for (a, off, op, idx) in slots {
            let w = Self::width(a);
            let r = if a.ty().is_int() && w < 32 {
                // C promotes variadic integers; be safe with odd IR.
                let signed = inst.has_attr(idx + 1, "signext", true);
                self.norm(a, signed)?
            } else {
                self.use_val(a)?
            };
            self.emit(op, vec![MOp::Reg(r), MOp::Reg(base), MOp::Imm(off as i64)]);
        }
        for (a, off) in agg_slots {
            let regs = self.agg_val(a)?;
            for (j, r) in regs.into_iter().enumerate() {
                self.emit(Opcode::StoreI32, vec![MOp::Reg(r), MOp::Reg(base), MOp::Imm(off as i64 + 4 * j as i64)]);
            }
        }
        Ok(base)
    }

    /// Fixed arguments as registers plus the variadic-argument area.
    fn va_module_args(&mut self, inst: Val, args: &[Val], nfixed: usize) -> Result<Vec<VReg>> {
        if args.len() < nfixed {
            return self.unsupported("call with fewer arguments than the callee's fixed parameters");
        }
        let mut regs = Vec::with_capacity(nfixed + 2);
        regs.extend(self.f128_call_ret);
        for &a in &args[..nfixed] {
            if super::types::is_aggregate(a.ty()) {
                regs.extend(self.agg_val(a)?);
            } else {
                regs.push(self.use_val(a)?);
            }
        }
        let area = self.va_area(inst, &args[nfixed..], nfixed as u32)?;
        regs.push(area);
        Ok(regs)
    }

    /// A direct call of variadic module function `f` (`callee`).
    pub fn lower_variadic_module_call(&mut self, inst: Val, callee: Val, f: u16, args: &[Val]) -> Result<()> {
        let nfixed = callee.global_value_type().param_types().len();
        let regs = self.va_module_args(inst, args, nfixed)?;
        let d = if inst.ty().is_void() || self.f128_call_ret.is_some() { self.new_vreg() } else { self.def(inst) };
        self.emit(Opcode::Call, vec![MOp::Imm(f as i64), MOp::Reg(d), MOp::Args(regs)]);
        Ok(())
    }

    /// The module's address-taken variadic functions an indirect call of
    /// variadic type may reach, and the signature they take it with.
    pub fn variadic_candidates(&self, inst: Val) -> Result<(Vec<u16>, Option<FuncType>)> {
        let fty = inst.called_fn_type();
        if !fty.is_vararg() || self.info.variadic_targets.is_empty() {
            return Ok((Vec::new(), None));
        }
        let Ok(site) = module_func_type(fty) else { return Ok((Vec::new(), None)) };
        let found = self
            .info
            .variadic_targets
            .iter()
            .filter(|(f, _)| module_func_type(f.global_value_type()).ok().as_ref() == Some(&site))
            .map(|(_, i)| *i)
            .collect();
        Ok((found, Some(site)))
    }

    /// An indirect call through a variadic function type that may reach a
    /// variadic module function: compare the pointer with their addresses;
    /// module targets get the variadic-argument area, anything else (a
    /// native such as `printf`) the typed call-site signature.
    #[allow(clippy::too_many_arguments)]
    pub fn lower_variadic_indirect(
        &mut self,
        inst: Val,
        p: VReg,
        args: &[Val],
        native_regs: Vec<VReg>,
        native_ty: u16,
        d: VReg,
        candidates: &[u16],
        module_ft: &FuncType,
    ) -> Result<()> {
        let mut hit = None;
        for &f in candidates {
            let fa = self.materialise(Const::Addr { kind: AddrKind::Func, target: f as u32, addend: 0 }, false);
            let e = self.emit3(Opcode::EqI32, p, fa);
            hit = Some(match hit {
                None => e,
                Some(h) => self.emit3(Opcode::OrI32, h, e),
            });
        }
        let Some(hit) = hit else { return self.internal("variadic dispatch without candidates") };
        let (lnat, lmod, ljoin) = (self.new_block()?, self.new_block()?, self.new_block()?);
        self.emit(Opcode::BrIf, vec![MOp::Reg(hit), MOp::Label(lmod)]);
        self.emit(Opcode::Br, vec![MOp::Label(lnat)]);

        self.switch_to(lnat);
        self.emit(
            Opcode::CallIndirect,
            vec![MOp::Reg(p), MOp::Imm(native_ty as i64), MOp::Reg(d), MOp::Args(native_regs)],
        );
        self.emit(Opcode::Br, vec![MOp::Label(ljoin)]);

        self.switch_to(lmod);
        let nfixed = usize::from(module_ft.variadic_fixed.unwrap_or(0));
        let regs = self.va_module_args(inst, args, nfixed)?;
        let ty = self.tables.type_index(module_ft);
        self.emit(Opcode::CallIndirect, vec![MOp::Reg(p), MOp::Imm(ty as i64), MOp::Reg(d), MOp::Args(regs)]);
        self.emit(Opcode::Br, vec![MOp::Label(ljoin)]);

        self.switch_to(ljoin);
        Ok(())
    }

    /// `llvm.va_start`, `llvm.va_end`, `llvm.va_copy`.
    pub fn lower_va_intrinsic(&mut self, inst: Val, base: &str) -> Result<()> {
        match base {
            "va_start" => {
                let Some(area) = self.va_area else {
                    return self.unsupported("va_start in a function that is not variadic");
                };
                let ap = self.use_val(self.operand(inst, 0)?)?;
                match self.info.va_abi {
                    VaAbi::Pointer => self.emit(Opcode::StoreI32, vec![MOp::Reg(area), MOp::Reg(ap), MOp::Imm(0)]),
                    VaAbi::Xtensa => {
                        let stk = self.emit_imm(Opcode::AddImm8I32, area, -8);
                        let zero = self.materialise(Const::Int(0), false);
                        for (r, off) in [(stk, 0), (area, 4), (zero, 8)] {
                            self.emit(Opcode::StoreI32, vec![MOp::Reg(r), MOp::Reg(ap), MOp::Imm(off)]);
                        }
                    }
                }
            }
            "va_copy" => {
                let dst = self.use_val(self.operand(inst, 0)?)?;
                let src = self.use_val(self.operand(inst, 1)?)?;
                for off in (0..self.info.va_abi.list_bytes()).step_by(4) {
                    let t = self.new_vreg();
                    self.emit(Opcode::LoadI32, vec![MOp::Reg(t), MOp::Reg(src), MOp::Imm(off as i64)]);
                    self.emit(Opcode::StoreI32, vec![MOp::Reg(t), MOp::Reg(dst), MOp::Imm(off as i64)]);
                }
            }
            _ => {} // va_end
        }
        Ok(())
    }

    /// The `va_arg` instruction (clang emits it for Xtensa; for riscv32 it
    /// lowers `va_arg` itself, but the pointer form is handled too).
    pub fn lower_va_arg(&mut self, inst: Val) -> Result<()> {
        let ty = match val_type(inst.ty()) {
            Some(t) => t,
            None => {
                return self.unsupported(format!("va_arg of {}", super::types::describe_unsupported(inst.ty())));
            }
        };
        let (size, load) = match ty {
            ValType::I32 | ValType::F32 => (4i64, Opcode::LoadI32),
            ValType::I64 | ValType::F64 => (8, Opcode::LoadI64),
        };
        let ap = self.use_val(self.operand(inst, 0)?)?;
        let aligned = |this: &mut Self, at: VReg| {
            if size == 8 {
                let t = this.emit_imm(Opcode::AddImm8I32, at, 7);
                this.emit_imm(Opcode::AndImmI32, t, -8)
            } else {
                at
            }
        };
        let addr = match self.info.va_abi {
            VaAbi::Pointer => {
                let p = self.new_vreg();
                self.emit(Opcode::LoadI32, vec![MOp::Reg(p), MOp::Reg(ap), MOp::Imm(0)]);
                let p = aligned(self, p);
                let next = self.emit_imm(Opcode::AddImm8I32, p, size);
                self.emit(Opcode::StoreI32, vec![MOp::Reg(next), MOp::Reg(ap), MOp::Imm(0)]);
                p
            }
            VaAbi::Xtensa => {
                // GCC's xtensa_gimplify_va_arg_expr, as straight-line code.
                let ndx = self.new_vreg();
                self.emit(Opcode::LoadI32, vec![MOp::Reg(ndx), MOp::Reg(ap), MOp::Imm(8)]);
                let orig = aligned(self, ndx);
                let end = self.emit_imm(Opcode::AddImm8I32, orig, size);
                let on_stack = self.emit_imm(Opcode::GtSImmI32, end, XTENSA_REG_BYTES);
                let was_in_regs = self.emit_imm(Opcode::LtSImmI32, orig, XTENSA_REG_BYTES + 1);
                let jump = self.emit3(Opcode::AndI32, on_stack, was_in_regs);
                let jumped = self.materialise(Const::Int(XTENSA_STACK_NDX + size), false);
                let end = self.select(jump, jumped, end);
                self.emit(Opcode::StoreI32, vec![MOp::Reg(end), MOp::Reg(ap), MOp::Imm(8)]);
                let (stk, reg) = (self.new_vreg(), self.new_vreg());
                self.emit(Opcode::LoadI32, vec![MOp::Reg(stk), MOp::Reg(ap), MOp::Imm(0)]);
                self.emit(Opcode::LoadI32, vec![MOp::Reg(reg), MOp::Reg(ap), MOp::Imm(4)]);
                let in_regs = self.emit3(Opcode::AddI32, reg, orig);
                let t = self.emit3(Opcode::AddI32, stk, end);
                let in_stack = self.emit_imm(Opcode::AddImm8I32, t, -size);
                self.select(on_stack, in_stack, in_regs)
            }
        };
        let d = self.def(inst);
        self.emit(load, vec![MOp::Reg(d), MOp::Reg(addr), MOp::Imm(0)]);
        Ok(())
    }

    /// `d = c ? a : b` in a new register.
    pub(super) fn select(&mut self, c: VReg, a: VReg, b: VReg) -> VReg {
        let d = self.new_vreg();
        self.emit(Opcode::Select, vec![MOp::Reg(d), MOp::Reg(c), MOp::Reg(a), MOp::Reg(b)]);
        d
    }

    /// A `byval` argument of a native call: Xtensa passes a `va_list` by
    /// value (`vprintf(fmt, ap)`), i.e. its three words as three arguments.
    /// Returns the registers holding the words, or `None` for any other
    /// by-value aggregate (refused by the caller).
    pub fn byval_native_words(&mut self, inst: Val, i: u32, arg: Val) -> Result<Option<Vec<VReg>>> {
        let Some(ty) = inst.call_byval_type(i + 1) else { return Ok(None) };
        if self.info.va_abi != VaAbi::Xtensa || ty.struct_name() != "struct.__va_list_tag" {
            return Ok(None);
        }
        // GCC moves a by-value aggregate that does not fit in the argument
        // registers left wholly onto the stack; three separate words would
        // be split instead. No ESP-IDF function taking a `va_list` has
        // that many arguments before it (vsnprintf, esp_log_writev: 3).
        use espb_runtime::native::xtensa::arg_word;
        let mut word = 0usize;
        for k in 0..i {
            let size = match inst.operand(k).and_then(|a| val_type(a.ty())) {
                Some(ValType::I64 | ValType::F64) => 2,
                _ if inst.call_byval_type(k + 1).is_some() => 3,
                _ => 1,
            };
            word = arg_word(word, size, size == 2) + size;
        }
        if arg_word(word, 3, false) != word {
            return self.unsupported(
                "a va_list passed by value after more than three words of arguments (Xtensa passes it on the stack)",
            );
        }
        let p = self.use_val(arg)?;
        let mut words = Vec::with_capacity(3);
        for off in (0..VaAbi::Xtensa.list_bytes()).step_by(4) {
            let w = self.new_vreg();
            self.emit(Opcode::LoadI32, vec![MOp::Reg(w), MOp::Reg(p), MOp::Imm(off as i64)]);
            words.push(w);
        }
        Ok(Some(words))
    }
}
