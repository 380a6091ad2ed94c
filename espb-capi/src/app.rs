//! The handle API: modules that live on after their entry returned.
//!
//! ```c
//! espb_app_t *app;
//! if (espb_load(bytes, len, tables, 1, windows, 2, &app) == ESPB_OK) {
//!     espb_start(app, "app_main");          // returns; tasks and timers go on
//!     ...
//!     if (espb_status(app) == ESPB_STATUS_TRAPPED) { espb_last_trap(app, buf, sizeof buf); ... }
//!     espb_unload(app);                      // stops what is left, frees everything
//! }
//! ```
//!
//! Needs an RTOS: the `freertos` feature (`esp-idf` in the ESP-IDF
//! component) on a chip with callback thunks; elsewhere `espb_load` answers
//! `ESPB_ERR_OS`. The old `espb_run*` functions stay: with an RTOS they run a
//! module until it is done.

use super::{EspbConfig, EspbError, EspbSymtab, EspbWindow, LAST_RETURN, bytes, error_code, fail, firmware, outcome};
use core::ffi::{CStr, c_char};
use core::sync::atomic::Ordering;
use espb_runtime::app::{App, AppStatus};
use espb_runtime::native::DeviceHost;
use espb_runtime::runner::Outcome;

/// `espb_app_t`: a loaded module (opaque to C).
pub struct EspbApp {
    app: App<DeviceHost<'static>>,
}

/// `espb_status_t`. Values are part of the C API: append only.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EspbStatus {
    /// Loaded, entry not started.
    Loaded = 0,
    /// The entry runs, or returned while the module's tasks, timers or
    /// handlers are left.
    Running = 1,
    /// The entry returned (or `exit(0)`) and nothing was left: unloaded itself.
    Finished = 2,
    /// The module called `exit()` with a non-zero status.
    Exited = 3,
    /// A task of the module trapped ([`espb_last_trap`]); it was unloaded.
    Trapped = 4,
    /// [`espb_unload`]ed (or a NULL handle).
    Unloaded = 5,
}

impl From<AppStatus> for EspbStatus {
    fn from(s: AppStatus) -> EspbStatus {
        match s {
            AppStatus::Loaded => EspbStatus::Loaded,
            AppStatus::Running => EspbStatus::Running,
            AppStatus::Finished(_) => EspbStatus::Finished,
            AppStatus::Exited(_) => EspbStatus::Exited,
            AppStatus::Trapped => EspbStatus::Trapped,
            AppStatus::Unloaded => EspbStatus::Unloaded,
        }
    }
}

/// Sets the RTOS tick rate (`CONFIG_FREERTOS_HZ`, default 100) and, when
/// `defer_stack` is not 0, starts the task (at `defer_priority`, with
/// `defer_stack` bytes) that runs module callbacks called in interrupt
/// context (GPIO ISR handlers, ISR-dispatched esp_timers): without it
/// modules using them are refused. Call once before `espb_load`.
#[unsafe(no_mangle)]
pub extern "C" fn espb_init(tick_hz: u32, defer_priority: u32, defer_stack: u32) -> EspbError {
    #[cfg(feature = "freertos")]
    {
        let os = &espb_runtime::os::FREERTOS;
        os.set_tick_hz(tick_hz);
        if defer_stack != 0 && !os.start_deferral(defer_priority, defer_stack) {
            return outcome(EspbError::Os, format_args!("could not start the deferral task"));
        }
        outcome(EspbError::Ok, format_args!("ok"))
    }
    #[cfg(not(feature = "freertos"))]
    {
        let _ = (tick_hz, defer_priority, defer_stack);
        no_rtos()
    }
}

#[cfg(not(feature = "freertos"))]
fn no_rtos() -> EspbError {
    outcome(EspbError::Os, format_args!("this runtime was built without RTOS support (espb-capi feature `freertos`)"))
}

/// Decodes and verifies `module[..len]` (no partition header), resolves its
/// imports through `tables`, gives its callbacks thunks and places its
/// memory at its real address with `windows` granted; `*app` is the handle.
/// The detail text: `espb_last_detail`.
///
/// # Safety
/// As `espb_run_with`, except that the tables and windows must stay valid
/// until [`espb_unload`]; `app` must be valid for a write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_load(
    module: *const u8,
    len: usize,
    tables: *const *const EspbSymtab,
    ntables: usize,
    windows: *const EspbWindow,
    nwindows: usize,
    app: *mut *mut EspbApp,
) -> EspbError {
    // SAFETY: the caller's contract; no configuration.
    unsafe { espb_load_config(module, len, tables, ntables, windows, nwindows, core::ptr::null(), app) }
}

/// [`espb_load`] with the limits in `*config` (NULL: the defaults of
/// `espb_config_default`).
///
/// # Safety
/// As [`espb_load`]; `config` is NULL or valid for a read.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn espb_load_config(
    module: *const u8,
    len: usize,
    tables: *const *const EspbSymtab,
    ntables: usize,
    windows: *const EspbWindow,
    nwindows: usize,
    config: *const EspbConfig,
    app: *mut *mut EspbApp,
) -> EspbError {
    if app.is_null() {
        return outcome(EspbError::Args, format_args!("the handle pointer is NULL"));
    }
    // SAFETY: checked non-NULL; the caller's contract.
    unsafe { *app = core::ptr::null_mut() };
    // SAFETY: the caller's contract.
    let Some(module) = (unsafe { bytes(module, len) }) else {
        return outcome(EspbError::Args, format_args!("the module pointer is NULL"));
    };
    // SAFETY: the caller's contract: valid until espb_unload, which drops
    // the app (and with it every use of the tables).
    let (registry, windows) = match unsafe { firmware(tables, ntables, windows, nwindows) } {
        Ok(f) => f,
        Err((code, text)) => return outcome(code, format_args!("{text}")),
    };
    #[cfg(feature = "freertos")]
    {
        let Some(pool) = espb_runtime::thunk::ThunkPool::device_pool() else {
            return outcome(EspbError::Os, format_args!("this target has no callback thunks"));
        };
        // SAFETY: the caller's contract.
        let config = unsafe { super::config_of(config, windows) };
        let os = &espb_runtime::os::FREERTOS;
        match App::load_with(module, |m| DeviceHost::new(registry, m), config, os, pool) {
            Ok(a) => {
                let handle = alloc::boxed::Box::into_raw(alloc::boxed::Box::new(EspbApp { app: a }));
                // SAFETY: checked non-NULL above.
                unsafe { *app = handle };
                outcome(EspbError::Ok, format_args!("loaded"))
            }
            Err(e) => outcome(error_code(&e), format_args!("{e}")),
        }
    }
    #[cfg(not(feature = "freertos"))]
    {
        let _ = (module, registry, windows, config);
        no_rtos()
    }
}

/// The app behind a handle.
///
/// # Safety
/// `app` is NULL or a live handle from [`espb_load`].
unsafe fn get<'a>(app: *const EspbApp) -> Option<&'a App<DeviceHost<'static>>> {
    // SAFETY: the caller's contract.
    unsafe { app.as_ref() }.map(|a| &a.app)
}

/// Runs `entry` (0 parameters, or 2 given 0) on the calling task. The
/// module lives on while its tasks, timers or handlers exist. The entry's
/// result: `espb_last_return`; the text: `espb_last_detail`.
///
/// # Safety
/// `app` is a live handle; `entry` a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_start(app: *mut EspbApp, entry: *const c_char) -> EspbError {
    // SAFETY: the caller's contract.
    let Some(a) = (unsafe { get(app) }) else {
        return outcome(EspbError::Args, format_args!("the handle is NULL"));
    };
    if entry.is_null() {
        return outcome(EspbError::Args, format_args!("the entry name is NULL"));
    }
    // SAFETY: the caller's contract.
    let Ok(entry) = unsafe { CStr::from_ptr(entry) }.to_str() else {
        return outcome(EspbError::Args, format_args!("the entry name is not UTF-8"));
    };
    // Its own handle: espb_unload from another task (an entry that never
    // returns is stopped that way) frees `app` while this one still runs.
    let a = a.clone();
    let r: Result<_, (EspbError, alloc::string::String)> = match a.start(entry) {
        Ok(o) => {
            LAST_RETURN.store(o.value(), Ordering::Relaxed);
            Ok(match o {
                Outcome::Returned(v) => alloc::format!("`{entry}` returned {v}"),
                Outcome::Exited => alloc::format!("`{entry}` called exit(0)"),
            })
        }
        Err(e) => fail(error_code(&e), e),
    };
    match r {
        Ok(text) => outcome(EspbError::Ok, format_args!("{text}")),
        Err((code, text)) => outcome(code, format_args!("{text}")),
    }
}

/// Where the module is in its life (`ESPB_STATUS_UNLOADED` for NULL).
///
/// # Safety
/// `app` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_status(app: *const EspbApp) -> EspbStatus {
    // SAFETY: the caller's contract.
    unsafe { get(app) }.map_or(EspbStatus::Unloaded, |a| a.status().into())
}

/// Waits until the module is done (finished, exited, trapped or unloaded)
/// and returns its status.
///
/// # Safety
/// `app` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_wait(app: *const EspbApp) -> EspbStatus {
    // SAFETY: the caller's contract.
    // Its own handle, as in espb_start: espb_unload may free `app` meanwhile.
    unsafe { get(app) }.cloned().map_or(EspbStatus::Unloaded, |a| a.wait().into())
}

/// Copies the trap that stopped the module ("trap: integer divide by zero in
/// function `cb` at main.c:12 (task dyn_task)") into `buf`, NUL-terminated
/// and truncated to `len - 1` bytes; returns its full length, 0 when the
/// module did not trap.
///
/// # Safety
/// `app` is NULL or a live handle; `buf` NULL or valid for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_last_trap(app: *const EspbApp, buf: *mut c_char, len: usize) -> usize {
    // SAFETY: the caller's contract.
    let Some(t) = unsafe { get(app) }.and_then(|a| a.last_trap()) else { return 0 };
    if !buf.is_null() && len > 0 {
        let mut n = t.len().min(len - 1);
        while !t.is_char_boundary(n) {
            n -= 1;
        }
        // SAFETY: the caller's contract: `buf` holds `len > n` bytes.
        unsafe {
            core::ptr::copy_nonoverlapping(t.as_ptr(), buf.cast::<u8>(), n);
            *buf.add(n) = 0;
        }
    }
    t.len()
}

/// Stops everything the module started (tasks deleted, timers and
/// esp_timers stopped and deleted, handlers removed), frees its memory and
/// thunk slots, and frees the handle. NULL is ignored. An [`espb_start`] or
/// [`espb_wait`] on the handle in progress on another task returns once its
/// task is out of the module.
///
/// # Safety
/// `app` is NULL or a live handle, not used again (but by the calls in
/// progress).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn espb_unload(app: *mut EspbApp) {
    if !app.is_null() {
        // SAFETY: the caller's contract: a handle from espb_load, once.
        let a = unsafe { alloc::boxed::Box::from_raw(app) };
        // Explicitly: an espb_start or espb_wait in progress holds another
        // handle, so dropping this one alone would not unload.
        a.app.unload();
    }
}
