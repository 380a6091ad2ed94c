//! `sdkconfig.h` as written by esp-idf-kconfig (confgen).

use std::collections::BTreeMap;

use super::{Sdkconfig, Value, banner_version, number, quoted};
use crate::error::Error;

pub(super) fn parse(text: &str, source: &str, out: &mut Sdkconfig) -> Result<(), Error> {
    // Deprecated options: `#define CONFIG_OLD CONFIG_NEW`, resolved at the end.
    let mut aliases: BTreeMap<String, (String, usize)> = BTreeMap::new();
    out.idf_version = text.lines().find_map(banner_version);
    let stripped = strip_block_comments(text);
    for (i, raw) in stripped.lines().enumerate() {
        let line = i + 1;
        let err = |m: String| Error::syntax(source, line, m);
        let s = raw.trim();
        let s = s.trim();
        if s.is_empty() || s == "#pragma once" {
            continue;
        }
        let Some(def) = s.strip_prefix("#define") else {
            if s.starts_with("#ifndef") || s.starts_with("#endif") {
                continue; // include guards of hand-written variants
            }
            return Err(err(format!("expected `#define CONFIG_NAME value`, found `{s}`")));
        };
        let def = def.trim_start();
        let (name, value) = match def.split_once(char::is_whitespace) {
            Some((n, v)) => (n, v.trim()),
            None => (def, ""),
        };
        if !name.starts_with("CONFIG_") || !crate::manifest::is_ident(name) {
            if name.starts_with("CONFIG_") {
                return Err(err(format!("`{name}` is not a valid macro name")));
            }
            continue; // not a Kconfig option (e.g. an include guard macro)
        }
        let v = if value.is_empty() {
            Value::Bool(true)
        } else if value.starts_with('"') {
            Value::Str(quoted(value).map_err(|m| err(format!("{name}: {m}")))?)
        } else if value.starts_with("CONFIG_") && crate::manifest::is_ident(value) {
            aliases.insert(name.to_string(), (value.to_string(), line));
            continue;
        } else {
            number(value).ok_or_else(|| {
                err(format!("{name}: `{value}` is not a number, 0x hex, quoted string or CONFIG_ alias"))
            })?
        };
        out.set(name, v);
    }
    for (old, (new, line)) in &aliases {
        // Follow alias chains (bounded, in case of a cycle).
        let mut target = new.clone();
        for _ in 0..8 {
            match aliases.get(&target) {
                Some((next, _)) => target = next.clone(),
                None => break,
            }
        }
        match out.get(&target).cloned() {
            Some(v) => out.set(old, v),
            // `#define OLD NEW` where NEW is not defined: a disabled bool.
            None if aliases.contains_key(&target) => {
                return Err(Error::syntax(source, *line, format!("{old}: alias cycle through {target}")));
            }
            None => {}
        }
    }
    Ok(())
}

/// Replaces `/* ... */` comments by blanks, keeping line breaks (and so line numbers).
fn strip_block_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_comment = false;
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_comment {
            if c == '*' && chars.peek() == Some(&'/') {
                chars.next();
                in_comment = false;
                out.push_str("  ");
            } else {
                out.push(if c == '\n' { '\n' } else { ' ' });
            }
        } else if in_str {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' || c == '\n' {
                in_str = false;
            }
        } else if c == '/' && chars.peek() == Some(&'*') {
            chars.next();
            in_comment = true;
            out.push_str("  ");
        } else {
            if c == '"' {
                in_str = true;
            }
            out.push(c);
        }
    }
    out
}
