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

pub mod args;
pub mod config;
pub mod device;
pub mod firmware_tables;
pub mod plan;
pub mod table;

use std::path::{Path, PathBuf};

pub use args::FlashArgs;
use config::ConfigError;
use plan::{Context, FirmwareInput, ModuleInput, PlanError, Request, Sourced};
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
    #[error("cannot convert the firmware ELF to an app image: {message}")]
    Elf { message: String },
    #[error("unknown chip `{name}`: espflash knows {known}")]
    UnknownChip { name: String, known: String },
    #[error(
        "no USB serial port found: connect the board (with a data cable), or pass --port / set \
         ESPFLASH_PORT"
    )]
    NoDevice,
    #[error(
        "several USB serial ports are present ({}): choose one with --port or ESPFLASH_PORT",
        .ports.join(", ")
    )]
    SeveralPorts { ports: Vec<String> },
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

fn request<'a>(
    module: Option<ModuleInput<'a>>,
    firmware: Option<&'a [u8]>,
    app_partition: Option<&'a str>,
) -> Request<'a> {
    Request { module, firmware: firmware.map(|image| FirmwareInput { app_partition, image }) }
}

/// Runs `cargo espb flash`.
pub fn run(args: &FlashArgs) -> Result<(), FlashError> {
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
    let module_bytes = if args.module {
        let path = args.module_file.clone().unwrap_or(project.module.clone());
        match std::fs::read(&path) {
            // What the device's loader checks (format, checksum,
            // verification), before anything is written.
            Ok(b) => match espb_runtime::format::load(&b) {
                Ok(_) => Some(b),
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

    let firmware = if args.firmware {
        let path = args
            .firmware_image
            .clone()
            .or_else(|| idf.as_ref().and_then(|i| i.app_bin.clone()))
            .ok_or(FlashError::NoFirmware)?;
        let bytes = read_file("firmware image", &path)?;
        Some(if bytes.starts_with(b"\x7fELF") { FirmwareFile::Elf { path, bytes } } else { FirmwareFile::Bin(bytes) })
    } else {
        None
    };
    let app_label = args.target_app_partition.as_deref();
    if let (Some(module), Some(FirmwareFile::Elf { path, bytes })) = (&module_bytes, &firmware) {
        check_module_against_elf(module, path, bytes, &args.module_file.clone().unwrap_or(project.module.clone()))?;
    }

    // Convert an ELF now when the chip is known; otherwise after detection.
    let mut firmware_image: Option<Vec<u8>> = None;
    let mut deferred_elf: Option<&[u8]> = None;
    match &firmware {
        Some(FirmwareFile::Bin(b)) => firmware_image = Some(b.clone()),
        Some(FirmwareFile::Elf { path, bytes }) => match chip {
            Some(c) => {
                let (_, img) = device::elf_to_app_image(bytes, c, &table_src.value, app_label, None)?;
                firmware_image = Some(img);
            }
            None if args.dry_run => return Err(FlashError::ElfNeedsChip { path: path.clone() }),
            None => deferred_elf = Some(bytes),
        },
        None => {}
    }

    let module_input = module_bytes.as_deref().map(|bytes| ModuleInput { label: &module_label, bytes });
    // Refuse a bad plan before any device is touched.
    let early = if deferred_elf.is_some() && module_bytes.is_none() {
        None
    } else {
        Some(plan::plan(&table, &request(module_input, firmware_image.as_deref(), app_label))?)
    };

    let port = config::resolve_port(args.port.as_deref(), &env, &espflash_cfg);
    let baud = config::resolve_baud(args.baud, &env, &espflash_cfg)?;

    if args.dry_run {
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
        if let Some(p) = &early {
            print!("{}", plan::render(p, &ctx));
        }
        return Ok(());
    }

    let port = match port {
        Some(p) => p.value,
        None => device::auto_port()?,
    };
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

    let final_plan = match (deferred_elf, early) {
        (Some(elf), _) => {
            let (_, img) = device::elf_to_app_image(elf, detected, &table_src.value, app_label, flash)?;
            plan::plan(&table, &request(module_input, Some(&img), app_label))?
        }
        (None, Some(p)) => p,
        (None, None) => plan::plan(&table, &request(module_input, firmware_image.as_deref(), app_label))?,
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
            "{} -> partition '{}' at {:#x}: {}",
            r.kind,
            r.partition,
            r.offset,
            if s { "unchanged, skipped".to_string() } else { format!("{} bytes written", r.data.len()) }
        );
    }
    Ok(())
}
