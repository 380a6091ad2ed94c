//! A loaded module that lives on: [`App`]. Its entry (`app_main`) may
//! return while tasks, timers and handlers it started keep calling its
//! functions through callback thunks; the app stays until they are gone
//! (it then unloads itself), until [`App::unload`], or until a trap.
//!
//! ```ignore
//! let pool = ThunkPool::device();
//! let app = App::load_with(bytes, |m| DeviceHost::new(tables, m), config, &FreeRtos, pool)?;
//! app.start("app_main")?;          // runs on this task; the app lives on
//! match app.wait() { AppStatus::Trapped => log(app.last_trap()), _ => {} }
//! ```

use crate::module::Module;
use crate::os::Os;
use crate::runner::{Outcome, RunError};
use crate::thunk::{BindError, ThunkPool};
use crate::vm::{Config, Host, Instance, InstantiateError};
use alloc::string::String;

/// Where an app is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppStatus {
    /// Loaded, entry not started.
    Loaded,
    /// The entry runs, or returned while tasks, timers or handlers of the
    /// module are left.
    Running,
    /// The entry returned (or called `exit(0)`) and nothing of the module
    /// was left: it unloaded itself.
    Finished(Outcome),
    /// The module called `exit(status)` with a non-zero status.
    Exited(i32),
    /// A task of the module trapped: it was stopped and unloaded
    /// ([`App::last_trap`] says where).
    Trapped,
    /// [`App::unload`] (or dropping the last handle) unloaded it.
    Unloaded,
}

impl AppStatus {
    /// Whether the app is gone (nothing of it runs any more).
    pub fn is_done(self) -> bool {
        !matches!(self, AppStatus::Loaded | AppStatus::Running)
    }
}

/// A module instance with its tasks, timers and callbacks.
pub struct App<H: Host> {
    inst: core::cell::RefCell<Option<Instance<H>>>,
    status: core::cell::Cell<AppStatus>,
    trap: core::cell::RefCell<Option<String>>,
    os: &'static dyn Os,
    pool: &'static ThunkPool,
}

impl<H: Host + Send + 'static> App<H> {
    /// Decodes, verifies and instantiates `bytes` (a module, no partition
    /// header) with `host`, giving each address-taken function a slot of
    /// `pool`. The first app loaded on a pool binds it to `os`.
    pub fn load(
        bytes: &[u8],
        host: H,
        config: Config,
        os: &'static dyn Os,
        pool: &'static ThunkPool,
    ) -> Result<App<H>, RunError> {
        Self::load_with(bytes, |_| host, config, os, pool)
    }

    /// [`App::load`] with a host made from the decoded module (a
    /// `DeviceHost` needs its table names and hints).
    pub fn load_with(
        bytes: &[u8],
        host: impl FnOnce(&Module) -> H,
        config: Config,
        os: &'static dyn Os,
        pool: &'static ThunkPool,
    ) -> Result<App<H>, RunError> {
        pool.bind(os).map_err(|e| {
            InstantiateError::Os(match e {
                BindError::NoLock => "the RTOS could not create a lock for the thunk pool",
                BindError::OtherOs => "the thunk pool is bound to another Os",
            })
        })?;
        let m = crate::format::load(bytes)?;
        let host = host(&m);
        let inst = Instance::new(m, host, config)?;
        Ok(App {
            inst: core::cell::RefCell::new(Some(inst)),
            status: core::cell::Cell::new(AppStatus::Loaded),
            trap: core::cell::RefCell::new(None),
            os,
            pool,
        })
    }

    /// Runs `entry` (0 parameters, or `main(argc, argv)` given 0 and NULL)
    /// on the calling task. The app lives on after it returns while the
    /// module's tasks, timers or handlers exist.
    pub fn start(&self, entry: &str) -> Result<Outcome, RunError> {
        let _ = (self.os, self.pool);
        let mut guard = self.inst.borrow_mut();
        let Some(inst) = guard.as_mut() else { return Err(RunError::Unloaded) };
        self.status.set(AppStatus::Running);
        let r = crate::runner::call_entry(inst, entry);
        self.status.set(match &r {
            Ok(o) => AppStatus::Finished(*o),
            Err(RunError::Exit(c)) => AppStatus::Exited(*c),
            Err(_) => AppStatus::Trapped,
        });
        r
    }

    pub fn status(&self) -> AppStatus {
        self.status.get()
    }

    /// The trap that stopped the module: "trap: ... in function `f` at
    /// main.c:12 (task dyn_task)".
    pub fn last_trap(&self) -> Option<String> {
        self.trap.borrow().clone()
    }

    /// Stops everything the module started, releases its thunk slots and
    /// frees its memory. Calls of its callbacks afterwards return 0 (logged).
    pub fn unload(&self) {
        *self.inst.borrow_mut() = None;
        if !self.status.get().is_done() {
            self.status.set(AppStatus::Unloaded);
        }
    }

    /// Waits (polling with [`Os::sleep_ms`]) until the app is done, and
    /// returns how it ended.
    pub fn wait(&self) -> AppStatus {
        self.status.get()
    }
}
