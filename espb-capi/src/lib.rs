//! The C API of espb-runtime, for firmware written in C (ESP-IDF): a thin
//! wrapper over [`espb_runtime::runner::run_module`] that takes the
//! firmware's generated symbol tables (`espb_symtab_<name>`, espb-sys
//! `gen_c`) and memory windows as C arrays and keeps the outcome's text for
//! [`espb_last_detail`].
//!
//! ```c
//! const espb_symtab_t *tables[] = { &espb_symtab_idf };
//! espb_error_t err = espb_run(bytes, len, tables, 1, "app_main");
//! if (err != ESPB_OK) {
//!     char why[160];
//!     espb_last_detail(why, sizeof why);
//!     ESP_LOGE(TAG, "%s: %s", espb_error_str(err), why);
//! }
//! ```
//!
//! The header is `espb-sys/component/espb_runtime/include/espb_runtime.h`.
//! Without the `standalone` feature this is a plain `no_std` rlib for a Rust
//! firmware that brings its own allocator and panic handler (the QEMU test
//! links it so); with it, the staticlib carries an allocator over the C
//! library's `malloc` and a panic handler calling `abort()`.
#![no_std]

extern crate alloc;
// Off-target (host checks and tests) the standard library provides the
// panic handler and allocator the staticlib output needs.
#[cfg(not(target_os = "none"))]
extern crate std;

use core::cell::UnsafeCell;
use core::ffi::{CStr, c_char, c_void};
use core::fmt::Write as _;
use core::sync::atomic::{AtomicBool, AtomicI32, Ordering};

use espb_runtime::LoadError;
use espb_runtime::runner::{self, Outcome, RunError};
use espb_runtime::symtab::{Checking, Registry, Signatures, SymbolTable};
use espb_runtime::{Config, FirmwareWindows, InstantiateError, Window, device_limits};

mod app;
mod push;
#[cfg(feature = "standalone")]
mod standalone;

pub use app::{
    EspbApp, EspbStatus, espb_init, espb_last_trap, espb_load, espb_load_config, espb_start, espb_status, espb_unload,
    espb_wait,
};
pub use push::{
    EspbPush, EspbPushIo, EspbPushState, EspbPushStatus, espb_push_boot, espb_push_feed, espb_push_free, espb_push_new,
    espb_push_poll, espb_push_status,
};

/// `espb_symtab_t`: a firmware symbol table as espb-sys `gen_c` generates it.
#[repr(C)]
#[derive(Debug)]
pub struct EspbSymtab {
    /// Hash of all slots (equals `prefix_hashes[count - 1]`).
    pub hash: u32,
    pub count: u32,
    /// `count` addresses, NULL where the configuration leaves a slot out.
    pub entries: *const *const c_void,
    /// `[i]`: hash of slots `0..=i`.
    pub prefix_hashes: *const u32,
    /// The table's name (`"idf"`), NUL-terminated.
    pub name: *const c_char,
    /// `count` offsets into `sigs` (0xFFFF: no signature), or NULL for a
    /// table without signatures (docs/symbols.md "Signatures").
    pub sig_index: *const u16,
    /// The natives' signature records, `sigs_len` bytes.
    pub sigs: *const u8,
    pub sigs_len: u32,
    /// `ESPB_CHECKED` (0): pointer arguments the signatures mark as memory
    /// are checked before each call; `ESPB_TRUSTED` (1): they are not.
    pub checking: u32,
}

/// `espb_window_t`: a firmware memory region `[start, end)` modules may
/// reach at its real addresses: loads only, unless `access` is
/// [`ESPB_WINDOW_READ_WRITE`].
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EspbWindow {
    pub start: u32,
    pub end: u32,
    pub access: u32,
}

/// `ESPB_WINDOW_READ`: loads only (0, so a window written `{start, end}`
/// grants no stores).
pub const ESPB_WINDOW_READ: u32 = 0;
/// `ESPB_WINDOW_READ_WRITE`: loads and stores.
pub const ESPB_WINDOW_READ_WRITE: u32 = 1;

/// `espb_config_t`: the limits a firmware sets for a module. Fill it with
/// [`espb_config_default`] (the device defaults of
/// `espb_runtime::device_limits`, for a chip with about 300 KB free heap)
/// and change what you need; a field left 0 takes its default. The layout
/// is part of the C API: append only.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EspbConfig {
    /// Budget of calls and backward branches (and 64 bytes of bulk work
    /// each); 0: unlimited.
    pub fuel: u64,
    /// Calls and backward branches a task interprets before the module's
    /// other tasks get their turn.
    pub time_slice: u32,
    /// Most bytes of linear memory (data + heap + stack).
    pub max_memory: u32,
    /// The module's stack and heap in bytes; 0: what the module asks for.
    pub stack_size: u32,
    pub heap_size: u32,
    /// Most nested calls, and 64-bit registers of a task's register stack.
    pub max_call_depth: u32,
    pub max_registers: u32,
    /// Most nested re-entries of the interpreter on one task (qsort's
    /// comparator), each the native stack of one more interpreter level.
    pub max_nesting: u32,
    /// Most callback thunks one module may take from the pool.
    pub max_thunks: u32,
    /// Shadow stack bytes of each further task that runs module code.
    pub task_stack_size: u32,
}

impl EspbConfig {
    /// The runtime's configuration: device placement with `windows`, these
    /// limits (0: the device default).
    fn to_config(self, windows: FirmwareWindows) -> Config {
        let d = Config::device(windows);
        let or = |v: u32, dflt: u32| if v == 0 { dflt } else { v };
        let or_usize = |v: u32, dflt: usize| if v == 0 { dflt } else { v as usize };
        Config {
            fuel: (self.fuel != 0).then_some(self.fuel),
            time_slice: or(self.time_slice, d.time_slice),
            max_memory: or(self.max_memory, d.max_memory),
            stack_size: (self.stack_size != 0).then_some(self.stack_size),
            heap_size: (self.heap_size != 0).then_some(self.heap_size),
            max_call_depth: or_usize(self.max_call_depth, d.max_call_depth),
            max_registers: or_usize(self.max_registers, d.max_registers),
            max_nesting: or(self.max_nesting, d.max_nesting),
            max_thunks: or_usize(self.max_thunks, d.max_thunks),
            task_stack_size: or(self.task_stack_size, d.task_stack_size),
            ..d
        }
    }
}

/// Fills `*config` with the device defaults; NULL is ignored.
///
/// # Safety
/// `config` is NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_config_default(config: *mut EspbConfig) {
    let d = Config::device(FirmwareWindows::default());
    let c = EspbConfig {
        fuel: 0,
        time_slice: d.time_slice,
        max_memory: device_limits::MAX_MEMORY,
        stack_size: 0,
        heap_size: 0,
        max_call_depth: device_limits::MAX_CALL_DEPTH as u32,
        max_registers: device_limits::MAX_REGISTERS as u32,
        max_nesting: device_limits::MAX_NESTING,
        max_thunks: u32::MAX,
        task_stack_size: d.task_stack_size,
    };
    // SAFETY: the caller's contract.
    if let Some(out) = unsafe { config.as_mut() } {
        *out = c;
    }
}

/// The configuration a C caller passed (NULL: the defaults).
///
/// # Safety
/// `config` is NULL or valid for a read.
unsafe fn config_of(config: *const EspbConfig, windows: FirmwareWindows) -> Config {
    // SAFETY: the caller's contract.
    match unsafe { config.as_ref() } {
        Some(c) => c.to_config(windows),
        None => Config::device(windows),
    }
}

/// `espb_error_t`. The values are part of the C API: append only.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EspbError {
    /// The entry function returned (or the module called `exit(0)`).
    Ok = 0,
    /// A NULL pointer, a name that is not UTF-8, or two tables of one name.
    Args = 1,
    /// The partition holds no valid module (header, length or CRC).
    Partition = 2,
    /// The bytes are not a well-formed `.espb` module.
    Format = 3,
    /// The module failed verification.
    Verify = 4,
    /// A symbol table the module needs is missing, too short, or differs
    /// (hash mismatch), or a table is inconsistent in itself.
    Table = 5,
    /// An import's slot is NULL in this firmware's configuration.
    Import = 6,
    /// The module's memory does not fit (or is not available).
    NoMemory = 7,
    /// No function of the entry's name, or one with unsupported parameters.
    NoEntry = 8,
    /// The module trapped (detail: what and where).
    Trap = 9,
    /// The module called `exit()` with a non-zero status.
    Exit = 10,
    /// Too few free callback thunks for the module's address-taken
    /// functions (the firmware's pool is built with `ESPB_THUNKS`).
    Thunks = 11,
    /// The handle's module is not loaded any more (unloaded, or stopped by
    /// a trap).
    Unloaded = 12,
    /// A function the module uses as a callback cannot be one on this chip
    /// (detail: which and why).
    Callback = 13,
    /// The RTOS could not give the runtime what it needs (a mutex).
    Os = 14,
    /// The module calls a native with another signature than the
    /// firmware's table declares (detail: the import and the call site).
    Signature = 15,
}

const ERROR_STRS: [&CStr; 16] = [
    c"ok",
    c"invalid arguments",
    c"no valid module in the partition",
    c"malformed module",
    c"module failed verification",
    c"symbol table missing or different from the module's",
    c"the firmware does not provide an import",
    c"not enough memory for the module",
    c"no such entry function",
    c"the module trapped",
    c"the module exited with a non-zero status",
    c"not enough callback thunks for the module",
    c"the module is not loaded",
    c"a callback the chip cannot call",
    c"the RTOS could not provide a lock",
    c"the module calls a native with the wrong signature",
];

/// A static description of `err` (`"unknown error"` for values outside the
/// enum).
#[unsafe(no_mangle)]
pub extern "C" fn espb_error_str(err: i32) -> *const c_char {
    usize::try_from(err).ok().and_then(|i| ERROR_STRS.get(i)).copied().unwrap_or(c"unknown error").as_ptr()
}

// ---- the last error's text ------------------------------------------------

const DETAIL_LEN: usize = 256;

/// The last run's message, guarded by a flag: a writer or reader that finds
/// it taken (concurrent runs) skips it instead of waiting. Where the target
/// has atomic compare-and-swap (riscv32imac: ESP32-C6/H2) this is sound from
/// any thread. Without it (riscv32imc: ESP32-C2/C3) the flag is a plain
/// load-then-store: there, call the API from one task at a time (the usual
/// use: one loader task); it stays exact when runs do not overlap.
struct Detail {
    busy: AtomicBool,
    code: AtomicI32,
    text: UnsafeCell<([u8; DETAIL_LEN], usize)>,
}

// SAFETY: `text` is only touched by whoever set `busy` from false to true
// (atomically where the target can; see above for single-task use otherwise).
unsafe impl Sync for Detail {}

static DETAIL: Detail =
    Detail { busy: AtomicBool::new(false), code: AtomicI32::new(0), text: UnsafeCell::new(([0; DETAIL_LEN], 0)) };

static LAST_RETURN: AtomicI32 = AtomicI32::new(0);

impl Detail {
    fn with<R>(&self, f: impl FnOnce(&mut ([u8; DETAIL_LEN], usize)) -> R) -> Option<R> {
        #[cfg(target_has_atomic = "8")]
        if self.busy.compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
            return None;
        }
        #[cfg(not(target_has_atomic = "8"))]
        {
            if self.busy.load(Ordering::Acquire) {
                return None;
            }
            self.busy.store(true, Ordering::Relaxed);
        }
        // SAFETY: the flag is ours until released below.
        let r = f(unsafe { &mut *self.text.get() });
        self.busy.store(false, Ordering::Release);
        Some(r)
    }
}

/// Writes into the detail buffer, truncating at a character boundary.
struct Sink<'a>(&'a mut ([u8; DETAIL_LEN], usize));

impl core::fmt::Write for Sink<'_> {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let (buf, len) = &mut *self.0;
        let room = DETAIL_LEN - 1 - *len;
        let mut n = s.len().min(room);
        while !s.is_char_boundary(n) {
            n -= 1;
        }
        buf[*len..*len + n].copy_from_slice(&s.as_bytes()[..n]);
        *len += n;
        Ok(())
    }
}

/// Records the outcome of a run and returns its code.
fn outcome(code: EspbError, msg: core::fmt::Arguments<'_>) -> EspbError {
    DETAIL.code.store(code as i32, Ordering::Relaxed);
    DETAIL.with(|t| {
        t.1 = 0;
        let _ = Sink(t).write_fmt(msg);
    });
    code
}

/// Copies the last run's message (e.g. "trap: integer divide by zero in
/// function `f` at app.c:12", or "`main` returned 7") into `buf`,
/// NUL-terminated and truncated to `len - 1` bytes; returns the last run's
/// error code. Nothing is written when `buf` is NULL or `len` is 0.
///
/// # Safety
/// `buf` must be NULL or valid for `len` bytes of writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_last_detail(buf: *mut c_char, len: usize) -> i32 {
    let code = DETAIL.code.load(Ordering::Relaxed);
    if buf.is_null() || len == 0 {
        return code;
    }
    let copied = DETAIL.with(|t| {
        let n = t.1.min(len - 1);
        // SAFETY: caller's contract: `buf` holds `len > n` bytes.
        unsafe {
            core::ptr::copy_nonoverlapping(t.0.as_ptr(), buf.cast::<u8>(), n);
            *buf.add(n) = 0;
        }
    });
    if copied.is_none() {
        // SAFETY: as above, `len >= 1`.
        unsafe { *buf = 0 };
    }
    code
}

/// What the last successful run's entry function returned (low 32 bits; 0
/// for `void`, or the status of `exit(0)`).
#[unsafe(no_mangle)]
pub extern "C" fn espb_last_return() -> i32 {
    LAST_RETURN.load(Ordering::Relaxed)
}

// ---- running ---------------------------------------------------------------

/// Runs `entry` of the module in `module[..len]` (no partition header);
/// see [`espb_run_with`].
///
/// # Safety
/// As [`espb_run_with`] with no windows.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_run(
    module: *const u8,
    len: usize,
    tables: *const *const EspbSymtab,
    ntables: usize,
    entry: *const c_char,
) -> EspbError {
    // SAFETY: caller's contract; no windows.
    unsafe { espb_run_with(module, len, tables, ntables, entry, core::ptr::null(), 0) }
}

/// Like [`espb_run`], for a whole `espb` partition: checks its header
/// (magic, version, length, CRC) first.
///
/// # Safety
/// As [`espb_run_with`] with no windows; `part` must be valid for `len`
/// bytes of reads.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_run_partition(
    part: *const u8,
    len: usize,
    tables: *const *const EspbSymtab,
    ntables: usize,
    entry: *const c_char,
) -> EspbError {
    // SAFETY: caller's contract.
    let Some(bytes) = (unsafe { bytes(part, len) }) else {
        return outcome(EspbError::Args, format_args!("the partition pointer is NULL"));
    };
    match espb_runtime::format::partition::unwrap(bytes) {
        // SAFETY: caller's contract; `m` lies within `part`.
        Ok(m) => unsafe { espb_run_with(m.as_ptr(), m.len(), tables, ntables, entry, core::ptr::null(), 0) },
        Err(e) => outcome(EspbError::Partition, format_args!("{e}")),
    }
}

/// Decodes and verifies the module in `module[..len]`, resolves its imports
/// through `tables` (registered by their `name`), instantiates it with its
/// memory at its real address, and calls `entry` (a function of 0 or 2
/// parameters; both get 0). `windows[..nwindows]` are firmware regions the
/// module may read and write directly (strings and structs natives return).
/// The outcome's text: [`espb_last_detail`]; the entry's result:
/// [`espb_last_return`]. Out-of-memory while allocating ends in the
/// allocator's failure path (abort), not in `ESPB_ERR_NO_MEMORY`.
/// The instance is dropped when this returns: tasks, timers or callbacks
/// the module created must not run its code afterwards (callback thunks,
/// which would keep it alive, are not implemented yet).
///
/// # Safety
/// * `module` valid for `len` bytes of reads; `entry` a NUL-terminated string.
/// * `tables` valid for `ntables` pointers, each to a table whose `entries`
///   and `prefix_hashes` hold `count` items (or are NULL with `count` 0),
///   whose non-NULL entries are the functions and data the manifest names,
///   and whose `name` is a NUL-terminated string.
/// * Every window must be memory the module may read and write at those
///   addresses while the call runs (as `FirmwareWindows::new`).
/// * Everything stays valid and unchanged until the call returns. Natives
///   the module calls run on the caller's stack and thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_run_with(
    module: *const u8,
    len: usize,
    tables: *const *const EspbSymtab,
    ntables: usize,
    entry: *const c_char,
    windows: *const EspbWindow,
    nwindows: usize,
) -> EspbError {
    // SAFETY: caller's contract; no configuration.
    unsafe { espb_run_config(module, len, tables, ntables, entry, windows, nwindows, core::ptr::null()) }
}

/// [`espb_run_with`] with the limits in `*config` (NULL: the defaults of
/// [`espb_config_default`]).
///
/// # Safety
/// As [`espb_run_with`]; `config` is NULL or valid for a read.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn espb_run_config(
    module: *const u8,
    len: usize,
    tables: *const *const EspbSymtab,
    ntables: usize,
    entry: *const c_char,
    windows: *const EspbWindow,
    nwindows: usize,
    config: *const EspbConfig,
) -> EspbError {
    // SAFETY: caller's contract.
    match unsafe { run(module, len, tables, ntables, entry, windows, nwindows, config) } {
        Ok((code, text)) => outcome(code, format_args!("{text}")),
        Err((code, text)) => outcome(code, format_args!("{text}")),
    }
}

type Reply = Result<(EspbError, alloc::string::String), (EspbError, alloc::string::String)>;

fn fail<T>(code: EspbError, text: impl core::fmt::Display) -> Result<T, (EspbError, alloc::string::String)> {
    Err((code, alloc::format!("{text}")))
}

/// `p[..len]`, with NULL allowed only for `len == 0`.
///
/// # Safety
/// `p` NULL or valid for `len` reads of `T` for `'a`.
unsafe fn slice<'a, T>(p: *const T, len: usize) -> Option<&'a [T]> {
    if len == 0 {
        Some(&[])
    } else if p.is_null() {
        None
    } else {
        // SAFETY: caller's contract.
        Some(unsafe { core::slice::from_raw_parts(p, len) })
    }
}

/// # Safety
/// As [`slice`].
unsafe fn bytes<'a>(p: *const u8, len: usize) -> Option<&'a [u8]> {
    if p.is_null() {
        None
    } else {
        // SAFETY: caller's contract.
        unsafe { slice(p, len) }
    }
}

/// # Safety
/// As [`espb_run_config`].
#[allow(clippy::too_many_arguments)]
unsafe fn run(
    module: *const u8,
    len: usize,
    tables: *const *const EspbSymtab,
    ntables: usize,
    entry: *const c_char,
    windows: *const EspbWindow,
    nwindows: usize,
    config: *const EspbConfig,
) -> Reply {
    use EspbError as E;
    // SAFETY (all blocks): the caller's contract of espb_run_with.
    let Some(module) = (unsafe { bytes(module, len) }) else {
        return fail(E::Args, "the module pointer is NULL");
    };
    if entry.is_null() {
        return fail(E::Args, "the entry name is NULL");
    }
    let Ok(entry) = unsafe { CStr::from_ptr(entry) }.to_str() else {
        return fail(E::Args, "the entry name is not UTF-8");
    };
    let (registry, firmware_windows) = unsafe { firmware(tables, ntables, windows, nwindows) }?;
    let config = unsafe { config_of(config, firmware_windows) };
    match runner::run_module(module, registry, config, entry) {
        Ok(o) => {
            LAST_RETURN.store(o.value(), Ordering::Relaxed);
            match o {
                Outcome::Returned(v) => Ok((E::Ok, alloc::format!("`{entry}` returned {v}"))),
                Outcome::Exited => Ok((E::Ok, alloc::format!("`{entry}` called exit(0)"))),
            }
        }
        Err(e) => fail(error_code(&e), e),
    }
}

/// The symbol tables and windows a C caller passed, checked.
///
/// # Safety
/// As [`espb_run_with`]'s tables and windows, valid for `'a`.
unsafe fn firmware<'a>(
    tables: *const *const EspbSymtab,
    ntables: usize,
    windows: *const EspbWindow,
    nwindows: usize,
) -> Result<(Registry<'a>, FirmwareWindows), (EspbError, alloc::string::String)> {
    use EspbError as E;
    // SAFETY (all blocks): the caller's contract.
    let Some(tables) = (unsafe { slice(tables, ntables) }) else {
        return fail(E::Args, "the table list is NULL");
    };
    let Some(windows) = (unsafe { slice(windows, nwindows) }) else {
        return fail(E::Args, "the window list is NULL");
    };
    let mut registry = Registry::new();
    for (i, &t) in tables.iter().enumerate() {
        let t = unsafe { t.as_ref() }.map(|t| unsafe { symbol_table(t) });
        let t = match t {
            None => return fail(E::Args, alloc::format!("table #{i} is NULL")),
            Some(Err(e)) => return Err(e),
            Some(Ok(t)) => t,
        };
        let name = t.name;
        if registry.register(t).is_err() {
            return fail(E::Args, alloc::format!("two symbol tables are named `{name}`"));
        }
    }
    let mut granted = alloc::vec::Vec::with_capacity(windows.len());
    for (i, w) in windows.iter().enumerate() {
        granted.push(match w.access {
            ESPB_WINDOW_READ => Window::read(w.start, w.end),
            ESPB_WINDOW_READ_WRITE => Window::read_write(w.start, w.end),
            a => {
                return fail(
                    E::Args,
                    alloc::format!("window #{i} has access {a}: use ESPB_WINDOW_READ or ESPB_WINDOW_READ_WRITE"),
                );
            }
        });
    }
    // SAFETY: the caller vouches for the windows (espb_run_with's contract).
    Ok((registry, unsafe { FirmwareWindows::new(&granted) }))
}

/// The C API's code for a runner error.
fn error_code(e: &RunError) -> EspbError {
    use EspbError as E;
    match e {
        RunError::Load(LoadError::Format(_)) => E::Format,
        RunError::Load(LoadError::Verify(_)) => E::Verify,
        RunError::NoEntry { .. } | RunError::BadEntry { .. } => E::NoEntry,
        RunError::Instantiate(i) => match i {
            InstantiateError::Verify(_) => E::Verify,
            InstantiateError::UnresolvedImport { .. } => E::Import,
            InstantiateError::MissingTable { .. }
            | InstantiateError::TableTooShort { .. }
            | InstantiateError::TableHashMismatch { .. } => E::Table,
            InstantiateError::MemoryTooLarge { .. } => E::NoMemory,
            InstantiateError::BadRelocation { .. } => E::Format,
            InstantiateError::ThunkPoolExhausted { .. }
            | InstantiateError::TooManyCallbacks { .. }
            | InstantiateError::FloatThunksExhausted { .. } => E::Thunks,
            InstantiateError::UnsupportedCallback { .. } | InstantiateError::CallbackType(_) => E::Callback,
            InstantiateError::Os(_) => E::Os,
            InstantiateError::WritableCode { .. } | InstantiateError::MisalignedMemory { .. } => E::Args,
            InstantiateError::NativeSignature { .. } | InstantiateError::DataImportOfFunction { .. } => E::Signature,
        },
        RunError::Trap { .. } => E::Trap,
        RunError::Exit(_) => E::Exit,
        RunError::Unloaded | RunError::Started => E::Unloaded,
    }
}

/// A C table as the runtime's [`SymbolTable`], after checking it is
/// consistent (name, pointers, and `hash == prefix_hashes[count - 1]`).
///
/// # Safety
/// `t` satisfies [`espb_run_with`]'s table contract.
unsafe fn symbol_table<'a>(t: &EspbSymtab) -> Result<SymbolTable<'a>, (EspbError, alloc::string::String)> {
    use EspbError as E;
    if t.name.is_null() {
        return fail(E::Args, "a symbol table has no name (NULL): regenerate it with espb-sys");
    }
    // SAFETY: caller's contract.
    let Ok(name) = unsafe { CStr::from_ptr(t.name) }.to_str() else {
        return fail(E::Args, "a symbol table's name is not UTF-8");
    };
    let n = t.count as usize;
    // SAFETY: caller's contract; a `const void *` is pointer-sized like `usize`.
    let entries = unsafe { slice(t.entries.cast::<usize>(), n) };
    // SAFETY: caller's contract.
    let hashes = unsafe { slice(t.prefix_hashes, n) };
    let (Some(entries), Some(prefix_hashes)) = (entries, hashes) else {
        return fail(E::Table, alloc::format!("symbol table `{name}` has {n} slots but NULL arrays"));
    };
    let last = prefix_hashes.last().copied().unwrap_or(FNV_OFFSET);
    if last != t.hash {
        return fail(
            E::Table,
            alloc::format!(
                "symbol table `{name}` is inconsistent: hash {:#010x}, but its slots hash to {last:#010x}",
                t.hash
            ),
        );
    }
    let signatures = if t.sig_index.is_null() {
        Signatures::NONE
    } else {
        // SAFETY: caller's contract (the generated table's arrays).
        let (index, records) = unsafe { (slice(t.sig_index, n), slice(t.sigs, t.sigs_len as usize)) };
        let (Some(index), Some(records)) = (index, records) else {
            return fail(E::Table, alloc::format!("symbol table `{name}` has signature offsets but no records"));
        };
        Signatures { index, records }
    };
    let checking = match t.checking {
        0 => Checking::Checked,
        1 => Checking::Trusted,
        c => {
            return fail(
                E::Args,
                alloc::format!("symbol table `{name}`: checking {c} is neither ESPB_CHECKED (0) nor ESPB_TRUSTED (1)"),
            );
        }
    };
    Ok(SymbolTable { name, entries, prefix_hashes, signatures, checking })
}

/// FNV-1a 32 offset basis: the hash of an empty table (docs/symbols.md).
const FNV_OFFSET: u32 = 0x811c_9dc5;

#[cfg(test)]
mod tests;
