//! Signatures from headers: the C declarations of a manifest's functions,
//! read from the headers its entries name (clang's JSON AST), become the
//! manifest's signatures (docs/symbols.md "Signatures"): the ABI types, and
//! the memory annotations a declaration shows (`const char *` without a
//! length: `str`; a byte pointer followed by a `size_t`: `buf:N`; a pointer
//! to a scalar: `mem:SIZE?`). `cargo espb symbols sigs` writes them into the
//! manifest, where a person may refine them.

use espb_runtime::signature::{MemArg, NType, NativeSig, Param};
use espb_sys::Manifest;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

#[derive(Debug, thiserror::Error)]
pub enum SigsError {
    #[error("cannot run {clang}: {source}")]
    Spawn { clang: String, source: std::io::Error },
    #[error("clang could not read the headers of {manifest}:\n{stderr}")]
    Clang { manifest: String, stderr: String },
    #[error("clang's AST of the headers is not JSON: {0}")]
    Json(String),
}

/// What the headers say about one manifest entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Derived {
    Sig(NativeSig),
    /// Declared, but with a type the ABI check cannot express (a struct by
    /// value, `va_list`, `long double`): left without a signature.
    Inexpressible(String),
}

/// Derives the signature of every live entry of `m` with a header, with
/// `clang` and `args` (target, include directories). Entries the headers do
/// not declare are absent from the result.
pub fn derive(m: &Manifest, clang: &Path, args: &[String]) -> Result<BTreeMap<String, Derived>, SigsError> {
    let mut headers: Vec<&str> = Vec::new();
    for h in m.live().filter_map(|e| e.header.as_deref()) {
        if !headers.contains(&h) {
            headers.push(h);
        }
    }
    let mut tu = String::new();
    if headers.iter().any(|h| h.starts_with("freertos/")) {
        tu.push_str("#include <freertos/FreeRTOS.h>\n");
    }
    for h in &headers {
        tu.push_str(&format!("#if __has_include(<{h}>)\n#include <{h}>\n#endif\n"));
    }
    let spawn = |source| SigsError::Spawn { clang: clang.display().to_string(), source };
    let mut child = Command::new(clang)
        .args(args)
        .args(["-fsyntax-only", "-Xclang", "-ast-dump=json", "-x", "c", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(spawn)?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(tu.as_bytes()).map_err(spawn)?;
    }
    let out = child.wait_with_output().map_err(spawn)?;
    if !out.status.success() {
        return Err(SigsError::Clang {
            manifest: m.source().to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    let ast: Value = serde_json::from_slice(&out.stdout).map_err(|e| SigsError::Json(e.to_string()))?;
    let top = ast.get("inner").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    let typedefs: HashMap<&str, &str> = top
        .iter()
        .filter(|d| d.get("kind").and_then(Value::as_str) == Some("TypedefDecl"))
        .filter_map(|d| Some((d.get("name")?.as_str()?, type_text(d.get("type")?)?)))
        .collect();
    let wanted: HashMap<&str, (&str, bool)> =
        m.live().map(|e| (e.native.as_str(), (e.name.as_str(), is_libc(e.header.as_deref())))).collect();
    let mut found = BTreeMap::new();
    for d in top.iter().filter(|d| d.get("kind").and_then(Value::as_str) == Some("FunctionDecl")) {
        let Some(name) = d.get("name").and_then(Value::as_str) else { continue };
        let Some(&(import, libc)) = wanted.get(name) else { continue };
        if let Some(sig) = function(d, &typedefs, name, libc) {
            // The last declaration wins (they agree; later ones name parameters).
            found.insert(import.to_string(), sig);
        }
    }
    for d in top.iter().filter(|d| d.get("kind").and_then(Value::as_str) == Some("VarDecl")) {
        let Some(name) = d.get("name").and_then(Value::as_str) else { continue };
        let Some(&(import, libc)) = wanted.get(name) else { continue };
        let Some(ty) = d.get("type").and_then(type_text) else { continue };
        found.insert(import.to_string(), variable(ty, &typedefs, libc));
    }
    Ok(found)
}

/// A data slot's object from its variable's type: `data:SIZE` when the
/// variable is `const` or the C library's (`_impure_ptr`: the module reads
/// it, the firmware owns it), `data:SIZE:rw` for a firmware's own variable.
/// What a pointer variable points at is not derived (`data:4->N` is
/// written by hand).
fn variable(ty: &str, typedefs: &HashMap<&str, &str>, libc: bool) -> Derived {
    let t = espb_sys::c_text::strip_attributes(ty);
    let constant = t.split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| w == "const")
        && !strip(&t).ends_with('*')
        || t.trim_end().ends_with("const");
    let size = match t.rsplit_once('[') {
        Some((elem, n)) => match n.trim_end_matches(']').trim().parse::<u32>() {
            Ok(n) => scalar_size(elem, typedefs).map(|e| u32::from(e) * n),
            Err(_) => return Derived::Inexpressible("an array of unknown size: write data:SIZE by hand".into()),
        },
        None => scalar_size(&t, typedefs).map(u32::from),
    };
    match size.filter(|&n| n > 0) {
        Some(size) => Derived::Sig(NativeSig {
            data: Some(espb_runtime::signature::DataObj { size, writable: !constant && !libc, points_to: None }),
            ..NativeSig::default()
        }),
        None => Derived::Inexpressible(format!(
            "a variable of type `{t}`, whose size is not derived: write data:SIZE by hand"
        )),
    }
}

fn is_libc(header: Option<&str>) -> bool {
    header.is_some_and(espb_sys::gen_c::is_libc_header)
}

fn type_text(t: &Value) -> Option<&str> {
    t.get("desugaredQualType").or_else(|| t.get("qualType")).and_then(Value::as_str)
}

/// A C type's ABI class, typedefs resolved; `Err` names what cannot be
/// expressed.
fn class(ty: &str, typedefs: &HashMap<&str, &str>) -> Result<Option<NType>, String> {
    let mut t = strip(ty);
    for _ in 0..16 {
        // A parameter of function type is a pointer too.
        if t.ends_with('*') || t.contains('(') || t.ends_with(']') {
            return Ok(Some(NType::Ptr));
        }
        match t.as_str() {
            "void" => return Ok(None),
            "float" => return Ok(Some(NType::F32)),
            "double" => return Ok(Some(NType::F64)),
            "long double" => return Err("long double".into()),
            "__builtin_va_list" | "va_list" | "__gnuc_va_list" => return Err("va_list".into()),
            _ => {}
        }
        if t.starts_with("enum ") {
            return Ok(Some(NType::I32));
        }
        if t.starts_with("struct ") || t.starts_with("union ") {
            return Err(format!("{t} by value"));
        }
        if t.split(' ')
            .all(|w| matches!(w, "unsigned" | "signed" | "char" | "short" | "int" | "long" | "_Bool" | "bool"))
        {
            return Ok(Some(if t.matches("long").count() == 2 { NType::I64 } else { NType::I32 }));
        }
        match typedefs.get(t.as_str()) {
            Some(u) => t = strip(u),
            None => return Err(format!("unknown type `{t}`")),
        }
    }
    Err(format!("typedef chain of `{ty}`"))
}

/// Drops qualifiers and nullability annotations: `const char *restrict`
/// -> `char *` (`*` a word of its own).
fn strip(ty: &str) -> String {
    let spaced = espb_sys::c_text::strip_attributes(ty).replace('*', " * ");
    spaced
        .split_whitespace()
        .filter(|w| !matches!(*w, "const" | "volatile" | "restrict" | "__restrict" | "_Nonnull" | "_Nullable"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The pointee of a pointer type (`const char *` -> `char`), if it is one.
fn pointee(ty: &str) -> Option<String> {
    let t = strip(ty);
    t.strip_suffix('*').map(|p| p.trim().to_string())
}

fn function(d: &Value, typedefs: &HashMap<&str, &str>, name: &str, libc: bool) -> Option<Derived> {
    let fty = espb_sys::c_text::strip_attributes(d.get("type")?.get("qualType")?.as_str()?);
    let ret = result_type(&fty)?;
    let params: Vec<(&str, &str)> = d
        .get("inner")
        .and_then(Value::as_array)
        .map(|v| {
            v.iter()
                .filter(|p| p.get("kind").and_then(Value::as_str) == Some("ParmVarDecl"))
                .filter_map(|p| {
                    let t = p.get("type")?;
                    Some((t.get("qualType")?.as_str()?, type_text(t)?))
                })
                .collect()
        })
        .unwrap_or_default();
    let fail = |why: String| Some(Derived::Inexpressible(why));
    let result = match class(ret, typedefs) {
        Ok(r) => r,
        Err(why) => return fail(why),
    };
    let is_size = |q: &str| matches!(strip(q).as_str(), "size_t" | "__size_t");
    let mut out = Vec::new();
    for (k, &(q, t)) in params.iter().enumerate() {
        if q.contains("va_list") || q.contains("__VALIST") {
            // One word on RISC-V, three on Xtensa: no one signature fits.
            return fail("a va_list parameter".into());
        }
        let ty = match class(t, typedefs) {
            Ok(Some(ty)) => ty,
            Ok(None) => return fail("a void parameter".into()),
            Err(why) => return fail(why),
        };
        let mut p = Param::plain(ty);
        // Only a pointer written as one (not a handle typedef such as
        // `esp_event_loop_handle_t`) is annotated.
        if ty == NType::Ptr
            && strip(q).ends_with('*')
            && let Some(pt) = pointee(t)
        {
            let constant = t.trim_start().starts_with("const");
            let byte = matches!(pt.as_str(), "void" | "char" | "unsigned char" | "signed char")
                || typedefs
                    .get(pt.as_str())
                    .is_some_and(|u| matches!(strip(u).as_str(), "unsigned char" | "signed char"));
            // Its length: the first size_t after it.
            let len = params.iter().enumerate().skip(k + 1).find(|(_, (q2, _))| is_size(q2)).map(|(j, _)| j);
            let bounded = ["strn", "mem", "nlen", "realloc"].iter().any(|w| name.contains(w)) || name == "bsearch";
            let string = pt == "char" && constant;
            if string && bounded {
                // strncmp, strndup...: read up to a NUL or a length, either may come first.
            } else if string && len != Some(k + 1) {
                p.mem = MemArg::Str;
                p.nullable = !libc;
            } else if byte
                && !(name.contains("realloc") || name == "bsearch")
                && let Some(j) = len.filter(|&j| !string || j == k + 1)
            {
                let times = params.get(j + 1).filter(|(q2, _)| is_size(q2)).map(|_| j as u8 + 1);
                p.mem = MemArg::Buf { len: j as u8, times };
            } else if !byte && let Some(size) = scalar_size(&pt, typedefs) {
                p.mem = MemArg::Obj(size);
                p.nullable = true;
            }
        }
        out.push(p);
    }
    let variadic = d.get("variadic").and_then(Value::as_bool).unwrap_or(false);
    Some(Derived::Sig(NativeSig { params: out, result, variadic, ..NativeSig::default() }))
}

/// The size of a scalar the pointer points at (an out-pointer's object),
/// typedefs resolved; `None` for structs and unknown types.
fn scalar_size(ty: &str, typedefs: &HashMap<&str, &str>) -> Option<u16> {
    let mut t = strip(ty);
    for _ in 0..16 {
        if t.ends_with('*') || t.starts_with("enum ") {
            return Some(4);
        }
        let words: Vec<&str> = t.split(' ').collect();
        let int = ["unsigned", "signed", "char", "short", "int", "long", "_Bool", "bool"];
        if words.iter().all(|w| int.contains(w)) {
            let n = match () {
                _ if words.contains(&"char") || words.contains(&"_Bool") || words.contains(&"bool") => 1,
                _ if words.contains(&"short") => 2,
                _ if words.iter().filter(|w| **w == "long").count() == 2 => 8,
                _ => 4,
            };
            return Some(n);
        }
        match t.as_str() {
            "float" => return Some(4),
            "double" => return Some(8),
            _ => {}
        }
        t = strip(typedefs.get(t.as_str())?);
    }
    None
}

/// The result type of a function type text `RET (PARAMS)`.
fn result_type(fty: &str) -> Option<&str> {
    let bytes = fty.as_bytes();
    let mut depth = 0i32;
    for (i, &b) in bytes.iter().enumerate().rev() {
        match b {
            b')' => depth += 1,
            b'(' => {
                depth -= 1;
                if depth == 0 {
                    return Some(fty[..i].trim());
                }
            }
            _ => {}
        }
    }
    None
}

/// `text` (a manifest) with each entry's signature set from `sigs` (by
/// import name); entries not in `sigs` keep their line. Returns the new
/// text and how many lines changed.
pub fn apply(text: &str, sigs: &BTreeMap<String, NativeSig>) -> (String, usize) {
    let mut out = String::with_capacity(text.len() + sigs.len() * 16);
    let mut changed = 0;
    for line in text.lines() {
        let new = rewrite(line, sigs).unwrap_or_else(|| line.to_string());
        if new != line {
            changed += 1;
        }
        out.push_str(&new);
        out.push('\n');
    }
    (out, changed)
}

/// One entry line with its signature token set, keeping the columns.
fn rewrite(line: &str, sigs: &BTreeMap<String, NativeSig>) -> Option<String> {
    let (body, comment) = espb_sys::split_comment(line);
    let toks: Vec<&str> = body.split_whitespace().collect();
    let (_, name_tok, header) = (toks.first()?.parse::<u32>().ok()?, *toks.get(1)?, *toks.get(2)?);
    if name_tok == "-" {
        return None;
    }
    let name = name_tok.split('=').next()?;
    let sig = sigs.get(name)?.to_string();
    let rest: Vec<&str> = toks[3..].iter().copied().filter(|t| !t.contains('(') && !t.starts_with("data:")).collect();
    // Keep the text up to the end of the header token, then the signature.
    let header_end = body.find(name_tok)? + name_tok.len();
    let header_end = header_end + body[header_end..].find(header)? + header.len();
    let mut s = format!("{}  {sig}", &body[..header_end]);
    if !rest.is_empty() {
        s.push_str("  ");
        s.push_str(&rest.join(" "));
    }
    if let Some(c) = comment {
        s.push_str("  # ");
        s.push_str(c);
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_classify_by_abi() {
        let td: HashMap<&str, &str> =
            [("size_t", "unsigned int"), ("esp_err_t", "int"), ("cfg_t", "struct cfg")].into();
        assert_eq!(class("const char *restrict _Nonnull", &td), Ok(Some(NType::Ptr)));
        assert_eq!(class("unsigned long long", &td), Ok(Some(NType::I64)));
        assert_eq!(class("esp_err_t", &td), Ok(Some(NType::I32)));
        assert_eq!(class("void (*)(void *)", &td), Ok(Some(NType::Ptr)));
        assert!(class("cfg_t", &td).is_err());
        assert_eq!(result_type("void *(void *, int, __size_t)"), Some("void *"));
        assert_eq!(pointee("const char *const").as_deref(), Some("char"));
        let td: HashMap<&str, &str> = [("int16_t", "short"), ("TickType_t", "unsigned int")].into();
        assert_eq!(scalar_size("int16_t", &td), Some(2));
        assert_eq!(scalar_size("const TickType_t", &td), Some(4));
        assert_eq!(scalar_size("unsigned long long", &td), Some(8));
        assert_eq!(scalar_size("struct x", &td), None);
    }

    #[test]
    fn signatures_are_written_into_entry_lines() {
        let sigs: BTreeMap<String, NativeSig> = [("puts".to_string(), NativeSig::parse("i32(str)").unwrap())].into();
        let text = "# c\n5    puts      stdio.h   # say\n6 putchar stdio.h\n7 x=y - ptr() if CONFIG_A\n";
        let (out, n) = apply(text, &sigs);
        assert_eq!(n, 1);
        assert_eq!(out, "# c\n5    puts      stdio.h  i32(str)  # say\n6 putchar stdio.h\n7 x=y - ptr() if CONFIG_A\n");
        let again = apply(&out, &sigs);
        assert_eq!(again, (out.clone(), 0), "idempotent");
    }
}
