//! The chips of the line and the clang target flags of each.

use std::fmt;
use std::str::FromStr;

/// An ESP32 chip (`CONFIG_IDF_TARGET`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Chip {
    Esp32,
    Esp32s2,
    Esp32s3,
    Esp32c2,
    Esp32c3,
    Esp32c6,
    Esp32h2,
    Esp32p4,
}

/// The processor architecture of a chip.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    Xtensa,
    RiscV,
}

impl Chip {
    pub const ALL: [Chip; 8] = [
        Chip::Esp32,
        Chip::Esp32s2,
        Chip::Esp32s3,
        Chip::Esp32c2,
        Chip::Esp32c3,
        Chip::Esp32c6,
        Chip::Esp32h2,
        Chip::Esp32p4,
    ];

    /// The ESP-IDF target name (`esp32c3`).
    pub fn name(self) -> &'static str {
        match self {
            Chip::Esp32 => "esp32",
            Chip::Esp32s2 => "esp32s2",
            Chip::Esp32s3 => "esp32s3",
            Chip::Esp32c2 => "esp32c2",
            Chip::Esp32c3 => "esp32c3",
            Chip::Esp32c6 => "esp32c6",
            Chip::Esp32h2 => "esp32h2",
            Chip::Esp32p4 => "esp32p4",
        }
    }

    /// Every chip name, comma-separated (for error messages).
    pub fn names() -> String {
        Chip::ALL.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
    }

    pub fn arch(self) -> Arch {
        match self {
            Chip::Esp32 | Chip::Esp32s2 | Chip::Esp32s3 => Arch::Xtensa,
            _ => Arch::RiscV,
        }
    }

    /// `-march` of a RISC-V chip (what ESP-IDF's GCC uses, with the
    /// `zicsr`/`zifencei` extensions spelled out as clang wants them).
    pub fn riscv_march(self) -> Option<&'static str> {
        match self {
            Chip::Esp32c2 | Chip::Esp32c3 => Some("rv32imc_zicsr_zifencei"),
            Chip::Esp32c6 | Chip::Esp32h2 => Some("rv32imac_zicsr_zifencei"),
            Chip::Esp32p4 => Some("rv32imafc_zicsr_zifencei"),
            _ => None,
        }
    }

    /// `-mabi` of a RISC-V chip.
    pub fn riscv_abi(self) -> Option<&'static str> {
        match self {
            Chip::Esp32p4 => Some("ilp32f"),
            c if c.arch() == Arch::RiscV => Some("ilp32"),
            _ => None,
        }
    }

    /// The clang target flags of this chip. `esp_clang` says whether the
    /// clang is Espressif's (which knows `xtensa-esp-elf` and `-mcpu=esp32*`);
    /// upstream clang only accepts `--target=xtensa` without a CPU.
    pub fn target_flags(self, esp_clang: bool) -> Vec<String> {
        match self.arch() {
            Arch::Xtensa if esp_clang => vec!["--target=xtensa-esp-elf".into(), format!("-mcpu={}", self.name())],
            Arch::Xtensa => vec!["--target=xtensa".into()],
            Arch::RiscV => vec![
                "--target=riscv32-esp-elf".into(),
                format!("-march={}", self.riscv_march().unwrap_or("rv32imc_zicsr_zifencei")),
                format!("-mabi={}", self.riscv_abi().unwrap_or("ilp32")),
            ],
        }
    }

    /// The Rust target of an esp-idf-sys firmware for this chip.
    pub fn rust_target(self) -> &'static str {
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
    pub fn rust_toolchain(self) -> &'static str {
        match self.arch() {
            Arch::Xtensa => "esp",
            Arch::RiscV => "nightly",
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
        Some(chip.parse::<Chip>().map_err(|_| Arch::Xtensa))
    }
}

impl fmt::Display for Chip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown chip name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown chip `{0}`: expected one of {names}", names = Chip::names())]
pub struct UnknownChip(pub String);

impl FromStr for Chip {
    type Err = UnknownChip;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let l = s.trim().to_ascii_lowercase().replace(['-', '_'], "");
        Chip::ALL.into_iter().find(|c| c.name() == l).ok_or_else(|| UnknownChip(s.to_string()))
    }
}

impl<'de> serde::Deserialize<'de> for Chip {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Chip::ALL {
            assert_eq!(c.name().parse::<Chip>(), Ok(c));
        }
        assert_eq!("ESP32-C3".parse::<Chip>(), Ok(Chip::Esp32c3));
        assert!("esp8266".parse::<Chip>().is_err());
    }

    #[test]
    fn gcc_names() {
        assert_eq!(Chip::from_gcc_name("/x/bin/xtensa-esp32s3-elf-gcc"), Some(Ok(Chip::Esp32s3)));
        assert_eq!(Chip::from_gcc_name("riscv32-esp-elf-gcc"), Some(Err(Arch::RiscV)));
        assert_eq!(Chip::from_gcc_name("/usr/bin/cc"), None);
    }

    #[test]
    fn target_flags_table() {
        assert_eq!(
            Chip::Esp32p4.target_flags(false),
            ["--target=riscv32-esp-elf", "-march=rv32imafc_zicsr_zifencei", "-mabi=ilp32f"]
        );
        assert_eq!(Chip::Esp32s3.target_flags(true), ["--target=xtensa-esp-elf", "-mcpu=esp32s3"]);
        assert_eq!(Chip::Esp32.target_flags(false), ["--target=xtensa"]);
    }
}
