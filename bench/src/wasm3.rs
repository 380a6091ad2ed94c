//! The wasm3 column: the same .wasm as wasmi's, run by wasm3 (0.4.7, the C
//! sources the `wasm3-sys` crate bundles, built by its build script with
//! the system C compiler). wasm3 compiles a function on its first call, so
//! the warm-up call the timing makes keeps compilation out of the numbers.

use crate::{BenchError, Kernel, Result};

/// wasm3's value stack, in bytes (its own default for the CLI is 64 KiB).
const STACK_SIZE: u32 = 64 * 1024;

/// A found kernel function, borrowed from its runtime.
pub type Function<'rt> = wasm3::Function<'rt, i32, i32>;

/// Parses and loads `wasm` into a fresh wasm3 runtime and gives `f` the
/// kernel's function.
pub fn with_function<T>(kernel: &Kernel, wasm: &[u8], f: impl FnOnce(&Function<'_>) -> T) -> Result<T> {
    let err = |what: &str, e: wasm3::error::Error| BenchError::new(format!("wasm3: {what} {}: {e}", kernel.file));
    let env = wasm3::Environment::new().map_err(|e| err("creating an environment for", e))?;
    let runtime = env.create_runtime(STACK_SIZE).map_err(|e| err("creating a runtime for", e))?;
    let module = env.parse_module(wasm.to_vec()).map_err(|e| err("parsing", e))?;
    let module = runtime.load_module(module).map_err(|e| err("loading", e))?;
    let func = module
        .find_function::<i32, i32>(kernel.export)
        .map_err(|e| err(&format!("finding export `{}` in", kernel.export), e))?;
    Ok(f(&func))
}

/// Calls the kernel; the result's bits as u32.
pub fn call(func: &Function<'_>, n: i32) -> Result<u32> {
    func.call(n).map(|r| r as u32).map_err(|e| BenchError::new(format!("wasm3: trap: {e}")))
}
