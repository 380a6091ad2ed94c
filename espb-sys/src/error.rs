//! The one error type of espb-sys.

use std::path::PathBuf;

use crate::check::Violation;

/// Everything that can go wrong reading manifests and sdkconfig files,
/// checking manifests and generating tables. Every variant names the file
/// (and line where there is one) and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A syntax or consistency error in a manifest, lock, `.sym` or sdkconfig file.
    #[error("{file}:{line}: {message}")]
    Syntax { file: String, line: usize, message: String },

    /// `symbols check` found changes that break the append-only rule.
    #[error("{} violates the append-only rule ({} problem{}):\n{}",
        file,
        violations.len(),
        if violations.len() == 1 { "" } else { "s" },
        violations.iter().map(|v| format!("  {v}")).collect::<Vec<_>>().join("\n"))]
    NotAppendOnly { file: String, violations: Vec<Violation> },

    /// Running `git` failed.
    #[error("git {args}: {message}")]
    Git { args: String, message: String },

    /// A guard could not be resolved against the given configuration.
    #[error("table `{table}`, entry {index} `{name}` (line {line}): {message}")]
    Guard { table: String, index: u32, name: String, line: usize, message: String },

    /// The table has load-time configuration slots (`__espb_cfg_*`) and no
    /// sdkconfig was given to fill them.
    #[error(
        "table `{table}` has load-time configuration slots ({}) that hold the firmware's sdkconfig values, \
         but no sdkconfig was given: call .sdkconfig_from_env() in the build.rs of an esp-idf-sys firmware, \
         or .sdkconfig(path) with its sdkconfig, sdkconfig.h or sdkconfig.json; .without_config_values() \
         leaves them empty (modules that read them are then refused at load)",
        names.join(", ")
    )]
    MissingConfigValues { table: String, names: Vec<String> },

    /// A configuration slot's option has a value that is not a number.
    #[error("table `{table}`, entry {index} `{name}` (line {line}): {message}")]
    ConfigValue { table: String, index: u32, name: String, line: usize, message: String },

    /// Wrong use of the API or CLI (missing input, invalid table name, ...).
    #[error("{0}")]
    Usage(String),

    /// Compiling the generated C failed (feature `cc`).
    #[error("compiling {}: {message}", path.display())]
    Compile { path: PathBuf, message: String },
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }

    pub(crate) fn syntax(file: impl Into<String>, line: usize, message: impl Into<String>) -> Self {
        Error::Syntax { file: file.into(), line, message: message.into() }
    }
}

pub(crate) fn read_to_string(path: &std::path::Path) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::io(path, e))
}

pub(crate) fn write(path: &std::path::Path, text: &str) -> Result<(), Error> {
    // Leave an identical file untouched so build systems do not rebuild.
    if let Ok(old) = std::fs::read_to_string(path)
        && old == text
    {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| Error::io(path, e))
}
