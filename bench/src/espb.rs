//! The espb column: the kernel built to .espb in-process by cargo-espb's
//! library (clang -O2 -> bitcode -> translator -> encoder), then decoded,
//! verified and run by espb-runtime's interpreter, as a loader on a device
//! would.

use crate::{BenchError, Kernel, Result, ScratchDir};

/// An encoded .espb module.
pub struct EspbModule {
    /// The file as `cargo espb build` writes it.
    pub bytes: Vec<u8>,
    /// Bytes without the optional sections (names, debug lines).
    pub core_size: usize,
}

/// Builds `kernel` to a .espb module with the same optimisation level as
/// the other columns.
#[cfg(feature = "espb")]
pub fn build(kernel: &Kernel, dir: &ScratchDir) -> Result<EspbModule> {
    use cargo_espb::compile::{BuildOptions, build_module};
    use espb_runtime::format::encode;

    let src = dir.write_source(kernel)?;
    let flags = [crate::wasm::OPT.to_string()];
    let mut module = build_module(&[src], &flags, &BuildOptions::default())
        .map_err(|e| BenchError::new(format!("cargo-espb: building {}: {e}", kernel.file)))?;
    let bytes = encode(&module);
    module.names.clear();
    module.debug_lines = None;
    let core_size = encode(&module).len();
    Ok(EspbModule { bytes, core_size })
}

#[cfg(not(feature = "espb"))]
pub fn build(_kernel: &Kernel, _dir: &ScratchDir) -> Result<EspbModule> {
    Err(BenchError::new("espb-bench was built without the `espb` feature"))
}

/// A kernel loaded into an espb instance, ready to be called.
#[cfg(feature = "espb")]
pub struct EspbRunner {
    instance: espb_runtime::Instance<espb_runtime::NoHost>,
    func: u16,
}

#[cfg(feature = "espb")]
impl EspbRunner {
    /// Decodes, verifies and instantiates `espb` (kernels import nothing,
    /// so the host provides no natives), and finds the kernel's function.
    pub fn new(kernel: &Kernel, espb: &[u8]) -> Result<EspbRunner> {
        let module =
            espb_runtime::load(espb).map_err(|e| BenchError::new(format!("espb: loading {}: {e}", kernel.file)))?;
        let func = module
            .find_function(kernel.export)
            .ok_or_else(|| BenchError::new(format!("espb: {} has no function `{}`", kernel.file, kernel.export)))?;
        let instance = espb_runtime::Instance::new(module, espb_runtime::NoHost, espb_runtime::Config::default())
            .map_err(|e| BenchError::new(format!("espb: instantiating {}: {e}", kernel.file)))?;
        Ok(EspbRunner { instance, func })
    }

    /// Calls the kernel; the result's bits as u32.
    pub fn call(&mut self, n: i32) -> Result<u32> {
        match self.instance.call(self.func, &[u64::from(n as u32)]) {
            Ok(Some(r)) => Ok(r as u32),
            Ok(None) => Err(BenchError::new("espb: the kernel returned no value")),
            Err(trap) => Err(BenchError::new(format!("espb: trap: {}", self.instance.describe(&trap)))),
        }
    }
}

/// Without the `espb` feature there is no runtime to run modules.
#[cfg(not(feature = "espb"))]
pub struct EspbRunner {
    _private: (),
}

#[cfg(not(feature = "espb"))]
impl EspbRunner {
    pub fn new(_kernel: &Kernel, _espb: &[u8]) -> Result<EspbRunner> {
        Err(BenchError::new("espb-bench was built without the `espb` feature"))
    }

    pub fn call(&mut self, _n: i32) -> Result<u32> {
        Err(BenchError::new("espb-bench was built without the `espb` feature"))
    }
}
