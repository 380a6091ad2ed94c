//! The append-only rule: an index keeps its meaning forever.
//!
//! A new version of a manifest may only append slots (at the next index) and
//! turn live entries into tombstones (`13 - removed:old_name`). It may not
//! renumber, reuse or drop an index. Baselines are a lock file (`*.lock`,
//! written by [`lock_text`]) or the manifest as committed at a git revision.

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::process::Command;

use crate::error::{Error, read_to_string};
use crate::manifest::{Manifest, is_ident, split_comment};

/// One slot of a baseline (lock file or older manifest).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaselineEntry {
    pub index: u32,
    pub name: String,
    pub removed: bool,
    /// Line in the baseline file.
    pub line: usize,
}

/// The previous state a manifest is checked against.
#[derive(Clone, Debug)]
pub struct Baseline {
    /// Where it came from, e.g. `idf.lock` or `HEAD:espb-sys/manifests/idf.espbsym`.
    pub source: String,
    pub entries: Vec<BaselineEntry>,
}

impl Baseline {
    /// The baseline of an existing manifest.
    pub fn from_manifest(m: &Manifest, source: impl Into<String>) -> Baseline {
        Baseline {
            source: source.into(),
            entries: m
                .entries()
                .iter()
                .map(|e| BaselineEntry { index: e.index, name: e.name.clone(), removed: e.removed, line: e.line })
                .collect(),
        }
    }

    /// Parses a lock file: `INDEX NAME` or `INDEX - removed:NAME` per line.
    pub fn parse_lock(text: &str, source: impl Into<String>) -> Result<Baseline, Error> {
        let source = source.into();
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let err = |m: String| Error::syntax(&source, line, m);
            let (body, _) = split_comment(raw);
            let toks: Vec<&str> = body.split_whitespace().collect();
            let (index, name, removed) = match toks.as_slice() {
                [] => continue,
                [idx, "-", what] => match what.strip_prefix("removed:") {
                    Some(n) => (*idx, n, true),
                    None => return Err(err(format!("expected `removed:NAME`, found `{what}`"))),
                },
                [idx, name] => (*idx, *name, false),
                _ => {
                    return Err(err("a lock line reads `INDEX NAME` or `INDEX - removed:NAME`; \
                         regenerate it with `cargo espb symbols lock`"
                        .to_string()));
                }
            };
            let index: u32 = index.parse().map_err(|_| err(format!("`{index}` is not an index")))?;
            if !is_ident(name) {
                return Err(err(format!("`{name}` is not a C identifier")));
            }
            entries.push(BaselineEntry { index, name: name.to_string(), removed, line });
        }
        let mut seen: HashMap<u32, usize> = HashMap::new();
        for e in &entries {
            if let Some(l) = seen.insert(e.index, e.line) {
                return Err(Error::syntax(&source, e.line, format!("index {} appears twice (also line {l})", e.index)));
            }
        }
        entries.sort_by_key(|e| e.index);
        Ok(Baseline { source, entries })
    }

    /// Reads a lock file.
    pub fn load_lock(path: &Path) -> Result<Baseline, Error> {
        let text = read_to_string(path)?;
        Self::parse_lock(&text, path.display().to_string())
    }

    /// The manifest as committed at `rev` (`git show REV:./FILE`, run in the
    /// manifest's directory). `Ok(None)` when the file does not exist at `rev`.
    pub fn from_git(manifest_path: &Path, rev: &str) -> Result<Option<Baseline>, Error> {
        let dir = match manifest_path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let file = manifest_path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .ok_or_else(|| Error::Usage(format!("{} is not a file path", manifest_path.display())))?;
        let spec = format!("{rev}:./{file}");
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["show", &spec])
            .output()
            .map_err(|e| Error::Git { args: format!("show {spec}"), message: format!("cannot run git: {e}") })?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            if stderr.contains("does not exist in") || stderr.contains("exists on disk, but not in") {
                return Ok(None);
            }
            return Err(Error::Git {
                args: format!("-C {} show {spec}", dir.display()),
                message: stderr.trim().to_string(),
            });
        }
        let text = String::from_utf8(out.stdout).map_err(|_| Error::Git {
            args: format!("show {spec}"),
            message: "the committed manifest is not UTF-8".to_string(),
        })?;
        let source = format!("{rev}:{}", manifest_path.display());
        let name = crate::manifest::table_name_from_path(manifest_path)?;
        let old = if manifest_path.extension().is_some_and(|e| e == "sym") {
            crate::symfile::parse_sym(&name, &text, &source)?
        } else {
            Manifest::parse_named(&name, &text, &source)?
        };
        Ok(Some(Baseline::from_manifest(&old, source)))
    }
}

/// What went wrong with one index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ViolationKind {
    /// The slot disappeared (must stay as a tombstone).
    Removed,
    /// A live slot now holds another name.
    Renamed,
    /// A name moved to another index.
    Renumbered { new_index: u32 },
    /// A tombstone was replaced by a live entry.
    Reused,
    /// A tombstone names another function than the entry it replaces.
    WrongTombstone,
}

/// One break of the append-only rule, with both sides located.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub index: u32,
    pub kind: ViolationKind,
    pub old_name: String,
    pub old_line: usize,
    pub old_source: String,
    pub new_name: Option<String>,
    pub new_line: Option<usize>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let old = format!("`{}` ({} line {})", self.old_name, self.old_source, self.old_line);
        let new_at = self.new_line.map(|l| format!("line {l}")).unwrap_or_default();
        let new_name = self.new_name.as_deref().unwrap_or("");
        match &self.kind {
            ViolationKind::Removed => write!(
                f,
                "index {}: {old} was removed; keep it as a tombstone `{} - removed:{}`",
                self.index, self.index, self.old_name
            ),
            ViolationKind::Renamed => write!(
                f,
                "index {}: was {old}, now `{new_name}` ({new_at}); an index keeps its function \
                 forever: restore `{}` and append `{new_name}` at a new index",
                self.index, self.old_name
            ),
            ViolationKind::Renumbered { new_index } => {
                write!(f, "index {}: {old} moved to index {new_index} ({new_at}); indices never change", self.index)
            }
            ViolationKind::Reused => write!(
                f,
                "index {}: tombstone of {old} reused for `{new_name}` ({new_at}); removed \
                 indices are never reused: append `{new_name}` at a new index",
                self.index
            ),
            ViolationKind::WrongTombstone => write!(
                f,
                "index {}: tombstone `removed:{new_name}` ({new_at}) but the slot held {old}; \
                 write `{} - removed:{}`",
                self.index, self.index, self.old_name
            ),
        }
    }
}

/// Result of a successful check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckReport {
    /// Slots present in the baseline (all unchanged or tombstoned).
    pub kept: u32,
    /// Slots appended since the baseline.
    pub appended: u32,
    /// Entries turned into tombstones since the baseline.
    pub removed: Vec<String>,
}

/// Lists every violation of the append-only rule (empty = fine).
pub fn violations(new: &Manifest, old: &Baseline) -> Vec<Violation> {
    let mut out = Vec::new();
    let new_index_of: HashMap<&str, u32> = new.live().map(|e| (e.name.as_str(), e.index)).collect();
    for o in &old.entries {
        let mk = |kind, new_name: Option<String>, new_line| Violation {
            index: o.index,
            kind,
            old_name: o.name.clone(),
            old_line: o.line,
            old_source: old.source.clone(),
            new_name,
            new_line,
        };
        let Some(n) = new.get(o.index) else {
            out.push(mk(ViolationKind::Removed, None, None));
            continue;
        };
        match (o.removed, n.removed) {
            (false, false) | (true, true) if n.name == o.name => {}
            (false, true) if n.name == o.name => {}
            (false, false) => {
                let kind = match new_index_of.get(o.name.as_str()) {
                    Some(&j) if j != o.index => ViolationKind::Renumbered { new_index: j },
                    _ => ViolationKind::Renamed,
                };
                let line = match kind {
                    ViolationKind::Renumbered { new_index } => new.get(new_index).map(|e| e.line),
                    _ => Some(n.line),
                };
                out.push(mk(kind, Some(n.name.clone()), line));
            }
            (true, false) => out.push(mk(ViolationKind::Reused, Some(n.name.clone()), Some(n.line))),
            (_, true) => out.push(mk(ViolationKind::WrongTombstone, Some(n.name.clone()), Some(n.line))),
        }
    }
    out
}

/// Checks `new` against `old`: `Err(Error::NotAppendOnly)` lists every problem.
pub fn check(new: &Manifest, old: &Baseline) -> Result<CheckReport, Error> {
    let v = violations(new, old);
    if !v.is_empty() {
        return Err(Error::NotAppendOnly { file: new.source().to_string(), violations: v });
    }
    let kept = old.entries.len() as u32;
    let removed = old
        .entries
        .iter()
        .filter(|o| !o.removed && new.get(o.index).is_some_and(|n| n.removed))
        .map(|o| o.name.clone())
        .collect();
    Ok(CheckReport { kept, appended: new.count().saturating_sub(kept), removed })
}

/// Lock file text for a manifest.
pub fn lock_text(m: &Manifest) -> String {
    let mut out = format!(
        "# espb symbol lock: table `{}`, {} slots, hash 0x{:08x}\n\
         # written by `cargo espb symbols lock`; commit it next to the manifest.\n\
         # `cargo espb symbols check MANIFEST --lock THIS_FILE` refuses renumbered,\n\
         # reused or removed indices.\n",
        m.name(),
        m.count(),
        m.hash()
    );
    for e in m.entries() {
        if e.removed {
            out.push_str(&format!("{} - removed:{}\n", e.index, e.name));
        } else {
            out.push_str(&format!("{} {}\n", e.index, e.name));
        }
    }
    out
}
