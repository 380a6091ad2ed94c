//! Argument placement for the Xtensa windowed ABI (ESP32, ESP32-S2,
//! ESP32-S3), as GCC implements it (gcc/config/xtensa/xtensa.cc:
//! `xtensa_function_arg_1`, `xtensa_function_arg_advance`, and
//! `xtensa_gimplify_va_arg_expr` for the callee's `va_arg`) and LLVM agrees
//! (llvm/lib/Target/Xtensa/XtensaISelLowering.cpp: `CC_Xtensa_Custom`):
//!
//! * Arguments are counted in 32-bit words over one space: words 0..5 are the
//!   callee's a2..a7 (the caller's a10..a15 for `callx8`), word 6 and up are
//!   stack slots (`sp + 4*(w-6)` on entry). i32, pointers and f32 take one
//!   word; i64 and f64 two, low word first.
//! * An 8-byte-aligned argument (i64, f64) first rounds the word index up
//!   to even: `f(int, long long)` puts the i64 in a4:a5 and leaves a3
//!   unused; with a7 next, the value goes on the stack (aligned).
//! * An argument that does not fit entirely in the remaining registers goes
//!   wholly on the stack (GCC: the index jumps to 6), and so does every later
//!   argument. Kept for completeness: after the alignment above a scalar
//!   always fits or is already on the stack.
//! * Floats travel in address registers like integers, also on the chips
//!   with an FPU (ESP32, S3): the ABI is soft-float at call boundaries.
//! * Variadic arguments follow the same rules (GCC's `function_arg` does
//!   not look at `named`; `va_arg` aligns its index the same way).
//! * Results up to 64 bits: a2 (low) and a3, i.e. what an
//!   `extern "C" fn -> u64` sees.
//!
//! The call0 ABI (ESP8266) places arguments identically: only the caller's
//! register names differ, which the compiler handles.
//!
//! Checked against llc-22 (`clang-22 --target=xtensa -S -emit-llvm`, then
//! `llc-22 -mtriple=xtensa -mcpu=esp32`, windowed `callx8`), see the tests.

use super::{LowerError, Lowered, check_arity};
use crate::module::{FuncType, ValType};

/// a2..a7 of the callee.
pub const ARG_REGS: usize = 6;
const _: () = assert!(ARG_REGS <= super::INT_REGS);

/// The word an argument of `size` words starts at when `word` is the next
/// free one: 8-byte-aligned values (`align8`) start on an even word, and an
/// argument that would straddle the last register goes wholly on the stack.
/// The translator asks this too, for aggregates passed by value.
pub fn arg_word(word: usize, size: usize, align8: bool) -> usize {
    let w = if align8 { word.next_multiple_of(2) } else { word };
    if w < ARG_REGS && w + size > ARG_REGS { ARG_REGS } else { w }
}

/// Places the arguments of a call (`ty` the call site's signature, `args`
/// the raw bits: i32/f32 in the low 32 bits, i64/f64 in all 64).
pub fn lower(ty: &FuncType, args: &[u64]) -> Result<Lowered, LowerError> {
    check_arity(ty, args)?;
    let mut out = Lowered::EMPTY;
    let mut word = 0usize;
    for (t, &v) in ty.params.iter().zip(args) {
        let words: &[u32] = match t {
            ValType::I32 | ValType::F32 => &[v as u32],
            ValType::I64 | ValType::F64 => &[v as u32, (v >> 32) as u32],
        };
        word = arg_word(word, words.len(), words.len() == 2);
        for &w in words {
            if word < ARG_REGS {
                out.regs[word] = w;
            } else {
                out.set_stack(word - ARG_REGS, w)?;
            }
            word += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ValType::*;
    use alloc::vec::Vec;

    fn placed(params: &[ValType], variadic_fixed: Option<u8>, args: &[u64]) -> (Vec<u32>, Vec<u32>) {
        let t = FuncType { params: params.to_vec(), result: None, variadic_fixed };
        let l = lower(&t, args).unwrap();
        assert_eq!(l.regs[ARG_REGS..], [0, 0], "only a2..a7");
        assert_eq!(l.fregs, [0; super::super::FLOAT_REGS], "no float registers");
        (l.regs[..ARG_REGS].to_vec(), l.stack[..l.stack_words].to_vec())
    }

    fn f(v: f32) -> u64 {
        u64::from(v.to_bits())
    }

    // Expected placements are what llc-22 emits for the C call in each test
    // (`clang-22 --target=xtensa -O2 -S -emit-llvm`, `llc-22 -mtriple=xtensa
    // -mcpu=esp32`): the caller's a10..a15 are the callee's a2..a7.

    #[test]
    fn i64_takes_an_even_register_pair_and_f64_goes_wholly_on_the_stack() {
        // g(int, long long, int, double, float) with (1, 0x200000003, 4, 2.0,
        // 5.0f): a2 = 1, a3 unused, a4:a5 = the i64, a6 = 4; the double
        // would start at a7, so it goes to sp+0:4, and 5.0f to sp+8.
        let (r, s) = placed(&[I32, I64, I32, F64, F32], None, &[1, 0x2_0000_0003, 4, 2.0f64.to_bits(), f(5.0)]);
        assert_eq!(r, [1, 0, 3, 2, 4, 0]);
        assert_eq!(s, [0, 0x4000_0000, 5.0f32.to_bits()]);
    }

    #[test]
    fn everything_after_a_stacked_pair_is_on_the_stack() {
        // g(5 ints, long long, int) with (1..5, 0x600000007, 8): a2..a6 =
        // 1..5, a7 unused, sp+0:4 = the i64, sp+8 = 8.
        let (r, s) = placed(&[I32, I32, I32, I32, I32, I64, I32], None, &[1, 2, 3, 4, 5, 0x6_0000_0007, 8]);
        assert_eq!(r, [1, 2, 3, 4, 5, 0]);
        assert_eq!(s, [7, 6, 8]);
    }

    #[test]
    fn stack_pairs_are_8_byte_aligned() {
        // g(7 ints, long long, double) with (1..7, 0x800000009, 1.0): a2..a7
        // = 1..6, sp+0 = 7, sp+4 padding, sp+8:12 the i64, sp+16:20 1.0.
        let mut p = vec![I32; 7];
        p.extend([I64, F64]);
        let mut args: Vec<u64> = (1..=7).collect();
        args.extend([0x8_0000_0009, 1.0f64.to_bits()]);
        let (r, s) = placed(&p, None, &args);
        assert_eq!(r, [1, 2, 3, 4, 5, 6]);
        assert_eq!(s, [7, 0, 9, 8, 0, 0x3FF0_0000]);
    }

    #[test]
    fn variadic_arguments_follow_the_same_rules() {
        // v("x", 1, 0x200000003LL, 4, 2.5): a2 = fmt, a3 = 1, a4:a5 the
        // i64, a6 = 4, the double on the stack (sp+0:4).
        let (r, s) = placed(&[I32, I32, I64, I32, F64], Some(1), &[0x100, 1, 0x2_0000_0003, 4, 2.5f64.to_bits()]);
        assert_eq!(r, [0x100, 1, 3, 2, 4, 0]);
        assert_eq!(s, [0, 0x4004_0000]);
        // v("x", 1, 2, 3, 4, 0x500000006LL, 7): a2..a6, then sp+0:4, sp+8.
        let (r, s) = placed(&[I32, I32, I32, I32, I32, I64, I32], Some(1), &[0x100, 1, 2, 3, 4, 0x5_0000_0006, 7]);
        assert_eq!(r, [0x100, 1, 2, 3, 4, 0]);
        assert_eq!(s, [6, 5, 7]);
    }

    #[test]
    fn floats_use_address_registers() {
        // g(8 floats) with 1.0f..8.0f: a2..a7 = 1.0..6.0, sp+0 = 7.0,
        // sp+4 = 8.0 (no float registers even with -mcpu=esp32's FPU).
        let args: Vec<u64> = (1..=8).map(|i| f(i as f32)).collect();
        let (r, s) = placed(&[F32; 8], None, &args);
        let bits: Vec<u32> = (1..=8).map(|i| (i as f32).to_bits()).collect();
        assert_eq!(r, bits[..6]);
        assert_eq!(s, bits[6..]);
    }

    #[test]
    fn too_many_words_and_wrong_counts_are_errors() {
        let ty = |n| FuncType { params: vec![F64; n], result: None, variadic_fixed: None };
        // 11 doubles: 6 register words + 16 stack words, exactly full.
        assert_eq!(lower(&ty(11), &[0; 11]).unwrap().stack_words, 16);
        assert_eq!(lower(&ty(12), &[0; 12]), Err(LowerError::TooManyArguments));
        assert_eq!(lower(&ty(1), &[]), Err(LowerError::ArgCount { expected: 1, given: 0 }));
    }
}
