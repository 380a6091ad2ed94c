//! Symbol manifests: parsing, lookup, hash.
//!
//! Format (see `docs/symbols.md`), one entry per line:
//!
//! ```text
//! # comment
//! 0   printf                   stdio.h
//! 12  xTaskCreatePinnedToCore  freertos/task.h
//! 57  ledc_set_duty            driver/ledc.h  if CONFIG_SOC_LEDC_SUPPORTED  # comment
//! 60  my_print=native_print    -              # import name = C symbol, no header
//! 13  - removed:old_name                      # tombstone
//! 14  strlen   string.h  i32(str)             # with its C signature
//! ```

use std::collections::HashMap;
use std::fmt;
use std::path::Path;

use crate::error::{Error, read_to_string};
use crate::hash::{Fnv1a, prefix_hashes};
use espb_runtime::signature::NativeSig;

/// Comparison of an `IDF` version guard term.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionOp {
    /// `IDF >= major.minor`
    Ge,
    /// `IDF < major.minor`
    Lt,
}

/// One term of a guard (a guard is a conjunction of terms).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GuardTerm {
    /// `CONFIG_X` (or `!CONFIG_X` when `negated`): a bool Kconfig option.
    /// `name` keeps its `CONFIG_` prefix.
    Option { name: String, negated: bool },
    /// `IDF >= 5.2` / `IDF < 5.2`: the ESP-IDF version the firmware builds with.
    IdfVersion { op: VersionOp, major: u32, minor: u32 },
}

/// A parsed guard: all terms must hold for the slot to be filled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Guard {
    pub terms: Vec<GuardTerm>,
}

impl Guard {
    /// Parses `CONFIG_A && !CONFIG_B && IDF >= 5.2`.
    pub fn parse(text: &str) -> Result<Guard, String> {
        let mut terms = Vec::new();
        for raw in text.split("&&") {
            let t = raw.trim();
            if t.is_empty() {
                return Err(format!("empty term in guard `{text}`: write `if CONFIG_A && CONFIG_B`"));
            }
            terms.push(parse_term(t)?);
        }
        Ok(Guard { terms })
    }

    /// The `CONFIG_*` options the guard reads.
    pub fn options(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().filter_map(|t| match t {
            GuardTerm::Option { name, .. } => Some(name.as_str()),
            GuardTerm::IdfVersion { .. } => None,
        })
    }

    /// Whether the guard has an `IDF` version term.
    pub fn has_version(&self) -> bool {
        self.terms.iter().any(|t| matches!(t, GuardTerm::IdfVersion { .. }))
    }
}

fn parse_term(t: &str) -> Result<GuardTerm, String> {
    if let Some(rest) = t.strip_prefix("IDF") {
        let rest = rest.trim_start();
        let (op, ver) = if let Some(v) = rest.strip_prefix(">=") {
            (VersionOp::Ge, v)
        } else if let Some(v) = rest.strip_prefix('<') {
            (VersionOp::Lt, v)
        } else {
            return Err(format!("version term `{t}`: write `IDF >= 5.2` or `IDF < 5.2`"));
        };
        let ver = ver.trim();
        let (maj, min) = ver.split_once('.').unwrap_or((ver, "0"));
        let (Ok(major), Ok(minor)) = (maj.parse::<u32>(), min.parse::<u32>()) else {
            return Err(format!("version term `{t}`: `{ver}` is not MAJOR.MINOR (e.g. `IDF >= 5.2`)"));
        };
        return Ok(GuardTerm::IdfVersion { op, major, minor });
    }
    let (negated, name) = match t.strip_prefix('!') {
        Some(n) => (true, n.trim_start()),
        None => (false, t),
    };
    if !name.starts_with("CONFIG_") || !is_ident(name) || name.len() == "CONFIG_".len() {
        return Err(format!(
            "guard term `{t}` is not a Kconfig option: write `CONFIG_NAME`, `!CONFIG_NAME`, \
             `IDF >= 5.2` or `IDF < 5.2`, joined with `&&`"
        ));
    }
    Ok(GuardTerm::Option { name: name.to_string(), negated })
}

impl fmt::Display for GuardTerm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GuardTerm::Option { name, negated } => {
                write!(f, "{}{name}", if *negated { "!" } else { "" })
            }
            GuardTerm::IdfVersion { op, major, minor } => {
                let op = match op {
                    VersionOp::Ge => ">=",
                    VersionOp::Lt => "<",
                };
                write!(f, "IDF {op} {major}.{minor}")
            }
        }
    }
}

impl fmt::Display for Guard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.terms.iter().enumerate() {
            if i > 0 {
                f.write_str(" && ")?;
            }
            write!(f, "{t}")?;
        }
        Ok(())
    }
}

/// One slot of a table: a live entry or a tombstone (`removed`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The slot's index, stable forever.
    pub index: u32,
    /// The import name modules use (for a tombstone: the removed name).
    pub name: String,
    /// The C symbol whose address fills the slot (usually `name`).
    pub native: String,
    /// Canonical guard text (`CONFIG_A && IDF >= 5.2`), `None` when always present.
    pub guard: Option<String>,
    /// The header declaring the function, `None` for `-` (the generator
    /// declares it) and for tombstones.
    pub header: Option<String>,
    /// A tombstone: the slot is NULL forever, the index is never reused.
    pub removed: bool,
    /// The native's C signature (`i32(str,...)`), when the manifest gives
    /// one; a tombstone keeps the one it had, so its hash stays.
    pub signature: Option<NativeSig>,
    /// 1-based line in the manifest (0 when built in memory).
    pub line: usize,
    /// The trailing `# comment`, if any.
    pub comment: Option<String>,
    guard_expr: Option<Guard>,
}

impl Entry {
    /// The parsed guard.
    pub fn guard_expr(&self) -> Option<&Guard> {
        self.guard_expr.as_ref()
    }

    /// A live entry (not a tombstone).
    pub fn is_live(&self) -> bool {
        !self.removed
    }

    /// What the table hash covers of this slot: the name, and the
    /// signature's ABI part when it has one (`printf i32(ptr,...)`).
    pub fn hash_key(&self) -> String {
        match &self.signature {
            Some(s) => format!("{} {}", self.name, s.abi_text()),
            None => self.name.clone(),
        }
    }
}

/// A parsed manifest: entries sorted by index, indices `0..count` all present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Manifest {
    name: String,
    source: String,
    entries: Vec<Entry>,
    by_name: HashMap<String, usize>,
}

impl Manifest {
    /// Parses manifest text. The table name comes from `source`'s file name
    /// up to the first `.` (`manifests/idf.espbsym` → `idf`).
    pub fn parse(text: &str, source: impl AsRef<Path>) -> Result<Manifest, Error> {
        let source = source.as_ref();
        let name = table_name_from_path(source)?;
        Self::parse_named(&name, text, &source.display().to_string())
    }

    /// Parses manifest text for table `name`; `source` names the file in errors.
    pub fn parse_named(name: &str, text: &str, source: &str) -> Result<Manifest, Error> {
        check_table_name(name)?;
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            if let Some(e) = parse_line(raw, i + 1, source)? {
                entries.push(e);
            }
        }
        Self::from_entries(name, source, entries)
    }

    /// Loads a manifest file: `.sym` files (ESPB's `ESPB_SYM(...)` lines) are
    /// converted, anything else is read as an espb manifest.
    pub fn load(path: impl AsRef<Path>) -> Result<Manifest, Error> {
        let path = path.as_ref();
        let text = read_to_string(path)?;
        if path.extension().is_some_and(|e| e == "sym") {
            let name = table_name_from_path(path)?;
            crate::symfile::parse_sym(&name, &text, &path.display().to_string())
        } else {
            Self::parse(&text, path)
        }
    }

    /// Builds a manifest from entries (validated: unique indices and live
    /// names, no gaps).
    pub(crate) fn from_entries(name: &str, source: &str, mut entries: Vec<Entry>) -> Result<Manifest, Error> {
        entries.sort_by_key(|e| e.index);
        for w in entries.windows(2) {
            if w[0].index == w[1].index {
                let (a, b) = if w[0].line <= w[1].line { (&w[0], &w[1]) } else { (&w[1], &w[0]) };
                return Err(Error::syntax(
                    source,
                    b.line,
                    format!(
                        "index {} is used twice: `{}` here and `{}` on line {}; \
                         indices are stable and unique, append new entries at index {}",
                        b.index,
                        b.name,
                        a.name,
                        a.line,
                        entries.last().map_or(0, |e| e.index + 1)
                    ),
                ));
            }
        }
        for (expected, e) in entries.iter().enumerate() {
            if e.index as usize != expected {
                return Err(Error::syntax(
                    source,
                    e.line,
                    format!(
                        "index {expected} is missing (next index here is {}): indices run from 0 \
                         without gaps; a removed entry stays as a tombstone `{expected} - removed:NAME`",
                        e.index
                    ),
                ));
            }
        }
        let mut by_name: HashMap<String, usize> = HashMap::new();
        for (pos, e) in entries.iter().enumerate() {
            if !e.is_live() {
                continue;
            }
            if let Some(&other) = by_name.get(&e.name) {
                let o = &entries[other];
                return Err(Error::syntax(
                    source,
                    e.line.max(o.line),
                    format!(
                        "`{}` is listed twice (indices {} and {}, lines {} and {}); \
                         a name has one index",
                        e.name, o.index, e.index, o.line, e.line
                    ),
                ));
            }
            by_name.insert(e.name.clone(), pos);
        }
        // Tombstones are found by name when no live entry has that name.
        for (pos, e) in entries.iter().enumerate() {
            if !e.is_live() {
                by_name.entry(e.name.clone()).or_insert(pos);
            }
        }
        Ok(Manifest { name: name.to_string(), source: source.to_string(), entries, by_name })
    }

    /// The table name (`idf`, `custom`, ...): a C identifier.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where the manifest came from (file path), for messages.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// All slots, sorted by index (`entries()[i].index == i`).
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Live entries only.
    pub fn live(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.is_live())
    }

    /// The slot at `index`.
    pub fn get(&self, index: u32) -> Option<&Entry> {
        self.entries.get(index as usize)
    }

    /// Number of slots (tombstones included).
    pub fn count(&self) -> u32 {
        self.entries.len() as u32
    }

    /// Finds an import by name: the live entry, or else the tombstone of a
    /// removed function (check [`Entry::removed`] and report it).
    pub fn lookup(&self, name: &str) -> Option<&Entry> {
        self.by_name.get(name).map(|&i| &self.entries[i])
    }

    /// FNV-1a 32 over `"<index> <name>\n"` for every slot in index order
    /// (tombstones hash as the name they replace).
    pub fn hash(&self) -> u32 {
        let mut h = Fnv1a::new();
        for e in &self.entries {
            h.line(e.index, &e.hash_key());
        }
        h.finish()
    }

    /// Hash of the first `count` slots: what a module built against an older
    /// (shorter) version of this manifest recorded. `None` if `count` exceeds
    /// the table.
    pub fn prefix_hash(&self, count: u32) -> Option<u32> {
        if count as usize > self.entries.len() {
            return None;
        }
        let mut h = Fnv1a::new();
        for e in &self.entries[..count as usize] {
            h.line(e.index, &e.hash_key());
        }
        Some(h.finish())
    }

    /// `prefix_hashes()[i]` is `prefix_hash(i + 1)`.
    pub fn prefix_hashes(&self) -> Vec<u32> {
        let keys: Vec<String> = self.entries.iter().map(Entry::hash_key).collect();
        prefix_hashes(self.entries.iter().zip(&keys).map(|(e, k)| (e.index, k.as_str())))
    }

    /// The signature tables generated with the table: per slot the offset
    /// of its record in the second vector (`0xFFFF`: none), identical
    /// records stored once. `None` when no slot has a signature.
    pub fn signature_tables(&self) -> Option<(Vec<u16>, Vec<u8>)> {
        if self.entries.iter().all(|e| e.signature.is_none()) {
            return None;
        }
        let mut records: Vec<u8> = Vec::new();
        let mut seen: HashMap<Vec<u8>, u16> = HashMap::new();
        let index = self
            .entries
            .iter()
            .map(|e| match &e.signature {
                None => espb_runtime::symtab::NO_SIGNATURE,
                Some(sig) => {
                    let mut rec = Vec::new();
                    sig.encode(&mut rec);
                    *seen.entry(rec).or_insert_with_key(|rec| {
                        let at = records.len() as u16;
                        records.extend_from_slice(rec);
                        at
                    })
                }
            })
            .collect();
        Some((index, records))
    }

    /// Canonical manifest text (used when converting `.sym` files).
    pub fn to_text(&self) -> String {
        let mut out = format!("# espb symbol manifest: table `{}` (append-only, see docs/symbols.md)\n", self.name);
        let w = self.entries.iter().map(|e| entry_name_field(e).len()).max().unwrap_or(0);
        for e in &self.entries {
            let sig = e.signature.as_ref().map(|s| format!("  {s}")).unwrap_or_default();
            let mut line = if e.removed {
                format!("{} - removed:{}{sig}", e.index, e.name)
            } else {
                let mut l =
                    format!("{:<5} {:<w$}  {}{sig}", e.index, entry_name_field(e), e.header.as_deref().unwrap_or("-"));
                if let Some(g) = &e.guard {
                    l.push_str("  if ");
                    l.push_str(g);
                }
                l
            };
            if let Some(c) = &e.comment {
                line.push_str("  # ");
                line.push_str(c);
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

fn entry_name_field(e: &Entry) -> String {
    if e.native != e.name { format!("{}={}", e.name, e.native) } else { e.name.clone() }
}

/// A signature token: a function's `RESULT(...)` or a data slot's
/// `data:SIZE[:rw]`.
fn is_signature(t: &str) -> bool {
    t.contains('(') || t.starts_with("data:")
}

/// `[A-Za-z_][A-Za-z0-9_]*`
pub(crate) fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch == '_' || ch.is_ascii_alphabetic())
        && c.all(|ch| ch == '_' || ch.is_ascii_alphanumeric())
}

pub(crate) fn check_table_name(name: &str) -> Result<(), Error> {
    if is_ident(name) {
        Ok(())
    } else {
        Err(Error::Usage(format!(
            "table name `{name}` is not a C identifier (it names `espb_symtab_{name}`); \
             rename the manifest file, e.g. `custom.espbsym`"
        )))
    }
}

pub(crate) fn table_name_from_path(path: &Path) -> Result<String, Error> {
    let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    let stem = file.split('.').next().unwrap_or_default().to_string();
    check_table_name(&stem)?;
    Ok(stem)
}

/// Splits off a trailing `# comment` (a `#` at line start or after blank).
pub fn split_comment(raw: &str) -> (&str, Option<&str>) {
    let b = raw.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'#' && (i == 0 || b[i - 1].is_ascii_whitespace()) {
            let c = raw[i + 1..].trim();
            return (&raw[..i], (!c.is_empty()).then_some(c));
        }
    }
    (raw, None)
}

fn parse_line(raw: &str, line: usize, source: &str) -> Result<Option<Entry>, Error> {
    let (body, comment) = split_comment(raw);
    let mut toks = body.split_whitespace();
    let Some(first) = toks.next() else {
        return Ok(None);
    };
    let err = |m: String| Error::syntax(source, line, m);
    let index: u32 = first.parse().map_err(|_| {
        err(format!(
            "expected an index (a number) at the start of the entry, found `{first}`; \
             an entry reads `INDEX NAME HEADER [if GUARD] [# comment]`"
        ))
    })?;
    let Some(name_tok) = toks.next() else {
        return Err(err(format!("index {index} has no name: write `{index} NAME HEADER` or `{index} - removed:NAME`")));
    };
    let comment = comment.map(str::to_string);
    if name_tok == "-" {
        let Some(what) = toks.next() else {
            return Err(err(format!("tombstone {index} must name the removed entry: `{index} - removed:NAME`")));
        };
        let Some(old) = what.strip_prefix("removed:") else {
            return Err(err(format!("tombstone {index}: expected `removed:NAME`, found `{what}`")));
        };
        if !is_ident(old) {
            return Err(err(format!("tombstone {index}: `{old}` is not a C identifier")));
        }
        let mut toks = toks.peekable();
        let signature = match toks.next_if(|t| is_signature(t)) {
            Some(t) => Some(NativeSig::parse(t).map_err(|e| err(format!("tombstone {index}: {e}")))?),
            None => None,
        };
        if let Some(extra) = toks.next() {
            return Err(err(format!(
                "tombstone {index}: unexpected `{extra}` after `removed:{old}` (comments start with `#`)"
            )));
        }
        return Ok(Some(Entry {
            index,
            name: old.to_string(),
            native: old.to_string(),
            guard: None,
            header: None,
            removed: true,
            signature,
            line,
            comment,
            guard_expr: None,
        }));
    }
    let (name, native) = match name_tok.split_once('=') {
        Some((n, s)) => (n, s),
        None => (name_tok, name_tok),
    };
    for id in [name, native] {
        if !is_ident(id) {
            return Err(err(format!(
                "`{id}` is not a C identifier (entry {index}); names are function names \
                 as the linker sees them, e.g. `xQueueGenericSend`"
            )));
        }
    }
    let Some(header) = toks.next() else {
        return Err(err(format!(
            "entry {index} `{name}` has no header: write the header that declares it \
             (e.g. `freertos/task.h`), or `-` to let the generator declare it"
        )));
    };
    if header == "if" {
        return Err(err(format!("entry {index} `{name}`: the header comes before `if` (write `-` for none)")));
    }
    if header.contains(['"', '<', '>']) {
        return Err(err(format!(
            "entry {index} `{name}`: write the header as a bare path (`stdio.h`), without quotes or <>"
        )));
    }
    let header = (header != "-").then(|| header.to_string());
    let mut toks = toks.peekable();
    let signature = match toks.next_if(|t| is_signature(t)) {
        Some(t) => Some(NativeSig::parse(t).map_err(|e| err(format!("entry {index} `{name}`: {e}")))?),
        None => None,
    };
    let (guard, guard_expr) = match toks.next() {
        None => (None, None),
        Some("if") => {
            let text = toks.collect::<Vec<_>>().join(" ");
            if text.is_empty() {
                return Err(err(format!("entry {index} `{name}`: `if` without a guard")));
            }
            let g = Guard::parse(&text).map_err(|m| err(format!("entry {index} `{name}`: {m}")))?;
            (Some(g.to_string()), Some(g))
        }
        Some(other) => {
            return Err(err(format!(
                "entry {index} `{name}`: unexpected `{other}` after the header; \
                 a signature is written without blanks (`i32(str,...)`, `data:4`), a guard starts with `if`, \
                 a comment with `#`"
            )));
        }
    };
    Ok(Some(Entry {
        index,
        name: name.to_string(),
        native: native.to_string(),
        guard,
        header,
        removed: false,
        signature,
        line,
        comment,
        guard_expr,
    }))
}

/// Builds an entry in memory (used by the `.sym` converter).
pub(crate) fn new_entry(
    index: u32,
    name: &str,
    native: &str,
    guard: Option<Guard>,
    header: Option<String>,
    line: usize,
) -> Entry {
    Entry {
        index,
        name: name.to_string(),
        native: native.to_string(),
        guard: guard.as_ref().map(ToString::to_string),
        header,
        removed: false,
        signature: None,
        line,
        comment: None,
        guard_expr: guard,
    }
}
