//! Native signatures as the firmware's symbol tables carry them
//! (docs/symbols.md "Signatures"): the C signature of each native at the
//! level the native-call ABI distinguishes (i32, i64, f32, f64, pointer,
//! variadic), and which pointer arguments are memory the runtime checks
//! before the call (NUL-terminated strings, buffers with a length argument,
//! objects of a known size).
//!
//! Two forms, one meaning: the text the manifests write (`i32(str,...)`,
//! [`NativeSig::parse`], [`NativeSig::fmt`]) and the compact record the
//! generated tables embed ([`NativeSig::encode`], [`NativeSig::decode`]).

use crate::module::{FuncType, ValType};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// A parameter or result type as the native-call ABI sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NType {
    I32 = 1,
    I64 = 2,
    F32 = 3,
    F64 = 4,
    Ptr = 5,
}

impl NType {
    fn from_code(c: u8) -> Option<NType> {
        Some(match c {
            1 => NType::I32,
            2 => NType::I64,
            3 => NType::F32,
            4 => NType::F64,
            5 => NType::Ptr,
            _ => return None,
        })
    }

    pub const fn name(self) -> &'static str {
        match self {
            NType::I32 => "i32",
            NType::I64 => "i64",
            NType::F32 => "f32",
            NType::F64 => "f64",
            NType::Ptr => "ptr",
        }
    }

    /// What the module passes for it: pointers are `i32` values.
    pub const fn val(self) -> ValType {
        match self {
            NType::I32 | NType::Ptr => ValType::I32,
            NType::I64 => ValType::I64,
            NType::F32 => ValType::F32,
            NType::F64 => ValType::F64,
        }
    }
}

/// What a pointer argument points at, for the checks before a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemArg {
    /// Not checked (a handle, or memory of a size nobody declared).
    None,
    /// `str`: a NUL-terminated string, read up to its NUL.
    Str,
    /// `buf:N` / `buf:N*M`: as many bytes as argument `N` says (times
    /// argument `M`: `fwrite(ptr, size, count, f)`).
    Buf { len: u8, times: Option<u8> },
    /// `mem:K`: an object of `K` bytes (an out-pointer `uint32_t *`, a
    /// config struct).
    Obj(u16),
}

/// One parameter: its ABI type, and for pointers what they point at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Param {
    pub ty: NType,
    pub mem: MemArg,
    /// `?`: NULL is passed on unchecked (the native accepts it).
    pub nullable: bool,
}

impl Param {
    pub const fn plain(ty: NType) -> Param {
        Param { ty, mem: MemArg::None, nullable: false }
    }
}

/// What a native's pointer result lets the module reach (a result
/// annotation): the runtime grants it as a window when the native returns a
/// non-NULL pointer (docs/native-calls.md "Firmware memory").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ResultMem {
    /// Nothing: the module may pass the pointer on, not dereference it.
    #[default]
    None,
    /// `str`: a NUL-terminated string, read-only (`pcTaskGetName`).
    Str,
    /// `mem:K`, `mem:K:rw`: an object of `K` bytes, read-only or also
    /// writable (`__errno`: `mem:4:rw`).
    Obj { size: u16, writable: bool },
}

/// A data slot (a firmware variable the module takes the address of): its
/// size, whether the module may write it (`data:SIZE`, `data:SIZE:rw`),
/// and for a pointer variable how much of what it points at the module may
/// read (`data:4->16`: `_impure_ptr`, whose `struct _reent` starts with
/// errno, stdin, stdout and stderr).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataObj {
    pub size: u32,
    pub writable: bool,
    /// Readable bytes at the address the variable holds at load.
    pub points_to: Option<u16>,
}

/// A native's C signature, or a data slot's object ([`NativeSig::data`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NativeSig {
    /// The declared (fixed) parameters.
    pub params: Vec<Param>,
    pub result: Option<NType>,
    pub variadic: bool,
    /// What a pointer result lets the module reach.
    pub result_mem: ResultMem,
    /// `Some`: the slot is a data object, not a function (no parameters,
    /// no result; no call site fits it).
    pub data: Option<DataObj>,
}

/// Why a signature text or record was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    #[error(
        "signature `{text}`: {why}; write RESULT(PARAM,...) with types void i32 i64 f32 f64 ptr, \
         pointer kinds str buf:N buf:N*M mem:SIZE (a `?` suffix allows NULL), `...` last, e.g. `i32(str,...)`; \
         results may be str, mem:SIZE or mem:SIZE:rw; a data slot is data:SIZE or data:SIZE:rw"
    )]
    Text { text: String, why: &'static str },
    #[error("signature record at byte {at} is malformed")]
    Record { at: usize },
}

/// At most this many fixed parameters (one byte each in the record).
pub const MAX_PARAMS: usize = 32;

impl NativeSig {
    /// Parses the manifest form, `RESULT(PARAM,...)` without blanks.
    pub fn parse(text: &str) -> Result<NativeSig, SigError> {
        let err = |why| SigError::Text { text: text.into(), why };
        if let Some(obj) = text.strip_prefix("data:") {
            let (obj, points_to) = match obj.split_once("->") {
                Some((o, n)) => {
                    let n = n.parse::<u16>().ok().filter(|&n| n > 0).ok_or_else(|| err("bad pointee size"))?;
                    (o, Some(n))
                }
                None => (obj, None),
            };
            let (size, writable) = match obj.strip_suffix(":rw") {
                Some(n) => (n, true),
                None => (obj, false),
            };
            let size = size.parse::<u32>().ok().filter(|&n| n > 0).ok_or_else(|| err("bad data object size"))?;
            if points_to.is_some() && size != 4 {
                return Err(err("only a pointer (data:4) points to something"));
            }
            return Ok(NativeSig { data: Some(DataObj { size, writable, points_to }), ..NativeSig::default() });
        }
        let (ret, rest) = text.split_once('(').ok_or_else(|| err("no `(`"))?;
        let inner = rest.strip_suffix(')').ok_or_else(|| err("it does not end with `)`"))?;
        let (result, result_mem) = match ret {
            "void" => (None, ResultMem::None),
            "str" => (Some(NType::Ptr), ResultMem::Str),
            _ => match ret.strip_prefix("mem:") {
                Some(obj) => {
                    let (size, writable) = match obj.strip_suffix(":rw") {
                        Some(n) => (n, true),
                        None => (obj, false),
                    };
                    let size =
                        size.parse::<u16>().ok().filter(|&n| n > 0).ok_or_else(|| err("bad result object size"))?;
                    (Some(NType::Ptr), ResultMem::Obj { size, writable })
                }
                None => (Some(scalar(ret).ok_or_else(|| err("unknown result type"))?), ResultMem::None),
            },
        };
        let mut params = Vec::new();
        let mut variadic = false;
        let parts: Vec<&str> =
            if inner.is_empty() || inner == "void" { Vec::new() } else { inner.split(',').collect() };
        for (k, p) in parts.iter().enumerate() {
            if *p == "..." {
                if k + 1 != parts.len() {
                    return Err(err("`...` must come last"));
                }
                variadic = true;
                continue;
            }
            params.push(param(p, parts.len()).ok_or_else(|| err("unknown parameter type"))?);
        }
        if params.len() > MAX_PARAMS {
            return Err(err("more than 32 parameters"));
        }
        let sig = NativeSig { params, result, variadic, result_mem, data: None };
        for p in &sig.params {
            if let MemArg::Buf { len, times } = p.mem {
                for a in core::iter::once(len).chain(times) {
                    match sig.params.get(usize::from(a)) {
                        Some(q) if q.ty == NType::I32 => {}
                        _ => return Err(err("a `buf:N` length argument must be an i32 parameter")),
                    }
                }
            }
        }
        Ok(sig)
    }

    /// The ABI part alone (what the table hash covers): memory kinds are
    /// plain pointers there, so refining them never changes a hash.
    /// A data object's size is its type here: a module built against
    /// another size is refused at load rather than reach a different object.
    pub fn abi_text(&self) -> String {
        if let Some(d) = self.data {
            return match d.points_to {
                Some(n) => alloc::format!("data:{}->{n}", d.size),
                None => alloc::format!("data:{}", d.size),
            };
        }
        let mut s = String::from(self.result.map_or("void", NType::name));
        s.push('(');
        let mut first = true;
        for p in &self.params {
            if !first {
                s.push(',');
            }
            first = false;
            s.push_str(p.ty.name());
        }
        if self.variadic {
            if !first {
                s.push(',');
            }
            s.push_str("...");
        }
        s.push(')');
        s
    }

    /// Whether a call site of the module's type `site` fits this native.
    /// A result the module does not read may be dropped (`(void)f()`); all
    /// else must agree: parameter count and ABI types, and for a variadic
    /// native the fixed count (variadic arguments are the module's: their
    /// types travel with the call site).
    pub fn accepts(&self, site: &FuncType) -> bool {
        if self.data.is_some() {
            return false;
        }
        let fixed = match (self.variadic, site.variadic_fixed) {
            (true, Some(n)) => usize::from(n),
            (false, None) => site.params.len(),
            _ => return false,
        };
        fixed == self.params.len()
            && site.params.len() >= fixed
            && self.params.iter().zip(&site.params).all(|(p, v)| p.ty.val() == *v)
            && match (site.result, self.result) {
                (None, _) => true,
                (Some(v), Some(r)) => r.val() == v,
                (Some(_), None) => false,
            }
    }

    /// Whether any argument is checked before the call.
    pub fn has_memory_args(&self) -> bool {
        self.params.iter().any(|p| p.mem != MemArg::None)
    }

    /// Appends the table record: result byte (bits 0..2 type, 3..4 result
    /// memory kind as for parameters, bit 6 writable, bit 7 variadic),
    /// parameter count, the result object's size (u16 LE, `mem` only), then
    /// one byte per parameter (bits 0..2 type, 3..4 memory kind, bit 7
    /// nullable) followed by its operands (`buf`: length and multiplier
    /// argument, 0xFF for none; `mem`: size, u16 LE). A data object is
    /// [`DATA_CODE`] (bit 6 writable, bit 5 a pointee follows), its size
    /// (u32 LE) and its pointee's (u16 LE).
    pub fn encode(&self, out: &mut Vec<u8>) {
        if let Some(d) = self.data {
            out.push(DATA_CODE | if d.writable { 0x40 } else { 0 } | if d.points_to.is_some() { 0x20 } else { 0 });
            out.extend_from_slice(&d.size.to_le_bytes());
            out.extend(d.points_to.into_iter().flat_map(u16::to_le_bytes));
            return;
        }
        let (kind, writable, size) = match self.result_mem {
            ResultMem::None => (0, false, None),
            ResultMem::Str => (1, false, None),
            ResultMem::Obj { size, writable } => (3, writable, Some(size)),
        };
        out.push(
            self.result.map_or(0, |r| r as u8)
                | kind << 3
                | if writable { 0x40 } else { 0 }
                | if self.variadic { 0x80 } else { 0 },
        );
        out.push(self.params.len() as u8);
        out.extend(size.into_iter().flat_map(u16::to_le_bytes));
        for p in &self.params {
            let (kind, extra): (u8, [Option<u8>; 2]) = match p.mem {
                MemArg::None => (0, [None, None]),
                MemArg::Str => (1, [None, None]),
                MemArg::Buf { len, times } => (2, [Some(len), Some(times.unwrap_or(0xFF))]),
                MemArg::Obj(n) => (3, [Some(n as u8), Some((n >> 8) as u8)]),
            };
            out.push(p.ty as u8 | kind << 3 | if p.nullable { 0x80 } else { 0 });
            out.extend(extra.into_iter().flatten());
        }
    }

    /// Reads the record at `at` of `blob`.
    pub fn decode(blob: &[u8], at: usize) -> Result<NativeSig, SigError> {
        let bad = SigError::Record { at };
        let b = |i: usize| blob.get(i).copied().ok_or(SigError::Record { at });
        let head = b(at)?;
        if head & 0x9F == DATA_CODE {
            let size = u32::from_le_bytes([b(at + 1)?, b(at + 2)?, b(at + 3)?, b(at + 4)?]);
            let points_to = match head & 0x20 {
                0 => None,
                _ => Some(u16::from_le_bytes([b(at + 5)?, b(at + 6)?])).filter(|&n| n > 0 && size == 4),
            };
            if size == 0 || (head & 0x20 != 0 && points_to.is_none()) {
                return Err(bad);
            }
            let data = Some(DataObj { size, writable: head & 0x40 != 0, points_to });
            return Ok(NativeSig { data, ..NativeSig::default() });
        }
        let result = match head & 7 {
            0 => None,
            c => Some(NType::from_code(c).ok_or(bad.clone())?),
        };
        let n = usize::from(b(at + 1)?);
        let mut pos = at + 2;
        let writable = head & 0x40 != 0;
        let result_mem = match (head >> 3) & 7 {
            0 if !writable => ResultMem::None,
            1 if !writable => ResultMem::Str,
            3 => {
                let size = u16::from_le_bytes([b(pos)?, b(pos + 1)?]);
                pos += 2;
                ResultMem::Obj { size, writable }
            }
            _ => return Err(bad),
        };
        if result_mem != ResultMem::None && result != Some(NType::Ptr) {
            return Err(bad);
        }
        let mut params = Vec::new();
        params.try_reserve_exact(n).map_err(|_| bad.clone())?;
        for _ in 0..n {
            let p = b(pos)?;
            pos += 1;
            let ty = NType::from_code(p & 7).ok_or(bad.clone())?;
            let mem = match (p >> 3) & 3 {
                0 => MemArg::None,
                1 => MemArg::Str,
                2 => {
                    let (len, times) = (b(pos)?, b(pos + 1)?);
                    pos += 2;
                    MemArg::Buf { len, times: (times != 0xFF).then_some(times) }
                }
                _ => {
                    let size = u16::from_le_bytes([b(pos)?, b(pos + 1)?]);
                    pos += 2;
                    MemArg::Obj(size)
                }
            };
            if mem != MemArg::None && ty != NType::Ptr {
                return Err(bad);
            }
            params.push(Param { ty, mem, nullable: p & 0x80 != 0 });
        }
        Ok(NativeSig { params, result, variadic: head & 0x80 != 0, result_mem, data: None })
    }
}

/// The first byte of a data object's record (no result type has code 6).
pub const DATA_CODE: u8 = 6;

fn scalar(t: &str) -> Option<NType> {
    Some(match t {
        "i32" => NType::I32,
        "i64" => NType::I64,
        "f32" => NType::F32,
        "f64" => NType::F64,
        "ptr" => NType::Ptr,
        _ => return None,
    })
}

fn param(p: &str, nparts: usize) -> Option<Param> {
    let (p, nullable) = match p.strip_suffix('?') {
        Some(q) => (q, true),
        None => (p, false),
    };
    let arg = |s: &str| s.parse::<u8>().ok().filter(|&a| usize::from(a) < nparts);
    let mem = if p == "str" {
        MemArg::Str
    } else if let Some(n) = p.strip_prefix("buf:") {
        match n.split_once('*') {
            Some((a, b)) => MemArg::Buf { len: arg(a)?, times: Some(arg(b)?) },
            None => MemArg::Buf { len: arg(n)?, times: None },
        }
    } else if let Some(k) = p.strip_prefix("mem:") {
        MemArg::Obj(k.parse().ok().filter(|&k| k > 0)?)
    } else {
        let ty = scalar(p)?;
        return (!nullable || ty == NType::Ptr).then_some(Param { ty, mem: MemArg::None, nullable });
    };
    Some(Param { ty: NType::Ptr, mem, nullable })
}

/// The manifest form, annotations included.
impl fmt::Display for NativeSig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(d) = self.data {
            write!(f, "data:{}{}", d.size, if d.writable { ":rw" } else { "" })?;
            return match d.points_to {
                Some(n) => write!(f, "->{n}"),
                None => Ok(()),
            };
        }
        match self.result_mem {
            ResultMem::None => f.write_str(self.result.map_or("void", NType::name))?,
            ResultMem::Str => f.write_str("str")?,
            ResultMem::Obj { size, writable } => write!(f, "mem:{size}{}", if writable { ":rw" } else { "" })?,
        }
        f.write_str("(")?;
        for (k, p) in self.params.iter().enumerate() {
            if k > 0 {
                f.write_str(",")?;
            }
            match p.mem {
                MemArg::None => f.write_str(p.ty.name())?,
                MemArg::Str => f.write_str("str")?,
                MemArg::Buf { len, times: None } => write!(f, "buf:{len}")?,
                MemArg::Buf { len, times: Some(m) } => write!(f, "buf:{len}*{m}")?,
                MemArg::Obj(n) => write!(f, "mem:{n}")?,
            }
            if p.nullable {
                f.write_str("?")?;
            }
        }
        if self.variadic {
            f.write_str(if self.params.is_empty() { "..." } else { ",..." })?;
        }
        f.write_str(")")
    }
}

/// A module type in the same notation (`i32(i32,...)`), for messages.
pub struct SiteType<'a>(pub &'a FuncType);

impl fmt::Display for SiteType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0;
        f.write_str(t.result.map_or("void", ValType::name))?;
        f.write_str("(")?;
        let fixed = t.variadic_fixed.map_or(t.params.len(), usize::from);
        for (k, p) in t.params.iter().enumerate() {
            if k > 0 {
                f.write_str(",")?;
            }
            if k == fixed {
                f.write_str("... ")?;
            }
            f.write_str(p.name())?;
        }
        if t.variadic_fixed.is_some() && fixed == t.params.len() {
            f.write_str(if fixed == 0 { "..." } else { ",..." })?;
        }
        f.write_str(")")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn text_and_record_round_trip() {
        for t in [
            "i32(str,...)",
            "void()",
            "ptr(ptr,i32,buf:1)",
            "i32(buf:1*2?,i32,i32,ptr)",
            "i64(mem:8?,f64,f32)",
            "void(...)",
            "mem:4:rw()",
            "mem:16()",
            "str(ptr?)",
            "str(i32,...)",
            "data:4",
            "data:257:rw",
            "data:4->16",
            "data:4:rw->8",
        ] {
            let s = NativeSig::parse(t).unwrap();
            assert_eq!(s.to_string(), t);
            let mut rec = vec![0xAA];
            s.encode(&mut rec);
            assert_eq!(NativeSig::decode(&rec, 1).unwrap(), s, "{t}");
        }
        assert_eq!(NativeSig::parse("i32(str,...)").unwrap().abi_text(), "i32(ptr,...)");
        assert_eq!(NativeSig::parse("void(void)").unwrap().to_string(), "void()");
        assert_eq!(NativeSig::parse("mem:4:rw()").unwrap().abi_text(), "ptr()", "result grants are not hashed");
        assert_eq!(NativeSig::parse("data:257:rw").unwrap().abi_text(), "data:257", "a data size is");
        assert_eq!(NativeSig::parse("data:4:rw->16").unwrap().abi_text(), "data:4->16", "and what it points at");
    }

    #[test]
    fn no_call_site_fits_a_data_object() {
        let site = FuncType { params: vec![], result: Some(ValType::I32), variadic_fixed: None };
        assert!(!NativeSig::parse("data:4").unwrap().accepts(&site));
        assert!(NativeSig::parse("mem:4:rw()").unwrap().accepts(&site));
    }

    #[test]
    fn bad_text_says_what_to_write() {
        for t in [
            "i32",
            "i32(str",
            "u8()",
            "i32(buf:3,i32)",
            "i32(buf:0)",
            "i32(...,i32)",
            "i32(i32?)",
            "data:0",
            "data:x",
            "mem:0()",
            "mem:4:ro()",
            "data:8->16",
            "data:4->0",
        ] {
            let e = NativeSig::parse(t).unwrap_err();
            assert!(format!("{e}").contains("RESULT(PARAM,...)"), "{t}: {e}");
        }
        assert!(NativeSig::decode(&[1, 2, 1], 0).is_err());
        assert!(NativeSig::decode(&[0x09, 0], 0).is_err(), "a str result must be a pointer");
        assert!(NativeSig::decode(&[DATA_CODE, 0, 0, 0, 0], 0).is_err(), "a data object of 0 bytes");
        assert!(NativeSig::decode(&[DATA_CODE, 4, 0], 0).is_err(), "a cut record");
    }

    #[test]
    fn call_sites_fit_by_abi_type() {
        let printf = NativeSig::parse("i32(str,...)").unwrap();
        let site = |params: Vec<ValType>, result, fixed| FuncType { params, result, variadic_fixed: fixed };
        use ValType::*;
        assert!(printf.accepts(&site(vec![I32, F64, I64], Some(I32), Some(1))));
        assert!(printf.accepts(&site(vec![I32], None, Some(1))), "a dropped result");
        assert!(!printf.accepts(&site(vec![I32], Some(I32), None)), "not declared variadic");
        assert!(!printf.accepts(&site(vec![I64], Some(I32), Some(1))));
        let memset = NativeSig::parse("ptr(buf:2,i32,i32)").unwrap();
        assert!(memset.accepts(&site(vec![I32, I32, I32], Some(I32), None)));
        assert!(!memset.accepts(&site(vec![I32, I32], Some(I32), None)), "arity");
        assert!(!memset.accepts(&site(vec![I32, I32, I64], Some(I32), None)));
        assert!(!NativeSig::parse("void(i32)").unwrap().accepts(&site(vec![I32], Some(I32), None)));
        assert_eq!(SiteType(&site(vec![I32, F64], Some(I32), Some(1))).to_string(), "i32(i32,... f64)");
    }
}
