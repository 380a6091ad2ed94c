//! A thin, read-only view of LLVM IR through the C API.
//!
//! inkwell covers building IR well but lacks many readers the translator
//! needs (GEP source types, switch cases, debug locations, call-site
//! attributes, constant-expression opcodes), so the translator reads IR
//! through these small wrappers. Every handle comes from a live
//! `inkwell::module::Module` that outlives the whole translation, which is
//! what makes the FFI calls below sound.

use inkwell::llvm_sys::LLVMIntPredicate;
use inkwell::llvm_sys::LLVMOpcode;
use inkwell::llvm_sys::LLVMTypeKind;
use inkwell::llvm_sys::core as c;
use inkwell::llvm_sys::prelude::{LLVMBasicBlockRef, LLVMModuleRef, LLVMTypeRef, LLVMValueRef};
use inkwell::llvm_sys::target as t;

pub use inkwell::llvm_sys::LLVMOpcode as Op;
pub use inkwell::llvm_sys::LLVMTypeKind as TypeKind;

/// An LLVM value (instruction, argument, constant, global, function).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Val(pub LLVMValueRef);

/// An LLVM type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ty(pub LLVMTypeRef);

/// An LLVM basic block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Block(pub LLVMBasicBlockRef);

fn str_from(ptr: *const std::ffi::c_char, len: usize) -> String {
    if ptr.is_null() {
        return String::new();
    }
    // SAFETY: LLVM returned a pointer to `len` bytes it owns.
    let bytes = unsafe { std::slice::from_raw_parts(ptr as *const u8, len) };
    String::from_utf8_lossy(bytes).into_owned()
}

fn opt(v: LLVMValueRef) -> Option<Val> {
    (!v.is_null()).then_some(Val(v))
}

/// Iterates a linked list of LLVM objects.
fn walk<T: Copy>(first: T, is_null: impl Fn(T) -> bool, next: impl Fn(T) -> T) -> Vec<T> {
    let mut out = Vec::new();
    let mut cur = first;
    while !is_null(cur) {
        out.push(cur);
        cur = next(cur);
    }
    out
}

/// The module-level view.
#[derive(Clone, Copy)]
pub struct IrModule(pub LLVMModuleRef);

impl IrModule {
    pub fn functions(&self) -> Vec<Val> {
        // SAFETY: module handle is live; list walking is read-only.
        unsafe {
            walk(c::LLVMGetFirstFunction(self.0), |v| v.is_null(), |v| c::LLVMGetNextFunction(v))
                .into_iter()
                .map(Val)
                .collect()
        }
    }
    pub fn globals(&self) -> Vec<Val> {
        // SAFETY: as above.
        unsafe {
            walk(c::LLVMGetFirstGlobal(self.0), |v| v.is_null(), |v| c::LLVMGetNextGlobal(v))
                .into_iter()
                .map(Val)
                .collect()
        }
    }
    /// The module's target triple (`riscv32-esp-unknown-elf`, `xtensa`...).
    pub fn triple(&self) -> String {
        // SAFETY: LLVM returns a NUL-terminated string owned by the module.
        unsafe {
            let p = c::LLVMGetTarget(self.0);
            if p.is_null() { String::new() } else { std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned() }
        }
    }
    /// The module's data layout (owned by the module).
    pub fn layout(&self) -> Layout {
        // SAFETY: the returned target data belongs to the module.
        Layout(unsafe { t::LLVMGetModuleDataLayout(self.0) })
    }
}

/// Type sizes and struct layouts from the module's data layout.
#[derive(Clone, Copy)]
pub struct Layout(t::LLVMTargetDataRef);

impl Layout {
    pub fn alloc_size(&self, ty: Ty) -> u64 {
        // SAFETY: sized types only are asked about (callers check kinds).
        unsafe { t::LLVMABISizeOfType(self.0, ty.0) }
    }
    pub fn store_size(&self, ty: Ty) -> u64 {
        // SAFETY: as above.
        unsafe { t::LLVMStoreSizeOfType(self.0, ty.0) }
    }
    pub fn abi_align(&self, ty: Ty) -> u32 {
        // SAFETY: as above.
        unsafe { t::LLVMABIAlignmentOfType(self.0, ty.0) }
    }
    pub fn field_offset(&self, st: Ty, idx: u32) -> u64 {
        // SAFETY: callers check that `st` is a struct with > idx fields.
        unsafe { t::LLVMOffsetOfElement(self.0, st.0, idx) }
    }
}

impl Ty {
    pub fn kind(&self) -> TypeKind {
        // SAFETY: live type handle.
        unsafe { c::LLVMGetTypeKind(self.0) }
    }
    /// The name of a named struct type (`struct.__va_list_tag`), else "".
    pub fn struct_name(&self) -> String {
        if self.kind() != LLVMTypeKind::LLVMStructTypeKind {
            return String::new();
        }
        // SAFETY: struct type checked above; the name is owned by LLVM.
        unsafe {
            let p = c::LLVMGetStructName(self.0);
            if p.is_null() { String::new() } else { std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned() }
        }
    }
    pub fn int_width(&self) -> u32 {
        if self.kind() == LLVMTypeKind::LLVMIntegerTypeKind {
            // SAFETY: integer type checked above.
            unsafe { c::LLVMGetIntTypeWidth(self.0) }
        } else {
            0
        }
    }
    pub fn is_int(&self) -> bool {
        self.kind() == LLVMTypeKind::LLVMIntegerTypeKind
    }
    pub fn is_ptr(&self) -> bool {
        self.kind() == LLVMTypeKind::LLVMPointerTypeKind
    }
    pub fn is_void(&self) -> bool {
        self.kind() == LLVMTypeKind::LLVMVoidTypeKind
    }
    pub fn is_struct(&self) -> bool {
        self.kind() == LLVMTypeKind::LLVMStructTypeKind
    }
    pub fn is_array(&self) -> bool {
        self.kind() == LLVMTypeKind::LLVMArrayTypeKind
    }
    pub fn is_vector(&self) -> bool {
        matches!(self.kind(), LLVMTypeKind::LLVMVectorTypeKind | LLVMTypeKind::LLVMScalableVectorTypeKind)
    }
    /// Element type of an array or vector.
    pub fn element(&self) -> Ty {
        // SAFETY: callers check for array/vector.
        Ty(unsafe { c::LLVMGetElementType(self.0) })
    }
    pub fn vector_len(&self) -> u32 {
        // SAFETY: callers check for a fixed vector.
        unsafe { c::LLVMGetVectorSize(self.0) }
    }
    pub fn array_len(&self) -> u64 {
        // SAFETY: callers check for array.
        unsafe { c::LLVMGetArrayLength2(self.0) }
    }
    pub fn struct_fields(&self) -> Vec<Ty> {
        // SAFETY: callers check for struct; the buffer has the right size.
        unsafe {
            let n = c::LLVMCountStructElementTypes(self.0) as usize;
            let mut v = vec![std::ptr::null_mut(); n];
            c::LLVMGetStructElementTypes(self.0, v.as_mut_ptr());
            v.into_iter().map(Ty).collect()
        }
    }
    // --- function types ---
    pub fn ret_type(&self) -> Ty {
        // SAFETY: callers pass function types.
        Ty(unsafe { c::LLVMGetReturnType(self.0) })
    }
    pub fn param_types(&self) -> Vec<Ty> {
        // SAFETY: callers pass function types; buffer sized by count.
        unsafe {
            let n = c::LLVMCountParamTypes(self.0) as usize;
            let mut v = vec![std::ptr::null_mut(); n];
            c::LLVMGetParamTypes(self.0, v.as_mut_ptr());
            v.into_iter().map(Ty).collect()
        }
    }
    pub fn is_vararg(&self) -> bool {
        // SAFETY: callers pass function types.
        unsafe { c::LLVMIsFunctionVarArg(self.0) != 0 }
    }
    /// Printable form, for messages.
    pub fn describe(&self) -> String {
        // SAFETY: LLVM returns an owned C string we dispose.
        unsafe {
            let p = c::LLVMPrintTypeToString(self.0);
            let s = std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned();
            c::LLVMDisposeMessage(p);
            s
        }
    }
}

/// What kind of thing a value is, as the translator distinguishes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValKind {
    Instruction,
    Argument,
    ConstInt,
    ConstFp,
    NullOrUndef,
    Function,
    GlobalVar,
    GlobalAlias,
    ConstExpr,
    ConstAggregate,
    InlineAsm,
    /// `blockaddress(@f, %bb)`: a label's address (computed goto).
    BlockAddress,
    Other,
}

impl Val {
    /// Is this an LLVM `Constant` (numbers, globals, constant expressions...)?
    pub fn is_constant(&self) -> bool {
        // SAFETY: the LLVMIsA* queries accept any value.
        unsafe { !c::LLVMIsAConstant(self.0).is_null() }
    }

    pub fn kind(&self) -> ValKind {
        let v = self.0;
        // SAFETY: the LLVMIsA* queries accept any value.
        unsafe {
            if !c::LLVMIsAInstruction(v).is_null() {
                ValKind::Instruction
            } else if !c::LLVMIsAArgument(v).is_null() {
                ValKind::Argument
            } else if !c::LLVMIsAConstantInt(v).is_null() {
                ValKind::ConstInt
            } else if !c::LLVMIsAConstantFP(v).is_null() {
                ValKind::ConstFp
            } else if !c::LLVMIsAConstantPointerNull(v).is_null()
                || !c::LLVMIsAUndefValue(v).is_null()
                || !c::LLVMIsAConstantAggregateZero(v).is_null()
            {
                ValKind::NullOrUndef
            } else if !c::LLVMIsAFunction(v).is_null() {
                ValKind::Function
            } else if !c::LLVMIsAGlobalVariable(v).is_null() {
                ValKind::GlobalVar
            } else if !c::LLVMIsAGlobalAlias(v).is_null() {
                ValKind::GlobalAlias
            } else if !c::LLVMIsAConstantExpr(v).is_null() {
                ValKind::ConstExpr
            } else if !c::LLVMIsAConstantDataSequential(v).is_null()
                || !c::LLVMIsAConstantArray(v).is_null()
                || !c::LLVMIsAConstantStruct(v).is_null()
                || !c::LLVMIsAConstantVector(v).is_null()
            {
                ValKind::ConstAggregate
            } else if !c::LLVMIsAInlineAsm(v).is_null() {
                ValKind::InlineAsm
            } else if !c::LLVMIsABlockAddress(v).is_null() {
                ValKind::BlockAddress
            } else {
                ValKind::Other
            }
        }
    }
    pub fn ty(&self) -> Ty {
        // SAFETY: every value has a type.
        Ty(unsafe { c::LLVMTypeOf(self.0) })
    }
    pub fn name(&self) -> String {
        let mut len = 0usize;
        // SAFETY: LLVM writes the length and returns a pointer it owns.
        let p = unsafe { c::LLVMGetValueName2(self.0, &mut len) };
        str_from(p, len)
    }
    /// The opcode of an instruction or a constant expression.
    pub fn opcode(&self) -> Option<Op> {
        match self.kind() {
            // SAFETY: kind checked.
            ValKind::Instruction => Some(unsafe { c::LLVMGetInstructionOpcode(self.0) }),
            // SAFETY: kind checked.
            ValKind::ConstExpr => Some(unsafe { c::LLVMGetConstOpcode(self.0) }),
            _ => None,
        }
    }
    pub fn num_operands(&self) -> u32 {
        // SAFETY: users have operands; others report 0 or -1.
        let n = unsafe { c::LLVMGetNumOperands(self.0) };
        n.max(0) as u32
    }
    pub fn operand(&self, i: u32) -> Option<Val> {
        if i >= self.num_operands() {
            return None;
        }
        // SAFETY: index in range.
        opt(unsafe { c::LLVMGetOperand(self.0, i) })
    }
    pub fn operands(&self) -> Vec<Val> {
        (0..self.num_operands()).filter_map(|i| self.operand(i)).collect()
    }
    /// Sign-extended value of a constant int (up to 64 bits).
    pub fn const_sext(&self) -> i64 {
        // SAFETY: callers check ConstInt.
        unsafe { c::LLVMConstIntGetSExtValue(self.0) }
    }
    /// A constant int as the translator keeps it in a register: sign-extended,
    /// except that an i1 is 0 or 1 (registers holding i1 are always clean, so
    /// `true` must be 1, not the sign-extended -1).
    pub fn const_reg_value(&self) -> i64 {
        let v = self.const_sext();
        if self.ty().int_width() == 1 { v & 1 } else { v }
    }
    /// The bits of an integer constant of up to 128 bits (the C API reads
    /// only 64, so from its printed form `iN <decimal>`); `None` for any
    /// other value (an instruction's printed form may end in a number too).
    pub fn const_wide_value(&self) -> Option<u128> {
        if self.kind() != ValKind::ConstInt {
            return None;
        }
        // SAFETY: LLVM returns an owned C string we dispose.
        let text = unsafe {
            let p = c::LLVMPrintValueToString(self.0);
            let s = std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned();
            c::LLVMDisposeMessage(p);
            s
        };
        let num = text.split_whitespace().last()?;
        num.parse::<i128>().map(|v| v as u128).ok().or_else(|| num.parse::<u128>().ok())
    }
    /// The bits of an `fp128` constant, from its printed form
    /// `fp128 0xL<low 64 bits><high 64 bits>` (the C API reads only doubles).
    pub fn const_fp128_bits(&self) -> Option<u128> {
        // SAFETY: LLVM returns an owned C string we dispose.
        let text = unsafe {
            let p = c::LLVMPrintValueToString(self.0);
            let s = std::ffi::CStr::from_ptr(p).to_string_lossy().into_owned();
            c::LLVMDisposeMessage(p);
            s
        };
        let hex = text.split_whitespace().last()?.strip_prefix("0xL")?;
        if hex.len() != 32 {
            return None;
        }
        let lo = u64::from_str_radix(&hex[..16], 16).ok()?;
        let hi = u64::from_str_radix(&hex[16..], 16).ok()?;
        Some(u128::from(lo) | u128::from(hi) << 64)
    }
    pub fn const_double(&self) -> f64 {
        let mut loses = 0;
        // SAFETY: callers check ConstFp.
        unsafe { c::LLVMConstRealGetDouble(self.0, &mut loses) }
    }
    // --- instructions ---
    pub fn parent_block(&self) -> Block {
        // SAFETY: callers pass instructions.
        Block(unsafe { c::LLVMGetInstructionParent(self.0) })
    }
    pub fn icmp_predicate(&self) -> LLVMIntPredicate {
        // SAFETY: callers pass icmp instructions or constant exprs.
        unsafe { c::LLVMGetICmpPredicate(self.0) }
    }
    /// LLVM's fcmp predicate number (0 = false ... 15 = true).
    pub fn fcmp_predicate(&self) -> u8 {
        // SAFETY: callers pass fcmp instructions.
        unsafe { c::LLVMGetFCmpPredicate(self.0) as u8 }
    }
    pub fn successors(&self) -> Vec<Block> {
        // SAFETY: callers pass terminators.
        unsafe {
            let n = c::LLVMGetNumSuccessors(self.0);
            (0..n).map(|i| Block(c::LLVMGetSuccessor(self.0, i))).collect()
        }
    }
    /// Value of case `i` (1-based, like successor `i`) of a switch.
    pub fn switch_case_value(&self, i: u32) -> Option<Val> {
        // SAFETY: callers pass a switch; the index is checked against its
        // successor count (cases + default).
        unsafe {
            if c::LLVMIsASwitchInst(self.0).is_null() || i == 0 || i >= c::LLVMGetNumSuccessors(self.0) {
                return None;
            }
            opt(c::LLVMGetSwitchCaseValue(self.0, i))
        }
    }
    pub fn is_conditional(&self) -> bool {
        // SAFETY: callers pass a br.
        unsafe { c::LLVMIsConditional(self.0) != 0 }
    }
    pub fn phi_incoming(&self) -> Vec<(Val, Block)> {
        // SAFETY: callers pass a phi; indices from its count.
        unsafe {
            let n = c::LLVMCountIncoming(self.0);
            (0..n)
                .map(|i| (Val(c::LLVMGetIncomingValue(self.0, i)), Block(c::LLVMGetIncomingBlock(self.0, i))))
                .collect()
        }
    }
    pub fn allocated_type(&self) -> Ty {
        // SAFETY: callers pass an alloca.
        Ty(unsafe { c::LLVMGetAllocatedType(self.0) })
    }
    pub fn gep_source_type(&self) -> Ty {
        // SAFETY: callers pass a GEP instruction or constant expression.
        Ty(unsafe { c::LLVMGetGEPSourceElementType(self.0) })
    }
    pub fn alignment(&self) -> u32 {
        // SAFETY: callers pass alloca/load/store/global.
        unsafe { c::LLVMGetAlignment(self.0) }
    }
    pub fn is_atomic(&self) -> bool {
        // SAFETY: callers pass instructions.
        unsafe { c::LLVMIsAtomic(self.0) != 0 }
    }
    /// The function and block of a `blockaddress`.
    pub fn block_address(&self) -> (Val, Block) {
        // SAFETY: callers pass a BlockAddress constant.
        unsafe { (Val(c::LLVMGetBlockAddressFunction(self.0)), Block(c::LLVMGetBlockAddressBasicBlock(self.0))) }
    }
    /// The template and constraints of an inline-assembly callee.
    pub fn inline_asm(&self) -> (String, String) {
        // SAFETY: callers pass an InlineAsm value; LLVM owns the strings
        // and reports their lengths.
        unsafe {
            let mut n = 0usize;
            let a = c::LLVMGetInlineAsmAsmString(self.0, &mut n);
            let asm = str_from(a, n);
            let mut m = 0usize;
            let k = c::LLVMGetInlineAsmConstraintString(self.0, &mut m);
            (asm, str_from(k, m))
        }
    }
    /// Lane `i` of a shufflevector's mask (`None`: undefined lane).
    pub fn shuffle_mask(&self, i: u32) -> Option<u32> {
        // SAFETY: callers pass a shufflevector and a lane below its size.
        unsafe {
            let m = c::LLVMGetMaskValue(self.0, i);
            (m != c::LLVMGetUndefMaskElem() && m >= 0).then_some(m as u32)
        }
    }
    pub fn shuffle_len(&self) -> u32 {
        // SAFETY: callers pass a shufflevector.
        unsafe { c::LLVMGetNumMaskElements(self.0) }
    }
    /// The operation of an `atomicrmw`.
    pub fn atomic_rmw_op(&self) -> inkwell::llvm_sys::LLVMAtomicRMWBinOp {
        // SAFETY: callers pass an atomicrmw instruction.
        unsafe { c::LLVMGetAtomicRMWBinOp(self.0) }
    }
    /// The callee of a call; `None` for any other value (LLVM's
    /// `LLVMGetCalledValue` reads past a non-call: a crash, or garbage).
    pub fn called_value(&self) -> Option<Val> {
        // SAFETY: LLVMIsACallInst accepts any value; the callee is read
        // only from a call.
        unsafe {
            if c::LLVMIsACallInst(self.0).is_null() {
                return None;
            }
            opt(c::LLVMGetCalledValue(self.0))
        }
    }
    pub fn called_fn_type(&self) -> Ty {
        // SAFETY: callers pass a call instruction.
        Ty(unsafe { c::LLVMGetCalledFunctionType(self.0) })
    }
    pub fn num_arg_operands(&self) -> u32 {
        // SAFETY: callers pass a call instruction.
        unsafe { c::LLVMGetNumArgOperands(self.0) }
    }
    /// Whether a call site or function has enum attribute `name` at `idx`
    /// (0 = return value, 1.. = parameters).
    pub fn has_attr(&self, idx: u32, name: &str, is_call: bool) -> bool {
        // SAFETY: name is passed with its length; attribute queries are
        // read-only and return null when absent.
        unsafe {
            let kind = c::LLVMGetEnumAttributeKindForName(name.as_ptr() as *const _, name.len());
            if kind == 0 {
                return false;
            }
            let a = if is_call {
                c::LLVMGetCallSiteEnumAttribute(self.0, idx, kind)
            } else {
                c::LLVMGetEnumAttributeAtIndex(self.0, idx, kind)
            };
            !a.is_null()
        }
    }
    /// The type of a `byval(<ty>)` argument of a call site (`idx` as for
    /// [`Val::has_attr`]).
    pub fn call_byval_type(&self, idx: u32) -> Option<Ty> {
        const NAME: &str = "byval";
        // SAFETY: as `has_attr`; a byval attribute is a type attribute.
        unsafe {
            let kind = c::LLVMGetEnumAttributeKindForName(NAME.as_ptr() as *const _, NAME.len());
            let a = c::LLVMGetCallSiteEnumAttribute(self.0, idx, kind);
            if a.is_null() {
                return None;
            }
            let t = c::LLVMGetTypeAttributeValue(a);
            (!t.is_null()).then_some(Ty(t))
        }
    }
    /// The `align <n>` attribute of a call site's argument (`idx` as for
    /// [`Val::has_attr`]), in bytes.
    pub fn call_param_align(&self, idx: u32) -> Option<u32> {
        const NAME: &str = "align";
        // SAFETY: as `has_attr`; an align attribute is an integer attribute.
        unsafe {
            let kind = c::LLVMGetEnumAttributeKindForName(NAME.as_ptr() as *const _, NAME.len());
            let a = c::LLVMGetCallSiteEnumAttribute(self.0, idx, kind);
            if a.is_null() {
                return None;
            }
            u32::try_from(c::LLVMGetEnumAttributeValue(a)).ok()
        }
    }
    /// Indices of an extractvalue/insertvalue.
    pub fn agg_indices(&self) -> Vec<u32> {
        // SAFETY: callers pass extractvalue/insertvalue; LLVM owns the array.
        unsafe {
            let n = c::LLVMGetNumIndices(self.0) as usize;
            let p = c::LLVMGetIndices(self.0);
            if p.is_null() { Vec::new() } else { std::slice::from_raw_parts(p, n).to_vec() }
        }
    }
    /// Users of this value (one entry per use).
    pub fn users(&self) -> Vec<Val> {
        // SAFETY: use-list walking is read-only.
        unsafe {
            walk(c::LLVMGetFirstUse(self.0), |u| u.is_null(), |u| c::LLVMGetNextUse(u))
                .into_iter()
                .map(|u| Val(c::LLVMGetUser(u)))
                .collect()
        }
    }
    /// Source file name (without directories) and line of an instruction.
    pub fn debug_loc(&self) -> Option<(String, u32)> {
        if self.kind() != ValKind::Instruction {
            return None;
        }
        let mut len = 0u32;
        // SAFETY: instruction checked; LLVM returns a pointer it owns (or
        // null/0 without a location).
        let (p, line) = unsafe { (c::LLVMGetDebugLocFilename(self.0, &mut len), c::LLVMGetDebugLocLine(self.0)) };
        if line == 0 {
            return None;
        }
        let full = str_from(p, len as usize);
        let file = full.rsplit(['/', '\\']).next().unwrap_or(&full).to_string();
        Some((file, line))
    }
    // --- functions ---
    pub fn is_declaration(&self) -> bool {
        // SAFETY: callers pass globals.
        unsafe { c::LLVMIsDeclaration(self.0) != 0 }
    }
    pub fn linkage(&self) -> inkwell::llvm_sys::LLVMLinkage {
        // SAFETY: callers pass globals.
        unsafe { c::LLVMGetLinkage(self.0) }
    }
    /// The value type of a global: a function's type, a variable's type.
    pub fn global_value_type(&self) -> Ty {
        // SAFETY: callers pass globals.
        Ty(unsafe { c::LLVMGlobalGetValueType(self.0) })
    }
    pub fn params(&self) -> Vec<Val> {
        // SAFETY: callers pass functions.
        unsafe {
            let n = c::LLVMCountParams(self.0);
            (0..n).map(|i| Val(c::LLVMGetParam(self.0, i))).collect()
        }
    }
    pub fn blocks(&self) -> Vec<Block> {
        // SAFETY: callers pass functions.
        unsafe {
            walk(c::LLVMGetFirstBasicBlock(self.0), |b| b.is_null(), |b| c::LLVMGetNextBasicBlock(b))
                .into_iter()
                .map(Block)
                .collect()
        }
    }
    // --- global variables ---
    pub fn initializer(&self) -> Option<Val> {
        // SAFETY: callers pass global variables.
        opt(unsafe { c::LLVMGetInitializer(self.0) })
    }
    pub fn is_thread_local(&self) -> bool {
        // SAFETY: callers pass global variables.
        unsafe { c::LLVMIsThreadLocal(self.0) != 0 }
    }
    pub fn aliasee(&self) -> Option<Val> {
        // SAFETY: callers pass aliases.
        opt(unsafe { c::LLVMAliasGetAliasee(self.0) })
    }
    // --- constant aggregates ---
    /// Element `i` of a constant aggregate (array, struct, data sequential).
    pub fn aggregate_element(&self, i: u32) -> Option<Val> {
        // SAFETY: LLVM returns null for out-of-range or non-aggregates.
        opt(unsafe { c::LLVMGetAggregateElement(self.0, i) })
    }
    /// Raw bytes of a ConstantDataSequential whose elements are i8.
    pub fn string_bytes(&self) -> Option<Vec<u8>> {
        let ty = self.ty();
        if !ty.is_array() || ty.element().int_width() != 8 {
            return None;
        }
        // SAFETY: checked to be a ConstantDataSequential of i8 (a string);
        // LLVM reports the length of the bytes it owns.
        unsafe {
            if c::LLVMIsAConstantDataSequential(self.0).is_null() {
                return None;
            }
            let mut n = 0usize;
            let p = c::LLVMGetAsString(self.0, &mut n);
            if p.is_null() {
                return None;
            }
            Some(std::slice::from_raw_parts(p as *const u8, n).to_vec())
        }
    }
    pub fn is_poison_or_undef(&self) -> bool {
        // SAFETY: IsA queries accept any value.
        unsafe { !c::LLVMIsAUndefValue(self.0).is_null() || !c::LLVMIsAPoisonValue(self.0).is_null() }
    }
}

impl Block {
    pub fn instructions(&self) -> Vec<Val> {
        // SAFETY: live block handle.
        unsafe {
            walk(c::LLVMGetFirstInstruction(self.0), |v| v.is_null(), |v| c::LLVMGetNextInstruction(v))
                .into_iter()
                .map(Val)
                .collect()
        }
    }
    pub fn terminator(&self) -> Option<Val> {
        // SAFETY: live block handle.
        opt(unsafe { c::LLVMGetBasicBlockTerminator(self.0) })
    }
}

/// Is `v` an instruction with opcode `op`?
pub fn is_inst(v: Val, op: LLVMOpcode) -> bool {
    v.kind() == ValKind::Instruction && v.opcode() == Some(op)
}

/// LLVM's integer binary operators (`add` to `xor`), as a match pattern:
/// scalar and vector lowering dispatch on the same set.
macro_rules! int_binop {
    () => {
        Op::LLVMAdd
            | Op::LLVMSub
            | Op::LLVMMul
            | Op::LLVMUDiv
            | Op::LLVMSDiv
            | Op::LLVMURem
            | Op::LLVMSRem
            | Op::LLVMShl
            | Op::LLVMLShr
            | Op::LLVMAShr
            | Op::LLVMAnd
            | Op::LLVMOr
            | Op::LLVMXor
    };
}
pub(super) use int_binop;

/// What integer operator `op` is on i1, where arithmetic is mod 2: add and
/// sub are xor, mul is and; `None` for a shift, which (by 0, the only
/// defined amount) leaves the value as it is.
pub(super) fn i1_op(op: Op) -> Option<Op> {
    match op {
        Op::LLVMAdd | Op::LLVMSub => Some(Op::LLVMXor),
        Op::LLVMMul => Some(Op::LLVMAnd),
        Op::LLVMShl | Op::LLVMLShr | Op::LLVMAShr => None,
        _ => Some(op),
    }
}
