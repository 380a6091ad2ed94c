//! The chips of the line: their names (ESP-IDF's `CONFIG_IDF_TARGET`),
//! architectures, and the firmware memory a native-memory module may reach
//! at its real addresses ([`Chip::windows`], granted through
//! [`Chip::firmware_windows`]).
//!
//! The windows are ESP-IDF v5.5's memory map, `components/soc/<chip>/include/soc/soc.h`
//! (tag `v5.5`), the same macros the C firmware template passes to
//! `espb_run_with`:
//!
//! * internal data RAM, `SOC_DRAM_LOW..SOC_DRAM_HIGH` (stacks, heap, `.data`/`.bss`);
//! * flash-mapped read-only data, `SOC_DROM_LOW..SOC_DROM_HIGH` (`.rodata`:
//!   string literals natives return, `__espb_cfg_*` values);
//! * RTC memory where the chip has it: `SOC_RTC_DRAM_LOW..SOC_RTC_DRAM_HIGH`
//!   (RTC fast memory on Xtensa, the LP/RTC slow memory on RISC-V) and, when it
//!   is a different range, `SOC_RTC_DATA_LOW..SOC_RTC_DATA_HIGH` (RTC slow
//!   memory, where `RTC_DATA_ATTR` variables live on ESP32/S2/S3).
//!
//! A window is an address range, not a promise that every address in it is
//! backed: flash pages the MMU does not map fault when touched, and a store
//! into DROM faults (flash is read-only). Granting windows trusts the module
//! with that memory.

use crate::interp::FirmwareWindows;
use alloc::string::String;
use alloc::vec::Vec;

/// An ESP32 chip, by its ESP-IDF target name.
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

// (start, end) of each region, from soc.h of ESP-IDF v5.5 (see the module doc).
// Order: DRAM, DROM, then RTC memory.

/// ESP32: SOC_DRAM 0x3FFAE000..0x40000000, SOC_DROM 0x3F400000..0x3F800000,
/// SOC_RTC_DRAM 0x3FF80000..0x3FF82000, SOC_RTC_DATA 0x50000000..0x50002000.
const ESP32: &[(u32, u32)] =
    &[(0x3FFA_E000, 0x4000_0000), (0x3F40_0000, 0x3F80_0000), (0x3FF8_0000, 0x3FF8_2000), (0x5000_0000, 0x5000_2000)];
/// ESP32-S2: SOC_DRAM 0x3FFB0000..0x40000000, SOC_DROM 0x3F000000..0x3FF80000,
/// SOC_RTC_DRAM 0x3ff9e000..0x3ffa0000, SOC_RTC_DATA 0x50000000..0x50002000.
const ESP32S2: &[(u32, u32)] =
    &[(0x3FFB_0000, 0x4000_0000), (0x3F00_0000, 0x3FF8_0000), (0x3FF9_E000, 0x3FFA_0000), (0x5000_0000, 0x5000_2000)];
/// ESP32-S3: SOC_DRAM 0x3FC88000..0x3FD00000, SOC_DROM 0x3C000000..0x3E000000,
/// SOC_RTC_DRAM 0x600FE000..0x60100000, SOC_RTC_DATA 0x50000000..0x50002000.
const ESP32S3: &[(u32, u32)] =
    &[(0x3FC8_8000, 0x3FD0_0000), (0x3C00_0000, 0x3E00_0000), (0x600F_E000, 0x6010_0000), (0x5000_0000, 0x5000_2000)];
/// ESP32-C2: SOC_DRAM 0x3FCA0000..0x3FCE0000, SOC_DROM 0x3C000000..0x3C400000;
/// no RTC memory (soc.h defines no SOC_RTC_DRAM).
const ESP32C2: &[(u32, u32)] = &[(0x3FCA_0000, 0x3FCE_0000), (0x3C00_0000, 0x3C40_0000)];
/// ESP32-C3: SOC_DRAM 0x3FC80000..0x3FCE0000, SOC_DROM 0x3C000000..0x3C800000,
/// SOC_RTC_DRAM = SOC_RTC_DATA 0x50000000..0x50002000 (RTC slow memory only).
const ESP32C3: &[(u32, u32)] = &[(0x3FC8_0000, 0x3FCE_0000), (0x3C00_0000, 0x3C80_0000), (0x5000_0000, 0x5000_2000)];
/// ESP32-C6: SOC_DRAM 0x40800000..0x40880000; SOC_DROM = SOC_IROM, 0x42000000 +
/// (SOC_MMU_PAGE_SIZE << 8) = 0x43000000 with the default 64 KB MMU pages
/// (CONFIG_MMU_PAGE_SIZE; 2 MB/1 MB flash use 32/16 KB pages and map less);
/// SOC_RTC_DRAM = SOC_RTC_DATA 0x50000000..0x50004000 (LP memory).
const ESP32C6: &[(u32, u32)] = &[(0x4080_0000, 0x4088_0000), (0x4200_0000, 0x4300_0000), (0x5000_0000, 0x5000_4000)];
/// ESP32-H2: SOC_DRAM 0x40800000..0x40850000; SOC_DROM as ESP32-C6;
/// SOC_RTC_DRAM = SOC_RTC_DATA 0x50000000..0x50001000 (LP memory).
const ESP32H2: &[(u32, u32)] = &[(0x4080_0000, 0x4085_0000), (0x4200_0000, 0x4300_0000), (0x5000_0000, 0x5000_1000)];
/// ESP32-P4: SOC_DRAM 0x4FF00000..0x4FFC0000, SOC_DROM 0x40000000..0x44000000,
/// SOC_RTC_DRAM = SOC_RTC_DATA 0x50108000..0x50110000 (LP memory).
const ESP32P4: &[(u32, u32)] = &[(0x4FF0_0000, 0x4FFC_0000), (0x4000_0000, 0x4400_0000), (0x5010_8000, 0x5011_0000)];

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
    pub const fn name(self) -> &'static str {
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
        match self {
            Chip::Esp32 | Chip::Esp32s2 | Chip::Esp32s3 => Arch::Xtensa,
            _ => Arch::RiscV,
        }
    }

    /// The firmware regions (start, end) a native-memory module on this
    /// chip may be granted: DRAM, DROM, then RTC memory where the chip has
    /// it (see the module doc for the soc.h macros).
    pub const fn windows(self) -> &'static [(u32, u32)] {
        match self {
            Chip::Esp32 => ESP32,
            Chip::Esp32s2 => ESP32S2,
            Chip::Esp32s3 => ESP32S3,
            Chip::Esp32c2 => ESP32C2,
            Chip::Esp32c3 => ESP32C3,
            Chip::Esp32c6 => ESP32C6,
            Chip::Esp32h2 => ESP32H2,
            Chip::Esp32p4 => ESP32P4,
        }
    }

    /// Internal data RAM, `SOC_DRAM_LOW..SOC_DRAM_HIGH`.
    pub const fn dram(self) -> (u32, u32) {
        self.windows()[0]
    }

    /// Flash-mapped read-only data, `SOC_DROM_LOW..SOC_DROM_HIGH`.
    pub const fn drom(self) -> (u32, u32) {
        self.windows()[1]
    }

    /// All of [`Chip::windows`], for [`crate::Config::firmware_windows`].
    ///
    /// # Safety
    /// The firmware runs on this chip, and lets every module instantiated
    /// with these windows read and write its DRAM, RTC memory and mapped
    /// flash at their real addresses for as long as the instance lives (the
    /// contract of [`FirmwareWindows::new`]). Nothing stops such a module
    /// from overwriting firmware data, or from faulting the CPU with a store
    /// into flash or a load from an unmapped flash page: grant them only to
    /// modules the firmware trusts that far.
    pub unsafe fn firmware_windows(self) -> FirmwareWindows {
        // SAFETY: the caller's contract, passed on.
        unsafe { FirmwareWindows::new(self.windows()) }
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

    /// Values pinned against soc.h of ESP-IDF v5.5.
    #[test]
    fn windows_follow_soc_h() {
        assert_eq!(Chip::Esp32c3.dram(), (0x3FC8_0000, 0x3FCE_0000));
        assert_eq!(Chip::Esp32c3.drom(), (0x3C00_0000, 0x3C80_0000));
        assert_eq!(Chip::Esp32.dram(), (0x3FFA_E000, 0x4000_0000));
        assert_eq!(Chip::Esp32.windows()[3], (0x5000_0000, 0x5000_2000), "RTC slow memory (SOC_RTC_DATA)");
        assert_eq!(Chip::Esp32s3.windows()[2], (0x600F_E000, 0x6010_0000), "RTC fast memory (SOC_RTC_DRAM)");
        assert_eq!(Chip::Esp32c6.drom(), (0x4200_0000, 0x4300_0000));
        assert_eq!(Chip::Esp32h2.dram(), (0x4080_0000, 0x4085_0000));
        assert_eq!(Chip::Esp32p4.windows()[2], (0x5010_8000, 0x5011_0000));
        assert_eq!(Chip::Esp32c2.windows().len(), 2, "the ESP32-C2 has no RTC memory");
        for c in Chip::ALL {
            let w = c.windows();
            assert!(w.iter().all(|&(s, e)| s < e), "{c}: empty window");
            for (i, a) in w.iter().enumerate() {
                for b in &w[i + 1..] {
                    assert!(a.1 <= b.0 || b.1 <= a.0, "{c}: {a:x?} overlaps {b:x?}");
                }
            }
        }
    }
}
