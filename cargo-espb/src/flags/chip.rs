//! The build flags of each chip, read from espb-runtime's chip table
//! ([`espb_runtime::chip::TABLE`]: names, architecture, ABI, clang and Rust
//! targets, memory windows). No chip fact is spelled here.

pub use espb_runtime::chip::{Arch, Chip, ChipSpec, UnknownChip};

/// The chip a build assumes when nothing names one (a single-file build
/// without `--chip`, a project without `chip` or firmware, `cargo espb new`).
pub const DEFAULT_CHIP: Chip = Chip::Esp32c3;

/// clap's parser of a `--chip` value: `--help` and a wrong value list the
/// chip table's names.
pub fn chip_value_parser() -> impl clap::builder::TypedValueParser<Value = Chip> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Chip::ALL.iter().map(|c| c.name())).try_map(|s| s.parse::<Chip>())
}

/// The oldest clang major version cargo-espb accepts bitcode from.
pub const OLDEST_CLANG_MAJOR: u32 = 15;

/// Rewrites `-march=` flags for a clang of major version `major`: before
/// LLVM 17, `-march` knows no `zicsr`/`zifencei` extension names (its `i`
/// implies them), so they are dropped; the bitcode the translator sees is
/// the same either way.
pub fn spell_for_clang(flags: Vec<String>, major: u32) -> Vec<String> {
    if major >= 17 {
        return flags;
    }
    let respell = |f: String| match f.strip_prefix("-march=") {
        Some(m) => {
            let kept: Vec<&str> = m.split('_').filter(|e| !matches!(*e, "zicsr" | "zifencei")).collect();
            format!("-march={}", kept.join("_"))
        }
        None => f,
    };
    flags.into_iter().map(respell).collect()
}

/// What building for a chip takes: clang's target flags, and the Rust
/// target and toolchain of an esp-idf-sys firmware.
pub trait ChipFlags {
    fn riscv_march(self) -> Option<&'static str>;
    fn riscv_abi(self) -> Option<&'static str>;
    fn target_flags(self, esp_clang: bool) -> Vec<String>;
    fn portable_target_flags(self) -> Vec<String>;
    fn rust_target(self) -> &'static str;
    fn rust_toolchain(self) -> &'static str;
}

impl ChipFlags for Chip {
    /// `-march` of a RISC-V chip.
    fn riscv_march(self) -> Option<&'static str> {
        self.spec().clang.march
    }

    /// `-mabi` of a RISC-V chip.
    fn riscv_abi(self) -> Option<&'static str> {
        self.spec().abi.mabi()
    }

    /// The clang target flags of this chip. `esp_clang` says whether the
    /// clang is Espressif's (which knows `xtensa-esp-elf` and `-mcpu=esp32*`);
    /// upstream clang only accepts `--target=xtensa` without a CPU.
    fn target_flags(self, esp_clang: bool) -> Vec<String> {
        let clang = &self.spec().clang;
        let triple = if esp_clang { clang.triple } else { clang.upstream_triple };
        let mut flags = vec![format!("--target={triple}")];
        flags.extend(self.riscv_march().map(|m| format!("-march={m}")));
        flags.extend(self.riscv_abi().map(|m| format!("-mabi={m}")));
        if esp_clang {
            flags.extend(clang.mcpu.map(|m| format!("-mcpu={m}")));
        } else if triple != clang.triple {
            // Upstream clang's generic driver (bare `xtensa`) would search
            // the host's /usr/include (glibc) after newlib's headers.
            flags.extend(["-Xclang".into(), "-nostdsysteminc".into()]);
        }
        flags
    }

    /// The target flags every clang cargo-espb accepts (LLVM 15 and newer)
    /// understands: those of a clang that is not Espressif's, in
    /// [`spell_for_clang`]'s oldest spelling. For single-file builds, which
    /// do not know their clang's version.
    fn portable_target_flags(self) -> Vec<String> {
        spell_for_clang(self.target_flags(false), OLDEST_CLANG_MAJOR)
    }

    /// The Rust target of an esp-idf-sys firmware for this chip.
    fn rust_target(self) -> &'static str {
        self.spec().rust.espidf
    }

    /// The rustup toolchain of an esp-idf-sys firmware (`esp` from espup for
    /// Xtensa, nightly for RISC-V's `build-std`).
    fn rust_toolchain(self) -> &'static str {
        self.spec().rust.espidf_toolchain()
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

    /// What single-file builds passed before the chip table, and clang-15 accepts.
    #[test]
    fn portable_target_flags_drop_the_extension_names() {
        assert_eq!(DEFAULT_CHIP.portable_target_flags(), ["--target=riscv32-esp-elf", "-march=rv32imc", "-mabi=ilp32"]);
        assert_eq!(
            Chip::Esp32p4.portable_target_flags(),
            ["--target=riscv32-esp-elf", "-march=rv32imafc", "-mabi=ilp32f"]
        );
        assert_eq!(Chip::Esp32s3.portable_target_flags(), Chip::Esp32s3.target_flags(false));
    }

    #[test]
    fn march_spelling_follows_the_clang_version() {
        let flags = || vec!["-march=rv32imc_zicsr_zifencei".to_string(), "-O2".to_string()];
        assert_eq!(spell_for_clang(flags(), 15), ["-march=rv32imc", "-O2"]);
        assert_eq!(spell_for_clang(flags(), 16), ["-march=rv32imc", "-O2"]);
        assert_eq!(spell_for_clang(flags(), 17), flags());
        assert_eq!(spell_for_clang(flags(), 22), flags());
    }

    /// docs/flags.md's per-chip rows say what the table gives.
    #[test]
    fn docs_list_the_tables_flags() {
        let doc = include_str!("../../../docs/flags.md");
        for chip in Chip::ALL {
            let row = doc
                .lines()
                .find(|l| l.split('|').nth(1).is_some_and(|c| c.split(',').any(|n| n.trim() == chip.name())))
                .unwrap_or_else(|| panic!("docs/flags.md has no row for {chip}"));
            let esp = chip.target_flags(true).join(" ").replace(chip.name(), "<chip>");
            assert!(row.contains(&format!("`{esp}`")), "{chip}: `{esp}` not in {row}");
            let upstream = format!("--target={}", chip.spec().clang.upstream_triple);
            assert!(row.contains(&format!("`{upstream}")), "{chip}: `{upstream}` not in {row}");
        }
    }
}
