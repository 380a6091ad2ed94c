//! ESP-IDF configuration in its three output formats.
//!
//! * `sdkconfig`: `CONFIG_X=y`, `# CONFIG_X is not set`, ints, `0x` hex,
//!   quoted strings with `\"` and `\\` escapes;
//! * `sdkconfig.h`: `#define CONFIG_X 1` (disabled bools absent), strings
//!   quoted, hex as `0x...`, deprecated aliases `#define CONFIG_OLD CONFIG_NEW`;
//! * `sdkconfig.json`: keys without `CONFIG_`, bools `true`/`false`, hex as
//!   plain numbers, options whose dependencies are unmet absent.
//!
//! Lookups accept names with or without the `CONFIG_` prefix.

mod header;
mod json;
mod kconfig_text;

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, read_to_string};

/// One option's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    /// Written as `0x...` (sdkconfig, sdkconfig.h); JSON gives hex as `Int`.
    Hex(u64),
    Str(String),
}

impl Value {
    /// Truth as C's `#if CONFIG_X` sees it: `y`/`1`/non-zero numbers.
    pub fn is_true(&self) -> bool {
        match self {
            Value::Bool(b) => *b,
            Value::Int(n) => *n != 0,
            Value::Hex(n) => *n != 0,
            Value::Str(_) => false,
        }
    }
}

/// The file format of a configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `sdkconfig` (Kconfig text).
    Text,
    /// `sdkconfig.h`.
    Header,
    /// `sdkconfig.json`.
    Json,
}

impl Format {
    /// By file name: `*.h` → header, `*.json` → JSON, anything else → text.
    pub fn from_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some("h") => Format::Header,
            Some("json") => Format::Json,
            _ => Format::Text,
        }
    }
}

/// A parsed ESP-IDF configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sdkconfig {
    /// Keys without the `CONFIG_` prefix.
    values: BTreeMap<String, Value>,
    /// `(major, minor, patch)` from the generated file's banner, when present.
    idf_version: Option<(u32, u32, u32)>,
    source: String,
}

impl Sdkconfig {
    /// Reads a file, choosing the format from its name (see [`Format::from_path`]).
    pub fn load(path: impl AsRef<Path>) -> Result<Sdkconfig, Error> {
        let path = path.as_ref();
        let text = read_to_string(path)?;
        Self::parse(&text, Format::from_path(path), &path.display().to_string())
    }

    /// Parses text in the given format; `source` names the file in errors.
    pub fn parse(text: &str, format: Format, source: &str) -> Result<Sdkconfig, Error> {
        let mut c = Sdkconfig { source: source.to_string(), ..Default::default() };
        match format {
            Format::Text => kconfig_text::parse(text, source, &mut c)?,
            Format::Header => header::parse(text, source, &mut c)?,
            Format::Json => json::parse(text, source, &mut c)?,
        }
        Ok(c)
    }

    /// An in-memory configuration (tests, explicit option lists).
    pub fn from_values<I, K>(values: I) -> Sdkconfig
    where
        I: IntoIterator<Item = (K, Value)>,
        K: AsRef<str>,
    {
        let mut c = Sdkconfig::default();
        for (k, v) in values {
            c.set(k.as_ref(), v);
        }
        c
    }

    /// The value of an option (`"CONFIG_X"` or `"X"`), absent if not set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(strip(name))
    }

    /// Whether `#if CONFIG_X` would be true (see [`Value::is_true`]).
    pub fn is_enabled(&self, name: &str) -> bool {
        self.get(name).is_some_and(Value::is_true)
    }

    /// Sets an option (name with or without `CONFIG_`).
    pub fn set(&mut self, name: &str, value: Value) {
        self.values.insert(strip(name).to_string(), value);
    }

    /// All options, names without `CONFIG_`, sorted.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Number of options set.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// No options at all.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// ESP-IDF version from the banner of a generated `sdkconfig` or
    /// `sdkconfig.h` (`... (ESP-IDF) 5.2.1 Project Configuration`).
    pub fn idf_version(&self) -> Option<(u32, u32, u32)> {
        self.idf_version
    }

    /// Overrides the ESP-IDF version.
    pub fn set_idf_version(&mut self, major: u32, minor: u32, patch: u32) {
        self.idf_version = Some((major, minor, patch));
    }

    /// The file this came from ("" when built in memory).
    pub fn source(&self) -> &str {
        &self.source
    }
}

fn strip(name: &str) -> &str {
    name.strip_prefix("CONFIG_").unwrap_or(name)
}

/// Finds `(ESP-IDF) 5.2.1` / `(ESP-IDF) v5.3-dev` in a banner comment line.
fn banner_version(line: &str) -> Option<(u32, u32, u32)> {
    let rest = line.split_once("(ESP-IDF)")?.1.trim_start();
    let rest = rest.strip_prefix('v').unwrap_or(rest);
    let ver: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
    let mut it = ver.split('.').filter(|s| !s.is_empty()).map(str::parse::<u32>);
    let major = it.next()?.ok()?;
    let minor = it.next().and_then(Result::ok).unwrap_or(0);
    let patch = it.next().and_then(Result::ok).unwrap_or(0);
    Some((major, minor, patch))
}

/// Kconfig's string unescaping: a backslash makes the next character literal.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses a quoted string (`"..."` with backslash escapes) that must make up
/// the whole of `s`. `Err` says what is wrong.
fn quoted(s: &str) -> Result<String, String> {
    let Some(body) = s.strip_prefix('"') else {
        return Err("expected a quoted string".to_string());
    };
    let mut escaped = false;
    for (i, c) in body.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            let rest = body[i + 1..].trim();
            if !rest.is_empty() {
                return Err(format!("unexpected `{rest}` after the closing quote"));
            }
            return Ok(unescape(&body[..i]));
        }
    }
    Err("unterminated string (missing closing `\"`)".to_string())
}

/// Parses a number as Kconfig writes it: decimal (maybe negative) or `0x` hex.
fn number(s: &str) -> Option<Value> {
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return u64::from_str_radix(h, 16).ok().map(Value::Hex);
    }
    s.parse::<i64>().ok().map(Value::Int)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn banner() {
        assert_eq!(
            banner_version("# Espressif IoT Development Framework (ESP-IDF) 5.2.1 Project Configuration"),
            Some((5, 2, 1))
        );
        assert_eq!(
            banner_version(" * Espressif IoT Development Framework (ESP-IDF) v5.3-dev-1234 Configuration Header"),
            Some((5, 3, 0))
        );
        assert_eq!(banner_version("# nothing"), None);
    }
}
