//! The `new` and project `build` commands as the CLI runs them (miette).

use super::{BuildOptions, NewArgs, Project};
use crate::cli::BuildArgs;
use miette::{Result, miette};
use std::path::PathBuf;

/// `cargo espb new`.
pub fn new(a: &NewArgs) -> Result<()> {
    let root = super::new_project(a).map_err(|e| miette!("{e}"))?;
    let what = match a.firmware {
        None => "module project",
        Some(super::FirmwareKind::Idf) => "ESP-IDF firmware project",
        Some(super::FirmwareKind::Rust) => "esp-idf-sys firmware project",
    };
    eprintln!("     Created {what} `{}` for {} in {}", a.name, a.chip, root.display());
    match a.firmware {
        None => eprintln!("        Next cd {} && cargo espb build", root.display()),
        Some(super::FirmwareKind::Idf) => eprintln!(
            "        Next cd {} && idf.py set-target {} build (README.md says what its cargo step needs)",
            root.display(),
            a.chip
        ),
        Some(super::FirmwareKind::Rust) => eprintln!("        Next cd {} && cargo build", root.display()),
    }
    Ok(())
}

/// `cargo espb build` without files: the project of the current directory.
pub fn build(a: &BuildArgs) -> Result<PathBuf> {
    let cwd = std::env::current_dir().map_err(|e| miette!("cannot read the current directory: {e}"))?;
    let project = Project::find(&cwd).map_err(|e| miette!("{e}"))?.ok_or_else(|| {
        miette!(
            help = "pass the files to build (`cargo espb build app.c`), or create a project with `cargo espb new NAME`",
            "no input files, and no espb.toml in {} or its parents",
            cwd.display()
        )
    })?;
    let opts = BuildOptions {
        verbose: a.verbose,
        extra_flags: a.clang_flags.clone(),
        output: a.output.clone(),
        jobs: None,
        add_missing: a.symbols.add_missing,
        hints: a.hints.clone(),
    };
    let r = super::build_project(&project, &opts).map_err(|e| match e {
        super::ProjectError::Hints(h) => crate::cli::hints_report(h),
        e => miette!("{e}"),
    })?;
    for w in &r.hint_warnings {
        eprintln!("warning: {w}");
    }
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
