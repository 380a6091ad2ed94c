//! The compile driver: C sources to LLVM bitcode with clang, `.bc`/`.ll`
//! inputs read directly, everything linked in-process into one module and
//! handed to the translator.

use crate::translate::{self, TranslateError, TranslateOptions};
use inkwell::context::Context;
use inkwell::memory_buffer::MemoryBuffer;
use inkwell::module::Module;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Flags every C file is compiled with, after the target flags and before
/// the user's own.
pub const DEFAULT_CFLAGS: &[&str] =
    &["-isystem", "/usr/include/newlib", "-Os", "-g", "-ffunction-sections", "-fno-common"];

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(
        "clang not found (looked for {tried}); install it with `apt-get install clang-22`, \
         or set ESPB_CLANG to the clang to use"
    )]
    ClangNotFound { tried: String },

    #[error("ESPB_CLANG is set to `{}`, which does not exist", path.display())]
    ClangEnvMissing { path: PathBuf },

    #[error("could not run clang `{}`: {source}", path.display())]
    ClangSpawn { path: PathBuf, source: std::io::Error },

    #[error("clang failed to compile `{}`:\n{stderr}", file.display())]
    CompileFailed { file: PathBuf, stderr: String },

    #[error("input file `{}` not found", path.display())]
    InputNotFound { path: PathBuf },

    #[error("input `{}` is not a .c, .bc or .ll file", path.display())]
    UnknownInput { path: PathBuf },

    #[error("could not read LLVM IR from `{}`: {msg}", path.display())]
    BadIr { path: PathBuf, msg: String },

    #[error("could not link `{}` into the module: {msg}", path.display())]
    Link { path: PathBuf, msg: String },

    #[error("no input files")]
    NoInputs,

    #[error(transparent)]
    Translate(#[from] TranslateError),
}

/// Finds clang: `ESPB_CLANG`, else `clang-22`, else `clang` on the PATH.
pub fn find_clang() -> Result<PathBuf, BuildError> {
    if let Some(p) = std::env::var_os("ESPB_CLANG").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return match which::which(&p) {
            Ok(found) => Ok(found),
            Err(_) => Err(BuildError::ClangEnvMissing { path: p }),
        };
    }
    for name in ["clang-22", "clang"] {
        if let Ok(p) = which::which(name) {
            return Ok(p);
        }
    }
    Err(BuildError::ClangNotFound { tried: "ESPB_CLANG, clang-22, clang".into() })
}

/// Compiles one C file to bitcode (in memory). clang's warnings pass
/// through to stderr; on failure its diagnostics are in the error.
pub fn compile_c(clang: &Path, src: &Path, extra_flags: &[String], verbose: bool) -> Result<Vec<u8>, BuildError> {
    if !src.exists() {
        return Err(BuildError::InputNotFound { path: src.to_path_buf() });
    }
    let mut cmd = Command::new(clang);
    cmd.args(DEFAULT_CFLAGS).args(extra_flags).args(["-c", "-emit-llvm", "-o", "-"]).arg(src);
    if verbose {
        eprintln!("{cmd:?}");
    }
    let out = cmd.output().map_err(|source| BuildError::ClangSpawn { path: clang.to_path_buf(), source })?;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if !out.status.success() {
        let stderr = if stderr.trim().is_empty() { format!("clang exited with {}", out.status) } else { stderr };
        return Err(BuildError::CompileFailed { file: src.to_path_buf(), stderr });
    }
    if !stderr.is_empty() {
        eprint!("{stderr}");
    }
    Ok(out.stdout)
}

/// Reads one input (`.c`, `.bc`, `.ll`) into `ctx`.
pub fn load_input<'ctx>(
    ctx: &'ctx Context,
    path: &Path,
    extra_flags: &[String],
    clang: &mut Option<PathBuf>,
    verbose: bool,
) -> Result<Module<'ctx>, BuildError> {
    if !path.exists() {
        return Err(BuildError::InputNotFound { path: path.to_path_buf() });
    }
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let name = path.display().to_string();
    let bad = |msg: String| BuildError::BadIr { path: path.to_path_buf(), msg };
    match ext {
        "c" => {
            let cl = match clang {
                Some(c) => c.clone(),
                None => {
                    let c = find_clang()?;
                    *clang = Some(c.clone());
                    c
                }
            };
            let bc = compile_c(&cl, path, extra_flags, verbose)?;
            let buf = MemoryBuffer::create_from_memory_range_copy(&bc, &name);
            Module::parse_bitcode_from_buffer(&buf, ctx).map_err(|e| bad(e.to_string()))
        }
        "bc" => Module::parse_bitcode_from_path(path, ctx).map_err(|e| bad(e.to_string())),
        "ll" => {
            let buf = MemoryBuffer::create_from_file(path).map_err(|e| bad(e.to_string()))?;
            ctx.create_module_from_ir(buf).map_err(|e| bad(e.to_string()))
        }
        _ => Err(BuildError::UnknownInput { path: path.to_path_buf() }),
    }
}

/// Compiles and links every input into one module of `ctx`.
pub fn load_and_link<'ctx>(
    ctx: &'ctx Context,
    inputs: &[PathBuf],
    extra_flags: &[String],
    verbose: bool,
) -> Result<Module<'ctx>, BuildError> {
    let mut clang = None;
    let Some((first, rest)) = inputs.split_first() else { return Err(BuildError::NoInputs) };
    let module = load_input(ctx, first, extra_flags, &mut clang, verbose)?;
    for p in rest {
        let m = load_input(ctx, p, extra_flags, &mut clang, verbose)?;
        module.link_in_module(m).map_err(|e| BuildError::Link { path: p.clone(), msg: e.to_string() })?;
    }
    Ok(module)
}

/// Options of [`build_module`].
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Print each clang command line before running it.
    pub verbose: bool,
    /// clang's target flags for `.c` inputs (default: the portable ones of
    /// [`DEFAULT_CHIP`](crate::flags::chip::DEFAULT_CHIP), which every clang
    /// since LLVM 15 accepts).
    pub target_flags: Option<Vec<String>>,
    pub translate: TranslateOptions,
}

/// Compiles, links and translates: the whole C-to-module pipeline.
pub fn build_module(
    inputs: &[PathBuf],
    extra_flags: &[String],
    opts: &BuildOptions,
) -> Result<espb_runtime::Module, BuildError> {
    let ctx = Context::create();
    let target: Vec<String> = match &opts.target_flags {
        Some(t) => t.clone(),
        None => crate::flags::ChipFlags::portable_target_flags(crate::flags::chip::DEFAULT_CHIP),
    };
    let flags: Vec<String> = target.into_iter().chain(extra_flags.iter().cloned()).collect();
    let module = load_and_link(&ctx, inputs, &flags, opts.verbose)?;
    Ok(translate::translate(&module, &opts.translate)?)
}
