//! Command-line arguments of `cargo espb flash`.

use std::path::PathBuf;

/// Write the module and/or the firmware to the device with espflash.
///
/// The module is built first (`cargo espb build`, unless --no-build or
/// --module-file) and goes into its own flash partition (label from
/// espb.toml `[flash] partition`, default `espb`), so a new module is
/// written without touching the firmware. --firmware writes the
/// bootloader, the partition table and the app, as espflash does.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct FlashArgs {
    /// Write the project's built .espb into its partition.
    #[arg(long)]
    pub module: bool,
    /// Write the firmware app image into its app partition (factory, else
    /// ota_0).
    #[arg(long)]
    pub firmware: bool,
    /// Module file to write [default: espb.toml `[build] output`, else
    /// build/module.espb].
    #[arg(long, value_name = "FILE")]
    pub module_file: Option<PathBuf>,
    /// Label of the module partition [default: espb.toml `[flash]
    /// partition`, else espb].
    #[arg(long, value_name = "LABEL")]
    pub partition: Option<String>,
    /// Partition table, CSV or binary (as espflash's --partition-table)
    /// [default: espflash.toml, else the firmware build's].
    #[arg(long, value_name = "FILE")]
    pub partition_table: Option<PathBuf>,
    /// The firmware's idf.py build directory (holds flasher_args.json)
    /// [default: espb.toml `[flash] firmware-build`].
    #[arg(long, value_name = "DIR")]
    pub firmware_build: Option<PathBuf>,
    /// Firmware to write instead of the build's app image: an ESP-IDF app
    /// .bin, or an ELF (converted by espflash for the chip).
    #[arg(long, value_name = "FILE")]
    pub firmware_image: Option<PathBuf>,
    /// Second-stage bootloader to write with --firmware [default: the
    /// firmware build's, else (for an ELF) espflash's own for the chip].
    #[arg(long, value_name = "FILE")]
    pub bootloader: Option<std::path::PathBuf>,
    /// App partition for the firmware [default: factory, else ota_0].
    #[arg(long, value_name = "LABEL")]
    pub target_app_partition: Option<String>,
    #[command(flatten)]
    pub ports: super::ports::PortArgs,
    /// Baud rate for writing [default: ESPFLASH_BAUD, espflash.toml
    /// baudrate, else 115200].
    #[arg(short = 'B', long)]
    pub baud: Option<u32>,
    /// Expected chip (esp32, esp32c3, ...); the device must match [default:
    /// the firmware build's target].
    #[arg(short = 'c', long)]
    pub chip: Option<String>,
    /// Module project directory (holds espb.toml) [default: .].
    #[arg(long, value_name = "DIR")]
    pub project: Option<PathBuf>,
    /// Print the plan (port, chip, regions) without a device.
    #[arg(long)]
    pub dry_run: bool,
    /// Rewrite regions even when the device already holds the same bytes.
    #[arg(long)]
    pub no_skip: bool,
    /// Do not check each region's MD5 on the device after writing.
    #[arg(long)]
    pub no_verify: bool,
    /// Do not use espflash's RAM stub loader.
    #[arg(long)]
    pub no_stub: bool,
    /// Write the module as it is, without `cargo espb build` first.
    #[arg(long)]
    pub no_build: bool,
    /// After flashing, print the device's output (`cargo espb monitor`).
    #[arg(short = 'M', long)]
    pub monitor: bool,
    /// The console's baud rate for --monitor.
    #[arg(long, default_value_t = 115_200)]
    pub monitor_baud: u32,
}
