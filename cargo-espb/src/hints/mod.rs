//! `.hints` files: call metadata for natives (which argument is a callback,
//! its context, output pointers, blocking calls), merged with the standard
//! `idf` table's defaults (espb-sys `manifests/idf.hints`) and the
//! translator's analysis, and stored in the module's IMPORT_HINTS section.
//! See docs/project.md "Hints".

mod merge;
mod parse;

pub use merge::merge;
pub use parse::{HintAttr, HintError, HintFile, HintLine, SYNTAX_HELP};

use std::path::{Path, PathBuf};

/// Where the defaults come from, in messages.
pub const STANDARD_HINTS_PATH: &str = "espb-sys/manifests/idf.hints";

/// Errors reading or applying a hints file.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum HintsError {
    #[error("cannot read hints file {}: {source}", path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Parse(#[from] HintError),
}

/// The standard `idf` table's defaults, embedded in espb-sys.
pub fn standard_defaults() -> Result<HintFile, HintError> {
    HintFile::parse(STANDARD_HINTS_PATH, espb_sys::STANDARD_IDF_HINTS)
}

/// Reads and parses a project's hints file.
pub fn load(path: &Path) -> Result<HintFile, HintsError> {
    let text = std::fs::read_to_string(path).map_err(|source| HintsError::Read { path: path.to_path_buf(), source })?;
    Ok(HintFile::parse(&path.display().to_string(), &text)?)
}

/// Merges the defaults, `project` (a parsed hints file, if any) and the
/// translator's analysis into `module.import_hints`; returns warnings,
/// among them every callback passed to a native that will call it with
/// another type (the runtime's `module::callbacks` table, which the loader
/// checks too: such a module is refused at load).
pub fn apply(module: &mut espb_runtime::Module, project: Option<&HintFile>) -> Result<Vec<String>, HintsError> {
    let defaults = standard_defaults()?;
    let mut warnings = merge(module, &defaults, project)?;
    warnings.extend(
        espb_runtime::module::callbacks::check(module)
            .iter()
            .map(|m| format!("callback of the wrong type: {m}; the runtime refuses to load the module as it is")),
    );
    Ok(warnings)
}
