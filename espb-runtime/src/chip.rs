//! The chip table: everything the tools and the runtime know about each chip
//! of the line, in one place ([`TABLE`], one [`ChipSpec`] per [`Chip`]).
//!
//! Every consumer reads it instead of spelling chip facts itself:
//!
//! * the runtime: [`Chip::windows`] / [`Chip::firmware_windows`] (below);
//! * cargo-espb's clang target flags (`flags/chip.rs`: `--target`, `-march`,
//!   `-mabi`, `-mcpu`), its default chip and the values `cargo espb new`
//!   writes into the templates (Rust target and toolchain, `MCU`,
//!   `CONFIG_IDF_TARGET`);
//! * the ESP-IDF component's CMake: `espb-sys` generates
//!   `component/espb_runtime/chips.cmake` (IDF_TARGET -> Rust target,
//!   toolchain, build-std) from this table, and a test fails when the
//!   committed file is stale;
//! * the QEMU test firmware's build.rs (`-march`/`-mabi` of its C objects).
//!
//! The memory windows are ESP-IDF v5.5's memory map,
//! `components/soc/<chip>/include/soc/soc.h` (tag `v5.5`), the same macros
//! the C firmware template passes to `espb_run_with`:
//!
//! * internal data RAM, `SOC_DRAM_LOW..SOC_DRAM_HIGH` (stacks, heap, `.data`/`.bss`);
//! * flash-mapped read-only data, `SOC_DROM_LOW..SOC_DROM_HIGH` (`.rodata`:
//!   string literals natives return, `__espb_cfg_*` values);
//! * RTC memory where the chip has it: `SOC_RTC_DRAM_LOW..SOC_RTC_DRAM_HIGH`
//!   (RTC fast memory on Xtensa, the LP/RTC slow memory on RISC-V) and, when it
//!   is a different range, `SOC_RTC_DATA_LOW..SOC_RTC_DATA_HIGH` (RTC slow
//!   memory, where `RTC_DATA_ATTR` variables live on ESP32/S2/S3).
//!
//! Each window says what the memory allows ([`Access`]): DROM is read-only
//! (a store through it would fault the CPU), DRAM and RTC memory can be
//! written. What a firmware *grants* is another matter: the templates grant
//! no region (a module reaches its data imports and what natives return, as
//! far as the symbol tables size them); [`Chip::firmware_windows`] is the
//! opt-in that lets it also read every window, read-only, never write
//! firmware memory (its own code and the runtime's state live in DRAM). A window is an address range, not a promise that every address in
//! it is backed: flash pages the MMU does not map fault when read.

use crate::native::Abi;
use crate::vm::{Access, FirmwareWindows, Window};
use alloc::string::String;
use alloc::vec::Vec;

/// An ESP32 chip, by its ESP-IDF target name. Its facts are [`Chip::spec`].
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Arch {
    Xtensa,
    RiscV,
}

/// A name that is no chip of the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown chip `{0}`: expected one of {names}", names = Chip::names())]
pub struct UnknownChip(pub String);

/// One row of the chip table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChipSpec {
    pub chip: Chip,
    /// ESP-IDF's target name: `IDF_TARGET`, `CONFIG_IDF_TARGET`, esp-idf-sys's `MCU`.
    pub name: &'static str,
    pub arch: Arch,
    /// The C calling convention of the chip's firmware (native calls; clang's `-mabi`).
    pub abi: Abi,
    pub clang: ClangTarget,
    pub rust: RustTarget,
    /// The firmware regions (start, end) a native-memory module may be
    /// granted: DRAM, DROM, then RTC memory where the chip has it (see the
    /// module doc for the soc.h macros).
    pub windows: &'static [Window],
}

/// How clang compiles C for the chip (`-mabi` follows [`ChipSpec::abi`]:
/// [`Abi::mabi`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClangTarget {
    /// `--target` with Espressif's esp-clang.
    pub triple: &'static str,
    /// `--target` with any other clang: upstream clang has no
    /// `xtensa-esp-elf`, only the generic `xtensa`.
    pub upstream_triple: &'static str,
    /// `-march` (RISC-V): what ESP-IDF's GCC uses, with the `zicsr`/`zifencei`
    /// extensions spelled out as clang wants them.
    pub march: Option<&'static str>,
    /// `-mcpu`, passed only to esp-clang (upstream clang's driver rejects
    /// `-mcpu=esp32*`).
    pub mcpu: Option<&'static str>,
}

/// The Rust targets of the chip's firmware.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RustTarget {
    /// The `no_std` target espb-runtime / espb-capi are built for in C
    /// firmware (the ESP-IDF component).
    pub bare_metal: &'static str,
    /// esp-idf-sys's `std` target (Rust firmware, `cargo espb new --firmware rust`).
    pub espidf: &'static str,
    /// Both targets exist only in Espressif's Rust toolchain (`espup
    /// install`, toolchain [`RustTarget::ESP_TOOLCHAIN`]), which has no
    /// prebuilt `core`/`alloc` for them: bare-metal builds need `-Zbuild-std`.
    /// Otherwise rustup's targets: the bare-metal one prebuilt (any
    /// toolchain), the esp-idf one tier 3 (nightly's `build-std`).
    pub esp_toolchain: bool,
}

impl RustTarget {
    /// The rustup toolchain `espup install` creates.
    pub const ESP_TOOLCHAIN: &'static str = "esp";

    /// The toolchain of an esp-idf-sys firmware (`rust-toolchain.toml`).
    pub const fn espidf_toolchain(&self) -> &'static str {
        if self.esp_toolchain { Self::ESP_TOOLCHAIN } else { "nightly" }
    }

    /// The toolchain a bare-metal build must use; `None`: cargo's default.
    pub const fn bare_metal_toolchain(&self) -> Option<&'static str> {
        if self.esp_toolchain { Some(Self::ESP_TOOLCHAIN) } else { None }
    }
}

const XTENSA_CLANG: ClangTarget =
    ClangTarget { triple: "xtensa-esp-elf", upstream_triple: "xtensa", march: None, mcpu: None };

const fn riscv_clang(march: &'static str) -> ClangTarget {
    ClangTarget { triple: "riscv32-esp-elf", upstream_triple: "riscv32-esp-elf", march: Some(march), mcpu: None }
}

const fn xtensa(chip: Chip, name: &'static str, rust: RustTarget, windows: &'static [Window]) -> ChipSpec {
    let clang = ClangTarget { mcpu: Some(name), ..XTENSA_CLANG };
    ChipSpec { chip, name, arch: Arch::Xtensa, abi: Abi::XtensaWindowed, clang, rust, windows }
}

const fn riscv(
    chip: Chip,
    name: &'static str,
    abi: Abi,
    march: &'static str,
    rust: RustTarget,
    windows: &'static [Window],
) -> ChipSpec {
    ChipSpec { chip, name, arch: Arch::RiscV, abi, clang: riscv_clang(march), rust, windows }
}

const fn esp_rust(bare_metal: &'static str, espidf: &'static str) -> RustTarget {
    RustTarget { bare_metal, espidf, esp_toolchain: true }
}

const fn rustup(bare_metal: &'static str, espidf: &'static str) -> RustTarget {
    RustTarget { bare_metal, espidf, esp_toolchain: false }
}

/// The chip table, in [`Chip`]'s order (checked at compile time).
pub const TABLE: [ChipSpec; 8] = [
    xtensa(Chip::Esp32, "esp32", esp_rust("xtensa-esp32-none-elf", "xtensa-esp32-espidf"), ESP32),
    xtensa(Chip::Esp32s2, "esp32s2", esp_rust("xtensa-esp32s2-none-elf", "xtensa-esp32s2-espidf"), ESP32S2),
    xtensa(Chip::Esp32s3, "esp32s3", esp_rust("xtensa-esp32s3-none-elf", "xtensa-esp32s3-espidf"), ESP32S3),
    riscv(
        Chip::Esp32c2,
        "esp32c2",
        Abi::RiscvIlp32,
        "rv32imc_zicsr_zifencei",
        rustup("riscv32imc-unknown-none-elf", "riscv32imc-esp-espidf"),
        ESP32C2,
    ),
    riscv(
        Chip::Esp32c3,
        "esp32c3",
        Abi::RiscvIlp32,
        "rv32imc_zicsr_zifencei",
        rustup("riscv32imc-unknown-none-elf", "riscv32imc-esp-espidf"),
        ESP32C3,
    ),
    riscv(
        Chip::Esp32c6,
        "esp32c6",
        Abi::RiscvIlp32,
        "rv32imac_zicsr_zifencei",
        rustup("riscv32imac-unknown-none-elf", "riscv32imac-esp-espidf"),
        ESP32C6,
    ),
    riscv(
        Chip::Esp32h2,
        "esp32h2",
        Abi::RiscvIlp32,
        "rv32imac_zicsr_zifencei",
        rustup("riscv32imac-unknown-none-elf", "riscv32imac-esp-espidf"),
        ESP32H2,
    ),
    riscv(
        Chip::Esp32p4,
        "esp32p4",
        Abi::RiscvIlp32f,
        "rv32imafc_zicsr_zifencei",
        rustup("riscv32imafc-unknown-none-elf", "riscv32imafc-esp-espidf"),
        ESP32P4,
    ),
];

// `Chip::spec` indexes the table by discriminant.
const _: () = {
    let mut i = 0;
    while i < TABLE.len() {
        assert!(TABLE[i].chip as usize == i, "TABLE is not in Chip's order");
        i += 1;
    }
};

// Each region, from soc.h of ESP-IDF v5.5 (see the module doc), with what the
// memory allows. Order: DRAM, DROM, then RTC memory.
const fn rw(start: u32, end: u32) -> Window {
    Window::read_write(start, end)
}
const fn ro(start: u32, end: u32) -> Window {
    Window::read(start, end)
}

/// ESP32: SOC_DRAM 0x3FFAE000..0x40000000, SOC_DROM 0x3F400000..0x3F800000,
/// SOC_RTC_DRAM 0x3FF80000..0x3FF82000, SOC_RTC_DATA 0x50000000..0x50002000.
const ESP32: &[Window] = &[
    rw(0x3FFA_E000, 0x4000_0000),
    ro(0x3F40_0000, 0x3F80_0000),
    rw(0x3FF8_0000, 0x3FF8_2000),
    rw(0x5000_0000, 0x5000_2000),
];
/// ESP32-S2: SOC_DRAM 0x3FFB0000..0x40000000, SOC_DROM 0x3F000000..0x3FF80000,
/// SOC_RTC_DRAM 0x3ff9e000..0x3ffa0000, SOC_RTC_DATA 0x50000000..0x50002000.
const ESP32S2: &[Window] = &[
    rw(0x3FFB_0000, 0x4000_0000),
    ro(0x3F00_0000, 0x3FF8_0000),
    rw(0x3FF9_E000, 0x3FFA_0000),
    rw(0x5000_0000, 0x5000_2000),
];
/// ESP32-S3: SOC_DRAM 0x3FC88000..0x3FD00000, SOC_DROM 0x3C000000..0x3E000000,
/// SOC_RTC_DRAM 0x600FE000..0x60100000, SOC_RTC_DATA 0x50000000..0x50002000.
const ESP32S3: &[Window] = &[
    rw(0x3FC8_8000, 0x3FD0_0000),
    ro(0x3C00_0000, 0x3E00_0000),
    rw(0x600F_E000, 0x6010_0000),
    rw(0x5000_0000, 0x5000_2000),
];
/// ESP32-C2: SOC_DRAM 0x3FCA0000..0x3FCE0000, SOC_DROM 0x3C000000..0x3C400000;
/// no RTC memory (soc.h defines no SOC_RTC_DRAM).
const ESP32C2: &[Window] = &[rw(0x3FCA_0000, 0x3FCE_0000), ro(0x3C00_0000, 0x3C40_0000)];
/// ESP32-C3: SOC_DRAM 0x3FC80000..0x3FCE0000, SOC_DROM 0x3C000000..0x3C800000,
/// SOC_RTC_DRAM = SOC_RTC_DATA 0x50000000..0x50002000 (RTC slow memory only).
const ESP32C3: &[Window] = &[rw(0x3FC8_0000, 0x3FCE_0000), ro(0x3C00_0000, 0x3C80_0000), rw(0x5000_0000, 0x5000_2000)];
/// ESP32-C6: SOC_DRAM 0x40800000..0x40880000; SOC_DROM = SOC_IROM, 0x42000000 +
/// (SOC_MMU_PAGE_SIZE << 8) = 0x43000000 with the default 64 KB MMU pages
/// (CONFIG_MMU_PAGE_SIZE; 2 MB/1 MB flash use 32/16 KB pages and map less);
/// SOC_RTC_DRAM = SOC_RTC_DATA 0x50000000..0x50004000 (LP memory).
const ESP32C6: &[Window] = &[rw(0x4080_0000, 0x4088_0000), ro(0x4200_0000, 0x4300_0000), rw(0x5000_0000, 0x5000_4000)];
/// ESP32-H2: SOC_DRAM 0x40800000..0x40850000; SOC_DROM as ESP32-C6;
/// SOC_RTC_DRAM = SOC_RTC_DATA 0x50000000..0x50001000 (LP memory).
const ESP32H2: &[Window] = &[rw(0x4080_0000, 0x4085_0000), ro(0x4200_0000, 0x4300_0000), rw(0x5000_0000, 0x5000_1000)];
/// ESP32-P4: SOC_DRAM 0x4FF00000..0x4FFC0000, SOC_DROM 0x40000000..0x44000000,
/// SOC_RTC_DRAM = SOC_RTC_DATA 0x50108000..0x50110000 (LP memory).
const ESP32P4: &[Window] = &[rw(0x4FF0_0000, 0x4FFC_0000), ro(0x4000_0000, 0x4400_0000), rw(0x5010_8000, 0x5011_0000)];

impl Chip {
    /// Every chip, in the table's order.
    pub const ALL: [Chip; 8] = {
        let mut all = [Chip::Esp32; 8];
        let mut i = 0;
        while i < TABLE.len() {
            all[i] = TABLE[i].chip;
            i += 1;
        }
        all
    };

    /// This chip's row of the chip table.
    pub const fn spec(self) -> &'static ChipSpec {
        &TABLE[self as usize]
    }

    /// The ESP-IDF target name (`esp32c3`).
    pub const fn name(self) -> &'static str {
        self.spec().name
    }

    /// The chip of a target name; case, `-` and `_` are ignored, so
    /// `esp32c3`, `ESP32-C3` and `esp32_c3` all name the ESP32-C3.
    pub fn from_name(name: &str) -> Option<Chip> {
        let canon = || name.trim().bytes().filter(|b| !matches!(b, b'-' | b'_')).map(|b| b.to_ascii_lowercase());
        Chip::ALL.into_iter().find(|c| c.name().bytes().eq(canon()))
    }

    /// Every chip name, comma-separated (for error messages).
    pub fn names() -> String {
        Chip::ALL.iter().map(|c| c.name()).collect::<Vec<_>>().join(", ")
    }

    pub const fn arch(self) -> Arch {
        self.spec().arch
    }

    /// The firmware regions a native-memory module on this chip may be
    /// granted, with what the memory allows ([`ChipSpec::windows`]).
    pub const fn windows(self) -> &'static [Window] {
        self.spec().windows
    }

    /// Internal data RAM, `SOC_DRAM_LOW..SOC_DRAM_HIGH`.
    pub const fn dram(self) -> Window {
        self.windows()[0]
    }

    /// Flash-mapped read-only data, `SOC_DROM_LOW..SOC_DROM_HIGH`.
    pub const fn drom(self) -> Window {
        self.windows()[1]
    }

    /// Every one of [`Chip::windows`], read-only, for
    /// [`crate::Config::firmware_windows`]: the opt-in of a firmware that
    /// lets modules read all of its memory (the templates grant none: data
    /// imports and natives' results get windows from the symbol tables). A
    /// store there traps ([`crate::TrapKind::ReadOnly`]), so firmware data,
    /// the module's verified code and the runtime's own state (all in DRAM)
    /// stay out of its reach, but a module may read anything, secrets
    /// included. Blocks it gets from `heap_caps_malloc` and its siblings are
    /// writable windows of their own while they live.
    ///
    /// # Safety
    /// The firmware runs on this chip and lets every module instantiated
    /// with these windows read its DRAM, RTC memory and mapped flash at
    /// their real addresses for as long as the instance lives (the contract
    /// of [`FirmwareWindows::new`]). A load from a flash page the MMU does
    /// not map still faults the CPU.
    pub unsafe fn firmware_windows(self) -> FirmwareWindows {
        let mut all = [Window::read(0, 0); 4];
        let ws = self.windows();
        for (to, w) in all.iter_mut().zip(ws) {
            *to = Window { access: Access::Read, ..*w };
        }
        // SAFETY: the caller's contract, passed on; reads only.
        unsafe { FirmwareWindows::new(&all[..ws.len().min(4)]) }
    }
}

impl core::fmt::Display for Chip {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

impl core::str::FromStr for Chip {
    type Err = UnknownChip;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Chip::from_name(s).ok_or_else(|| UnknownChip(s.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Chip::ALL {
            assert_eq!(Chip::from_name(c.name()), Some(c));
            assert_eq!(c.name().parse::<Chip>(), Ok(c));
        }
        assert_eq!(Chip::from_name("ESP32-C3"), Some(Chip::Esp32c3));
        assert_eq!(Chip::from_name(" esp32_s3 "), Some(Chip::Esp32s3));
        assert_eq!(Chip::from_name("esp8266"), None);
        assert_eq!(Chip::from_name("esp32c3esp32c3esp32c3"), None);
        let e = "esp8266".parse::<Chip>().unwrap_err().to_string();
        assert!(e.starts_with("unknown chip `esp8266`: expected one of esp32, esp32s2"), "{e}");
        assert_eq!(Chip::Esp32s3.arch(), Arch::Xtensa);
        assert_eq!(Chip::Esp32p4.arch(), Arch::RiscV);
    }

    /// The ISA letters of a RISC-V name: `rv32imac_zicsr` / `riscv32imac-unknown-none-elf` -> `imac`.
    fn isa<'a>(name: &'a str, prefix: &str) -> &'a str {
        let rest = name.strip_prefix(prefix).unwrap_or_else(|| panic!("{name} does not start with {prefix}"));
        rest.split(['_', '-']).next().unwrap_or("")
    }

    /// Each row agrees with itself: the clang `-march`, the two Rust targets
    /// and the ABI name one ISA; Xtensa rows name their chip in every triple.
    #[test]
    fn rows_are_consistent() {
        for c in Chip::ALL {
            let s = c.spec();
            assert_eq!(s.chip, c);
            // `cargo espb new` writes `Chip::{:?}` into the Rust firmware.
            assert_eq!(format!("{c:?}").to_lowercase(), s.name);
            assert_eq!(s.rust.esp_toolchain, s.arch == Arch::Xtensa, "{c}: only Xtensa needs the esp toolchain");
            match s.arch {
                Arch::RiscV => {
                    let letters = isa(s.clang.march.unwrap_or_else(|| panic!("{c}: no -march")), "rv32");
                    assert_eq!(isa(s.rust.bare_metal, "riscv32"), letters, "{c}");
                    assert_eq!(isa(s.rust.espidf, "riscv32"), letters, "{c}");
                    let want = if letters.contains('f') { Abi::RiscvIlp32f } else { Abi::RiscvIlp32 };
                    assert_eq!(s.abi, want, "{c}: ABI of rv32{letters}");
                    assert!(s.rust.bare_metal.ends_with("-none-elf") && s.rust.espidf.ends_with("-espidf"), "{c}");
                    assert_eq!(s.clang.mcpu, None, "{c}");
                }
                Arch::Xtensa => {
                    assert_eq!(s.abi, Abi::XtensaWindowed, "{c}");
                    assert_eq!(s.rust.bare_metal, format!("xtensa-{}-none-elf", s.name));
                    assert_eq!(s.rust.espidf, format!("xtensa-{}-espidf", s.name));
                    assert_eq!((s.clang.march, s.clang.mcpu), (None, Some(s.name)), "{c}");
                }
            }
        }
    }

    /// Values pinned against ESP-IDF v5.5 (its GCC's `-march`/`-mabi`) and
    /// esp-idf-sys's targets.
    #[test]
    fn toolchain_facts() {
        let s = Chip::Esp32c6.spec();
        assert_eq!(
            (s.clang.triple, s.clang.march, s.abi.mabi()),
            ("riscv32-esp-elf", Some("rv32imac_zicsr_zifencei"), Some("ilp32"))
        );
        assert_eq!((s.rust.bare_metal, s.rust.espidf), ("riscv32imac-unknown-none-elf", "riscv32imac-esp-espidf"));
        assert_eq!((s.rust.espidf_toolchain(), s.rust.bare_metal_toolchain()), ("nightly", None));
        let s = Chip::Esp32p4.spec();
        assert_eq!((s.clang.march, s.abi.mabi()), (Some("rv32imafc_zicsr_zifencei"), Some("ilp32f")));
        let s = Chip::Esp32s3.spec();
        assert_eq!((s.clang.triple, s.clang.upstream_triple, s.abi.mabi()), ("xtensa-esp-elf", "xtensa", None));
        assert_eq!((s.rust.espidf_toolchain(), s.rust.bare_metal_toolchain()), ("esp", Some("esp")));
    }

    /// Values pinned against soc.h of ESP-IDF v5.5.
    #[test]
    fn windows_follow_soc_h() {
        let r = |w: Window| (w.start, w.end);
        assert_eq!(r(Chip::Esp32c3.dram()), (0x3FC8_0000, 0x3FCE_0000));
        assert_eq!(r(Chip::Esp32c3.drom()), (0x3C00_0000, 0x3C80_0000));
        assert_eq!(r(Chip::Esp32.dram()), (0x3FFA_E000, 0x4000_0000));
        assert_eq!(r(Chip::Esp32.windows()[3]), (0x5000_0000, 0x5000_2000), "RTC slow memory (SOC_RTC_DATA)");
        assert_eq!(r(Chip::Esp32s3.windows()[2]), (0x600F_E000, 0x6010_0000), "RTC fast memory (SOC_RTC_DRAM)");
        assert_eq!(r(Chip::Esp32c6.drom()), (0x4200_0000, 0x4300_0000));
        assert_eq!(r(Chip::Esp32h2.dram()), (0x4080_0000, 0x4085_0000));
        assert_eq!(r(Chip::Esp32p4.windows()[2]), (0x5010_8000, 0x5011_0000));
        assert_eq!(Chip::Esp32c2.windows().len(), 2, "the ESP32-C2 has no RTC memory");
        for c in Chip::ALL {
            let w = c.windows();
            assert!(w.iter().all(|w| w.start < w.end), "{c}: empty window");
            for (i, a) in w.iter().enumerate() {
                for b in &w[i + 1..] {
                    assert!(a.end <= b.start || b.end <= a.start, "{c}: {a:x?} overlaps {b:x?}");
                }
            }
        }
    }

    /// Flash is read-only memory; what the templates grant is read-only
    /// everywhere, and covers every window.
    #[test]
    fn granted_windows_are_read_only() {
        for c in Chip::ALL {
            assert_eq!(c.drom().access, Access::Read, "{c}: DROM");
            assert_eq!(c.dram().access, Access::ReadWrite, "{c}: DRAM");
            // SAFETY: only inspected, never used by an instance.
            let granted = unsafe { c.firmware_windows() };
            let g = granted.as_slice();
            assert_eq!(g.len(), c.windows().len(), "{c}");
            for (g, w) in g.iter().zip(c.windows()) {
                assert_eq!((g.start, g.end, g.access), (w.start, w.end, Access::Read), "{c}");
            }
        }
    }
}
