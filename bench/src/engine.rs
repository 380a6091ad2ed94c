//! The four ways a kernel runs: native code, the espb VM, wasmi and wasm3.
//! Each engine sets itself up (compiling, loading, instantiating: never
//! measured) and hands the caller a closure that runs the kernel once.

use crate::espb::{self, EspbModule};
use crate::kernels::Kernel;
use crate::wasm::{WasmFlavor, WasmToolchain};
use crate::{Result, ScratchDir};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    Native,
    Espb,
    Wasmi,
    Wasm3,
}

impl Engine {
    pub const ALL: [Engine; 4] = [Engine::Native, Engine::Espb, Engine::Wasmi, Engine::Wasm3];

    pub fn name(self) -> &'static str {
        match self {
            Engine::Native => "native",
            Engine::Espb => "espb",
            Engine::Wasmi => "wasmi",
            Engine::Wasm3 => "wasm3",
        }
    }

    pub fn from_name(name: &str) -> Option<Engine> {
        Engine::ALL.into_iter().find(|e| e.name() == name)
    }
}

/// A kernel's modules, built once per run. A build that fails (the
/// translator refuses the kernel, no clang for wasm32) makes that engine's
/// cells n/a, with the message.
pub struct Built {
    /// For wasmi (and the size table): clang's default wasm features.
    pub wasm: Result<Vec<u8>>,
    /// For wasm3: the features it implements ([`WasmFlavor::Mvp`]).
    pub wasm_mvp: Result<Vec<u8>>,
    pub espb: Result<EspbModule>,
}

impl Built {
    pub fn new(kernel: &Kernel, wasm_tc: &Result<WasmToolchain>, dir: &ScratchDir) -> Built {
        let wasm = |flavor| wasm_tc.as_ref().map_err(Clone::clone).and_then(|tc| tc.build(kernel, dir, flavor));
        Built { wasm: wasm(WasmFlavor::Default), wasm_mvp: wasm(WasmFlavor::Mvp), espb: espb::build(kernel, dir) }
    }
}

/// Runs the kernel once with its argument; the result's bits.
pub type Call<'a> = dyn FnMut(i32) -> Result<u32> + 'a;

/// Sets `engine` up for `kernel` and gives `f` the call to time or count.
/// Errors are setup failures (the cell is n/a); `f`'s own result comes
/// back unchanged.
pub fn with_engine<T>(engine: Engine, kernel: &Kernel, built: &Built, f: impl FnOnce(&mut Call<'_>) -> T) -> Result<T> {
    match engine {
        Engine::Native => Ok(f(&mut |n| Ok(kernel.call_native(n)))),
        Engine::Espb => {
            let module = built.espb.as_ref().map_err(Clone::clone)?;
            let mut runner = espb::EspbRunner::new(kernel, &module.bytes)?;
            Ok(f(&mut |n| runner.call(n)))
        }
        Engine::Wasmi => {
            let wasm = built.wasm.as_ref().map_err(Clone::clone)?;
            let mut runner = crate::wasm::WasmiRunner::new(kernel, wasm)?;
            Ok(f(&mut |n| runner.call(n)))
        }
        Engine::Wasm3 => {
            let wasm = built.wasm_mvp.as_ref().map_err(Clone::clone)?;
            crate::wasm3::with_function(kernel, wasm, |func| f(&mut |n| crate::wasm3::call(func, n)))
        }
    }
}
