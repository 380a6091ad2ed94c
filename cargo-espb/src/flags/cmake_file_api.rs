//! CMake File API replies (`build/.cmake/api/v1/reply/`), as esp-idf-sys's
//! CMake build writes them: index -> codemodel -> target -> compile group.

use super::{FlagsError, Scraped};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct Index {
    objects: Vec<ObjectRef>,
}
#[derive(Deserialize)]
struct ObjectRef {
    kind: String,
    #[serde(rename = "jsonFile")]
    json_file: String,
}
#[derive(Deserialize)]
struct Codemodel {
    paths: Paths,
    configurations: Vec<Configuration>,
}
#[derive(Deserialize)]
struct Paths {
    source: PathBuf,
    build: PathBuf,
}
#[derive(Deserialize)]
struct Configuration {
    targets: Vec<TargetRef>,
}
#[derive(Deserialize)]
struct TargetRef {
    name: String,
    #[serde(rename = "jsonFile")]
    json_file: String,
}
#[derive(Deserialize)]
struct Target {
    #[serde(default)]
    sources: Vec<Source>,
    #[serde(default, rename = "compileGroups")]
    compile_groups: Vec<CompileGroup>,
    paths: Paths,
}
#[derive(Deserialize)]
struct Source {
    path: PathBuf,
}
#[derive(Deserialize)]
struct CompileGroup {
    language: String,
    #[serde(default, rename = "sourceIndexes")]
    source_indexes: Vec<usize>,
    #[serde(default, rename = "compileCommandFragments")]
    fragments: Vec<Fragment>,
    #[serde(default)]
    includes: Vec<Include>,
    #[serde(default)]
    defines: Vec<Define>,
}
#[derive(Deserialize)]
struct Fragment {
    fragment: String,
}
#[derive(Deserialize)]
struct Include {
    path: PathBuf,
    #[serde(default, rename = "isSystem")]
    is_system: bool,
}
#[derive(Deserialize)]
struct Define {
    define: String,
}
#[derive(Deserialize)]
struct Toolchains {
    toolchains: Vec<Toolchain>,
}
#[derive(Deserialize)]
struct Toolchain {
    language: String,
    compiler: ToolchainCompiler,
}
#[derive(Deserialize)]
struct ToolchainCompiler {
    #[serde(default)]
    path: Option<String>,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, FlagsError> {
    let text = std::fs::read_to_string(path).map_err(|source| FlagsError::Read { path: path.to_path_buf(), source })?;
    serde_json::from_str(&text).map_err(|e| FlagsError::Json { path: path.to_path_buf(), message: e.to_string() })
}

/// The reply directory of a CMake build directory.
pub fn reply_dir(build_dir: &Path) -> PathBuf {
    build_dir.join(".cmake").join("api").join("v1").join("reply")
}

/// The newest `index-*.json` of a reply directory (CMake names them so that
/// the lexicographically last is the newest), or `None` without replies.
pub fn newest_index(reply: &Path) -> Result<Option<PathBuf>, FlagsError> {
    let rd = match std::fs::read_dir(reply) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(FlagsError::Read { path: reply.to_path_buf(), source }),
    };
    let mut names: Vec<String> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("index-") && n.ends_with(".json"))
        .collect();
    names.sort();
    Ok(names.pop().map(|n| reply.join(n)))
}

/// Preferred targets: the `main` component, then esp-idf-sys's executable.
const PREFERRED: &[&str] = &["__idf_main", "libespidf.elf"];

/// Scrapes the C compile flags of the preferred target from the replies of
/// `build_dir`; `Ok(None)` when there are no replies.
pub fn scrape(build_dir: &Path) -> Result<Option<Scraped>, FlagsError> {
    let reply = reply_dir(build_dir);
    let Some(index_path) = newest_index(&reply)? else { return Ok(None) };
    let index: Index = read_json(&index_path)?;
    let find = |kind: &str| index.objects.iter().find(|o| o.kind == kind).map(|o| reply.join(&o.json_file));
    let cm_path = find("codemodel").ok_or_else(|| FlagsError::Json {
        path: index_path.clone(),
        message: "no codemodel reply: the CMake configure step did not ask for one (query/codemodel-v2)".into(),
    })?;
    let cm: Codemodel = read_json(&cm_path)?;
    let compiler = match find("toolchains") {
        Some(p) => read_json::<Toolchains>(&p)?
            .toolchains
            .into_iter()
            .find(|t| t.language == "C")
            .and_then(|t| t.compiler.path),
        None => None,
    };
    let targets: Vec<&TargetRef> = cm.configurations.iter().flat_map(|c| c.targets.iter()).collect();
    let mut ordered: Vec<&TargetRef> = Vec::new();
    for p in PREFERRED {
        ordered.extend(targets.iter().filter(|t| t.name == *p));
    }
    ordered.extend(targets.iter().filter(|t| !PREFERRED.contains(&t.name.as_str())));
    for tref in ordered {
        let tpath = reply.join(&tref.json_file);
        let t: Target = read_json(&tpath)?;
        let Some(g) = t.compile_groups.iter().find(|g| g.language == "C") else { continue };
        let directory = cm.paths.build.join(&t.paths.build);
        let mut args = Vec::new();
        for d in &g.defines {
            args.push(format!("-D{}", d.define));
        }
        for i in &g.includes {
            let p = if i.path.is_absolute() { i.path.clone() } else { cm.paths.build.join(&i.path) };
            if i.is_system {
                args.push("-isystem".into());
                args.push(p.display().to_string());
            } else {
                args.push(format!("-I{}", p.display()));
            }
        }
        for f in &g.fragments {
            let parts = shlex::split(&f.fragment).ok_or_else(|| FlagsError::Json {
                path: tpath.clone(),
                message: format!("unbalanced quotes in compile fragment `{}`", f.fragment),
            })?;
            args.extend(parts);
        }
        let source = g
            .source_indexes
            .first()
            .and_then(|i| t.sources.get(*i))
            .map(|s| if s.path.is_absolute() { s.path.clone() } else { cm.paths.source.join(&s.path) })
            .unwrap_or_default();
        return Ok(Some(Scraped { compiler: compiler.clone(), args, directory, source, origin: tpath }));
    }
    Err(FlagsError::NoCEntry { path: cm_path })
}
