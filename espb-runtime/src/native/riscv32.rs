//! The RISC-V ilp32 (soft-float: rv32imc, ESP32-C2/C3/C6/H2) integer
//! calling convention, as the RISC-V psABI defines it and clang and rustc
//! implement it (checked against clang-22 `--target=riscv32 -mabi=ilp32`):
//!
//! * Every argument becomes 32-bit words. i32, pointers and f32 (soft
//!   float: in integer registers) take one word; i64 and f64 two, low word
//!   first.
//! * Words go into a0..a7 in order, then onto the stack (word `i` at
//!   `sp + 4*i` on entry).
//! * A **fixed** 2×XLEN argument takes the next two registers, even-aligned
//!   or not (`f(int, long long)`: a0, a1:a2). With only a7 left it is split:
//!   low word in a7, high word in the first stack slot. With no register left
//!   it goes on the stack, 8-byte aligned.
//! * A **variadic** 2×XLEN argument takes an aligned register pair (a2:a3,
//!   never a1:a2); when the aligned pair does not exist (next register a7)
//!   a7 is skipped and the value goes on the stack, 8-byte aligned. From then
//!   on everything is on the stack.
//! * Results: i32, pointers and f32 in a0; i64 and f64 in a0 (low) and a1.
//!
//! Narrow integers (i8, i16, bool) must be sign/zero-extended to 32 bits by
//! the caller; the translator normalises them before native calls, and they
//! reach this code as `I32`.

use super::{LowerError, Lowered, MAX_STACK_WORDS, REG_WORDS};
use crate::module::{FuncType, ValType};

struct Placer {
    out: Lowered,
    next_reg: usize,
}

impl Placer {
    fn push_stack(&mut self, w: u32) -> Result<(), LowerError> {
        let i = self.out.stack_words;
        if i >= MAX_STACK_WORDS {
            return Err(LowerError::TooManyArguments);
        }
        self.out.stack[i] = w;
        self.out.stack_words = i + 1;
        Ok(())
    }

    fn word(&mut self, w: u32) -> Result<(), LowerError> {
        if self.next_reg < REG_WORDS {
            self.out.regs[self.next_reg] = w;
            self.next_reg += 1;
            Ok(())
        } else {
            self.push_stack(w)
        }
    }

    fn pair(&mut self, v: u64, variadic: bool) -> Result<(), LowerError> {
        let (lo, hi) = (v as u32, (v >> 32) as u32);
        if variadic && self.next_reg % 2 == 1 {
            // Variadic 2×XLEN: aligned even register pair only (may skip a7).
            self.next_reg += 1;
        }
        if self.next_reg + 2 <= REG_WORDS {
            self.out.regs[self.next_reg] = lo;
            self.out.regs[self.next_reg + 1] = hi;
            self.next_reg += 2;
            return Ok(());
        }
        if self.next_reg == REG_WORDS - 1 {
            // Only a7 left (fixed argument): split, high word on the stack
            // (whose first slot is free: nothing went there yet).
            self.out.regs[REG_WORDS - 1] = lo;
            self.next_reg = REG_WORDS;
            return self.push_stack(hi);
        }
        self.next_reg = REG_WORDS;
        if self.out.stack_words % 2 == 1 {
            // 8-byte alignment on the stack (sp is 16-aligned at the call).
            self.push_stack(0)?;
        }
        self.push_stack(lo)?;
        self.push_stack(hi)
    }
}

/// Places the arguments of a call with signature `ty` (a call site's, so
/// variadic arguments are typed) and raw bits `args` (i32/f32 in the low 32
/// bits, i64/f64 in all 64, as [`crate::Host::call`] receives them).
pub fn lower(ty: &FuncType, args: &[u64]) -> Result<Lowered, LowerError> {
    if ty.params.len() != args.len() {
        return Err(LowerError::ArgCount { expected: ty.params.len(), given: args.len() });
    }
    let fixed = ty.variadic_fixed.map_or(usize::MAX, usize::from);
    let mut p =
        Placer { out: Lowered { regs: [0; REG_WORDS], stack: [0; MAX_STACK_WORDS], stack_words: 0 }, next_reg: 0 };
    for (i, (t, &v)) in ty.params.iter().zip(args).enumerate() {
        match t {
            ValType::I32 | ValType::F32 => p.word(v as u32)?,
            ValType::I64 | ValType::F64 => p.pair(v, i >= fixed)?,
        }
    }
    Ok(p.out)
}

/// The raw result bits for the interpreter from the a0:a1 pair the callee
/// returned: one word zero-extended for i32/f32, both for i64/f64, 0 for
/// void (a0/a1 then hold garbage).
pub fn result_bits(ty: &FuncType, a0a1: u64) -> u64 {
    match ty.result {
        Some(ValType::I32 | ValType::F32) => a0a1 & 0xffff_ffff,
        Some(ValType::I64 | ValType::F64) => a0a1,
        None => 0,
    }
}

/// Calls the native function at `addr` with the signature `ty` and raw
/// argument bits `args`; returns the raw result bits.
///
/// # Why the call is sound
///
/// The callee is reached through a function pointer of one of two fixed
/// types, `extern "C" fn(u32 × 8) -> u64` or `extern "C" fn(u32 × 8,
/// u32 × MAX_STACK_WORDS) -> u64`, not through its own C type. At the
/// machine level, which is all that exists across this opaque address (the
/// compiler cannot see the callee), that call is exactly the call the C
/// caller would make:
///
/// * Under ilp32 the first eight `u32` parameters go in a0..a7 and every
///   further `u32` parameter in consecutive 4-byte stack slots from `sp + 0`.
///   [`lower`] computed, per the psABI, exactly which word the real
///   signature expects in each register and each stack slot (alignment
///   padding is just a word we set to 0), so the callee finds each argument
///   where its own type says, and variadic callees find them where
///   `va_arg` reads them (RISC-V has no hidden variadic state such as x86's
///   `%al`; `va_start` spills a0..a7 next to the incoming stack arguments).
/// * Stack words beyond what the callee reads sit in the caller's outgoing
///   argument area, which the caller owns and the callee never writes
///   beyond its declared arguments (it may write those, as it may with any
///   C call; they are ours and discarded). The caller reserves and releases
///   that area (RISC-V callers pop nothing from the callee), so extra words
///   cost nothing and unbalance nothing.
/// * The return type `u64` is the a0:a1 pair. A callee returning i32, f32,
///   a pointer or nothing leaves a1 (and for void a0) as garbage, which is
///   a caller-saved register under the ABI anyway; [`result_bits`] ignores
///   it. No callee returns in memory: the signature types are scalars.
/// * All other registers follow the ABI: the compiler treats the call as a
///   normal `extern "C"` call (caller-saved registers clobbered, callee-saved
///   preserved by the callee), and sp is 16-aligned at the call as always.
///
/// In Rust's abstract machine, calling a function through a pointer of a
/// different type is undefined behaviour. It is the same device every
/// foreign-function layer without libffi uses: what makes it correct is the
/// ABI argument above, and it requires that the target really uses ilp32
/// (checked by `cfg` here: riscv32 soft-float). On ilp32f/ilp32d targets
/// (ESP32-P4), floating-point arguments go in fa0..fa7 and this lowering
/// would be wrong; they are not handled yet.
///
/// # Safety
///
/// `addr` must be the address of a function whose C signature matches `ty`
/// (the call site's signature), and pointer arguments must be valid for
/// what that function does with them.
#[cfg(all(target_arch = "riscv32", not(target_feature = "f")))]
pub unsafe fn call(addr: usize, ty: &FuncType, args: &[u64]) -> Result<u64, crate::interp::Trap> {
    type Regs = unsafe extern "C" fn(u32, u32, u32, u32, u32, u32, u32, u32) -> u64;
    #[rustfmt::skip]
    type WithStack = unsafe extern "C" fn(
        u32, u32, u32, u32, u32, u32, u32, u32, // a0..a7
        u32, u32, u32, u32, u32, u32, u32, u32, // sp+0 .. sp+28
        u32, u32, u32, u32, u32, u32, u32, u32, // sp+32 .. sp+60
    ) -> u64;
    const _: () = assert!(MAX_STACK_WORDS == 16, "WithStack has 16 stack parameters");
    if addr == 0 {
        return Err(crate::interp::Trap::host("native call to a NULL address"));
    }
    let l = lower(ty, args)?;
    let r = l.regs;
    let s = l.stack;
    // SAFETY: see above; `addr` is a non-null function address (caller's
    // contract) and a function pointer has the size of usize here.
    let raw = unsafe {
        if l.stack_words == 0 {
            let f = core::mem::transmute::<usize, Regs>(addr);
            f(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])
        } else {
            let f = core::mem::transmute::<usize, WithStack>(addr);
            f(
                r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8],
                s[9], s[10], s[11], s[12], s[13], s[14], s[15],
            )
        }
    };
    Ok(result_bits(ty, raw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ValType::*;
    use alloc::vec::Vec;

    fn ty(params: &[ValType], variadic_fixed: Option<u8>) -> FuncType {
        FuncType { params: params.to_vec(), result: None, variadic_fixed }
    }

    fn lowered(t: &FuncType, args: &[u64]) -> (Vec<u32>, Vec<u32>) {
        let l = lower(t, args).unwrap();
        (l.regs.to_vec(), l.stack[..l.stack_words].to_vec())
    }

    // Expected placements below are what clang-22 emits for the same C
    // calls (`--target=riscv32-unknown-elf -march=rv32imc -mabi=ilp32`).

    #[test]
    fn fixed_i64_takes_the_next_two_registers_unaligned() {
        // f(int, long long): a0 = 1, a1:a2 = the i64.
        let (r, s) = lowered(&ty(&[I32, I64], None), &[1, 0x2_0000_0003]);
        assert_eq!(r, [1, 3, 2, 0, 0, 0, 0, 0]);
        assert!(s.is_empty());
    }

    #[test]
    fn fixed_i64_with_only_a7_left_is_split() {
        // f(7 ints, long long, int): a7 = low, sp+0 = high, sp+4 = 10.
        let mut p = vec![I32; 7];
        p.extend([I64, I32]);
        let args = [1, 2, 3, 4, 5, 6, 7, 0x8_0000_0009, 10];
        let (r, s) = lowered(&ty(&p, None), &args);
        assert_eq!(r, [1, 2, 3, 4, 5, 6, 7, 9]);
        assert_eq!(s, [8, 10]);
    }

    #[test]
    fn stack_pairs_are_8_byte_aligned() {
        // f(8 ints, int, long long, double): sp+0 = 9, sp+4 padding,
        // sp+8:12 the i64, sp+16:20 the double 1.0.
        let mut p = vec![I32; 9];
        p.extend([I64, F64]);
        let mut args: Vec<u64> = (1..=9).collect();
        args.extend([0xB_0000_000C, 1.0f64.to_bits()]);
        let (r, s) = lowered(&ty(&p, None), &args);
        assert_eq!(r, [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(s, [9, 0, 0xC, 0xB, 0, 0x3FF0_0000]);
    }

    #[test]
    fn variadic_i64_takes_an_aligned_pair() {
        // v(const char *, ...) with a long long: a0 = fmt, a1 unused, a2:a3.
        let (r, s) = lowered(&ty(&[I32, I64], Some(1)), &[0x100, 0x2_0000_0003]);
        assert_eq!(r, [0x100, 0, 3, 2, 0, 0, 0, 0]);
        assert!(s.is_empty());
    }

    #[test]
    fn variadic_i64_skips_a7_and_goes_on_the_stack() {
        // v(fmt, 1..6, long long, int): a7 unused; sp+0:4 the i64, sp+8 = 9.
        let mut p = vec![I32; 7];
        p.extend([I64, I32]);
        let args = [0x100, 1, 2, 3, 4, 5, 6, 0x7_0000_0008, 9];
        let (r, s) = lowered(&ty(&p, Some(1)), &args);
        assert_eq!(r, [0x100, 1, 2, 3, 4, 5, 6, 0]);
        assert_eq!(s, [8, 7, 9]);
    }

    #[test]
    fn f32_is_one_integer_word_and_results_are_masked() {
        let (r, _) = lowered(&ty(&[F32, F64], None), &[u64::from(1.5f32.to_bits()), 2.0f64.to_bits()]);
        assert_eq!(r[..3], [1.5f32.to_bits(), 0, 0x4000_0000]);
        let mut t = ty(&[], None);
        t.result = Some(I32);
        assert_eq!(result_bits(&t, 0xdead_beef_0000_0007), 7);
        t.result = Some(F64);
        assert_eq!(result_bits(&t, 0x4000_0000_0000_0000), 0x4000_0000_0000_0000);
        t.result = None;
        assert_eq!(result_bits(&t, 123), 0);
    }

    #[test]
    fn too_many_words_and_wrong_counts_are_errors() {
        let t = ty(&[F64; 13], None); // 26 words: 8 in registers, 18 on the stack
        assert_eq!(lower(&t, &[0; 13]), Err(LowerError::TooManyArguments));
        let t = ty(&[F64; 12], None); // 24 words: exactly fits
        assert_eq!(lower(&t, &[0; 12]).unwrap().stack_words, 16);
        assert_eq!(lower(&ty(&[I32], None), &[]), Err(LowerError::ArgCount { expected: 1, given: 0 }));
    }
}
