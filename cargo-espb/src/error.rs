//! The CLI's errors: one variant per thing a user can get wrong, each with
//! a `help` that says what to do. The library layers return their own
//! thiserror types; [`CliError`]'s `From` impls sort them into variants
//! here, so no error is flattened into a string on its way to the user.

use crate::bind::BindError;
use crate::flags::FlagsError;
use crate::flash::FlashError;
use crate::hints::HintsError;
use crate::project::ProjectError;
use crate::toolchain::ToolchainError;
use espb_runtime::runner::RunError;
use espb_runtime::{InstantiateError, LoadError};
use espb_sim::SimError;
use miette::Diagnostic;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum CliError {
    #[error("cannot read the current directory")]
    #[diagnostic(code(espb::cwd), help("run cargo espb from a directory that exists and that you may read"))]
    CurrentDir(#[source] std::io::Error),

    // ---- build
    #[error("no input files, and no espb.toml in {} or its parents", dir.display())]
    #[diagnostic(
        code(espb::build::no_inputs),
        help("pass the files to build (`cargo espb build app.c`), or create a project with `cargo espb new NAME`")
    )]
    NoInputs { dir: PathBuf },

    #[error("this cargo-espb was built without the translator, so it cannot build modules")]
    #[diagnostic(
        code(espb::build::no_translator),
        help("install cargo-espb with its default features (the `translator` feature needs LLVM 22)")
    )]
    NoTranslator,

    #[cfg(feature = "translator")]
    #[error(transparent)]
    #[diagnostic(
        code(espb::build::compile),
        help(
            "the message names the file, and for the translator the function and source line; `--verbose` prints each clang command"
        )
    )]
    Build(crate::compile::BuildError),

    #[error(transparent)]
    #[diagnostic(
        code(espb::build::clang),
        help(
            "clang is looked up in ESPB_CLANG, espb.toml `[build] clang`, ESP-IDF's esp-clang, then clang-22 and clang on the PATH"
        )
    )]
    Toolchain(#[from] ToolchainError),

    #[error(transparent)]
    #[diagnostic(
        code(espb::build::flags),
        help("the flags come from the firmware build named by espb.toml `[firmware]`; see docs/flags.md")
    )]
    Flags(#[from] FlagsError),

    #[error(transparent)]
    #[diagnostic(
        code(espb::build::missing_imports),
        help("add them to the project's custom table with `cargo espb build --add-missing`, or check the spelling")
    )]
    MissingImports(BindError),

    #[error(transparent)]
    #[diagnostic(
        code(espb::build::signature),
        help(
            "the firmware's table declares each native's C signature (docs/symbols.md \"Signatures\"); include the \
             SDK header (or the firmware's header) that declares the function instead of writing a prototype"
        )
    )]
    Signature(BindError),

    #[error(transparent)]
    #[diagnostic(
        code(espb::build::bind),
        help(
            "imports bind to the symbol tables of the firmware (docs/symbols.md); check the manifests and the sdkconfig named"
        )
    )]
    Bind(BindError),

    #[error(transparent)]
    #[diagnostic(transparent)]
    Hints(#[from] HintsError),

    #[error(transparent)]
    #[diagnostic(code(espb::project), help("espb.toml and the project layout are described in docs/project.md"))]
    Project(ProjectError),

    #[error("cannot write the module to {}", path.display())]
    #[diagnostic(code(espb::build::write), help("check that the directory exists and that you may write to it"))]
    WriteModule { path: PathBuf, source: std::io::Error },

    // ---- run, inspect
    #[error("cannot read module {}", path.display())]
    #[diagnostic(code(espb::module::read), help("check the path; `cargo espb build` writes the module"))]
    ReadModule { path: PathBuf, source: std::io::Error },

    #[error("{} is not a valid .espb module: {error}", path.display())]
    #[diagnostic(
        code(espb::module::invalid),
        help("build it again with `cargo espb build`; if it came from flash, the partition may hold stale bytes")
    )]
    InvalidModule { path: PathBuf, error: LoadError },

    #[error("{} has no function `{entry}`", path.display())]
    #[diagnostic(code(espb::run::no_entry), help("name an exported function with --entry"))]
    NoEntry { path: PathBuf, entry: String },

    #[error("{}: {error}", path.display())]
    #[diagnostic(code(espb::run::bad_entry), help("name another function with --entry"))]
    BadEntry { path: PathBuf, error: RunError },

    #[error("{}: {error}", path.display())]
    #[diagnostic(
        code(espb::run::unresolved_import),
        help(
            "the simulator finds natives by name: rebuild the module with `cargo espb build`, which records the \
             name of every import"
        )
    )]
    UnresolvedImport { path: PathBuf, error: InstantiateError },

    #[error("{}: {}", path.display(), SimError::Lacks { missing: missing.clone() })]
    #[diagnostic(
        code(espb::run::sim_lacks),
        help(
            "the simulator has the C library and ESP-IDF's FreeRTOS, esp_timer, log, GPIO, esp_event and NVS \
             natives (docs/sim.md); answer others (a project's own firmware functions) in espb.toml, e.g. \
             `[sim.stubs] {} = {{ returns = 0, print = true }}`, or run the module on a device",
            missing.first().map_or("name", |m| m.name.as_str())
        )
    )]
    SimLacks { path: PathBuf, missing: Vec<espb_sim::Missing> },

    #[error("no module to run: no argument, and no espb.toml in {} or its parents", dir.display())]
    #[diagnostic(
        code(espb::run::no_module),
        help("name the module (`cargo espb run app.espb`), or run it in a project")
    )]
    NoModule { dir: PathBuf },

    #[error("project `{project}` has no built module at {}", path.display())]
    #[diagnostic(code(espb::run::not_built), help("build it first: `cargo espb build`"))]
    NotBuilt { path: PathBuf, project: String },

    #[error("{}: {message}", file.display())]
    #[diagnostic(code(espb::run::sim_setting), help("the `[sim]` section is described in docs/sim.md"))]
    SimSetting { file: PathBuf, message: String },

    #[error("--fs {spec}: {} is not a folder", dir.display())]
    #[diagnostic(
        code(espb::run::fs),
        help(
            "`--fs DIR` maps every absolute path of the module into DIR, `--fs /spiffs=DIR` the paths under /spiffs; create the folder first"
        )
    )]
    FsFolder { spec: String, dir: PathBuf },

    #[error("cannot read the GPIO script {}", path.display())]
    #[diagnostic(code(espb::run::gpio_script), help("check the path; `-` reads the script from stdin"))]
    ReadGpioScript { path: PathBuf, source: std::io::Error },

    #[error("GPIO script {}: {error}", path.display())]
    #[diagnostic(code(espb::run::gpio_script), help("a line is `at TIME set PIN LEVEL`; docs/sim.md has the details"))]
    GpioScript { path: PathBuf, error: espb_sim::gpio_script::ScriptError },

    #[error("{}: {error}", path.display())]
    #[diagnostic(
        code(espb::run::thunks),
        help(
            "each function of the module used as a callback takes a thunk: give the simulator more with \
             `--thunks N` (on a device, build the firmware with ESPB_THUNKS=N)"
        )
    )]
    Thunks { path: PathBuf, error: InstantiateError },

    #[error("{}: {error}", path.display())]
    #[diagnostic(code(espb::run::failed))]
    RunFailed { path: PathBuf, error: RunError },

    #[error("{}: {error}", path.display())]
    #[diagnostic(
        code(espb::run::tables),
        help("rebuild the module against the symbol tables of the firmware that runs it")
    )]
    Tables { path: PathBuf, error: InstantiateError },

    #[error("{}: {error}", path.display())]
    #[diagnostic(code(espb::run::memory), help("lower the module's stack or heap (--stack-size, --heap-size)"))]
    MemoryTooLarge { path: PathBuf, error: InstantiateError },

    #[error("{}: {error}", path.display())]
    #[diagnostic(code(espb::run::instantiate), help("rebuild the module with this version of cargo espb"))]
    Instantiate { path: PathBuf, error: InstantiateError },

    #[error("{}: {error}", path.display())]
    #[diagnostic(
        code(espb::run::callback_type),
        help("change the function's parameters and result to the type the native calls it with, and rebuild")
    )]
    CallbackType { path: PathBuf, error: InstantiateError },

    #[error("{}: {error}", path.display())]
    #[diagnostic(code(espb::run::unloaded), help("the module was stopped before its entry ran; run it again"))]
    Run { path: PathBuf, error: RunError },

    // ---- flash, symbols
    #[error(transparent)]
    #[diagnostic(
        code(espb::flash),
        help("`cargo espb flash --dry-run` shows what would be written without a device; see docs/flash.md")
    )]
    Flash(Box<FlashError>),

    #[error("push to {port}: {error}")]
    #[diagnostic(
        code(espb::push),
        help(
            "the running module was not touched unless the message says otherwise; `cargo espb push --status` \
             shows the loader's state, docs/deploy.md the protocol"
        )
    )]
    Push { port: String, error: crate::push::PushError },

    #[error("push to {port}: the new module failed on the device ({reason}); {}", match slot {
        Some(s) => format!("the previous module (slot {s}) runs again"),
        None => "there was no previous module to go back to".to_string(),
    })]
    #[diagnostic(
        code(espb::push::rolled_back),
        help(
            "run it on the PC first (`cargo espb run`) to find the trap; `cargo espb monitor` decodes the device's trap records"
        )
    )]
    PushRolledBack { port: String, slot: Option<char>, reason: String },

    #[error(transparent)]
    #[diagnostic(
        code(espb::symbols),
        help("symbol-table manifests and their append-only rule are described in docs/symbols.md")
    )]
    Symbols(#[from] espb_sys::Error),

    #[error(transparent)]
    #[diagnostic(
        code(espb::symbols::sigs),
        help(
            "signatures come from the headers the manifest names, found with -I DIR (the firmware's include \
             directories) and the portable SDK headers; see docs/symbols.md \"Signatures\""
        )
    )]
    Sigs(#[from] crate::sigs::SigsError),
}

impl From<FlashError> for CliError {
    fn from(e: FlashError) -> CliError {
        CliError::Flash(Box::new(e))
    }
}

impl From<BindError> for CliError {
    fn from(e: BindError) -> CliError {
        match e {
            e @ BindError::Missing { .. } => CliError::MissingImports(e),
            e @ BindError::Signature { .. } => CliError::Signature(e),
            e => CliError::Bind(e),
        }
    }
}

#[cfg(feature = "translator")]
impl From<crate::compile::BuildError> for CliError {
    fn from(e: crate::compile::BuildError) -> CliError {
        match e {
            crate::compile::BuildError::Toolchain(t) => CliError::Toolchain(t),
            e => CliError::Build(e),
        }
    }
}

impl From<ProjectError> for CliError {
    /// The errors of the layers below a project get their own variants.
    fn from(e: ProjectError) -> CliError {
        match e {
            ProjectError::Flags(f) => f.into(),
            ProjectError::Toolchain(t) => t.into(),
            ProjectError::Hints(h) => h.into(),
            ProjectError::Bind { source, .. } => (*source).into(),
            #[cfg(feature = "translator")]
            ProjectError::Build(b) => b.into(),
            e => CliError::Project(e),
        }
    }
}

impl CliError {
    /// The instantiation of the module at `path` failed.
    pub fn instantiate(path: PathBuf, error: InstantiateError) -> CliError {
        match error {
            InstantiateError::UnresolvedImport { .. } => CliError::UnresolvedImport { path, error },
            InstantiateError::MissingTable { .. }
            | InstantiateError::TableTooShort { .. }
            | InstantiateError::TableHashMismatch { .. } => CliError::Tables { path, error },
            InstantiateError::MemoryTooLarge { .. } => CliError::MemoryTooLarge { path, error },
            InstantiateError::ThunkPoolExhausted { .. } | InstantiateError::FloatThunksExhausted { .. } => {
                CliError::Thunks { path, error }
            }
            InstantiateError::CallbackType(_) => CliError::CallbackType { path, error },
            error => CliError::Instantiate { path, error },
        }
    }
}
