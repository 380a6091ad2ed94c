//! Command-line interface: argument parsing and the `build`, `run` and
//! `inspect` commands. Errors become miette diagnostics that say what went
//! wrong and what to do.

use clap::{Parser, Subcommand};
use espb_runtime::{Config, Instance, InstantiateError, TrapKind, VerifiedModule};
use miette::{IntoDiagnostic, Result, WrapErr, miette};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Exit code of `run` when the module traps.
pub const TRAP_EXIT_CODE: u8 = 101;

#[derive(Parser, Debug)]
#[command(
    name = "cargo espb",
    bin_name = "cargo espb",
    version,
    about = "Build, run and inspect .espb modules: ESP-IDF C that runs on every ESP32 chip without reflashing"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Compile C sources (or .bc/.ll) into one .espb module; without files, build the project (espb.toml).
    Build(BuildArgs),
    // issue #4: `cargo espb new` (handled in crate::project)
    /// Create a module project, or with --firmware the firmware that runs modules.
    New(crate::project::NewArgs),
    /// Run a module on the PC with the simulated ESP-IDF.
    Run(RunArgs),
    /// Show a module's header, sections, functions, imports and code.
    Inspect(InspectArgs),
    /// Write the module and/or the firmware to the device (espflash).
    Flash(crate::flash::FlashArgs),
    /// Symbol-table manifests: check append-only, lock, generate sources.
    #[command(subcommand)]
    Symbols(crate::symbols_cmd::SymbolsCmd),
}

#[derive(clap::Args, Debug)]
pub struct BuildArgs {
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
    /// The chip whose clang target flags compile .c inputs (esp32, esp32s2, esp32s3, esp32c2, esp32c3, esp32c6,
    /// esp32h2, esp32p4); default: riscv32 like an ESP32-C3. A project takes the chip from espb.toml.
    #[arg(long)]
    pub chip: Option<String>,
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

/// The project's custom table when none is named.
pub const DEFAULT_CUSTOM_MANIFEST: &str = "symbols/custom.espbsym";

/// Binds the module's imports to symbol-table slots (see [`crate::bind`]).
pub fn bind_symbols(module: &mut espb_runtime::Module, a: &SymbolArgs) -> Result<()> {
    let manifests =
        if a.manifests.is_empty() { vec![PathBuf::from(DEFAULT_CUSTOM_MANIFEST)] } else { a.manifests.clone() };
    let tables = crate::bind::load_tables(&manifests).map_err(|e| miette!("{e}"))?;
    match crate::bind::bind(module, &tables, a.sdkconfig.as_deref()) {
        Ok(()) => Ok(()),
        Err(crate::bind::BindError::Missing { names, .. }) if a.add_missing => {
            let custom = manifests.first().cloned().unwrap_or_else(|| PathBuf::from(DEFAULT_CUSTOM_MANIFEST));
            let dir = crate::bind::add_missing(&custom, &names).map_err(|e| miette!("{e}"))?;
            eprintln!(
                "added {} to {} and regenerated {}; rebuild the firmware with the new table",
                names.join(", "),
                custom.display(),
                dir.display()
            );
            let tables = crate::bind::load_tables(&manifests).map_err(|e| miette!("{e}"))?;
            crate::bind::bind(module, &tables, a.sdkconfig.as_deref()).map_err(|e| miette!("{e}"))
        }
        Err(e @ crate::bind::BindError::Missing { .. }) => Err(miette!(
            help =
                "add them to the project's custom table with `cargo espb build --add-missing`, or check the spelling",
            "{e}"
        )),
        Err(e) => Err(miette!("{e}")),
    }
}

/// Merges the standard `idf` hints, a parsed hints file (if any) and the
/// translator's analysis into the module (see [`crate::hints`]); prints
/// the warnings.
pub fn apply_hints(module: &mut espb_runtime::Module, file: Option<&crate::hints::HintFile>) -> Result<()> {
    let warnings = crate::hints::apply(module, file).map_err(hints_report)?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    Ok(())
}

/// A hints error as a diagnostic that shows the offending line.
pub fn hints_report(e: crate::hints::HintsError) -> miette::Report {
    miette::Report::new(e)
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The module to run.
    pub module: PathBuf,
    /// Function to call (default: `main`, else `app_main`).
    #[arg(long)]
    pub entry: Option<String>,
    /// Stop after this many calls and backward branches.
    #[arg(long)]
    pub fuel: Option<u64>,
    /// Stack size in bytes (default: the module's request).
    #[arg(long)]
    pub stack_size: Option<u32>,
    /// Heap size in bytes (default: the module's request).
    #[arg(long)]
    pub heap_size: Option<u32>,
}

#[derive(clap::Args, Debug)]
pub struct InspectArgs {
    /// The module to inspect.
    pub module: PathBuf,
}

/// Entry point shared by the binary and the tests.
pub fn main(args: Vec<OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let result = match cli.command {
        Command::Build(a) => build(&a).map(|_| ExitCode::SUCCESS),
        Command::New(a) => crate::project::cli::new(&a).map(|_| ExitCode::SUCCESS),
        Command::Run(a) => run(&a),
        Command::Inspect(a) => inspect(&a).map(|_| ExitCode::SUCCESS),
        Command::Flash(a) => crate::flash::run(&a).map(|_| ExitCode::SUCCESS).map_err(|e| miette!("{e}")),
        Command::Symbols(c) => crate::symbols_cmd::run(&c).map(|_| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::FAILURE
        }
    }
}

fn default_output(inputs: &[PathBuf]) -> PathBuf {
    let first = inputs.first().map(|p| p.as_path()).unwrap_or(Path::new("module"));
    first.with_extension("espb")
}

/// `cargo espb build`.
pub fn build(a: &BuildArgs) -> Result<PathBuf> {
    // issue #4: no inputs -> the project build of espb.toml (crate::project).
    if a.inputs.is_empty() {
        return crate::project::cli::build(a);
    }
    let out = a.output.clone().unwrap_or_else(|| default_output(&a.inputs));
    // Parsed before clang runs: a typo in the hints file fails fast.
    let hints = a.hints.as_deref().map(crate::hints::load).transpose().map_err(hints_report)?;
    let target_flags = match &a.chip {
        Some(name) => {
            let chip: crate::flags::chip::Chip = name.parse().map_err(|e| miette!("--chip: {e}"))?;
            Some(crate::flags::ChipFlags::target_flags(chip, false))
        }
        None => None,
    };
    let opts = crate::compile::BuildOptions { verbose: a.verbose, target_flags, ..Default::default() };
    let mut module = crate::compile::build_module(&a.inputs, &a.clang_flags, &opts).map_err(|e| miette!("{e}"))?;
    bind_symbols(&mut module, &a.symbols)?;
    apply_hints(&mut module, hints.as_ref())?;
    let bytes = espb_runtime::format::encode(&module);
    std::fs::write(&out, &bytes)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write the module to {}", out.display()))?;
    eprintln!("wrote {} ({} bytes, {} functions)", out.display(), bytes.len(), module.functions.len());
    Ok(out)
}

/// Reads and decodes a module file, with errors that name the file.
pub fn read_module(path: &Path) -> Result<espb_runtime::Module> {
    let bytes =
        std::fs::read(path).into_diagnostic().wrap_err_with(|| format!("cannot read module {}", path.display()))?;
    espb_runtime::format::decode(&bytes).map_err(|e| {
        miette!(
            help = "build it again with `cargo espb build`; if it came from flash, the partition may hold stale bytes",
            "{} is not a valid .espb module: {e}",
            path.display()
        )
    })
}

/// `cargo espb run`: exit code is the module's return value; a trap prints
/// what and where and exits with [`TRAP_EXIT_CODE`].
pub fn run(a: &RunArgs) -> Result<ExitCode> {
    let module = read_module(&a.module)?;
    let entry_name = match &a.entry {
        Some(e) => e.clone(),
        None if module.find_function("main").is_some() => "main".into(),
        None => "app_main".into(),
    };
    let Some(entry) = module.find_function(&entry_name) else {
        return Err(miette!(
            help = "name an exported function with --entry",
            "{} has no function `{entry_name}`",
            a.module.display()
        ));
    };
    let params = module
        .functions
        .get(entry as usize)
        .and_then(|f| module.types.get(f.ty as usize))
        .map(|t| t.params.len())
        .unwrap_or(0);
    let config = Config { fuel: a.fuel, stack_size: a.stack_size, heap_size: a.heap_size, ..Config::default() };
    let host = crate::sim::PcHost::new(Box::new(std::io::stdout()));
    let verified = VerifiedModule::new(module).map_err(InstantiateError::from);
    let mut inst = verified.and_then(|m| Instance::new(m, host, config)).map_err(|e| {
        let help = match e {
            InstantiateError::UnresolvedImport { .. } => {
                "the PC simulator does not provide this function; on a device, enable its Kconfig option in the firmware"
            }
            InstantiateError::MissingTable { .. }
            | InstantiateError::TableTooShort { .. }
            | InstantiateError::TableHashMismatch { .. } => {
                "rebuild the module against the symbol tables of the firmware that runs it"
            }
            InstantiateError::MemoryTooLarge { .. } => "lower the module's stack or heap (--stack-size, --heap-size)",
            _ => "rebuild the module with this version of cargo espb",
        };
        miette!(help = help, "{}: {e}", a.module.display())
    })?;
    // main(argc, argv) gets argc = 0 and argv = NULL: there is no command line on a device.
    let args = vec![0u64; params];
    let result = inst.call(entry, &args);
    let _ = inst.host_mut().flush();
    let _ = std::io::stdout().flush();
    match result {
        Ok(v) => Ok(ExitCode::from(v.unwrap_or(0) as u8)),
        Err(t) => match t.kind {
            TrapKind::Exit(code) => Ok(ExitCode::from(code as u8)),
            _ => {
                eprintln!("error: trap: {}", inst.describe(&t));
                Ok(ExitCode::from(TRAP_EXIT_CODE))
            }
        },
    }
}

/// `cargo espb inspect`.
pub fn inspect(a: &InspectArgs) -> Result<()> {
    let module = read_module(&a.module)?;
    let bytes = std::fs::read(&a.module).unwrap_or_default();
    println!("{}: {} bytes", a.module.display(), bytes.len());
    if let Err(e) = espb_runtime::verify::verify(&module) {
        println!("verification FAILED: {e}");
    }
    // With the header and section sizes when the file reads the same again.
    match espb_runtime::disasm::disassemble(&bytes) {
        Ok(text) => print!("{text}"),
        Err(_) => print!("{}", espb_runtime::disasm::disassemble_module(&module)),
    }
    Ok(())
}
