//! Settings for `cargo espb flash`: espb.toml (only the keys flashing needs),
//! espflash.toml / espflash_ports.toml and the `ESPFLASH_PORT` /
//! `ESPFLASH_BAUD` environment, read like cargo-espflash does, and an idf.py
//! build's `flasher_args.json`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::plan::Sourced;

/// A settings file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source}", .path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{} is not valid: {message}", .path.display())]
    Parse { path: PathBuf, message: String },
    #[error("environment variable {var} = `{value}` is not a baud rate: set a number like 460800 or unset it")]
    BadEnv { var: &'static str, value: String },
    #[error(
        "{} is not an idf.py build directory (no flasher_args.json): run `idf.py build` in the \
         firmware project, or pass --partition-table and --firmware-image",
        .0.display()
    )]
    NotIdfBuild(PathBuf),
    #[error(
        "{} is not a usable idf.py build: {message}. Run `idf.py build` in the firmware project again \
         (an interrupted or older build leaves flasher_args.json incomplete)",
        .path.display()
    )]
    BadIdfBuild { path: PathBuf, message: String },
}

// ---------------------------------------------------------------- espb.toml

fn default_partition() -> String {
    super::MODULE_PARTITION_LABEL.into()
}
fn default_output() -> PathBuf {
    PathBuf::from("build/module.espb")
}

#[derive(Debug, Deserialize, Default)]
struct EspbToml {
    #[serde(default)]
    flash: FlashSection,
    #[serde(default)]
    build: BuildSection,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FlashSection {
    #[serde(default = "default_partition")]
    partition: String,
    /// The firmware's idf.py build directory (holds flasher_args.json).
    #[serde(default, alias = "firmware_build")]
    #[serde(rename = "firmware-build")]
    firmware_build: Option<PathBuf>,
}

impl Default for FlashSection {
    fn default() -> Self {
        FlashSection { partition: default_partition(), firmware_build: None }
    }
}

#[derive(Debug, Deserialize)]
struct BuildSection {
    #[serde(default = "default_output")]
    output: PathBuf,
}

impl Default for BuildSection {
    fn default() -> Self {
        BuildSection { output: default_output() }
    }
}

/// What flashing needs from the module project's espb.toml.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectConfig {
    /// The espb.toml read, if there was one.
    pub file: Option<PathBuf>,
    /// `[flash] partition`, default `espb`.
    pub partition: String,
    /// `[build] output`, resolved against the project directory.
    pub module: PathBuf,
    /// `[flash] firmware-build`, resolved against the project directory.
    pub firmware_build: Option<PathBuf>,
}

/// Parses espb.toml text; relative paths are resolved against `dir`.
pub fn parse_project(text: &str, dir: &Path) -> Result<ProjectConfig, String> {
    let t: EspbToml = toml::from_str(text).map_err(|e| e.to_string())?;
    if t.flash.partition.is_empty() {
        return Err("`[flash] partition` is empty: give the module partition's label".into());
    }
    Ok(ProjectConfig {
        file: None,
        partition: t.flash.partition,
        module: dir.join(t.build.output),
        firmware_build: t.flash.firmware_build.map(|p| dir.join(p)),
    })
}

/// Reads `dir/espb.toml`; a missing file gives the defaults.
pub fn load_project(dir: &Path) -> Result<ProjectConfig, ConfigError> {
    let path = dir.join("espb.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let mut c =
                parse_project(&text, dir).map_err(|message| ConfigError::Parse { path: path.clone(), message })?;
            c.file = Some(path);
            Ok(c)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut c = parse_project("", dir).map_err(|message| ConfigError::Parse { path: path.clone(), message })?;
            c.file = None;
            Ok(c)
        }
        Err(source) => Err(ConfigError::Read { path, source }),
    }
}

// ------------------------------------------------------------ espflash.toml

/// What cargo-espb uses from espflash's configuration files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EspflashConfig {
    /// Top-level `baudrate`, and the file it came from.
    pub baudrate: Option<Sourced<u32>>,
    /// `[idf] partition_table` (or `[idf_format_args]`).
    pub partition_table: Option<Sourced<PathBuf>>,
    /// `[connection] serial` from espflash_ports.toml (or espflash@3's
    /// espflash.toml).
    pub port: Option<Sourced<String>>,
    /// `[[usb_device]]` entries (vid/pid) of the same files: boards to pick
    /// without asking when exactly one of them is connected.
    pub usb_devices: Vec<UsbDevice>,
}

/// A board's USB ids, as espflash_ports.toml's `[[usb_device]]` gives
/// them (hex strings: `vid = "303a"`, `pid = "0x1001"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct UsbDevice {
    #[serde(deserialize_with = "hex_u16")]
    pub vid: u16,
    #[serde(deserialize_with = "hex_u16")]
    pub pid: u16,
}

fn hex_u16<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    let s = String::deserialize(d)?;
    let digits = s.trim().trim_start_matches("0x").trim_start_matches("0X");
    u16::from_str_radix(digits, 16)
        .map_err(|_| serde::de::Error::custom(format!("`{s}` is not a 16-bit hex USB id (e.g. \"303a\")")))
}

#[derive(Debug, Deserialize, Default)]
struct EspflashToml {
    baudrate: Option<u32>,
    #[serde(alias = "idf")]
    idf_format_args: Option<IdfArgs>,
    connection: Option<ConnectionSection>,
    #[serde(default)]
    usb_device: Vec<UsbDevice>,
}

#[derive(Debug, Deserialize, Default)]
struct IdfArgs {
    partition_table: Option<PathBuf>,
}

#[derive(Debug, Deserialize, Default)]
struct ConnectionSection {
    serial: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
struct PortsToml {
    connection: Option<ConnectionSection>,
    #[serde(default)]
    usb_device: Vec<UsbDevice>,
}

/// Parses espflash.toml text (`origin` names it in the report).
pub fn parse_espflash_toml(text: &str, origin: &str) -> Result<EspflashConfig, String> {
    let t: EspflashToml = toml::from_str(text).map_err(|e| e.to_string())?;
    Ok(EspflashConfig {
        baudrate: t.baudrate.map(|value| Sourced { value, source: origin.into() }),
        partition_table: t
            .idf_format_args
            .and_then(|i| i.partition_table)
            .map(|value| Sourced { value, source: origin.into() }),
        port: t.connection.and_then(|c| c.serial).map(|value| Sourced { value, source: origin.into() }),
        usb_devices: t.usb_device,
    })
}

/// Parses espflash_ports.toml text: the `[connection] serial` port.
pub fn parse_ports_toml(text: &str, origin: &str) -> Result<Option<Sourced<String>>, String> {
    Ok(parse_ports(text, origin)?.0)
}

/// espflash_ports.toml: the port and the `[[usb_device]]` entries.
fn parse_ports(text: &str, origin: &str) -> Result<(Option<Sourced<String>>, Vec<UsbDevice>), String> {
    let t: PortsToml = toml::from_str(text).map_err(|e| e.to_string())?;
    Ok((t.connection.and_then(|c| c.serial).map(|value| Sourced { value, source: origin.into() }), t.usb_device))
}

/// espflash's global config directory (`directories::ProjectDirs` for
/// `rs.esp.espflash`), from the environment.
pub fn global_config_dir(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if cfg!(target_os = "windows") {
        env("APPDATA").map(|d| Path::new(&d).join("esp").join("espflash").join("config"))
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| Path::new(&h).join("Library/Application Support").join("rs.esp.espflash"))
    } else {
        env("XDG_CONFIG_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| env("HOME").map(|h| Path::new(&h).join(".config")))
            .map(|d| d.join("espflash"))
    }
}

/// Where espflash looks for `name`: the current directory, its parent, then
/// the global config directory. The first that exists.
pub fn find_config(name: &str, cwd: &Path, global: Option<&Path>) -> Option<PathBuf> {
    let local = cwd.join(name);
    if local.is_file() {
        return Some(local);
    }
    if let Some(parent) = cwd.parent() {
        let p = parent.join(name);
        if p.is_file() {
            return Some(p);
        }
    }
    global.map(|g| g.join(name)).filter(|p| p.is_file())
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })
}

/// Loads espflash.toml and espflash_ports.toml as espflash finds them.
pub fn load_espflash(cwd: &Path, global: Option<&Path>) -> Result<EspflashConfig, ConfigError> {
    let mut cfg = EspflashConfig::default();
    if let Some(path) = find_config("espflash.toml", cwd, global) {
        cfg = parse_espflash_toml(&read(&path)?, &path.display().to_string())
            .map_err(|message| ConfigError::Parse { path: path.clone(), message })?;
        // espflash resolves the table path against the current directory.
        if let Some(pt) = &mut cfg.partition_table
            && pt.value.is_relative()
        {
            pt.value = cwd.join(&pt.value);
        }
    }
    if let Some(path) = find_config("espflash_ports.toml", cwd, global) {
        let (port, devices) = parse_ports(&read(&path)?, &path.display().to_string())
            .map_err(|message| ConfigError::Parse { path: path.clone(), message })?;
        if port.is_some() {
            cfg.port = port;
        }
        // espflash 4 keeps them here; espflash 3 kept them in espflash.toml.
        if !devices.is_empty() {
            cfg.usb_devices = devices;
        }
    }
    Ok(cfg)
}

/// The port: `--port`, then `ESPFLASH_PORT`, then the config files.
pub fn resolve_port(
    flag: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    cfg: &EspflashConfig,
) -> Option<Sourced<String>> {
    if let Some(p) = flag {
        return Some(Sourced { value: p.into(), source: "--port".into() });
    }
    if let Some(p) = env("ESPFLASH_PORT").filter(|p| !p.is_empty()) {
        return Some(Sourced { value: p, source: "ESPFLASH_PORT".into() });
    }
    cfg.port.clone()
}

/// The baud rate: `--baud`, then `ESPFLASH_BAUD`, then espflash.toml.
pub fn resolve_baud(
    flag: Option<u32>,
    env: &dyn Fn(&str) -> Option<String>,
    cfg: &EspflashConfig,
) -> Result<Option<Sourced<u32>>, ConfigError> {
    if let Some(b) = flag {
        return Ok(Some(Sourced { value: b, source: "--baud".into() }));
    }
    if let Some(v) = env("ESPFLASH_BAUD").filter(|v| !v.is_empty()) {
        let value = v.trim().replace('_', "").parse::<u32>().ok().filter(|b| *b > 0);
        return match value {
            Some(value) => Ok(Some(Sourced { value, source: "ESPFLASH_BAUD".into() })),
            None => Err(ConfigError::BadEnv { var: "ESPFLASH_BAUD", value: v }),
        };
    }
    Ok(cfg.baudrate.clone())
}

// ------------------------------------------------------- flasher_args.json

/// What an idf.py build directory says about the firmware.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdfBuild {
    pub dir: PathBuf,
    /// The app image (`app.file`), resolved against `dir`.
    pub app_bin: Option<PathBuf>,
    /// The partition table binary (`partition-table.file`).
    pub partition_table: Option<PathBuf>,
    /// Where the table goes (`partition-table.offset`, 0x8000 unless
    /// CONFIG_PARTITION_TABLE_OFFSET moved it).
    pub partition_table_offset: Option<u32>,
    /// The second-stage bootloader (`bootloader.file`) and its offset
    /// (the chip's boot address).
    pub bootloader: Option<(u32, PathBuf)>,
    /// `extra_esptool_args.chip`, e.g. `esp32c3`.
    pub chip: Option<String>,
}

#[derive(Debug, Deserialize)]
struct FlasherArgs {
    app: Option<FlashFile>,
    #[serde(rename = "partition-table")]
    partition_table: Option<FlashFile>,
    bootloader: Option<FlashFile>,
    extra_esptool_args: Option<ExtraArgs>,
}

#[derive(Debug, Deserialize)]
struct FlashFile {
    file: PathBuf,
    offset: Option<String>,
}

impl FlashFile {
    /// The offset idf.py wrote (`"0x8000"`), if any.
    fn offset(&self, what: &str) -> Result<Option<u32>, String> {
        self.offset
            .as_deref()
            .map(|o| parse_int::parse::<u32>(o.trim()).map_err(|_| format!("the {what} offset `{o}` is not a number")))
            .transpose()
    }
}

#[derive(Debug, Deserialize)]
struct ExtraArgs {
    chip: Option<String>,
}

/// Parses flasher_args.json text of the build in `dir`.
pub fn parse_flasher_args(json: &str, dir: &Path) -> Result<IdfBuild, String> {
    let a: FlasherArgs = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let partition_table_offset = a.partition_table.as_ref().map(|f| f.offset("partition-table")).transpose()?.flatten();
    let bootloader = match &a.bootloader {
        Some(f) => match f.offset("bootloader")? {
            Some(o) => Some((o, dir.join(&f.file))),
            None => return Err("`bootloader` has no `offset`".into()),
        },
        None => None,
    };
    Ok(IdfBuild {
        dir: dir.to_path_buf(),
        app_bin: a.app.map(|f| dir.join(f.file)),
        partition_table: a.partition_table.map(|f| dir.join(f.file)),
        partition_table_offset,
        bootloader,
        chip: a.extra_esptool_args.and_then(|e| e.chip),
    })
}

/// Reads `dir/flasher_args.json`.
pub fn load_idf_build(dir: &Path) -> Result<IdfBuild, ConfigError> {
    let path = dir.join("flasher_args.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ConfigError::NotIdfBuild(dir.to_path_buf()));
        }
        Err(source) => return Err(ConfigError::Read { path, source }),
    };
    parse_flasher_args(&text, dir).map_err(|message| ConfigError::BadIdfBuild { path, message })
}
