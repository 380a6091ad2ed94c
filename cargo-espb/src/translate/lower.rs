//! Lowering one LLVM function to machine IR: the driver, values and
//! constants, control flow (branches, switches, phi moves on edges).
//! Per-instruction selection lives in `isel.rs` and `intrinsics.rs`.

use super::ModuleInfo;
use super::consts::{AddrKind, Const, ConstEnv, ConstError, zext};
use super::error::{SourceLoc, TranslateError};
use super::ir::{Block, Op, Val, ValKind, is_inst};
use super::mir::{BlockId, MBlock, MFunc, MInst, MOp, VReg};
use super::phi;
use super::types::{Tables, describe_unsupported, func_type, val_type};
use espb_runtime::isa::Opcode;
use std::collections::{HashMap, HashSet};

pub type Result<T> = std::result::Result<T, TranslateError>;

/// A comparison, ready to become a fused branch or a 0/1 value.
#[derive(Clone, Copy, Debug)]
pub enum Cond {
    /// `a op b`; `op` is the i32 value opcode (EqI32 ... LeUI32), `wide`
    /// selects the i64 forms.
    Reg {
        op: Opcode,
        a: VReg,
        b: VReg,
        wide: bool,
    },
    /// `a op v`; `op` is EqImmI32 ... GtUImmI32.
    Imm {
        op: Opcode,
        a: VReg,
        v: i32,
    },
    /// A truth value in a register (i1).
    Bool(VReg),
    Const(bool),
}

pub struct FuncLower<'a> {
    pub info: &'a ModuleInfo,
    pub tables: &'a mut Tables,
    pub func: Val,
    pub name: String,
    pub nparams: u32,
    bb_id: HashMap<Block, BlockId>,
    preds: HashMap<Block, Vec<Block>>,
    /// LLVM blocks first (same order), then edge blocks.
    pub blocks: Vec<MBlock>,
    split_after: Vec<Vec<BlockId>>,
    split_map: HashMap<(Block, Block), BlockId>,
    pub cur: BlockId,
    cur_llvm: Option<Block>,
    pub vmap: HashMap<Val, VReg>,
    pub nvregs: u32,
    /// Instructions selected at their use (fused compares, address GEPs).
    pub folded: HashSet<Val>,
    pub allocas: HashMap<Val, u32>,
    /// Entry-block allocas aligned beyond the frame's 16 bytes: the frame
    /// offset of their padded slot and their alignment.
    pub overaligned: HashMap<Val, (u32, u32)>,
    frame: u32,
    cache: HashMap<(Const, bool), VReg>,
    loc: Option<u32>,
    pub src: SourceLoc,
    locs: Vec<(String, u32)>,
    loc_index: HashMap<(String, u32), u32>,
    /// Odd-width values known to be zero- / sign-extended to their register
    /// (32 bits up to i31, 64 bits for i33..i63).
    pub zclean: HashSet<Val>,
    pub sclean: HashSet<Val>,
    /// Blocks on a cycle: their constants are made once, in the entry.
    in_loop: HashSet<Block>,
    prologue: Vec<MInst>,
    hoisted: HashMap<(Const, bool), VReg>,
    to_prologue: bool,
    /// In a variadic function: the hidden last parameter, the address of
    /// the caller's variadic-argument area.
    pub va_area: Option<VReg>,
    /// Frame offset of the area this function's calls pass variadic
    /// arguments of module functions in.
    pub va_out: Option<u32>,
    /// Registers of the fields of flat aggregates (`{iN, i1}` of the
    /// `*.with.overflow` intrinsics, `insertvalue` results).
    pub aggs: HashMap<Val, Vec<VReg>>,
    /// In a function returning `fp128`: the hidden first parameter, where
    /// its result goes (see `f128.rs`).
    pub f128_result_ptr: Option<VReg>,
    /// While a call returning `fp128` is lowered: the slot it returns into.
    pub f128_call_ret: Option<VReg>,
    pub f128_args: super::f128::ArgSlots,
}

/// Most constants kept in registers for the whole function.
const MAX_HOISTED: usize = 48;

/// The alignment the VM gives every frame (and so every static slot's base).
pub const FRAME_ALIGN: u32 = 16;

/// The offset operand of a `stack.addr` that means "the frame's size" (the
/// top of the frame, `llvm.frameaddress(0)`), filled in once it is known.
pub const FRAME_TOP: i64 = -1;

impl<'a> FuncLower<'a> {
    pub fn new(info: &'a ModuleInfo, tables: &'a mut Tables, func: Val) -> FuncLower<'a> {
        FuncLower {
            info,
            tables,
            func,
            name: func.name(),
            nparams: 0,
            bb_id: HashMap::new(),
            preds: HashMap::new(),
            blocks: Vec::new(),
            split_after: Vec::new(),
            split_map: HashMap::new(),
            cur: 0,
            cur_llvm: None,
            vmap: HashMap::new(),
            nvregs: 0,
            folded: HashSet::new(),
            allocas: HashMap::new(),
            overaligned: HashMap::new(),
            frame: 0,
            cache: HashMap::new(),
            loc: None,
            src: None,
            locs: Vec::new(),
            loc_index: HashMap::new(),
            zclean: HashSet::new(),
            sclean: HashSet::new(),
            in_loop: HashSet::new(),
            prologue: Vec::new(),
            hoisted: HashMap::new(),
            to_prologue: false,
            va_area: None,
            va_out: None,
            aggs: HashMap::new(),
            f128_result_ptr: None,
            f128_call_ret: None,
            f128_args: Default::default(),
        }
    }

    // ---------- errors ----------

    pub fn unsupported<T>(&self, construct: impl Into<String>) -> Result<T> {
        Err(TranslateError::Unsupported {
            construct: construct.into(),
            function: self.name.clone(),
            location: self.src.clone(),
        })
    }

    pub fn internal<T>(&self, msg: impl Into<String>) -> Result<T> {
        Err(TranslateError::Internal { function: self.name.clone(), msg: msg.into() })
    }

    fn const_err(&self, e: ConstError) -> TranslateError {
        match e {
            ConstError::ExternalVar(name) => {
                TranslateError::ExternalVariable { name, function: Some(self.name.clone()) }
            }
            ConstError::Unsupported(construct) => {
                TranslateError::Unsupported { construct, function: self.name.clone(), location: self.src.clone() }
            }
        }
    }

    // ---------- registers and instructions ----------

    pub fn new_vreg(&mut self) -> VReg {
        self.nvregs += 1;
        self.nvregs - 1
    }

    pub fn emit(&mut self, op: Opcode, ops: Vec<MOp>) {
        let loc = self.loc;
        if self.to_prologue {
            self.prologue.push(MInst { op, ops, loc: None });
        } else if let Some(b) = self.blocks.get_mut(self.cur) {
            b.insts.push(MInst { op, ops, loc });
        }
    }

    /// `d = op(a, b)` into a fresh register.
    pub fn emit3(&mut self, op: Opcode, a: VReg, b: VReg) -> VReg {
        let d = self.new_vreg();
        self.emit(op, vec![MOp::Reg(d), MOp::Reg(a), MOp::Reg(b)]);
        d
    }

    /// `d = op(a, imm)` into a fresh register.
    pub fn emit_imm(&mut self, op: Opcode, a: VReg, v: i64) -> VReg {
        let d = self.new_vreg();
        self.emit(op, vec![MOp::Reg(d), MOp::Reg(a), MOp::Imm(v)]);
        d
    }

    /// `d = op(s)` into a fresh register.
    pub fn emit2(&mut self, op: Opcode, s: VReg) -> VReg {
        let d = self.new_vreg();
        self.emit(op, vec![MOp::Reg(d), MOp::Reg(s)]);
        d
    }

    pub fn mov(&mut self, d: VReg, s: VReg) {
        if d != s {
            self.emit(Opcode::Mov, vec![MOp::Reg(d), MOp::Reg(s)]);
        }
    }

    /// The register that holds the result of instruction `v`.
    pub fn def(&mut self, v: Val) -> VReg {
        if let Some(&r) = self.vmap.get(&v) {
            return r;
        }
        let r = self.new_vreg();
        self.vmap.insert(v, r);
        r
    }

    /// Makes `v`'s value the register `r` (no code unless `v` was already
    /// referenced, e.g. by a phi in an earlier block).
    pub fn alias(&mut self, v: Val, r: VReg) {
        match self.vmap.get(&v) {
            Some(&d) => self.mov(d, r),
            None => {
                self.vmap.insert(v, r);
            }
        }
    }

    /// The registers of the fields of aggregate `v` (made on first use, so
    /// a use may come before the definition in block order).
    pub fn agg_regs(&mut self, v: Val, n: usize) -> Vec<VReg> {
        if let Some(r) = self.aggs.get(&v) {
            return r.clone();
        }
        let r: Vec<VReg> = (0..n).map(|_| self.new_vreg()).collect();
        self.aggs.insert(v, r.clone());
        r
    }

    /// A new machine block placed after the current LLVM block's blocks
    /// (for control flow inside one LLVM instruction).
    pub fn new_block(&mut self) -> Result<BlockId> {
        let Some(b) = self.cur_llvm else { return self.internal("no current block") };
        let home = self.block_id(b)?;
        let id = self.blocks.len();
        self.blocks.push(MBlock::default());
        self.split_after[home].push(id);
        Ok(id)
    }

    /// Continues emitting into block `b` (constants are not shared across).
    pub fn switch_to(&mut self, b: BlockId) {
        self.cur = b;
        self.cache.clear();
    }

    /// The address of a frame slot made `align`-aligned at run time: `off`
    /// must have `align - FRAME_ALIGN` bytes of room past the object.
    pub fn aligned_stack_addr(&mut self, off: u32, align: u32) -> VReg {
        let base = self.new_vreg();
        self.emit(Opcode::StackAddr, vec![MOp::Reg(base), MOp::Imm(off as i64)]);
        self.align_up(base, align)
    }

    /// `r` rounded up to a multiple of `align` (a power of two).
    pub fn align_up(&mut self, r: VReg, align: u32) -> VReg {
        let t = self.emit_imm(Opcode::AddImmI32, r, i64::from(align - 1));
        self.emit_imm(Opcode::AndImmI32, t, i64::from(align.wrapping_neg() as i32))
    }

    /// Reserves `size` bytes of the static frame, `align`-aligned; returns
    /// the frame offset.
    pub fn frame_slot(&mut self, size: u32, align: u32) -> Result<u32> {
        let off = self.frame.div_ceil(align) * align;
        let end = off as u64 + size as u64;
        if end > (1 << 24) {
            return self.unsupported(format!("stack frame of {end} bytes"));
        }
        self.frame = end as u32;
        Ok(off)
    }

    /// Evaluates `v` as a constant (globals, functions, static allocas...).
    pub fn eval_const(&mut self, v: Val) -> Result<Option<Const>> {
        let mut env = ConstEnv { info: self.info, tables: self.tables, allocas: Some(&self.allocas) };
        env.eval(v).map_err(|e| self.const_err(e))
    }

    /// An integer immediate for a constant int operand (sign-extended).
    pub fn imm(&self, v: Val) -> Option<i64> {
        match v.kind() {
            ValKind::ConstInt if v.ty().int_width() <= 64 => Some(v.const_reg_value()),
            ValKind::NullOrUndef if v.ty().is_int() || v.ty().is_ptr() => Some(0),
            _ => None,
        }
    }

    /// The register holding `v`, materialising constants.
    pub fn use_val(&mut self, v: Val) -> Result<VReg> {
        if super::f128::is_f128(v.ty()) {
            // Only calls take an fp128 as one register: the address of a copy.
            return self.f128_arg(v);
        }
        match v.kind() {
            ValKind::Argument | ValKind::Instruction if !self.allocas.contains_key(&v) => {
                if v.kind() == ValKind::Instruction && self.folded.contains(&v) {
                    return self.internal("folded instruction used as a value");
                }
                Ok(self.def(v))
            }
            ValKind::InlineAsm => self.unsupported("inline assembly"),
            _ => {
                let wide = super::types::is_wide(v.ty());
                match self.eval_const(v)? {
                    Some(c) => Ok(self.materialise(c, wide)),
                    None => self.unsupported(format!("operand of type `{}`", v.ty().describe())),
                }
            }
        }
    }

    /// A register with constant `c`, shared within the current block.
    pub fn materialise(&mut self, c: Const, wide: bool) -> VReg {
        if let Some(&r) = self.cache.get(&(c, wide)).or_else(|| self.hoisted.get(&(c, wide))) {
            return r;
        }
        let r = self.new_vreg();
        let in_loop = self.cur_llvm.is_some_and(|b| self.in_loop.contains(&b)) && self.cur < self.split_after.len();
        if in_loop && self.hoisted.len() < MAX_HOISTED {
            self.to_prologue = true;
            self.materialise_into(r, c, wide);
            self.to_prologue = false;
            self.hoisted.insert((c, wide), r);
            return r;
        }
        self.materialise_into(r, c, wide);
        self.cache.insert((c, wide), r);
        r
    }

    pub fn materialise_into(&mut self, d: VReg, c: Const, wide: bool) {
        match c {
            Const::Int(x) => {
                // 32-bit results are zero-extended, so const.i32 also makes
                // any i64 in 0..2^32; const.i8 any value of -128..127 as i32.
                let x32 = x as i32 as i64;
                if (!wide && (-128..128).contains(&x32)) || (wide && (0..128).contains(&x)) {
                    let v = if wide { x } else { x32 };
                    self.emit(Opcode::ConstI8, vec![MOp::Reg(d), MOp::Imm(v)]);
                } else if !wide || (0..=u32::MAX as i64).contains(&x) {
                    self.emit(Opcode::ConstI32, vec![MOp::Reg(d), MOp::Imm(x as u32 as i32 as i64)]);
                } else {
                    self.emit(Opcode::ConstI64, vec![MOp::Reg(d), MOp::Imm(x)]);
                }
            }
            Const::Addr { kind, target, addend } => {
                let (op, base) = match kind {
                    AddrKind::Data => (Opcode::DataAddr, Some(target as i64)),
                    AddrKind::Stack => (Opcode::StackAddr, Some(target as i64)),
                    AddrKind::Func => (Opcode::FuncAddr, None),
                    AddrKind::Import => (Opcode::ImportAddr, None),
                };
                match base {
                    Some(b) if (0..=u32::MAX as i64).contains(&(b + addend)) => {
                        self.emit(op, vec![MOp::Reg(d), MOp::Imm(b + addend)])
                    }
                    Some(b) => {
                        let t = self.new_vreg();
                        self.emit(op, vec![MOp::Reg(t), MOp::Imm(b)]);
                        self.emit(Opcode::AddImmI32, vec![MOp::Reg(d), MOp::Reg(t), MOp::Imm(addend as i32 as i64)]);
                    }
                    None if addend == 0 => self.emit(op, vec![MOp::Reg(d), MOp::Imm(target as i64)]),
                    None => {
                        let t = self.new_vreg();
                        self.emit(op, vec![MOp::Reg(t), MOp::Imm(target as i64)]);
                        self.emit(Opcode::AddImmI32, vec![MOp::Reg(d), MOp::Reg(t), MOp::Imm(addend as i32 as i64)]);
                    }
                }
            }
        }
    }

    /// Integer width of a value's type (pointers are 32).
    pub fn width(v: Val) -> u32 {
        let t = v.ty();
        if t.is_ptr() { 32 } else { t.int_width() }
    }

    /// Is an integer of width `w` kept in a register with bits above `w`
    /// that may be garbage (anything but i32 and i64)?
    pub fn is_odd_width(w: u32) -> bool {
        w != 0 && w != 32 && w < 64
    }

    /// `v` as a full 32-bit (or 64-bit) value: integers narrower than their
    /// register class are zero- or sign-extended, since their upper bits
    /// may be garbage.
    pub fn norm(&mut self, v: Val, signed: bool) -> Result<VReg> {
        let w = Self::width(v);
        if !Self::is_odd_width(w) {
            return self.use_val(v);
        }
        if let Some(x) = self.imm(v) {
            let x = if signed { super::consts::sext(x, w) } else { zext(x, w) };
            return Ok(self.materialise(Const::Int(x), w > 32));
        }
        let r = self.use_val(v)?;
        if (!signed && self.zclean.contains(&v)) || (signed && self.sclean.contains(&v)) {
            return Ok(r);
        }
        Ok(self.norm_reg(r, w, signed))
    }

    /// Register `r` holding an integer of width `w` (garbage above it)
    /// zero- or sign-extended to its register class.
    pub fn norm_reg(&mut self, r: VReg, w: u32, signed: bool) -> VReg {
        if !Self::is_odd_width(w) {
            return r;
        }
        if w > 32 {
            let shr = if signed { Opcode::ShrSImmI64 } else { Opcode::ShrUImmI64 };
            let t = self.emit_imm(Opcode::ShlImmI64, r, (64 - w) as i64);
            return self.emit_imm(shr, t, (64 - w) as i64);
        }
        match (w, signed) {
            (1, false) => r,
            (1, true) => self.emit_imm(Opcode::SubFromImmI32, r, 0),
            (8, false) => self.emit2(Opcode::Zext8I32, r),
            (8, true) => self.emit2(Opcode::Sext8I32, r),
            (16, false) => self.emit2(Opcode::Zext16I32, r),
            (16, true) => self.emit2(Opcode::Sext16I32, r),
            (_, false) => self.emit_imm(Opcode::AndImmI32, r, zext(-1, w)),
            (_, true) => {
                let t = self.emit_imm(Opcode::ShlImmI32, r, (32 - w) as i64);
                self.emit_imm(Opcode::ShrSImmI32, t, (32 - w) as i64)
            }
        }
    }

    /// The value of an immediate operand after extension as `norm` does.
    pub fn norm_imm(&self, v: Val, signed: bool) -> Option<i64> {
        let w = Self::width(v);
        let x = self.imm(v)?;
        Some(if !Self::is_odd_width(w) {
            x
        } else if signed {
            super::consts::sext(x, w)
        } else {
            zext(x, w)
        })
    }

    // ---------- source locations ----------

    fn set_loc(&mut self, inst: Val) {
        self.src = inst.debug_loc();
        if let Some(l) = &self.src {
            let n = self.locs.len() as u32;
            let idx = *self.loc_index.entry(l.clone()).or_insert(n);
            if idx == n {
                self.locs.push(l.clone());
            }
            self.loc = Some(idx);
        }
    }

    // ---------- the function ----------

    /// Lowers the whole function.
    pub fn run(mut self) -> Result<MFunc> {
        let f = self.func;
        let fty = f.global_value_type();
        let first_line = |f: Val| f.blocks().first().and_then(|b| b.instructions().first().and_then(|i| i.debug_loc()));
        if let Err(t) = func_type(fty) {
            // Name the first line of the function when there is one.
            self.src = first_line(f);
            return self.unsupported(super::types::describe_bad_signature(fty, t));
        }
        if super::address_taken(f) && (fty.ret_type().is_vector() || fty.param_types().iter().any(|p| p.is_vector())) {
            // A native calling it back would pass vectors as its ABI says.
            self.src = first_line(f);
            return self
                .unsupported("vector parameter or result of a function whose address is taken (pass a pointer)");
        }
        let params = f.params();
        if super::f128::returns_f128(fty) {
            self.f128_result_ptr = Some(self.new_vreg());
        }
        let mut f128_params = Vec::new();
        for p in &params {
            if super::f128::is_f128(p.ty()) {
                // The address of the caller's copy.
                let r = self.new_vreg();
                f128_params.push((*p, r));
                continue;
            }
            // An aggregate parameter arrives as its leaves, a vector as its lanes, in order.
            match super::types::sig_leaves(p.ty()) {
                Some(l) => {
                    self.agg_regs(*p, l.len());
                }
                None => {
                    self.def(*p);
                }
            }
        }
        self.nparams = self.nvregs;
        if fty.is_vararg() {
            // The hidden parameter after the declared ones (see `types::module_func_type`).
            self.va_area = Some(self.new_vreg());
            self.nparams += 1;
        }
        for i in 0..params.len() as u32 {
            // A byval parameter is the address of the caller's copy; a
            // native calling back would pass the words instead.
            if f.has_attr(i + 1, "byval", false) && super::address_taken(f) {
                self.src = first_line(f);
                return self.unsupported(
                    "by-value aggregate parameter (byval) of a function whose address is taken (pass a pointer)",
                );
            }
        }
        let bbs = f.blocks();
        for (i, b) in bbs.iter().enumerate() {
            self.bb_id.insert(*b, i);
        }
        for b in &bbs {
            if let Some(t) = b.terminator() {
                let mut seen = HashSet::new();
                for s in t.successors() {
                    if seen.insert(s) {
                        self.preds.entry(s).or_default().push(*b);
                    }
                }
            }
        }
        self.blocks = vec![MBlock::default(); bbs.len()];
        if !f128_params.is_empty() {
            self.to_prologue = true;
            self.f128_params(&f128_params);
            self.to_prologue = false;
        }
        self.split_after = vec![Vec::new(); bbs.len()];
        self.in_loop = blocks_on_cycles(&bbs);
        self.plan_allocas(&bbs)?;
        self.plan_va_areas(&bbs)?;
        self.plan_folding(&bbs);
        for (i, b) in bbs.iter().enumerate() {
            self.cur = i;
            self.cur_llvm = Some(*b);
            self.cache.clear();
            let preds = self.preds.get(b).cloned().unwrap_or_default();
            if preds.len() == 1 {
                self.edge_moves(preds[0], *b)?;
            }
            for inst in b.instructions() {
                self.set_loc(inst);
                self.lower_inst(inst)?;
            }
            if !self.blocks[i].insts.last().is_some_and(|l| l.is_barrier()) {
                return self.internal("block without terminator");
            }
        }
        Ok(self.finish())
    }

    /// Gives static allocas of the entry block fixed frame offsets.
    fn plan_allocas(&mut self, bbs: &[Block]) -> Result<()> {
        let Some(entry) = bbs.first() else { return Ok(()) };
        for inst in entry.instructions() {
            if !is_inst(inst, Op::LLVMAlloca) {
                continue;
            }
            let Some(count) = inst.operand(0).and_then(|c| self.imm(c)) else { continue };
            let ty = inst.allocated_type();
            let size = self.info.layout.alloc_size(ty).saturating_mul(count.max(0) as u64);
            let align = inst.alignment().max(1);
            if align > FRAME_ALIGN {
                // A frame is only 16-aligned: the padded slot is rounded up
                // to the alignment at run time.
                let padded = u32::try_from(size + u64::from(align - FRAME_ALIGN)).unwrap_or(u32::MAX);
                let off = self.frame_slot(padded, FRAME_ALIGN)?;
                self.overaligned.insert(inst, (off, align));
                continue;
            }
            let off = self.frame.div_ceil(align) * align;
            let end = off as u64 + size;
            if end > (1 << 24) {
                return self.unsupported(format!("stack frame of {end} bytes"));
            }
            self.allocas.insert(inst, off);
            self.frame = end as u32;
        }
        Ok(())
    }

    /// Decides which instructions are selected at their use.
    fn plan_folding(&mut self, bbs: &[Block]) {
        for b in bbs {
            for inst in b.instructions() {
                match inst.opcode() {
                    Some(Op::LLVMICmp) => {
                        let users = inst.users();
                        let w = Self::width(inst.operand(0).unwrap_or(inst));
                        if users.len() == 1
                            && w <= 32
                            && is_inst(users[0], Op::LLVMBr)
                            && users[0].parent_block() == *b
                            && !inst.ty().is_vector()
                        {
                            self.folded.insert(inst);
                        }
                    }
                    Some(Op::LLVMGetElementPtr) if !inst.ty().is_vector() => {
                        let users = inst.users();
                        let mem_only = !users.is_empty()
                            && users.iter().all(|u| {
                                (is_inst(*u, Op::LLVMLoad) && !u.ty().is_vector())
                                    || (is_inst(*u, Op::LLVMStore)
                                        && u.operand(0) != Some(inst)
                                        && !u.operand(0).is_some_and(|v| v.ty().is_vector()))
                            });
                        let has_var = inst.operands().iter().skip(1).any(|i| self.imm(*i).is_none());
                        if mem_only && (!has_var || users.len() == 1) && !self.allocas.contains_key(&inst) {
                            self.folded.insert(inst);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// Puts edge blocks after their source block and renumbers labels.
    fn finish(mut self) -> MFunc {
        let n = self.split_after.len();
        let mut order = Vec::with_capacity(self.blocks.len());
        for i in 0..n {
            order.push(i);
            order.extend(self.split_after[i].iter().copied());
        }
        let mut new_index = vec![0usize; self.blocks.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new;
        }
        if let Some(entry) = self.blocks.first_mut() {
            let body = std::mem::take(&mut entry.insts);
            entry.insts = std::mem::take(&mut self.prologue);
            entry.insts.extend(body);
        }
        let frame_size = self.frame.div_ceil(FRAME_ALIGN) * FRAME_ALIGN;
        let mut old_blocks: Vec<Option<MBlock>> = std::mem::take(&mut self.blocks).into_iter().map(Some).collect();
        let mut blocks = Vec::with_capacity(order.len());
        for &old in &order {
            let mut b = old_blocks[old].take().unwrap_or_default();
            for inst in &mut b.insts {
                let stack_addr = inst.op == Opcode::StackAddr;
                for op in &mut inst.ops {
                    match op {
                        MOp::Label(l) => *l = new_index[*l],
                        MOp::Table(ls) => ls.iter_mut().for_each(|l| *l = new_index[*l]),
                        MOp::Imm(x) if stack_addr && *x == FRAME_TOP => *x = i64::from(frame_size),
                        _ => {}
                    }
                }
            }
            blocks.push(b);
        }
        MFunc { name: self.name, nparams: self.nparams, nvregs: self.nvregs, blocks, frame_size, locs: self.locs }
    }

    // ---------- control flow ----------

    fn block_id(&self, b: Block) -> Result<BlockId> {
        match self.bb_id.get(&b) {
            Some(&i) => Ok(i),
            None => self.internal("branch to a block of another function"),
        }
    }

    fn has_phis(b: Block) -> bool {
        b.instructions().first().is_some_and(|i| is_inst(*i, Op::LLVMPHI))
    }

    /// Emits the phi moves of edge `pred -> succ` at the current position.
    fn edge_moves(&mut self, pred: Block, succ: Block) -> Result<()> {
        let mut reg_moves = Vec::new();
        let mut const_moves = Vec::new();
        for phi_inst in succ.instructions() {
            if !is_inst(phi_inst, Op::LLVMPHI) {
                break;
            }
            let Some((v, _)) = phi_inst.phi_incoming().into_iter().find(|(_, b)| *b == pred) else {
                continue;
            };
            if v.is_poison_or_undef() {
                continue;
            }
            if super::types::is_aggregate(phi_inst.ty()) {
                let src = self.agg_val(v)?;
                let dst = self.agg_val(phi_inst)?;
                reg_moves.extend(dst.into_iter().zip(src));
                continue;
            }
            if phi_inst.ty().is_vector() {
                let src = self.vec_val(v)?;
                let dst = self.vec_val(phi_inst)?;
                reg_moves.extend(dst.into_iter().zip(src));
                continue;
            }
            if super::f128::is_f128(phi_inst.ty()) {
                let src = self.f128_val(v)?;
                let dst = self.f128_val(phi_inst)?;
                reg_moves.extend(dst.into_iter().zip(src));
                continue;
            }
            if super::types::is_wide_int(phi_inst) {
                let src = self.wide_val(v)?;
                let dst = self.wide_val(phi_inst)?;
                reg_moves.extend(dst.into_iter().zip(src));
                continue;
            }
            let d = self.def(phi_inst);
            match v.kind() {
                ValKind::Argument | ValKind::Instruction if !self.allocas.contains_key(&v) => {
                    let s = self.use_val(v)?;
                    reg_moves.push((d, s));
                }
                _ => match self.eval_const(v)? {
                    Some(c) => const_moves.push((d, c, super::types::is_wide(v.ty()))),
                    None => return self.unsupported(format!("phi operand of type `{}`", v.ty().describe())),
                },
            }
        }
        let mut temps = Vec::new();
        let seq = phi::sequentialize(&reg_moves, || {
            temps.push(());
            u32::MAX - temps.len() as u32
        });
        // Temporaries were numbered from the top; give them real registers.
        let mut temp_map = HashMap::new();
        for (d, s) in seq {
            let d = self.temp_reg(d, &mut temp_map);
            let s = self.temp_reg(s, &mut temp_map);
            self.mov(d, s);
        }
        for (d, c, wide) in const_moves {
            self.materialise_into(d, c, wide);
        }
        Ok(())
    }

    fn temp_reg(&mut self, r: VReg, map: &mut HashMap<VReg, VReg>) -> VReg {
        if r < self.nvregs {
            return r;
        }
        if let Some(&t) = map.get(&r) {
            return t;
        }
        let t = self.new_vreg();
        map.insert(r, t);
        t
    }

    /// The block a branch from the current block to `succ` should target:
    /// `succ` itself, or a new edge block holding the phi moves.
    fn edge_target(&mut self, succ: Block) -> Result<BlockId> {
        let id = self.block_id(succ)?;
        let Some(pred) = self.cur_llvm else { return self.internal("no current block") };
        let npreds = self.preds.get(&succ).map_or(0, |p| p.len());
        if !Self::has_phis(succ) || npreds <= 1 {
            return Ok(id);
        }
        if let Some(&e) = self.split_map.get(&(pred, succ)) {
            return Ok(e);
        }
        let e = self.blocks.len();
        self.blocks.push(MBlock::default());
        let home = self.block_id(pred)?;
        self.split_after[home].push(e);
        self.split_map.insert((pred, succ), e);
        let (saved_cur, saved_cache) = (self.cur, std::mem::take(&mut self.cache));
        self.cur = e;
        self.edge_moves(pred, succ)?;
        self.emit(Opcode::Br, vec![MOp::Label(id)]);
        self.cur = saved_cur;
        self.cache = saved_cache;
        Ok(e)
    }

    /// Unconditional jump with the edge's phi moves.
    fn jump(&mut self, succ: Block) -> Result<()> {
        let id = self.block_id(succ)?;
        let npreds = self.preds.get(&succ).map_or(0, |p| p.len());
        if npreds > 1 && Self::has_phis(succ) {
            let Some(pred) = self.cur_llvm else { return self.internal("no current block") };
            self.edge_moves(pred, succ)?;
        }
        self.emit(Opcode::Br, vec![MOp::Label(id)]);
        Ok(())
    }

    pub fn lower_br(&mut self, inst: Val) -> Result<()> {
        let succs = inst.successors();
        if !inst.is_conditional() || succs.len() != 2 || succs[0] == succs[1] {
            let Some(&s) = succs.first() else { return self.internal("br without target") };
            return self.jump(s);
        }
        let Some(c) = inst.operand(0) else { return self.internal("br without condition") };
        let cond = if self.folded.contains(&c) {
            self.icmp_cond(c)?
        } else if let Some(x) = self.imm(c) {
            Cond::Const(x & 1 != 0)
        } else {
            Cond::Bool(self.use_val(c)?)
        };
        let t = self.edge_target(succs[0])?;
        let f = self.edge_target(succs[1])?;
        self.branch_on(cond, t, f);
        Ok(())
    }

    /// Conditional branch to `t`, else `f`.
    fn branch_on(&mut self, cond: Cond, t: BlockId, f: BlockId) {
        match cond {
            Cond::Const(b) => {
                self.emit(Opcode::Br, vec![MOp::Label(if b { t } else { f })]);
                return;
            }
            Cond::Bool(r) => self.emit(Opcode::BrIf, vec![MOp::Reg(r), MOp::Label(t)]),
            Cond::Reg { op, a, b, wide: false } => {
                let bop = match op {
                    Opcode::EqI32 => Opcode::BrEqI32,
                    Opcode::NeI32 => Opcode::BrNeI32,
                    Opcode::LtSI32 => Opcode::BrLtSI32,
                    Opcode::LtUI32 => Opcode::BrLtUI32,
                    Opcode::LeSI32 => Opcode::BrLeSI32,
                    _ => Opcode::BrLeUI32,
                };
                self.emit(bop, vec![MOp::Reg(a), MOp::Reg(b), MOp::Label(t)]);
            }
            Cond::Reg { .. } => {
                let r = self.cond_value(cond);
                self.emit(Opcode::BrIf, vec![MOp::Reg(r), MOp::Label(t)]);
            }
            Cond::Imm { op, a, v } => {
                let bop = match op {
                    Opcode::EqImmI32 => Opcode::BrEqImmI32,
                    Opcode::NeImmI32 => Opcode::BrNeImmI32,
                    Opcode::LtSImmI32 => Opcode::BrLtSImmI32,
                    Opcode::LtUImmI32 => Opcode::BrLtUImmI32,
                    Opcode::GtSImmI32 => Opcode::BrGtSImmI32,
                    _ => Opcode::BrGtUImmI32,
                };
                self.emit(bop, vec![MOp::Reg(a), MOp::Imm(v as i64), MOp::Label(t)]);
            }
        }
        self.emit(Opcode::Br, vec![MOp::Label(f)]);
    }

    /// A condition as a 0/1 register.
    pub fn cond_value(&mut self, cond: Cond) -> VReg {
        match cond {
            Cond::Bool(r) => r,
            Cond::Const(b) => self.materialise(Const::Int(b as i64), false),
            Cond::Reg { op, a, b, wide } => {
                let op = if wide {
                    match op {
                        Opcode::EqI32 => Opcode::EqI64,
                        Opcode::NeI32 => Opcode::NeI64,
                        Opcode::LtSI32 => Opcode::LtSI64,
                        Opcode::LtUI32 => Opcode::LtUI64,
                        Opcode::LeSI32 => Opcode::LeSI64,
                        _ => Opcode::LeUI64,
                    }
                } else {
                    op
                };
                self.emit3(op, a, b)
            }
            Cond::Imm { op, a, v } => self.emit_imm(op, a, v as i64),
        }
    }

    /// `indirectbr` (computed goto): compares the label number (see
    /// `consts::label_id`) with each possible destination's; any other
    /// value traps.
    pub fn lower_indirectbr(&mut self, inst: Val) -> Result<()> {
        let addr = self.operand(inst, 0)?;
        let Some(&fi) = self.info.funcs.get(&self.func) else { return self.internal("function without index") };
        let mut seen = HashSet::new();
        let mut targets = Vec::new();
        for s in inst.successors() {
            if seen.insert(s) {
                let bi = self.block_id(s)?;
                targets.push((super::consts::label_id(fi, bi as u32), self.edge_target(s)?));
            }
        }
        let a = self.use_val(addr)?;
        for (id, t) in targets {
            let Ok(id) = i32::try_from(id) else {
                return self.unsupported("computed goto in a function of this index");
            };
            self.emit(Opcode::BrEqImmI32, vec![MOp::Reg(a), MOp::Imm(id as i64), MOp::Label(t)]);
        }
        self.emit(Opcode::Unreachable, vec![]);
        Ok(())
    }

    pub fn lower_switch(&mut self, inst: Val) -> Result<()> {
        let ops = inst.operands();
        let succs = inst.successors();
        let (Some(&cv), Some(&default)) = (ops.first(), succs.first()) else {
            return self.internal("malformed switch");
        };
        let mut cases = Vec::new();
        for (k, &dest) in succs.iter().enumerate().skip(1) {
            let Some(v) = inst.switch_case_value(k as u32).and_then(|c| self.norm_imm(c, false)) else {
                return self.internal("switch case value");
            };
            cases.push((v, dest));
        }
        let wide = Self::width(cv) > 32;
        let default_t = self.edge_target(default)?;
        let mut targets = Vec::with_capacity(cases.len());
        for &(v, d) in &cases {
            targets.push((v, self.edge_target(d)?));
        }
        let s = self.norm(cv, false)?;
        if wide {
            for (v, t) in targets {
                let c = self.materialise(Const::Int(v), true);
                let r = self.emit3(Opcode::EqI64, s, c);
                self.emit(Opcode::BrIf, vec![MOp::Reg(r), MOp::Label(t)]);
            }
            self.emit(Opcode::Br, vec![MOp::Label(default_t)]);
            return Ok(());
        }
        let lo = targets.iter().map(|t| t.0 as u32 as i64).min().unwrap_or(0);
        let hi = targets.iter().map(|t| t.0 as u32 as i64).max().unwrap_or(0);
        let range = hi - lo + 1;
        if targets.len() >= 4 && range <= 2 * targets.len() as i64 + 8 && range <= 4096 {
            let mut table = vec![default_t; range as usize];
            for &(v, t) in &targets {
                table[(v as u32 as i64 - lo) as usize] = t;
            }
            let idx = if lo == 0 { s } else { self.emit_imm(Opcode::AddImmI32, s, (-lo) as i32 as i64) };
            self.emit(Opcode::BrTable, vec![MOp::Reg(idx), MOp::Label(default_t), MOp::Table(table)]);
        } else {
            for (v, t) in targets {
                self.emit(Opcode::BrEqImmI32, vec![MOp::Reg(s), MOp::Imm(v as i32 as i64), MOp::Label(t)]);
            }
            self.emit(Opcode::Br, vec![MOp::Label(default_t)]);
        }
        Ok(())
    }

    pub fn lower_ret(&mut self, inst: Val) -> Result<()> {
        match inst.operand(0) {
            None => self.emit(Opcode::RetVoid, vec![]),
            Some(v) if super::f128::is_f128(v.ty()) => self.f128_ret(v)?,
            Some(v) if super::types::is_split(v.ty()) => {
                let r = self.pack_return(v)?;
                self.emit(Opcode::Ret, vec![MOp::Reg(r)]);
            }
            Some(v) => {
                let w = Self::width(v);
                let r = if w > 0 && w < 32 {
                    let signed = self.func.has_attr(0, "signext", false);
                    self.norm(v, signed)?
                } else {
                    self.use_val(v)?
                };
                self.emit(Opcode::Ret, vec![MOp::Reg(r)]);
            }
        }
        Ok(())
    }

    /// Checks that every operand and the result are VM values.
    pub fn check_types(&self, inst: Val) -> Result<()> {
        let t = inst.ty();
        let agg_ok = super::types::leaf_types(t).is_some()
            && matches!(
                inst.opcode(),
                Some(
                    Op::LLVMLoad
                        | Op::LLVMExtractValue
                        | Op::LLVMInsertValue
                        | Op::LLVMPHI
                        | Op::LLVMSelect
                        | Op::LLVMFreeze
                        | Op::LLVMAtomicCmpXchg
                )
            );
        if !t.is_void() && val_type(t).is_none() && !is_inst(inst, Op::LLVMCall) && !agg_ok {
            return self.unsupported(describe_unsupported(t));
        }
        for o in inst.operands() {
            let ot = o.ty();
            if ot.is_vector() || (ot.is_int() && ot.int_width() > 64) {
                return self.unsupported(describe_unsupported(ot));
            }
        }
        Ok(())
    }
}

/// Blocks that can reach themselves.
fn blocks_on_cycles(bbs: &[Block]) -> HashSet<Block> {
    let succ: HashMap<Block, Vec<Block>> =
        bbs.iter().map(|b| (*b, b.terminator().map(|t| t.successors()).unwrap_or_default())).collect();
    let mut out = HashSet::new();
    for &b in bbs {
        let mut seen = HashSet::new();
        let mut work: Vec<Block> = succ.get(&b).cloned().unwrap_or_default();
        while let Some(x) = work.pop() {
            if x == b {
                out.insert(b);
                break;
            }
            if seen.insert(x) {
                work.extend(succ.get(&x).into_iter().flatten().copied());
            }
        }
    }
    out
}
