//! NVS (nvs.h, nvs_flash.h): typed key-value pairs in namespaces, in
//! memory. With a backing file (`--nvs FILE`) the store is read at
//! `nvs_flash_init` and written at every `nvs_commit` (and
//! `nvs_flash_erase`), so values survive from run to run as in flash.
//!
//! The file is text, one entry a line: `namespace key type value`, with
//! type one of `u8 i8 u16 i16 u32 i32 u64 i64 str blob`, strings in double
//! quotes (`\"`, `\\`, `\n`, `\xNN` escapes) and blobs in hex.

use crate::rtos::{ESP_ERR_INVALID_ARG, ESP_OK, name_at, write_out};
use crate::{Call, Native, PcHost, n};
use espb_runtime::{HostCtx, Memory, Trap};
use std::collections::BTreeMap;
use std::path::PathBuf;

pub(crate) const NATIVES: &[Native] = &[
    n("nvs_flash_init", flash_init),
    n("nvs_flash_init_partition", flash_init),
    n("nvs_flash_deinit", flash_deinit),
    n("nvs_flash_erase", flash_erase),
    n("nvs_open", open),
    n("nvs_close", close),
    n("nvs_commit", commit),
    n("nvs_erase_key", erase_key),
    n("nvs_erase_all", erase_all),
    n("nvs_set_i8", set_int),
    n("nvs_set_u8", set_int),
    n("nvs_set_i16", set_int),
    n("nvs_set_u16", set_int),
    n("nvs_set_i32", set_int),
    n("nvs_set_u32", set_int),
    n("nvs_set_i64", set_int),
    n("nvs_set_u64", set_int),
    n("nvs_get_i8", get_int),
    n("nvs_get_u8", get_int),
    n("nvs_get_i16", get_int),
    n("nvs_get_u16", get_int),
    n("nvs_get_i32", get_int),
    n("nvs_get_u32", get_int),
    n("nvs_get_i64", get_int),
    n("nvs_get_u64", get_int),
    n("nvs_set_str", set_str),
    n("nvs_get_str", get_str),
    n("nvs_set_blob", set_blob),
    n("nvs_get_blob", get_blob),
];

const ERR_NOT_INITIALIZED: u64 = 0x1101;
const ERR_NOT_FOUND: u64 = 0x1102;
const ERR_TYPE_MISMATCH: u64 = 0x1103;
const ERR_READ_ONLY: u64 = 0x1104;
const ERR_INVALID_NAME: u64 = 0x1106;
const ERR_INVALID_HANDLE: u64 = 0x1107;
const ERR_KEY_TOO_LONG: u64 = 0x1109;
const ERR_INVALID_LENGTH: u64 = 0x110c;
/// `NVS_KEY_NAME_MAX_SIZE - 1`.
const MAX_KEY: usize = 15;

/// A stored value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Value {
    /// An integer of the type named (`u8`, `i32`, ...), as raw bits.
    Int(&'static str, u64),
    Str(Vec<u8>),
    Blob(Vec<u8>),
}

const INT_TYPES: [&str; 8] = ["u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64"];

impl Value {
    fn type_name(&self) -> &'static str {
        match self {
            Value::Int(t, _) => t,
            Value::Str(_) => "str",
            Value::Blob(_) => "blob",
        }
    }
}

#[derive(Default)]
pub(crate) struct Nvs {
    initialized: bool,
    /// Where the store is kept between runs.
    pub file: Option<PathBuf>,
    entries: BTreeMap<(String, String), Value>,
    /// Open handles: (namespace, writable).
    handles: BTreeMap<u32, (String, bool)>,
    next_handle: u32,
}

impl Nvs {
    fn load(&mut self) -> Result<(), String> {
        let Some(path) = &self.file else { return Ok(()) };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(format!("cannot read the NVS file {}: {e}", path.display())),
        };
        self.entries = parse(&text).map_err(|e| format!("NVS file {}: {e}", path.display()))?;
        Ok(())
    }

    fn save(&self) -> Result<(), String> {
        let Some(path) = &self.file else { return Ok(()) };
        std::fs::write(path, render(&self.entries))
            .map_err(|e| format!("cannot write the NVS file {}: {e}", path.display()))
    }
}

/// The store as the file holds it.
pub(crate) fn render(entries: &BTreeMap<(String, String), Value>) -> String {
    let mut s = String::new();
    for ((ns, key), v) in entries {
        let text = match v {
            Value::Int(t, bits) if t.starts_with('i') => (sign_extend(t, *bits)).to_string(),
            Value::Int(_, bits) => bits.to_string(),
            Value::Str(b) => quote(b),
            Value::Blob(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
        };
        s.push_str(&format!("{ns} {key} {} {text}\n", v.type_name()));
    }
    s
}

fn sign_extend(t: &str, bits: u64) -> i64 {
    let width: u32 = t[1..].parse().unwrap_or(64);
    let shift = 64 - width;
    ((bits << shift) as i64) >> shift
}

fn quote(b: &[u8]) -> String {
    let mut s = String::from("\"");
    for &c in b {
        match c {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            0x20..=0x7e => s.push(c as char),
            _ => s.push_str(&format!("\\x{c:02x}")),
        }
    }
    s.push('"');
    s
}

fn unquote(t: &str) -> Result<Vec<u8>, String> {
    let inner = t.strip_prefix('"').and_then(|t| t.strip_suffix('"')).ok_or("a string must be in double quotes")?;
    let mut out = Vec::new();
    let mut it = inner.bytes();
    while let Some(c) = it.next() {
        if c != b'\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some(b'n') => out.push(b'\n'),
            Some(b'x') => {
                let hex: Vec<u8> = it.by_ref().take(2).collect();
                let v = std::str::from_utf8(&hex).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                out.push(v.ok_or("bad \\x escape")?);
            }
            Some(c @ (b'"' | b'\\')) => out.push(c),
            _ => return Err("bad escape".into()),
        }
    }
    Ok(out)
}

/// Reads the file's text.
pub(crate) fn parse(text: &str) -> Result<BTreeMap<(String, String), Value>, String> {
    let mut entries = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let line_err = |m: &str| format!("line {}: {m}", i + 1);
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.splitn(4, ' ');
        let (Some(ns), Some(key), Some(ty), Some(v)) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(line_err("expected `namespace key type value`"));
        };
        let value = match ty {
            "str" => Value::Str(unquote(v).map_err(|e| line_err(&e))?),
            "blob" => Value::Blob(
                (0..v.len() / 2)
                    .map(|j| u8::from_str_radix(&v[2 * j..2 * j + 2], 16))
                    .collect::<Result<_, _>>()
                    .map_err(|_| line_err("a blob is written in hex"))?,
            ),
            t => {
                let Some(&t) = INT_TYPES.iter().find(|&&x| x == t) else {
                    return Err(line_err(&format!("unknown type `{t}`")));
                };
                let bits = if t.starts_with('i') { v.parse::<i64>().map(|x| x as u64) } else { v.parse::<u64>() };
                let bits = bits.map_err(|_| line_err(&format!("`{v}` is not a number")))?;
                Value::Int(t, bits & int_mask(t))
            }
        };
        entries.insert((ns.to_string(), key.to_string()), value);
    }
    Ok(entries)
}

fn flash_init(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mut w = h.k.lock();
    let nvs = &mut w.rtos.nvs;
    if !nvs.initialized {
        nvs.load().map_err(Trap::host)?;
        nvs.initialized = true;
    }
    Ok(ESP_OK)
}

fn flash_deinit(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mut w = h.k.lock();
    let nvs = &mut w.rtos.nvs;
    if !nvs.initialized {
        return Ok(ERR_NOT_INITIALIZED);
    }
    nvs.initialized = false;
    nvs.handles.clear();
    Ok(ESP_OK)
}

fn flash_erase(h: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mut w = h.k.lock();
    let nvs = &mut w.rtos.nvs;
    nvs.entries.clear();
    nvs.save().map_err(Trap::host)?;
    Ok(ESP_OK)
}

/// `nvs_open(namespace, mode, *handle)`: mode NVS_READONLY 0, READWRITE 1.
fn open(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (ns, mode, out) = (c.u32(0)?, c.u32(1)?, c.u32(2)?);
    if ns == 0 || out == 0 {
        return Ok(ESP_ERR_INVALID_ARG);
    }
    let ns = name_at(ctx.mem, ns, 64)?;
    let mut w = h.k.lock();
    let nvs = &mut w.rtos.nvs;
    if !nvs.initialized {
        return Ok(ERR_NOT_INITIALIZED);
    }
    if ns.is_empty() || ns.len() > MAX_KEY {
        return Ok(ERR_INVALID_NAME);
    }
    let writable = mode == 1;
    if !writable && !nvs.entries.keys().any(|(n, _)| *n == ns) {
        return Ok(ERR_NOT_FOUND);
    }
    nvs.next_handle += 1;
    let handle = nvs.next_handle;
    nvs.handles.insert(handle, (ns, writable));
    drop(w);
    write_out(ctx.mem, out, handle)?;
    Ok(ESP_OK)
}

fn close(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    h.k.lock().rtos.nvs.handles.remove(&c.u32(0)?);
    Ok(0)
}

/// The namespace of handle argument 0 and the key of argument 1, or the
/// error code to return.
fn entry_key(h: &PcHost, c: &Call<'_>, mem: &Memory, write: bool) -> Result<Result<(String, String), u64>, Trap> {
    let key = c.u32(1)?;
    let w = h.k.lock();
    let Some((ns, writable)) = w.rtos.nvs.handles.get(&c.u32(0)?) else { return Ok(Err(ERR_INVALID_HANDLE)) };
    if write && !writable {
        return Ok(Err(ERR_READ_ONLY));
    }
    if key == 0 {
        return Ok(Err(ESP_ERR_INVALID_ARG));
    }
    let key = name_at(mem, key, 64)?;
    if key.len() > MAX_KEY {
        return Ok(Err(ERR_KEY_TOO_LONG));
    }
    Ok(Ok((ns.clone(), key)))
}

/// The integer type of an `nvs_set_*` / `nvs_get_*` native.
fn int_type(name: &str) -> &'static str {
    let t = name.rsplit('_').next().unwrap_or("u32");
    INT_TYPES.iter().find(|&&x| x == t).copied().unwrap_or("u32")
}

fn int_width(t: &str) -> usize {
    t[1..].parse::<usize>().unwrap_or(32) / 8
}

/// The bits an integer type keeps.
fn int_mask(t: &str) -> u64 {
    match int_width(t) {
        8 => u64::MAX,
        n => (1u64 << (8 * n)) - 1,
    }
}

fn store(h: &PcHost, k: (String, String), v: Value) -> u64 {
    h.k.lock().rtos.nvs.entries.insert(k, v);
    ESP_OK
}

/// `nvs_set_<int>(handle, key, value)`.
fn set_int(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let k = match entry_key(h, c, ctx.mem, true)? {
        Ok(k) => k,
        Err(e) => return Ok(e),
    };
    let t = int_type(c.name);
    Ok(store(h, k, Value::Int(t, c.i64(2)? as u64 & int_mask(t))))
}

/// The stored value of `k`, or the error code.
fn lookup(h: &PcHost, k: &(String, String)) -> Result<Value, u64> {
    h.k.lock().rtos.nvs.entries.get(k).cloned().ok_or(ERR_NOT_FOUND)
}

/// `nvs_get_<int>(handle, key, *out)`.
fn get_int(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let k = match entry_key(h, c, ctx.mem, false)? {
        Ok(k) => k,
        Err(e) => return Ok(e),
    };
    let t = int_type(c.name);
    match lookup(h, &k) {
        Ok(Value::Int(st, bits)) if st == t => {
            let out = c.u32(2)?;
            if out == 0 {
                return Ok(ESP_ERR_INVALID_ARG);
            }
            let n = int_width(t);
            ctx.mem.slice_mut(out, n)?.copy_from_slice(&bits.to_le_bytes()[..n]);
            Ok(ESP_OK)
        }
        Ok(_) => Ok(ERR_TYPE_MISMATCH),
        Err(e) => Ok(e),
    }
}

fn set_str(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let k = match entry_key(h, c, ctx.mem, true)? {
        Ok(k) => k,
        Err(e) => return Ok(e),
    };
    let v = c.u32(2)?;
    if v == 0 {
        return Ok(ESP_ERR_INVALID_ARG);
    }
    let s = ctx.mem.c_str(v)?.to_vec();
    Ok(store(h, k, Value::Str(s)))
}

fn set_blob(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let k = match entry_key(h, c, ctx.mem, true)? {
        Ok(k) => k,
        Err(e) => return Ok(e),
    };
    let (v, len) = (c.u32(2)?, c.u32(3)?);
    let b = if len == 0 { Vec::new() } else { ctx.mem.slice(v, len as usize)?.to_vec() };
    Ok(store(h, k, Value::Blob(b)))
}

/// `nvs_get_str` / `nvs_get_blob(handle, key, out, *length)`: with `out`
/// NULL, only the length (a string's with its NUL).
fn get_bytes(h: &PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>, string: bool) -> Result<u64, Trap> {
    let k = match entry_key(h, c, ctx.mem, false)? {
        Ok(k) => k,
        Err(e) => return Ok(e),
    };
    let (out, len_p) = (c.u32(2)?, c.u32(3)?);
    let mut bytes = match (lookup(h, &k), string) {
        (Ok(Value::Str(s)), true) | (Ok(Value::Blob(s)), false) => s,
        (Ok(_), _) => return Ok(ERR_TYPE_MISMATCH),
        (Err(e), _) => return Ok(e),
    };
    if string {
        bytes.push(0);
    }
    if len_p == 0 {
        return Ok(ESP_ERR_INVALID_ARG);
    }
    let need = bytes.len() as u32;
    if out != 0 {
        if ctx.mem.read_u32(len_p)? < need {
            return Ok(ERR_INVALID_LENGTH);
        }
        ctx.mem.slice_mut(out, bytes.len())?.copy_from_slice(&bytes);
    }
    ctx.mem.write_u32(len_p, need)?;
    Ok(ESP_OK)
}

fn get_str(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    get_bytes(h, c, ctx, true)
}

fn get_blob(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    get_bytes(h, c, ctx, false)
}

fn erase_key(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let k = match entry_key(h, c, ctx.mem, true)? {
        Ok(k) => k,
        Err(e) => return Ok(e),
    };
    Ok(if h.k.lock().rtos.nvs.entries.remove(&k).is_some() { ESP_OK } else { ERR_NOT_FOUND })
}

fn erase_all(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let mut w = h.k.lock();
    let nvs = &mut w.rtos.nvs;
    let Some((ns, writable)) = nvs.handles.get(&c.u32(0)?).cloned() else { return Ok(ERR_INVALID_HANDLE) };
    if !writable {
        return Ok(ERR_READ_ONLY);
    }
    nvs.entries.retain(|(n, _), _| *n != ns);
    Ok(ESP_OK)
}

/// `nvs_commit(handle)`: writes the backing file.
fn commit(h: &mut PcHost, c: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let w = h.k.lock();
    if !w.rtos.nvs.handles.contains_key(&c.u32(0)?) {
        return Ok(ERR_INVALID_HANDLE);
    }
    w.rtos.nvs.save().map_err(Trap::host)?;
    Ok(ESP_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_round_trips() {
        let mut e = BTreeMap::new();
        let k = |n: &str, key: &str| (n.to_string(), key.to_string());
        e.insert(k("app", "boots"), Value::Int("u32", 7));
        e.insert(k("app", "delta"), Value::Int("i16", 0xFFFE));
        e.insert(k("app", "name"), Value::Str(b"say \"hi\"\n\x01".to_vec()));
        e.insert(k("cal", "raw"), Value::Blob(vec![0, 0xab, 0x10]));
        let text = render(&e);
        assert_eq!(
            text,
            "app boots u32 7\napp delta i16 -2\napp name str \"say \\\"hi\\\"\\n\\x01\"\ncal raw blob 00ab10\n"
        );
        assert_eq!(parse(&text).unwrap(), e);
        assert!(parse("app x u7 1").unwrap_err().contains("line 1"));
    }
}
