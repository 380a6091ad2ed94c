//! `cargo espb flash`: writes the module into its own flash partition, the
//! firmware into its app partition, or both over one connection, with
//! espflash as a library (docs/flash.md).
//!
//! - [`args`]: the clap arguments.
//! - [`config`]: espb.toml, espflash.toml / espflash_ports.toml, the
//!   environment, an idf.py build's flasher_args.json.
//! - [`table`]: CSV / binary partition tables, guarded against esp-idf-part's
//!   panics.
//! - [`plan`]: pure: table + inputs -> regions, or a refusal.
//! - [`device`]: the thin espflash layer (connect, detect, write, progress).
//! - [`ports`]: which serial port, as espflash chooses it.

pub mod args;
pub mod config;
pub mod device;
pub mod firmware_tables;
pub mod plan;
pub mod ports;
pub mod table;

use std::path::{Path, PathBuf};

pub use args::FlashArgs;
use config::ConfigError;
use plan::{Context, FirmwareInput, ModuleInput, Plan, PlanError, Request, Sourced, SystemInput};
use table::TableError;

/// The module partition's label: `cargo espb new` writes it into the
/// firmware's partitions.csv, the generated firmware looks the module up by
/// it, and `flash` writes there unless espb.toml `[flash] partition` says
/// otherwise.
pub const MODULE_PARTITION_LABEL: &str = "espb";
/// The module partition's subtype (type `data`) in those same three places;
/// ESP-IDF gives `undefined` to nothing of its own.
pub const MODULE_PARTITION_SUBTYPE: esp_idf_part::DataType = esp_idf_part::DataType::Undefined;

/// Everything `cargo espb flash` can fail with. Each message says what went
/// wrong, where, and what to do.
#[derive(Debug, thiserror::Error)]
pub enum FlashError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("partition table {}: {source}", .path.display())]
    Table { path: PathBuf, source: TableError },
    #[error("cannot read partition table {}: {source}", .path.display())]
    TableRead { path: PathBuf, source: std::io::Error },
    #[error(
        "no partition table: pass --partition-table FILE (CSV or binary), set `partition_table` \
         under [idf] in espflash.toml, or give the firmware's idf.py build directory with \
         --firmware-build DIR (or espb.toml `[flash] firmware-build`)"
    )]
    NoPartitionTable,
    #[error(
        "module {} does not exist: run `cargo espb build` first, or pass --module-file",
        .path.display()
    )]
    ModuleMissing { path: PathBuf },
    #[error(
        "{} would be refused at load, so nothing was written: {error}. Build it again with `cargo espb build`",
        .path.display()
    )]
    InvalidModule { path: PathBuf, error: espb_runtime::LoadError },
    #[error("cannot read {what} {}: {source}", .path.display())]
    ReadFile { what: &'static str, path: PathBuf, source: std::io::Error },
    #[error(
        "--firmware needs the firmware image: pass --firmware-build DIR (the firmware's idf.py \
         build directory) or --firmware-image FILE (.bin or ELF)"
    )]
    NoFirmware,
    #[error(
        "module {} would be refused by the firmware {}: {error}",
        .module.display(), .firmware.display()
    )]
    ModuleForOtherFirmware { module: PathBuf, firmware: PathBuf, error: espb_runtime::InstantiateError },
    #[error("cannot read the symbol tables of the firmware {}: {source}", .path.display())]
    FirmwareTables { path: PathBuf, source: firmware_tables::ElfTablesError },
    #[error(
        "the firmware {} is an ELF; converting it to an app image needs the chip: pass --chip \
         (e.g. --chip esp32c3), or run without --dry-run to detect it",
        .path.display()
    )]
    ElfNeedsChip { path: PathBuf },
    #[error(
        "where the bootloader {} goes depends on the chip: pass --chip (e.g. --chip esp32c3), or \
         run without --dry-run to detect it",
        .path.display()
    )]
    BootloaderNeedsChip { path: PathBuf },
    #[error(
        "cannot convert the firmware ELF {} to an app image: {message}. Pass the ELF that idf.py \
         (build/<project>.elf) or cargo (target/<target>/release/<name>) built for this chip, or \
         its .bin",
        .path.display()
    )]
    Elf { path: PathBuf, message: String },
    #[error(
        "the firmware ELF {} is built for {found}, but the chip ({chip}) runs {expected} code: \
         build the firmware for {chip}, or fix --chip",
        .path.display()
    )]
    ElfWrongArch { path: PathBuf, found: &'static str, chip: String, expected: &'static str },
    #[error("{what} {} does not exist: {help}", .path.display())]
    MissingFile { what: &'static str, path: PathBuf, help: &'static str },
    #[error("unknown chip `{name}`: espflash knows {known}")]
    UnknownChip { name: String, known: String },
    #[error(
        "no USB serial port found: connect the board (with a data cable), pass --port / set \
         ESPFLASH_PORT, or add --list-all-ports if its bridge is not seen as USB"
    )]
    NoDevice,
    #[error(
        "several serial ports are present ({}) and there is no terminal to ask which: choose one \
         with --port or ESPFLASH_PORT, or name the board's USB ids in espflash_ports.toml \
         (`[[usb_device]]` with `vid = \"303a\"` and `pid = \"1001\"`)",
        .ports.join(", ")
    )]
    SeveralPorts { ports: Vec<String> },
    #[error("--confirm-port needs a terminal to ask about {port}: pass --port instead")]
    ConfirmNeedsTerminal { port: String },
    #[error("serial port {port} was not confirmed: pass the board's port with --port")]
    PortDeclined { port: String },
    #[error("no serial port was chosen: pass --port to name one")]
    PortCancelled,
    #[error(
        "serial port {port} does not exist: check the board is connected, or pass the right \
         --port (or ESPFLASH_PORT, espflash_ports.toml)"
    )]
    PortNotFound { port: String },
    #[error(
        "serial port {port} is busy: another program has it open (a serial monitor, `idf.py \
         monitor`, another espflash); close it and try again"
    )]
    PortBusy { port: String },
    #[error(
        "no permission to open serial port {port}: add your user to the `dialout` group (`uucp` \
         on Arch) and log in again"
    )]
    PortPermission { port: String },
    #[error("cannot open serial port {port}: {message}")]
    PortOpen { port: String, message: String },
    #[error(
        "no ESP chip answered on {port} ({message}): check the board is powered and on this port; \
         hold BOOT while pressing RESET to enter the bootloader, or try a lower --baud"
    )]
    NoAnswer { port: String, message: String },
    #[error(
        "the device is an {detected}, but {expected} was expected (from --chip or the firmware \
         build's target): connect the right board, or fix --chip"
    )]
    WrongChip { expected: String, detected: String },
    #[error("talking to the device on {port} failed: {message}")]
    Device { port: String, message: String },
    #[error(
        "{what} in partition '{partition}' ends at {end:#x}, past the device's {flash:#x}-byte \
         flash: the partition table does not fit this device. Nothing was written"
    )]
    BeyondFlash { what: String, partition: String, end: u64, flash: u32 },
    #[error(
        "writing to the device failed: {message}. A partly written module is rejected by the \
         runtime (CRC check); run the command again"
    )]
    Write { message: String },
}

/// The firmware image as read, before an ELF is converted.
enum FirmwareFile {
    Bin(Vec<u8>),
    Elf { path: PathBuf, bytes: Vec<u8> },
}

/// Refuses a module whose symbol tables the firmware ELF being flashed with
/// it would refuse at load. A firmware without tables (none found) is left
/// to the device's own check, with a note.
fn check_module_against_elf(module: &[u8], elf_path: &Path, elf: &[u8], module_path: &Path) -> Result<(), FlashError> {
    let tables = match firmware_tables::tables_of_elf(elf) {
        Ok(t) => t,
        // Not an ELF at all: converting it to an app image says so.
        Err(firmware_tables::ElfTablesError::Parse(_)) => return Ok(()),
        Err(source) => return Err(FlashError::FirmwareTables { path: elf_path.to_path_buf(), source }),
    };
    if tables.is_empty() {
        eprintln!(
            "note: {} has no espb symbol tables (espb_symtab_*): the module's table hashes are checked on the device",
            elf_path.display()
        );
        return Ok(());
    }
    // The module was loaded (and verified) before; this cannot fail then.
    let Ok(m) = espb_runtime::format::decode(module) else { return Ok(()) };
    firmware_tables::check(&m, &tables).map_err(|error| FlashError::ModuleForOtherFirmware {
        module: module_path.to_path_buf(),
        firmware: elf_path.to_path_buf(),
        error,
    })
}

fn read_file(what: &'static str, path: &Path) -> Result<Vec<u8>, FlashError> {
    std::fs::read(path).map_err(|source| FlashError::ReadFile { what, path: path.to_path_buf(), source })
}

/// Reads a file that must exist; a missing one is an error saying `help`.
fn read_input(what: &'static str, path: &Path, help: &'static str) -> Result<Vec<u8>, FlashError> {
    match std::fs::read(path) {
        Ok(b) => Ok(b),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            Err(FlashError::MissingFile { what, path: path.to_path_buf(), help })
        }
        Err(source) => Err(FlashError::ReadFile { what, path: path.to_path_buf(), source }),
    }
}

const IDF_REBUILD: &str = "the firmware build's flasher_args.json lists it; run `idf.py build` again";

/// Where the partition table goes when no firmware build says (espflash's
/// and ESP-IDF's default).
pub const DEFAULT_TABLE_OFFSET: u32 = 0x8000;

/// Everything read before the chip is known; [`Inputs::plan`] makes the
/// plan once it is (or without it, when nothing needs it).
struct Inputs<'a> {
    args: &'a FlashArgs,
    table: esp_idf_part::PartitionTable,
    table_path: PathBuf,
    /// The table's binary as written (the file itself when it is one).
    table_bin: Vec<u8>,
    table_offset: Option<u32>,
    module: Option<(String, Vec<u8>)>,
    firmware: Option<FirmwareFile>,
    /// The bootloader file and, when the firmware build says, its offset.
    bootloader: Option<(Option<u32>, PathBuf, Vec<u8>)>,
}

impl Inputs<'_> {
    /// Whether the plan depends on the chip (an ELF to convert, or a
    /// bootloader whose offset is the chip's boot address).
    fn needs_chip(&self) -> Option<FlashError> {
        if let Some(FirmwareFile::Elf { path, .. }) = &self.firmware {
            return Some(FlashError::ElfNeedsChip { path: path.clone() });
        }
        match &self.bootloader {
            Some((None, path, _)) if self.firmware.is_some() => {
                Some(FlashError::BootloaderNeedsChip { path: path.clone() })
            }
            _ => None,
        }
    }

    /// The plan; `chip` must be known when [`Inputs::needs_chip`] says so.
    fn plan(&self, chip: Option<espflash::target::Chip>, flash: Option<u32>) -> Result<Plan, FlashError> {
        let app_label = self.args.target_app_partition.as_deref();
        let table_offset = self.table_offset.unwrap_or(DEFAULT_TABLE_OFFSET);
        let mut system: Option<(u32, Vec<u8>, u32, Vec<u8>)> = None;
        let image: Option<Vec<u8>> = match (&self.firmware, chip) {
            (None, _) => None,
            (Some(FirmwareFile::Bin(b)), _) => {
                if let Some((offset, _, boot)) = &self.bootloader {
                    let offset = match (offset, chip) {
                        (Some(o), _) => *o,
                        (None, Some(c)) => c.boot_address(),
                        (None, None) => return Err(self.needs_chip().unwrap_or(FlashError::NoFirmware)),
                    };
                    system = Some((offset, boot.clone(), table_offset, self.table_bin.clone()));
                }
                Some(b.clone())
            }
            (Some(FirmwareFile::Elf { path, bytes }), Some(c)) => {
                let boot = self.bootloader.as_ref().map(|(_, p, _)| p.as_path());
                let input = device::ElfInput {
                    path,
                    elf: bytes,
                    table_path: &self.table_path,
                    table_offset: Some(table_offset),
                    bootloader: boot,
                    app_label,
                };
                let img = device::elf_images(&input, c, flash)?;
                system = Some((img.bootloader.0, img.bootloader.1, img.table.0, img.table.1));
                Some(img.app.1)
            }
            (Some(FirmwareFile::Elf { path, .. }), None) => {
                return Err(FlashError::ElfNeedsChip { path: path.clone() });
            }
        };
        let module = self.module.as_ref().map(|(label, bytes)| ModuleInput { label, bytes });
        let req = Request {
            module,
            firmware: image.as_deref().map(|image| FirmwareInput { app_partition: app_label, image }),
        };
        let mut p = plan::plan(&self.table, &req)?;
        if let Some((bootloader_offset, bootloader, table_offset, table)) = &system {
            let sys =
                SystemInput { bootloader_offset: *bootloader_offset, bootloader, table_offset: *table_offset, table };
            plan::add_system(&mut p, &self.table, &sys)?;
        }
        Ok(p)
    }
}

/// Runs `cargo espb flash` (the module as built: building first is the
/// command's, `commands/flash.rs`). Returns the port written to.
pub fn run(args: &FlashArgs) -> Result<Option<String>, FlashError> {
    if !args.module && !args.firmware {
        return Err(PlanError::NothingToFlash.into());
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let env = |k: &str| std::env::var(k).ok();
    let project_dir = args.project.clone().unwrap_or_else(|| cwd.clone());
    let project = config::load_project(&project_dir)?;
    let global = config::global_config_dir(&env);
    let espflash_cfg = config::load_espflash(&cwd, global.as_deref())?;

    let idf_dir = args.firmware_build.clone().or_else(|| project.firmware_build.clone());
    let idf = idf_dir.as_deref().map(config::load_idf_build).transpose()?;

    // The partition table, as espflash looks for it, then the firmware's own.
    let table_src: Sourced<PathBuf> = if let Some(p) = &args.partition_table {
        Sourced { value: p.clone(), source: "--partition-table".into() }
    } else if let Some(p) = &espflash_cfg.partition_table {
        p.clone()
    } else if let Some(p) = idf.as_ref().and_then(|i| i.partition_table.clone()) {
        Sourced { value: p, source: "firmware build".into() }
    } else {
        return Err(FlashError::NoPartitionTable);
    };
    if table_src.source == "firmware build" && !table_src.value.exists() {
        return Err(FlashError::MissingFile { what: "partition table", path: table_src.value, help: IDF_REBUILD });
    }
    let (table, format) = table::load_table(&table_src.value).map_err(|e| match e {
        table::LoadError::Read(source) => FlashError::TableRead { path: table_src.value.clone(), source },
        table::LoadError::Table(source) => FlashError::Table { path: table_src.value.clone(), source },
    })?;

    let chip_src: Option<Sourced<String>> = match (&args.chip, idf.as_ref().and_then(|i| i.chip.clone())) {
        (Some(c), _) => Some(Sourced { value: c.clone(), source: "--chip".into() }),
        (None, Some(c)) => Some(Sourced { value: c, source: "firmware build target".into() }),
        (None, None) => None,
    };
    let chip = chip_src.as_ref().map(|c| device::parse_chip(&c.value)).transpose()?;

    let module_label = args.partition.clone().unwrap_or(project.partition.clone());
    let module = if args.module {
        let path = args.module_file.clone().unwrap_or(project.module.clone());
        match std::fs::read(&path) {
            // What the device's loader checks (format, checksum,
            // verification), before anything is written.
            Ok(b) => match espb_runtime::format::load(&b) {
                Ok(_) => Some((module_label, b)),
                Err(error) => return Err(FlashError::InvalidModule { path, error }),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(FlashError::ModuleMissing { path });
            }
            Err(source) => {
                return Err(FlashError::ReadFile { what: "module", path, source });
            }
        }
    } else {
        None
    };

    let mut inputs = Inputs {
        args,
        table_bin: match format {
            table::TableFormat::Binary => read_file("partition table", &table_src.value)?,
            _ => table.to_bin().map_err(|e| FlashError::Table {
                path: table_src.value.clone(),
                source: TableError::Invalid(e.to_string()),
            })?,
        },
        table,
        table_path: table_src.value.clone(),
        table_offset: idf.as_ref().and_then(|i| i.partition_table_offset),
        module,
        firmware: None,
        bootloader: None,
    };
    if args.firmware {
        let (path, help) = match (&args.firmware_image, idf.as_ref().and_then(|i| i.app_bin.clone())) {
            (Some(p), _) => (p.clone(), "check the --firmware-image path"),
            (None, Some(p)) => (p, IDF_REBUILD),
            (None, None) => return Err(FlashError::NoFirmware),
        };
        let bytes = read_input("firmware image", &path, help)?;
        inputs.firmware = Some(if bytes.starts_with(b"\x7fELF") {
            FirmwareFile::Elf { path, bytes }
        } else {
            FirmwareFile::Bin(bytes)
        });
        inputs.bootloader = match (&args.bootloader, idf.as_ref().and_then(|i| i.bootloader.clone())) {
            (Some(p), from_idf) => {
                let b = read_input(
                    "bootloader",
                    p,
                    "check the --bootloader path, or leave it out to use the firmware build's",
                )?;
                Some((from_idf.map(|(o, _)| o), p.clone(), b))
            }
            (None, Some((offset, p))) => {
                let b = read_input("bootloader", &p, IDF_REBUILD)?;
                Some((Some(offset), p, b))
            }
            (None, None) => None,
        };
    }

    if let (Some((_, module)), Some(FirmwareFile::Elf { path, bytes })) = (&inputs.module, &inputs.firmware) {
        check_module_against_elf(module, path, bytes, &args.module_file.clone().unwrap_or(project.module.clone()))?;
    }

    // Refuse a bad plan before any device is touched: all of it when the
    // chip is known or not needed, else what can be checked (the module).
    let deferred = if chip.is_none() { inputs.needs_chip() } else { None };
    let early = match &deferred {
        None => Some(inputs.plan(chip, None)?),
        Some(_) => {
            if let Some((label, bytes)) = &inputs.module {
                let req = Request { module: Some(ModuleInput { label, bytes }), firmware: None };
                plan::plan(&inputs.table, &req)?;
            }
            None
        }
    };

    let port = config::resolve_port(args.ports.port.as_deref(), &env, &espflash_cfg);
    let baud = config::resolve_baud(args.baud, &env, &espflash_cfg)?;

    if args.dry_run {
        let (Some(p), None) = (&early, deferred) else {
            return Err(inputs.needs_chip().unwrap_or(FlashError::NoFirmware));
        };
        let ctx = Context {
            port,
            baud,
            chip: chip_src,
            table: Sourced {
                value: table_src.value.display().to_string(),
                source: format!("{format}, from {}", table_src.source),
            },
            skip_unchanged: !args.no_skip,
        };
        print!("{}", plan::render(p, &ctx));
        return Ok(None);
    }

    let candidates = if port.is_some() { Vec::new() } else { ports::detect(args.ports.list_all_ports) };
    let port = ports::choose(&args.ports, port, &espflash_cfg, candidates, &mut ports::Terminal)?.name;
    eprintln!("Connecting to {port}...");
    let mut flasher = device::connect(&device::Target {
        port: port.clone(),
        baud: baud.map(|b| b.value),
        chip,
        use_stub: !args.no_stub,
        verify: !args.no_verify,
        skip: !args.no_skip,
    })?;
    let detected = flasher.chip();
    let flash = device::flash_size(&mut flasher);
    eprintln!("Chip: {detected}{}", flash.map(|f| format!(", flash {} MiB", f >> 20)).unwrap_or_default());

    let final_plan = match early {
        Some(p) => p,
        None => inputs.plan(Some(detected), flash)?,
    };
    if let Some(flash) = flash {
        for r in &final_plan.regions {
            let end = u64::from(r.offset) + r.data.len() as u64;
            if end > u64::from(flash) {
                return Err(FlashError::BeyondFlash {
                    what: r.kind.to_string(),
                    partition: r.partition.clone(),
                    end,
                    flash,
                });
            }
        }
    }

    let skipped = device::write(&mut flasher, &final_plan)?;
    for (r, s) in final_plan.regions.iter().zip(skipped) {
        eprintln!(
            "{} -> {} at {:#x}: {}",
            r.kind,
            r.partition,
            r.offset,
            if s { "unchanged, skipped".to_string() } else { format!("{} bytes written", r.data.len()) }
        );
    }
    Ok(Some(port))
}
