//! Argument placement for the RISC-V ilp32 and ilp32f calling conventions,
//! as the RISC-V psABI ("RISC-V Calling Conventions": integer and hardware
//! floating-point conventions) defines them and clang and rustc implement
//! them (checked against clang-22, see the tests).
//!
//! **ilp32** (soft float: rv32imc/rv32imac, ESP32-C2/C3/C5/C6/H2), the
//! integer convention:
//!
//! * Every argument becomes 32-bit words. i32, pointers and f32 take one
//!   word; i64 and f64 two, low word first.
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
//! **ilp32f** (FLEN = 32: rv32imafc, ESP32-P4), the hardware floating-point
//! convention on top of it:
//!
//! * A **fixed** f32 argument goes in the next of fa0..fa7 while one is free;
//!   after that it follows the integer convention (an a-register word, then
//!   the stack).
//! * f64 is wider than FLEN, so it follows the integer convention exactly as
//!   under ilp32; so do all integers and pointers.
//! * **Variadic** arguments always follow the integer convention.
//! * An f32 result comes back in fa0; everything else as under ilp32.
//!
//! Narrow integers (i8, i16, bool) must be sign/zero-extended to 32 bits by
//! the caller; the translator normalises them before native calls, and they
//! reach this code as `I32`.

use super::{FLOAT_REGS, LowerError, Lowered, check_arity};
use crate::module::{FuncType, ValType};

/// a0..a7.
pub const ARG_REGS: usize = 8;
const _: () = assert!(ARG_REGS <= super::INT_REGS);

struct Placer {
    out: Lowered,
    next_reg: usize,
    next_freg: usize,
}

impl Placer {
    fn push_stack(&mut self, w: u32) -> Result<(), LowerError> {
        self.out.set_stack(self.out.stack_words, w)
    }

    fn word(&mut self, w: u32) -> Result<(), LowerError> {
        if self.next_reg < ARG_REGS {
            self.out.regs[self.next_reg] = w;
            self.next_reg += 1;
            Ok(())
        } else {
            self.push_stack(w)
        }
    }

    /// A fixed f32 under ilp32f: a float register while one is free.
    fn float(&mut self, w: u32) -> Result<(), LowerError> {
        if self.next_freg < FLOAT_REGS {
            self.out.fregs[self.next_freg] = w;
            self.next_freg += 1;
            Ok(())
        } else {
            self.word(w)
        }
    }

    fn pair(&mut self, v: u64, variadic: bool) -> Result<(), LowerError> {
        let (lo, hi) = (v as u32, (v >> 32) as u32);
        if variadic && self.next_reg % 2 == 1 {
            // Variadic 2×XLEN: aligned even register pair only (may skip a7).
            self.next_reg += 1;
        }
        if self.next_reg + 2 <= ARG_REGS {
            self.out.regs[self.next_reg] = lo;
            self.out.regs[self.next_reg + 1] = hi;
            self.next_reg += 2;
            return Ok(());
        }
        if self.next_reg == ARG_REGS - 1 {
            // Only a7 left (fixed argument): split, high word on the stack
            // (whose first slot is free: nothing went there yet).
            self.out.regs[ARG_REGS - 1] = lo;
            self.next_reg = ARG_REGS;
            return self.push_stack(hi);
        }
        self.next_reg = ARG_REGS;
        if self.out.stack_words % 2 == 1 {
            // 8-byte alignment on the stack (sp is 16-aligned at the call).
            self.push_stack(0)?;
        }
        self.push_stack(lo)?;
        self.push_stack(hi)
    }
}

/// Places the arguments of a call under ilp32 (soft float). `ty` is the
/// call site's signature (variadic arguments typed), `args` the raw bits
/// (i32/f32 in the low 32 bits, i64/f64 in all 64, as
/// [`crate::Host::call`] receives them).
pub fn lower_ilp32(ty: &FuncType, args: &[u64]) -> Result<Lowered, LowerError> {
    lower(ty, args, false)
}

/// Places the arguments of a call under ilp32f (fixed f32 in fa0..fa7); see
/// [`lower_ilp32`] for `ty` and `args`.
pub fn lower_ilp32f(ty: &FuncType, args: &[u64]) -> Result<Lowered, LowerError> {
    lower(ty, args, true)
}

fn lower(ty: &FuncType, args: &[u64], hard_f32: bool) -> Result<Lowered, LowerError> {
    check_arity(ty, args)?;
    let fixed = ty.variadic_fixed.map_or(usize::MAX, usize::from);
    let mut p = Placer { out: Lowered::EMPTY, next_reg: 0, next_freg: 0 };
    for (i, (t, &v)) in ty.params.iter().zip(args).enumerate() {
        let variadic = i >= fixed;
        match t {
            ValType::F32 if hard_f32 && !variadic => p.float(v as u32)?,
            ValType::I32 | ValType::F32 => p.word(v as u32)?,
            ValType::I64 | ValType::F64 => p.pair(v, variadic)?,
        }
    }
    Ok(p.out)
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
        let l = lower_ilp32(t, args).unwrap();
        assert_eq!(l.fregs, [0; FLOAT_REGS], "ilp32 uses no float registers");
        (l.regs.to_vec(), l.stack[..l.stack_words].to_vec())
    }

    fn f(v: f32) -> u64 {
        u64::from(v.to_bits())
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
    fn f32_is_one_integer_word() {
        let (r, _) = lowered(&ty(&[F32, F64], None), &[f(1.5), 2.0f64.to_bits()]);
        assert_eq!(r[..3], [1.5f32.to_bits(), 0, 0x4000_0000]);
    }

    #[test]
    fn too_many_words_and_wrong_counts_are_errors() {
        let t = ty(&[F64; 13], None); // 26 words: 8 in registers, 18 on the stack
        assert_eq!(lower_ilp32(&t, &[0; 13]), Err(LowerError::TooManyArguments));
        let t = ty(&[F64; 12], None); // 24 words: exactly fits
        assert_eq!(lower_ilp32(&t, &[0; 12]).unwrap().stack_words, 16);
        assert_eq!(lower_ilp32(&ty(&[I32], None), &[]), Err(LowerError::ArgCount { expected: 1, given: 0 }));
        assert_eq!(lower_ilp32f(&ty(&[F32], None), &[1, 2]), Err(LowerError::ArgCount { expected: 1, given: 2 }));
    }

    // ilp32f: expected placements are what clang-22 emits with
    // `--target=riscv32-unknown-elf -march=rv32imafc -mabi=ilp32f -O2 -S`
    // for the C call quoted in each test.

    #[test]
    fn ilp32f_f32_overflow_goes_to_integer_registers() {
        // g(10 floats, int, double, float) called with 1.0f..10.0f, 11, 12.0,
        // 13.0f: fa0..fa7 = 1.0..8.0, a0 = 9.0f, a1 = 10.0f, a2 = 11,
        // a3:a4 = 12.0 (fixed pair, unaligned), a5 = 13.0f.
        let mut p = vec![F32; 10];
        p.extend([I32, F64, F32]);
        let mut args: Vec<u64> = (1..=10).map(|i| f(i as f32)).collect();
        args.extend([11, 12.0f64.to_bits(), f(13.0)]);
        let l = lower_ilp32f(&ty(&p, None), &args).unwrap();
        let fregs: Vec<u32> = (1..=8).map(|i| (i as f32).to_bits()).collect();
        assert_eq!(l.fregs.to_vec(), fregs);
        assert_eq!(l.regs, [9.0f32.to_bits(), 10.0f32.to_bits(), 11, 0, 0x4028_0000, 13.0f32.to_bits(), 0, 0]);
        assert_eq!(l.stack_words, 0);
    }

    #[test]
    fn ilp32f_f32_overflow_reaches_the_stack() {
        // g(8 ints, 8 floats, float, double, float) with 1..8, 1.0f..8.0f,
        // 9.0f, 10.0, 11.0f: a0..a7 = 1..8, fa0..fa7 = 1.0..8.0,
        // sp+0 = 9.0f, sp+4 padding, sp+8:12 = 10.0, sp+16 = 11.0f.
        let mut p = vec![I32; 8];
        p.extend([F32; 8]);
        p.extend([F32, F64, F32]);
        let mut args: Vec<u64> = (1..=8).collect();
        args.extend((1..=8).map(|i| f(i as f32)));
        args.extend([f(9.0), 10.0f64.to_bits(), f(11.0)]);
        let l = lower_ilp32f(&ty(&p, None), &args).unwrap();
        assert_eq!(l.regs, [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(l.fregs[7], 8.0f32.to_bits());
        assert_eq!(l.stack[..l.stack_words], [9.0f32.to_bits(), 0, 0, 0x4024_0000, 11.0f32.to_bits()]);
    }

    #[test]
    fn ilp32f_f32_after_a7_is_on_the_stack() {
        // g(7 ints, 10 floats): a0..a6 = 1..7, fa0..fa7 = 1.0..8.0,
        // a7 = 9.0f, sp+0 = 10.0f.
        let mut p = vec![I32; 7];
        p.extend([F32; 10]);
        let mut args: Vec<u64> = (1..=7).collect();
        args.extend((1..=10).map(|i| f(i as f32)));
        let l = lower_ilp32f(&ty(&p, None), &args).unwrap();
        assert_eq!(l.regs, [1, 2, 3, 4, 5, 6, 7, 9.0f32.to_bits()]);
        assert_eq!(l.stack[..l.stack_words], [10.0f32.to_bits()]);
    }

    #[test]
    fn ilp32f_variadic_arguments_use_the_integer_convention() {
        // v("x", 1.5f, 2.5): the float is promoted to double by C; a0 = fmt,
        // a2:a3 = 1.5, a4:a5 = 2.5; no float register.
        let l = lower_ilp32f(&ty(&[I32, F64, F64], Some(1)), &[0x100, 1.5f64.to_bits(), 2.5f64.to_bits()]).unwrap();
        assert_eq!(l.regs, [0x100, 0, 0, 0x3FF8_0000, 0, 0x4004_0000, 0, 0]);
        assert_eq!(l.fregs, [0; FLOAT_REGS]);
        // A variadic f32 (not from C, whose promotion makes it a double)
        // is one integer word; a fixed f32 before `...` is in fa0.
        let l = lower_ilp32f(&ty(&[F32, I32, F32], Some(2)), &[f(2.0), 3, f(0.5)]).unwrap();
        assert_eq!(l.fregs[..2], [2.0f32.to_bits(), 0]);
        assert_eq!(l.regs[..3], [3, 0.5f32.to_bits(), 0]);
    }
}
