//! The wasm build (clang -O2 --target=wasm32 at run time, shared by the
//! wasmi and wasm3 columns) and the wasmi column.

use crate::tools::{find_first, find_program, output, run};
use crate::{BenchError, Kernel, Result, ScratchDir};
use std::path::PathBuf;
use std::process::Command;

/// Optimisation level of every build (native, wasm, espb).
pub const OPT: &str = "-O2";

/// How wasm modules are built: clang and, when clang cannot find it by
/// itself, the wasm-ld to pass with `--ld-path`.
#[derive(Clone, Debug)]
pub struct WasmToolchain {
    pub clang: PathBuf,
    pub ld: Option<PathBuf>,
}

impl WasmToolchain {
    /// Finds clang (`$ESPB_BENCH_CLANG`, else clang-22, else clang) and
    /// wasm-ld (clang's own, else wasm-ld-22 or wasm-ld in PATH).
    pub fn find() -> Result<WasmToolchain> {
        let clang = match std::env::var("ESPB_BENCH_CLANG") {
            Ok(c) => find_program(&c).ok_or_else(|| {
                BenchError::new(format!(
                    "ESPB_BENCH_CLANG={c}: no such program; unset it or name a clang \
                     with the wasm32 target"
                ))
            })?,
            Err(_) => find_first(&["clang-22", "clang"]).ok_or_else(|| {
                BenchError::new(
                    "clang not found (tried clang-22, clang in PATH): install it \
                     (Debian: `apt install clang-22 lld-22`) or set ESPB_BENCH_CLANG",
                )
            })?,
        };
        // clang prints the bare name when it has no wasm-ld of its own.
        let own = output(Command::new(&clang).arg("--print-prog-name=wasm-ld"))
            .map(PathBuf::from)
            .filter(|p| p.is_absolute() && p.is_file());
        let ld = match own {
            Some(_) => None,
            None => Some(find_first(&["wasm-ld-22", "wasm-ld"]).ok_or_else(|| {
                BenchError::new(format!(
                    "wasm-ld not found ({} has none; tried wasm-ld-22, wasm-ld in PATH): \
                     install lld (Debian: `apt install lld-22`)",
                    clang.display()
                ))
            })?),
        };
        Ok(WasmToolchain { clang, ld })
    }

    /// Builds `kernel` to a .wasm module (the kernel exported, no libc, no
    /// entry point) for `flavor`, and returns its bytes.
    pub fn build(&self, kernel: &Kernel, dir: &ScratchDir, flavor: WasmFlavor) -> Result<Vec<u8>> {
        let src = dir.write_source(kernel)?;
        let out = dir.path().join(format!("{}.{}.wasm", kernel.name, flavor.name()));
        let mut cmd = Command::new(&self.clang);
        // Export only the kernel (not `--export-all`, whose extra exports of
        // linker globals would inflate the size column by ~260 bytes).
        cmd.args(["--target=wasm32", OPT, "-nostdlib", "-Wl,--no-entry"]);
        cmd.arg(format!("-Wl,--export={}", kernel.export));
        if let Some(ld) = &self.ld {
            cmd.arg(format!("--ld-path={}", ld.display()));
        }
        cmd.arg("-o").arg(&out).arg(&src);
        if flavor == WasmFlavor::Mvp {
            let mem = dir.path().join("wasm3_mem.c");
            std::fs::write(&mem, WASM3_MEM)
                .map_err(|e| BenchError::new(format!("cannot write {}: {e}", mem.display())))?;
            cmd.args(MVP_FEATURES).arg("-fno-builtin-memset").arg("-fno-builtin-memcpy").arg(&mem);
        }
        run(&mut cmd, &format!("building {} for wasm32 ({})", kernel.file, flavor.name()))?;
        std::fs::read(&out).map_err(|e| BenchError::new(format!("cannot read {}: {e}", out.display())))
    }
}

/// Which wasm features a build may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WasmFlavor {
    /// clang's default features (bulk memory among them): for wasmi, and
    /// the size table.
    Default,
    /// The MVP plus the extensions wasm3 0.4.7 implements: no bulk-memory
    /// instructions, so memset/memcpy come from support/wasm3_mem.c.
    Mvp,
}

impl WasmFlavor {
    fn name(self) -> &'static str {
        match self {
            WasmFlavor::Default => "default",
            WasmFlavor::Mvp => "mvp",
        }
    }
}

/// The wasm3 build's features.
pub const MVP_FEATURES: &[&str] = &["-mcpu=mvp", "-msign-ext", "-mmutable-globals", "-mnontrapping-fptoint"];

const WASM3_MEM: &str = include_str!("../support/wasm3_mem.c");

/// Bytes of a wasm module without its custom sections (`name`, `producers`,
/// `target_features`): what a device would have to store. `None` when the
/// bytes are not a well-formed wasm section list.
pub fn size_without_custom_sections(wasm: &[u8]) -> Option<usize> {
    let mut pos = 8; // magic + version
    if wasm.len() < pos || &wasm[..4] != b"\0asm" {
        return None;
    }
    let mut size = pos;
    while pos < wasm.len() {
        let id = wasm[pos];
        let (len, n) = leb128_u32(wasm.get(pos + 1..)?)?;
        let total = 1 + n + len as usize;
        if pos + total > wasm.len() {
            return None;
        }
        if id != 0 {
            size += total;
        }
        pos += total;
    }
    Some(size)
}

fn leb128_u32(b: &[u8]) -> Option<(u32, usize)> {
    let mut v = 0u32;
    for (i, &byte) in b.iter().enumerate().take(5) {
        v |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((v, i + 1));
        }
    }
    None
}

/// A kernel compiled by wasmi and instantiated, ready to be called.
pub struct WasmiRunner {
    store: wasmi::Store<()>,
    func: wasmi::TypedFunc<i32, i32>,
}

impl WasmiRunner {
    /// Compiles (eagerly, so no translation happens inside the timed calls)
    /// and instantiates `wasm`, and looks up the kernel's export.
    pub fn new(kernel: &Kernel, wasm: &[u8]) -> Result<WasmiRunner> {
        let err = |what: &str, e: wasmi::Error| BenchError::new(format!("wasmi: {what} {}: {e}", kernel.file));
        let mut config = wasmi::Config::default();
        config.compilation_mode(wasmi::CompilationMode::Eager);
        let engine = wasmi::Engine::new(&config);
        let module = wasmi::Module::new(&engine, wasm).map_err(|e| err("compiling", e))?;
        let mut store = wasmi::Store::new(&engine, ());
        let linker = wasmi::Linker::<()>::new(&engine);
        let instance = linker.instantiate_and_start(&mut store, &module).map_err(|e| err("instantiating", e))?;
        let func = instance
            .get_typed_func::<i32, i32>(&store, kernel.export)
            .map_err(|e| err(&format!("finding export `{}` in", kernel.export), e))?;
        Ok(WasmiRunner { store, func })
    }

    /// Calls the kernel; the result's bits as u32.
    pub fn call(&mut self, n: i32) -> Result<u32> {
        self.func.call(&mut self.store, n).map(|r| r as u32).map_err(|e| BenchError::new(format!("wasmi: trap: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_sections_are_not_counted() {
        let mut m = b"\0asm\x01\0\0\0".to_vec();
        m.extend([1, 4, 1, 0x60, 0, 0]); // type section, 6 bytes
        m.extend([0, 3, 1, b'x', 7]); // custom section "x", 5 bytes
        assert_eq!(size_without_custom_sections(&m), Some(8 + 6));
        m.push(1); // truncated section header
        assert_eq!(size_without_custom_sections(&m), None);
        assert_eq!(size_without_custom_sections(b"nope"), None);
    }

    #[test]
    fn leb128() {
        assert_eq!(leb128_u32(&[0x7f]), Some((127, 1)));
        assert_eq!(leb128_u32(&[0x80, 0x01]), Some((128, 2)));
        assert_eq!(leb128_u32(&[0x80]), None);
    }
}
