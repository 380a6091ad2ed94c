//! The live-push loader for C firmware: [`espb_runtime::push::Loader`]
//! behind C functions (docs/deploy.md).
//!
//! ```c
//! espb_push_io_t io = { .ctx = part, .flash_size = part->size, .flash_read = rd, .flash_write = wr,
//!                       .flash_erase = er, .send = uart_send, .log = log_line, .now_ms = now };
//! espb_push_t *push;
//! if (espb_push_new(&io, tables, 1, windows, 2, NULL, &push) == ESPB_OK) {
//!     espb_push_boot(push);                 // the last good slot runs
//!     for (;;) {
//!         int n = uart_read_bytes(UART, buf, sizeof buf, 10);
//!         espb_push_feed(push, buf, n > 0 ? n : 0);
//!         espb_push_poll(push);             // trials end, quiet pushes are dropped
//!     }
//! }
//! ```
//!
//! The transport is the firmware's: bytes in through [`espb_push_feed`],
//! replies out through `io.send`, so a UART, BLE or HTTP feed the same
//! loader. Modules run through the handle API (`espb_load_config` with the
//! tables, windows and limits given here, then `espb_start(entry)`), or
//! through the firmware's own `io.start`/`io.stop`/`io.failure` when set.

use super::{EspbConfig, EspbError, EspbSymtab, EspbWindow, firmware, outcome};
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use core::ffi::{CStr, c_char, c_void};
use espb_runtime::FirmwareWindows;
use espb_runtime::module::TableRef;
use espb_runtime::push::{self, Firmware, Flash, FlashError, Loader, LoaderConfig, Phase};
use espb_runtime::symtab::Registry;

/// `espb_push_io_t`: what the loader needs of the firmware. Every callback
/// gets `ctx` first. Flash callbacks address the module partition from its
/// start and return 0 on success.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct EspbPushIo {
    pub ctx: *mut c_void,
    /// Bytes in the module partition (its last sector holds the boot log).
    pub flash_size: u32,
    pub flash_read: Option<unsafe extern "C" fn(*mut c_void, u32, *mut u8, usize) -> i32>,
    /// Writes into erased flash.
    pub flash_write: Option<unsafe extern "C" fn(*mut c_void, u32, *const u8, usize) -> i32>,
    /// Erases whole 4 KiB sectors.
    pub flash_erase: Option<unsafe extern "C" fn(*mut c_void, u32, u32) -> i32>,
    /// Sends a reply frame back over the transport that fed the loader.
    pub send: Option<unsafe extern "C" fn(*mut c_void, *const u8, usize)>,
    /// A NUL-terminated line for the firmware's log; NULL: not logged.
    pub log: Option<unsafe extern "C" fn(*mut c_void, *const c_char)>,
    /// Milliseconds since boot.
    pub now_ms: Option<unsafe extern "C" fn(*mut c_void) -> u64>,
    /// Optional: runs a module (bytes without partition header) and
    /// returns 0, or writes why not into `why` (NUL-terminated) and returns
    /// non-zero. NULL: the runtime's own runner.
    pub start: Option<unsafe extern "C" fn(*mut c_void, *const u8, usize, *mut c_char, usize) -> i32>,
    /// Optional (with `start`): unloads the running module.
    pub stop: Option<unsafe extern "C" fn(*mut c_void)>,
    /// Optional (with `start`): non-zero, with why in `why`, once the
    /// running module trapped or exited with an error.
    pub failure: Option<unsafe extern "C" fn(*mut c_void, *mut c_char, usize) -> i32>,
    /// A new module failing within this many ms is rolled back; 0: 2000.
    pub trial_ms: u32,
    /// A push with no bytes for this long is dropped; 0: 5000.
    pub idle_timeout_ms: u32,
    /// Entry function the runtime's runner starts; NULL: `app_main`.
    pub entry: *const c_char,
}

/// `espb_push_state_t`. Values are part of the C API: append only.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EspbPushState {
    Idle = 0,
    Receiving = 1,
    Trial = 2,
}

/// `espb_push_status_t`: what [`espb_push_status`] reports.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EspbPushStatus {
    /// Slot of the committed module (0 = A, 1 = B); -1: none runs.
    pub slot: i32,
    pub state: EspbPushState,
    /// Bytes of module a slot holds.
    pub slot_capacity: u32,
    /// While receiving: bytes arrived and expected.
    pub received: u32,
    pub length: u32,
}

/// The module partition through the firmware's callbacks.
struct CFlash(EspbPushIo);

impl CFlash {
    fn check(rc: Option<i32>, op: &'static str, offset: u32, len: usize) -> Result<(), FlashError> {
        match rc {
            Some(0) => Ok(()),
            _ => Err(FlashError { op, offset, len: len as u32 }),
        }
    }
}

impl Flash for CFlash {
    fn size(&self) -> u32 {
        self.0.flash_size
    }
    fn read(&self, offset: u32, buf: &mut [u8]) -> Result<(), FlashError> {
        // SAFETY: espb_push_new's contract; `buf` is writable for its length.
        let rc = self.0.flash_read.map(|f| unsafe { f(self.0.ctx, offset, buf.as_mut_ptr(), buf.len()) });
        Self::check(rc, "read", offset, buf.len())
    }
    fn write(&mut self, offset: u32, data: &[u8]) -> Result<(), FlashError> {
        // SAFETY: as above; `data` is readable for its length.
        let rc = self.0.flash_write.map(|f| unsafe { f(self.0.ctx, offset, data.as_ptr(), data.len()) });
        Self::check(rc, "write", offset, data.len())
    }
    fn erase(&mut self, offset: u32, len: u32) -> Result<(), FlashError> {
        // SAFETY: as above.
        let rc = self.0.flash_erase.map(|f| unsafe { f(self.0.ctx, offset, len) });
        Self::check(rc, "erase", offset, len as usize)
    }
}

/// Room for the reasons the firmware's callbacks give.
const WHY_LEN: usize = 200;

/// Calls `f` with a zeroed buffer; its result and the text it wrote.
fn with_why(f: impl FnOnce(*mut c_char, usize) -> i32) -> (i32, String) {
    let mut why = [0 as c_char; WHY_LEN];
    let rc = f(why.as_mut_ptr(), WHY_LEN - 1);
    // SAFETY: zeroed, and the callback was given one byte less: NUL-terminated.
    let text = unsafe { CStr::from_ptr(why.as_ptr()) }.to_string_lossy().into_owned();
    (rc, text)
}

/// The loader's view of a C firmware.
struct CFirmware {
    io: EspbPushIo,
    registry: Registry<'static>,
    windows: FirmwareWindows,
    config: Option<EspbConfig>,
    entry: String,
    #[cfg(feature = "freertos")]
    app: Option<espb_runtime::app::App<espb_runtime::native::DeviceHost<'static>>>,
}

impl Firmware for CFirmware {
    fn now_ms(&self) -> u64 {
        // SAFETY: espb_push_new's contract.
        self.io.now_ms.map_or(0, |f| unsafe { f(self.io.ctx) })
    }
    fn send(&mut self, frame: &[u8]) {
        if let Some(f) = self.io.send {
            // SAFETY: as above; `frame` is readable for its length.
            unsafe { f(self.io.ctx, frame.as_ptr(), frame.len()) };
        }
    }
    fn log(&mut self, line: core::fmt::Arguments<'_>) {
        if let Some(f) = self.io.log {
            let mut s = alloc::format!("{line}");
            s.retain(|c| c != '\0');
            s.push('\0');
            // SAFETY: as above; `s` is NUL-terminated.
            unsafe { f(self.io.ctx, s.as_ptr().cast()) };
        }
    }
    fn check_tables(&self, tables: &[TableRef]) -> Result<(), String> {
        push::check_tables(&self.registry, tables)
    }
    fn stop(&mut self) {
        match (self.io.start, self.io.stop) {
            // SAFETY: as above.
            (Some(_), Some(f)) => unsafe { f(self.io.ctx) },
            (Some(_), None) => {}
            #[cfg(feature = "freertos")]
            (None, _) => {
                if let Some(app) = self.app.take() {
                    app.unload();
                }
            }
            #[cfg(not(feature = "freertos"))]
            (None, _) => {}
        }
    }
    fn start(&mut self, module: &[u8]) -> Result<(), String> {
        if let Some(f) = self.io.start {
            // SAFETY: as above; `module` is readable for its length.
            let (rc, why) = with_why(|buf, len| unsafe { f(self.io.ctx, module.as_ptr(), module.len(), buf, len) });
            return if rc == 0 {
                Ok(())
            } else {
                Err(if why.is_empty() { "the firmware refused it".into() } else { why })
            };
        }
        self.start_own(module)
    }
    fn failure(&mut self) -> Option<String> {
        if self.io.start.is_some() {
            let f = self.io.failure?;
            // SAFETY: as above.
            let (rc, why) = with_why(|buf, len| unsafe { f(self.io.ctx, buf, len) });
            return (rc != 0).then(|| if why.is_empty() { "the module failed".into() } else { why });
        }
        #[cfg(feature = "freertos")]
        {
            use espb_runtime::app::AppStatus;
            let app = self.app.as_ref()?;
            match app.status() {
                AppStatus::Trapped => Some(app.last_trap().unwrap_or_else(|| "trapped".into())),
                AppStatus::Exited(c) => Some(alloc::format!("the module called exit({c})")),
                _ => None,
            }
        }
        #[cfg(not(feature = "freertos"))]
        None
    }
}

impl CFirmware {
    /// The runtime's runner: load with the tables, windows and limits given
    /// to espb_push_new, then run the entry on the calling task.
    #[cfg(feature = "freertos")]
    fn start_own(&mut self, module: &[u8]) -> Result<(), String> {
        let pool = espb_runtime::thunk::ThunkPool::device_pool().ok_or("this target has no callback thunks")?;
        let windows = self.windows.clone();
        let config = match self.config {
            Some(c) => c.to_config(windows),
            None => espb_runtime::Config::device(windows),
        };
        let (app, _) = espb_runtime::runner::start_module(
            module,
            self.registry.clone(),
            config,
            &self.entry,
            &espb_runtime::os::FREERTOS,
            pool,
        )
        .map_err(|e| e.to_string())?;
        self.app = Some(app);
        Ok(())
    }

    #[cfg(not(feature = "freertos"))]
    fn start_own(&mut self, _module: &[u8]) -> Result<(), String> {
        let _ = (&self.windows, &self.config, &self.entry);
        Err("this runtime was built without RTOS support (espb-capi feature `freertos`): set espb_push_io_t.start"
            .into())
    }
}

/// `espb_push_t`: a push loader (opaque to C).
pub struct EspbPush {
    loader: Loader<CFlash>,
    fw: CFirmware,
}

/// Creates a push loader over the module partition `io` describes, for
/// modules that import from `tables` and may reach `windows` (both must
/// stay valid until [`espb_push_free`]), with the limits in `*config`
/// (NULL: the defaults). `*push` is the handle. Nothing runs yet:
/// [`espb_push_boot`] starts the last good slot.
///
/// # Safety
/// `io` valid for a read, its callbacks callable with its `ctx` until
/// `espb_push_free`, `entry` NULL or NUL-terminated; tables and windows as
/// for `espb_load`; `config` NULL or valid for a read; `push` valid for a
/// write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_push_new(
    io: *const EspbPushIo,
    tables: *const *const EspbSymtab,
    ntables: usize,
    windows: *const EspbWindow,
    nwindows: usize,
    config: *const EspbConfig,
    push: *mut *mut EspbPush,
) -> EspbError {
    if push.is_null() {
        return outcome(EspbError::Args, format_args!("the handle pointer is NULL"));
    }
    // SAFETY: checked non-NULL; the caller's contract.
    unsafe { *push = core::ptr::null_mut() };
    // SAFETY: the caller's contract.
    let Some(io) = (unsafe { io.as_ref() }).copied() else {
        return outcome(EspbError::Args, format_args!("the io description is NULL"));
    };
    if io.flash_read.is_none() || io.flash_write.is_none() || io.flash_erase.is_none() || io.send.is_none() {
        return outcome(
            EspbError::Args,
            format_args!("espb_push_io_t needs flash_read, flash_write, flash_erase and send"),
        );
    }
    let entry = if io.entry.is_null() {
        "app_main".to_string()
    } else {
        // SAFETY: the caller's contract.
        match unsafe { CStr::from_ptr(io.entry) }.to_str() {
            Ok(e) => e.to_string(),
            Err(_) => return outcome(EspbError::Args, format_args!("the entry name is not UTF-8")),
        }
    };
    // SAFETY: the caller's contract: valid until espb_push_free.
    let (registry, windows) = match unsafe { firmware(tables, ntables, windows, nwindows) } {
        Ok(f) => f,
        Err((code, text)) => return outcome(code, format_args!("{text}")),
    };
    let defaults = LoaderConfig::default();
    let or = |v: u32, d: u32| if v == 0 { d } else { v };
    let cfg = LoaderConfig {
        trial_ms: or(io.trial_ms, defaults.trial_ms),
        idle_timeout_ms: or(io.idle_timeout_ms, defaults.idle_timeout_ms),
    };
    let loader = match Loader::new(CFlash(io), cfg) {
        Ok(l) => l,
        Err(e) => return outcome(EspbError::Partition, format_args!("{e}")),
    };
    let fw = CFirmware {
        io,
        registry,
        windows,
        // SAFETY: the caller's contract.
        config: unsafe { config.as_ref() }.copied(),
        entry,
        #[cfg(feature = "freertos")]
        app: None,
    };
    // SAFETY: checked non-NULL above.
    unsafe { *push = Box::into_raw(Box::new(EspbPush { loader, fw })) };
    outcome(EspbError::Ok, format_args!("push loader ready"))
}

/// The loader behind a handle.
///
/// # Safety
/// `push` is NULL or a live handle from [`espb_push_new`], not used
/// elsewhere meanwhile.
unsafe fn get<'a>(push: *mut EspbPush) -> Option<&'a mut EspbPush> {
    // SAFETY: the caller's contract.
    unsafe { push.as_mut() }
}

/// Starts the module of the last good slot (one that was in its trial
/// when the device reset is skipped), else the other slot's. Returns the
/// slot that runs (0 = A, 1 = B), -1 when none could start (the log says
/// why).
///
/// # Safety
/// `push` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_push_boot(push: *mut EspbPush) -> i32 {
    // SAFETY: the caller's contract.
    let Some(p) = (unsafe { get(push) }) else { return -1 };
    p.loader.boot(&mut p.fw).map_or(-1, i32::from)
}

/// Bytes from the transport (text that is not a frame is ignored): may
/// write flash, send replies and switch modules.
///
/// # Safety
/// `push` is NULL or a live handle; `bytes` valid for `len` reads (NULL
/// with 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_push_feed(push: *mut EspbPush, bytes: *const u8, len: usize) {
    // SAFETY: the caller's contract.
    let (Some(p), Some(b)) = (unsafe { get(push) }, unsafe { super::slice(bytes, len) }) else { return };
    p.loader.feed(b, &mut p.fw);
}

/// Ends trials (commit, or roll back a module that failed) and drops pushes
/// that went quiet. Call it every few ms.
///
/// # Safety
/// `push` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_push_poll(push: *mut EspbPush) {
    // SAFETY: the caller's contract.
    if let Some(p) = unsafe { get(push) } {
        p.loader.poll(&mut p.fw);
    }
}

/// Fills `*status` (NULL is ignored): running slot, state, slot size.
///
/// # Safety
/// `push` is NULL or a live handle; `status` NULL or valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_push_status(push: *mut EspbPush, status: *mut EspbPushStatus) -> EspbError {
    // SAFETY: the caller's contract.
    let (Some(p), Some(out)) = (unsafe { get(push) }, unsafe { status.as_mut() }) else {
        return EspbError::Args;
    };
    let (state, received, length) = match p.loader.phase() {
        Phase::Idle => (EspbPushState::Idle, 0, 0),
        Phase::Receiving { received, length, .. } => (EspbPushState::Receiving, received, length),
        Phase::Trial { .. } => (EspbPushState::Trial, 0, 0),
    };
    *out = EspbPushStatus {
        slot: p.loader.current().map_or(-1, i32::from),
        state,
        slot_capacity: p.loader.slots().layout.capacity(),
        received,
        length,
    };
    EspbError::Ok
}

/// Unloads the running module and frees the loader. NULL is ignored.
///
/// # Safety
/// `push` is NULL or a live handle, not used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_push_free(push: *mut EspbPush) {
    if !push.is_null() {
        // SAFETY: the caller's contract: a handle from espb_push_new, once.
        let mut p = unsafe { Box::from_raw(push) };
        p.fw.stop();
    }
}

#[cfg(test)]
#[path = "push_tests.rs"]
mod tests;
