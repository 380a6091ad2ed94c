//! Errors of the translator: each names the function and, when the IR has a
//! debug location, the source file and line.

use std::fmt;

/// A source position: file name (no directories) and line.
pub type SourceLoc = Option<(String, u32)>;

struct At<'a>(&'a SourceLoc);

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some((file, line)) => write!(f, " at {file}:{line}"),
            None => Ok(()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TranslateError {
    /// IR the VM cannot run (inline assembly, vectors, atomics, ...).
    #[error("unsupported {construct} in function `{function}`{}", At(location))]
    Unsupported { construct: String, function: String, location: SourceLoc },

    /// A thread-local variable the module uses but does not define.
    #[error(
        "external thread-local variable `{name}` is not supported{}: access it through a function",
        in_function(function)
    )]
    ExternalVariable { name: String, function: Option<String> },

    #[error(
        "function `{function}` needs {needed} registers even with spilling, more than the {} a \
         function may have; split it into smaller functions",
        espb_runtime::verify::MAX_REGS
    )]
    TooManyRegisters { function: String, needed: usize },

    #[error("function `{function}` has {size} bytes of bytecode, more than the 65535 a branch can reach; split it")]
    FunctionTooLarge { function: String, size: usize },

    #[error("the module has too many {what} ({count}, at most {limit})")]
    TooMany { what: &'static str, count: usize, limit: usize },

    #[error("global `{name}`: {msg}")]
    BadGlobal { name: String, msg: String },

    #[error("internal translator error in function `{function}`: {msg} (please report this)")]
    Internal { function: String, msg: String },
}

fn in_function(f: &Option<String>) -> String {
    match f {
        Some(f) => format!(" (used in function `{f}`)"),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsupported_reads_naturally() {
        let e = TranslateError::Unsupported {
            construct: "inline assembly".into(),
            function: "foo".into(),
            location: Some(("blink.c".into(), 12)),
        };
        assert_eq!(e.to_string(), "unsupported inline assembly in function `foo` at blink.c:12");
    }
}
