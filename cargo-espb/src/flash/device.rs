//! The thin layer over espflash: open the port, connect, detect the chip,
//! write the planned regions with progress bars. Everything that can be
//! decided without a device is decided before this (plan.rs).
//!
//! "Skipped if unchanged" is espflash's own: with `skip` on, its flash target
//! asks the device for the MD5 of each region (the `FLASH_MD5` loader
//! command) and writes nothing when it equals the MD5 of the bytes to write;
//! with `verify` on it checks the MD5 again after writing.

use std::path::Path;
use std::time::Duration;

use espflash::connection::{Connection, Port, ResetAfterOperation, ResetBeforeOperation};
use espflash::flasher::{FlashData, FlashSettings, FlashSize, Flasher};
use espflash::image_format::{Segment, idf::IdfBootloaderFormat};
use espflash::target::{Chip, ProgressCallbacks};
use indicatif::{ProgressBar, ProgressStyle};
use serialport::{FlowControl, SerialPortType, UsbPortInfo};

use super::FlashError;
use super::plan::{Plan, Region};
use super::ports::PortArgs;

/// The error and its causes, on one line.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let m = c.to_string();
        if !s.contains(&m) {
            s.push_str(": ");
            s.push_str(&m);
        }
        cur = c.source();
    }
    s
}

/// Parses a chip name as espflash spells it (`esp32c3`, `ESP32-C3`).
pub fn parse_chip(name: &str) -> Result<Chip, FlashError> {
    let norm: String = name.chars().filter(|c| *c != '-' && *c != '_').collect::<String>().to_lowercase();
    norm.parse::<Chip>().map_err(|_| FlashError::UnknownChip { name: name.into(), known: known_chips() })
}

/// The chip names espflash knows.
fn known_chips() -> String {
    [
        Chip::Esp32,
        Chip::Esp32c2,
        Chip::Esp32c3,
        Chip::Esp32c5,
        Chip::Esp32c6,
        Chip::Esp32c61,
        Chip::Esp32h2,
        Chip::Esp32h4,
        Chip::Esp32p4,
        Chip::Esp32s2,
        Chip::Esp32s3,
        Chip::Esp32s31,
    ]
    .iter()
    .map(|c| c.to_string())
    .collect::<Vec<_>>()
    .join(", ")
}

/// USB serial ports present, as `name (vid:pid product)`.
pub fn usb_ports() -> Vec<(String, UsbPortInfo)> {
    serialport::available_ports()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|p| match p.port_type {
            SerialPortType::UsbPort(info) => Some((p.port_name, info)),
            _ => None,
        })
        .collect()
}

/// Opens `port` for exclusive use, mapping failures to what the user can do.
pub fn open_port(port: &str) -> Result<Port, FlashError> {
    if !Path::new(port).exists() && !cfg!(windows) {
        return Err(FlashError::PortNotFound { port: port.into() });
    }
    serialport::new(port, 115_200)
        .flow_control(FlowControl::None)
        .timeout(Duration::from_secs(3))
        .open_native()
        .map_err(|e| match e.kind() {
            serialport::ErrorKind::NoDevice => FlashError::PortBusy { port: port.into() },
            serialport::ErrorKind::Io(std::io::ErrorKind::NotFound) => FlashError::PortNotFound { port: port.into() },
            serialport::ErrorKind::Io(std::io::ErrorKind::PermissionDenied) => {
                FlashError::PortPermission { port: port.into() }
            }
            _ => FlashError::PortOpen { port: port.into(), message: e.to_string() },
        })
}

/// Opens the firmware's serial console for `monitor`, `push` and `flash
/// --monitor`: the port chosen as `flash` chooses it ([`super::ports`]), at
/// `baud`, reads waiting at most `timeout`, and DTR/RTS released (dev
/// boards reset the chip through them).
pub fn open_console(args: &PortArgs, baud: u32, timeout: Duration) -> Result<(String, Port), FlashError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| ".".into());
    let env = |k: &str| std::env::var(k).ok();
    let cfg = super::config::load_espflash(&cwd, super::config::global_config_dir(&env).as_deref())?;
    let name = super::ports::resolve(args, &cfg)?.name;
    let mut port = open_port(&name)?;
    console_settings(&mut port, baud, timeout);
    Ok((name, port))
}

/// The console's line settings on an open port.
pub fn console_settings(port: &mut Port, baud: u32, timeout: Duration) {
    use serialport::SerialPort;
    let _ = port.set_baud_rate(baud);
    let _ = port.set_timeout(timeout);
    let _ = port.write_data_terminal_ready(false);
    let _ = port.write_request_to_send(false);
}

/// Connection settings.
#[derive(Debug, Clone)]
pub struct Target {
    pub port: String,
    pub baud: Option<u32>,
    pub chip: Option<Chip>,
    pub use_stub: bool,
    pub verify: bool,
    pub skip: bool,
}

/// Opens the port, resets the chip into its bootloader, detects it (and
/// checks it against `target.chip`), loads the stub and sets the baud rate.
pub fn connect(target: &Target) -> Result<Flasher, FlashError> {
    let serial = open_port(&target.port)?;
    let info = usb_ports()
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(&target.port))
        .map(|(_, i)| i)
        .unwrap_or(UsbPortInfo { vid: 0, pid: 0, serial_number: None, manufacturer: None, product: None });
    let connection = Connection::new(
        serial,
        info,
        ResetAfterOperation::HardReset,
        ResetBeforeOperation::DefaultReset,
        target.baud.unwrap_or(115_200),
    );
    Flasher::connect(connection, target.use_stub, target.verify, target.skip, target.chip, target.baud)
        .map_err(|e| connect_error(e, &target.port))
}

/// What a failed espflash connection means for the user.
pub fn connect_error(e: espflash::Error, port: &str) -> FlashError {
    match e {
        espflash::Error::ChipMismatch(expected, detected) => FlashError::WrongChip { expected, detected },
        espflash::Error::Connection(_) => FlashError::NoAnswer { port: port.into(), message: chain(&e) },
        other => FlashError::Device { port: port.into(), message: chain(&other) },
    }
}

/// The flash size the device reported, in bytes.
pub fn flash_size(flasher: &mut Flasher) -> Option<u32> {
    flasher.device_info().ok().map(|i| i.flash_size.size())
}

/// What espflash makes of a firmware ELF: the bootloader (its own for the
/// chip, or `bootloader` patched for the flash settings), the partition
/// table's binary and the app image, each with its flash offset.
#[derive(Debug, Clone)]
pub struct ElfImages {
    pub bootloader: (u32, Vec<u8>),
    pub table: (u32, Vec<u8>),
    pub app: (u32, Vec<u8>),
}

/// Whether `chip` runs Xtensa code (else RISC-V).
fn is_xtensa(chip: Chip) -> bool {
    matches!(chip, Chip::Esp32 | Chip::Esp32s2 | Chip::Esp32s3)
}

/// A firmware ELF and where its parts go.
#[derive(Debug, Clone, Copy)]
pub struct ElfInput<'a> {
    pub path: &'a Path,
    pub elf: &'a [u8],
    /// The partition table file, placed at `table_offset`.
    pub table_path: &'a Path,
    pub table_offset: Option<u32>,
    /// A bootloader to use instead of espflash's own.
    pub bootloader: Option<&'a Path>,
    /// The app partition [default: factory, else ota_0].
    pub app_label: Option<&'a str>,
}

/// Converts a firmware ELF for `chip` (of `flash_size` bytes of flash,
/// when known).
pub fn elf_images(input: &ElfInput<'_>, chip: Chip, flash_size: Option<u32>) -> Result<ElfImages, FlashError> {
    let ElfInput { path, elf, table_path, table_offset, bootloader, app_label } = *input;
    // e_machine (offset 18): an ELF for the other architecture would be
    // turned into an image the chip cannot run.
    const EM_XTENSA: u16 = 94;
    const EM_RISCV: u16 = 243;
    let machine = elf.get(18..20).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let arch = |xtensa: bool| if xtensa { "Xtensa" } else { "RISC-V" };
    match machine {
        Some(m @ (EM_XTENSA | EM_RISCV)) if (m == EM_XTENSA) != is_xtensa(chip) => {
            return Err(FlashError::ElfWrongArch {
                path: path.to_path_buf(),
                found: arch(m == EM_XTENSA),
                chip: chip.to_string(),
                expected: arch(is_xtensa(chip)),
            });
        }
        _ => {}
    }
    let size = flash_size.and_then(|s| {
        [
            FlashSize::_1Mb,
            FlashSize::_2Mb,
            FlashSize::_4Mb,
            FlashSize::_8Mb,
            FlashSize::_16Mb,
            FlashSize::_32Mb,
            FlashSize::_64Mb,
            FlashSize::_128Mb,
        ]
        .into_iter()
        .find(|f| f.size() == s)
    });
    let settings = FlashSettings::new(None, size, None);
    let data = FlashData::new(settings, 0, None, chip, chip.default_xtal_frequency());
    let elf_error = |e: espflash::Error| FlashError::Elf { path: path.to_path_buf(), message: chain(&e) };
    let image = IdfBootloaderFormat::new(elf, &data, Some(table_path), bootloader, table_offset, app_label)
        .map_err(elf_error)?;
    let mut segs = image.flash_segments().map(|s| (s.addr, s.data.into_owned()));
    match (segs.next(), segs.next(), segs.next()) {
        (Some(bootloader), Some(table), Some(app)) => Ok(ElfImages { bootloader, table, app }),
        _ => Err(FlashError::Elf { path: path.to_path_buf(), message: "espflash produced no app image".into() }),
    }
}

/// Progress bars, one per region, and which regions were skipped.
struct Bars<'p> {
    regions: &'p [Region],
    index: usize,
    bar: Option<ProgressBar>,
    skipped: Vec<bool>,
}

impl Bars<'_> {
    fn label(&self) -> String {
        self.regions
            .get(self.index)
            .map(|r| format!("{} ({} @ {:#x})", r.kind, r.partition, r.offset))
            .unwrap_or_default()
    }
}

impl ProgressCallbacks for Bars<'_> {
    fn init(&mut self, _addr: u32, total: usize) {
        let bar = ProgressBar::new(total as u64);
        if let Ok(style) = ProgressStyle::with_template("{msg:<36} [{bar:30}] {pos:>4}/{len:4} blocks {elapsed}") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(self.label());
        self.bar = Some(bar);
    }

    fn update(&mut self, current: usize) {
        if let Some(b) = &self.bar {
            b.set_position(current as u64);
        }
    }

    fn verifying(&mut self) {
        if let Some(b) = &self.bar {
            b.set_message(format!("{} verifying", self.label()));
        }
    }

    fn finish(&mut self, skipped: bool) {
        let label = self.label();
        match self.bar.take() {
            Some(b) => b.finish_with_message(format!("{label} written")),
            None => eprintln!("{label}: unchanged on the device, skipped"),
        }
        self.skipped.push(skipped);
        self.index += 1;
    }
}

/// Writes every region of `plan` over one connection, then resets the chip.
/// Returns, per region, whether it was skipped as unchanged.
pub fn write(flasher: &mut Flasher, plan: &Plan) -> Result<Vec<bool>, FlashError> {
    // The loader writes whole words: pad with erased flash (0xFF), as
    // espflash's `write_bin_to_flash` does.
    let padded: Vec<Vec<u8>> = plan
        .regions
        .iter()
        .map(|r| {
            let mut d = r.data.clone();
            d.resize(r.data.len().next_multiple_of(4), 0xFF);
            d
        })
        .collect();
    let segments: Vec<Segment<'_>> = plan.regions.iter().zip(&padded).map(|(r, d)| Segment::new(r.offset, d)).collect();
    let mut bars = Bars { regions: &plan.regions, index: 0, bar: None, skipped: Vec::new() };
    flasher.write_bins_to_flash(&segments, &mut bars).map_err(|e| FlashError::Write { message: chain(&e) })?;
    Ok(bars.skipped)
}
