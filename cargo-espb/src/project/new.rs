//! `cargo espb new`: a module project, or the firmware that runs modules
//! (ESP-IDF C with idf.py, or Rust with esp-idf-sys), from the templates
//! embedded in the binary (`templates/`).

use super::{ProjectError, vendor};
use crate::flags::{Chip, ChipFlags, sdk};
use crate::flash::{MODULE_PARTITION_LABEL, MODULE_PARTITION_SUBTYPE};
use include_dir::{Dir, include_dir};
use std::path::{Path, PathBuf};

/// The templates, embedded so `new` works offline.
pub static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../templates");

/// What `new` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FirmwareKind {
    /// ESP-IDF C firmware built with idf.py.
    Idf,
    /// Rust firmware built with Cargo and esp-idf-sys.
    Rust,
}

/// `cargo espb new NAME`.
#[derive(clap::Args, Debug, Clone)]
pub struct NewArgs {
    /// Project name; also the directory created (a C identifier: letters, digits, `_`, `-`).
    pub name: String,
    /// Chip of the firmware.
    #[arg(long, default_value_t = crate::flags::chip::DEFAULT_CHIP, value_parser = crate::flags::chip::chip_value_parser())]
    pub chip: Chip,
    /// Write the firmware that runs modules instead of a module project.
    #[arg(long, value_enum)]
    pub firmware: Option<FirmwareKind>,
    /// Directory to create the project in (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub path: Option<PathBuf>,
}

/// Checks a project name: it becomes a directory, a C identifier (the ESP-IDF
/// project name, log tags) and a cargo package name.
pub fn validate_name(name: &str) -> Result<(), String> {
    const RESERVED: &[&str] = &["test", "build", "main", "src", "target", "espb", "core", "std", "alloc"];
    let Some(first) = name.chars().next() else { return Err("the name is empty".into()) };
    if name.len() > 64 {
        return Err("longer than 64 characters".into());
    }
    if !first.is_ascii_alphabetic() {
        return Err("must start with an ASCII letter".into());
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-')) {
        return Err(format!("`{c}` is not allowed: use ASCII letters, digits, `_` and `-`"));
    }
    if RESERVED.contains(&name) {
        return Err(format!("`{name}` is reserved (it clashes with a directory or crate of the project)"));
    }
    Ok(())
}

fn render(text: &str, vars: &[(&str, String)]) -> String {
    let mut s = text.to_string();
    for (k, v) in vars {
        s = s.replace(&format!("{{{{{k}}}}}"), v);
    }
    s
}

/// The path a template file is written to (dotfiles are stored without the dot).
fn dest_name(rel: &Path, name: &str) -> PathBuf {
    let s = rel.to_string_lossy();
    let s = match s.as_ref() {
        "gitignore" => ".gitignore".to_string(),
        "module.hints" => format!("{name}.hints"),
        other => other.strip_prefix("cargo/").map(|r| format!(".cargo/{r}")).unwrap_or_else(|| other.to_string()),
    };
    PathBuf::from(s)
}

fn write(path: &Path, contents: &[u8]) -> Result<(), ProjectError> {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).map_err(|source| ProjectError::Write { path: p.to_path_buf(), source })?;
    }
    std::fs::write(path, contents).map_err(|source| ProjectError::Write { path: path.to_path_buf(), source })
}

fn write_files(base: &Path, files: Vec<vendor::OutFile>) -> Result<(), ProjectError> {
    files.iter().try_for_each(|(rel, bytes)| write(&base.join(rel), bytes))
}

fn write_tree(dir: &Dir<'_>, base: &Path, out: &Path, name: &str, vars: &[(&str, String)]) -> Result<(), ProjectError> {
    for f in dir.files() {
        let rel = f.path().strip_prefix(base).unwrap_or(f.path());
        let dest = out.join(dest_name(rel, name));
        match f.contents_utf8() {
            Some(t) => write(&dest, render(t, vars).as_bytes())?,
            None => write(&dest, f.contents())?,
        }
    }
    for d in dir.dirs() {
        write_tree(d, base, out, name, vars)?;
    }
    Ok(())
}

/// Writes a new project; returns its directory.
pub fn new_project(args: &NewArgs) -> Result<PathBuf, ProjectError> {
    validate_name(&args.name).map_err(|why| ProjectError::BadName { name: args.name.clone(), why })?;
    let parent = args.path.clone().unwrap_or_else(|| PathBuf::from("."));
    let root = parent.join(&args.name);
    if root.exists() {
        return Err(ProjectError::Exists { path: root });
    }
    let kind = match args.firmware {
        None => "module",
        Some(FirmwareKind::Idf) => "firmware-idf",
        Some(FirmwareKind::Rust) => "firmware-rust",
    };
    let Some(tpl) = TEMPLATES.get_dir(kind) else {
        return Err(ProjectError::Write {
            path: root,
            source: std::io::Error::other(format!("template `{kind}` missing from this cargo-espb build")),
        });
    };
    let c_ident = args.name.replace('-', "_");
    // As partitions.csv spells it (`undefined`).
    let subtype = esp_idf_part::SubType::Data(MODULE_PARTITION_SUBTYPE).to_string();
    let bare = args.chip.spec().rust;
    let (build_std, rust_setup) = match bare.bare_metal_toolchain() {
        Some(tc) => (
            format!(" -Zbuild-std={}", espb_sys::component::CAPI_BUILD_STD),
            format!("the `{tc}` toolchain, which has the Xtensa targets (`espup install`)"),
        ),
        None => (String::new(), format!("the Rust target: `rustup target add {}`", bare.bare_metal)),
    };
    let vars = [
        ("name", args.name.clone()),
        ("c_name", c_ident),
        ("chip", args.chip.to_string()),
        ("chips", Chip::names()),
        // The variant's name (its Debug form): `Chip::{{chip_variant}}` in the Rust firmware.
        ("chip_variant", format!("{:?}", args.chip)),
        ("rust_target", args.chip.rust_target().to_string()),
        ("rust_toolchain", args.chip.rust_toolchain().to_string()),
        ("espb_version", env!("CARGO_PKG_VERSION").to_string()),
        ("rust_version", vendor::rust_version()?),
        ("partition_label", MODULE_PARTITION_LABEL.to_string()),
        // ESP-IDF's name of the subtype, in C and in esp-idf-sys's bindings.
        ("partition_subtype_c", format!("ESP_PARTITION_SUBTYPE_DATA_{subtype}").to_uppercase()),
        ("partition_subtype", subtype),
        // The ESP-IDF component's cargo step (its CMakeLists.txt, chips.cmake).
        ("bare_target", bare.bare_metal.to_string()),
        ("cargo_toolchain", bare.bare_metal_toolchain().map(|t| format!("+{t} ")).unwrap_or_default()),
        ("build_std", build_std),
        ("rust_setup", rust_setup),
    ];
    std::fs::create_dir_all(&root).map_err(|source| ProjectError::Write { path: root.clone(), source })?;
    write_tree(tpl, Path::new(kind), &root, &args.name, &vars)?;
    match args.firmware {
        None => {
            let abs =
                std::fs::canonicalize(&root).map_err(|source| ProjectError::Read { path: root.clone(), source })?;
            let sdk_dir = sdk::materialize(&abs)?;
            write_editor_files(&abs, args.chip, &sdk_dir)?;
        }
        Some(FirmwareKind::Idf) => {
            let components = root.join("components");
            let dir = components.join("espb_symtab_idf");
            espb_sys::TableBuilder::new("idf")
                .generate_c(&dir)
                .map_err(|e| ProjectError::Write { path: dir.clone(), source: std::io::Error::other(e.to_string()) })?;
            write_files(&components.join("espb_runtime"), vendor::idf_component_files()?)?;
        }
        Some(FirmwareKind::Rust) => {
            let manifest = root.join("Cargo.toml");
            let text = std::fs::read_to_string(&manifest)
                .map_err(|source| ProjectError::Read { path: manifest.clone(), source })?;
            write_files(&root, vendor::rust_firmware_files(&text)?)?;
            // The Kconfig of the C firmware's espb_symtab_idf component, so
            // both flavours fill the `idf` table alike (Cargo.toml's
            // extra_components names this directory).
            write(&root.join("components/espb_kconfig/Kconfig"), espb_sys::STANDARD_IDF_KCONFIG.as_bytes())?;
        }
    }
    Ok(root)
}

/// `compile_commands.json` (portable flags; `cargo espb build` rewrites it
/// with the firmware's) and `.clangd`, so editors resolve the ESP-IDF headers.
fn write_editor_files(root: &Path, chip: Chip, sdk_dir: &Path) -> Result<(), ProjectError> {
    let mut flags = chip.target_flags(false);
    flags.extend(crate::flags::portable_flags(root, sdk_dir));
    let entries: Vec<serde_json::Value> = ["src/main.c"]
        .iter()
        .map(|s| {
            let mut argv = vec!["clang".to_string()];
            argv.extend(flags.iter().cloned());
            argv.extend(["-c".to_string(), s.to_string()]);
            serde_json::json!({ "directory": root, "file": s, "arguments": argv })
        })
        .collect();
    let text = serde_json::to_string_pretty(&entries).unwrap_or_default();
    write(&root.join("compile_commands.json"), text.as_bytes())?;
    let clangd = "# clangd: flags come from compile_commands.json (written by `cargo espb new` and\n\
                  # rewritten by every `cargo espb build` with the firmware's flags).\n\
                  CompileFlags:\n  CompilationDatabase: .\n";
    write(&root.join(".clangd"), clangd.as_bytes())
}
