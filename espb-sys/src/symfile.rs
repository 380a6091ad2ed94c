//! ESPB `.sym` files as manifest input.
//!
//! ```text
//! // comment
//! ESPB_SYM("printf", (const void*)&printf)
//! ESPB_SYM_OPT(CONFIG_ESPB_IDF_GPIO, "gpio_config", (const void*)&gpio_config)
//! ```
//!
//! Line order gives the index (first entry is 0). The C symbol is the last
//! identifier of the address expression (`(const void*)&native_fn`, or
//! `reinterpret_cast<const void*>(static_cast<double(*)(double)>(sqrt))`).
//! `.sym` files name no headers: the generated C declares such entries itself.
//! ESPB's helper flags map as: `CONFIG_ESPB_ON` → no guard,
//! `CONFIG_ESPB_OFF` → guard `CONFIG_ESPB_OFF` (never set, so the slot is NULL).

use crate::error::Error;
use crate::manifest::{Guard, GuardTerm, Manifest, is_ident, new_entry};

/// Converts `.sym` text into a manifest for table `name`.
pub fn parse_sym(name: &str, text: &str, source: &str) -> Result<Manifest, Error> {
    let mut entries = Vec::new();
    let mut in_block_comment = false;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let err = |m: String| Error::syntax(source, line, m);
        let mut s = raw.trim();
        if in_block_comment {
            match s.find("*/") {
                Some(p) => {
                    in_block_comment = false;
                    s = s[p + 2..].trim();
                }
                None => continue,
            }
        }
        if let Some(p) = s.find("//") {
            s = s[..p].trim();
        }
        if let Some(rest) = s.strip_prefix("/*") {
            match rest.find("*/") {
                Some(p) => s = rest[p + 2..].trim(),
                None => {
                    in_block_comment = true;
                    continue;
                }
            }
        }
        if s.is_empty() {
            continue;
        }
        let (opt, args) = if let Some(r) = s.strip_prefix("ESPB_SYM_OPT") {
            (true, r)
        } else if let Some(r) = s.strip_prefix("ESPB_SYM") {
            (false, r)
        } else {
            return Err(err(format!(
                "expected `ESPB_SYM(\"name\", expr)` or `ESPB_SYM_OPT(CONFIG_X, \"name\", expr)`, found `{s}`"
            )));
        };
        let args = args.trim_start();
        let Some(inner) = args.strip_prefix('(') else {
            return Err(err("expected `(` after the macro name".to_string()));
        };
        let Some(close) = matching_paren(inner) else {
            return Err(err("unbalanced parentheses (one entry per line)".to_string()));
        };
        let rest = inner[close + 1..].trim().trim_end_matches(';').trim_end_matches(',');
        if !rest.trim().is_empty() {
            return Err(err(format!("unexpected `{rest}` after the entry")));
        }
        let inner = &inner[..close];
        let (flag, inner) = if opt {
            let Some((flag, r)) = inner.split_once(',') else {
                return Err(err("ESPB_SYM_OPT needs three arguments: FLAG, \"name\", expr".to_string()));
            };
            (Some(flag.trim()), r.trim_start())
        } else {
            (None, inner.trim_start())
        };
        let Some(after_quote) = inner.strip_prefix('"') else {
            return Err(err("the symbol name must be a string literal: \"name\"".to_string()));
        };
        let Some(q) = after_quote.find('"') else {
            return Err(err("unterminated string literal".to_string()));
        };
        let sym_name = &after_quote[..q];
        if !is_ident(sym_name) {
            return Err(err(format!("`{sym_name}` is not a C identifier")));
        }
        let expr = after_quote[q + 1..].trim_start();
        let Some(expr) = expr.strip_prefix(',') else {
            return Err(err(format!("expected `, expr` after \"{sym_name}\"")));
        };
        let Some(native) = last_ident(expr) else {
            return Err(err(format!("cannot find the C symbol in `{}`; write `(const void*)&symbol`", expr.trim())));
        };
        let guard = match flag {
            None | Some("CONFIG_ESPB_ON") => None,
            Some(f) if f.starts_with("CONFIG_") && is_ident(f) => {
                Some(Guard { terms: vec![GuardTerm::Option { name: f.to_string(), negated: false }] })
            }
            Some(f) => {
                return Err(err(format!("ESPB_SYM_OPT flag `{f}` is not a Kconfig option (CONFIG_...)")));
            }
        };
        let index = entries.len() as u32;
        entries.push(new_entry(index, sym_name, &native, guard, None, line));
    }
    Manifest::from_entries(name, source, entries)
}

/// Position of the `)` closing an already-opened `(`, skipping string literals.
fn matching_paren(s: &str) -> Option<usize> {
    let mut depth = 1usize;
    let mut in_str = false;
    let mut prev = '\0';
    for (i, c) in s.char_indices() {
        if in_str {
            if c == '"' && prev != '\\' {
                in_str = false;
            }
        } else {
            match c {
                '"' => in_str = true,
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        prev = c;
    }
    None
}

fn last_ident(expr: &str) -> Option<String> {
    let mut last = None;
    let mut cur = String::new();
    for c in expr.chars().chain(std::iter::once(' ')) {
        if c == '_' || c.is_ascii_alphanumeric() {
            cur.push(c);
        } else if !cur.is_empty() {
            if is_ident(&cur) {
                last = Some(std::mem::take(&mut cur));
            }
            cur.clear();
        }
    }
    last
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_espb_sym() {
        let text = r#"// header
/* block
   comment */
ESPB_SYM("printf", (const void*)&printf)
ESPB_SYM("sqrt", reinterpret_cast<const void*>(static_cast<double(*)(double)>(sqrt)))
ESPB_SYM_OPT(CONFIG_ESPB_IDF_GPIO, "gpio_config", (const void*)&gpio_config)
ESPB_SYM("set_magic_number", (const void*)&native_set_magic_number)
ESPB_SYM_OPT(CONFIG_ESPB_ON, "puts", (const void*)&puts)
"#;
        let m = parse_sym("idf_fast", text, "idf_fast.sym").unwrap();
        assert_eq!(m.count(), 5);
        assert_eq!(m.get(1).unwrap().native, "sqrt");
        assert_eq!(m.get(2).unwrap().guard.as_deref(), Some("CONFIG_ESPB_IDF_GPIO"));
        assert_eq!(m.get(3).unwrap().native, "native_set_magic_number");
        assert_eq!(m.get(3).unwrap().line, 7);
        assert_eq!(m.get(4).unwrap().guard, None);
        assert!(m.to_text().contains("set_magic_number=native_set_magic_number"));
    }

    #[test]
    fn sym_errors_name_line() {
        let e = parse_sym("t", "ESPB_SYM(\"a\", &a)\nbogus\n", "t.sym").unwrap_err();
        assert!(e.to_string().starts_with("t.sym:2:"), "{e}");
        let e = parse_sym("t", "ESPB_SYM(\"a\", &a)\nESPB_SYM(\"a\", &b)\n", "t.sym").unwrap_err();
        assert!(e.to_string().contains("listed twice"), "{e}");
    }
}
