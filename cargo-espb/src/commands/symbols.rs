//! `cargo espb symbols ...`: check, lock and generate firmware symbol tables.

use crate::error::CliError;
use std::path::{Path, PathBuf};

use espb_sys::check::{Baseline, check, lock_text};
use espb_sys::{Manifest, TableBuilder};

/// `cargo espb symbols` subcommands.
#[derive(clap::Subcommand, Debug, Clone)]
pub enum SymbolsCmd {
    /// Refuse changes that renumber, reuse or remove an index of MANIFEST.
    ///
    /// Compares with a lock file (--lock), with the manifest as committed at
    /// a git revision (--against), or by default with MANIFEST's sibling
    /// `<table>.lock` if it exists, else with `HEAD`.
    Check {
        /// The manifest (`.espbsym`, or an ESPB `.sym` file).
        manifest: PathBuf,
        /// Lock file written by `cargo espb symbols lock`.
        #[arg(long, conflicts_with = "against")]
        lock: Option<PathBuf>,
        /// Git revision holding the previous version (e.g. `HEAD`, `origin/main`).
        #[arg(long, value_name = "GIT_REV")]
        against: Option<String>,
    },
    /// Write the lock file (index -> name) of MANIFEST.
    Lock {
        manifest: PathBuf,
        /// Output file (default: `<table>.lock` next to the manifest).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Generate the firmware side of a table: an ESP-IDF component (--c)
    /// and/or Rust source (--rust); or convert a `.sym` file (--convert).
    Gen {
        /// The manifest (default: the standard `idf` manifest of espb-sys).
        manifest: Option<PathBuf>,
        /// Table name (default: the manifest's file name up to the first `.`).
        #[arg(long)]
        table: Option<String>,
        /// Write the ESP-IDF component (`espb_symtab_<table>.c/.h`, CMakeLists.txt) here.
        #[arg(long, value_name = "DIR")]
        c: Option<PathBuf>,
        /// Write `espb_symtab_<table>.rs` here.
        #[arg(long, value_name = "DIR")]
        rust: Option<PathBuf>,
        /// Resolve guards for Rust from this sdkconfig / sdkconfig.h / sdkconfig.json, and
        /// take the configuration values (`__espb_cfg_*`) from it (without it, guards
        /// become `#[cfg]` on esp-idf-sys cfg names and configuration slots stay empty).
        #[arg(long)]
        sdkconfig: Option<PathBuf>,
        /// Treat a Kconfig option as enabled (repeatable).
        #[arg(long, value_name = "CONFIG_X")]
        enable: Vec<String>,
        /// ESP-IDF version for `IDF >= x.y` guards, e.g. `5.2`.
        #[arg(long, value_name = "MAJOR.MINOR")]
        idf_version: Option<String>,
        /// Write the manifest as canonical `.espbsym` text to this file (converts `.sym`).
        #[arg(long, value_name = "FILE")]
        convert: Option<PathBuf>,
    },
    /// Derive the natives' C signatures of MANIFEST from the headers its
    /// entries name (the firmware's own headers with -I, the portable SDK
    /// headers and newlib), and show them; --write puts them into MANIFEST.
    Sigs {
        manifest: PathBuf,
        /// A directory of the firmware's headers (repeatable), searched first.
        #[arg(short = 'I', long = "include", value_name = "DIR")]
        include: Vec<PathBuf>,
        /// Write the signatures into MANIFEST (entries whose signature has
        /// the same ABI types keep their line: refinements stay).
        #[arg(long)]
        write: bool,
    },
}

impl SymbolsCmd {
    /// Runs the subcommand; reports go to stdout, errors are returned.
    pub fn exec(&self) -> Result<(), CliError> {
        match self {
            SymbolsCmd::Sigs { manifest, include, write } => sigs(manifest, include, *write),
            _ => Ok(run(self)?),
        }
    }
}

/// `cargo espb symbols sigs`.
fn sigs(path: &Path, include: &[PathBuf], write: bool) -> Result<(), CliError> {
    use crate::sigs::Derived;
    let m = Manifest::load(path)?;
    // The portable SDK headers, in a directory of this run only.
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    let scratch = std::env::temp_dir().join(format!("cargo-espb-sigs-{}-{nanos}", std::process::id()));
    let sdk = crate::flags::sdk::materialize(&scratch);
    let derived = sdk.map_err(CliError::from).and_then(|sdk| derive_with(&m, include, &sdk));
    let _ = std::fs::remove_dir_all(&scratch);
    let derived = derived?;
    let mut take = std::collections::BTreeMap::new();
    let (mut same, mut missing) = (0, Vec::new());
    for e in m.live().filter(|e| espb_sys::gen_c::config_option(&e.name).is_none()) {
        match (derived.get(&e.name), &e.signature) {
            // A data object's access and pointee are the manifest's to refine.
            (Some(Derived::Sig(s)), Some(old))
                if s.abi_text() == old.abi_text()
                    || s.data.is_some_and(|d| old.data.is_some_and(|o| o.size == d.size)) =>
            {
                same += 1
            }
            (Some(Derived::Sig(s)), old) => {
                match old {
                    Some(o) => println!("{:<5} {:<36} {s}   (manifest: {o})", e.index, e.name),
                    None => println!("{:<5} {:<36} {s}", e.index, e.name),
                }
                take.insert(e.name.clone(), s.clone());
            }
            (Some(Derived::Inexpressible(why)), _) => println!("{:<5} {:<36} no signature: {why}", e.index, e.name),
            (None, _) => missing.push(e.name.as_str()),
        }
    }
    println!("{same} signatures agree with the headers, {} new or different", take.len());
    if !missing.is_empty() {
        println!("not declared by the headers found ({}): {}", missing.len(), missing.join(" "));
    }
    if write && !take.is_empty() {
        let text = std::fs::read_to_string(path).map_err(|e| espb_sys::Error::Io { path: path.into(), source: e })?;
        let (new, n) = crate::sigs::apply(&text, &take);
        // The result must still be a manifest, with the same slots.
        Manifest::parse_named(m.name(), &new, &path.display().to_string())?;
        std::fs::write(path, new).map_err(|e| espb_sys::Error::Io { path: path.into(), source: e })?;
        println!("wrote {} ({n} lines changed)", path.display());
    }
    Ok(())
}

/// The signatures of `m` from its headers, found in `include` and `sdk`.
fn derive_with(
    m: &Manifest,
    include: &[PathBuf],
    sdk: &Path,
) -> Result<std::collections::BTreeMap<String, crate::sigs::Derived>, CliError> {
    let clang = crate::toolchain::find(None)?;
    let mut args: Vec<String> =
        ["--target=riscv32-esp-elf", "-march=rv32imc", "-mabi=ilp32"].iter().map(|s| s.to_string()).collect();
    for d in include {
        args.extend(["-I".to_string(), d.display().to_string()]);
    }
    args.extend(["-I".to_string(), sdk.display().to_string()]);
    args.extend(crate::flags::system_newlib_flags());
    Ok(crate::sigs::derive(m, &clang.clang, &args)?)
}

fn run(cmd: &SymbolsCmd) -> Result<(), espb_sys::Error> {
    match cmd {
        SymbolsCmd::Check { manifest, lock, against } => {
            let m = Manifest::load(manifest)?;
            let default_lock = lock_path(manifest, &m);
            let base = match (lock, against) {
                (Some(l), _) => Baseline::load_lock(l)?,
                (None, Some(rev)) => match Baseline::from_git(manifest, rev)? {
                    Some(b) => b,
                    None => {
                        println!(
                            "{}: not present at {rev}: new table `{}`, {} slots, nothing to compare",
                            manifest.display(),
                            m.name(),
                            m.count()
                        );
                        return Ok(());
                    }
                },
                (None, None) if default_lock.exists() => Baseline::load_lock(&default_lock)?,
                (None, None) => match Baseline::from_git(manifest, "HEAD")? {
                    Some(b) => b,
                    None => {
                        println!(
                            "{}: no lock file ({}) and not committed: nothing to compare",
                            manifest.display(),
                            default_lock.display()
                        );
                        return Ok(());
                    }
                },
            };
            let r = check(&m, &base)?;
            println!(
                "{}: append-only OK against {} ({} kept, {} appended{}); table `{}` hash 0x{:08x}",
                manifest.display(),
                base.source,
                r.kept,
                r.appended,
                if r.removed.is_empty() { String::new() } else { format!(", removed: {}", r.removed.join(" ")) },
                m.name(),
                m.hash()
            );
            Ok(())
        }
        SymbolsCmd::Lock { manifest, output } => {
            let m = Manifest::load(manifest)?;
            let out = output.clone().unwrap_or_else(|| lock_path(manifest, &m));
            std::fs::write(&out, lock_text(&m)).map_err(|e| espb_sys::Error::Io { path: out.clone(), source: e })?;
            println!("wrote {} ({} slots, hash 0x{:08x})", out.display(), m.count(), m.hash());
            Ok(())
        }
        SymbolsCmd::Gen { manifest, table, c, rust, sdkconfig, enable, idf_version, convert } => {
            let m = match manifest {
                Some(p) => Manifest::load(p)?,
                None => espb_sys::try_standard_idf_manifest()?,
            };
            let name = table.clone().unwrap_or_else(|| m.name().to_string());
            if c.is_none() && rust.is_none() && convert.is_none() {
                return Err(espb_sys::Error::Usage(
                    "nothing to generate: give --c DIR, --rust DIR and/or --convert FILE".into(),
                ));
            }
            if let Some(out) = convert {
                std::fs::write(out, m.to_text()).map_err(|e| espb_sys::Error::Io { path: out.clone(), source: e })?;
                println!("wrote {} ({} slots)", out.display(), m.count());
            }
            let mut b = TableBuilder::new(&name).manifest_parsed(m).enabled_options(enable).cargo_directives(false);
            match sdkconfig {
                Some(s) => b = b.sdkconfig(s),
                None => b = b.without_config_values(),
            }
            if let Some(v) = idf_version {
                let parsed = v.split_once('.').and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
                let Some((maj, min)) = parsed else {
                    return Err(espb_sys::Error::Usage(format!("--idf-version {v}: expected MAJOR.MINOR, e.g. 5.2")));
                };
                b = b.idf_version(maj, min);
            }
            if let Some(dir) = c {
                let g = b.generate_c(dir)?;
                println!(
                    "wrote ESP-IDF component {} (table `{name}`, {} slots, hash 0x{:08x})",
                    dir.display(),
                    g.count,
                    g.hash
                );
            }
            if let Some(dir) = rust {
                std::fs::create_dir_all(dir).map_err(|e| espb_sys::Error::Io { path: dir.clone(), source: e })?;
                let g = b.generate_rust(dir)?;
                let cfg_slots = config_slot_count(&b)?;
                println!(
                    "wrote {} ({} slots, hash 0x{:08x}{}{})",
                    g.path.display(),
                    g.count,
                    g.hash,
                    if g.disabled.is_empty() {
                        String::new()
                    } else {
                        format!(", {} disabled by configuration", g.disabled.len())
                    },
                    if cfg_slots > 0 && g.config_values.is_empty() {
                        format!(", {cfg_slots} configuration values left empty: pass --sdkconfig to fill them")
                    } else {
                        String::new()
                    }
                );
            }
            Ok(())
        }
        SymbolsCmd::Sigs { .. } => Ok(()),
    }
}

/// How many configuration-value slots (`__espb_cfg_*`) the builder's table has.
fn config_slot_count(b: &TableBuilder) -> Result<usize, espb_sys::Error> {
    let m = b.load_manifest()?;
    Ok(m.live().filter(|e| espb_sys::gen_c::config_option(&e.name).is_some()).count())
}

/// `dir/idf.espbsym` → `dir/idf.lock`.
fn lock_path(manifest: &Path, m: &Manifest) -> PathBuf {
    manifest.with_file_name(format!("{}.lock", m.name()))
}
