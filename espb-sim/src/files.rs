//! Files: stdio.h's `FILE` streams, `remove` and `rename`, over folders of
//! the PC, in ESP-IDF's VFS shape. A mount (`--fs /spiffs=DIR`) maps the
//! module's paths under `/spiffs` into `DIR`; a mount without a prefix
//! (`--fs DIR`) maps every absolute path. Nothing outside the folders is
//! reachable: `..` components are refused (ENOENT), and so is a path whose
//! folder leads, through a symbolic link, out of the mount.
//!
//! A stream is a newlib `FILE` (104 bytes, zeroed) in the module's heap, as
//! the module's `feof`/`ferror`/`clearerr` macros read and write its
//! `_flags` (`__SEOF`, `__SERR`) themselves; the simulator keeps those bits
//! there and nowhere else. Writes go straight to the PC file (no buffer).

use super::printf::{ArgSource, VaListArgs};
use super::scan::{self, MemOut};
use super::{Call, ENOMEM, Native, PcHost, n, ret_i32};
use espb_runtime::{HostCtx, Memory, Trap};
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Component, Path, PathBuf};

pub(crate) const NATIVES: &[Native] = &[
    n("fopen", fopen),
    n("fclose", fclose),
    n("fread", fread),
    n("fgets", fgets),
    n("fgetc", fgetc),
    n("getc", fgetc),
    n("getchar", getchar),
    n("ungetc", ungetc),
    n("fscanf", fscanf),
    n("fiscanf", fscanf),
    n("vfscanf", vfscanf),
    n("fseek", fseek),
    n("ftell", ftell),
    n("rewind", rewind),
    n("feof", feof),
    n("ferror", ferror),
    n("clearerr", clearerr),
    n("remove", remove),
    n("unlink", remove),
    n("rename", rename),
    n("perror", perror),
    n("strerror", strerror),
];

/// newlib's `sizeof(FILE)` on riscv32 and Xtensa, and where `_flags` (a
/// `short`) and `_file` are.
const FILE_SIZE: u32 = 104;
const FLAGS: u32 = 12;
const FILENO: u32 = 14;
/// newlib's `_flags` bits.
const SRD: u16 = 0x0004;
const SWR: u16 = 0x0008;
const SRW: u16 = 0x0010;
const SEOF: u16 = 0x0020;
const SERR: u16 = 0x0040;
/// ESP-IDF's VFS gives file descriptors from 3 up; it has 64 of them.
const FIRST_FD: u16 = 3;
const MAX_OPEN: usize = 61;

const EOF: i32 = -1;
// newlib's errno values.
const ENOENT: i32 = 2;
const EIO: i32 = 5;
const EBADF: i32 = 9;
const EACCES: i32 = 13;
const EEXIST: i32 = 17;
const ENOTDIR: i32 = 20;
const EISDIR: i32 = 21;
const EINVAL: i32 = 22;
const EMFILE: i32 = 24;
const ENOSPC: i32 = 28;
const ENOTEMPTY: i32 = 90;

/// newlib's `strerror` texts of the errors file functions give.
fn message(errno: i32) -> &'static str {
    match errno {
        0 => "Success",
        1 => "Not owner",
        ENOENT => "No such file or directory",
        EIO => "I/O error",
        EBADF => "Bad file number",
        ENOMEM => "Not enough space",
        EACCES => "Permission denied",
        EEXIST => "File exists",
        ENOTDIR => "Not a directory",
        EISDIR => "Is a directory",
        EINVAL => "Invalid argument",
        EMFILE => "File descriptor value too large",
        ENOSPC => "No space left on device",
        29 => "Illegal seek",
        30 => "Read-only file system",
        33 => "Mathematics argument out of domain of function",
        34 => "Result too large",
        ENOTEMPTY => "Directory not empty",
        91 => "File or path name too long",
        _ => "",
    }
}

/// One open stream.
struct Open {
    file: std::fs::File,
    read: bool,
    write: bool,
    /// Bytes pushed back by `ungetc`, last pushed last.
    unget: Vec<u8>,
    fd: u16,
}

/// The simulated VFS: mounts and open streams (by their `FILE*`).
#[derive(Default)]
pub(crate) struct Fs {
    /// (prefix without a trailing `/`, "" for every path; folder).
    mounts: Vec<(String, PathBuf)>,
    open: HashMap<u32, Open>,
    /// `strerror`'s strings, placed in the module's memory once each.
    messages: HashMap<i32, u32>,
}

impl Fs {
    pub(crate) fn mount(&mut self, prefix: &str, dir: PathBuf) {
        self.mounts.push((prefix.trim_end_matches('/').to_string(), dir));
    }

    /// The PC path of the module's `path`, or the errno refusing it.
    fn resolve(&self, path: &[u8]) -> Result<PathBuf, i32> {
        let path = std::str::from_utf8(path).map_err(|_| ENOENT)?;
        if !path.starts_with('/') {
            return Err(ENOENT);
        }
        let (prefix, dir) = self
            .mounts
            .iter()
            .filter(|(p, _)| p.is_empty() || path == p || path.starts_with(&format!("{p}/")))
            .max_by_key(|(p, _)| p.len())
            .ok_or(ENOENT)?;
        let mut out = dir.clone();
        for part in path[prefix.len()..].split('/') {
            match part {
                "" | "." => {}
                ".." => return Err(ENOENT),
                p => out.push(p),
            }
        }
        // Through symbolic links, the deepest existing folder must stay inside.
        let root = dir.canonicalize().map_err(|_| ENOENT)?;
        let mut probe: &Path = &out;
        loop {
            if let Ok(real) = probe.canonicalize() {
                if !real.starts_with(&root) {
                    return Err(EACCES);
                }
                break;
            }
            match probe.parent() {
                Some(p) => probe = p,
                None => return Err(ENOENT),
            }
        }
        if out.components().any(|c| c == Component::ParentDir) {
            return Err(ENOENT);
        }
        Ok(out)
    }

    /// Is `fp` a stream this VFS opened?
    pub(crate) fn is_open(&self, fp: u32) -> bool {
        self.open.contains_key(&fp)
    }
}

fn errno_of(e: &std::io::Error) -> i32 {
    use std::io::ErrorKind::*;
    match e.kind() {
        NotFound => ENOENT,
        PermissionDenied => EACCES,
        AlreadyExists => EEXIST,
        NotADirectory => ENOTDIR,
        IsADirectory => EISDIR,
        DirectoryNotEmpty => ENOTEMPTY,
        StorageFull => ENOSPC,
        InvalidInput => EINVAL,
        _ => EIO,
    }
}

fn set_flags(mem: &mut Memory, fp: u32, set: u16, clear: u16) -> Result<(), Trap> {
    let f = mem.read_u16(fp + FLAGS)?;
    mem.write_u16(fp + FLAGS, (f & !clear) | set)
}

/// A NULL `FILE*` (a failed `fopen` used anyway) crashes on a device: here
/// it traps, naming the function.
fn not_null(fp: u32, name: &str) -> Result<(), Trap> {
    if fp == 0 { Err(Trap::host(format!("{name}: the FILE* is NULL (did fopen fail?)"))) } else { Ok(()) }
}

/// Writes `b` to the stream `fp`: a file this VFS opened, else stdout or
/// stderr. False when the write failed (the stream's error flag is set).
pub(crate) fn write_to(h: &mut PcHost, ctx: &mut HostCtx<'_>, fp: u32, b: &[u8]) -> Result<bool, Trap> {
    not_null(fp, "a stdio write")?;
    let Some(o) = h.fs.open.get_mut(&fp) else { return Ok(h.write_stream(fp, b)) };
    let ok = o.write && o.file.write_all(b).is_ok();
    if !ok {
        set_flags(ctx.mem, fp, SERR, 0)?;
        h.set_errno(ctx, EBADF)?;
    }
    Ok(ok)
}

/// `fopen(path, mode)`: `r`, `w`, `a`, with `+`, `b` and `x` (C11:
/// fail if it exists).
fn fopen(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let path = ctx.mem.c_str(c.u32(0)?)?.to_vec();
    let mode = ctx.mem.c_str(c.u32(1)?)?.to_vec();
    ctx.charge((path.len() + mode.len()) as u64)?;
    let fail = |h: &mut PcHost, ctx: &mut HostCtx<'_>, e: i32| h.set_errno(ctx, e).map(|()| 0);
    let plus = mode[1.min(mode.len())..].contains(&b'+');
    let excl = mode.contains(&b'x');
    let mut opts = std::fs::OpenOptions::new();
    let (read, write) = match mode.first() {
        Some(b'r') => (true, plus),
        Some(b'w') => {
            opts.create(!excl).create_new(excl).truncate(true);
            (plus, true)
        }
        Some(b'a') => {
            opts.create(!excl).create_new(excl).append(true);
            (plus, true)
        }
        _ => return fail(h, ctx, EINVAL),
    };
    opts.read(read).write(write);
    if h.fs.open.len() >= MAX_OPEN {
        return fail(h, ctx, EMFILE);
    }
    let p = match h.fs.resolve(&path) {
        Ok(p) => p,
        Err(e) => return fail(h, ctx, e),
    };
    if p.is_dir() {
        return fail(h, ctx, EISDIR);
    }
    let file = match opts.open(&p) {
        Ok(f) => f,
        Err(e) => return fail(h, ctx, errno_of(&e)),
    };
    let fp = ctx.malloc(FILE_SIZE);
    if fp == 0 {
        return fail(h, ctx, ENOMEM);
    }
    ctx.mem.fill(fp, 0, FILE_SIZE)?;
    let fd = (FIRST_FD..).find(|fd| !h.fs.open.values().any(|o| o.fd == *fd)).unwrap_or(FIRST_FD);
    let flags = if read && write {
        SRW
    } else if read {
        SRD
    } else {
        SWR
    };
    ctx.mem.write_u16(fp + FLAGS, flags)?;
    ctx.mem.write_u16(fp + FILENO, fd)?;
    h.fs.open.insert(fp, Open { file, read, write, unget: Vec::new(), fd });
    Ok(u64::from(fp))
}

/// `fclose`: 0, or `EOF` for a stream this VFS does not have (stdout and
/// stderr stay open, as newlib's `fclose` of them leaves the console).
fn fclose(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let fp = c.u32(0)?;
    not_null(fp, c.name)?;
    match h.fs.open.remove(&fp) {
        Some(o) => {
            drop(o);
            ctx.free(fp)?;
            Ok(0)
        }
        None if fp == super::SIM_STDOUT || fp == super::SIM_STDERR => Ok(ret_i32(h.flush().map_or(EOF, |()| 0))),
        None => {
            h.set_errno(ctx, EBADF)?;
            Ok(ret_i32(EOF))
        }
    }
}

/// The next byte of stream `fp` (pushed-back bytes first); `None` at the
/// end, when the stream's EOF flag is set, or on an error (error flag).
fn next_byte(h: &mut PcHost, ctx: &mut HostCtx<'_>, fp: u32) -> Result<Option<u8>, Trap> {
    not_null(fp, "a stdio read")?;
    let Some(o) = h.fs.open.get_mut(&fp) else { return Ok(None) };
    if let Some(b) = o.unget.pop() {
        return Ok(Some(b));
    }
    if !o.read {
        set_flags(ctx.mem, fp, SERR, 0)?;
        h.set_errno(ctx, EBADF)?;
        return Ok(None);
    }
    let mut b = [0u8];
    match o.file.read(&mut b) {
        Ok(1) => Ok(Some(b[0])),
        Ok(_) => {
            set_flags(ctx.mem, fp, SEOF, 0)?;
            Ok(None)
        }
        Err(e) => {
            set_flags(ctx.mem, fp, SERR, 0)?;
            h.set_errno(ctx, errno_of(&e))?;
            Ok(None)
        }
    }
}

fn fgetc(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    ctx.charge(1)?;
    Ok(ret_i32(next_byte(h, ctx, c.u32(0)?)?.map_or(EOF, i32::from)))
}

/// stdin is not simulated: it is always at its end.
fn getchar(_: &mut PcHost, _: &Call<'_>, _: &mut HostCtx<'_>) -> Result<u64, Trap> {
    Ok(ret_i32(EOF))
}

/// `fgets(buf, n, fp)`: up to `n - 1` bytes, through the first newline.
fn fgets(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (buf, n, fp) = (c.u32(0)?, c.i32(1)?, c.u32(2)?);
    if n <= 0 {
        return Ok(0);
    }
    let mut line = Vec::new();
    while line.len() + 1 < n as usize {
        match next_byte(h, ctx, fp)? {
            Some(b) => {
                line.push(b);
                if b == b'\n' {
                    break;
                }
            }
            None => break,
        }
    }
    ctx.charge(line.len() as u64)?;
    if line.is_empty() && n > 1 {
        return Ok(0);
    }
    line.push(0);
    ctx.mem.slice_mut(buf, line.len())?.copy_from_slice(&line);
    Ok(u64::from(buf))
}

/// `fread(ptr, size, n, fp)`: the whole items read.
fn fread(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (p, size, nmemb, fp) = (c.u32(0)?, c.u32(1)?, c.u32(2)?, c.u32(3)?);
    not_null(fp, c.name)?;
    let total = u64::from(size) * u64::from(nmemb);
    if total == 0 {
        return Ok(0);
    }
    // Bounds first: a read into memory the module does not have traps.
    ctx.mem.slice(p, usize::try_from(total).unwrap_or(usize::MAX))?;
    ctx.charge(total)?;
    let mut data = Vec::with_capacity(total as usize);
    while let Some(b) = h.fs.open.get_mut(&fp).and_then(|o| o.unget.pop()) {
        data.push(b);
        if data.len() as u64 == total {
            break;
        }
    }
    if let Some(o) = h.fs.open.get_mut(&fp)
        && (data.len() as u64) < total
    {
        if !o.read {
            set_flags(ctx.mem, fp, SERR, 0)?;
            h.set_errno(ctx, EBADF)?;
        } else {
            let want = total - data.len() as u64;
            match (&mut o.file).take(want).read_to_end(&mut data) {
                Ok(_) if (data.len() as u64) < total => set_flags(ctx.mem, fp, SEOF, 0)?,
                Ok(_) => {}
                Err(e) => {
                    set_flags(ctx.mem, fp, SERR, 0)?;
                    h.set_errno(ctx, errno_of(&e))?;
                }
            }
        }
    }
    ctx.mem.slice_mut(p, data.len())?.copy_from_slice(&data);
    Ok(data.len() as u64 / u64::from(size))
}

/// `ungetc(c, fp)`: pushes `c` back (EOF pushes nothing), clears the EOF flag.
fn ungetc(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (ch, fp) = (c.i32(0)?, c.u32(1)?);
    let Some(o) = h.fs.open.get_mut(&fp) else { return Ok(ret_i32(EOF)) };
    if ch == EOF || o.unget.len() >= 4 {
        return Ok(ret_i32(EOF));
    }
    o.unget.push(ch as u8);
    set_flags(ctx.mem, fp, 0, SEOF)?;
    Ok(ret_i32(i32::from(ch as u8)))
}

/// The logical position: the file's, less what was pushed back.
fn position(o: &mut Open) -> std::io::Result<u64> {
    Ok(o.file.stream_position()?.saturating_sub(o.unget.len() as u64))
}

/// `fscanf`: scanf over what follows in the file; the stream then stands
/// after what the conversions consumed. The text is read in growing
/// pieces: a scan that ran into the end of a piece while the file goes on
/// is done again over a larger one (its stores repeat with the final values).
fn scan_file<'c>(
    h: &mut PcHost,
    fp: u32,
    fmt: u32,
    args: &dyn Fn() -> Result<Box<dyn ArgSource + 'c>, Trap>,
    name: &str,
    ctx: &mut HostCtx<'_>,
) -> Result<u64, Trap> {
    not_null(fp, name)?;
    let fmt = ctx.mem.c_str(fmt)?.to_vec();
    let Some(o) = h.fs.open.get_mut(&fp) else {
        return Ok(ret_i32(EOF));
    };
    let io = |e: std::io::Error| Trap::host(format!("{name}: {e}"));
    let start = position(o).map_err(io)?;
    let pushed: Vec<u8> = o.unget.iter().rev().copied().collect();
    let mut piece = 512u64;
    loop {
        let mut input = pushed.clone();
        let mut more = false;
        if o.read {
            o.file.seek(SeekFrom::Start(start + pushed.len() as u64)).map_err(io)?;
            let _ = (&mut o.file).take(piece).read_to_end(&mut input);
            more = input.len() as u64 - pushed.len() as u64 == piece;
        }
        ctx.charge((input.len() + fmt.len()) as u64)?;
        let mut a = args()?;
        let mut out = MemOut { mem: ctx.mem, args: &mut *a };
        let (r, used, hit_end) = scan::scan(&input, &fmt, &mut out, name)?;
        if hit_end && more {
            piece = piece.saturating_mul(4);
            continue;
        }
        if used < pushed.len() {
            // Pushed-back bytes the scan left stay pushed back.
            o.unget = pushed[used..].iter().rev().copied().collect();
            o.file.seek(SeekFrom::Start(start + pushed.len() as u64)).map_err(io)?;
        } else {
            o.unget.clear();
            o.file.seek(SeekFrom::Start(start + used as u64)).map_err(io)?;
        }
        if hit_end {
            set_flags(ctx.mem, fp, SEOF, 0)?;
        }
        return Ok(ret_i32(r));
    }
}

fn fscanf(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    scan_file(h, c.u32(0)?, c.u32(1)?, &|| Ok(Box::new(c.varargs(2))), c.name, ctx)
}

fn vfscanf(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    scan_file(h, c.u32(0)?, c.u32(1)?, &|| Ok(Box::new(VaListArgs::from_args(c.args, 2, c.name)?)), c.name, ctx)
}

/// `fseek(fp, offset, whence)`: clears the EOF flag and pushed-back bytes.
fn fseek(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let (fp, off, whence) = (c.u32(0)?, c.i32(1)?, c.i32(2)?);
    not_null(fp, c.name)?;
    let Some(o) = h.fs.open.get_mut(&fp) else {
        h.set_errno(ctx, EBADF)?;
        return Ok(ret_i32(EOF));
    };
    let target = match whence {
        0 => i64::from(off),
        1 => position(o).map_or(-1, |p| p as i64 + i64::from(off)),
        2 => o.file.metadata().map_or(-1, |m| m.len() as i64 + i64::from(off)),
        _ => -1,
    };
    if target < 0 {
        h.set_errno(ctx, EINVAL)?;
        return Ok(ret_i32(EOF));
    }
    o.unget.clear();
    if let Err(e) = o.file.seek(SeekFrom::Start(target as u64)) {
        h.set_errno(ctx, errno_of(&e))?;
        return Ok(ret_i32(EOF));
    }
    set_flags(ctx.mem, fp, 0, SEOF)?;
    Ok(0)
}

fn ftell(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let fp = c.u32(0)?;
    match h.fs.open.get_mut(&fp).map(position) {
        Some(Ok(p)) => Ok(ret_i32(i32::try_from(p).unwrap_or(i32::MAX))),
        _ => {
            h.set_errno(ctx, EBADF)?;
            Ok(ret_i32(EOF))
        }
    }
}

fn rewind(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let fp = c.u32(0)?;
    if let Some(o) = h.fs.open.get_mut(&fp) {
        o.unget.clear();
        let _ = o.file.seek(SeekFrom::Start(0));
        set_flags(ctx.mem, fp, 0, SEOF | SERR)?;
    }
    Ok(0)
}

/// The flag functions, for calls that bypass newlib's macros.
fn flag(h: &PcHost, ctx: &HostCtx<'_>, fp: u32, bit: u16) -> Result<u64, Trap> {
    if !h.fs.is_open(fp) {
        return Ok(0);
    }
    Ok(u64::from(ctx.mem.read_u16(fp + FLAGS)? & bit != 0))
}

fn feof(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    flag(h, ctx, c.u32(0)?, SEOF)
}

fn ferror(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    flag(h, ctx, c.u32(0)?, SERR)
}

fn clearerr(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let fp = c.u32(0)?;
    if h.fs.is_open(fp) {
        set_flags(ctx.mem, fp, 0, SEOF | SERR)?;
    }
    Ok(0)
}

/// 0, or -1 with `errno`.
fn status(h: &mut PcHost, ctx: &mut HostCtx<'_>, r: Result<(), i32>) -> Result<u64, Trap> {
    match r {
        Ok(()) => Ok(0),
        Err(e) => {
            h.set_errno(ctx, e)?;
            Ok(ret_i32(-1))
        }
    }
}

/// `remove(path)` (and `unlink`): a file, or an empty folder.
fn remove(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let path = ctx.mem.c_str(c.u32(0)?)?.to_vec();
    let r = h.fs.resolve(&path).and_then(|p| {
        if p.is_dir() { std::fs::remove_dir(&p) } else { std::fs::remove_file(&p) }.map_err(|e| errno_of(&e))
    });
    status(h, ctx, r)
}

/// `rename(old, new)`: POSIX's, replacing an existing `new` (as LittleFS;
/// SPIFFS and FAT refuse that).
fn rename(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let from = ctx.mem.c_str(c.u32(0)?)?.to_vec();
    let to = ctx.mem.c_str(c.u32(1)?)?.to_vec();
    let r =
        h.fs.resolve(&from)
            .and_then(|a| Ok((a, h.fs.resolve(&to)?)))
            .and_then(|(a, b)| std::fs::rename(a, b).map_err(|e| errno_of(&e)));
    status(h, ctx, r)
}

/// The module's `errno`.
fn errno(h: &mut PcHost, ctx: &mut HostCtx<'_>) -> Result<i32, Trap> {
    let p = h.reent(ctx)?;
    Ok(ctx.mem.read_u32(p)? as i32)
}

/// `perror(s)`: `s: message` (or the message alone) on stderr.
fn perror(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let s = c.u32(0)?;
    let prefix = if s == 0 { Vec::new() } else { ctx.mem.c_str(s)?.to_vec() };
    let e = errno(h, ctx)?;
    let mut line = prefix;
    if !line.is_empty() {
        line.extend_from_slice(b": ");
    }
    line.extend_from_slice(message(e).as_bytes());
    line.push(b'\n');
    h.write_stderr(&line);
    Ok(0)
}

/// `strerror(e)`: newlib's text, kept in the module's memory.
fn strerror(h: &mut PcHost, c: &Call<'_>, ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
    let e = c.i32(0)?;
    if let Some(&p) = h.fs.messages.get(&e) {
        return Ok(u64::from(p));
    }
    let text = message(e).as_bytes();
    let p = ctx.malloc(text.len() as u32 + 1);
    if p == 0 {
        return Err(Trap::host("strerror: no room in the module heap for the message"));
    }
    let dst = ctx.mem.slice_mut(p, text.len() + 1)?;
    dst[..text.len()].copy_from_slice(text);
    dst[text.len()] = 0;
    h.fs.messages.insert(e, p);
    Ok(u64::from(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_their_mount() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir(d.path().join("sub")).unwrap();
        let mut fs = Fs::default();
        fs.mount("/spiffs", d.path().to_path_buf());
        assert_eq!(fs.resolve(b"/spiffs/a.txt"), Ok(d.path().join("a.txt")));
        assert_eq!(fs.resolve(b"/spiffs//sub/./b"), Ok(d.path().join("sub/b")));
        assert_eq!(fs.resolve(b"/spiffs/../etc/passwd"), Err(ENOENT));
        assert_eq!(fs.resolve(b"/spiffs/sub/../../x"), Err(ENOENT));
        assert_eq!(fs.resolve(b"/spiffsx/a"), Err(ENOENT), "not the mount");
        assert_eq!(fs.resolve(b"/other/a"), Err(ENOENT));
        assert_eq!(fs.resolve(b"relative"), Err(ENOENT));
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/", d.path().join("out")).unwrap();
            assert_eq!(fs.resolve(b"/spiffs/out/etc/passwd"), Err(EACCES), "a link out of the folder");
            assert_eq!(fs.resolve(b"/spiffs/out/new-file"), Err(EACCES));
        }
        let mut root = Fs::default();
        root.mount("", d.path().to_path_buf());
        assert_eq!(root.resolve(b"/sub/c"), Ok(d.path().join("sub/c")));
    }
}
