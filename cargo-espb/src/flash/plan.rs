//! The flash plan: which bytes go where. Pure (no files, no device): a
//! partition table and the inputs in, the regions to write out, or an error
//! that refuses the plan before anything is written.

use std::fmt::Write as _;

use esp_idf_part::{AppType, DataType, Partition, PartitionTable, SubType, Type};

/// Erase granularity of SPI flash: every region starts on a sector.
pub const SECTOR: u32 = 0x1000;

/// First byte of an ESP-IDF app image (`esp_image_header_t.magic`).
pub const APP_IMAGE_MAGIC: u8 = 0xE9;

/// The module to write: its raw `.espb` bytes (the header is added here).
#[derive(Debug, Clone, Copy)]
pub struct ModuleInput<'a> {
    /// Label of its partition (espb.toml `[flash] partition`, default `espb`).
    pub label: &'a str,
    /// The `.espb` file's bytes.
    pub bytes: &'a [u8],
}

/// The firmware to write: an ESP-IDF app image (`build/<project>.bin`, or an
/// ELF already converted by espflash).
#[derive(Debug, Clone, Copy)]
pub struct FirmwareInput<'a> {
    /// App partition to write it to; `None` picks `factory`, else `ota_0`,
    /// else the first app partition.
    pub app_partition: Option<&'a str>,
    /// The app image.
    pub image: &'a [u8],
}

/// What [`plan`] is asked for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Request<'a> {
    pub module: Option<ModuleInput<'a>>,
    pub firmware: Option<FirmwareInput<'a>>,
}

/// The second-stage bootloader and the partition table, written with the
/// firmware when there is a bootloader to write (espflash's and idf.py's
/// `flash`).
#[derive(Debug, Clone, Copy)]
pub struct SystemInput<'a> {
    /// Where the bootloader goes (the chip's boot address: 0x0, or 0x1000
    /// on ESP32/S2, 0x2000 on P4) and its image.
    pub bootloader_offset: u32,
    pub bootloader: &'a [u8],
    /// Where the partition table goes (0x8000 unless moved) and its binary.
    pub table_offset: u32,
    pub table: &'a [u8],
}

/// What a region holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionKind {
    Bootloader,
    PartitionTable,
    Firmware,
    Module,
}

impl std::fmt::Display for RegionKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RegionKind::Bootloader => "boot",
            RegionKind::PartitionTable => "table",
            RegionKind::Firmware => "firmware",
            RegionKind::Module => "module",
        })
    }
}

/// The partition label shown for the regions outside any partition.
pub const BOOTLOADER_LABEL: &str = "bootloader";
pub const TABLE_LABEL: &str = "partition table";

/// Most bytes of a binary partition table (ESP-IDF's
/// `ESP_PARTITION_TABLE_MAX_LEN`).
pub const TABLE_MAX_LEN: usize = 0xC00;

/// One contiguous write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub kind: RegionKind,
    /// Label of the partition written.
    pub partition: String,
    /// Flash offset (the partition's offset).
    pub offset: u32,
    /// Size of the partition.
    pub partition_size: u32,
    /// Exactly the bytes written (for the module: header + module).
    pub data: Vec<u8>,
}

impl Region {
    /// Bytes written.
    pub fn size(&self) -> u32 {
        // Bounded by `partition_size` in `plan`.
        u32::try_from(self.data.len()).unwrap_or(u32::MAX)
    }
}

/// The regions to write, in flash order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Plan {
    pub regions: Vec<Region>,
}

/// Why a plan is refused. Nothing has been written when one of these is
/// returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("nothing to flash: pass --module, --firmware, or both")]
    NothingToFlash,
    #[error(
        "the partition table has no partition labelled '{label}' (it has: {}). Add a row for the \
         module to the firmware's partitions.csv, e.g. `{label}, data, undefined, , 256K`, and \
         rebuild the firmware, or set `[flash] partition = \"...\"` in espb.toml to an existing \
         label",
        .available.join(", ")
    )]
    PartitionNotFound { label: String, available: Vec<String> },
    #[error(
        "partition '{label}' is {what}, not a place for a module: writing the module there would \
         break the firmware. Use a `data, undefined` partition or a custom type 0x40-0xFE, and \
         set its label in espb.toml `[flash] partition`"
    )]
    NotAModulePartition { label: String, what: String },
    #[error(
        "partition '{label}' starts at {offset:#x}, which is not on a 4 KiB flash sector; fix its \
         offset in the partition table"
    )]
    Unaligned { label: String, offset: u32 },
    #[error("the module file is empty: run `cargo espb build` first")]
    EmptyModule,
    #[error(
        "the module does not fit its partition '{label}': {needed} bytes (module + 16-byte \
         header) but the partition holds {available}. Nothing was written. Make the partition \
         bigger in partitions.csv (and reflash the firmware with the new table) or make the \
         module smaller"
    )]
    ModuleTooLarge { label: String, needed: u64, available: u32 },
    #[error(
        "the partition table has no app partition named '{label}' (app partitions: {})",
        .available.join(", ")
    )]
    AppPartitionNotFound { label: String, available: Vec<String> },
    #[error(
        "the firmware image is not an ESP-IDF app image (first byte {found:#04x}, expected 0xe9): pass the idf.py build's `build/<project>.bin`, or the ELF with --firmware-image"
    )]
    NotAppImage { found: u8 },
    #[error(
        "the firmware image ({needed} bytes) does not fit app partition '{label}' ({available} \
         bytes). Nothing was written"
    )]
    FirmwareTooLarge { label: String, needed: u64, available: u32 },
    #[error(
        "the bootloader is not an ESP-IDF image (first byte {found:#04x}, expected 0xe9): pass the \
         idf.py build's `build/bootloader/bootloader.bin` with --bootloader, or leave it out to \
         use the build's own"
    )]
    NotBootloaderImage { found: u8 },
    #[error(
        "the bootloader ({len} bytes at {offset:#x}) runs into the partition table at \
         {table_offset:#x}. Nothing was written. Move the table (CONFIG_PARTITION_TABLE_OFFSET, \
         and rebuild) or use a smaller bootloader"
    )]
    BootloaderTooLarge { offset: u32, len: u64, table_offset: u32 },
    #[error(
        "the partition table's binary is not one ({reason}): rebuild it (`idf.py \
         partition-table`), or pass the CSV with --partition-table"
    )]
    BadTableBinary { reason: String },
    #[error(
        "partition '{label}' starts at {offset:#x}, inside the partition table's sector at \
         {table_offset:#x}: writing the table would overwrite it. Fix the offsets in \
         partitions.csv"
    )]
    TableOverlap { label: String, offset: u32, table_offset: u32 },
}

fn describe(p: &Partition) -> Option<String> {
    match (p.ty(), p.subtype()) {
        (Type::App, _) => Some(format!("an app partition ({})", p.subtype())),
        (Type::Data, SubType::Data(DataType::Undefined))
        | (Type::Data, SubType::Data(DataType::Fat))
        | (Type::Data, SubType::Data(DataType::Spiffs))
        | (Type::Data, SubType::Data(DataType::Littlefs))
        | (Type::Data, SubType::Data(DataType::Esphttpd)) => None,
        (Type::Data, sub) => Some(format!("a system data partition (`data, {sub}`)")),
        (Type::Custom(_), _) => None,
    }
}

fn labels(table: &PartitionTable, only_apps: bool) -> Vec<String> {
    table.partitions().iter().filter(|p| !only_apps || p.ty() == Type::App).map(|p| p.name()).collect()
}

fn app_partition<'t>(table: &'t PartitionTable, label: Option<&str>) -> Result<&'t Partition, PlanError> {
    let parts = table.partitions();
    let found = match label {
        Some(l) => parts.iter().find(|p| p.ty() == Type::App && p.name() == l),
        None => parts
            .iter()
            .find(|p| p.subtype() == SubType::App(AppType::Factory))
            .or_else(|| parts.iter().find(|p| p.subtype() == SubType::App(AppType::Ota_0)))
            .or_else(|| parts.iter().find(|p| p.ty() == Type::App)),
    };
    found.ok_or_else(|| PlanError::AppPartitionNotFound {
        label: label.unwrap_or("factory").to_string(),
        available: labels(table, true),
    })
}

/// Builds the plan, or refuses it.
pub fn plan(table: &PartitionTable, req: &Request<'_>) -> Result<Plan, PlanError> {
    if req.module.is_none() && req.firmware.is_none() {
        return Err(PlanError::NothingToFlash);
    }
    let mut regions = Vec::new();
    if let Some(fw) = req.firmware {
        let part = app_partition(table, fw.app_partition)?;
        match fw.image.first() {
            Some(&APP_IMAGE_MAGIC) => {}
            other => {
                return Err(PlanError::NotAppImage { found: other.copied().unwrap_or(0) });
            }
        }
        if fw.image.len() as u64 > u64::from(part.size()) {
            return Err(PlanError::FirmwareTooLarge {
                label: part.name(),
                needed: fw.image.len() as u64,
                available: part.size(),
            });
        }
        regions.push(Region {
            kind: RegionKind::Firmware,
            partition: part.name(),
            offset: part.offset(),
            partition_size: part.size(),
            data: fw.image.to_vec(),
        });
    }
    if let Some(m) = req.module {
        let part = table.find(m.label).ok_or_else(|| PlanError::PartitionNotFound {
            label: m.label.to_string(),
            available: labels(table, false),
        })?;
        if let Some(what) = describe(part) {
            return Err(PlanError::NotAModulePartition { label: part.name(), what });
        }
        if !part.offset().is_multiple_of(SECTOR) {
            return Err(PlanError::Unaligned { label: part.name(), offset: part.offset() });
        }
        if m.bytes.is_empty() {
            return Err(PlanError::EmptyModule);
        }
        let needed = (espb_runtime::format::partition::HEADER_LEN + m.bytes.len()) as u64;
        // Written in whole words (padded with 0xFF).
        if needed.next_multiple_of(4) > u64::from(part.size()) {
            return Err(PlanError::ModuleTooLarge { label: part.name(), needed, available: part.size() });
        }
        let data = espb_runtime::format::partition::wrap(m.bytes).map_err(|_| PlanError::ModuleTooLarge {
            label: part.name(),
            needed,
            available: part.size(),
        })?;
        regions.push(Region {
            kind: RegionKind::Module,
            partition: part.name(),
            offset: part.offset(),
            partition_size: part.size(),
            data,
        });
    }
    regions.sort_by_key(|r| r.offset);
    Ok(Plan { regions })
}

/// Adds the bootloader and partition-table regions to `plan`, or refuses
/// them. `table` is the table the plan was made for: the binary written
/// must be it.
pub fn add_system(plan: &mut Plan, table: &PartitionTable, sys: &SystemInput<'_>) -> Result<(), PlanError> {
    match sys.bootloader.first() {
        Some(&APP_IMAGE_MAGIC) => {}
        other => return Err(PlanError::NotBootloaderImage { found: other.copied().unwrap_or(0) }),
    }
    let end = u64::from(sys.bootloader_offset) + sys.bootloader.len() as u64;
    if end > u64::from(sys.table_offset) {
        return Err(PlanError::BootloaderTooLarge {
            offset: sys.bootloader_offset,
            len: sys.bootloader.len() as u64,
            table_offset: sys.table_offset,
        });
    }
    if !sys.table_offset.is_multiple_of(SECTOR) {
        return Err(PlanError::Unaligned { label: TABLE_LABEL.into(), offset: sys.table_offset });
    }
    if !sys.table.starts_with(&[0xAA, 0x50]) {
        return Err(PlanError::BadTableBinary { reason: "no partition entry at its start".into() });
    }
    if sys.table.len() > TABLE_MAX_LEN {
        return Err(PlanError::BadTableBinary {
            reason: format!("{} bytes, more than the {TABLE_MAX_LEN} ESP-IDF reads", sys.table.len()),
        });
    }
    let rows = |t: &PartitionTable| -> Vec<(String, u32, u32)> {
        t.partitions().iter().map(|p| (p.name(), p.offset(), p.size())).collect()
    };
    match super::table::parse_table(sys.table) {
        Ok((written, _)) if rows(&written) == rows(table) => {}
        Ok(_) => {
            return Err(PlanError::BadTableBinary {
                reason: "it differs from the partition table the plan was made for".into(),
            });
        }
        Err(e) => return Err(PlanError::BadTableBinary { reason: e.to_string() }),
    }
    let table_end = sys.table_offset + SECTOR;
    if let Some(p) =
        table.partitions().iter().find(|p| p.offset() < table_end && p.offset() + p.size() > sys.table_offset)
    {
        return Err(PlanError::TableOverlap { label: p.name(), offset: p.offset(), table_offset: sys.table_offset });
    }
    plan.regions.push(Region {
        kind: RegionKind::Bootloader,
        partition: BOOTLOADER_LABEL.into(),
        offset: sys.bootloader_offset,
        partition_size: sys.table_offset - sys.bootloader_offset,
        data: sys.bootloader.to_vec(),
    });
    plan.regions.push(Region {
        kind: RegionKind::PartitionTable,
        partition: TABLE_LABEL.into(),
        offset: sys.table_offset,
        partition_size: SECTOR,
        data: sys.table.to_vec(),
    });
    plan.regions.sort_by_key(|r| r.offset);
    Ok(())
}

/// A setting and where it came from, for the dry-run report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sourced<T> {
    pub value: T,
    pub source: String,
}

/// Everything the dry-run report shows besides the regions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub port: Option<Sourced<String>>,
    pub baud: Option<Sourced<u32>>,
    pub chip: Option<Sourced<String>>,
    pub table: Sourced<String>,
    /// Regions whose content on the device already matches are skipped
    /// (espflash compares MD5 on the device first).
    pub skip_unchanged: bool,
}

fn human(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else {
        format!("{n} B")
    }
}

/// The `--dry-run` report.
pub fn render(plan: &Plan, ctx: &Context) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "Flash plan (dry run: no device contacted, nothing written)");
    let _ = match &ctx.port {
        Some(p) => writeln!(s, "  port:            {} ({})", p.value, p.source),
        None => {
            writeln!(
                s,
                "  port:            not set: chosen among the USB serial ports present (a recognised board, else asked)"
            )
        }
    };
    let _ = match &ctx.baud {
        Some(b) => writeln!(s, "  baud:            {} ({})", b.value, b.source),
        None => writeln!(s, "  baud:            115200 (default)"),
    };
    let _ = match &ctx.chip {
        Some(c) => writeln!(s, "  chip:            {} ({}; checked against the device)", c.value, c.source),
        None => writeln!(s, "  chip:            detected when connecting"),
    };
    let _ = writeln!(s, "  partition table: {} ({})", ctx.table.value, ctx.table.source);
    let _ = writeln!(s, "  regions:");
    let _ = writeln!(
        s,
        "    {:<9} {:<16} {:>10} {:>12} {:>16}  if unchanged",
        "what", "partition", "offset", "size", "partition size"
    );
    for r in &plan.regions {
        let pct = u64::from(r.size()) * 100 / u64::from(r.partition_size.max(1));
        let _ = writeln!(
            s,
            "    {:<9} {:<16} {:>#10x} {:>12} {:>16}  {}",
            r.kind.to_string(),
            r.partition,
            r.offset,
            format!("{} B", r.size()),
            format!("{} ({pct}%)", human(r.partition_size.into())),
            if ctx.skip_unchanged { "skipped (MD5 compared on the device)" } else { "rewritten (--no-skip)" }
        );
    }
    s
}
