//! The compile driver: C sources to LLVM bitcode with clang, `.bc`/`.ll`
//! inputs read directly, everything linked in-process into one module and
//! handed to the translator.

use crate::flags::{self, Chip, ChipFlags, chip::DEFAULT_CHIP};
use crate::toolchain::{self, FoundBy, ToolchainError};
use crate::translate::{self, TranslateError, TranslateOptions};
use inkwell::context::Context;
use inkwell::memory_buffer::MemoryBuffer;
use inkwell::module::Module;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error(transparent)]
    Toolchain(#[from] ToolchainError),

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

/// The clang a single-file build compiles `.c` inputs with, and its flags
/// before the user's: the chip's target flags, the newlib headers and
/// [`flags::DEFAULT_CFLAGS`].
#[derive(Clone, Debug)]
pub struct Clang {
    pub path: PathBuf,
    pub flags: Vec<String>,
}

impl Clang {
    /// Finds clang as a project build does ([`toolchain::locate`]). The
    /// target flags are `chip`'s (default [`DEFAULT_CHIP`]) in the spelling
    /// every clang since LLVM 15 accepts; esp-clang from ESP-IDF's tools
    /// gets Espressif's target flags.
    pub fn find(chip: Option<Chip>) -> Result<Clang, BuildError> {
        let (path, found_by) = toolchain::locate(None)?;
        let esp_clang = found_by == FoundBy::IdfTools;
        let chip = chip.unwrap_or(DEFAULT_CHIP);
        let mut flags = if esp_clang { chip.target_flags(true) } else { chip.portable_target_flags() };
        flags.extend(flags::system_newlib_flags());
        flags.extend(flags::DEFAULT_CFLAGS.iter().map(|f| f.to_string()));
        Ok(Clang { path, flags })
    }
}

/// Compiles one C file to bitcode (in memory): clang's own flags, then
/// `extra_flags`. clang's warnings pass through to stderr; on failure its
/// diagnostics are in the error.
pub fn compile_c(clang: &Clang, src: &Path, extra_flags: &[String], verbose: bool) -> Result<Vec<u8>, BuildError> {
    if !src.exists() {
        return Err(BuildError::InputNotFound { path: src.to_path_buf() });
    }
    let mut cmd = Command::new(&clang.path);
    cmd.args(&clang.flags).args(extra_flags).args(["-c", "-emit-llvm", "-o", "-"]).arg(src);
    if verbose {
        eprintln!("{cmd:?}");
    }
    let out = cmd.output().map_err(|source| BuildError::ClangSpawn { path: clang.path.clone(), source })?;
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
    clang: &mut Option<Clang>,
    chip: Option<Chip>,
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
            // Found at the first C file: .bc and .ll inputs need no clang.
            let cl = match clang {
                Some(c) => c,
                None => clang.insert(Clang::find(chip)?),
            };
            let bc = compile_c(cl, path, extra_flags, verbose)?;
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
    opts: &BuildOptions,
) -> Result<Module<'ctx>, BuildError> {
    let mut clang = None;
    let Some((first, rest)) = inputs.split_first() else { return Err(BuildError::NoInputs) };
    let module = load_input(ctx, first, extra_flags, &mut clang, opts.chip, opts.verbose)?;
    for p in rest {
        let m = load_input(ctx, p, extra_flags, &mut clang, opts.chip, opts.verbose)?;
        module.link_in_module(m).map_err(|e| BuildError::Link { path: p.clone(), msg: e.to_string() })?;
    }
    Ok(module)
}

/// Options of [`build_module`].
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Print each clang command line before running it.
    pub verbose: bool,
    /// The chip whose clang target flags compile `.c` inputs (see
    /// [`Clang::find`]).
    pub chip: Option<Chip>,
    pub translate: TranslateOptions,
}

/// Compiles, links and translates: the whole C-to-module pipeline.
pub fn build_module(
    inputs: &[PathBuf],
    extra_flags: &[String],
    opts: &BuildOptions,
) -> Result<espb_runtime::Module, BuildError> {
    let ctx = Context::create();
    let module = load_and_link(&ctx, inputs, extra_flags, opts)?;
    Ok(translate::translate(&module, &opts.translate)?)
}
