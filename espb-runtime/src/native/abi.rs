//! The chips' C calling conventions, and the one this build calls natives
//! with. Which one a target uses is decided by build.rs
//! (`cfg(espb_native_abi)`), from the target's triple: stable rustc hides
//! the RISC-V float features, and the float ABI is a property of the target
//! spec, not of its features.

use super::{LowerError, Lowered, riscv32, xtensa};
use crate::module::FuncType;

/// A C calling convention the runtime can place arguments for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Abi {
    /// RISC-V ilp32, soft float: ESP32-C2, C3, C5, C6, H2.
    RiscvIlp32,
    /// RISC-V ilp32f, single-precision float registers: ESP32-P4.
    RiscvIlp32f,
    /// Xtensa windowed ABI: ESP32, ESP32-S2, ESP32-S3.
    XtensaWindowed,
}

impl Abi {
    pub const ALL: [Abi; 3] = [Abi::RiscvIlp32, Abi::RiscvIlp32f, Abi::XtensaWindowed];

    /// The ABI of the target this crate is compiled for, when native calls
    /// are implemented there (see [`UNAVAILABLE`] otherwise).
    pub const NATIVE: Option<Abi> = if cfg!(espb_native_abi = "riscv-ilp32") {
        Some(Abi::RiscvIlp32)
    } else if cfg!(espb_native_abi = "riscv-ilp32f") {
        Some(Abi::RiscvIlp32f)
    } else if cfg!(espb_native_abi = "xtensa") {
        Some(Abi::XtensaWindowed)
    } else {
        None
    };

    /// clang's (and GCC's) `-mabi` for this ABI; Xtensa has no `-mabi`.
    pub const fn mabi(self) -> Option<&'static str> {
        match self {
            Abi::RiscvIlp32 => Some("ilp32"),
            Abi::RiscvIlp32f => Some("ilp32f"),
            Abi::XtensaWindowed => None,
        }
    }

    pub const fn name(self) -> &'static str {
        match self {
            Abi::RiscvIlp32 => "RISC-V ilp32",
            Abi::RiscvIlp32f => "RISC-V ilp32f",
            Abi::XtensaWindowed => "Xtensa windowed",
        }
    }

    /// Where each argument of a call goes under this ABI: `ty` is the call
    /// site's signature (variadic arguments typed), `args` the raw bits
    /// (i32/f32 in the low 32 bits, i64/f64 in all 64, as
    /// [`crate::Host::call`] receives them).
    pub fn lower(self, ty: &FuncType, args: &[u64]) -> Result<Lowered, LowerError> {
        match self {
            Abi::RiscvIlp32 => riscv32::lower_ilp32(ty, args),
            Abi::RiscvIlp32f => riscv32::lower_ilp32f(ty, args),
            Abi::XtensaWindowed => xtensa::lower(ty, args),
        }
    }
}

// build.rs's `espb_native_call` (what call.rs compiles a call for) and
// `NATIVE` must name the same targets.
const _: () = assert!(cfg!(espb_native_call) == Abi::NATIVE.is_some());

impl core::fmt::Display for Abi {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// Why native calls trap on this target ([`Abi::NATIVE`] is `None`).
pub const UNAVAILABLE: &str = if cfg!(espb_native_abi = "riscv-ilp32d") {
    "native calls are not available on this architecture: the RISC-V ilp32d (double-float) ABI is not implemented \
     (ESP32 chips use ilp32 or ilp32f)"
} else if cfg!(espb_native_abi = "riscv-ilp32e") {
    "native calls are not available on this architecture: the RISC-V ilp32e ABI is not implemented \
     (ESP32 chips use ilp32 or ilp32f)"
} else if cfg!(espb_native_abi = "riscv-unknown") {
    "native calls are not available on this architecture: the RISC-V float ABI of this target is unknown \
     (its name does not start with riscv32<isa>; see espb-runtime/build.rs)"
} else {
    "native calls are not available on this architecture (only on ESP32 chips: RISC-V ilp32/ilp32f, Xtensa)"
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_builds_have_no_native_abi() {
        if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
            assert_eq!(Abi::NATIVE, None);
            assert!(UNAVAILABLE.contains("not available on this architecture"));
        }
    }

    #[test]
    fn every_abi_lowers_a_simple_call_into_its_first_register() {
        let ty = FuncType { params: alloc::vec![crate::module::ValType::I32], result: None, variadic_fixed: None };
        for abi in Abi::ALL {
            assert_eq!(abi.lower(&ty, &[7]).unwrap().regs[0], 7, "{abi}");
        }
    }
}
