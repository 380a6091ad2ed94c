//! espb-bench: the same C kernels run four ways, native code (-O2, linked
//! into this binary), .espb on the espb VM (cargo-espb -O2), and wasm32
//! (clang -O2) on wasmi and on wasm3, side by side: wall time on the PC,
//! host instructions under callgrind, and retired rv32imc instructions
//! under QEMU, plus module sizes and the runtime's flash footprint. See
//! bench/README.md.

pub mod callgrind;
pub mod engine;
pub mod espb;
pub mod kernels;
pub mod pairs;
pub mod qemu;
pub mod report;
pub mod run;
pub mod timing;
pub mod tools;
pub mod wasm;
pub mod wasm3;

pub use kernels::{KERNELS, Kernel};

/// What went wrong, said for a user: which engine, which kernel, what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchError(pub String);

impl std::fmt::Display for BenchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BenchError {}

impl BenchError {
    pub fn new(msg: impl Into<String>) -> BenchError {
        BenchError(msg.into())
    }
}

pub type Result<T> = std::result::Result<T, BenchError>;

/// A scratch directory for the wasm and espb builds, removed on drop.
pub struct ScratchDir {
    path: std::path::PathBuf,
}

impl ScratchDir {
    pub fn new() -> Result<ScratchDir> {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "espb-bench-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path)
            .map_err(|e| BenchError::new(format!("cannot create scratch directory {}: {e}", path.display())))?;
        Ok(ScratchDir { path })
    }

    pub fn path(&self) -> &std::path::Path {
        &self.path
    }

    /// Writes a kernel's C source into the scratch directory and returns
    /// its path (the sources are embedded in the binary, so it runs from
    /// anywhere).
    pub fn write_source(&self, kernel: &Kernel) -> Result<std::path::PathBuf> {
        let p = self.path.join(kernel.file);
        std::fs::write(&p, kernel.source).map_err(|e| BenchError::new(format!("cannot write {}: {e}", p.display())))?;
        Ok(p)
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Reads a file, the error naming it.
pub fn read(path: &std::path::Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| BenchError::new(format!("cannot read {}: {e}", path.display())))
}

/// Writes a file, the error naming it.
pub fn write(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| BenchError::new(format!("cannot write {}: {e}", path.display())))
}
