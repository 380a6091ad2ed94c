//! `cargo espb build`: C sources (or `.bc`/`.ll`) into one module, or
//! without files the project of espb.toml.

use crate::bind::BindOptions;
use crate::error::CliError;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Sources: .c files, LLVM bitcode (.bc) or textual IR (.ll). None: build the project of espb.toml.
    pub inputs: Vec<PathBuf>,
    /// Output module (default: the first input's name with .espb).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Print each clang command.
    #[arg(short, long)]
    pub verbose: bool,
    #[command(flatten)]
    pub symbols: SymbolArgs,
    /// The chip whose clang target flags compile .c inputs; default: riscv32 like an ESP32-C3. A project takes
    /// the chip from espb.toml.
    #[arg(long, value_parser = crate::flags::chip::chip_value_parser())]
    pub chip: Option<crate::flags::Chip>,
    /// Call hints for natives (`.hints`: `name: cb 0, ctx 3, blocking`); in a project, instead of espb.toml's
    /// `[build] hints`.
    #[arg(long, value_name = "FILE")]
    pub hints: Option<PathBuf>,
    /// Extra clang flags, after `--`.
    #[arg(last = true)]
    pub clang_flags: Vec<String>,
}

/// How imports are bound to firmware symbol tables.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct SymbolArgs {
    /// Extra symbol-table manifests after the standard `idf` table (default:
    /// symbols/custom.espbsym when it exists).
    #[arg(long = "symbols", value_name = "MANIFEST")]
    pub manifests: Vec<PathBuf>,
    /// The firmware's sdkconfig (sdkconfig, sdkconfig.h or sdkconfig.json):
    /// imports disabled there are build errors naming the option.
    #[arg(long, value_name = "PATH")]
    pub sdkconfig: Option<PathBuf>,
    /// Append imports found in no table to the custom manifest and
    /// regenerate its C sources.
    #[arg(long)]
    pub add_missing: bool,
}

impl SymbolArgs {
    pub fn bind_options(&self) -> BindOptions {
        BindOptions {
            manifests: self.manifests.clone(),
            sdkconfig: self.sdkconfig.clone(),
            add_missing: self.add_missing,
        }
    }
}

impl Args {
    /// Builds and returns the module's path.
    pub fn exec(&self) -> Result<PathBuf, CliError> {
        #[cfg(feature = "translator")]
        return if self.inputs.is_empty() { self.build_project() } else { self.build_files() };
        #[cfg(not(feature = "translator"))]
        Err(CliError::NoTranslator)
    }

    #[cfg(feature = "translator")]
    fn build_files(&self) -> Result<PathBuf, CliError> {
        let out = self.output.clone().unwrap_or_else(|| self.inputs[0].with_extension("espb"));
        // Parsed before clang runs: a typo in the hints file fails fast.
        let hints = self.hints.as_deref().map(crate::hints::load).transpose()?;
        let chip = self.chip;
        let opts = crate::compile::BuildOptions { verbose: self.verbose, chip, ..Default::default() };
        let mut module = crate::compile::build_module(&self.inputs, &self.clang_flags, &opts)?;
        if let Some(added) = crate::bind::bind_imports(&mut module, &self.symbols.bind_options())? {
            print_added(&added);
        }
        print_warnings(&crate::hints::apply(&mut module, hints.as_ref())?);
        let bytes = espb_runtime::format::encode(&module);
        std::fs::write(&out, &bytes).map_err(|source| CliError::WriteModule { path: out.clone(), source })?;
        eprintln!("wrote {} ({} bytes, {} functions)", out.display(), bytes.len(), module.functions.len());
        Ok(out)
    }

    #[cfg(feature = "translator")]
    fn build_project(&self) -> Result<PathBuf, CliError> {
        let cwd = std::env::current_dir().map_err(CliError::CurrentDir)?;
        let project = crate::project::Project::find(&cwd)?.ok_or(CliError::NoInputs { dir: cwd })?;
        let opts = crate::project::BuildOptions {
            verbose: self.verbose,
            extra_flags: self.clang_flags.clone(),
            output: self.output.clone(),
            jobs: None,
            add_missing: self.symbols.add_missing,
            hints: self.hints.clone(),
        };
        build(&project, &opts)
    }
}

/// Builds the project of espb.toml in `dir` (or its parents) as `cargo
/// espb build` does, for `flash`; the module's path, or `None` when `dir`
/// holds no project.
pub fn build_in(dir: &std::path::Path, verbose: bool) -> Result<Option<PathBuf>, CliError> {
    #[cfg(feature = "translator")]
    {
        let Some(project) = crate::project::Project::find(dir)? else { return Ok(None) };
        let opts = crate::project::BuildOptions { verbose, ..Default::default() };
        build(&project, &opts).map(Some)
    }
    #[cfg(not(feature = "translator"))]
    {
        let _ = (dir, verbose);
        eprintln!("note: this cargo-espb was built without the translator: the module is written as it was built");
        Ok(None)
    }
}

#[cfg(feature = "translator")]
fn build(project: &crate::project::Project, opts: &crate::project::BuildOptions) -> Result<PathBuf, CliError> {
    {
        let r = crate::project::build_project(project, opts)?;
        if let Some(added) = &r.added {
            print_added(added);
        }
        print_warnings(&r.hint_warnings);
        eprintln!(
            "    Finished {} ({} bytes, {} functions; {} compiled, {} fresh)",
            r.output.display(),
            r.bytes,
            r.functions,
            r.compiled.len(),
            r.fresh.len()
        );
        Ok(r.output)
    }
}

#[cfg(feature = "translator")]
fn print_added(a: &crate::bind::Added) {
    eprintln!(
        "added {} to {} and regenerated {}; rebuild the firmware with the new table",
        a.names.join(", "),
        a.manifest.display(),
        a.generated.display()
    );
}

#[cfg(feature = "translator")]
fn print_warnings(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}
