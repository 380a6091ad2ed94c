//! The sources a generated firmware project carries, so that it builds
//! offline and wherever it is moved, from the versions this cargo-espb was
//! built with: the crates and the ESP-IDF component that build.rs embeds
//! (see there for which files), written as standalone packages.
//!
//! - Rust firmware: every dependency its Cargo.toml takes from
//!   `vendor/<crate>` is written there, with the crates those depend on.
//! - ESP-IDF firmware: the `espb_runtime` component, with a Rust workspace
//!   in its `rust/` directory holding espb-capi and what it depends on, and
//!   the Cargo.lock entries of the workspace this cargo-espb was built in.
//!
//! A vendored Cargo.toml is the crate's own with the workspace settings it
//! inherits filled in, dev-dependencies dropped (tests are not vendored) and
//! path dependencies pointing at the sibling copies, pinned to their versions.
//! Everything here is pure: the caller writes the returned files.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;
use toml::{Table, Value};

/// A file embedded by build.rs, relative to its crate or component.
pub struct EmbeddedFile {
    pub path: &'static str,
    pub contents: &'static [u8],
}

/// A crate embedded by build.rs: its package name and files.
pub struct EmbeddedCrate {
    pub name: &'static str,
    pub files: &'static [EmbeddedFile],
}

include!(concat!(env!("OUT_DIR"), "/vendored.rs"));

/// Where a Rust firmware's dependencies `path = "vendor/<crate>"` live.
pub const RUST_VENDOR_DIR: &str = "vendor";
/// The Rust workspace inside the ESP-IDF component (its CMakeLists.txt
/// builds `rust/Cargo.toml` when it exists).
pub const IDF_RUST_DIR: &str = "rust";
/// The crate the ESP-IDF component builds as its static library.
pub const IDF_CAPI_CRATE: &str = "espb-capi";

const DEP_KINDS: [&str; 2] = ["dependencies", "build-dependencies"];
const DEV_DEPS: &str = "dev-dependencies";

/// The embedded sources do not fit together (a defect of this build of
/// cargo-espb, or a template asking for a crate it does not have).
#[derive(Debug, thiserror::Error)]
pub enum VendorError {
    #[error("this cargo-espb carries no crate `{0}` to vendor")]
    UnknownCrate(String),
    #[error("{what}: {message}")]
    Manifest { what: String, message: String },
}

fn bad(what: impl Into<String>, message: impl Into<String>) -> VendorError {
    VendorError::Manifest { what: what.into(), message: message.into() }
}

/// A file to write, relative to the directory the caller names.
pub type OutFile = (PathBuf, Vec<u8>);

fn embedded(name: &str) -> Result<&'static EmbeddedCrate, VendorError> {
    CRATES.iter().find(|c| c.name == name).ok_or_else(|| VendorError::UnknownCrate(name.to_string()))
}

fn parse(what: &str, text: &str) -> Result<Table, VendorError> {
    toml::from_str(text).map_err(|e| bad(what, e.to_string()))
}

fn manifest_of(c: &EmbeddedCrate) -> Result<Table, VendorError> {
    let file = c.files.iter().find(|f| f.path == "Cargo.toml").ok_or_else(|| bad(c.name, "no Cargo.toml"))?;
    parse(&format!("{}/Cargo.toml", c.name), &String::from_utf8_lossy(file.contents))
}

fn workspace() -> Result<Table, VendorError> {
    let ws = parse("the workspace Cargo.toml", WORKSPACE_MANIFEST)?;
    match ws.get("workspace") {
        Some(Value::Table(t)) => Ok(t.clone()),
        _ => Err(bad("the workspace Cargo.toml", "no [workspace]")),
    }
}

fn sub_table<'t>(t: &'t Table, key: &str) -> Option<&'t Table> {
    t.get(key).and_then(Value::as_table)
}

fn inherited(v: &Value) -> bool {
    v.as_table().and_then(|t| t.get("workspace")).and_then(Value::as_bool) == Some(true)
}

/// Applies `f` to every dependency table of a manifest (normal and build,
/// also under `[target.'cfg(..)']`).
fn each_dep_table(m: &mut Table, f: &mut dyn FnMut(&mut Table) -> Result<(), VendorError>) -> Result<(), VendorError> {
    for (key, v) in m.iter_mut() {
        if DEP_KINDS.contains(&key.as_str()) {
            v.as_table_mut().map(&mut *f).transpose()?;
        } else if key == "target" {
            for per_target in v.as_table_mut().into_iter().flat_map(|t| t.iter_mut().map(|(_, v)| v)) {
                for (k, deps) in per_target.as_table_mut().into_iter().flat_map(|t| t.iter_mut()) {
                    if DEP_KINDS.contains(&k.as_str()) {
                        deps.as_table_mut().map(&mut *f).transpose()?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// A dependency with the workspace entry it inherits merged in (cargo's
/// rules: the member adds features and may make it optional).
fn resolve_dep(ws: &Table, name: &str, spec: &Value) -> Result<Table, VendorError> {
    let own = match spec {
        Value::String(v) => return Ok(Table::from_iter([("version".to_string(), Value::String(v.clone()))])),
        Value::Table(t) => t,
        _ => return Err(bad(name, "a dependency is a version string or a table")),
    };
    if !inherited(spec) {
        return Ok(own.clone());
    }
    let mut t = match sub_table(ws, "dependencies").and_then(|d| d.get(name)) {
        Some(Value::String(v)) => Table::from_iter([("version".to_string(), Value::String(v.clone()))]),
        Some(Value::Table(t)) => t.clone(),
        _ => return Err(bad(name, "inherits a dependency the workspace does not declare")),
    };
    for (k, v) in own.iter().filter(|(k, _)| k.as_str() != "workspace") {
        match (k.as_str(), t.get_mut(k)) {
            ("features", Some(Value::Array(base))) => base
                .extend(v.as_array().into_iter().flatten().filter(|f| !base.contains(f)).cloned().collect::<Vec<_>>()),
            _ => {
                t.insert(k.clone(), v.clone());
            }
        }
    }
    Ok(t)
}

/// The package a dependency entry names (`package = ...` renames).
fn dep_package<'a>(key: &'a str, spec: &'a Table) -> &'a str {
    spec.get("package").and_then(Value::as_str).unwrap_or(key)
}

/// The crates `roots` need: themselves, then the embedded crates they depend
/// on by path, transitively; in a stable order.
fn closure(ws: &Table, roots: &[&str]) -> Result<Vec<&'static EmbeddedCrate>, VendorError> {
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = roots.iter().map(|r| r.to_string()).collect();
    let mut out = Vec::new();
    while let Some(name) = queue.pop_front() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let c = embedded(&name)?;
        let mut m = manifest_of(c)?;
        m.remove(DEV_DEPS);
        each_dep_table(&mut m, &mut |deps| {
            for (key, spec) in deps.iter() {
                let t = resolve_dep(ws, key, spec)?;
                if t.contains_key("path") {
                    queue.push_back(dep_package(key, &t).to_string());
                }
            }
            Ok(())
        })?;
        out.push(c);
    }
    out.sort_by_key(|c| c.name);
    Ok(out)
}

/// `c`'s manifest as a standalone package next to its vendored siblings
/// (`versions`: package name -> version, of every vendored crate).
fn standalone_manifest(
    c: &EmbeddedCrate,
    ws: &Table,
    versions: &BTreeMap<String, String>,
) -> Result<Table, VendorError> {
    let mut m = manifest_of(c)?;
    let inherit = sub_table(ws, "package").cloned().unwrap_or_default();
    if let Some(Value::Table(p)) = m.get_mut("package") {
        for (k, v) in p.iter_mut().filter(|(_, v)| inherited(v)) {
            *v = inherit
                .get(k)
                .cloned()
                .ok_or_else(|| bad(c.name, format!("inherits `package.{k}`, unset in the workspace")))?;
        }
    }
    m.remove(DEV_DEPS);
    if let Some(Value::Table(targets)) = m.get_mut("target") {
        for t in targets.iter_mut().filter_map(|(_, v)| v.as_table_mut()) {
            t.remove(DEV_DEPS);
        }
    }
    each_dep_table(&mut m, &mut |deps| {
        for (key, spec) in deps.iter_mut().filter(|(_, spec)| !spec.is_str()) {
            let mut t = resolve_dep(ws, key, spec)?;
            if t.contains_key("path") {
                let pkg = dep_package(key, &t).to_string();
                let version = versions.get(&pkg).ok_or_else(|| VendorError::UnknownCrate(pkg.clone()))?;
                t.insert("path".into(), Value::String(format!("../{pkg}")));
                t.insert("version".into(), Value::String(format!("={version}")));
            }
            *spec = Value::Table(t);
        }
        Ok(())
    })?;
    if m.get("lints").is_some_and(inherited) {
        match ws.get("lints") {
            Some(l) => m.insert("lints".into(), l.clone()),
            None => m.remove("lints"),
        };
    }
    Ok(m)
}

/// `package.<key>` of an embedded crate, inherited from the workspace where it says so.
fn package_field(c: &EmbeddedCrate, ws: &Table, key: &str) -> Result<Option<String>, VendorError> {
    let m = manifest_of(c)?;
    let v = sub_table(&m, "package").and_then(|p| p.get(key));
    let v = if v.is_some_and(inherited) { sub_table(ws, "package").and_then(|p| p.get(key)) } else { v };
    Ok(v.and_then(Value::as_str).map(str::to_string))
}

fn package_version(c: &EmbeddedCrate, ws: &Table) -> Result<String, VendorError> {
    package_field(c, ws, "version")?.ok_or_else(|| bad(c.name, "no package.version"))
}

/// The oldest Rust the vendored crates build with, which a generated project
/// declares: the workspace's `rust-version`, or a crate's own where higher.
pub fn rust_version() -> Result<String, VendorError> {
    let ws = workspace()?;
    let parse = |v: &str| v.split('.').map(|n| n.parse::<u32>().unwrap_or(0)).collect::<Vec<_>>();
    let mut highest = sub_table(&ws, "package")
        .and_then(|p| p.get("rust-version"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| bad("the workspace Cargo.toml", "no workspace.package.rust-version"))?;
    for c in CRATES {
        if let Some(v) = package_field(c, &ws, "rust-version")?.filter(|v| parse(v) > parse(&highest)) {
            highest = v;
        }
    }
    Ok(highest)
}

/// The vendored crates `roots` need, each in `<dir>/<crate>/`; also returns
/// their standalone manifests by package name.
fn vendor_crates(roots: &[&str], dir: &str) -> Result<(Vec<OutFile>, BTreeMap<String, Table>), VendorError> {
    let ws = workspace()?;
    let crates = closure(&ws, roots)?;
    // Versions after inheritance, for the `=x.y.z` pins between the copies.
    let versions = crates
        .iter()
        .map(|c| Ok((c.name.to_string(), package_version(c, &ws)?)))
        .collect::<Result<BTreeMap<_, _>, VendorError>>()?;
    let mut files = Vec::new();
    let mut manifests = BTreeMap::new();
    for c in &crates {
        let base = PathBuf::from(dir).join(c.name);
        for f in c.files.iter().filter(|f| f.path != "Cargo.toml") {
            files.push((base.join(f.path), f.contents.to_vec()));
        }
        let m = standalone_manifest(c, &ws, &versions)?;
        let text = toml::to_string(&m).map_err(|e| bad(c.name, e.to_string()))?;
        let header = format!(
            "# {} {} as cargo-espb {} vendored it: the crate's own manifest with the\n\
             # workspace settings it inherits filled in, dev-dependencies left out (its\n\
             # tests are not copied) and its sibling crates taken from `../`.\n\n",
            c.name,
            versions[c.name],
            env!("CARGO_PKG_VERSION"),
        );
        files.push((base.join("Cargo.toml"), format!("{header}{text}").into_bytes()));
        manifests.insert(c.name.to_string(), m);
    }
    Ok((files, manifests))
}

/// The crates a Rust firmware manifest takes from `vendor/<crate>`, and what
/// they depend on, as files relative to the project.
pub fn rust_firmware_files(cargo_toml: &str) -> Result<Vec<OutFile>, VendorError> {
    let mut m = parse("the firmware's Cargo.toml", cargo_toml)?;
    let mut roots = Vec::new();
    let prefix = format!("{RUST_VENDOR_DIR}/");
    each_dep_table(&mut m, &mut |deps| {
        for (key, spec) in deps.iter() {
            let Some(path) = spec.as_table().and_then(|t| t.get("path")).and_then(Value::as_str) else { continue };
            let Some(dir) = path.strip_prefix(&prefix) else { continue };
            let pkg = spec.as_table().map(|t| dep_package(key, t)).unwrap_or(key);
            if dir != pkg {
                return Err(bad(key, format!("path `{path}`: a vendored crate lives in {prefix}{pkg}")));
            }
            roots.push(pkg.to_string());
        }
        Ok(())
    })?;
    let roots: Vec<&str> = roots.iter().map(String::as_str).collect();
    Ok(vendor_crates(&roots, RUST_VENDOR_DIR)?.0)
}

/// The ESP-IDF component `espb_runtime`, files relative to its directory:
/// the component of espb-sys, plus `rust/` (a workspace with espb-capi and
/// its crates, and their Cargo.lock).
pub fn idf_component_files() -> Result<Vec<OutFile>, VendorError> {
    let mut files: Vec<OutFile> = IDF_COMPONENT.iter().map(|f| (PathBuf::from(f.path), f.contents.to_vec())).collect();
    let (crates, manifests) = vendor_crates(&[IDF_CAPI_CRATE], IDF_RUST_DIR)?;
    files.extend(crates);
    let ws = workspace()?;
    let mut root = Table::new();
    let mut w = Table::new();
    if let Some(r) = ws.get("resolver") {
        w.insert("resolver".into(), r.clone());
    }
    w.insert("members".into(), Value::Array(manifests.keys().map(|k| Value::String(k.clone())).collect()));
    root.insert("workspace".into(), Value::Table(w));
    let full = parse("the workspace Cargo.toml", WORKSPACE_MANIFEST)?;
    if let Some(p) = full.get("profile") {
        root.insert("profile".into(), p.clone());
    }
    let text = toml::to_string(&root).map_err(|e| bad("the component's workspace", e.to_string()))?;
    let header = format!(
        "# The Rust side of the espb_runtime component: ../CMakeLists.txt builds\n\
         # {IDF_CAPI_CRATE} from this workspace with cargo during `idf.py build`. Written\n\
         # by cargo-espb {}; Cargo.lock pins the crates.io dependencies it was tested with.\n\n",
        env!("CARGO_PKG_VERSION")
    );
    let rust = PathBuf::from(IDF_RUST_DIR);
    files.push((rust.join("Cargo.toml"), format!("{header}{text}").into_bytes()));
    files.push((rust.join("Cargo.lock"), prune_lock(WORKSPACE_LOCK, &manifests)?.into_bytes()));
    Ok(files)
}

/// One `[[package]]` of a Cargo.lock.
struct Locked {
    name: String,
    version: String,
    source: Option<String>,
    checksum: Option<String>,
    deps: Vec<String>,
}

impl Locked {
    fn parse(block: &str) -> Result<Locked, VendorError> {
        let t = parse("Cargo.lock", block)?;
        let s = |k: &str| t.get(k).and_then(Value::as_str).map(str::to_string);
        if let Some(k) =
            t.keys().find(|k| !["name", "version", "source", "checksum", "dependencies"].contains(&k.as_str()))
        {
            return Err(bad("Cargo.lock", format!("unexpected package field `{k}`")));
        }
        let deps = t.get("dependencies").and_then(Value::as_array).into_iter().flatten();
        Ok(Locked {
            name: s("name").ok_or_else(|| bad("Cargo.lock", "a package without a name"))?,
            version: s("version").ok_or_else(|| bad("Cargo.lock", "a package without a version"))?,
            source: s("source"),
            checksum: s("checksum"),
            deps: deps.filter_map(Value::as_str).map(str::to_string).collect(),
        })
    }

    /// Does a lock `dependencies` entry (`name`, `name version` or
    /// `name version (source)`) name this package?
    fn is(&self, dep: &str) -> bool {
        let mut parts = dep.splitn(3, ' ');
        let name = parts.next() == Some(self.name.as_str());
        let version = parts.next().is_none_or(|v| v == self.version);
        let source = parts
            .next()
            .is_none_or(|s| Some(s.trim_start_matches('(').trim_end_matches(')')) == self.source.as_deref());
        name && version && source
    }
}

/// The packages of `lock` that the workspace of `members` (standalone
/// manifests by package name) uses, with the dependency lists cargo writes
/// for that smaller workspace: a member lists what its vendored manifest
/// declares, and a name carries its version only where two versions remain.
fn prune_lock(lock: &str, members: &BTreeMap<String, Table>) -> Result<String, VendorError> {
    let mut blocks = lock.split("\n[[package]]\n");
    let header = blocks.next().unwrap_or_default().trim_end();
    let all: Vec<Locked> = blocks.map(Locked::parse).collect::<Result<_, _>>()?;
    let mut keep = vec![false; all.len()];
    let mut deps_of: Vec<Vec<String>> = all.iter().map(|p| p.deps.clone()).collect();
    let mut queue = VecDeque::new();
    for (i, p) in all.iter().enumerate() {
        if let (None, Some(m)) = (&p.source, members.get(&p.name)) {
            let mut m = m.clone();
            let mut declared = BTreeSet::new();
            each_dep_table(&mut m, &mut |deps| {
                declared
                    .extend(deps.iter().map(|(k, v)| v.as_table().map(|t| dep_package(k, t)).unwrap_or(k).to_string()));
                Ok(())
            })?;
            deps_of[i].retain(|d| declared.contains(d.split(' ').next().unwrap_or(d)));
            queue.push_back(i);
        }
    }
    if queue.len() != members.len() {
        return Err(bad("Cargo.lock", "does not list every vendored crate"));
    }
    while let Some(i) = queue.pop_front() {
        if std::mem::replace(&mut keep[i], true) {
            continue;
        }
        for d in &deps_of[i] {
            let j =
                all.iter().position(|p| p.is(d)).ok_or_else(|| bad("Cargo.lock", format!("`{d}` is not locked")))?;
            queue.push_back(j);
        }
    }
    let kept: Vec<usize> = (0..all.len()).filter(|&i| keep[i]).collect();
    let same_name = |n: &str| kept.iter().filter(|&&k| all[k].name == n).count();
    let same_version = |n: &str, v: &str| kept.iter().filter(|&&k| all[k].name == n && all[k].version == v).count();
    let mut out = format!("{header}\n");
    for &i in &kept {
        let p = &all[i];
        out.push_str(&format!("\n[[package]]\nname = {:?}\nversion = {:?}\n", p.name, p.version));
        if let Some(s) = &p.source {
            out.push_str(&format!("source = {s:?}\n"));
        }
        if let Some(c) = &p.checksum {
            out.push_str(&format!("checksum = {c:?}\n"));
        }
        if deps_of[i].is_empty() {
            continue;
        }
        out.push_str("dependencies = [\n");
        for d in &deps_of[i] {
            let dep = kept.iter().map(|&k| &all[k]).find(|q| q.is(d)).ok_or_else(|| bad("Cargo.lock", d.clone()))?;
            let spelled = if same_name(&dep.name) == 1 {
                dep.name.clone()
            } else if same_version(&dep.name, &dep.version) == 1 {
                format!("{} {}", dep.name, dep.version)
            } else {
                format!("{} {} ({})", dep.name, dep.version, dep.source.as_deref().unwrap_or_default())
            };
            out.push_str(&format!(" {spelled:?},\n"));
        }
        out.push_str("]\n");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file<'f>(files: &'f [OutFile], path: &str) -> &'f [u8] {
        files.iter().find(|(p, _)| p == &PathBuf::from(path)).map(|(_, b)| b.as_slice()).unwrap_or_default()
    }

    #[test]
    fn rust_firmware_gets_the_closure_of_its_vendor_dependencies() {
        let manifest = "[package]\nname = \"fw\"\n[dependencies]\nespb-runtime = { path = \"vendor/espb-runtime\" }\n\
                        log = \"0.4\"\n[build-dependencies]\nespb-sys = { path = \"vendor/espb-sys\" }\n";
        let files = rust_firmware_files(manifest).unwrap_or_default();
        let runtime: Table = toml::from_str(&String::from_utf8_lossy(file(&files, "vendor/espb-runtime/Cargo.toml")))
            .unwrap_or_default();
        assert_eq!(runtime["package"]["edition"].as_str(), Some("2024"));
        assert!(runtime.get(DEV_DEPS).is_none(), "{runtime}");
        let sys: Table =
            toml::from_str(&String::from_utf8_lossy(file(&files, "vendor/espb-sys/Cargo.toml"))).unwrap_or_default();
        let dep = &sys["dependencies"]["espb-runtime"];
        assert_eq!(dep["path"].as_str(), Some("../espb-runtime"), "{sys}");
        assert_eq!(dep["version"].as_str(), Some(concat!("=", env!("CARGO_PKG_VERSION"))), "{sys}");
        assert!(!file(&files, "vendor/espb-sys/src/lib.rs").is_empty());
        assert!(
            files.iter().all(|(p, _)| !p.starts_with("vendor/espb-capi") && !p.starts_with("vendor/espb-sys/tests"))
        );
        assert!(files.iter().all(|(p, _)| !p.starts_with("vendor/espb-sys/component")), "shipped separately");
    }

    #[test]
    fn a_vendor_path_that_is_not_the_crate_is_refused() {
        let bad = "[dependencies]\nespb-runtime = { path = \"vendor/runtime\" }\n";
        let err = rust_firmware_files(bad).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("vendor/espb-runtime"), "{err}");
        let unknown = "[dependencies]\nespb-nope = { path = \"vendor/espb-nope\" }\n";
        assert!(matches!(rust_firmware_files(unknown), Err(VendorError::UnknownCrate(n)) if n == "espb-nope"));
    }

    #[test]
    fn idf_component_carries_capi_and_a_lock_for_it() {
        let files = idf_component_files().unwrap_or_default();
        let chips = espb_sys::component::CHIPS_CMAKE_PATH.strip_prefix("component/espb_runtime/").unwrap_or_default();
        for f in [
            "CMakeLists.txt",
            "include/espb_runtime.h",
            chips,
            "rust/espb-capi/src/lib.rs",
            "rust/espb-runtime/build.rs",
        ] {
            assert!(!file(&files, f).is_empty(), "{f} missing");
        }
        let lock = String::from_utf8_lossy(file(&files, "rust/Cargo.lock")).into_owned();
        for name in ["espb-capi", "espb-runtime", "thiserror", "crc32fast"] {
            assert!(lock.contains(&format!("name = \"{name}\"")), "{name}: {lock}");
        }
        // Only what the component's crates use: no dev-dependency, no other member.
        for name in ["proptest", "espb-sys", "inkwell"] {
            assert!(!lock.contains(&format!("\"{name}\"")), "{name}: {lock}");
        }
    }

    #[test]
    fn lock_dependency_spelling_follows_what_remains() {
        let lock = "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\n \"b 2.0.0\",\n]\n\n\
                    [[package]]\nname = \"b\"\nversion = \"1.0.0\"\nsource = \"s\"\n\n\
                    [[package]]\nname = \"b\"\nversion = \"2.0.0\"\nsource = \"s\"\n\n\
                    [[package]]\nname = \"c\"\nversion = \"0.1.0\"\ndependencies = [\n \"b 1.0.0\",\n]\n";
        let a: Table = toml::from_str("[dependencies]\nb = \"2\"\n").unwrap_or_default();
        let out = prune_lock(lock, &BTreeMap::from([("a".to_string(), a)])).unwrap_or_default();
        assert_eq!(
            out,
            "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"0.1.0\"\ndependencies = [\n \"b\",\n]\n\n\
             [[package]]\nname = \"b\"\nversion = \"2.0.0\"\nsource = \"s\"\n"
        );
    }
}
