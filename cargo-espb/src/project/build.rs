//! `cargo espb build` in a project: clang runs in parallel and
//! incrementally, then the bitcode is linked and translated in-process.
//!
//! Cache: `target/espb/<chip>/<source>.bc` with a record `<source>.json`
//! holding a key over (source path and content, clang path and version,
//! every flag) and the list of headers clang's `-MD` depfile named with a
//! digest of their contents. A source is recompiled when either changes.

use super::{Project, ProjectError};
use crate::bind::{Added, BindOptions, DEFAULT_CUSTOM_MANIFEST, bind_imports};
use crate::flags::sdk::hex;
use crate::flags::{self, Arch, FirmwareFlags, FlagsOrigin};
use crate::toolchain::{self, Toolchain};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Options of [`build_project`].
#[derive(Clone, Debug, Default)]
pub struct BuildOptions {
    /// Print each clang command, where the flags came from, and what was dropped.
    pub verbose: bool,
    /// Extra clang flags (after `--` on the command line), after espb.toml's.
    pub extra_flags: Vec<String>,
    /// Overrides `[build] output`.
    pub output: Option<PathBuf>,
    /// Parallel clang processes (default: available parallelism).
    pub jobs: Option<usize>,
    /// Append imports found in no table to the project's custom manifest.
    pub add_missing: bool,
    /// Hints file instead of `[build] hints`.
    pub hints: Option<PathBuf>,
}

/// What [`build_project`] did.
#[derive(Clone, Debug)]
pub struct BuildReport {
    pub output: PathBuf,
    pub bytes: usize,
    pub functions: usize,
    /// Sources compiled in this run / taken from the cache (relative paths).
    pub compiled: Vec<PathBuf>,
    pub fresh: Vec<PathBuf>,
    pub toolchain: Toolchain,
    pub flags: FirmwareFlags,
    /// The clang arguments every source was compiled with (before `-c ...`).
    pub clang_args: Vec<String>,
    /// Hints lines that had no effect (functions the module does not import).
    pub hint_warnings: Vec<String>,
    /// Imports `add_missing` appended to the custom table.
    pub added: Option<Added>,
}

#[derive(Serialize, Deserialize)]
struct Record {
    key: String,
    deps: Vec<PathBuf>,
    deps_digest: String,
}

/// The clang argument list of a project (target flags, firmware flags,
/// espb.toml `[build] flags`, then `extra`).
pub fn clang_args(project: &Project, tc: &Toolchain, ff: &FirmwareFlags, extra: &[String]) -> Vec<String> {
    let mut args = ff.clang_args(tc.esp_clang);
    args.extend(project.config.build.flags.iter().cloned());
    args.extend(extra.iter().cloned());
    // Firmware flags carry GCC's `-march` spelling too, so the whole list is respelled.
    crate::flags::chip::spell_for_clang(args, tc.version.0)
}

/// The full clang command for one source (run in the project root).
pub fn clang_command(tc: &Toolchain, args: &[String], src: &Path, bc: &Path, dep: &Path) -> Command {
    let mut cmd = Command::new(&tc.clang);
    cmd.args(args).args(["-c", "-emit-llvm", "-MD", "-MF"]).arg(dep).arg("-o").arg(bc).arg(src);
    cmd
}

/// The binding of the project's imports: the standard `idf` table and the
/// `[symbols]` tables (else the project's custom table), with guards
/// checked against the firmware's `sdkconfig.h` when an idf.py build is
/// configured.
fn bind_options(project: &Project, add_missing: bool) -> BindOptions {
    let mut manifests: Vec<PathBuf> =
        project.config.symbols.values().filter(|m| m.as_str() != "standard").map(|m| project.root.join(m)).collect();
    if manifests.is_empty() {
        manifests.push(project.root.join(DEFAULT_CUSTOM_MANIFEST));
    }
    let sdkconfig = project
        .config
        .firmware
        .build
        .as_ref()
        .map(|b| project.root.join(b).join("config").join("sdkconfig.h"))
        .filter(|p| p.is_file());
    BindOptions { manifests, sdkconfig, add_missing }
}

/// Builds the project's module.
pub fn build_project(project: &Project, opts: &BuildOptions) -> Result<BuildReport, ProjectError> {
    project.check_symbols()?;
    // Parsed before clang runs: a typo in the hints file fails fast.
    let hints = project.hints(opts.hints.as_deref())?;
    let configured = project.config.build.clang.as_ref().map(|c| project.root.join(c));
    let tc = toolchain::find(configured.as_deref())?;
    let ff = flags::firmware_flags_verbose(&project.flags_source(), opts.verbose)?;
    if opts.verbose {
        eprintln!("       Clang {} ({}, found by {})", tc.clang.display(), tc.version_line, tc.found_by);
        if ff.chip.arch() == Arch::Xtensa && !tc.esp_clang {
            eprintln!(
                "        Note {} is not esp-clang: compiling for {} with `--target=xtensa` and no -mcpu \
                 (upstream clang rejects -mcpu={}); install esp-clang for the exact CPU",
                tc.clang.display(),
                ff.chip,
                ff.chip
            );
        }
        match &ff.origin {
            FlagsOrigin::Portable { sdk_include } => {
                eprintln!("       Flags portable SDK headers {} (no [firmware] in espb.toml)", sdk_include.display())
            }
            FlagsOrigin::Firmware { file, .. } => eprintln!("       Flags {}", file.display()),
        }
        for d in &ff.dropped {
            eprintln!("     Dropped {} ({})", d.flag, d.reason);
        }
    }
    let args = clang_args(project, &tc, &ff, &opts.extra_flags);
    let sources = project.sources()?;
    write_editor_db(project, &tc, &args, &sources);

    let obj_dir = project.target_dir().join(ff.chip.name());
    std::fs::create_dir_all(&obj_dir).map_err(|source| ProjectError::Write { path: obj_dir.clone(), source })?;
    let results = compile_all(project, &tc, &args, &sources, &obj_dir, opts)?;

    let mut bcs = Vec::new();
    let (mut compiled, mut fresh) = (Vec::new(), Vec::new());
    for (src, bc, was_fresh) in results {
        bcs.push(bc);
        if was_fresh { fresh.push(src) } else { compiled.push(src) }
    }
    let bopts = crate::compile::BuildOptions { verbose: opts.verbose, ..Default::default() };
    let mut module = crate::compile::build_module(&bcs, &[], &bopts)?;
    let added = bind_imports(&mut module, &bind_options(project, opts.add_missing))
        .map_err(|e| ProjectError::Bind { file: project.file.clone(), source: Box::new(e) })?;
    // Not cached: hints are merged on every build, so an edited hints file
    // always reaches the module.
    let hint_warnings = crate::hints::apply(&mut module, hints.as_ref())?;
    let bytes = espb_runtime::format::encode(&module);
    let output = opts.output.clone().unwrap_or_else(|| project.output());
    if let Some(parent) = output.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|source| ProjectError::Write { path: parent.to_path_buf(), source })?;
    }
    std::fs::write(&output, &bytes).map_err(|source| ProjectError::Write { path: output.clone(), source })?;
    Ok(BuildReport {
        output,
        bytes: bytes.len(),
        functions: module.functions.len(),
        compiled,
        fresh,
        toolchain: tc,
        flags: ff,
        clang_args: args,
        hint_warnings,
        added,
    })
}

/// Writes `compile_commands.json` at the project root for clangd & co.
/// Best effort: an editor database that cannot be written is not an error.
fn write_editor_db(project: &Project, tc: &Toolchain, args: &[String], sources: &[PathBuf]) {
    let entries: Vec<serde_json::Value> = sources
        .iter()
        .map(|s| {
            let mut argv = vec![tc.clang.display().to_string()];
            argv.extend(args.iter().cloned());
            argv.extend(["-c".to_string(), s.display().to_string()]);
            serde_json::json!({ "directory": project.root, "file": s, "arguments": argv })
        })
        .collect();
    let Ok(text) = serde_json::to_string_pretty(&entries) else { return };
    let path = project.root.join("compile_commands.json");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        let _ = std::fs::write(&path, text);
    }
}

fn cache_stem(src: &Path) -> String {
    src.to_string_lossy().replace(['/', '\\'], "__").replace("..", "_up_")
}

fn key(tc: &Toolchain, args: &[String], src: &Path, content: &[u8]) -> String {
    let mut h = Sha256::new();
    for part in [tc.clang.to_string_lossy().as_bytes(), tc.version_line.as_bytes(), src.to_string_lossy().as_bytes()] {
        h.update(part);
        h.update([0]);
    }
    for a in args {
        h.update(a.as_bytes());
        h.update([0]);
    }
    h.update([1]);
    h.update(content);
    hex(&h.finalize())
}

/// Digest of the dependency files' contents; `None` when one is gone.
fn deps_digest(root: &Path, deps: &[PathBuf]) -> Option<String> {
    let mut h = Sha256::new();
    for d in deps {
        let content = std::fs::read(root.join(d)).ok()?;
        h.update(d.to_string_lossy().as_bytes());
        h.update([0]);
        h.update((content.len() as u64).to_le_bytes());
        h.update(&content);
    }
    Some(hex(&h.finalize()))
}

/// Parses a Make-style depfile (`out: a.c b.h \` lines, `\ ` for spaces).
pub fn parse_depfile(text: &str) -> Vec<PathBuf> {
    let joined = text.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        // The target ends at the first `: ` (a `C:\` drive colon is not followed by a space).
        let Some(i) = line.find(": ") else { continue };
        let mut cur = String::new();
        let mut chars = line[i + 2..].chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&' ') => {
                    cur.push(' ');
                    chars.next();
                }
                '$' if chars.peek() == Some(&'$') => {
                    cur.push('$');
                    chars.next();
                }
                c if c.is_whitespace() => {
                    if !cur.is_empty() {
                        out.push(PathBuf::from(std::mem::take(&mut cur)));
                    }
                }
                c => cur.push(c),
            }
        }
        if !cur.is_empty() {
            out.push(PathBuf::from(cur));
        }
    }
    out
}

enum Progress {
    Bar(indicatif::ProgressBar),
    Lines,
}

impl Progress {
    fn say(&self, verb: &str, what: &str) {
        match self {
            Progress::Bar(b) => b.set_message(format!("{verb} {what}")),
            Progress::Lines => eprintln!("{verb:>12} {what}"),
        }
    }
    fn print(&self, text: &str) {
        match self {
            Progress::Bar(b) => b.suspend(|| eprint!("{text}")),
            Progress::Lines => eprint!("{text}"),
        }
    }
    fn inc(&self) {
        if let Progress::Bar(b) = self {
            b.inc(1);
        }
    }
}

type Compiled = (PathBuf, PathBuf, bool);

fn compile_all(
    project: &Project,
    tc: &Toolchain,
    args: &[String],
    sources: &[PathBuf],
    obj_dir: &Path,
    opts: &BuildOptions,
) -> Result<Vec<Compiled>, ProjectError> {
    let progress = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(sources.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {msg}") {
            b.set_style(style.progress_chars("=> "));
        }
        Progress::Bar(b)
    } else {
        Progress::Lines
    };
    let jobs = opts
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
        .clamp(1, sources.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<Compiled, ProjectError>>>> =
        Mutex::new((0..sources.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(src) = sources.get(i) else { break };
                    let r = compile_one(project, tc, args, src, obj_dir, opts.verbose, &progress);
                    progress.inc();
                    if let Ok(mut g) = results.lock() {
                        g[i] = Some(r);
                    }
                }
            });
        }
    });
    if let Progress::Bar(b) = &progress {
        b.finish_and_clear();
    }
    let results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut out = Vec::new();
    let mut first_err = None;
    for (i, r) in results.into_iter().enumerate() {
        match r {
            Some(Ok(c)) => out.push(c),
            Some(Err(e)) => {
                first_err.get_or_insert(e);
            }
            None => {
                first_err.get_or_insert(ProjectError::Compile { file: project.root.join(&sources[i]) });
            }
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(out),
    }
}

fn compile_one(
    project: &Project,
    tc: &Toolchain,
    args: &[String],
    src: &Path,
    obj_dir: &Path,
    verbose: bool,
    progress: &Progress,
) -> Result<Compiled, ProjectError> {
    let root = &project.root;
    let abs = root.join(src);
    let content = std::fs::read(&abs).map_err(|source| ProjectError::Read { path: abs.clone(), source })?;
    let stem = cache_stem(src);
    let bc = obj_dir.join(format!("{stem}.bc"));
    let rec_path = obj_dir.join(format!("{stem}.json"));
    let dep = obj_dir.join(format!("{stem}.d"));
    let key = key(tc, args, src, &content);
    let rec: Option<Record> = std::fs::read_to_string(&rec_path).ok().and_then(|t| serde_json::from_str(&t).ok());
    if let Some(r) = rec
        && r.key == key
        && bc.is_file()
        && deps_digest(root, &r.deps).as_deref() == Some(r.deps_digest.as_str())
    {
        progress.say("Fresh", &src.display().to_string());
        return Ok((src.to_path_buf(), bc, true));
    }
    progress.say("Compiling", &src.display().to_string());
    let tmp = obj_dir.join(format!("{stem}.bc.tmp"));
    let mut cmd = clang_command(tc, args, src, &tmp, &dep);
    cmd.current_dir(root);
    if verbose {
        progress.print(&format!("     Running {cmd:?}\n"));
    }
    let out = cmd.output().map_err(|source| ProjectError::ClangSpawn { clang: tc.clang.clone(), source })?;
    if !out.stderr.is_empty() {
        progress.print(&String::from_utf8_lossy(&out.stderr));
    }
    if !out.status.success() {
        return Err(ProjectError::Compile { file: abs });
    }
    std::fs::rename(&tmp, &bc).map_err(|source| ProjectError::Write { path: bc.clone(), source })?;
    let deps = std::fs::read_to_string(&dep).map(|t| parse_depfile(&t)).unwrap_or_default();
    let digest = deps_digest(root, &deps).unwrap_or_default();
    let rec = Record { key, deps, deps_digest: digest };
    if let Ok(text) = serde_json::to_string(&rec) {
        std::fs::write(&rec_path, text).map_err(|source| ProjectError::Write { path: rec_path.clone(), source })?;
    }
    Ok((src.to_path_buf(), bc, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depfiles() {
        let d = "target/x.bc: src/main.c /usr/include/newlib/stdint.h \\\n  .espb/sdk/include/a\\ b.h \\\n  /x/$$y.h\n";
        assert_eq!(
            parse_depfile(d),
            ["src/main.c", "/usr/include/newlib/stdint.h", ".espb/sdk/include/a b.h", "/x/$y.h"].map(PathBuf::from)
        );
    }
}
