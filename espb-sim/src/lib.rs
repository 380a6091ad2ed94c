//! espb-sim: the simulated ESP32 that `cargo espb run` gives a module on
//! the PC: the C library, a FreeRTOS stand-in in virtual time (`kernel`)
//! and the common ESP-IDF services (`rtos`, `nvs`, `esp`). [`PcHost`]
//! implements [`espb_runtime::Host`], as the device host does on a chip;
//! [`Sim`] runs a whole module as an [`espb_runtime::app::App`] on the
//! kernel, its tasks and callbacks through the runtime's thunk pool
//! (docs/sim.md).
//!
//! ```no_run
//! let bytes = std::fs::read("app.espb").unwrap();
//! let (sim, out, _err) = espb_sim::Sim::capture(espb_sim::Options::default());
//! let outcome = sim.run(&bytes);
//! println!("{outcome:?}, printed {:?}", out.text());
//! ```
//!
//! Natives are declared once, in one table per C header (`stdio::NATIVES`,
//! `rtos::queue::NATIVES`, ...): a name and a handler. [`PcHost::new`] numbers the
//! concatenation of those tables; the number is the id that
//! [`Host::resolve`] hands out and [`Host::call`] receives. Add a native =
//! one handler + one table line.
//!
//! Conventions every handler follows:
//! * arguments are read through [`Call`], which converts from the type the
//!   call site actually passed (`ty.params[i]`) and traps with a message,
//!   never panics, when an argument is missing;
//! * pointers are module addresses and every access goes through
//!   [`espb_runtime::Memory`], so a bad pointer returns the
//!   out-of-bounds trap of the access that failed;
//! * `long` and `size_t` are 32 bits (ilp32), `long long` 64 bits;
//! * a native that may block waits in the kernel inside
//!   [`HostCtx::block`] (the app's lock is free meanwhile), after reading
//!   what it needs from module memory and before writing its results.
//!
//! Standard streams: a module's `FILE*` is an opaque value. Every stream
//! function (`fputs`, `fprintf`, `fwrite`, ...) writes to the simulated
//! stdout, except when the `FILE*` is [`SIM_STDERR`], which goes to stderr,
//! or a stream `fopen` opened on a mounted folder (`files.rs`).
//! Stdout is line-buffered like C stdio on a terminal; stderr is unbuffered
//! and flushes stdout first so the two interleave in program order.

use espb_runtime::signature::NativeSig;
use espb_runtime::symtab::Checking;
use espb_runtime::{FuncType, Import, ValType};
use espb_runtime::{Host, HostCtx, Trap, TrapKind};
use espb_runtime::{PC_MEMORY_BASE, TableLookupError};
use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

mod ctype;
mod data;
mod esp;
mod files;
pub mod gpio_script;
mod kernel;
mod math;
mod nvs;
pub mod printf;
mod printf_f128;
mod rtos;
mod run;
mod scan;
mod stdio;
mod stdlib;
mod string;
pub mod stubs;
pub mod testing;
mod time;

use kernel::Kernel;
pub use kernel::{SLICE_US, Stop};
pub use run::{DurationError, Ended, Missing, Options, Run, Sim, SimError, exit_code, parse_duration};

/// The `FILE*` value the simulator treats as stdin.
pub const SIM_STDIN: u32 = 0x3FEF_FF00;
/// The `FILE*` value the simulator treats as stdout (any unknown `FILE*` is
/// stdout too).
pub const SIM_STDOUT: u32 = 0x3FEF_FF04;
/// The `FILE*` value the simulator routes to stderr.
pub const SIM_STDERR: u32 = 0x3FEF_FF08;

/// Bytes reserved for the module's `struct _reent`.
const REENT_SIZE: u32 = 32;

/// newlib's errno values.
pub(crate) const ERANGE: i32 = 34;
pub(crate) const EINVAL: i32 = 22;
pub(crate) const ENOMEM: i32 = 12;

/// A native function: reads its arguments from `call`, may touch the
/// instance's memory through `ctx`, returns the raw result bits.
pub(crate) type Handler = fn(&mut PcHost, &Call<'_>, &mut HostCtx<'_>) -> Result<u64, Trap>;

/// One line of a native table.
pub(crate) struct Native {
    pub name: &'static str,
    pub f: Handler,
    /// Another task may run around the call (see [`PcHost::call`]); false
    /// for the natives the runtime watches (vm/resources: task, timer and
    /// handler creation and deletion), which must run in one piece.
    pub switch: bool,
}

/// Shorthand for table lines.
pub(crate) const fn n(name: &'static str, f: Handler) -> Native {
    Native { name, f, switch: true }
}

/// A table line of a native the runtime watches (see [`Native::switch`]).
pub(crate) const fn t(name: &'static str, f: Handler) -> Native {
    Native { name, f, switch: false }
}

/// Every native the simulator provides, grouped by header. Ids are indices
/// into the concatenation, in this order.
const TABLES: &[&[Native]] = &[
    stdio::NATIVES,
    string::NATIVES,
    stdlib::NATIVES,
    scan::NATIVES,
    files::NATIVES,
    time::NATIVES,
    ctype::NATIVES,
    math::UNARY,
    math::BINARY,
    math::OTHER,
    esp::NATIVES,
    rtos::task::NATIVES,
    rtos::queue::NATIVES,
    rtos::group::NATIVES,
    rtos::timer::NATIVES,
    rtos::esp_timer::NATIVES,
    rtos::event::NATIVES,
    rtos::gpio::NATIVES,
    nvs::NATIVES,
];

/// Every native name the simulator provides, in id order.
pub fn native_names() -> impl Iterator<Item = &'static str> {
    TABLES.iter().flat_map(|t| t.iter()).map(|n| n.name)
}

/// The arguments of one native call, read according to the types the call
/// site passed.
pub(crate) struct Call<'a> {
    pub name: &'static str,
    pub ty: &'a FuncType,
    pub args: &'a [u64],
}

impl Call<'_> {
    fn raw(&self, i: usize) -> Result<(u64, ValType), Trap> {
        match (self.args.get(i), self.ty.params.get(i)) {
            (Some(&v), Some(&t)) => Ok((v, t)),
            (Some(&v), None) => Ok((v, ValType::I64)),
            _ => Err(Trap::host(format!(
                "{}: called with {} argument(s), but it needs at least {}",
                self.name,
                self.args.len(),
                i + 1
            ))),
        }
    }
    /// Argument `i` as a 32-bit integer (the low 32 bits of whatever was passed).
    pub fn u32(&self, i: usize) -> Result<u32, Trap> {
        Ok(self.raw(i)?.0 as u32)
    }
    pub fn i32(&self, i: usize) -> Result<i32, Trap> {
        Ok(self.u32(i)? as i32)
    }
    /// Argument `i` as a 64-bit integer (a 32-bit argument is sign-extended).
    pub fn i64(&self, i: usize) -> Result<i64, Trap> {
        let (v, t) = self.raw(i)?;
        Ok(match t {
            ValType::I32 | ValType::F32 => v as u32 as i32 as i64,
            ValType::I64 | ValType::F64 => v as i64,
        })
    }
    pub fn f64(&self, i: usize) -> Result<f64, Trap> {
        let (v, t) = self.raw(i)?;
        Ok(match t {
            ValType::F64 | ValType::I64 => f64::from_bits(v),
            ValType::F32 => f32::from_bits(v as u32) as f64,
            ValType::I32 => v as u32 as i32 as f64,
        })
    }
    pub fn f32(&self, i: usize) -> Result<f32, Trap> {
        let (v, t) = self.raw(i)?;
        Ok(match t {
            ValType::F32 | ValType::I32 => f32::from_bits(v as u32),
            ValType::F64 | ValType::I64 => f64::from_bits(v) as f32,
        })
    }
    /// The arguments from `i` on, for a printf-style formatter.
    pub fn varargs(&self, i: usize) -> printf::RegArgs<'_> {
        let n = self.args.len().min(self.ty.params.len());
        let i = i.min(n);
        printf::RegArgs::new(self.name, &self.ty.params[i..n], &self.args[i..n])
    }
}

/// Result encodings.
pub(crate) fn ret_i32(v: i32) -> u64 {
    v as u32 as u64
}
pub(crate) fn ret_f32(v: f32) -> u64 {
    v.to_bits() as u64
}
pub(crate) fn ret_f64(v: f64) -> u64 {
    v.to_bits()
}

/// A cloneable in-memory writer, for capturing a module's output in tests.
#[derive(Clone, Default)]
pub struct SharedBuf(Arc<Mutex<Vec<u8>>>);

impl SharedBuf {
    pub fn new() -> SharedBuf {
        SharedBuf::default()
    }
    /// Everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        match self.0.lock() {
            Ok(v) => v.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }
    /// Everything written so far, as (lossy) UTF-8.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.contents()).into_owned()
    }
}

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self.0.lock() {
            Ok(mut v) => v.extend_from_slice(buf),
            Err(p) => p.into_inner().extend_from_slice(buf),
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The simulated stdout: line-buffered, like C stdio on a terminal.
pub(crate) struct Stdout {
    w: Box<dyn Write + Send>,
    buf: Vec<u8>,
    /// A write to `w` failed since the last successful flush.
    failed: bool,
}

const STDOUT_BUF: usize = 8192;

impl Stdout {
    pub(crate) fn flush(&mut self) -> std::io::Result<()> {
        let r = self.w.write_all(&self.buf).and_then(|()| self.w.flush());
        self.buf.clear();
        if r.is_err() {
            self.failed = true;
        }
        r
    }
    /// Takes and clears the "a write failed" flag.
    pub fn take_failed(&mut self) -> bool {
        std::mem::take(&mut self.failed)
    }
}

impl printf::Sink for Stdout {
    fn put(&mut self, b: &[u8]) {
        self.buf.extend_from_slice(b);
        if b.contains(&b'\n') || self.buf.len() >= STDOUT_BUF {
            let _ = self.flush();
        }
    }
    fn pad(&mut self, c: u8, n: u64) {
        let mut left = n;
        while left > 0 {
            let k = left.min(STDOUT_BUF as u64) as usize;
            self.buf.resize(self.buf.len() + k, c);
            left -= k as u64;
            if self.buf.len() >= STDOUT_BUF {
                let _ = self.flush();
            }
        }
    }
}

/// The simulated console: stdout and stderr, shared by the natives of
/// every task and by the simulator's own lines (GPIO levels, logs).
#[derive(Clone)]
pub(crate) struct Console(Arc<Mutex<Streams>>);

pub(crate) struct Streams {
    pub out: Stdout,
    pub err: Box<dyn Write + Send>,
}

impl Console {
    pub(crate) fn new(out: Box<dyn Write + Send>, err: Box<dyn Write + Send>) -> Console {
        Console(Arc::new(Mutex::new(Streams { out: Stdout { w: out, buf: Vec::new(), failed: false }, err })))
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, Streams> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A whole line on stdout (`line` without its newline).
    pub(crate) fn line(&self, line: &str) {
        let mut s = self.lock();
        printf::Sink::put(&mut s.out, line.as_bytes());
        printf::Sink::put(&mut s.out, b"\n");
    }

    /// A whole line on stderr, after what stdout holds.
    pub(crate) fn err_line(&self, line: &str) {
        let mut s = self.lock();
        let _ = s.out.flush();
        let _ = writeln!(s.err, "{line}").and_then(|()| s.err.flush());
    }

    pub(crate) fn flush(&self) -> std::io::Result<()> {
        self.lock().out.flush()
    }
}

/// A sink straight into a writer (stderr), remembering failures.
pub(crate) struct WriteSink<'a> {
    pub w: &'a mut (dyn Write + Send),
    pub ok: bool,
}

impl printf::Sink for WriteSink<'_> {
    fn put(&mut self, b: &[u8]) {
        if self.ok && self.w.write_all(b).is_err() {
            self.ok = false;
        }
    }
    fn pad(&mut self, c: u8, n: u64) {
        let chunk = [c; 256];
        let mut left = n;
        while left > 0 && self.ok {
            let k = left.min(chunk.len() as u64) as usize;
            self.put(&chunk[..k]);
            left -= k as u64;
        }
    }
}

/// The PC simulator's natives: C library, FreeRTOS and ESP-IDF.
pub struct PcHost {
    natives: Vec<&'static Native>,
    by_name: HashMap<&'static str, u32>,
    pub(crate) console: Console,
    /// The simulated FreeRTOS (tasks, clock, kernel objects).
    pub(crate) k: &'static Kernel,
    /// newlib's `rand` state (`_REENT->_new._reent._rand_next`), seeded 1.
    pub(crate) rand_next: u64,
    /// `esp_random`'s state (seeded, so runs repeat).
    pub(crate) random: u64,
    /// `strtok`'s saved position (0 = none).
    pub(crate) strtok_next: u32,
    /// ESP log levels: the default (`*`) and per-tag overrides.
    pub(crate) log_level: u32,
    pub(crate) log_tags: HashMap<Vec<u8>, u32>,
    /// The simulator's own log lines carry ESP-IDF's colours.
    pub(crate) log_colors: bool,
    /// The module's `struct _reent` (errno and the std streams), allocated
    /// in its heap on first use; 0 until then.
    reent: u32,
    /// Data imports already placed in the module's memory.
    pub(crate) data: HashMap<String, u32>,
    /// The standard `idf` symbol table the simulated firmware registers.
    idf: Option<espb_sys::Manifest>,
    /// The project's own symbol tables (custom natives), by name.
    tables: Vec<(String, espb_sys::Manifest)>,
    /// Scripted natives (ids from `natives.len()` on).
    stubs: Vec<stubs::Stub>,
    /// Record what the simulator lacks instead of refusing the first import
    /// ([`crate::Sim`] reports them all at once, before anything runs).
    pub(crate) collect_missing: bool,
    pub(crate) missing: Vec<run::Missing>,
    /// The firmware's configuration the module's `__espb_cfg_*` values come
    /// from (default: ESP-IDF's defaults).
    pub(crate) sdkconfig: Option<espb_sys::Sdkconfig>,
    /// Folders the module's files live in, and its open streams.
    pub(crate) fs: files::Fs,
    /// The `struct tm` `gmtime`/`localtime` return (0 until the first call).
    pub(crate) tm: u32,
    /// The buffer `asctime`/`ctime` return (0 until the first call).
    pub(crate) asctime_buf: u32,
}

impl PcHost {
    /// Stdout goes to `out`; stderr to the process's stderr.
    pub fn new(out: Box<dyn Write + Send>) -> PcHost {
        PcHost::with_stderr(out, Box::new(std::io::stderr()))
    }

    /// Stdout goes to `out`, stderr to `err`. The host has a kernel of its
    /// own, with wall-clock time (see [`PcHost::set_virtual_time`]), in which
    /// the thread calling its natives is the task "main".
    pub fn with_stderr(out: Box<dyn Write + Send>, err: Box<dyn Write + Send>) -> PcHost {
        let console = Console::new(out, err);
        let clock = kernel::Clock { tick_hz: DEFAULT_TICK_HZ, realtime: true, until: None };
        let k = Kernel::new(console.clone(), espb_runtime::thunk::ThunkPool::synthetic(0), clock);
        PcHost::with_kernel(k, console)
    }

    pub(crate) fn with_kernel(k: &'static Kernel, console: Console) -> PcHost {
        let natives: Vec<&'static Native> = TABLES.iter().flat_map(|t| t.iter()).collect();
        let by_name = natives.iter().enumerate().map(|(i, n)| (n.name, i as u32)).collect();
        PcHost {
            natives,
            by_name,
            console,
            k,
            rand_next: 1,
            random: 0,
            strtok_next: 0,
            log_level: 3,
            log_tags: HashMap::new(),
            log_colors: false,
            reent: 0,
            data: HashMap::new(),
            idf: espb_sys::try_standard_idf_manifest().ok(),
            tables: Vec::new(),
            stubs: Vec::new(),
            collect_missing: false,
            missing: Vec::new(),
            fs: files::Fs::default(),
            tm: 0,
            asctime_buf: 0,
            sdkconfig: None,
        }
    }

    /// The symbol an import names. Slots carry their names (cargo espb
    /// build records them); a nameless slot is not resolved, since its table
    /// is not known here.
    fn import_name<'a>(&self, import: &'a Import) -> Option<&'a str> {
        import.name()
    }

    /// A host whose stdout and stderr are captured in buffers (for tests).
    /// Time is virtual (see [`PcHost::set_virtual_time`]).
    pub fn capture() -> (PcHost, SharedBuf, SharedBuf) {
        let (out, err) = (SharedBuf::new(), SharedBuf::new());
        let mut h = PcHost::with_stderr(Box::new(out.clone()), Box::new(err.clone()));
        h.set_virtual_time(true);
        (h, out, err)
    }

    /// Writes out buffered stdout.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.console.flush()
    }

    /// Length of one FreeRTOS tick in milliseconds (default 10, i.e.
    /// `CONFIG_FREERTOS_HZ=100`, ESP-IDF's default), used by `vTaskDelay`
    /// and `xTaskGetTickCount`. 0 counts as 1.
    pub fn set_tick_period_ms(&mut self, ms: u32) {
        self.k.lock().tick_us = u64::from(ms.max(1)) * 1000;
    }

    /// Virtual time: delays do not sleep but advance a clock that starts at
    /// 0, so timestamps are deterministic. Off by default (wall clock).
    pub fn set_virtual_time(&mut self, on: bool) {
        let hz = self.k.tick_hz();
        self.k.set_clock(kernel::Clock { tick_hz: hz, realtime: !on, until: None });
    }

    /// Maps the module's paths under `prefix` (`/spiffs`; `""`: every
    /// absolute path) to the folder `dir`, as an ESP-IDF VFS mount.
    pub fn mount(&mut self, prefix: &str, dir: std::path::PathBuf) {
        self.fs.mount(prefix, dir);
    }

    /// Registers the project's symbol table `name` (custom natives): a
    /// module built against it loads, and its functions are answered by
    /// [`PcHost::add_stub`]s.
    pub fn add_table(&mut self, name: &str, manifest: espb_sys::Manifest) {
        self.tables.push((name.to_string(), manifest));
    }

    /// Where NVS is kept between runs (see the nvs module docs).
    pub fn set_nvs_file(&mut self, path: &std::path::Path) {
        self.k.lock().rtos.nvs.file = Some(path.to_path_buf());
    }

    /// The firmware configuration the module's `__espb_cfg_*` values come
    /// from (the tick rate excepted: it is the kernel's).
    pub fn set_sdkconfig(&mut self, c: espb_sys::Sdkconfig) {
        self.sdkconfig = Some(c);
    }

    /// Answers calls of the native `stub.name` (one the simulator lacks) as
    /// the stub says.
    pub fn add_stub(&mut self, stub: stubs::Stub) {
        self.stubs.push(stub);
    }

    /// Whether the simulator answers the function `name` (a native or a stub).
    pub fn provides(&self, name: &str) -> bool {
        self.by_name.contains_key(name) || self.stubs.iter().any(|s| s.name == name)
    }

    /// Notes a function or variable the simulator lacks (and its slot, for
    /// a slot import); true when the load goes on (see `collect_missing`).
    fn lacks(&mut self, name: &str, slot: Option<(&str, u16)>) -> bool {
        if self.collect_missing && !self.missing.iter().any(|m| m.name == name) {
            let slot = slot.map(|(t, i)| (t.to_string(), i));
            self.missing.push(run::Missing { name: name.to_string(), slot });
        }
        self.collect_missing
    }

    /// A native by name: the simulator's, a stub, or (noted) none.
    fn resolve_name(&mut self, name: &str, slot: Option<(&str, u16)>) -> Option<u32> {
        if let Some(&id) = self.by_name.get(name) {
            return Some(id);
        }
        match self.stubs.iter().position(|s| s.name == name) {
            Some(stub) => Some((self.natives.len() + stub) as u32),
            None => self.lacks(name, slot).then_some(u32::MAX),
        }
    }

    /// Microseconds since boot.
    pub(crate) fn now_us(&self) -> u64 {
        self.k.now()
    }

    /// Writes to the stream `file` (a module `FILE*`). Returns false when
    /// the output could not be written.
    pub(crate) fn write_stream(&mut self, file: u32, b: &[u8]) -> bool {
        if file == SIM_STDERR {
            self.write_stderr(b)
        } else {
            let mut s = self.console.lock();
            printf::Sink::put(&mut s.out, b);
            !s.out.take_failed()
        }
    }

    /// Unbuffered stderr; flushes stdout first to keep program order.
    pub(crate) fn write_stderr(&mut self, b: &[u8]) -> bool {
        let mut s = self.console.lock();
        let a = s.out.flush().is_ok();
        a & s.err.write_all(b).and_then(|()| s.err.flush()).is_ok()
    }

    /// The module's newlib `struct _reent`, allocated in its heap the first
    /// time: `_errno` at 0, `_stdin`, `_stdout`, `_stderr` at 4, 8, 12
    /// (the same offsets in newlib's full and `_REENT_SMALL` layouts),
    /// holding [`SIM_STDIN`], [`SIM_STDOUT`], [`SIM_STDERR`].
    pub(crate) fn reent(&mut self, ctx: &mut HostCtx<'_>) -> Result<u32, Trap> {
        if self.reent == 0 {
            let p = ctx.malloc(REENT_SIZE);
            if p == 0 {
                return Err(Trap::host(
                    "__getreent: no room in the module heap for the C library state (errno, stdout)",
                ));
            }
            ctx.mem.fill(p, 0, REENT_SIZE)?;
            ctx.mem.write_u32(p + 4, SIM_STDIN)?;
            ctx.mem.write_u32(p + 8, SIM_STDOUT)?;
            ctx.mem.write_u32(p + 12, SIM_STDERR)?;
            self.reent = p;
        }
        Ok(self.reent)
    }

    /// Sets the module's `errno`.
    pub(crate) fn set_errno(&mut self, ctx: &mut HostCtx<'_>, v: i32) -> Result<(), Trap> {
        let p = self.reent(ctx)?;
        ctx.mem.write_u32(p, v as u32)
    }

    /// The trap that ends the program with `exit(code)`, after flushing.
    pub(crate) fn exit(&mut self, code: i32) -> Trap {
        let _ = self.console.flush();
        Trap::new(TrapKind::Exit(code))
    }

    /// The trap of `abort()`, after flushing.
    pub(crate) fn abort(&mut self) -> Trap {
        let _ = self.console.flush();
        Trap::new(TrapKind::Abort)
    }

    /// A line of the simulator's own in ESP-IDF's log format (`I (12) sim:
    /// ...`), as the firmware's log would show it.
    pub(crate) fn sim_log(&self, level: u32, msg: &str) {
        self.console.line(&esp::log_line(level, self.k.now() / 1000, "sim", msg, self.log_colors));
    }

    /// Between natives: frees what service tasks handed back (event data)
    /// and lets a task of higher priority run first when one became ready.
    fn between_natives(&self, ctx: &mut HostCtx<'_>, switch: bool) {
        let (free, preempt) = {
            let mut w = self.k.lock();
            (std::mem::take(&mut w.rtos.to_free), w.preempt_pending())
        };
        for p in free {
            let _ = ctx.free(p);
        }
        if switch && preempt {
            let k = self.k;
            ctx.block(|| k.preempt());
        }
    }
}

/// ESP-IDF's default `CONFIG_FREERTOS_HZ`.
pub const DEFAULT_TICK_HZ: u32 = 100;

impl Drop for PcHost {
    fn drop(&mut self) {
        let _ = self.console.flush();
    }
}

impl PcHost {
    /// The manifest of the simulated firmware's table `name`.
    fn manifest(&self, name: &str) -> Option<&espb_sys::Manifest> {
        match (name, &self.idf) {
            ("idf", Some(m)) => Some(m),
            _ => self.tables.iter().find(|t| t.0 == name).map(|(_, m)| m),
        }
    }
}

impl Host for PcHost {
    fn resolve(&mut self, import: &Import, _ty: &FuncType) -> Option<u32> {
        let name = self.import_name(import)?.to_string();
        self.resolve_name(&name, None)
    }

    fn resolve_slot(&mut self, table: &str, index: u16, import: &Import, _ty: &FuncType) -> Option<u32> {
        let name = self.import_name(import)?.to_string();
        self.resolve_name(&name, Some((table, index)))
    }

    fn data_address(&mut self, import: &Import, ctx: &mut HostCtx<'_>) -> Option<u32> {
        let name = self.import_name(import)?.to_string();
        match data::address(self, &name, ctx) {
            Some(a) => Some(a),
            // Never read: the run is refused before it starts.
            None => self.lacks(&name, None).then_some(PC_MEMORY_BASE),
        }
    }

    /// The simulated firmware registers the standard `idf` table and the
    /// project's own tables.
    fn table_prefix_hash(&self, name: &str, count: u32) -> Result<u32, TableLookupError> {
        let m = self.manifest(name).ok_or(TableLookupError::Missing)?;
        m.prefix_hash(count).ok_or(TableLookupError::TooShort { slots: m.count() })
    }

    /// The signatures of the simulated firmware's tables, checked as a
    /// device checks them by default.
    fn native_signature(&self, table: &str, index: u16) -> Option<(NativeSig, Checking)> {
        let sig = self.manifest(table)?.get(u32::from(index))?.signature.clone()?;
        Some((sig, Checking::Checked))
    }

    fn call(&mut self, id: u32, ty: &FuncType, args: &[u64], ctx: &mut HostCtx<'_>) -> Result<u64, Trap> {
        let Some(&native) = self.natives.get(id as usize) else {
            let stub = (id as usize).checked_sub(self.natives.len()).and_then(|i| self.stubs.get_mut(i));
            let stub = stub.ok_or_else(|| Trap::host(format!("simulator: no native function with id {id}")))?;
            let (line, v) = stub.call(args, ty.result.is_some());
            if let Some(line) = line {
                self.sim_log(3, &line);
            }
            return Ok(v);
        };
        self.between_natives(ctx, native.switch);
        let call = Call { name: native.name, ty, args };
        let r = (native.f)(self, &call, ctx);
        self.between_natives(ctx, native.switch);
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for n in native_names() {
            assert!(seen.insert(n), "{n} is in the native tables twice");
        }
    }
}
