//! `compile_commands.json` (idf.py's `build/`, or esp-idf-sys's CMake build).

use super::{FlagsError, Scraped};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One entry of a compilation database.
#[derive(Debug, Clone, Deserialize)]
pub struct Entry {
    pub directory: PathBuf,
    pub file: PathBuf,
    #[serde(default)]
    pub command: Option<String>,
    #[serde(default)]
    pub arguments: Option<Vec<String>>,
}

impl Entry {
    /// The source path, absolute.
    pub fn source(&self) -> PathBuf {
        self.directory.join(&self.file)
    }

    /// The command line as argv (`arguments`, or `command` split like a shell).
    pub fn argv(&self, db: &Path) -> Result<Vec<String>, FlagsError> {
        if let Some(a) = &self.arguments {
            return Ok(a.clone());
        }
        let Some(c) = &self.command else {
            return Err(FlagsError::Json {
                path: db.to_path_buf(),
                message: format!("the entry for {} has neither `command` nor `arguments`", self.file.display()),
            });
        };
        shlex::split(c).ok_or_else(|| FlagsError::Json {
            path: db.to_path_buf(),
            message: format!("the command of {} has unbalanced quotes", self.file.display()),
        })
    }
}

/// Reads a compilation database.
pub fn load(path: &Path) -> Result<Vec<Entry>, FlagsError> {
    let text = std::fs::read_to_string(path).map_err(|source| FlagsError::Read { path: path.to_path_buf(), source })?;
    serde_json::from_str(&text).map_err(|e| FlagsError::Json { path: path.to_path_buf(), message: e.to_string() })
}

fn is_c(p: &Path) -> bool {
    p.extension().is_some_and(|e| e == "c")
}

/// The entry whose flags a module uses: a C file of the `main` component
/// (under `<project>/main/`), else any C file of a directory named `main`,
/// else the first C file.
pub fn choose<'a>(entries: &'a [Entry], project: Option<&Path>) -> Option<&'a Entry> {
    let c: Vec<&Entry> = entries.iter().filter(|e| is_c(&e.file)).collect();
    if let Some(p) = project {
        let main = p.join("main");
        if let Some(e) = c.iter().find(|e| e.source().starts_with(&main)) {
            return Some(e);
        }
    }
    c.iter()
        .find(|e| e.source().parent().and_then(|d| d.file_name()).is_some_and(|n| n == "main"))
        .or_else(|| c.first())
        .copied()
}

/// The firmware project of an idf.py build directory: `project_path` of
/// `project_description.json`, else the build directory's parent.
pub fn project_dir(build_dir: &Path) -> Option<PathBuf> {
    let desc = build_dir.join("project_description.json");
    let from_desc = std::fs::read_to_string(desc)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v.get("project_path").and_then(|p| p.as_str()).map(PathBuf::from));
    from_desc.or_else(|| build_dir.parent().map(Path::to_path_buf))
}

/// Scrapes the compile command of the chosen entry of `db`.
pub fn scrape(db: &Path, project: Option<&Path>) -> Result<Scraped, FlagsError> {
    let entries = load(db)?;
    let e = choose(&entries, project).ok_or_else(|| FlagsError::NoCEntry { path: db.to_path_buf() })?;
    let mut argv = e.argv(db)?;
    if argv.is_empty() {
        return Err(FlagsError::Json {
            path: db.to_path_buf(),
            message: format!("empty command for {}", e.file.display()),
        });
    }
    let compiler = argv.remove(0);
    Ok(Scraped {
        compiler: Some(compiler),
        args: argv,
        directory: e.directory.clone(),
        source: e.source(),
        origin: db.to_path_buf(),
    })
}
