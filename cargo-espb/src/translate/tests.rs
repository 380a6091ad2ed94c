//! Unit tests: small IR snippets through the translator, checked by
//! decoding the produced code.

use super::*;
use espb_runtime::isa::Instr;
use inkwell::context::Context;
use inkwell::memory_buffer::MemoryBuffer;

const HEADER: &str =
    "target datalayout = \"e-m:e-p:32:32-i64:64-n32-S128\"\ntarget triple = \"riscv32-esp-unknown-elf\"\n";

pub(crate) fn translate_ll(src: &str) -> Result<Module, TranslateError> {
    translate_ll_with(HEADER, src)
}

fn translate_ll_with(header: &str, src: &str) -> Result<Module, TranslateError> {
    let ctx = Context::create();
    let text = format!("{header}{src}");
    let buf = MemoryBuffer::create_from_memory_range_copy(text.as_bytes(), "test.ll");
    let m = match ctx.create_module_from_ir(buf) {
        Ok(m) => m,
        Err(e) => panic!("bad test IR: {e}"),
    };
    translate(&m, &TranslateOptions::default())
}

/// Disassembles function `name` into mnemonic lines.
pub(crate) fn disasm(m: &Module, name: &str) -> Vec<String> {
    let f = m.find_function(name).expect("function exists") as usize;
    let code = &m.functions[f].code;
    let mut pc = 0;
    let mut out = Vec::new();
    while pc < code.len() {
        let (i, next) = Instr::decode(code, pc).expect("decodes");
        out.push(format!("{pc}: {i:?}"));
        pc = next;
    }
    out
}

#[test]
fn add_function() {
    let m = translate_ll("define i32 @add(i32 %a, i32 %b) {\n  %c = add i32 %a, %b\n  ret i32 %c\n}\n").unwrap();
    let d = disasm(&m, "add");
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(m.exports.len(), 1);
}

/// Translates, instantiates without natives and calls `name`.
fn run(src: &str, name: &str, args: &[u64]) -> u64 {
    let m = translate_ll(src).unwrap_or_else(|e| panic!("translate: {e}"));
    let f = m.find_function(name).expect("function");
    let m = espb_runtime::VerifiedModule::new(m).unwrap_or_else(|e| panic!("instantiate: {e}"));
    let mut inst = espb_runtime::Instance::new(m, espb_runtime::NoHost, espb_runtime::Config::default())
        .unwrap_or_else(|e| panic!("instantiate: {e}"));
    inst.call(f, args).unwrap_or_else(|t| panic!("trap: {t:?}")).unwrap_or(0)
}

/// [`run`] for many calls of one source: translated and verified once.
fn runner(src: &str) -> impl Fn(&str, &[u64]) -> u64 {
    let m = translate_ll(src).unwrap_or_else(|e| panic!("translate: {e}"));
    let m = espb_runtime::VerifiedModule::new(m).unwrap_or_else(|e| panic!("instantiate: {e}"));
    move |name: &str, args: &[u64]| {
        let f = m.module().find_function(name).expect("function");
        let mut inst = espb_runtime::Instance::new(m.clone(), espb_runtime::NoHost, espb_runtime::Config::default())
            .unwrap_or_else(|e| panic!("instantiate: {e}"));
        inst.call(f, args).unwrap_or_else(|t| panic!("trap: {t:?}")).unwrap_or(0)
    }
}

fn unsupported(src: &str) -> String {
    match translate_ll(src) {
        Err(e @ TranslateError::Unsupported { .. }) => e.to_string(),
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("translated unsupported IR"),
    }
}

#[test]
fn phi_swap_cycle_runs() {
    // a, b = b, a + b, n times: the phis of the loop read each other.
    let src = "define i32 @fib(i32 %n) {
entry:
  br label %loop
loop:
  %a = phi i32 [ 0, %entry ], [ %b, %loop ]
  %b = phi i32 [ 1, %entry ], [ %s, %loop ]
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  %s = add i32 %a, %b
  %i1 = add i32 %i, 1
  %c = icmp slt i32 %i1, %n
  br i1 %c, label %loop, label %exit
exit:
  ret i32 %b
}
define i32 @swap(i32 %n, i32 %x, i32 %y) {
entry:
  br label %loop
loop:
  %p = phi i32 [ %x, %entry ], [ %q, %loop ]
  %q = phi i32 [ %y, %entry ], [ %p, %loop ]
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  %i1 = add i32 %i, 1
  %c = icmp ult i32 %i1, %n
  br i1 %c, label %loop, label %exit
exit:
  %r = sub i32 %p, %q
  ret i32 %r
}
";
    // The exit reads the phi of the last iteration: F(10).
    assert_eq!(run(src, "fib", &[10]), 55);
    assert_eq!(run(src, "swap", &[1, 10, 3]) as u32, 7);
    assert_eq!(run(src, "swap", &[2, 10, 3]) as u32, (-7i32) as u32);
}

#[test]
fn narrow_integers_are_normalised() {
    let src = "define i32 @f(i32 %x, i32 %y) {
  %a = trunc i32 %x to i8
  %b = trunc i32 %y to i8
  %s = add i8 %a, %b
  %lt = icmp slt i8 %s, 0
  %e = sext i8 %s to i32
  %z = zext i8 %s to i32
  %d = sdiv i8 %s, 3
  %dd = sext i8 %d to i32
  %sel = select i1 %lt, i32 %e, i32 %z
  %r = add i32 %sel, %dd
  ret i32 %r
}
define i32 @ult16(i32 %x) {
  %a = trunc i32 %x to i16
  %c = icmp ult i16 %a, 300
  %r = zext i1 %c to i32
  ret i32 %r
}
";
    // 100 + 100 = 200 = -56 as i8; -56 / 3 = -18.
    assert_eq!(run(src, "f", &[100, 100]) as u32 as i32, -56 - 18);
    assert_eq!(run(src, "ult16", &[0x10000 + 5]), 1);
    assert_eq!(run(src, "ult16", &[0x10000 + 301]), 0);
}

#[test]
fn switches_dense_and_sparse() {
    let src = "define i32 @dense(i32 %x) {
  switch i32 %x, label %d [ i32 1, label %a i32 2, label %b i32 3, label %c i32 4, label %e i32 5, label %a ]
a:
  ret i32 10
b:
  ret i32 20
c:
  ret i32 30
e:
  ret i32 40
d:
  ret i32 -1
}
define i32 @sparse(i64 %x) {
  switch i64 %x, label %d [ i64 100, label %a i64 -5, label %b ]
a:
  ret i32 1
b:
  ret i32 2
d:
  ret i32 0
}
";
    let m = translate_ll(src).unwrap();
    assert!(disasm(&m, "dense").iter().any(|l| l.contains("BrTable")));
    for (x, r) in [(0u64, -1i32), (1, 10), (2, 20), (3, 30), (4, 40), (5, 10), (6, -1), (u32::MAX as u64, -1)] {
        assert_eq!(run(src, "dense", &[x]) as u32 as i32, r, "dense({x})");
    }
    assert_eq!(run(src, "sparse", &[100]), 1);
    assert_eq!(run(src, "sparse", &[(-5i64) as u64]), 2);
    assert_eq!(run(src, "sparse", &[7]), 0);
}

#[test]
fn globals_relocations_and_constant_geps() {
    let src = "@arr = global [4 x i32] [i32 1, i32 2, i32 3, i32 4], align 4
@p = global ptr getelementptr (i8, ptr @arr, i32 8), align 4
@fp = global ptr @get, align 4
@zero = global [100 x i8] zeroinitializer
define i32 @get() {
  %q = load ptr, ptr @p
  %v = load i32, ptr %q
  %w = load i32, ptr getelementptr inbounds ([4 x i32], ptr @arr, i32 0, i32 3)
  %r = add i32 %v, %w
  ret i32 %r
}
define i32 @call_fp() {
  %f = load ptr, ptr @fp
  %r = call i32 %f()
  ret i32 %r
}
";
    let m = translate_ll(src).unwrap();
    assert_eq!(m.data.relocs.len(), 2);
    assert!(m.data.init.len() <= 24, "trailing zeros are not stored");
    assert!(m.data.size >= 124);
    assert_eq!(run(src, "get", &[]), 7);
    assert_eq!(run(src, "call_fp", &[]), 7);
}

#[test]
fn i64_and_float_arithmetic() {
    let src = "define i64 @f(i64 %a, i64 %b) {
  %s = sub i64 %a, 5
  %m = mul i64 %s, %b
  %sh = ashr i64 %m, 1
  %r = udiv i64 %sh, 3
  ret i64 %r
}
define double @g(double %x, float %y) {
  %e = fpext float %y to double
  %m = fmul double %x, %e
  %s = call double @llvm.sqrt.f64(double %m)
  %n = fneg double %s
  ret double %n
}
define i32 @h(float %x) {
  %c = fcmp olt float %x, 1.0
  %i = fptosi float %x to i32
  %r = select i1 %c, i32 -1, i32 %i
  ret i32 %r
}
declare double @llvm.sqrt.f64(double)
";
    assert_eq!(run(src, "f", &[(1u64 << 40) + 5, 6]), (((1u64 << 40) * 6) >> 1) / 3);
    assert_eq!(f64::from_bits(run(src, "g", &[8.0f64.to_bits(), 2.0f32.to_bits() as u64])), -4.0);
    assert_eq!(run(src, "h", &[7.9f32.to_bits() as u64]), 7);
    assert_eq!(run(src, "h", &[0.5f32.to_bits() as u64]) as u32, u32::MAX);
}

#[test]
fn stack_allocas_memcpy_and_bit_intrinsics() {
    let src = "define i32 @f(i32 %x) {
  %a = alloca [4 x i32], align 4
  %b = alloca [4 x i32], align 4
  store i32 %x, ptr %a
  %a1 = getelementptr inbounds i32, ptr %a, i32 1
  store i32 7, ptr %a1
  call void @llvm.memcpy.p0.p0.i32(ptr %b, ptr %a, i32 8, i1 false)
  %v0 = load i32, ptr %b
  %b1 = getelementptr inbounds i8, ptr %b, i32 4
  %v1 = load i32, ptr %b1
  %p = call i32 @llvm.ctpop.i32(i32 %v0)
  %z = call i32 @llvm.ctlz.i32(i32 %v1, i1 false)
  %rot = call i32 @llvm.fshl.i32(i32 %v0, i32 %v0, i32 4)
  %m = call i32 @llvm.umin.i32(i32 %rot, i32 1000)
  %s1 = add i32 %p, %z
  %s2 = add i32 %s1, %m
  ret i32 %s2
}
declare void @llvm.memcpy.p0.p0.i32(ptr, ptr, i32, i1)
declare i32 @llvm.ctpop.i32(i32)
declare i32 @llvm.ctlz.i32(i32, i1)
declare i32 @llvm.fshl.i32(i32, i32, i32)
declare i32 @llvm.umin.i32(i32, i32)
";
    let m = translate_ll(src).unwrap();
    assert_eq!(m.functions[0].frame_size, 32);
    // popcount(0x13) = 3, clz(7) = 29, rotl(0x13, 4) = 0x130 = 304.
    assert_eq!(run(src, "f", &[0x13]), 3 + 29 + 304);
}

#[test]
fn fused_branches_and_fall_through() {
    let src = "define i32 @f(i32 %x) {
entry:
  %c = icmp sgt i32 %x, 10
  br i1 %c, label %big, label %small
small:
  ret i32 0
big:
  ret i32 1
}
";
    let d = disasm(&translate_ll(src).unwrap(), "f");
    assert!(d[0].contains("BrGtSImmI32"), "{d:?}");
    assert!(!d.iter().any(|l| l.contains(" Br {")), "no jump to the next block: {d:?}");
    assert_eq!(run(src, "f", &[11]), 1);
    assert_eq!(run(src, "f", &[10]), 0);
}

#[test]
fn multiply_and_add_fuse_only_when_the_product_is_dead() {
    // Dead product: one muladd.i32.
    let src = "define i32 @f(i32 %a, i32 %b, i32 %c) {
  %t = mul i32 %a, %b
  %d = add i32 %c, %t
  ret i32 %d
}
";
    let d = disasm(&translate_ll(src).unwrap(), "f");
    assert!(d.iter().any(|l| l.contains("MulAddI32")), "{d:?}");
    assert!(!d.iter().any(|l| l.contains("MulI32 ")), "{d:?}");
    assert_eq!(run(src, "f", &[7, 6, 100]), 142);
    assert_eq!(run(src, "f", &[0x10000, 0x10001, 5]) as u32, 0x10005, "wraps at 32 bits");
    // The product is used again: the multiply stays.
    let src = "define i32 @g(i32 %a, i32 %b, i32 %c) {
  %t = mul i32 %a, %b
  %d = add i32 %c, %t
  %e = xor i32 %d, %t
  ret i32 %e
}
";
    let d = disasm(&translate_ll(src).unwrap(), "g");
    assert!(!d.iter().any(|l| l.contains("MulAddI32")), "{d:?}");
    assert_eq!(run(src, "g", &[7, 6, 100]), 142 ^ 42);
}

#[test]
fn load_and_multiply_add_fuse_only_when_the_load_is_dead() {
    let src = "@g = global [4 x i32] [i32 3, i32 5, i32 7, i32 -1]
define i32 @f(i32 %i, i32 %b, i32 %c) {
  %p = getelementptr i8, ptr @g, i32 %i
  %q = getelementptr i8, ptr %p, i32 4
  %x = load i32, ptr %q
  %t = mul i32 %x, %b
  %d = add i32 %t, %c
  ret i32 %d
}
define i32 @h(i32 %i, i32 %b, i32 %c) {
  %p = getelementptr i8, ptr @g, i32 %i
  %q = getelementptr i8, ptr %p, i32 4
  %x = load i32, ptr %q
  %t = mul i32 %b, %x
  %d = add i32 %c, %t
  %e = xor i32 %d, %x
  ret i32 %e
}
";
    let m = translate_ll(src).unwrap();
    let d = disasm(&m, "f");
    assert!(d.iter().any(|l| l.contains("LoadMulAddI32")), "{d:?}");
    assert!(!d.iter().any(|l| l.contains("LoadI32")), "{d:?}");
    // The loaded value is read again: the load stays.
    let d = disasm(&m, "h");
    assert!(!d.iter().any(|l| l.contains("LoadMulAddI32")), "{d:?}");
    let call = runner(src);
    assert_eq!(call("f", &[0, 6, 100]), 130);
    assert_eq!(call("f", &[8, 2, 5]) as u32, 3, "-1 * 2 + 5, wrapping");
    assert_eq!(call("h", &[4, 6, 100]), (142 ^ 7) as u64);
    // Out of bounds: the same trap as the unfused load.
    let m = espb_runtime::VerifiedModule::new(translate_ll(src).unwrap()).unwrap();
    let kinds: Vec<_> = ["f", "h"]
        .iter()
        .map(|name| {
            let f = m.module().find_function(name).unwrap();
            let mut inst =
                espb_runtime::Instance::new(m.clone(), espb_runtime::NoHost, espb_runtime::Config::default()).unwrap();
            inst.call(f, &[0x7FFF_0000, 1, 1]).expect_err("traps").kind
        })
        .collect();
    assert_eq!(kinds[0], kinds[1]);
}

#[test]
fn unsigned_remainder_and_zero_test_fuse() {
    // v % d == 0 and v % d != 0 branches: one remu.br each.
    let src = "define i32 @f(i32 %v, i32 %d) {
  %r = urem i32 %v, %d
  %z = icmp eq i32 %r, 0
  br i1 %z, label %yes, label %no
yes:
  ret i32 1
no:
  ret i32 %r
}
define i32 @g(i32 %v, i32 %d) {
  %r = urem i32 %v, %d
  %z = icmp ne i32 %r, 0
  br i1 %z, label %yes, label %no
yes:
  ret i32 %r
no:
  ret i32 7
}
";
    let m = translate_ll(src).unwrap();
    for f in ["f", "g"] {
        let d = disasm(&m, f);
        assert!(d.iter().any(|l| l.contains("RemUBr")), "{f}: {d:?}");
        assert!(!d.iter().any(|l| l.contains("RemUI32")), "{f}: {d:?}");
    }
    let call = runner(src);
    assert_eq!(call("f", &[21, 7]), 1);
    assert_eq!(call("f", &[23, 7]), 2);
    assert_eq!(call("f", &[0xFFFF_FFFF, 10]), 5, "unsigned");
    assert_eq!(call("g", &[21, 7]), 7);
    assert_eq!(call("g", &[26, 7]), 5);
    // Division by zero still traps, with the same kind.
    let m = espb_runtime::VerifiedModule::new(translate_ll(src).unwrap()).unwrap();
    let f = m.module().find_function("f").unwrap();
    let mut inst = espb_runtime::Instance::new(m, espb_runtime::NoHost, espb_runtime::Config::default()).unwrap();
    let t = inst.call(f, &[5, 0]).expect_err("traps");
    assert_eq!(t.kind, espb_runtime::TrapKind::DivideByZero, "{t:?}");
    // Compared against something other than zero, or signed: no fusion.
    let src = "define i32 @h(i32 %v, i32 %d) {
  %r = urem i32 %v, %d
  %z = icmp eq i32 %r, 1
  br i1 %z, label %yes, label %no
yes:
  ret i32 1
no:
  ret i32 0
}
define i32 @s(i32 %v, i32 %d) {
  %r = srem i32 %v, %d
  %z = icmp eq i32 %r, 0
  br i1 %z, label %yes, label %no
yes:
  ret i32 1
no:
  ret i32 0
}
";
    let m = translate_ll(src).unwrap();
    for f in ["h", "s"] {
        let d = disasm(&m, f);
        assert!(!d.iter().any(|l| l.contains("RemUBr")), "{f}: {d:?}");
    }
    assert_eq!(run(src, "h", &[22, 7]), 1);
    assert_eq!(run(src, "s", &[-21i64 as u64, 7]), 1);
}

#[test]
fn constant_multiply_or_shift_and_add_fuse() {
    let src = "define i32 @f(i32 %a, i32 %c) {
  %t = mul i32 %a, 100003
  %d = add i32 %t, %c
  ret i32 %d
}
define i32 @g(i32 %a, i32 %c) {
  %t = shl i32 %a, 3
  %d = add i32 %c, %t
  ret i32 %d
}
";
    let m = translate_ll(src).unwrap();
    assert!(disasm(&m, "f").iter().any(|l| l.contains("MulImmAddI32")), "{:?}", disasm(&m, "f"));
    assert!(disasm(&m, "g").iter().any(|l| l.contains("ShlAddI32")), "{:?}", disasm(&m, "g"));
    assert_eq!(run(src, "f", &[7, 5]), 700_026);
    assert_eq!(run(src, "f", &[0x8000_0001, 1]) as u32, 0x8000_0001u32.wrapping_mul(100_003).wrapping_add(1));
    assert_eq!(run(src, "g", &[0x2000_0001, 5]) as u32, 13, "wraps at 32 bits");
}

#[test]
fn float_multiply_and_add_fuse_with_two_roundings() {
    let src = "define float @f(float %a, float %b, float %c) {
  %t = fmul float %a, %b
  %d = fadd float %t, %c
  ret float %d
}
define double @g(double %a, double %b, double %c) {
  %t = fmul double %a, %b
  %d = fadd double %t, %c
  ret double %d
}
define float @h(float %a, float %b, float %c) {
  %t = fmul float %a, %b
  %d = fadd float %c, %t
  ret float %d
}
";
    let m = translate_ll(src).unwrap();
    assert!(disasm(&m, "f").iter().any(|l| l.contains("MulAddF32")), "{:?}", disasm(&m, "f"));
    assert!(disasm(&m, "g").iter().any(|l| l.contains("MulAddF64")), "{:?}", disasm(&m, "g"));
    // (1 + e)^2 = 1 + 2e + e^2 is rounded to 1 + 2e first, so adding -1
    // gives 2e (a fused multiply-add would keep the e^2 too).
    let x = 1.0f32 + f32::EPSILON;
    let got = run(src, "f", &[u64::from(x.to_bits()), u64::from(x.to_bits()), u64::from((-1.0f32).to_bits())]);
    assert_eq!(f32::from_bits(got as u32), x * x - 1.0);
    assert_eq!(f32::from_bits(got as u32), 2.0 * f32::EPSILON);
    let y = 1.0f64 + f64::EPSILON;
    let got = run(src, "g", &[y.to_bits(), y.to_bits(), (-1.0f64).to_bits()]);
    assert_eq!(f64::from_bits(got), y * y - 1.0);
    assert_eq!(f64::from_bits(got), 2.0 * f64::EPSILON);
    assert!(disasm(&m, "h").iter().any(|l| l.contains("AddMulF32")), "{:?}", disasm(&m, "h"));
    let got = run(src, "h", &[u64::from(x.to_bits()), u64::from(x.to_bits()), u64::from((-1.0f32).to_bits())]);
    assert_eq!(f32::from_bits(got as u32), 2.0 * f32::EPSILON);
}

#[test]
fn imports_carry_call_site_types() {
    let src = "@s = constant [3 x i8] c\"%d\\00\"
declare i32 @printf(ptr, ...)
define void @f(i64 %x, double %d) {
  %r = call i32 (ptr, ...) @printf(ptr @s, i64 %x, double %d)
  ret void
}
";
    let m = translate_ll(src).unwrap();
    assert_eq!(m.imports.len(), 1);
    use espb_runtime::ValType::*;
    let site = m.types.iter().find(|t| t.params.len() == 3).expect("site type");
    assert_eq!(site.params, vec![I32, I64, F64]);
    assert_eq!(site.variadic_fixed, Some(1));
}

#[test]
fn unsupported_constructs_are_named() {
    let v = unsupported("define <4 x i32> @v(<4 x i32> %a) {\n  ret <4 x i32> %a\n}\n");
    assert!(v.contains("vector") && v.contains("`v`") && v.contains("through a pointer"), "{v}");
    let n = unsupported(
        "declare i32 @ext(<2 x i32>)\ndefine i32 @n(<2 x i32> %a) {\n  %r = call i32 @ext(<2 x i32> %a)\n  ret i32 %r\n}\n",
    );
    assert!(n.contains("vector argument or result of a call of a native") && n.contains("`n`"), "{n}");
    let w = unsupported("define i32 @w(i128 %a) {\n  %t = trunc i128 %a to i32\n  ret i32 %t\n}\n");
    assert!(w.contains("128-bit"), "{w}");
    let a =
        unsupported("define float @a(ptr %p) {\n  %o = atomicrmw fmax ptr %p, float 1.0 seq_cst\n  ret float %o\n}\n");
    assert!(a.contains("atomicrmw operation") && a.contains("in function `a`"), "{a}");
    let ev = unsupported(
        "define i32 @ev(ptr %p) {\n  %a = load [40 x i32], ptr %p\n  %v = extractvalue [40 x i32] %a, 1\n  ret i32 %v\n}\n",
    );
    assert!(ev.contains("aggregate value of type `[40 x i32]`"), "{ev}");
    let asm = unsupported("define void @s() {\n  call void asm sideeffect \"nop\", \"\"()\n  ret void\n}\n");
    assert!(asm.contains("inline assembly in function `s`"), "{asm}");
    match translate_ll(
        "@ext = external thread_local global i32\ndefine i32 @g() {\n  %v = load i32, ptr @ext\n  ret i32 %v\n}\n",
    ) {
        Err(e @ TranslateError::ExternalVariable { .. }) => assert!(e.to_string().contains("`ext`")),
        other => panic!("expected external variable error, got {other:?}"),
    }
}

#[test]
fn external_variables_become_data_imports() {
    let src = "@ext = external global i32
@pext = global ptr @ext
define i32 @g() {
  %v = load i32, ptr getelementptr (i8, ptr @ext, i32 4)
  ret i32 %v
}
";
    let m = translate_ll(src).unwrap();
    assert_eq!(m.imports.len(), 1);
    assert!(m.imports[0].is_data());
    assert_eq!(m.data.relocs[0].kind, espb_runtime::RelocKind::Import);
    let d = disasm(&m, "g");
    assert!(d[0].contains("ImportAddr"), "{d:?}");
    assert!(d[1].contains("off: 4"), "{d:?}");
}

/// Reference for `llvm.<op>.with.overflow.i<w>`: (value as unsigned bits, overflow).
fn overflow_ref(op: &str, w: u32, a: u64, b: u64) -> (u64, bool) {
    let mask = if w == 64 { u64::MAX } else { (1u64 << w) - 1 };
    let (a, b) = (a & mask, b & mask);
    let sx = |x: u64| ((x << (64 - w)) as i64 >> (64 - w)) as i128;
    let exact: i128 = match op {
        "uadd" => a as i128 + b as i128,
        "usub" => a as i128 - b as i128,
        "umul" => {
            let p = a as u128 * b as u128;
            return (p as u64 & mask, p > mask as u128);
        }
        "sadd" => sx(a) + sx(b),
        "ssub" => sx(a) - sx(b),
        _ => sx(a) * sx(b),
    };
    let bits = exact as u64 & mask;
    let fits = if op.starts_with('u') { (0..=mask as i128).contains(&exact) } else { sx(bits) == exact };
    (bits, !fits)
}

#[test]
fn overflow_intrinsics_run() {
    let samples: [u64; 10] = [0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x7fff, 0x8000_0000, u64::MAX];
    for w in [8u32, 16, 24, 32, 33, 47, 63, 64] {
        for op in ["uadd", "usub", "umul", "sadd", "ssub", "smul"] {
            let t = format!("i{w}");
            let ext = if w == 64 { "%vz = add i64 %v, 0".to_string() } else { format!("%vz = zext {t} %v to i64") };
            let src = format!(
                "define i64 @v({t} %a, {t} %b) {{
  %r = call {{{t}, i1}} @llvm.{op}.with.overflow.{t}({t} %a, {t} %b)
  %v = extractvalue {{{t}, i1}} %r, 0
  {ext}
  ret i64 %vz
}}
define i32 @o({t} %a, {t} %b) {{
  %r = call {{{t}, i1}} @llvm.{op}.with.overflow.{t}({t} %a, {t} %b)
  %o = extractvalue {{{t}, i1}} %r, 1
  %oz = zext i1 %o to i32
  ret i32 %oz
}}
declare {{{t}, i1}} @llvm.{op}.with.overflow.{t}({t}, {t})
"
            );
            for &x in &samples {
                for &y in &samples {
                    // Narrow arguments arrive with garbage above their width.
                    let (xa, ya) = match w {
                        8 | 16 => (x | 0x5a5a_0000_u64 << w.min(16), y | 0xa5a5_0000),
                        ..=31 => (x | (0xa5a5_a5a5_u64 << w) & 0xffff_ffff, y | (0x5a5a_5a5a_u64 << w) & 0xffff_ffff),
                        33..=63 => (x | 0xa5u64 << w, y | 0x5au64 << w),
                        _ => (x, y),
                    };
                    let (bits, ov) = overflow_ref(op, w, x, y);
                    assert_eq!(run(&src, "v", &[xa, ya]), bits, "{op}.i{w} value of {x:#x}, {y:#x}");
                    assert_eq!(run(&src, "o", &[xa, ya]), ov as u64, "{op}.i{w} overflow of {x:#x}, {y:#x}");
                }
            }
        }
    }
}

/// Odd widths above 32 bits, as clang emits them for -Os loops (i33) and
/// wide bit-fields of packed structs (i40, i48, i56).
const WIDE_ODD: [u32; 6] = [33, 40, 47, 48, 56, 63];

fn wmask(w: u32) -> u64 {
    if w == 64 { u64::MAX } else { (1u64 << w) - 1 }
}

fn wsext(x: u64, w: u32) -> u64 {
    (((x << (64 - w)) as i64) >> (64 - w)) as u64
}

/// Reference for `op iW a, b` on the low `w` bits, `None` where LLVM says poison/UB.
fn wide_binop_ref(op: &str, w: u32, a: u64, b: u64) -> Option<u64> {
    let m = wmask(w);
    let (ua, ub) = (a & m, b & m);
    let (sa, sb) = (wsext(a, w) as i64, wsext(b, w) as i64);
    let min = wsext(1 << (w - 1), w) as i64;
    let r = match op {
        "add" => ua.wrapping_add(ub),
        "sub" => ua.wrapping_sub(ub),
        "mul" => ua.wrapping_mul(ub),
        "and" => ua & ub,
        "or" => ua | ub,
        "xor" => ua ^ ub,
        "udiv" | "urem" if ub == 0 => return None,
        "udiv" => ua / ub,
        "urem" => ua % ub,
        "sdiv" | "srem" if sb == 0 || (sa == min && sb == -1) => return None,
        "sdiv" => (sa / sb) as u64,
        "srem" => (sa % sb) as u64,
        _ if ub >= w as u64 => return None,
        "shl" => ua << ub,
        "lshr" => ua >> ub,
        _ => (sa >> ub) as u64,
    };
    Some(r & m)
}

fn wide_icmp_ref(pred: &str, w: u32, a: u64, b: u64) -> bool {
    let (ua, ub) = (a & wmask(w), b & wmask(w));
    let (sa, sb) = (wsext(a, w) as i64, wsext(b, w) as i64);
    match pred {
        "eq" => ua == ub,
        "ne" => ua != ub,
        "ult" => ua < ub,
        "ule" => ua <= ub,
        "ugt" => ua > ub,
        "uge" => ua >= ub,
        "slt" => sa < sb,
        "sle" => sa <= sb,
        "sgt" => sa > sb,
        _ => sa >= sb,
    }
}

#[test]
fn wide_odd_integer_arithmetic_runs() {
    // Arguments carry garbage above the width: `trunc` from i64 keeps it.
    let samples: [u64; 9] = [
        0,
        1,
        3,
        7,
        0x5a5a_5a5a_5a5a_5a5a,
        0xffff_ffff_ffff_ffff,
        0x8000_0000_0000_0001,
        0x1234_5678_9abc_def0,
        0xa5a5_0001_0000_0000,
    ];
    let ops = ["add", "sub", "mul", "and", "or", "xor", "udiv", "urem", "sdiv", "srem", "shl", "lshr", "ashr"];
    for w in WIDE_ODD {
        for op in ops {
            let src = format!(
                "define i64 @z(i64 %a, i64 %b) {{
  %x = trunc i64 %a to i{w}
  %y = trunc i64 %b to i{w}
  %r = {op} i{w} %x, %y
  %e = zext i{w} %r to i64
  ret i64 %e
}}
define i64 @s(i64 %a, i64 %b) {{
  %x = trunc i64 %a to i{w}
  %y = trunc i64 %b to i{w}
  %r = {op} i{w} %x, %y
  %e = sext i{w} %r to i64
  ret i64 %e
}}
define i64 @k(i64 %a) {{
  %x = trunc i64 %a to i{w}
  %r = {op} i{w} %x, 5
  %e = zext i{w} %r to i64
  ret i64 %e
}}
"
            );
            for &x in &samples {
                if let Some(r) = wide_binop_ref(op, w, x, 5) {
                    assert_eq!(run(&src, "k", &[x]), r, "{op}.i{w} of {x:#x}, 5");
                }
                for &y in &samples {
                    // Small shift amounts, with garbage above the width.
                    let y = if op.contains("sh") { ((y & 0xf) * 3) | (y & !wmask(w)) } else { y };
                    let Some(r) = wide_binop_ref(op, w, x, y) else { continue };
                    assert_eq!(run(&src, "z", &[x, y]), r, "{op}.i{w} of {x:#x}, {y:#x}");
                    assert_eq!(run(&src, "s", &[x, y]), wsext(r, w), "sext of {op}.i{w} of {x:#x}, {y:#x}");
                }
            }
        }
        for pred in ["eq", "ne", "ult", "ule", "ugt", "uge", "slt", "sle", "sgt", "sge"] {
            let src = format!(
                "define i32 @c(i64 %a, i64 %b) {{
  %x = trunc i64 %a to i{w}
  %y = trunc i64 %b to i{w}
  %c = icmp {pred} i{w} %x, %y
  %e = zext i1 %c to i32
  ret i32 %e
}}
define i32 @k(i64 %a) {{
  %x = trunc i64 %a to i{w}
  %c = icmp {pred} i{w} %x, -2
  %e = zext i1 %c to i32
  ret i32 %e
}}
"
            );
            for &x in &samples {
                assert_eq!(run(&src, "k", &[x]), wide_icmp_ref(pred, w, x, u64::MAX - 1) as u64, "{pred}.i{w} {x:#x}");
                for &y in &samples {
                    assert_eq!(
                        run(&src, "c", &[x, y]),
                        wide_icmp_ref(pred, w, x, y) as u64,
                        "{pred}.i{w} {x:#x} {y:#x}"
                    );
                }
            }
        }
    }
}

#[test]
fn wide_odd_integer_casts_and_bits_run() {
    let x: u64 = 0xc3a5_9f81_7e5a_3c99;
    // trunc i64 -> i56 -> i40, zext/sext i40 -> i48 -> i64, sext i33 -> i48.
    let src = "define i64 @f(i64 %a) {
  %t56 = trunc i64 %a to i56
  %t40 = trunc i56 %t56 to i40
  %z48 = zext i40 %t40 to i48
  %z = zext i48 %z48 to i64
  ret i64 %z
}
define i64 @g(i64 %a) {
  %t40 = trunc i64 %a to i40
  %s48 = sext i40 %t40 to i48
  %z = zext i48 %s48 to i64
  ret i64 %z
}
define i64 @h(i64 %a) {
  %t33 = trunc i64 %a to i33
  %s48 = sext i33 %t33 to i48
  %s = sext i48 %s48 to i64
  ret i64 %s
}
define i32 @n(i64 %a) {
  %t40 = trunc i64 %a to i40
  %t = trunc i40 %t40 to i32
  ret i32 %t
}
define double @d(i64 %a) {
  %t40 = trunc i64 %a to i40
  %f = sitofp i40 %t40 to double
  ret double %f
}
define i64 @pop(i64 %a) {
  %t = trunc i64 %a to i40
  %c = call i40 @llvm.ctpop.i40(i40 %t)
  %z = zext i40 %c to i64
  ret i64 %z
}
define i64 @lz(i64 %a) {
  %t = trunc i64 %a to i40
  %c = call i40 @llvm.ctlz.i40(i40 %t, i1 false)
  %z = zext i40 %c to i64
  ret i64 %z
}
define i64 @tz(i64 %a) {
  %t = trunc i64 %a to i40
  %c = call i40 @llvm.cttz.i40(i40 %t, i1 false)
  %z = zext i40 %c to i64
  ret i64 %z
}
define i64 @bs(i64 %a) {
  %t = trunc i64 %a to i48
  %c = call i48 @llvm.bswap.i48(i48 %t)
  %z = zext i48 %c to i64
  ret i64 %z
}
declare i40 @llvm.ctpop.i40(i40)
declare i40 @llvm.ctlz.i40(i40, i1)
declare i40 @llvm.cttz.i40(i40, i1)
declare i48 @llvm.bswap.i48(i48)
";
    assert_eq!(run(src, "f", &[x]), x & wmask(40));
    assert_eq!(run(src, "g", &[x]), wsext(x, 40) & wmask(48));
    assert_eq!(run(src, "h", &[x]), wsext(x, 33));
    assert_eq!(run(src, "n", &[x]), x & 0xffff_ffff);
    assert_eq!(f64::from_bits(run(src, "d", &[x])), wsext(x, 40) as i64 as f64);
    assert_eq!(run(src, "pop", &[x]), (x & wmask(40)).count_ones() as u64);
    for v in [x, 0x0000_0100_0000_0000, x >> 30, 0] {
        assert_eq!(run(src, "lz", &[v]), ((v & wmask(40)).leading_zeros() - 24) as u64, "ctlz {v:#x}");
        assert_eq!(run(src, "tz", &[v]), (v & wmask(40)).trailing_zeros().min(40) as u64, "cttz {v:#x}");
    }
    assert_eq!(run(src, "bs", &[x]), ((x & wmask(48)).swap_bytes() >> 16));
}

#[test]
fn wide_odd_integer_memory_touches_the_store_size() {
    let fill: u64 = 0xa5a5_a5a5_a5a5_a5a5;
    let v: u64 = 0x8877_6655_4433_2211;
    for w in WIDE_ODD {
        let n = w.div_ceil(8) as usize;
        // Store at byte 3 of a buffer filled with 0xa5, read both halves back;
        // load the value back from byte 3 of the same pattern.
        let src = format!(
            "define i64 @st(i64 %v, i32 %half) {{
  %buf = alloca [16 x i8], align 8
  %hi = getelementptr i8, ptr %buf, i32 8
  store i64 {fill}, ptr %buf
  store i64 {fill}, ptr %hi
  %p = getelementptr i8, ptr %buf, i32 3
  %t = trunc i64 %v to i{w}
  store i{w} %t, ptr %p
  %q = getelementptr i64, ptr %buf, i32 %half
  %r = load i64, ptr %q
  ret i64 %r
}}
define i64 @ld(i64 %v, i32 %signed) {{
  %buf = alloca [16 x i8], align 8
  %hi = getelementptr i8, ptr %buf, i32 8
  store i64 %v, ptr %buf
  store i64 {fill}, ptr %hi
  %p = getelementptr i8, ptr %buf, i32 3
  %x = load i{w}, ptr %p
  %z = zext i{w} %x to i64
  %s = sext i{w} %x to i64
  %c = icmp ne i32 %signed, 0
  %r = select i1 %c, i64 %s, i64 %z
  ret i64 %r
}}
define i64 @lds(i64 %v) {{
  %buf = alloca [16 x i8], align 8
  %hi = getelementptr i8, ptr %buf, i32 8
  store i64 %v, ptr %buf
  store i64 {fill}, ptr %hi
  %p = getelementptr i8, ptr %buf, i32 3
  %x = load i{w}, ptr %p
  %s = sext i{w} %x to i64
  ret i64 %s
}}
",
            fill = fill as i64
        );
        // Bytes 3..3+n hold the value (the top byte's spare bits are
        // unspecified), every other byte keeps the fill.
        let mut want = fill.to_le_bytes().repeat(2);
        want[3..3 + n].copy_from_slice(&v.to_le_bytes()[..n]);
        let mut care = [0xffu8; 16];
        care[2 + n] = (0xffu16 >> ((8 - w % 8) % 8)) as u8;
        for h in 0..2 {
            let word = |b: &[u8]| u64::from_le_bytes(b[8 * h..8 * h + 8].try_into().unwrap());
            let got = run(&src, "st", &[v, h as u64]);
            assert_eq!(got & word(&care), word(&want) & word(&care), "store i{w}, bytes {}..{}", 8 * h, 8 * h + 8);
        }
        let stored = (v << 24 | fill & 0xff_ffff, fill);
        let raw = (stored.0 >> 24 | stored.1 << 40) & wmask(w);
        assert_eq!(run(&src, "ld", &[stored.0, 0]), raw, "zext load i{w}");
        assert_eq!(run(&src, "ld", &[stored.0, 1]), wsext(raw, w), "sext load i{w}");
        assert_eq!(run(&src, "lds", &[stored.0]), wsext(raw, w), "sext-only load i{w}");
    }
    let e = unsupported(
        "declare i72 @llvm.sadd.sat.i72(i72, i72)\ndefine i64 @w(ptr %p) {\n  %v = load i72, ptr %p\n  %m = call i72 @llvm.sadd.sat.i72(i72 %v, i72 %v)\n  %t = trunc i72 %m to i64\n  ret i64 %t\n}\n",
    );
    assert!(e.contains("72-bit integer") && e.contains("`w`"), "{e}");
}

#[test]
fn insertvalue_builds_flat_aggregates() {
    let src = "define i32 @f(i32 %a, i32 %b) {
  %s0 = insertvalue { i32, i32 } undef, i32 %a, 0
  %s1 = insertvalue { i32, i32 } %s0, i32 %b, 1
  %s2 = insertvalue { i32, i32 } %s1, i32 7, 0
  %x = extractvalue { i32, i32 } %s1, 0
  %y = extractvalue { i32, i32 } %s2, 1
  %z = extractvalue { i32, i32 } %s2, 0
  %t = mul i32 %x, 100
  %u = add i32 %t, %y
  %v = mul i32 %z, 10000
  %r = add i32 %u, %v
  ret i32 %r
}
";
    assert_eq!(run(src, "f", &[3, 4]), 70304);
}

/// A variadic module function as clang writes it for riscv32 (va_arg is
/// pointer arithmetic and `llvm.ptrmask`), called directly.
const VARIADIC: &str = "define double @sum(i32 %n, ...) {
entry:
  %ap = alloca ptr, align 4
  %cp = alloca ptr, align 4
  call void @llvm.va_start.p0(ptr %ap)
  call void @llvm.va_copy.p0(ptr %cp, ptr %ap)
  %p0 = load ptr, ptr %cp, align 4
  %i = load i32, ptr %p0, align 4
  %p1 = getelementptr i8, ptr %p0, i32 11
  %p2 = call ptr @llvm.ptrmask.p0.i32(ptr %p1, i32 -8)
  %d = load double, ptr %p2, align 8
  %p3 = getelementptr i8, ptr %p2, i32 8
  %l = load i64, ptr %p3, align 8
  call void @llvm.va_end.p0(ptr %cp)
  call void @llvm.va_end.p0(ptr %ap)
  %fi = sitofp i32 %i to double
  %fl = sitofp i64 %l to double
  %fn = sitofp i32 %n to double
  %s1 = fadd double %fi, %d
  %s2 = fadd double %s1, %fl
  %s3 = fmul double %s2, %fn
  ret double %s3
}
define i32 @main() {
  %r = call double (i32, ...) @sum(i32 2, i32 5, double 0.5, i64 100)
  %i = fptosi double %r to i32
  ret i32 %i
}
declare void @llvm.va_start.p0(ptr)
declare void @llvm.va_copy.p0(ptr, ptr)
declare void @llvm.va_end.p0(ptr)
declare ptr @llvm.ptrmask.p0.i32(ptr, i32)
";

/// A variadic function reading its arguments with the `va_arg`
/// instruction (what clang emits for Xtensa), across the 24-byte register
/// part of Xtensa's convention: 5 ints, then a double (which jumps to the
/// stack part), a long long and an int.
const VA_ARG_INSTR: &str = "%struct.__va_list_tag = type { ptr, ptr, i32 }
define i32 @sum(i32 %n, ...) {
  %ap = alloca %struct.__va_list_tag, align 4
  call void @llvm.va_start.p0(ptr %ap)
  %a = va_arg ptr %ap, i32
  %b = va_arg ptr %ap, i32
  %c = va_arg ptr %ap, i32
  %d = va_arg ptr %ap, i32
  %e = va_arg ptr %ap, i32
  %f = va_arg ptr %ap, double
  %g = va_arg ptr %ap, i64
  %h = va_arg ptr %ap, i32
  call void @llvm.va_end.p0(ptr %ap)
  %s1 = add i32 %a, %b
  %s2 = add i32 %s1, %c
  %s3 = add i32 %s2, %d
  %s4 = add i32 %s3, %e
  %fi = fptosi double %f to i32
  %s5 = add i32 %s4, %fi
  %gi = trunc i64 %g to i32
  %s6 = add i32 %s5, %gi
  %s7 = add i32 %s6, %h
  ret i32 %s7
}
define i32 @main() {
  %r = call i32 (i32, ...) @sum(i32 8, i32 1, i32 2, i32 3, i32 4, i32 5, double 60.0, i64 700, i32 8000)
  ret i32 %r
}
declare void @llvm.va_start.p0(ptr)
declare void @llvm.va_end.p0(ptr)
";

#[test]
fn va_arg_instruction_reads_both_va_list_forms() {
    const XTENSA: &str =
        "target datalayout = \"e-m:e-p:32:32-v1:8:8-i64:64-i128:128-n32\"\ntarget triple = \"xtensa\"\n";
    for header in [HEADER, XTENSA] {
        let m = translate_ll_with(header, VA_ARG_INSTR).unwrap_or_else(|e| panic!("{header}: {e}"));
        let f = m.find_function("main").expect("main");
        let m = espb_runtime::VerifiedModule::new(m).unwrap_or_else(|e| panic!("instantiate: {e}"));
        let mut inst = espb_runtime::Instance::new(m, espb_runtime::NoHost, espb_runtime::Config::default())
            .unwrap_or_else(|e| panic!("instantiate: {e}"));
        let r = inst.call(f, &[]).unwrap_or_else(|t| panic!("trap: {t:?}"));
        assert_eq!(r, Some(8775), "{header}");
    }
}

#[test]
fn xtensa_va_list_by_value_to_natives() {
    const XTENSA: &str =
        "target datalayout = \"e-m:e-p:32:32-v1:8:8-i64:64-i128:128-n32\"\ntarget triple = \"xtensa\"\n";
    let call = |fixed: &str, args: &str| {
        format!(
            "%struct.__va_list_tag = type {{ ptr, ptr, i32 }}
declare i32 @vnative({fixed}ptr byval(%struct.__va_list_tag) align 4)
define i32 @f(i32 %n, ...) {{
  %ap = alloca %struct.__va_list_tag, align 4
  call void @llvm.va_start.p0(ptr %ap)
  %r = call i32 @vnative({args}ptr byval(%struct.__va_list_tag) align 4 %ap)
  ret i32 %r
}}
declare void @llvm.va_start.p0(ptr)
"
        )
    };
    // vsnprintf-like: three words, then the va_list's three words.
    let m = translate_ll_with(XTENSA, &call("ptr, i32, ptr, ", "ptr null, i32 0, ptr null, "))
        .unwrap_or_else(|e| panic!("{e}"));
    // The call site's signature (what the native call is lowered with).
    assert!(
        m.types.iter().any(|t| t.params == vec![espb_runtime::ValType::I32; 6]),
        "the va_list is passed as its three words: {:?}",
        m.types
    );
    // After four words GCC puts the whole va_list on the stack: refused.
    let e = match translate_ll_with(XTENSA, &call("i32, i32, i32, i32, ", "i32 1, i32 2, i32 3, i32 4, ")) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a straddling va_list was translated"),
    };
    assert!(e.contains("va_list passed by value"), "{e}");
}

#[test]
fn variadic_module_function_runs() {
    assert_eq!(run(VARIADIC, "main", &[]), 211);
    let m = translate_ll(VARIADIC).unwrap();
    let f = m.find_function("sum").unwrap() as usize;
    let t = &m.types[m.functions[f].ty as usize];
    // The declared parameter plus the hidden area address.
    assert_eq!(t.params, vec![espb_runtime::ValType::I32, espb_runtime::ValType::I32]);
    assert_eq!(t.variadic_fixed, Some(1));
}

#[test]
fn variadic_call_through_pointer_dispatches() {
    let src = format!(
        "{VARIADIC}
@fp = global ptr @sum
define i32 @via_ptr() {{
  %p = load ptr, ptr @fp
  %r = call double (i32, ...) %p(i32 3, i32 1, double 2.0, i64 3)
  %i = fptosi double %r to i32
  ret i32 %i
}}
"
    );
    assert_eq!(run(&src, "via_ptr", &[]), 18);
    let d = disasm(&translate_ll(&src).unwrap(), "via_ptr").join("\n");
    assert!(d.contains("FuncAddr") && d.matches("CallIndirect").count() == 2, "{d}");
}

#[test]
fn aggregates_run() {
    // Nested insertvalue/extractvalue, an aggregate constant, a phi of
    // aggregates and a two-word return unpacked by the caller.
    let src = "define [2 x i32] @mk(i32 %a, i32 %b) {
  %x = insertvalue [2 x i32] undef, i32 %a, 0
  %y = insertvalue [2 x i32] %x, i32 %b, 1
  ret [2 x i32] %y
}
define i32 @f(i32 %c, i32 %a) {
entry:
  %c16 = trunc i32 %c to i16
  %n = insertvalue { i8, { i32, [2 x i16] } } { i8 1, { i32, [2 x i16] } { i32 2, [2 x i16] [i16 3, i16 4] } }, i16 %c16, 1, 1, 0
  %t = icmp eq i32 %c, 0
  br i1 %t, label %zero, label %other
zero:
  br label %join
other:
  %p = call [2 x i32] @mk(i32 %a, i32 40)
  br label %join
join:
  %m = phi [2 x i32] [ [i32 100, i32 200], %zero ], [ %p, %other ]
  %inner = extractvalue { i8, { i32, [2 x i16] } } %n, 1
  %h = extractvalue { i32, [2 x i16] } %inner, 1, 0
  %h32 = zext i16 %h to i32
  %m0 = extractvalue [2 x i32] %m, 0
  %m1 = extractvalue [2 x i32] %m, 1
  %s = add i32 %m0, %m1
  %s2 = add i32 %s, %h32
  ret i32 %s2
}
";
    assert_eq!(run(src, "f", &[0, 5]) as u32, 300);
    assert_eq!(run(src, "f", &[7, 5]) as u32, 5 + 40 + 7);
}

#[test]
fn saturating_and_funnel_intrinsics_run_on_odd_widths() {
    for w in [7u32, 8, 24, 32, 33, 64] {
        // i64 needs no casts (trunc/zext to the same width is invalid IR).
        let (tr, ze) = if w == 64 {
            ("freeze i64".to_string(), "freeze i64".to_string())
        } else {
            ("trunc i64".to_string(), format!("zext i{w}"))
        };
        let (to_w, to_64) =
            if w == 64 { (String::new(), String::new()) } else { (format!(" to i{w}"), " to i64".to_string()) };
        let mask = if w == 64 { u64::MAX } else { (1u64 << w) - 1 };
        let sx = |x: u64| ((x << (64 - w)) as i64 >> (64 - w)) as i128;
        let (smin, smax) = (-(1i128 << (w - 1)), (1i128 << (w - 1)) - 1);
        for op in ["uadd", "usub", "sadd", "ssub"] {
            let src = format!(
                "declare i{w} @llvm.{op}.sat.i{w}(i{w}, i{w})
define i64 @f(i64 %a, i64 %b) {{
  %x = {tr} %a{to_w}
  %y = {tr} %b{to_w}
  %r = call i{w} @llvm.{op}.sat.i{w}(i{w} %x, i{w} %y)
  %e = {ze} %r{to_64}
  ret i64 %e
}}
"
            );
            for (a, b) in
                [(0u64, 0u64), (1, mask), (mask, 1), (mask >> 1, 3), (1 << (w - 1), mask), (5, 9), (mask - 2, 2)]
            {
                let exact = match op {
                    "uadd" => a as i128 + b as i128,
                    "usub" => a as i128 - b as i128,
                    "sadd" => sx(a) + sx(b),
                    _ => sx(a) - sx(b),
                };
                let want = if op.starts_with('u') { exact.clamp(0, mask as i128) } else { exact.clamp(smin, smax) }
                    as u64
                    & mask;
                assert_eq!(run(&src, "f", &[a, b]), want, "{op}.sat.i{w}({a:#x}, {b:#x})");
            }
        }
        if w > 32 && w != 64 {
            continue;
        }
        for (name, left) in [("fshl", true), ("fshr", false)] {
            let src = format!(
                "declare i{w} @llvm.{name}.i{w}(i{w}, i{w}, i{w})
define i64 @f(i64 %a, i64 %b, i64 %c) {{
  %x = {tr} %a{to_w}
  %y = {tr} %b{to_w}
  %z = {tr} %c{to_w}
  %r = call i{w} @llvm.{name}.i{w}(i{w} %x, i{w} %y, i{w} %z)
  %e = {ze} %r{to_64}
  ret i64 %e
}}
"
            );
            for (a, b, c) in [
                (0x5au64, 0xa5u64, 0u64),
                (mask, 1, 3),
                (0x1234_5678_9abc_def0 & mask, 0x0fed_cba9 & mask, w as u64 + 1),
                (1, mask, w as u64 - 1),
            ] {
                let s = (c % w as u64) as u32;
                let cat = (((a & mask) as u128) << w) | (b & mask) as u128;
                let want = if left { (cat << s) >> w } else { cat >> s } as u64 & mask;
                assert_eq!(run(&src, "f", &[a, b, c]), want, "{name}.i{w}({a:#x}, {b:#x}, {c})");
            }
        }
    }
}

#[test]
fn address_differences_are_constants() {
    // The distance of two globals (and of a global from itself plus an
    // offset) in data and in code.
    let src = "@a = global [4 x i32] zeroinitializer
@b = global [2 x i32] zeroinitializer
@d = global i32 sub (i32 ptrtoint (ptr getelementptr (i8, ptr @b, i32 4) to i32), i32 ptrtoint (ptr @a to i32))
define i32 @f() {
  %v = load i32, ptr @d
  %w = sub i32 ptrtoint (ptr getelementptr (i8, ptr @a, i32 12) to i32), ptrtoint (ptr @a to i32)
  %r = add i32 %v, %w
  ret i32 %r
}
";
    let m = translate_ll(src).unwrap();
    assert!(m.data.relocs.is_empty(), "a difference is a number, not a relocation");
    // @b follows @a's 16 bytes: 16 + 4, plus 12.
    assert_eq!(run(src, "f", &[]) as u32, 32);
}

#[test]
fn wide_integers_run() {
    // An i112 read from memory exactly (14 bytes), shifted both ways, masked,
    // compared and written back without touching the bytes after it.
    let src = "define i64 @f(i64 %lo, i64 %hi, i32 %which) {
  %buf = alloca [16 x i8], align 8
  %p8 = getelementptr i8, ptr %buf, i32 8
  store i64 %lo, ptr %buf
  store i64 %hi, ptr %p8
  %v = load i112, ptr %buf
  %a = ashr i112 %v, 70
  %l = lshr i112 %v, 8
  %s = shl i112 %v, 40
  %m = and i112 %l, 5192296858534827628530496329220095
  %x = xor i112 %m, %s
  store i112 %x, ptr %buf
  %c = icmp slt i112 %v, 0
  %e = icmp eq i112 %a, -1
  %t = trunc i112 %a to i64
  %cz = zext i1 %c to i64
  %ez = zext i1 %e to i64
  %r1 = shl i64 %cz, 1
  %r2 = or i64 %r1, %ez
  %r3 = shl i64 %t, 2
  %r = or i64 %r3, %r2
  %w0 = load i64, ptr %buf
  %w1 = load i64, ptr %p8
  %is0 = icmp eq i32 %which, 0
  %is1 = icmp eq i32 %which, 1
  %o1 = select i1 %is1, i64 %w0, i64 %w1
  %o = select i1 %is0, i64 %r, i64 %o1
  ret i64 %o
}
";
    let v: u128 = 0x8123_4567_89ab_cdef_0123_4567_89ab; // 112 bits, sign bit set
    let mask: u128 = (1u128 << 112) - 1;
    let guard: u128 = 0x77EE << 112;
    let (lo, hi) = (v as u64, ((v | guard) >> 64) as u64);
    let sv = ((v << 16) as i128) >> 16;
    let a = (sv >> 70) as u128 & mask;
    let x = (((v >> 8) & 5192296858534827628530496329220095u128) ^ (v << 40)) & mask;
    let want = ((a as u64) << 2) | (1 << 1) | u64::from(a == mask);
    assert_eq!(run(src, "f", &[lo, hi, 0]), want);
    assert_eq!(run(src, "f", &[lo, hi, 1]), x as u64);
    // The high word: the store's 6 bytes, then the 2 guard bytes untouched.
    assert_eq!(run(src, "f", &[lo, hi, 2]), ((x | guard) >> 64) as u64);
}

/// 128-bit test values: edges of each word, of rounding (ties, sticky
/// bits), and a spread of others.
fn wide_samples() -> Vec<u128> {
    let mut v: Vec<u128> = vec![
        0,
        1,
        u64::MAX as u128,
        1 << 64,
        (1 << 64) + 1,
        u128::MAX,
        u128::MAX >> 1,
        1 << 127,
        (1 << 127) + 1,
        // 2^64 + 2^11: a tie at double precision, even below it; and sticky bits past it.
        (1 << 64) | (1 << 11),
        (1 << 64) | (3 << 11),
        (1 << 64) | (1 << 11) | 1,
        (1 << 100) | (1 << 47),
        (1 << 100) | (1 << 47) | (1 << 3),
        (1 << 100) | (1 << 76),
        (1 << 100) | (3 << 76),
        ((1u128 << 53) - 1) << 75,
        ((1u128 << 24) - 1) << 104,
        u128::MAX - (1 << 103),
    ];
    let mut x: u128 = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834;
    for _ in 0..40 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.push(x >> (x % 120) as u32);
    }
    v
}

/// `sitofp`/`uitofp` of i65..i128 round as Rust's `as` does (to nearest,
/// ties to even, once), to double and float; `fptosi`/`fptoui` truncate.
#[test]
fn wide_int_float_conversions_round_once() {
    for w in [65u32, 80, 96, 127, 128] {
        let (narrow, widen_z, widen_s) = if w == 128 {
            ("add i128 %v, 0".to_string(), "add i128 %v, 0".to_string(), "add i128 %v, 0".to_string())
        } else {
            (format!("trunc i128 %v to i{w}"), format!("zext i{w} %v to i128"), format!("sext i{w} %v to i128"))
        };
        let src = format!(
            "define double @u2d(i64 %lo, i64 %hi) {{
  %l = zext i64 %lo to i128
  %h0 = zext i64 %hi to i128
  %hs = shl i128 %h0, 64
  %v = or i128 %hs, %l
  %t = {narrow}
  %f = uitofp i{w} %t to double
  ret double %f
}}
define double @s2d(i64 %lo, i64 %hi) {{
  %l = zext i64 %lo to i128
  %h0 = zext i64 %hi to i128
  %hs = shl i128 %h0, 64
  %v = or i128 %hs, %l
  %t = {narrow}
  %f = sitofp i{w} %t to double
  ret double %f
}}
define float @u2f(i64 %lo, i64 %hi) {{
  %l = zext i64 %lo to i128
  %h0 = zext i64 %hi to i128
  %hs = shl i128 %h0, 64
  %v = or i128 %hs, %l
  %t = {narrow}
  %f = uitofp i{w} %t to float
  ret float %f
}}
define float @s2f(i64 %lo, i64 %hi) {{
  %l = zext i64 %lo to i128
  %h0 = zext i64 %hi to i128
  %hs = shl i128 %h0, 64
  %v = or i128 %hs, %l
  %t = {narrow}
  %f = sitofp i{w} %t to float
  ret float %f
}}
define i64 @d2u(double %x, i32 %half) {{
  %v = fptoui double %x to i{w}
  %z = {widen_z}
  %k = zext i32 %half to i128
  %s = mul i128 %k, 64
  %h = lshr i128 %z, %s
  %r = trunc i128 %h to i64
  ret i64 %r
}}
define i64 @d2s(double %x, i32 %half) {{
  %v = fptosi double %x to i{w}
  %z = {widen_s}
  %k = zext i32 %half to i128
  %s = mul i128 %k, 64
  %h = lshr i128 %z, %s
  %r = trunc i128 %h to i64
  ret i64 %r
}}
define i64 @f2s(float %x, i32 %half) {{
  %v = fptosi float %x to i{w}
  %z = {widen_s}
  %k = zext i32 %half to i128
  %s = mul i128 %k, 64
  %h = lshr i128 %z, %s
  %r = trunc i128 %h to i64
  ret i64 %r
}}
"
        );
        let run = runner(&src);
        let m = if w == 128 { u128::MAX } else { (1u128 << w) - 1 };
        let sext = |v: u128| -> i128 { ((v << (128 - w)) as i128) >> (128 - w) };
        for v in wide_samples() {
            let (lo, hi) = (v as u64, (v >> 64) as u64);
            let (u, s) = (v & m, sext(v & m));
            assert_eq!(f64::from_bits(run("u2d", &[lo, hi])), u as f64, "uitofp i{w} {u:#x} to double");
            assert_eq!(f64::from_bits(run("s2d", &[lo, hi])), s as f64, "sitofp i{w} {s:#x} to double");
            assert_eq!(f32::from_bits(run("u2f", &[lo, hi]) as u32), u as f32, "uitofp i{w} {u:#x} to float");
            assert_eq!(f32::from_bits(run("s2f", &[lo, hi]) as u32), s as f32, "sitofp i{w} {s:#x} to float");
            // Back from floats that fit: the rounded value itself, and its negation.
            let f = u as f64;
            if f < 2f64.powi(w as i32) {
                let want = f as u128;
                let got = run("d2u", &[f.to_bits(), 0]) as u128 | (run("d2u", &[f.to_bits(), 1]) as u128) << 64;
                assert_eq!(got, want, "fptoui {f} to i{w}");
            }
            let f = s as f64 * 0.75;
            if f.abs() < 2f64.powi(w as i32 - 1) {
                let want = f as i128;
                let got = run("d2s", &[f.to_bits(), 0]) as u128 | (run("d2s", &[f.to_bits(), 1]) as u128) << 64;
                assert_eq!(got as i128, want, "fptosi {f} to i{w}");
                let g = f as f32;
                if (g as f64).abs() < 2f64.powi(w as i32 - 1) {
                    let x = u64::from(g.to_bits());
                    let got = run("f2s", &[x, 0]) as u128 | (run("f2s", &[x, 1]) as u128) << 64;
                    assert_eq!(got as i128, g as i128, "fptosi float {g} to i{w}");
                }
            }
        }
        for f in [0.5f64, -0.99, 1e-300, 12345.678, -(2f64.powi(63)), 2f64.powi(64) - 2048.0] {
            if f < 0.0 && w < 65 {
                continue;
            }
            let got = run("d2s", &[f.to_bits(), 0]) as u128 | (run("d2s", &[f.to_bits(), 1]) as u128) << 64;
            assert_eq!(got as i128, f as i128, "fptosi {f} to i{w}");
        }
    }
}

/// ctpop, ctlz, cttz, bswap and bitreverse of i65..i128 against Rust's u128.
#[test]
fn wide_int_bit_intrinsics_run() {
    for w in [65u32, 80, 96, 112, 127, 128] {
        let (narrow, widen_c) = if w == 128 {
            ("add i128 %v, 0".to_string(), "add i128 %c, 0".to_string())
        } else {
            (format!("trunc i128 %v to i{w}"), format!("zext i{w} %c to i128"))
        };
        let bswap = if w % 16 == 0 {
            format!(
                "define i64 @bs(i64 %lo, i64 %hi, i32 %half) {{
  %l = zext i64 %lo to i128
  %h0 = zext i64 %hi to i128
  %hs = shl i128 %h0, 64
  %v = or i128 %hs, %l
  %t = {narrow}
  %c = call i{w} @llvm.bswap.i{w}(i{w} %t)
  %z = {widen_c}
  %k = zext i32 %half to i128
  %sh = mul i128 %k, 64
  %p = lshr i128 %z, %sh
  %r = trunc i128 %p to i64
  ret i64 %r
}}
declare i{w} @llvm.bswap.i{w}(i{w})
"
            )
        } else {
            String::new()
        };
        let src = format!(
            "define i64 @pop(i64 %lo, i64 %hi, i32 %half) {{
  %l = zext i64 %lo to i128
  %h0 = zext i64 %hi to i128
  %hs = shl i128 %h0, 64
  %v = or i128 %hs, %l
  %t = {narrow}
  %c = call i{w} @llvm.ctpop.i{w}(i{w} %t)
  %z = {widen_c}
  %k = zext i32 %half to i128
  %sh = mul i128 %k, 64
  %p = lshr i128 %z, %sh
  %r = trunc i128 %p to i64
  ret i64 %r
}}
define i64 @lz(i64 %lo, i64 %hi, i32 %half) {{
  %l = zext i64 %lo to i128
  %h0 = zext i64 %hi to i128
  %hs = shl i128 %h0, 64
  %v = or i128 %hs, %l
  %t = {narrow}
  %c = call i{w} @llvm.ctlz.i{w}(i{w} %t, i1 false)
  %z = {widen_c}
  %k = zext i32 %half to i128
  %sh = mul i128 %k, 64
  %p = lshr i128 %z, %sh
  %r = trunc i128 %p to i64
  ret i64 %r
}}
define i64 @tz(i64 %lo, i64 %hi, i32 %half) {{
  %l = zext i64 %lo to i128
  %h0 = zext i64 %hi to i128
  %hs = shl i128 %h0, 64
  %v = or i128 %hs, %l
  %t = {narrow}
  %c = call i{w} @llvm.cttz.i{w}(i{w} %t, i1 false)
  %z = {widen_c}
  %k = zext i32 %half to i128
  %sh = mul i128 %k, 64
  %p = lshr i128 %z, %sh
  %r = trunc i128 %p to i64
  ret i64 %r
}}
define i64 @br(i64 %lo, i64 %hi, i32 %half) {{
  %l = zext i64 %lo to i128
  %h0 = zext i64 %hi to i128
  %hs = shl i128 %h0, 64
  %v = or i128 %hs, %l
  %t = {narrow}
  %c = call i{w} @llvm.bitreverse.i{w}(i{w} %t)
  %z = {widen_c}
  %k = zext i32 %half to i128
  %sh = mul i128 %k, 64
  %p = lshr i128 %z, %sh
  %r = trunc i128 %p to i64
  ret i64 %r
}}
declare i{w} @llvm.ctpop.i{w}(i{w})
declare i{w} @llvm.ctlz.i{w}(i{w}, i1)
declare i{w} @llvm.cttz.i{w}(i{w}, i1)
declare i{w} @llvm.bitreverse.i{w}(i{w})
{bswap}"
        );
        let run = runner(&src);
        let m = if w == 128 { u128::MAX } else { (1u128 << w) - 1 };
        let r = |f: &str, v: u128| {
            let (lo, hi) = (v as u64, (v >> 64) as u64);
            run(f, &[lo, hi, 0]) as u128 | (run(f, &[lo, hi, 1]) as u128) << 64
        };
        for v in wide_samples() {
            let u = v & m;
            assert_eq!(r("pop", v), u128::from(u.count_ones()), "ctpop i{w} {u:#x}");
            assert_eq!(r("lz", v), u128::from(u.leading_zeros() - (128 - w)), "ctlz i{w} {u:#x}");
            assert_eq!(r("tz", v), u128::from(u.trailing_zeros().min(w)), "cttz i{w} {u:#x}");
            assert_eq!(r("br", v), u.reverse_bits() >> (128 - w), "bitreverse i{w} {u:#x}");
            if w % 16 == 0 {
                assert_eq!(r("bs", v), u.swap_bytes() >> (128 - w), "bswap i{w} {u:#x}");
            }
        }
    }
}

/// A wide shift by an amount computed by an instruction whose printed form
/// ends in a number (`mul i128 %k, 64`, `add i128 %k, 1`) once took that
/// number for a constant amount.
#[test]
fn wide_shift_by_a_computed_amount() {
    let src = "define i64 @mul(i64 %x, i64 %n) {
  %v = zext i64 %x to i128
  %k = zext i64 %n to i128
  %sh = mul i128 %k, 64
  %p = lshr i128 %v, %sh
  %r = trunc i128 %p to i64
  ret i64 %r
}
define i64 @add(i64 %x, i64 %n) {
  %v = zext i64 %x to i128
  %k = zext i64 %n to i128
  %sh = add i128 %k, 1
  %p = shl i128 %v, %sh
  %q = lshr i128 %p, 64
  %r = trunc i128 %q to i64
  ret i64 %r
}
";
    let x = 0x8000_0000_0000_0001u64;
    assert_eq!(run(src, "mul", &[x, 0]), x);
    assert_eq!(run(src, "mul", &[x, 1]), 0);
    assert_eq!(run(src, "add", &[x, 0]), 1);
    assert_eq!(run(src, "add", &[x, 2]), 4);
}

/// A struct passed by value through a function pointer is refused by name
/// (only Xtensa's `va_list` goes so, as the words a native expects).
#[test]
fn byval_struct_through_a_pointer_is_refused() {
    let e = unsupported(
        "%struct.big = type { [6 x i32] }
define i32 @f(ptr %fp, ptr %b) {
  %r = call i32 %fp(ptr byval(%struct.big) align 4 %b)
  ret i32 %r
}
",
    );
    assert!(e.contains("byval") && e.contains("through a function pointer") && e.contains("`f`"), "{e}");
}

/// smin/smax/umin/umax and abs of i65..i128 against Rust's i128/u128.
#[test]
fn wide_int_min_max_abs_run() {
    for w in [65u32, 96, 127, 128] {
        let (narrow_a, narrow_b, widen) = if w == 128 {
            ("add i128 %a, 0".to_string(), "add i128 %b, 0".to_string(), "add i128 %c, 0".to_string())
        } else {
            (format!("trunc i128 %a to i{w}"), format!("trunc i128 %b to i{w}"), format!("zext i{w} %c to i128"))
        };
        let body = |op: &str, two: bool| {
            let call = if two {
                format!("call i{w} @llvm.{op}.i{w}(i{w} %ta, i{w} %tb)")
            } else {
                format!("call i{w} @llvm.{op}.i{w}(i{w} %ta, i1 false)")
            };
            format!(
                "define i64 @{op}(i64 %al, i64 %ah, i64 %bl, i64 %bh, i32 %half) {{
  %al2 = zext i64 %al to i128
  %ah2 = zext i64 %ah to i128
  %ahs = shl i128 %ah2, 64
  %a = or i128 %ahs, %al2
  %bl2 = zext i64 %bl to i128
  %bh2 = zext i64 %bh to i128
  %bhs = shl i128 %bh2, 64
  %b = or i128 %bhs, %bl2
  %ta = {narrow_a}
  %tb = {narrow_b}
  %c = {call}
  %z = {widen}
  %k = zext i32 %half to i128
  %sh = mul i128 %k, 64
  %p = lshr i128 %z, %sh
  %r = trunc i128 %p to i64
  ret i64 %r
}}
declare i{w} @llvm.{op}.i{w}(i{w}, {second})
",
                second = if two { format!("i{w}") } else { "i1".into() }
            )
        };
        let src =
            ["smin", "smax", "umin", "umax"].iter().map(|op| body(op, true)).collect::<String>() + &body("abs", false);
        let run = runner(&src);
        let m = if w == 128 { u128::MAX } else { (1u128 << w) - 1 };
        let sext = |v: u128| -> i128 { ((v << (128 - w)) as i128) >> (128 - w) };
        let r = |f: &str, a: u128, b: u128| {
            let args = |h: u64| [a as u64, (a >> 64) as u64, b as u64, (b >> 64) as u64, h];
            run(f, &args(0)) as u128 | (run(f, &args(1)) as u128) << 64
        };
        let samples = wide_samples();
        for (i, &a) in samples.iter().enumerate() {
            let b = samples[(i * 7 + 3) % samples.len()];
            let (ua, ub) = (a & m, b & m);
            let (sa, sb) = (sext(ua), sext(ub));
            assert_eq!(r("smin", a, b), (sa.min(sb) as u128) & m, "smin i{w} {sa} {sb}");
            assert_eq!(r("smax", a, b), (sa.max(sb) as u128) & m, "smax i{w} {sa} {sb}");
            assert_eq!(r("umin", a, b), ua.min(ub), "umin i{w}");
            assert_eq!(r("umax", a, b), ua.max(ub), "umax i{w}");
            assert_eq!(r("abs", a, b), (sa.wrapping_abs() as u128) & m, "abs i{w} {sa}");
        }
    }
}

/// A function with 300 values live across a loop (one phi each), two
/// parameters read only at its end, i64 and double values among them and a
/// 30-argument call: more registers than one-byte operands reach, so values
/// spill to the registers past the window, and the result is unchanged.
#[test]
fn high_register_pressure_spills_and_runs() {
    const N: usize = 300;
    let mut s = String::from("define internal i32 @sum30(");
    s += &(0..30).map(|i| format!("i32 %a{i}")).collect::<Vec<_>>().join(", ");
    // m = a0; m = (m ^ ai) * 3 for the others.
    s += ") noinline {\nentry:\n  %m0 = add i32 %a0, 0\n";
    for i in 1..30 {
        s += &format!("  %s{i} = xor i32 %m{}, %a{i}\n  %m{i} = mul i32 %s{i}, 3\n", i - 1);
    }
    s += "  ret i32 %m29\n}\n\n";
    s += "define i32 @f(i32 %seed, i32 %late, i64 %wide, double %x, i32 %n) {\nentry:\n";
    for i in 0..N {
        s += &format!("  %v{i}.0 = mul i32 %seed, {}\n", 2 * i + 1);
    }
    s += "  br label %loop\nloop:\n  %k = phi i32 [ 0, %entry ], [ %k1, %loop ]\n";
    s += "  %w = phi i64 [ %wide, %entry ], [ %w1, %loop ]\n  %d = phi double [ %x, %entry ], [ %d1, %loop ]\n";
    for i in 0..N {
        s += &format!("  %v{i} = phi i32 [ %v{i}.0, %entry ], [ %v{i}.1, %loop ]\n");
    }
    for i in 0..N {
        let j = (i + 1) % N;
        s += &format!("  %t{i} = xor i32 %v{i}, %v{j}\n  %v{i}.1 = add i32 %t{i}, %k\n");
    }
    s += "  %w1 = mul i64 %w, 3\n  %d1 = fmul double %d, 1.5\n";
    s += "  %k1 = add i32 %k, 1\n  %c = icmp slt i32 %k1, %n\n  br i1 %c, label %loop, label %exit\nexit:\n";
    s += "  %r = call i32 @sum30(";
    s += &(0..30).map(|i| format!("i32 %v{}.1", i * 7)).collect::<Vec<_>>().join(", ");
    // h = r + late; h = h * 31 + vi for every value.
    s += ")\n  %g0 = add i32 %r, %late\n";
    for i in 0..N {
        s += &format!("  %h{i} = mul i32 %g{i}, 31\n  %g{} = add i32 %h{i}, %v{i}.1\n", i + 1);
    }
    s += &format!("  %wl = trunc i64 %w1 to i32\n  %di = fptosi double %d1 to i32\n  %e0 = add i32 %g{N}, %wl\n");
    s += "  %e1 = add i32 %e0, %di\n  ret i32 %e1\n}\n";

    // The same in Rust.
    let want = |seed: u32, late: u32, wide: u64, x: f64, n: u32| -> u32 {
        let mut v: Vec<u32> = (0..N as u32).map(|i| seed.wrapping_mul(2 * i + 1)).collect();
        let (mut w, mut d, mut k) = (wide, x, 0u32);
        loop {
            let old = v.clone();
            for i in 0..N {
                v[i] = (old[i] ^ old[(i + 1) % N]).wrapping_add(k);
            }
            w = w.wrapping_mul(3);
            d *= 1.5;
            k += 1;
            if (k as i32) >= (n as i32) {
                break;
            }
        }
        let a: Vec<u32> = (0..30).map(|i| v[i * 7]).collect();
        let mut m = a[0];
        for &ai in &a[1..] {
            m = (m ^ ai).wrapping_mul(3);
        }
        let mut h = m.wrapping_add(late);
        for &vi in &v {
            h = h.wrapping_mul(31).wrapping_add(vi);
        }
        h.wrapping_add(w as u32).wrapping_add(d as i32 as u32)
    };

    let m = translate_ll(&s).unwrap_or_else(|e| panic!("translate: {e}"));
    let f = m.find_function("f").expect("f") as usize;
    assert!(m.functions[f].num_regs > 256, "{}", m.functions[f].num_regs);
    let d = disasm(&m, "f");
    assert!(d.iter().any(|l| l.contains("MovLX")) && d.iter().any(|l| l.contains("MovXL")), "no spill moves");
    for (seed, late, wide, x, n) in [(7u32, 11u32, 5u64, 2.0f64, 1u32), (0x9e37_79b9, 3, 1 << 40, -3.25, 4)] {
        let got = run(&s, "f", &[u64::from(seed), u64::from(late), wide, x.to_bits(), u64::from(n)]);
        assert_eq!(got as u32, want(seed, late, wide, x, n), "seed {seed}");
    }
}

/// `long double` on riscv32 (fp128) crosses calls as ilp32 passes it: an
/// argument is the address of a copy, a result goes through a hidden first
/// pointer, so `fp128 (fp128, i32)` is `(i32, i32, i32) -> void`.
#[test]
fn fp128_signature_is_by_reference() {
    let m = translate_ll(
        "define fp128 @twice(fp128 %x, i32 %n) {\n  %s = sitofp i32 %n to fp128\n  %r = fmul fp128 %x, %s\n  ret fp128 %r\n}\n\
         define i64 @main(i32 %n) {\n  %c = call fp128 @twice(fp128 0xL00000000000000004000800000000000, i32 %n)\n  %d = fptosi fp128 %c to i64\n  ret i64 %d\n}\n",
    )
    .unwrap();
    let f = m.find_function("twice").expect("twice") as usize;
    let t = &m.types[usize::from(m.functions[f].ty)];
    assert_eq!(t.params, vec![espb_runtime::ValType::I32; 3]);
    assert_eq!(t.result, None);
    let main = m.find_function("main").expect("main");
    let vm = espb_runtime::VerifiedModule::new(m).unwrap();
    let mut inst = espb_runtime::Instance::new(vm, espb_runtime::NoHost, espb_runtime::Config::default()).unwrap();
    assert_eq!(inst.call(main, &[7]).unwrap(), Some(21));
}

/// Integers of 65..128 bits to and from fp128, exactly (-123456789e12 + 1
/// needs 67 bits and binary128 holds it).
#[test]
fn fp128_wide_integer_conversions() {
    let src = "define i64 @f(i64 %x) {\n  %w = sext i64 %x to i100\n  %m = mul i100 %w, 1000000000000\n  \
               %f = sitofp i100 %m to fp128\n  %g = fadd fp128 %f, 0xL00000000000000003FFF000000000000\n  \
               %h = fptosi fp128 %g to i100\n  %d = sdiv i100 %h, 1000\n  %r = trunc i100 %d to i64\n  ret i64 %r\n}\n\
               define i64 @u(i64 %x) {\n  %w = zext i64 %x to i128\n  %m = shl i128 %w, 64\n  \
               %f = uitofp i128 %m to fp128\n  %h = fptoui fp128 %f to i128\n  %s = lshr i128 %h, 64\n  \
               %r = trunc i128 %s to i64\n  ret i64 %r\n}\n";
    assert_eq!(run(src, "f", &[(-123_456_789i64) as u64]), (-123_456_788_999_999_999i64) as u64);
    assert_eq!(run(src, "u", &[0xFFFF_0000_0000_0001]), 0xFFFF_0000_0000_0001);
}

#[test]
fn fp128_fma_is_refused_by_name() {
    let e = unsupported(
        "declare fp128 @llvm.fma.f128(fp128, fp128, fp128)\n\
         define fp128 @f(fp128 %a, fp128 %b) {\n  %r = call fp128 @llvm.fma.f128(fp128 %a, fp128 %b, fp128 %a)\n  ret fp128 %r\n}\n",
    );
    assert!(e.contains("fused multiply-add") && e.contains("long double"), "{e}");
}

/// The class bits of `llvm.is.fpclass` (LLVM's `FPClassTest`) `x` is in.
fn fpclass_ref(bits: u64, wide: bool) -> u32 {
    let (neg, nan, quiet, c) = if wide {
        let x = f64::from_bits(bits);
        (x.is_sign_negative(), x.is_nan(), bits & (1 << 51) != 0, x.classify())
    } else {
        let x = f32::from_bits(bits as u32);
        (x.is_sign_negative(), x.is_nan(), bits & (1 << 22) != 0, x.classify())
    };
    use std::num::FpCategory as K;
    if nan {
        return if quiet { 2 } else { 1 };
    }
    let k = match c {
        K::Infinite => 0,
        K::Normal => 1,
        K::Subnormal => 2,
        _ => 3,
    };
    if neg { 1 << (2 + k) } else { 1 << (9 - k) }
}

#[test]
fn is_fpclass_runs_for_every_class_and_mask() {
    let f64s: Vec<u64> = [
        0.0f64,
        -0.0,
        1.5,
        -2.25,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        f64::MAX,
        f64::INFINITY,
        f64::NEG_INFINITY,
        5e-324,
        -5e-324,
        2.2e-308,
    ]
    .iter()
    .map(|x| x.to_bits())
    .chain([0x7ff8_0000_0000_0000, 0xfff8_0000_0000_0001, 0x7ff0_0000_0000_0001, 0xfff7_ffff_ffff_ffff])
    .collect();
    let f32s: Vec<u64> =
        [0.0f32, -0.0, 1.5, -3.0, f32::MIN_POSITIVE, f32::MAX, f32::INFINITY, f32::NEG_INFINITY, 1e-45, -1e-40]
            .iter()
            .map(|x| u64::from(x.to_bits()))
            .chain([0x7fc0_0000, 0xffc0_0001, 0x7f80_0001, 0xffbf_ffff])
            .collect();
    // Single classes, the pairs clang's builtins use (isnan 3, isinf 516,
    // isfinite 504, isnormal 264, issubnormal 144, iszero 96), everything.
    let masks = [0u32, 1, 2, 3, 4, 8, 16, 32, 64, 128, 256, 512, 516, 504, 264, 144, 96, 0x3ff, 0x155, 0x2aa];
    for (ty, wide, samples) in [("double", true, &f64s), ("float", false, &f32s)] {
        let sfx = if wide { "f64" } else { "f32" };
        let mut src = format!("declare i1 @llvm.is.fpclass.{sfx}({ty}, i32 immarg)\n");
        for m in masks {
            src += &format!(
                "define i32 @c{m}({ty} %x) {{\n  %r = call i1 @llvm.is.fpclass.{sfx}({ty} %x, i32 {m})\n  \
                 %e = zext i1 %r to i32\n  ret i32 %e\n}}\n"
            );
        }
        let call = runner(&src);
        for &x in samples.iter() {
            let class = fpclass_ref(x, wide);
            for m in masks {
                let want = u64::from(class & m != 0);
                assert_eq!(call(&format!("c{m}"), &[x]), want, "is.fpclass.{sfx}({x:#x}, {m:#x})");
            }
        }
    }
}

#[test]
fn is_constant_return_and_frame_address_are_defined() {
    let src = "declare i1 @llvm.is.constant.i32(i32)
declare ptr @llvm.returnaddress(i32 immarg)
declare ptr @llvm.frameaddress.p0(i32 immarg)
declare i32 @llvm.get.rounding()
define i32 @rounding() {
  %r = call i32 @llvm.get.rounding()
  ret i32 %r
}
define i32 @konst(i32 %a) {
  %k = call i1 @llvm.is.constant.i32(i32 7)
  %v = call i1 @llvm.is.constant.i32(i32 %a)
  %k2 = zext i1 %k to i32
  %v2 = zext i1 %v to i32
  %s = shl i32 %k2, 1
  %r = or i32 %s, %v2
  ret i32 %r
}
define i32 @ret(i32 %l) {
  %a = call ptr @llvm.returnaddress(i32 0)
  %b = call ptr @llvm.returnaddress(i32 1)
  %x = ptrtoint ptr %a to i32
  %y = ptrtoint ptr %b to i32
  %r = or i32 %x, %y
  ret i32 %r
}
define i32 @callee(ptr %caller_local) {
  %mine = alloca i32
  %f = call ptr @llvm.frameaddress.p0(i32 0)
  %up = call ptr @llvm.frameaddress.p0(i32 1)
  ; the frame address lies between this frame's local and the caller's
  store i32 2, ptr %mine
  %a = icmp ult ptr %mine, %f
  %b = icmp uge ptr %caller_local, %f
  %c = icmp eq ptr %up, null
  %ab = and i1 %a, %b
  %abc = and i1 %ab, %c
  %r = zext i1 %abc to i32
  ret i32 %r
}
define i32 @frame() {
  %local = alloca i32
  store i32 1, ptr %local
  %r = call i32 @callee(ptr %local)
  ret i32 %r
}
";
    let call = runner(src);
    assert_eq!(call("konst", &[5]), 0b10);
    assert_eq!(call("rounding", &[]), 1);
    assert_eq!(call("ret", &[0]), 0);
    assert_eq!(call("frame", &[]), 1);
}

#[test]
fn wide_mul_overflow_intrinsics_run() {
    // (op, width): clang gives smul.i65 for a signed times an unsigned
    // `long long` in `__builtin_mul_overflow`.
    for (op, w) in [("smul", 65u32), ("smul", 100), ("smul", 127), ("umul", 65), ("umul", 128)] {
        let part = |out: &str| {
            let tail = match out {
                "lo" => "  %v = extractvalue { iW, i1 } %s, 0\n  %t = trunc iW %v to i64\n  ret i64 %t",
                "hi" => {
                    "  %v = extractvalue { iW, i1 } %s, 0\n  %h = lshr iW %v, 64\n  %t = trunc iW %h to i64\n  ret i64 %t"
                }
                _ => "  %o = extractvalue { iW, i1 } %s, 1\n  %t = zext i1 %o to i64\n  ret i64 %t",
            };
            format!(
                "define i64 @{out}(i64 %al, i64 %ah, i64 %bl, i64 %bh) {{
  %a0 = zext i64 %al to iW
  %a1 = zext i64 %ah to iW
  %a2 = shl iW %a1, 64
  %a = or iW %a0, %a2
  %b0 = zext i64 %bl to iW
  %b1 = zext i64 %bh to iW
  %b2 = shl iW %b1, 64
  %b = or iW %b0, %b2
  %s = call {{ iW, i1 }} @llvm.OP.with.overflow.iW(iW %a, iW %b)
{tail}
}}
"
            )
        };
        let src = format!(
            "declare {{ iW, i1 }} @llvm.OP.with.overflow.iW(iW, iW)\n{}{}{}",
            part("lo"),
            part("hi"),
            part("ov")
        )
        .replace("OP", op)
        .replace("iW", &format!("i{w}"));
        let call = runner(&src);
        let mask = if w == 128 { u128::MAX } else { (1u128 << w) - 1 };
        let sx = |x: u128| ((x << (128 - w)) as i128) >> (128 - w);
        let samples: Vec<u128> = [
            0u128,
            1,
            2,
            3,
            u64::MAX as u128,
            1 << 63,
            1 << 64,
            (1 << 64) + 1,
            mask,
            mask - 1,
            mask >> 1,
            (mask >> 1) + 1,
            (mask >> 1) - 7,
            0x1234_5678_9abc_def0_1122_3344_5566_7788 & mask,
            mask >> (w / 2),
            (mask >> (w / 2)) + 1,
        ]
        .iter()
        .map(|x| x & mask)
        .collect();
        for &a in &samples {
            for &b in &samples {
                let (prod, ov) = if op == "smul" {
                    let (x, y) = (sx(a), sx(b));
                    match x.checked_mul(y) {
                        Some(p) => (p as u128 & mask, sx(p as u128 & mask) != p),
                        None => (x.wrapping_mul(y) as u128 & mask, true),
                    }
                } else {
                    match a.checked_mul(b) {
                        Some(p) => (p & mask, p > mask),
                        None => (a.wrapping_mul(b) & mask, true),
                    }
                };
                let args = [a as u64, (a >> 64) as u64, b as u64, (b >> 64) as u64];
                let got = (u128::from(call("hi", &args)) << 64) | u128::from(call("lo", &args));
                assert_eq!(got, prod, "{op}.i{w}({a:#x}, {b:#x}) value");
                assert_eq!(call("ov", &args), u64::from(ov), "{op}.i{w}({a:#x}, {b:#x}) overflow");
            }
        }
    }
}

#[test]
fn wide_add_overflow_and_smul_i128_are_refused_by_name() {
    for (op, w) in [("sadd", 65), ("usub", 100), ("smul", 128)] {
        let e = unsupported(&format!(
            "declare {{ i{w}, i1 }} @llvm.{op}.with.overflow.i{w}(i{w}, i{w})
define i32 @f(i64 %a) {{
  %x = zext i64 %a to i{w}
  %s = call {{ i{w}, i1 }} @llvm.{op}.with.overflow.i{w}(i{w} %x, i{w} %x)
  %o = extractvalue {{ i{w}, i1 }} %s, 1
  %r = zext i1 %o to i32
  ret i32 %r
}}
"
        ));
        assert!(e.contains(&format!("llvm.{op}.with.overflow.i{w}")), "{e}");
    }
    let e = unsupported(
        "declare double @llvm.sin.f64(double)\ndefine double @f(double %x) {\n  %r = call double @llvm.sin.f64(double %x)\n  ret double %r\n}\n",
    );
    assert!(e.contains("`llvm.sin.f64`") && e.contains("-fno-math-errno"), "{e}");
}

/// Only a call has a callee: asking any other instruction (an
/// `insertvalue` an `extractvalue` reads, here) gives `None`. LLVM's own
/// query read past such an instruction and crashed the translator now and
/// then (the wide-overflow check asks every `extractvalue`'s operand).
#[test]
fn only_calls_have_a_callee() {
    let ctx = Context::create();
    let text = format!(
        "{HEADER}declare i32 @g(i32)\ndefine i32 @f(i32 %x) {{\n  %a = insertvalue {{ i32, i32 }} undef, i32 %x, 0\n  \
         %b = extractvalue {{ i32, i32 }} %a, 0\n  %c = call i32 @g(i32 %b)\n  ret i32 %c\n}}\n"
    );
    let buf = MemoryBuffer::create_from_memory_range_copy(text.as_bytes(), "test.ll");
    let m = ctx.create_module_from_ir(buf).expect("test IR");
    let module = ir::IrModule(m.as_mut_ptr());
    let f = module.functions().into_iter().find(|f| f.name() == "f").expect("f");
    let insts: Vec<ir::Val> = f.blocks().iter().flat_map(|b| b.instructions()).collect();
    let callees: Vec<Option<String>> = insts.iter().map(|i| i.called_value().map(|c| c.name())).collect();
    assert_eq!(callees, [None, None, Some("g".to_string()), None]);
}
