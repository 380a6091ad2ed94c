//! Where a callback finds its arguments: the native words a thunk received
//! (argument registers, float registers, stack words: [`Lowered`]) placed
//! back into one raw value per module parameter. The exact inverse of
//! [`Abi::lower`] for every ABI (tested as a round trip), so the rules are
//! the ones [`crate::native::riscv32`] and [`crate::native::xtensa`]
//! document. Plain Rust, built and tested on every host.

use crate::module::{FuncType, ValType};
use crate::native::{Abi, FLOAT_REGS, INT_REGS, Lowered, MAX_STACK_WORDS, riscv32, xtensa};

/// Most parameters a callback may have.
pub const MAX_CALLBACK_PARAMS: usize = 24;

/// A callback's arguments as the interpreter takes them (i32/f32 in the low
/// 32 bits, i64/f64 in all 64).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    vals: [u64; MAX_CALLBACK_PARAMS],
    len: usize,
}

impl Placed {
    pub fn as_slice(&self) -> &[u64] {
        &self.vals[..self.len]
    }
}

/// Why a function cannot be a callback under an ABI.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlaceError {
    #[error("it has {0} parameters; a callback may have at most {MAX_CALLBACK_PARAMS}")]
    TooManyParams(usize),
    /// A thunk reads a fixed number of the caller's stack words: each one
    /// more costs code in every thunk of the pool, and no ESP-IDF callback
    /// comes close (the widest, an esp_event handler, takes 4 words).
    #[error(
        "its arguments take {0} stack words; a callback thunk forwards at most {max} (beyond the argument \
         registers): pass a pointer to a struct instead",
        max = super::THUNK_STACK_WORDS
    )]
    TooManyStackWords(usize),
}

/// Whether a callback of type `ty` must return through a float register
/// under `abi`: an ilp32f `float` result goes in fa0, so such a function
/// needs one of the pool's float-returning thunks (`ESPB_FLOAT_THUNKS`).
pub fn returns_in_float_register(abi: Abi, ty: &FuncType) -> bool {
    abi == Abi::RiscvIlp32f && ty.result == Some(ValType::F32)
}

/// Whether a module function of type `ty` can be called through a thunk
/// under `abi` (checked at load, naming the function on failure).
pub fn check(abi: Abi, ty: &FuncType) -> Result<(), PlaceError> {
    if ty.params.len() > MAX_CALLBACK_PARAMS {
        return Err(PlaceError::TooManyParams(ty.params.len()));
    }
    let zeros = [0u64; MAX_CALLBACK_PARAMS];
    let words = abi.lower(ty, &zeros[..ty.params.len()]).map_or(MAX_STACK_WORDS + 1, |l| l.stack_words);
    if words > super::THUNK_STACK_WORDS {
        return Err(PlaceError::TooManyStackWords(words));
    }
    Ok(())
}

/// The module arguments of a call of type `ty` whose native words are
/// `words` under `abi`. Words past what the caller passed are whatever the
/// thunk read (registers and stack are always readable); only `ty` decides
/// which are used.
pub fn place(abi: Abi, ty: &FuncType, words: &Lowered) -> Result<Placed, PlaceError> {
    if ty.params.len() > MAX_CALLBACK_PARAMS {
        return Err(PlaceError::TooManyParams(ty.params.len()));
    }
    let mut out = Placed { vals: [0; MAX_CALLBACK_PARAMS], len: ty.params.len() };
    match abi {
        Abi::RiscvIlp32 | Abi::RiscvIlp32f => riscv(abi == Abi::RiscvIlp32f, ty, words, &mut out)?,
        Abi::XtensaWindowed => xtensa_place(ty, words, &mut out)?,
    }
    Ok(out)
}

/// Reads words in the order the RISC-V placer wrote them.
struct Reader<'a> {
    w: &'a Lowered,
    next_reg: usize,
    next_freg: usize,
    next_stack: usize,
}

impl Reader<'_> {
    fn stack(&mut self) -> Result<u32, PlaceError> {
        let i = self.next_stack;
        self.next_stack += 1;
        self.w.stack.get(i).copied().ok_or(PlaceError::TooManyStackWords(i + 1))
    }

    fn word(&mut self) -> Result<u32, PlaceError> {
        if self.next_reg < riscv32::ARG_REGS {
            self.next_reg += 1;
            Ok(self.w.regs[self.next_reg - 1])
        } else {
            self.stack()
        }
    }

    fn float(&mut self) -> Result<u32, PlaceError> {
        if self.next_freg < FLOAT_REGS {
            self.next_freg += 1;
            Ok(self.w.fregs[self.next_freg - 1])
        } else {
            self.word()
        }
    }

    fn pair(&mut self, variadic: bool) -> Result<u64, PlaceError> {
        let join = |lo: u32, hi: u32| u64::from(lo) | (u64::from(hi) << 32);
        if variadic && self.next_reg % 2 == 1 {
            self.next_reg += 1;
        }
        if self.next_reg + 2 <= riscv32::ARG_REGS {
            let v = join(self.w.regs[self.next_reg], self.w.regs[self.next_reg + 1]);
            self.next_reg += 2;
            return Ok(v);
        }
        if self.next_reg == riscv32::ARG_REGS - 1 {
            let lo = self.w.regs[riscv32::ARG_REGS - 1];
            self.next_reg = riscv32::ARG_REGS;
            return Ok(join(lo, self.stack()?));
        }
        self.next_reg = riscv32::ARG_REGS;
        if self.next_stack % 2 == 1 {
            self.next_stack += 1;
        }
        let lo = self.stack()?;
        Ok(join(lo, self.stack()?))
    }
}

fn riscv(hard_f32: bool, ty: &FuncType, words: &Lowered, out: &mut Placed) -> Result<(), PlaceError> {
    const _: () = assert!(riscv32::ARG_REGS <= INT_REGS);
    let fixed = ty.variadic_fixed.map_or(usize::MAX, usize::from);
    let mut r = Reader { w: words, next_reg: 0, next_freg: 0, next_stack: 0 };
    for (i, (t, v)) in ty.params.iter().zip(out.vals.iter_mut()).enumerate() {
        let variadic = i >= fixed;
        *v = match t {
            ValType::F32 if hard_f32 && !variadic => u64::from(r.float()?),
            ValType::I32 | ValType::F32 => u64::from(r.word()?),
            ValType::I64 | ValType::F64 => r.pair(variadic)?,
        };
    }
    Ok(())
}

fn xtensa_place(ty: &FuncType, words: &Lowered, out: &mut Placed) -> Result<(), PlaceError> {
    let read = |w: usize| -> Result<u32, PlaceError> {
        if w < xtensa::ARG_REGS {
            Ok(words.regs[w])
        } else {
            words.stack.get(w - xtensa::ARG_REGS).copied().ok_or(PlaceError::TooManyStackWords(w - xtensa::ARG_REGS))
        }
    };
    let mut word = 0usize;
    for (t, v) in ty.params.iter().zip(out.vals.iter_mut()) {
        let size = match t {
            ValType::I32 | ValType::F32 => 1,
            ValType::I64 | ValType::F64 => 2,
        };
        word = xtensa::arg_word(word, size, size == 2);
        *v = if size == 1 {
            u64::from(read(word)?)
        } else {
            u64::from(read(word)?) | (u64::from(read(word + 1)?) << 32)
        };
        word += size;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ValType::*;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    fn ty(params: &[ValType], variadic_fixed: Option<u8>) -> FuncType {
        FuncType { params: params.to_vec(), result: None, variadic_fixed }
    }

    /// Raw bits as the interpreter holds them: 32-bit types zero-extended.
    fn masked(t: ValType, v: u64) -> u64 {
        match t {
            I32 | F32 => v & 0xffff_ffff,
            I64 | F64 => v,
        }
    }

    fn val_type() -> impl Strategy<Value = ValType> {
        prop_oneof![Just(I32), Just(I64), Just(F32), Just(F64)]
    }

    proptest! {
        /// Lowering a call and placing its words back gives the arguments
        /// again, for every ABI, fixed and variadic signatures alike.
        #[test]
        fn placing_inverts_lowering(
            params in proptest::collection::vec((val_type(), any::<u64>()), 0..16),
            fixed in proptest::option::of(0u8..8),
        ) {
            let types: Vec<ValType> = params.iter().map(|p| p.0).collect();
            let args: Vec<u64> = params.iter().map(|&(t, v)| masked(t, v)).collect();
            let fixed = fixed.filter(|&f| usize::from(f) <= types.len());
            let t = ty(&types, fixed);
            for abi in Abi::ALL {
                let Ok(lowered) = abi.lower(&t, &args) else { continue };
                let placed = place(abi, &t, &lowered).unwrap();
                prop_assert_eq!(placed.as_slice(), &args[..], "{}", abi);
            }
        }
    }

    #[test]
    fn ilp32f_floats_come_from_float_registers_and_overflow_into_integer_ones() {
        // cb(float, int, float) under ilp32f: fa0, a0, fa1.
        let t = ty(&[F32, I32, F32], None);
        let mut w =
            Lowered { regs: [0; INT_REGS], fregs: [0; FLOAT_REGS], stack: [0; MAX_STACK_WORDS], stack_words: 0 };
        w.fregs[0] = 1.5f32.to_bits();
        w.fregs[1] = 2.5f32.to_bits();
        w.regs[0] = 7;
        let p = place(Abi::RiscvIlp32f, &t, &w).unwrap();
        assert_eq!(p.as_slice(), [u64::from(1.5f32.to_bits()), 7, u64::from(2.5f32.to_bits())]);
        // The same words under ilp32 read a0, a1, a2.
        let p = place(Abi::RiscvIlp32, &t, &w).unwrap();
        assert_eq!(p.as_slice(), [7, 0, 0]);
    }

    #[test]
    fn xtensa_pairs_skip_to_an_even_word() {
        // cb(int, long long): a2, then a4:a5 (a3 unused).
        let t = ty(&[I32, I64], None);
        let mut w =
            Lowered { regs: [0; INT_REGS], fregs: [0; FLOAT_REGS], stack: [0; MAX_STACK_WORDS], stack_words: 0 };
        w.regs[..4].copy_from_slice(&[1, 99, 3, 2]);
        assert_eq!(place(Abi::XtensaWindowed, &t, &w).unwrap().as_slice(), [1, 0x2_0000_0003]);
    }

    #[test]
    fn refused_callbacks_say_why() {
        let mut t = ty(&[I32], None);
        t.result = Some(F32);
        // A float result is fine: ilp32f gives it a float-returning thunk.
        assert_eq!(check(Abi::RiscvIlp32f, &t), Ok(()));
        assert!(returns_in_float_register(Abi::RiscvIlp32f, &t));
        assert!(!returns_in_float_register(Abi::RiscvIlp32, &t));
        assert!(!returns_in_float_register(Abi::XtensaWindowed, &t));
        t.result = Some(F64);
        assert!(!returns_in_float_register(Abi::RiscvIlp32f, &t), "FLEN 32: a double goes in a0:a1");
        assert_eq!(check(Abi::RiscvIlp32, &t), Ok(()));
        // 8 register words + 10 stack words under ilp32.
        let t = ty(&[I64; 9], None);
        assert_eq!(check(Abi::RiscvIlp32, &t), Err(PlaceError::TooManyStackWords(10)));
        assert!(PlaceError::TooManyStackWords(10).to_string().contains("at most 8"));
        let t = ty(&[I32; 25], None);
        assert_eq!(check(Abi::XtensaWindowed, &t), Err(PlaceError::TooManyParams(25)));
    }
}
