//! Module projects: `espb.toml`, `cargo espb new`, and the project build
//! (parallel, incremental clang runs with the firmware's flags).
//!
//! espb.toml (see docs/project.md):
//!
//! ```toml
//! [package]
//! name = "blinky"
//! chip = "esp32c3"
//! [build]
//! output = "build/blinky.espb"   # default build/<name>.espb
//! sources = ["src/main.c"]       # default: every src/*.c
//! flags = ["-DDEBUG=1"]          # extra clang flags
//! clang = "/opt/esp-clang/bin/clang"
//! hints = "blinky.hints"
//! [firmware]
//! build = "../firmware/build"    # idf.py build directory, or
//! cargo = "../firmware"          # esp-idf-sys firmware crate
//! cargo-args = ["--release"]
//! [symbols]
//! idf = "standard"               # table name = manifest path, or "standard"
//! [flash]
//! partition = "espb"
//! firmware-build = "../firmware/build"
//! ```

#[cfg(feature = "translator")]
pub mod build;
pub mod new;
pub mod sim;
pub mod vendor;

#[cfg(feature = "translator")]
pub use build::{BuildOptions, BuildReport, build_project};
pub use new::{FirmwareKind, NewArgs, new_project};

use crate::flags::Chip;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file name of a project's configuration.
pub const MANIFEST: &str = "espb.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct EspbToml {
    pub package: PackageSection,
    #[serde(default)]
    pub build: BuildSection,
    #[serde(default)]
    pub firmware: FirmwareSection,
    /// Symbol tables the module imports from: table name -> manifest path
    /// (relative to the project) or `"standard"` (espb-sys's `idf` table).
    #[serde(default)]
    pub symbols: BTreeMap<String, String>,
    /// How `cargo espb run` simulates the module.
    #[serde(default)]
    pub sim: sim::SimSection,
    /// Read by `cargo espb flash` (flash/config.rs), which checks its keys.
    #[serde(default)]
    pub flash: Option<toml::Table>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PackageSection {
    pub name: String,
    #[serde(default, deserialize_with = "crate::flags::chip::deserialize_opt")]
    pub chip: Option<Chip>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct BuildSection {
    pub output: Option<PathBuf>,
    pub sources: Option<Vec<PathBuf>>,
    #[serde(default)]
    pub flags: Vec<String>,
    pub clang: Option<PathBuf>,
    pub hints: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct FirmwareSection {
    /// An idf.py build directory (holds compile_commands.json).
    pub build: Option<PathBuf>,
    /// An esp-idf-sys firmware crate (its OUT_DIR is found through cargo).
    pub cargo: Option<PathBuf>,
    /// Extra arguments of that `cargo build`.
    #[serde(default)]
    pub cargo_args: Vec<String>,
}

/// A parse error with "did you mean" when it names an unknown key or table
/// (toml: "unknown field `ouput`, expected one of `output`, `sources`, ...")
/// close to one of those expected.
fn with_suggestion(message: String) -> String {
    let Some(rest) = message.split("unknown field `").nth(1) else { return message };
    let Some((unknown, expected)) = rest.split_once('`') else { return message };
    let candidates = expected.split('`').skip(1).step_by(2);
    let best = candidates.map(|c| (edit_distance(unknown, c), c)).min();
    match best {
        Some((d, c)) if d <= unknown.len().max(3) / 3 => {
            let at = message.trim_end();
            format!("{at}\nhelp: did you mean `{c}`? (unknown keys and tables are refused, not ignored)")
        }
        _ => format!("{}\nhelp: unknown keys and tables are refused, not ignored", message.trim_end()),
    }
}

/// Levenshtein distance (insertions, deletions, substitutions) of two names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diag + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diag = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

/// A module project: the directory holding espb.toml, and its settings.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub file: PathBuf,
    pub config: EspbToml,
}

#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },

    #[error("{} is not a valid espb.toml: {message}", path.display())]
    Parse { path: PathBuf, message: String },

    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },

    #[error("{} has no C sources: add .c files to src/ or list them in `[build] sources`", root.display())]
    NoSources { root: PathBuf },

    #[error("source {} listed in {} does not exist", path.display(), file.display())]
    SourceMissing { path: PathBuf, file: PathBuf },

    #[error(transparent)]
    Flags(#[from] crate::flags::FlagsError),

    #[error(transparent)]
    Vendor(#[from] vendor::VendorError),

    #[error(transparent)]
    Toolchain(#[from] crate::toolchain::ToolchainError),

    #[error("clang could not compile {}", file.display())]
    Compile { file: PathBuf },

    #[error("could not run clang {}: {source}", clang.display())]
    ClangSpawn { clang: PathBuf, source: std::io::Error },

    #[cfg(feature = "translator")]
    #[error(transparent)]
    Build(#[from] crate::compile::BuildError),

    #[error("invalid project name `{name}`: {why}")]
    BadName { name: String, why: String },

    #[error("{} already exists: choose another name or remove it (nothing was written)", path.display())]
    Exists { path: PathBuf },

    #[error("symbol table `{table}` in {}: {message}", file.display())]
    Symbols { table: String, file: PathBuf, message: String },

    #[error("imports of {}: {source}", file.display())]
    Bind { file: PathBuf, source: Box<crate::bind::BindError> },

    #[error(
        "hints file {} named by `[build] hints` in {} does not exist: create it, or remove the key to build without \
         project hints",
        path.display(),
        file.display()
    )]
    HintsMissing { path: PathBuf, file: PathBuf },

    #[error(transparent)]
    Hints(#[from] crate::hints::HintsError),
}

/// The custom table a build in `dir` binds to when none is named:
/// (`custom`, `dir/symbols/custom.espbsym`) when that file exists.
pub fn default_custom_table(dir: &Path) -> Option<(String, PathBuf)> {
    let p = dir.join(crate::bind::DEFAULT_CUSTOM_MANIFEST);
    p.is_file().then(|| ("custom".to_string(), p))
}

impl Project {
    /// Reads `root/espb.toml`.
    pub fn load(root: &Path) -> Result<Project, ProjectError> {
        let root =
            std::fs::canonicalize(root).map_err(|source| ProjectError::Read { path: root.to_path_buf(), source })?;
        let file = root.join(MANIFEST);
        let text =
            std::fs::read_to_string(&file).map_err(|source| ProjectError::Read { path: file.clone(), source })?;
        let config: EspbToml = toml::from_str(&text)
            .map_err(|e| ProjectError::Parse { path: file.clone(), message: with_suggestion(e.to_string()) })?;
        new::validate_name(&config.package.name)
            .map_err(|why| ProjectError::Parse { path: file.clone(), message: format!("`[package] name`: {why}") })?;
        Ok(Project { root, file, config })
    }

    /// The project containing `start`: espb.toml in `start` or a parent.
    pub fn find(start: &Path) -> Result<Option<Project>, ProjectError> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            if d.join(MANIFEST).is_file() {
                return Project::load(d).map(Some);
            }
            dir = d.parent();
        }
        Ok(None)
    }

    pub fn name(&self) -> &str {
        &self.config.package.name
    }

    /// What the project's flags depend on (see [`crate::flags::firmware_flags`]).
    pub fn flags_source(&self) -> crate::flags::FlagsSource<'_> {
        let fw = &self.config.firmware;
        crate::flags::FlagsSource {
            root: &self.root,
            file: &self.file,
            chip: self.config.package.chip,
            idf_build: fw.build.as_deref(),
            cargo: fw.cargo.as_deref(),
            cargo_args: &fw.cargo_args,
        }
    }

    /// `[build] output`, default `build/<name>.espb`, absolute.
    pub fn output(&self) -> PathBuf {
        let rel =
            self.config.build.output.clone().unwrap_or_else(|| PathBuf::from(format!("build/{}.espb", self.name())));
        self.root.join(rel)
    }

    /// Where compiled bitcode and cache records go.
    pub fn target_dir(&self) -> PathBuf {
        self.root.join("target").join("espb")
    }

    /// The C sources, relative to the root: `[build] sources`, else every `src/*.c`, sorted.
    pub fn sources(&self) -> Result<Vec<PathBuf>, ProjectError> {
        let list = match &self.config.build.sources {
            Some(list) => {
                for s in list {
                    if !self.root.join(s).is_file() {
                        return Err(ProjectError::SourceMissing { path: self.root.join(s), file: self.file.clone() });
                    }
                }
                list.clone()
            }
            None => {
                let src = self.root.join("src");
                let mut v = Vec::new();
                if let Ok(rd) = std::fs::read_dir(&src) {
                    for e in rd.flatten() {
                        let p = e.path();
                        if p.extension().is_some_and(|x| x == "c") && p.is_file() {
                            v.push(PathBuf::from("src").join(e.file_name()));
                        }
                    }
                }
                v.sort();
                v
            }
        };
        if list.is_empty() {
            return Err(ProjectError::NoSources { root: self.root.clone() });
        }
        Ok(list)
    }

    /// The project's hints file (`[build] hints`, or `over` from the command
    /// line), parsed; `None` when none is configured. A configured file
    /// that does not exist is an error.
    pub fn hints(&self, over: Option<&Path>) -> Result<Option<crate::hints::HintFile>, ProjectError> {
        let path = match (over, &self.config.build.hints) {
            (Some(p), _) => p.to_path_buf(),
            (None, Some(rel)) => {
                let p = self.root.join(rel);
                if !p.is_file() {
                    return Err(ProjectError::HintsMissing { path: p, file: self.file.clone() });
                }
                p
            }
            (None, None) => return Ok(None),
        };
        Ok(Some(crate::hints::load(&path)?))
    }

    /// The project's own symbol tables (all but the standard `idf`; without
    /// any in `[symbols]`, `symbols/custom.espbsym` when it exists, as the
    /// build binds), loaded, for the simulator.
    pub fn custom_tables(&self) -> Result<Vec<(String, espb_sys::Manifest)>, ProjectError> {
        let mut named: Vec<(String, PathBuf)> = self
            .config
            .symbols
            .iter()
            .filter(|(_, m)| *m != "standard")
            .map(|(t, m)| (t.clone(), self.root.join(m)))
            .collect();
        if named.is_empty() {
            named.extend(default_custom_table(&self.root));
        }
        let mut v = Vec::new();
        for (table, path) in named {
            let m = espb_sys::TableBuilder::new(&table).manifest(path).load_manifest().map_err(|e| {
                ProjectError::Symbols { table: table.clone(), file: self.file.clone(), message: e.to_string() }
            })?;
            v.push((table, m));
        }
        Ok(v)
    }

    /// Checks the `[symbols]` manifests parse (the standard table is built in).
    pub fn check_symbols(&self) -> Result<(), ProjectError> {
        for (table, manifest) in &self.config.symbols {
            if manifest == "standard" {
                if table != "idf" {
                    return Err(ProjectError::Symbols {
                        table: table.clone(),
                        file: self.file.clone(),
                        message: "only the `idf` table is standard; give the path of this table's .espbsym manifest"
                            .into(),
                    });
                }
                continue;
            }
            let path = self.root.join(manifest);
            espb_sys::TableBuilder::new(table).manifest(&path).load_manifest().map_err(|e| ProjectError::Symbols {
                table: table.clone(),
                file: self.file.clone(),
                message: e.to_string(),
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod toml_tests {
    use super::*;

    fn load(text: &str) -> Result<Project, ProjectError> {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join(MANIFEST), text).unwrap();
        Project::load(d.path())
    }

    #[test]
    fn unknown_keys_and_tables_are_errors_with_a_suggestion() {
        let e = load("[package]\nname = \"app\"\n[build]\nouput = \"x.espb\"\n").unwrap_err().to_string();
        assert!(e.contains("unknown field `ouput`") && e.contains("did you mean `output`?"), "{e}");
        let e = load("[package]\nname = \"app\"\n[simm]\nseed = 1\n").unwrap_err().to_string();
        assert!(e.contains("`simm`") && e.contains("did you mean `sim`?"), "{e}");
        let e = load("[package]\nname = \"app\"\nchp = \"esp32c3\"\n").unwrap_err().to_string();
        assert!(e.contains("did you mean `chip`?"), "{e}");
        let e = load("[package]\nname = \"app\"\n[sim]\nfrobnicate = 1\n").unwrap_err().to_string();
        assert!(e.contains("`frobnicate`") && !e.contains("did you mean") && e.contains("refused"), "{e}");
        assert!(load("[package]\nname = \"app\"\n[build]\noutput = \"x.espb\"\n").is_ok());
        assert_eq!(edit_distance("ouput", "output"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
