//! Binding a translated module's imports to firmware symbol-table slots
//! ("fast symbols"): every import becomes (table, index), and the module
//! records, per table, how many slots it was built against and their hash,
//! which the loader compares with the firmware's table.

use espb_runtime::{ImportRef, Module, TableRef};
use espb_sys::{Manifest, TableBuilder};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Imports the runtime serves itself on every target (the module's private
/// heap, `strdup`'s copies included, sorting with callbacks, ending the
/// module, `div` whose struct each ABI returns its own way): never table
/// slots.
pub const RUNTIME_BUILTINS: &[&str] = &[
    "malloc",
    "calloc",
    "realloc",
    "free",
    "qsort",
    "bsearch",
    "exit",
    "_exit",
    "_Exit",
    "abort",
    "div",
    "ldiv",
    "lldiv",
    "aligned_alloc",
    "posix_memalign",
    "memalign",
    "strdup",
    "strndup",
];

#[derive(Debug, thiserror::Error)]
pub enum BindError {
    #[error(
        "{} not in any symbol table ({}): {}",
        if names.len() == 1 { "this function is" } else { "these functions are" },
        tables.join(", "),
        names.join(", ")
    )]
    Missing { names: Vec<String>, tables: Vec<String> },
    #[error("`{name}` was removed from symbol table `{table}` (slot {index} is a tombstone)")]
    Removed { name: String, table: String, index: u32 },
    #[error("`{name}` (slot {index} of table `{table}`) is disabled in {sdkconfig}: it needs `{guard}`")]
    GuardOff { name: String, table: String, index: u32, guard: String, sdkconfig: String },
    #[error("cannot evaluate symbol-table guards against {sdkconfig}: {message}")]
    Sdkconfig { sdkconfig: String, message: String },
    #[error("cannot update the custom symbol manifest {path}: {message}")]
    Custom { path: String, message: String },
    #[error("{0}")]
    Standard(String),
    #[error("{path}: {message}")]
    Manifest { path: String, message: String },
    #[error(
        "{} the C signature {} symbol table gives:\n  {}",
        if sites.len() == 1 { "a call does not match" } else { "calls do not match" },
        if sites.len() == 1 { "its" } else { "their" },
        sites.join("\n  ")
    )]
    Signature { sites: Vec<String> },
}

/// The project's custom table when none is named.
pub const DEFAULT_CUSTOM_MANIFEST: &str = "symbols/custom.espbsym";

/// How [`bind_imports`] binds a module's imports.
#[derive(Clone, Debug, Default)]
pub struct BindOptions {
    /// Symbol-table manifests after the standard `idf` table, in lookup
    /// order; the first is the custom table that `add_missing` grows.
    /// Empty: [`DEFAULT_CUSTOM_MANIFEST`].
    pub manifests: Vec<PathBuf>,
    /// The firmware's sdkconfig (sdkconfig, sdkconfig.h or sdkconfig.json):
    /// imports disabled there are errors naming the option.
    pub sdkconfig: Option<PathBuf>,
    /// Append imports found in no table to the custom manifest, regenerate
    /// its C sources, and bind again.
    pub add_missing: bool,
}

/// Imports that `add_missing` appended to a custom table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Added {
    pub names: Vec<String>,
    pub manifest: PathBuf,
    /// The directory of the regenerated C sources.
    pub generated: PathBuf,
}

/// Loads the tables `opts` names and [`bind`]s the module to them; with
/// `add_missing`, missing imports are added to the custom table first.
pub fn bind_imports(module: &mut Module, opts: &BindOptions) -> Result<Option<Added>, BindError> {
    let manifests =
        if opts.manifests.is_empty() { vec![PathBuf::from(DEFAULT_CUSTOM_MANIFEST)] } else { opts.manifests.clone() };
    let sdkconfig = opts.sdkconfig.as_deref();
    match bind(module, &load_tables(&manifests)?, sdkconfig) {
        Err(BindError::Missing { names, .. }) if opts.add_missing => {
            let manifest = manifests[0].clone();
            let generated = add_missing(&manifest, &names)?;
            bind(module, &load_tables(&manifests)?, sdkconfig)?;
            Ok(Some(Added { names, manifest, generated }))
        }
        r => r.map(|()| None),
    }
}

/// Maps every import of `module` (except [`RUNTIME_BUILTINS`]) to a slot of
/// the first table in `tables` that has it. With `sdkconfig`, an import
/// whose guard is off in that configuration is an error naming the option.
pub fn bind(module: &mut Module, tables: &[Manifest], sdkconfig: Option<&Path>) -> Result<(), BindError> {
    // Which slots each table fills in the firmware's configuration.
    let mut filled: Vec<Option<Vec<bool>>> = Vec::with_capacity(tables.len());
    for m in tables {
        filled.push(match sdkconfig {
            Some(cfg) => {
                Some(TableBuilder::new(m.name()).manifest_parsed(m.clone()).sdkconfig(cfg).resolve(m).map_err(|e| {
                    BindError::Sdkconfig { sdkconfig: cfg.display().to_string(), message: e.to_string() }
                })?)
            }
            None => None,
        });
    }

    let mut missing = Vec::new();
    // Per table: (module table index, highest slot used).
    let mut used: Vec<Option<(u8, u32)>> = vec![None; tables.len()];
    // Bound into copies, written back only when every import is bound: a
    // failed bind must leave the module as it was, or a retry (after
    // `--add-missing`) would keep slots that point into the old table order.
    let mut bound_tables: Vec<TableRef> = Vec::new();
    let mut bound = module.imports.clone();
    for imp in &mut bound {
        // An import bound before is bound again by its name.
        let name = match &imp.what {
            ImportRef::Name(name) | ImportRef::Slot { name: Some(name), .. } => name.clone(),
            ImportRef::Slot { name: None, .. } => continue,
        };
        if RUNTIME_BUILTINS.contains(&name.as_str()) {
            imp.what = ImportRef::Name(name);
            continue;
        }
        let Some((ti, e)) = tables.iter().enumerate().find_map(|(ti, m)| m.lookup(&name).map(|e| (ti, e))) else {
            missing.push(name);
            continue;
        };
        let m = &tables[ti];
        if e.removed {
            return Err(BindError::Removed { name, table: m.name().into(), index: e.index });
        }
        if let Some(f) = &filled[ti]
            && !f.get(e.index as usize).copied().unwrap_or(false)
        {
            return Err(BindError::GuardOff {
                name,
                table: m.name().into(),
                index: e.index,
                guard: e.guard.clone().unwrap_or_default(),
                sdkconfig: sdkconfig.map(|p| p.display().to_string()).unwrap_or_default(),
            });
        }
        let Ok(index) = u16::try_from(e.index) else {
            missing.push(name);
            continue;
        };
        let slot = match &mut used[ti] {
            Some((t, hi)) => {
                *hi = (*hi).max(e.index);
                *t
            }
            none => {
                let t = bound_tables.len() as u8;
                bound_tables.push(TableRef { name: m.name().into(), hash: 0, count: 0 });
                *none = Some((t, e.index));
                t
            }
        };
        imp.what = ImportRef::Slot { table: slot, index, name: Some(name) };
    }
    if !missing.is_empty() {
        missing.sort();
        missing.dedup();
        return Err(BindError::Missing {
            names: missing,
            tables: tables.iter().map(|m| m.name().to_string()).collect(),
        });
    }
    // Record just the prefix the module needs: older firmware with a shorter
    // table of the same prefix still loads it.
    for (ti, u) in used.iter().enumerate() {
        if let Some((t, hi)) = u {
            let count = hi + 1;
            let r = &mut bound_tables[*t as usize];
            r.count = count;
            r.hash = tables[ti].prefix_hash(count).unwrap_or(0);
        }
    }
    module.imports = bound;
    module.tables = bound_tables;
    check_signatures(module, tables)
}

/// The loader would refuse a call site whose type its native's manifest
/// signature does not accept (a C file declaring its own prototype of an
/// SDK function, say): refused here already, with the source line.
fn check_signatures(module: &Module, tables: &[Manifest]) -> Result<(), BindError> {
    let sigs: Vec<Option<&espb_runtime::signature::NativeSig>> = module
        .imports
        .iter()
        .map(|imp| match &imp.what {
            ImportRef::Slot { table, index, .. } => {
                let t = module.tables.get(usize::from(*table))?;
                let m = tables.iter().find(|m| m.name() == t.name)?;
                m.get(u32::from(*index))?.signature.as_ref()
            }
            ImportRef::Name(_) => None,
        })
        .collect();
    let sites: Vec<String> = espb_runtime::vm::mismatched_sites(module, &sigs)
        .into_iter()
        .map(|m| match module.source_line(m.function, m.offset) {
            Some((file, line)) => format!("{file}:{line}: {m}"),
            None => m.to_string(),
        })
        .collect();
    if sites.is_empty() { Ok(()) } else { Err(BindError::Signature { sites }) }
}

/// Appends `names` to the custom manifest at `path` (creating it), then
/// regenerates the table's C sources next to it (`<dir>/custom/`). Returns
/// the directory of the generated sources.
pub fn add_missing(path: &Path, names: &[String]) -> Result<PathBuf, BindError> {
    let err = |message: String| BindError::Custom { path: path.display().to_string(), message };
    let mut text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::from(
            "# The project's own symbol table `custom`: natives of this firmware that\n\
             # modules may call. APPEND-ONLY: an index keeps its function forever.\n\
             # INDEX NAME HEADER [if GUARD] [# comment]   (docs/symbols.md)\n",
        ),
        Err(e) => return Err(err(e.to_string())),
    };
    let existing = if text.trim().is_empty() {
        0
    } else {
        Manifest::parse_named("custom", &text, &path.display().to_string()).map_err(|e| err(e.to_string()))?.count()
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    for (k, n) in names.iter().enumerate() {
        let _ = writeln!(text, "{:<4} {n:<38} -    # added by --add-missing: name its header", existing + k as u32);
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
    }
    std::fs::write(path, &text).map_err(|e| err(e.to_string()))?;
    let out = path.parent().unwrap_or(Path::new(".")).join("custom");
    TableBuilder::new("custom").manifest(path).generate_c(&out).map_err(|e| err(e.to_string()))?;
    Ok(out)
}

/// Loads the tables a build binds against: the standard `idf` table, then
/// the given manifests (a project's `custom` table) in order.
pub fn load_tables(extra: &[PathBuf]) -> Result<Vec<Manifest>, BindError> {
    let mut tables = vec![espb_sys::try_standard_idf_manifest().map_err(|e| BindError::Standard(e.to_string()))?];
    for p in extra {
        if !p.exists() {
            continue;
        }
        let m = Manifest::load(p)
            .map_err(|e| BindError::Manifest { path: p.display().to_string(), message: e.to_string() })?;
        tables.push(m);
    }
    Ok(tables)
}
