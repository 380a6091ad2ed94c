//! The `.hints` syntax (ESPB's): one native function per line,
//!
//! ```text
//! # comment
//! xTaskCreatePinnedToCore: cb 0, ctx 3
//! vTaskDelay: blocking
//! my_api: out 0, inout 1
//! ```
//!
//! Attributes are `out N`, `inout N`, `cb N`, `ctx N` (N = argument index,
//! from 0) and `blocking`. `name:` with nothing after it says "nothing":
//! it replaces a default line. Errors carry file, line and column.

use espb_runtime::{ArgRole, ArgSet, BLOCKING_KEYWORD, CallHints, MAX_HINT_ARGS};
use miette::{NamedSource, SourceSpan};
use std::collections::HashMap;
use std::sync::Arc;

/// The expected syntax, repeated in every parse error.
pub const SYNTAX_HELP: &str = "a hints line is `function: attr, attr, ...` with attributes `out N`, `inout N`, \
                               `cb N`, `ctx N` (N = argument index, from 0) and `blocking`; `#` starts a comment";

/// One attribute as written, with its place for later errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HintAttr {
    /// `None`: `blocking`.
    pub role: Option<ArgRole>,
    pub arg: u32,
    /// Byte offset of the attribute in the file, and its length.
    pub offset: usize,
    pub len: usize,
}

/// One function's line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HintLine {
    pub name: String,
    /// 1-based line number.
    pub line: usize,
    /// Byte offset of the name in the file.
    pub offset: usize,
    pub attrs: Vec<HintAttr>,
    pub hints: CallHints,
}

/// A parsed `.hints` file: its lines in file order, names unique.
#[derive(Clone, Debug)]
pub struct HintFile {
    pub path: String,
    pub text: String,
    pub lines: Vec<HintLine>,
    by_name: HashMap<String, usize>,
}

/// A problem in a `.hints` file, with the file, line and column, what is
/// wrong, and the syntax expected.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{path}:{line}:{col}: {message}")]
pub struct HintError {
    pub path: String,
    pub line: usize,
    pub col: usize,
    pub message: String,
    #[help]
    pub help: &'static str,
    /// Shared, so the error stays small (it travels in `Result`s).
    #[source_code]
    source_code: Arc<NamedSource<String>>,
    #[label("here")]
    span: SourceSpan,
}

impl HintError {
    /// An error at byte `offset` (spanning `len` bytes) of `text`.
    pub fn at(path: &str, text: &str, offset: usize, len: usize, message: String, help: &'static str) -> HintError {
        let offset = offset.min(text.len());
        let len = len.min(text.len() - offset);
        let before = text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        HintError {
            path: path.to_string(),
            line,
            col,
            message,
            help,
            source_code: Arc::new(NamedSource::new(path, text.to_string())),
            span: SourceSpan::new(offset.into(), len),
        }
    }
}

impl HintFile {
    /// Parses `text`, read from `path` (used in messages). Never panics.
    pub fn parse(path: &str, text: &str) -> Result<HintFile, HintError> {
        let mut lines: Vec<HintLine> = Vec::new();
        let mut by_name = HashMap::new();
        let mut start = 0usize;
        for (i, raw) in text.split('\n').enumerate() {
            let line_start = start;
            start += raw.len() + 1;
            let Some(l) = parse_line(path, text, raw, line_start, i + 1)? else { continue };
            if let Some(&first) = by_name.get(&l.name) {
                let prev = lines.get(first).map_or(0, |p: &HintLine| p.line);
                return Err(HintError::at(
                    path,
                    text,
                    l.offset,
                    l.name.len(),
                    format!("`{}` already has hints on line {prev}", l.name),
                    "give each function one line: merge the attributes into it",
                ));
            }
            by_name.insert(l.name.clone(), lines.len());
            lines.push(l);
        }
        Ok(HintFile { path: path.to_string(), text: text.to_string(), lines, by_name })
    }

    /// The line of function `name`.
    pub fn get(&self, name: &str) -> Option<&HintLine> {
        self.by_name.get(name).and_then(|&i| self.lines.get(i))
    }

    /// An error at `offset`/`len` of this file.
    pub fn error(&self, offset: usize, len: usize, message: String, help: &'static str) -> HintError {
        HintError::at(&self.path, &self.text, offset, len, message, help)
    }

    /// "path:line".
    pub fn place(&self, line: &HintLine) -> String {
        format!("{}:{}", self.path, line.line)
    }
}

fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Byte offset of `part` (a subslice of `whole`) inside `whole`.
fn offset_in(whole: &str, part: &str) -> usize {
    (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize)
}

/// One line; `None` for blank and comment lines. `base` is the byte offset
/// of the line in `text`.
fn parse_line(path: &str, text: &str, raw: &str, base: usize, lineno: usize) -> Result<Option<HintLine>, HintError> {
    let content = raw.split('#').next().unwrap_or("").trim_end_matches('\r');
    let err = |at: &str, message: String, help: &'static str| {
        let len = at.len().max(1);
        HintError::at(path, text, base + offset_in(raw, at), len, message, help)
    };
    if content.trim().is_empty() {
        return Ok(None);
    }
    let Some((name_part, rest)) = content.split_once(':') else {
        let word = content.trim();
        return Err(err(word, format!("expected `:` after the function name in `{word}`"), SYNTAX_HELP));
    };
    let name = name_part.trim();
    if name.is_empty() {
        return Err(err(name_part, "missing function name before `:`".into(), SYNTAX_HELP));
    }
    if !is_ident(name) {
        return Err(err(
            name,
            format!("`{name}` is not a function name"),
            "a function name is a C identifier (letters, digits, `_`), the name the module calls",
        ));
    }
    let mut attrs: Vec<HintAttr> = Vec::new();
    let mut hints = CallHints::default();
    if !rest.trim().is_empty() {
        for piece in rest.split(',') {
            let attr_text = piece.trim();
            if attr_text.is_empty() {
                return Err(err(piece, "empty attribute: a comma with nothing before or after it".into(), SYNTAX_HELP));
            }
            let attr = parse_attr(attr_text, base + offset_in(raw, attr_text), &err)?;
            if attrs.iter().any(|a| a.role == attr.role && a.arg == attr.arg) {
                return Err(err(
                    attr_text,
                    format!("`{attr_text}` is given twice for `{name}`"),
                    "list each attribute once",
                ));
            }
            match attr.role {
                None => hints.blocking = true,
                Some(role) => {
                    let set = hints.args_mut(role);
                    *set = set.union(ArgSet::single(attr.arg).unwrap_or_default());
                    if let Some((a, b, n)) = hints.conflict() {
                        return Err(err(
                            attr_text,
                            format!(
                                "argument {n} of `{name}` cannot be both `{} {n}` and `{} {n}`",
                                a.keyword(),
                                b.keyword()
                            ),
                            "`out`/`inout` are for data pointers, `cb` for a function pointer and `ctx` for the \
                             user data handed to it: give each argument one of them",
                        ));
                    }
                }
            }
            attrs.push(attr);
        }
    }
    Ok(Some(HintLine { name: name.to_string(), line: lineno, offset: base + offset_in(raw, name), attrs, hints }))
}

fn parse_attr(
    attr_text: &str,
    offset: usize,
    err: &dyn Fn(&str, String, &'static str) -> HintError,
) -> Result<HintAttr, HintError> {
    let mut words = attr_text.split_whitespace();
    let keyword = words.next().unwrap_or("");
    let arg_word = words.next();
    if let Some(extra) = words.next() {
        return Err(err(
            extra,
            format!("unexpected `{extra}` after `{keyword} {}`", arg_word.unwrap_or("")),
            "separate attributes with commas: `cb 0, ctx 3`",
        ));
    }
    let len = attr_text.len();
    if keyword == BLOCKING_KEYWORD {
        if let Some(w) = arg_word {
            return Err(err(w, format!("`blocking` takes no argument index, found `{w}`"), SYNTAX_HELP));
        }
        return Ok(HintAttr { role: None, arg: 0, offset, len });
    }
    let Some(role) = ArgRole::from_keyword(keyword) else {
        return Err(err(keyword, format!("unknown attribute `{keyword}`"), SYNTAX_HELP));
    };
    let Some(w) = arg_word else {
        return Err(err(
            attr_text,
            format!("`{keyword}` needs an argument index: `{keyword} N`, N counted from 0"),
            SYNTAX_HELP,
        ));
    };
    let arg = match w.parse::<u32>() {
        Ok(n) if n < MAX_HINT_ARGS => n,
        Ok(n) => {
            return Err(err(
                w,
                format!("argument index {n} is too large (at most {})", MAX_HINT_ARGS - 1),
                SYNTAX_HELP,
            ));
        }
        Err(_) if !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()) => {
            return Err(err(
                w,
                format!("argument index {w} is too large (at most {})", MAX_HINT_ARGS - 1),
                SYNTAX_HELP,
            ));
        }
        Err(_) => {
            return Err(err(
                w,
                format!("`{w}` is not an argument index: `{keyword} N` takes a decimal N counted from 0"),
                SYNTAX_HELP,
            ));
        }
    };
    Ok(HintAttr { role: Some(role), arg, offset, len })
}
