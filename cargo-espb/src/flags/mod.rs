//! The clang flags a module is compiled with: exactly the flags of the
//! firmware build (an idf.py `build/compile_commands.json`, or the CMake
//! build inside esp-idf-sys's OUT_DIR), GCC-only flags translated or dropped
//! ([`gcc_to_clang`], documented in `docs/flags.md`), plus the chip's clang
//! target flags ([`chip`]). Without a firmware build, the portable SDK
//! headers of espb-sys are used.

pub mod cargo_build;
pub mod chip;
pub mod cmake_file_api;
pub mod compile_commands;
pub mod gcc_to_clang;
pub mod sdk;
pub mod shims;

pub use chip::{Arch, Chip, ChipFlags};
pub use gcc_to_clang::Dropped;

use std::path::{Path, PathBuf};

/// Where Debian's newlib headers live (`apt-get install libnewlib-dev`).
pub const SYSTEM_NEWLIB: &str = "/usr/include/newlib";

/// Code generation flags of every C file without a firmware build (a
/// single-file build, a portable project): size-optimised like ESP-IDF's
/// default, with debug info for trap locations.
pub const DEFAULT_CFLAGS: &[&str] = &["-Os", "-g", "-ffunction-sections", "-fdata-sections", "-fno-common"];

/// `-isystem` for Debian's newlib headers, when they are installed, after
/// the [`shims`] that make them work on their own.
pub fn system_newlib_flags() -> Vec<String> {
    if !Path::new(SYSTEM_NEWLIB).is_dir() {
        return Vec::new();
    }
    let mut flags = Vec::new();
    if let Some(shims) = shims::dir() {
        flags.extend(["-isystem".into(), shims.display().to_string()]);
    }
    flags.extend(["-isystem".into(), SYSTEM_NEWLIB.into()]);
    flags
}

/// What a module build's flags depend on: where the module project is and
/// which firmware build it names (espb.toml's `[package] chip` and
/// `[firmware]`).
#[derive(Clone, Copy, Debug)]
pub struct FlagsSource<'a> {
    /// The module project's directory: firmware paths are relative to it,
    /// the portable SDK headers are written under it, and
    /// `-ffile-prefix-map` shortens it to `.`.
    pub root: &'a Path,
    /// The configuration file, named in errors.
    pub file: &'a Path,
    /// The chip the configuration names, if any.
    pub chip: Option<Chip>,
    /// An idf.py build directory.
    pub idf_build: Option<&'a Path>,
    /// An esp-idf-sys firmware crate.
    pub cargo: Option<&'a Path>,
    /// Extra arguments of that crate's `cargo build`.
    pub cargo_args: &'a [String],
}

/// A compile command scraped from a firmware build, before translation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scraped {
    /// The firmware's compiler (`.../riscv32-esp-elf-gcc`), when known.
    pub compiler: Option<String>,
    /// Its arguments (the compiler itself excluded).
    pub args: Vec<String>,
    /// Working directory of the command (relative paths resolve against it).
    pub directory: PathBuf,
    /// The firmware source file the command compiles.
    pub source: PathBuf,
    /// The file the command was read from.
    pub origin: PathBuf,
}

/// Where a project's flags came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlagsOrigin {
    /// No firmware build configured: espb-sys's portable SDK headers.
    Portable { sdk_include: PathBuf },
    /// A firmware build: the file read and the firmware source whose command was used.
    Firmware { file: PathBuf, source: PathBuf, out_dir: Option<PathBuf> },
}

/// The flags of a project, without the clang target flags (which depend on
/// the clang found: see [`FirmwareFlags::clang_args`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirmwareFlags {
    pub chip: Chip,
    pub origin: FlagsOrigin,
    pub flags: Vec<String>,
    /// Firmware flags left out, with the reason (printed with `--verbose`).
    pub dropped: Vec<Dropped>,
}

impl FirmwareFlags {
    /// Target flags of the chip, then the project's flags.
    pub fn clang_args(&self, esp_clang: bool) -> Vec<String> {
        let mut v = self.chip.target_flags(esp_clang);
        v.extend(self.flags.iter().cloned());
        v
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FlagsError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },

    #[error("{} is not valid: {message}", path.display())]
    Json { path: PathBuf, message: String },

    #[error(
        "the firmware build directory {} does not exist (espb.toml `[firmware] build`): \
         run `idf.py build` in the firmware project first, or fix the path", dir.display()
    )]
    BuildDirMissing { dir: PathBuf },

    #[error(
        "no compile_commands.json in the firmware build {}: run `idf.py build` in the firmware \
         project first (it writes build/compile_commands.json)", dir.display()
    )]
    NoCompileCommands { dir: PathBuf },

    #[error("{} has no C compile command to take flags from; is it the build of a firmware with a `main` component?", path.display())]
    NoCEntry { path: PathBuf },

    #[error(
        "{} sets both `[firmware] build` (idf.py) and `[firmware] cargo` (esp-idf-sys): keep the one your firmware uses",
        file.display()
    )]
    BothFirmware { file: PathBuf },

    #[error(
        "the chip in {} is {configured}, but the firmware build is for {firmware} ({}): \
         set `[package] chip = \"{firmware}\"` or point `[firmware]` at the {configured} build",
        file.display(), origin.display()
    )]
    ChipMismatch { file: PathBuf, configured: String, firmware: String, origin: PathBuf },

    #[error(
        "no chip known for {}: set `[package] chip` in espb.toml (one of {})",
        file.display(), Chip::names()
    )]
    NoChip { file: PathBuf },

    #[error("{} has no Cargo.toml: `[firmware] cargo` must name the esp-idf-sys firmware crate", dir.display())]
    NoCargoToml { dir: PathBuf },

    #[error("could not run `{}` in {}: {source}; install Rust or set CARGO", cargo.display(), dir.display())]
    CargoSpawn { cargo: PathBuf, dir: PathBuf, source: std::io::Error },

    #[error("`cargo build` of the firmware in {} failed ({status}) before esp-idf-sys's build script ran; fix the firmware build first", dir.display())]
    CargoFailed { dir: PathBuf, status: String },

    #[error(
        "no `build-script-executed` message of esp-idf-sys in {origin} (firmware {}): \
         does the firmware depend on esp-idf-sys?", dir.display()
    )]
    NoOutDir { dir: PathBuf, origin: String },

    #[error(
        "esp-idf-sys's OUT_DIR {} has neither CMake File API replies (build/.cmake/api/v1/reply) \
         nor build/compile_commands.json: build the firmware once with `cargo build`", out_dir.display()
    )]
    NoCmakeBuild { out_dir: PathBuf },

    #[error("cannot write the portable SDK headers to {}: {source}", path.display())]
    Sdk { path: PathBuf, source: std::io::Error },
}

/// The flags of the build `src` describes (see the module docs).
pub fn firmware_flags(src: &FlagsSource<'_>) -> Result<FirmwareFlags, FlagsError> {
    firmware_flags_verbose(src, false)
}

/// [`firmware_flags`], printing what is run and read when `verbose`.
pub fn firmware_flags_verbose(src: &FlagsSource<'_>, verbose: bool) -> Result<FirmwareFlags, FlagsError> {
    let (scraped, out_dir) = match (src.idf_build, src.cargo) {
        (Some(_), Some(_)) => return Err(FlagsError::BothFirmware { file: src.file.to_path_buf() }),
        (None, None) => return portable(src),
        (Some(b), None) => {
            let dir = src.root.join(b);
            if !dir.is_dir() {
                return Err(FlagsError::BuildDirMissing { dir });
            }
            let db = dir.join("compile_commands.json");
            if !db.is_file() {
                return Err(FlagsError::NoCompileCommands { dir });
            }
            let fw_project = compile_commands::project_dir(&dir);
            (compile_commands::scrape(&db, fw_project.as_deref())?, None)
        }
        (None, Some(c)) => {
            let dir = src.root.join(c);
            let out = cargo_build::out_dir(&dir, src.cargo_args, verbose)?;
            let build = out.join("build");
            let s = match cmake_file_api::scrape(&build)? {
                Some(s) => s,
                None => {
                    let db = build.join("compile_commands.json");
                    if !db.is_file() {
                        return Err(FlagsError::NoCmakeBuild { out_dir: out });
                    }
                    compile_commands::scrape(&db, None)?
                }
            };
            (s, Some(out))
        }
    };
    if verbose {
        eprintln!("       Flags from {} (command of {})", scraped.origin.display(), scraped.source.display());
    }
    from_scraped(src, scraped, out_dir)
}

/// `CONFIG_IDF_TARGET` of the first `sdkconfig.h` in the include dirs.
fn sdkconfig_target(flags: &[String]) -> Option<(String, PathBuf)> {
    let mut it = flags.iter();
    while let Some(f) = it.next() {
        let dir = if f == "-I" || f == "-isystem" {
            it.next().map(PathBuf::from)
        } else {
            f.strip_prefix("-I").map(PathBuf::from)
        };
        let Some(dir) = dir else { continue };
        let p = dir.join("sdkconfig.h");
        let Ok(text) = std::fs::read_to_string(&p) else { continue };
        for line in text.lines() {
            let mut w = line.split_whitespace();
            if w.next() == Some("#define")
                && w.next() == Some("CONFIG_IDF_TARGET")
                && let Some(v) = w.next()
            {
                return Some((v.trim_matches('"').to_string(), p));
            }
        }
    }
    None
}

/// The newlib headers of the firmware's GCC toolchain (`<bin>/../<triple>/include`),
/// else Debian's.
fn newlib_include(compiler: Option<&str>, chip: Chip) -> Option<PathBuf> {
    if let Some(c) = compiler {
        let gcc = Path::new(c);
        if let Some(root) = gcc.parent().and_then(Path::parent) {
            let triples = ["riscv32-esp-elf".to_string(), "xtensa-esp-elf".to_string(), format!("xtensa-{chip}-elf")];
            for t in triples {
                let inc = root.join(t).join("include");
                if inc.join("stdint.h").is_file() || inc.join("newlib.h").is_file() {
                    return Some(inc);
                }
            }
        }
    }
    Path::new(SYSTEM_NEWLIB).is_dir().then(|| PathBuf::from(SYSTEM_NEWLIB))
}

/// Shortens the project's directory to `.` in debug info and trap locations.
fn prefix_map(root: &Path) -> String {
    format!("-ffile-prefix-map={}=.", root.display())
}

fn from_scraped(src: &FlagsSource<'_>, s: Scraped, out_dir: Option<PathBuf>) -> Result<FirmwareFlags, FlagsError> {
    let t = gcc_to_clang::translate(&s.args, &s.directory);
    let configured = src.chip;
    let mismatch = |firmware: String, origin: PathBuf| FlagsError::ChipMismatch {
        file: src.file.to_path_buf(),
        configured: configured.map(|c| c.to_string()).unwrap_or_default(),
        firmware,
        origin,
    };
    let mut chip = configured;
    if let Some((target, origin)) = sdkconfig_target(&t.flags) {
        match (target.parse::<Chip>(), configured) {
            (Ok(fc), Some(cc)) if fc != cc => return Err(mismatch(target, origin)),
            (Ok(fc), None) => chip = Some(fc),
            _ => {}
        }
    }
    if let Some(compiler) = s.compiler.as_deref() {
        match (chip::from_gcc_name(compiler), chip) {
            (Some(Ok(fc)), Some(cc)) if fc != cc => return Err(mismatch(fc.to_string(), s.origin.clone())),
            (Some(Err(arch)), Some(cc)) if arch != cc.arch() => {
                let what = if arch == Arch::Xtensa { "an Xtensa chip" } else { "a RISC-V chip" };
                return Err(mismatch(what.to_string(), s.origin.clone()));
            }
            (Some(Ok(fc)), None) => chip = Some(fc),
            _ => {}
        }
    }
    let chip = chip.ok_or_else(|| FlagsError::NoChip { file: src.file.to_path_buf() })?;
    let mut flags = t.flags;
    if let Some(inc) = newlib_include(s.compiler.as_deref(), chip) {
        if let Some(shims) = shims::dir() {
            flags.extend(["-isystem".into(), shims.display().to_string()]);
        }
        flags.push("-isystem".into());
        flags.push(inc.display().to_string());
    }
    flags.push(prefix_map(src.root));
    Ok(FirmwareFlags {
        chip,
        origin: FlagsOrigin::Firmware { file: s.origin, source: s.source, out_dir },
        flags,
        dropped: t.dropped,
    })
}

/// Flags of a project without a firmware build: espb-sys's portable headers.
fn portable(src: &FlagsSource<'_>) -> Result<FirmwareFlags, FlagsError> {
    let sdk = sdk::materialize(src.root)?;
    let chip = src.chip.unwrap_or(chip::DEFAULT_CHIP);
    Ok(FirmwareFlags {
        chip,
        origin: FlagsOrigin::Portable { sdk_include: sdk.clone() },
        flags: portable_flags(src.root, &sdk),
        dropped: Vec::new(),
    })
}

/// The flags of a portable build, for a project at `root` with the SDK at `sdk`.
pub fn portable_flags(root: &Path, sdk: &Path) -> Vec<String> {
    let mut flags = system_newlib_flags();
    flags.push(format!("-I{}", sdk.display()));
    flags.extend(DEFAULT_CFLAGS.iter().map(|f| f.to_string()));
    flags.push(prefix_map(root));
    flags
}
