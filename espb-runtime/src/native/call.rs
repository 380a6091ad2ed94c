//! The native call itself: lower with [`Abi::NATIVE`], then call the address
//! through a fixed-arity `extern "C"` function type whose parameters land in
//! exactly the registers and stack slots the lowering filled.
//!
//! # Why the call is sound
//!
//! The callee is reached through a function pointer of a fixed type, not
//! through its own C type. At the machine level, which is all that exists
//! across this opaque address (the compiler cannot see the callee), that
//! call is exactly the call a C caller of the real signature makes:
//!
//! * **RISC-V ilp32**: `fn(u32 × 8) -> u64` or `fn(u32 × 8, u32 × 16) -> u64`.
//!   The first eight `u32` parameters go in a0..a7, every further one in
//!   consecutive 4-byte stack slots from `sp + 0`.
//! * **RISC-V ilp32f**: the same with eight `f32` parameters after the
//!   `u32` ones, `fn(u32 × 8, f32 × 8 [, u32 × 16]) -> u64` (or `-> f32`
//!   for an f32 result). Under ilp32f integer and float parameters take
//!   their register files independently: the `u32`s fill a0..a7, the
//!   (fixed) `f32`s fa0..fa7, and the remaining `u32`s the stack from
//!   `sp + 0`. An f32 result comes back in fa0, hence the `-> f32` variant;
//!   all other results in a0(:a1).
//! * **Xtensa windowed**: `fn(u32 × 6 [, u32 × 16]) -> u64`. The first six
//!   go in the callee's a2..a7 (the caller's a10..a15 for `callx8`), the
//!   rest at `sp + 0`, `sp + 4`, ... of the caller, which is where the
//!   callee's `entry` finds its incoming stack arguments.
//!
//! In each case the lowering ([`Abi::lower`]) computed, per the ABI, which
//! word the real signature expects in each register and stack slot
//! (alignment padding is a word set to 0), so the callee finds each argument
//! where its own type says, and a variadic callee finds them where its
//! `va_arg` reads them (neither ABI has hidden variadic state such as
//! x86-64's `%al`: RISC-V's `va_start` spills a0..a7 next to the incoming
//! stack words, Xtensa's saves a2..a7 and indexes registers and stack with
//! the same word rules; ilp32f passes variadic floats in integer registers,
//! which the lowering does).
//!
//! Further:
//!
//! * Stack words beyond what the callee reads sit in the caller's outgoing
//!   argument area, which the caller reserves and releases (neither ABI has
//!   the callee pop arguments), so extra words cost nothing and unbalance
//!   nothing; a callee may write its own argument slots, which are ours and
//!   discarded. Unused registers (a-registers, fa-registers) are ordinary
//!   argument registers holding 0.
//! * The `u64` result is a0:a1 (RISC-V) or a2:a3 (Xtensa), low word first.
//!   A callee returning i32, f32 (soft float), a pointer or nothing leaves
//!   the high word (and for void both) as garbage in a caller-saved
//!   register; [`result_bits`] drops it. No callee returns in memory: the
//!   signature types are scalars.
//! * Everything else is an ordinary `extern "C"` call emitted by the
//!   compiler: caller-saved registers are treated as clobbered, callee-saved
//!   ones are preserved by the callee, the stack is 16-aligned, and on
//!   Xtensa the register window rotation, spill and `retw` are the same as
//!   for any call8.
//!
//! In Rust's abstract machine, calling a function through a pointer of a
//! different type is undefined behaviour. It is the same device every
//! foreign-function layer without libffi uses: what makes it correct is the
//! ABI argument above, and it requires that the target really uses the ABI
//! [`Abi::NATIVE`] names, which build.rs derives from the target (ilp32d and
//! ilp32e targets get no native calls at all).

use super::abi::{Abi, UNAVAILABLE};
#[cfg(espb_native_call)]
use super::{Lowered, MAX_STACK_WORDS};
use crate::module::{FuncType, ValType};
use crate::vm::Trap;

/// The raw result bits for the interpreter from the 64 bits the fixed call
/// type returned (a0:a1, a2:a3, or fa0's bits zero-extended): one word
/// zero-extended for i32/f32, both for i64/f64, 0 for void (the registers
/// then hold garbage).
pub fn result_bits(ty: &FuncType, raw: u64) -> u64 {
    match ty.result {
        Some(ValType::I32 | ValType::F32) => raw & 0xffff_ffff,
        Some(ValType::I64 | ValType::F64) => raw,
        None => 0,
    }
}

/// Calls the native function at `addr` with the signature `ty` and raw
/// argument bits `args` under [`Abi::NATIVE`]; returns the raw result bits.
/// Traps where no ABI is implemented, for a NULL address and when the
/// arguments do not fit.
///
/// # Safety
///
/// `addr` must be the address of a function whose C signature matches `ty`
/// (the call site's signature), and pointer arguments must be valid for
/// what that function does with them.
pub unsafe fn call(addr: usize, ty: &FuncType, args: &[u64]) -> Result<u64, Trap> {
    let Some(abi) = Abi::NATIVE else {
        return Err(Trap::host(UNAVAILABLE));
    };
    if addr == 0 {
        return Err(Trap::host("native call to a NULL address"));
    }
    let lowered = abi.lower(ty, args)?;
    #[cfg(espb_native_call)]
    {
        // SAFETY: see the module docs; `addr` is a non-null function address
        // of the signature `ty` (caller's contract), `lowered` is `ty`'s
        // lowering under this target's ABI, and a function pointer has the
        // size of usize.
        let raw = unsafe { invoke(addr, &lowered, ty.result) };
        Ok(result_bits(ty, raw))
    }
    #[cfg(not(espb_native_call))]
    {
        let _ = lowered;
        Err(Trap::host(UNAVAILABLE))
    }
}

#[cfg(espb_native_call)]
const _: () = assert!(MAX_STACK_WORDS == 16, "the fixed call types have 16 stack parameters");

/// ilp32: a0..a7, then the stack.
#[cfg(espb_native_abi = "riscv-ilp32")]
unsafe fn invoke(addr: usize, l: &Lowered, _result: Option<ValType>) -> u64 {
    type W = u32;
    type Regs = unsafe extern "C" fn(W, W, W, W, W, W, W, W) -> u64;
    #[rustfmt::skip]
    type WithStack = unsafe extern "C" fn(
        W, W, W, W, W, W, W, W, // a0..a7
        W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, // sp+0 .. sp+60
    ) -> u64;
    let (r, s) = (l.regs, l.stack);
    // SAFETY: caller's contract (see `call` and the module docs).
    unsafe {
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
    }
}

/// ilp32f: a0..a7, fa0..fa7, then the stack; an f32 result in fa0.
#[cfg(espb_native_abi = "riscv-ilp32f")]
unsafe fn invoke(addr: usize, l: &Lowered, result: Option<ValType>) -> u64 {
    type W = u32;
    type F = f32;
    #[rustfmt::skip]
    type Regs<R> = unsafe extern "C" fn(
        W, W, W, W, W, W, W, W, // a0..a7
        F, F, F, F, F, F, F, F, // fa0..fa7
    ) -> R;
    #[rustfmt::skip]
    type WithStack<R> = unsafe extern "C" fn(
        W, W, W, W, W, W, W, W, // a0..a7
        F, F, F, F, F, F, F, F, // fa0..fa7
        W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, // sp+0 .. sp+60
    ) -> R;
    // `from_bits`/`to_bits` keep every bit (NaN payloads included), and
    // moves between float registers and memory do not change them.
    let (r, x, s) = (l.regs, l.fregs.map(f32::from_bits), l.stack);
    // SAFETY: caller's contract (see `call` and the module docs).
    unsafe {
        #[rustfmt::skip]
        macro_rules! go {
            ($ret:ty) => {
                if l.stack_words == 0 {
                    let f = core::mem::transmute::<usize, Regs<$ret>>(addr);
                    f(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7])
                } else {
                    let f = core::mem::transmute::<usize, WithStack<$ret>>(addr);
                    f(
                        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7],
                        x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7],
                        s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7],
                        s[8], s[9], s[10], s[11], s[12], s[13], s[14], s[15],
                    )
                }
            };
        }
        if result == Some(ValType::F32) { u64::from(go!(f32).to_bits()) } else { go!(u64) }
    }
}

/// Xtensa windowed: the callee's a2..a7, then the stack.
#[cfg(espb_native_abi = "xtensa")]
unsafe fn invoke(addr: usize, l: &Lowered, _result: Option<ValType>) -> u64 {
    type W = u32;
    type Regs = unsafe extern "C" fn(W, W, W, W, W, W) -> u64;
    #[rustfmt::skip]
    type WithStack = unsafe extern "C" fn(
        W, W, W, W, W, W, // a2..a7 of the callee
        W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, // sp+0 .. sp+60
    ) -> u64;
    const _: () = assert!(super::xtensa::ARG_REGS == 6);
    let (r, s) = (l.regs, l.stack);
    // SAFETY: caller's contract (see `call` and the module docs).
    unsafe {
        if l.stack_words == 0 {
            let f = core::mem::transmute::<usize, Regs>(addr);
            f(r[0], r[1], r[2], r[3], r[4], r[5])
        } else {
            let f = core::mem::transmute::<usize, WithStack>(addr);
            f(
                r[0], r[1], r[2], r[3], r[4], r[5], s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10],
                s[11], s[12], s[13], s[14], s[15],
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_masked_to_their_type() {
        let mut t = FuncType { params: alloc::vec![], result: Some(ValType::I32), variadic_fixed: None };
        assert_eq!(result_bits(&t, 0xdead_beef_0000_0007), 7);
        t.result = Some(ValType::F32);
        assert_eq!(result_bits(&t, 0xDEAD_BEEF_3FC0_0000), 0x3FC0_0000);
        t.result = Some(ValType::F64);
        assert_eq!(result_bits(&t, 0x4000_0000_0000_0000), 0x4000_0000_0000_0000);
        t.result = None;
        assert_eq!(result_bits(&t, 123), 0);
    }

    #[test]
    fn calls_trap_without_a_native_abi_or_with_a_null_address() {
        let t = FuncType { params: alloc::vec![ValType::I32], result: None, variadic_fixed: None };
        // SAFETY: neither call reaches a native: no ABI here, or address 0.
        let e = unsafe { call(0, &t, &[1]) }.unwrap_err();
        let msg = alloc::format!("{e}");
        if Abi::NATIVE.is_none() {
            assert!(msg.contains("not available on this architecture"), "{msg}");
        } else {
            assert!(msg.contains("NULL"), "{msg}");
        }
    }
}
