//! The build flags of each chip. The chips themselves (names,
//! architecture, memory windows) are espb-runtime's [`Chip`].

pub use espb_runtime::chip::{Arch, Chip, UnknownChip};

/// What building for a chip takes: clang's target flags, and the Rust
/// target and toolchain of an esp-idf-sys firmware.
pub trait ChipFlags {
    fn riscv_march(self) -> Option<&'static str>;
    fn riscv_abi(self) -> Option<&'static str>;
    fn target_flags(self, esp_clang: bool) -> Vec<String>;
    fn rust_target(self) -> &'static str;
    fn rust_toolchain(self) -> &'static str;
}

impl ChipFlags for Chip {
    /// `-march` of a RISC-V chip (what ESP-IDF's GCC uses, with the
    /// `zicsr`/`zifencei` extensions spelled out as clang wants them).
    fn riscv_march(self) -> Option<&'static str> {
        match self {
            Chip::Esp32c2 | Chip::Esp32c3 => Some("rv32imc_zicsr_zifencei"),
            Chip::Esp32c6 | Chip::Esp32h2 => Some("rv32imac_zicsr_zifencei"),
            Chip::Esp32p4 => Some("rv32imafc_zicsr_zifencei"),
            _ => None,
        }
    }

    /// `-mabi` of a RISC-V chip.
    fn riscv_abi(self) -> Option<&'static str> {
        match self {
            Chip::Esp32p4 => Some("ilp32f"),
            c if c.arch() == Arch::RiscV => Some("ilp32"),
            _ => None,
        }
    }

    /// The clang target flags of this chip. `esp_clang` says whether the
    /// clang is Espressif's (which knows `xtensa-esp-elf` and `-mcpu=esp32*`);
    /// upstream clang only accepts `--target=xtensa` without a CPU.
    fn target_flags(self, esp_clang: bool) -> Vec<String> {
        match self.arch() {
            Arch::Xtensa if esp_clang => vec!["--target=xtensa-esp-elf".into(), format!("-mcpu={}", self.name())],
            // Upstream clang's generic Xtensa driver would search the
            // host's /usr/include (glibc) after newlib's headers.
            Arch::Xtensa => vec!["--target=xtensa".into(), "-Xclang".into(), "-nostdsysteminc".into()],
            Arch::RiscV => vec![
                "--target=riscv32-esp-elf".into(),
                format!("-march={}", self.riscv_march().unwrap_or("rv32imc_zicsr_zifencei")),
                format!("-mabi={}", self.riscv_abi().unwrap_or("ilp32")),
            ],
        }
    }

    /// The Rust target of an esp-idf-sys firmware for this chip.
    fn rust_target(self) -> &'static str {
        match self {
            Chip::Esp32 => "xtensa-esp32-espidf",
            Chip::Esp32s2 => "xtensa-esp32s2-espidf",
            Chip::Esp32s3 => "xtensa-esp32s3-espidf",
            Chip::Esp32c2 | Chip::Esp32c3 => "riscv32imc-esp-espidf",
            Chip::Esp32c6 | Chip::Esp32h2 => "riscv32imac-esp-espidf",
            Chip::Esp32p4 => "riscv32imafc-esp-espidf",
        }
    }

    /// The rustup toolchain of an esp-idf-sys firmware (`esp` from espup for
    /// Xtensa, nightly for RISC-V's `build-std`).
    fn rust_toolchain(self) -> &'static str {
        match self.arch() {
            Arch::Xtensa => "esp",
            Arch::RiscV => "nightly",
        }
    }
}

/// The chip a GCC driver name implies, when it names one
/// (`xtensa-esp32s3-elf-gcc`); `riscv32-esp-elf-gcc` names only the
/// architecture, returned as `Err(arch)`.
pub fn from_gcc_name(compiler: &str) -> Option<Result<Chip, Arch>> {
    let base = compiler.rsplit(['/', '\\']).next().unwrap_or(compiler);
    if base.starts_with("riscv32-esp-elf") {
        return Some(Err(Arch::RiscV));
    }
    if base.starts_with("xtensa-esp-elf") {
        return Some(Err(Arch::Xtensa));
    }
    let rest = base.strip_prefix("xtensa-")?;
    let chip = rest.split('-').next()?;
    Some(Chip::from_name(chip).ok_or(Arch::Xtensa))
}

/// serde `deserialize_with` for an optional chip name (`espb.toml`).
pub fn deserialize_opt<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Chip>, D::Error> {
    let s = <Option<String> as serde::Deserialize>::deserialize(d)?;
    s.map(|s| s.parse().map_err(serde::de::Error::custom)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcc_names() {
        assert_eq!(from_gcc_name("/x/bin/xtensa-esp32s3-elf-gcc"), Some(Ok(Chip::Esp32s3)));
        assert_eq!(from_gcc_name("riscv32-esp-elf-gcc"), Some(Err(Arch::RiscV)));
        assert_eq!(from_gcc_name("/usr/bin/cc"), None);
    }

    #[test]
    fn target_flags_table() {
        assert_eq!(
            Chip::Esp32p4.target_flags(false),
            ["--target=riscv32-esp-elf", "-march=rv32imafc_zicsr_zifencei", "-mabi=ilp32f"]
        );
        assert_eq!(Chip::Esp32s3.target_flags(true), ["--target=xtensa-esp-elf", "-mcpu=esp32s3"]);
        assert_eq!(Chip::Esp32.target_flags(false), ["--target=xtensa", "-Xclang", "-nostdsysteminc"]);
    }
}
