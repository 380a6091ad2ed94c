//! The device runner: everything a firmware does to run a module, in one
//! call. Both firmware flavours use it: a Rust firmware directly, C firmware
//! through `espb-capi`'s `espb_run*`.
//!
//! ```ignore
//! let mut tables = Registry::new();
//! tables.register(SymbolTable::new("idf", &entries, &PREFIX_HASHES).with_signatures(&SIG_INDEX, &SIGS))?;
//! // No firmware region: the module reaches its data imports and what natives
//! // return as the tables size them (docs/native-calls.md "Firmware memory").
//! let windows = FirmwareWindows::default();
//! // The device's limits (docs/architecture.md, "Limits"), here with a budget.
//! let config = Config { fuel: Some(50_000_000), ..Config::device(windows) };
//! match runner::run_module(bytes, tables, config, "app_main") { ... }
//! ```
//!
//! With the `freertos` feature (a FreeRTOS firmware) [`run_module`] runs
//! the module as an [`App`](crate::app::App): its callbacks are real
//! thunks, and it returns when the module is done (the entry returned and
//! its tasks, timers and handlers are gone, or a trap). [`start_module`]
//! returns the live app instead. Without an RTOS the instance is dropped
//! when the entry returns: tasks and timers must not call back after that.

use crate::app::App;
#[cfg(all(feature = "freertos", espb_thunks))]
use crate::app::AppStatus;
use crate::module::Module;
use crate::native::DeviceHost;
use crate::os::Os;
use crate::symtab::Registry;
use crate::thunk::ThunkPool;
#[cfg(all(feature = "freertos", espb_thunks))]
use crate::vm::Trap;
use crate::vm::{Config, Host, Instance};
#[cfg(all(feature = "freertos", espb_thunks))]
use alloc::string::String;

pub use crate::entry::{Outcome, RunError, default_entry};
use crate::entry::{call_entry, entry_call};

/// Decodes and verifies `bytes` (a module, no partition header), resolves
/// its imports through `tables`, instantiates it with `config` (made by
/// [`Config::device`]: its memory at its real address, the firmware's
/// windows and limits), and calls `entry`.
#[cfg(not(all(feature = "freertos", espb_thunks)))]
pub fn run_module(bytes: &[u8], tables: Registry<'_>, config: Config, entry: &str) -> Result<Outcome, RunError> {
    run_with(bytes, Some(entry), device_config(config), |m| DeviceHost::new(tables, m))
}

/// Decodes and verifies `bytes` (a module, no partition header), resolves
/// its imports through `tables`, instantiates it with `config` (made by
/// [`Config::device`]: its memory at its real address, the firmware's
/// windows and limits), calls `entry`, and waits until the module
/// is done: its tasks, timers and handlers gone (it unloads itself), or a
/// trap (that stops it). The entry's outcome, or the trap.
#[cfg(all(feature = "freertos", espb_thunks))]
pub fn run_module(bytes: &[u8], tables: Registry<'static>, config: Config, entry: &str) -> Result<Outcome, RunError> {
    let (app, outcome) = start_module(bytes, tables, config, entry, &crate::os::FREERTOS, ThunkPool::device())?;
    match app.wait() {
        AppStatus::Trapped => Err(app_trap(&app)),
        AppStatus::Exited(c) => Err(RunError::Exit(c)),
        _ => Ok(outcome),
    }
}

/// The trap that stopped `app`, as a run error.
#[cfg(all(feature = "freertos", espb_thunks))]
fn app_trap<H: Host + Send + 'static>(app: &App<H>) -> RunError {
    let message = app.last_trap().unwrap_or_default();
    let message = message.strip_prefix("trap: ").map(String::from).unwrap_or(message);
    RunError::Trap { trap: Trap::host(message.clone()), message }
}

/// Loads `bytes` as an [`App`] on `os` and `pool` with `config` (made by
/// [`Config::device`]) and runs `entry` on the calling task; returns the
/// app, which lives on while the module's tasks, timers and handlers
/// exist, and the entry's outcome.
pub fn start_module(
    bytes: &[u8],
    tables: Registry<'static>,
    config: Config,
    entry: &str,
    os: &'static dyn Os,
    pool: &'static ThunkPool,
) -> Result<(App<DeviceHost<'static>>, Outcome), RunError> {
    let app = App::load_with(bytes, |m| DeviceHost::new(tables, m), device_config(config), os, pool)?;
    let outcome = app.start(entry)?;
    Ok((app, outcome))
}

/// A device's module memory is always at its native address: natives get
/// module pointers unchanged.
fn device_config(config: Config) -> Config {
    Config { native_memory: true, ..config }
}

/// [`run_module`] with any host and configuration (the PC, tests): the same
/// checks, entry rules and outcomes. Without an `entry`, it calls
/// [`default_entry`].
pub fn run_with<H: Host>(
    bytes: &[u8],
    entry: Option<&str>,
    config: Config,
    host: impl FnOnce(&Module) -> H,
) -> Result<Outcome, RunError> {
    let m = crate::format::load(bytes)?;
    let entry = entry.unwrap_or_else(|| default_entry(&m));
    entry_call(&m, entry)?;
    let host = host(&m);
    let mut inst = Instance::new(m, host, config)?;
    call_entry(&mut inst, entry)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isa::Instr;
    use crate::module::{Function, ValType};
    use crate::vm::{FirmwareWindows, NoHost};
    use crate::{FuncType, InstantiateError, LoadError, TrapKind, format};

    fn ty(params: usize) -> FuncType {
        FuncType { params: alloc::vec![ValType::I32; params], result: Some(ValType::I32), variadic_fixed: None }
    }

    /// `app_main() { return 7; }`, `main(argc, argv) { return 10 / argc; }`,
    /// `three(a, b, c) { return a; }`, `quit() { exit(3); }`.
    fn module() -> alloc::vec::Vec<u8> {
        let code = |is: &[Instr<'_>]| {
            let mut c = alloc::vec::Vec::new();
            for i in is {
                i.encode(&mut c);
            }
            c
        };
        let f = |ty, num_regs, code| Function { ty, num_regs, frame_size: 0, code };
        let exit_ty = FuncType { params: alloc::vec![ValType::I32], result: None, variadic_fixed: None };
        let m = Module {
            types: alloc::vec![ty(0), ty(2), ty(3), exit_ty],
            imports: alloc::vec![crate::Import::func(crate::ImportRef::Name("exit".into()), 3)],
            functions: alloc::vec![
                f(0, 1, code(&[Instr::ConstI8 { d: 0, v: 7 }, Instr::Ret { s: 0 }])),
                f(
                    1,
                    3,
                    code(&[Instr::ConstI8 { d: 2, v: 10 }, Instr::DivSI32 { d: 2, a: 2, b: 0 }, Instr::Ret { s: 2 }])
                ),
                f(2, 3, code(&[Instr::Ret { s: 0 }])),
                f(
                    0,
                    1,
                    code(&[
                        Instr::ConstI8 { d: 0, v: 3 },
                        Instr::CallImport { i: 0, ty: 3, d: 0, args: crate::isa::Regs(&[0]) },
                        Instr::Ret { s: 0 },
                    ])
                ),
            ],
            names: alloc::vec!["app_main".into(), "main".into(), "three".into(), "quit".into()],
            ..Module::default()
        };
        format::encode(&m)
    }

    fn run(bytes: &[u8], entry: &str) -> Result<Outcome, RunError> {
        run_with(bytes, Some(entry), Config::default(), |_| NoHost)
    }

    #[test]
    fn entries_run_and_fail_with_their_reasons() {
        let m = module();
        assert_eq!(run(&m, "app_main"), Ok(Outcome::Returned(7)));
        assert_eq!(Outcome::Returned(7).value(), 7);
        let e = run(&m, "main").unwrap_err();
        let RunError::Trap { trap, .. } = &e else { panic!("{e:?}") };
        assert_eq!(trap.kind, TrapKind::DivideByZero, "argc is 0");
        assert_eq!(e.to_string(), "trap: integer divide by zero in function `main` at code offset 0x3");
        let e = run_with(&m, None, Config::default(), |_| NoHost).unwrap_err();
        assert!(matches!(e, RunError::Trap { .. }), "without a name, `main` runs before `app_main`: {e:?}");
        assert_eq!(run(&m, "quit"), Err(RunError::Exit(3)));
        assert_eq!(run(&m, "quit").unwrap_err().to_string(), "the module called exit(3)");
        let e = run(&m, "three").unwrap_err();
        assert_eq!(e, RunError::BadEntry { entry: "three".into(), params: 3 });
        assert!(e.to_string().starts_with("`three` takes 3 parameters; an entry takes 0, or 2"), "{e}");
        let e = run(&m, "nope").unwrap_err();
        assert!(e.to_string().starts_with("the module has no function `nope`;"), "{e}");
    }

    #[test]
    fn refused_modules_say_why() {
        let e = run(&[1, 2, 3], "app_main").unwrap_err();
        assert!(matches!(e, RunError::Load(LoadError::Format(_))), "{e:?}");
        assert!(e.to_string().starts_with("malformed module: ") && e.to_string().contains("cargo espb build"), "{e}");
        // A module importing from a table this firmware lacks.
        let m = Module {
            tables: alloc::vec![crate::TableRef { name: "custom".into(), hash: 1, count: 1 }],
            ..Module::default()
        };
        let e =
            run_module(&format::encode(&m), Registry::new(), Config::device(FirmwareWindows::default()), "app_main")
                .unwrap_err();
        assert!(matches!(e, RunError::NoEntry { .. }), "the entry is looked up before the tables: {e:?}");
        let mut m = m;
        m.types.push(ty(0));
        m.functions.push(Function { ty: 0, num_regs: 1, frame_size: 0, code: alloc::vec![] });
        m.names.push("app_main".into());
        let mut code = alloc::vec::Vec::new();
        Instr::Ret { s: 0 }.encode(&mut code);
        m.functions[0].code = code;
        // The device host, with module memory in the PC window (a 64-bit
        // host rarely has native memory below 4 GiB: see the next test).
        let device = |m: &Module| DeviceHost::new(Registry::new(), m);
        let e = run_with(&format::encode(&m), Some("app_main"), Config::default(), device).unwrap_err();
        assert!(
            matches!(&e, RunError::Instantiate(InstantiateError::MissingTable { table }) if table == "custom"),
            "{e:?}"
        );
        assert!(e.to_string().starts_with("the firmware has no symbol table `custom`"), "{e}");
    }

    #[test]
    fn run_module_places_memory_at_its_native_address() {
        let r = run_module(&module(), Registry::new(), Config::device(FirmwareWindows::default()), "app_main");
        match r {
            Ok(o) => assert_eq!(o, Outcome::Returned(7)),
            // Only where the heap lies above 4 GiB; never on a chip.
            Err(RunError::Instantiate(InstantiateError::MemoryTooLarge { .. }))
                if cfg!(target_pointer_width = "64") => {}
            Err(e) => panic!("{e:?}"),
        }
    }
}
