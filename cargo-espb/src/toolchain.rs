//! Finding clang and checking that its bitcode can be read.
//!
//! Order: `ESPB_CLANG`, `[build] clang` of espb.toml, esp-clang from
//! ESP-IDF's tools (`$IDF_TOOLS_PATH`, default `~/.espressif`,
//! `tools/esp-clang/<version>/esp-clang/bin/clang`, newest first), then
//! `clang-22` and `clang` on the PATH. Bitcode of an older LLVM loads in a
//! newer one, so any clang up to [`TRANSLATOR_LLVM_MAJOR`] is accepted.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The LLVM major version the translator is linked against (inkwell, llvm22).
pub const TRANSLATOR_LLVM_MAJOR: u32 = 22;

#[derive(Debug, thiserror::Error)]
pub enum ToolchainError {
    #[error("{what} is set to `{}`, which is not an executable clang; fix it or unset it", path.display())]
    Missing { what: &'static str, path: PathBuf },

    #[error(
        "clang not found (looked at ESPB_CLANG, espb.toml `[build] clang`, {}, clang-22 and clang on the PATH): \
         install ESP-IDF's esp-clang (`idf_tools.py install esp-clang`) or `apt-get install clang-22`, \
         or set ESPB_CLANG", idf_tools.display()
    )]
    NotFound { idf_tools: PathBuf },

    #[error("could not run `{} --version`: {source}", path.display())]
    Spawn { path: PathBuf, source: std::io::Error },

    #[error("`{} --version` printed no clang version:\n{output}", path.display())]
    NoVersion { path: PathBuf, output: String },

    #[error(
        "clang {major} ({}) produces bitcode newer than this cargo-espb's LLVM {TRANSLATOR_LLVM_MAJOR} can read; \
         use clang <= {TRANSLATOR_LLVM_MAJOR} (set ESPB_CLANG or `[build] clang`) or upgrade cargo-espb",
        path.display()
    )]
    TooNew { path: PathBuf, major: u32 },
}

/// A clang that was found and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Toolchain {
    pub clang: PathBuf,
    /// `major.minor.patch`.
    pub version: (u32, u32, u32),
    /// The first line of `clang --version` (part of the cache key).
    pub version_line: String,
    /// Espressif's esp-clang (knows `xtensa-esp-elf` and `-mcpu=esp32*`).
    pub esp_clang: bool,
    /// How it was found (for `--verbose`).
    pub found_by: &'static str,
}

/// ESP-IDF's tools directory: `IDF_TOOLS_PATH`, else `~/.espressif`.
pub fn idf_tools_path() -> PathBuf {
    if let Some(p) = std::env::var_os("IDF_TOOLS_PATH").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE")).unwrap_or_default();
    PathBuf::from(home).join(".espressif")
}

/// esp-clang binaries installed by ESP-IDF's tools, newest version first.
pub fn esp_clang_candidates(tools: &Path) -> Vec<PathBuf> {
    let base = tools.join("tools").join("esp-clang");
    let Ok(rd) = std::fs::read_dir(&base) else { return Vec::new() };
    let mut versions: Vec<PathBuf> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    versions.sort_by_key(|v| std::cmp::Reverse(version_key(v)));
    versions
        .into_iter()
        .map(|v| v.join("esp-clang").join("bin").join(if cfg!(windows) { "clang.exe" } else { "clang" }))
        .filter(|p| p.is_file())
        .collect()
}

/// Orders `esp-18.1.2_20240912` after `esp-17.0.1_20240419`.
fn version_key(p: &Path) -> Vec<u64> {
    let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    name.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).filter_map(|s| s.parse().ok()).collect()
}

/// Parses `... clang version 22.1.8 ...`.
pub fn parse_version(output: &str) -> Option<((u32, u32, u32), String)> {
    for line in output.lines() {
        let Some(i) = line.find("clang version ") else { continue };
        let rest = &line[i + "clang version ".len()..];
        let num: String = rest.chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        let mut parts = num.split('.').map(|p| p.parse::<u32>().ok());
        let major = parts.next().flatten()?;
        let minor = parts.next().flatten().unwrap_or(0);
        let patch = parts.next().flatten().unwrap_or(0);
        return Some(((major, minor, patch), line.trim().to_string()));
    }
    None
}

fn resolve_exe(p: &Path) -> Option<PathBuf> {
    which::which(p).ok()
}

/// Where [`locate`] found clang.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoundBy {
    Env,
    Configured,
    IdfTools,
    Path,
}

impl FoundBy {
    /// How it was found, for `--verbose`.
    pub fn describe(self) -> &'static str {
        match self {
            FoundBy::Env => "ESPB_CLANG",
            FoundBy::Configured => "espb.toml [build] clang",
            FoundBy::IdfTools => "ESP-IDF tools (esp-clang)",
            FoundBy::Path => "PATH",
        }
    }
}

/// Finds the clang binary (see the module docs) without running it;
/// `configured` is espb.toml's `[build] clang` (already resolved against the
/// project directory).
pub fn locate(configured: Option<&Path>) -> Result<(PathBuf, FoundBy), ToolchainError> {
    if let Some(p) = std::env::var_os("ESPB_CLANG").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        let exe = resolve_exe(&p).ok_or(ToolchainError::Missing { what: "ESPB_CLANG", path: p })?;
        return Ok((exe, FoundBy::Env));
    }
    if let Some(p) = configured {
        let exe = resolve_exe(p)
            .ok_or_else(|| ToolchainError::Missing { what: "espb.toml `[build] clang`", path: p.to_path_buf() })?;
        return Ok((exe, FoundBy::Configured));
    }
    let tools = idf_tools_path();
    if let Some(p) = esp_clang_candidates(&tools).into_iter().next() {
        return Ok((p, FoundBy::IdfTools));
    }
    for name in ["clang-22", "clang"] {
        if let Ok(p) = which::which(name) {
            return Ok((p, FoundBy::Path));
        }
    }
    Err(ToolchainError::NotFound { idf_tools: tools.join("tools").join("esp-clang") })
}

/// Finds clang ([`locate`]) and checks its version ([`check`]).
pub fn find(configured: Option<&Path>) -> Result<Toolchain, ToolchainError> {
    let (clang, found_by) = locate(configured)?;
    check(clang, found_by.describe())
}

/// Runs `clang --version` and applies the version rule.
pub fn check(clang: PathBuf, found_by: &'static str) -> Result<Toolchain, ToolchainError> {
    let out = Command::new(&clang)
        .arg("--version")
        .output()
        .map_err(|source| ToolchainError::Spawn { path: clang.clone(), source })?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let Some((version, version_line)) = parse_version(&text) else {
        let output = format!("{text}{}", String::from_utf8_lossy(&out.stderr));
        return Err(ToolchainError::NoVersion { path: clang, output });
    };
    if version.0 > TRANSLATOR_LLVM_MAJOR {
        return Err(ToolchainError::TooNew { path: clang, major: version.0 });
    }
    let esp_clang = text.to_ascii_lowercase().contains("espressif");
    Ok(Toolchain { clang, version, version_line, esp_clang, found_by })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(parse_version("Debian clang version 22.1.8 (1~deb12u1)\nTarget: x").map(|v| v.0), Some((22, 1, 8)));
        assert_eq!(
            parse_version("clang version 18.1.2 (https://github.com/espressif/llvm-project esp-18.1.2_20240912)")
                .map(|v| v.0),
            Some((18, 1, 2))
        );
        assert_eq!(parse_version("gcc (GCC) 12"), None);
    }

    #[test]
    fn esp_clang_dirs_newest_first() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for v in ["esp-17.0.1_20240419", "esp-18.1.2_20240912", "esp-16.0.0_20230516"] {
            let bin = d.path().join("tools/esp-clang").join(v).join("esp-clang/bin");
            std::fs::create_dir_all(&bin).unwrap_or_else(|e| panic!("{e}"));
            std::fs::write(bin.join("clang"), "").unwrap_or_else(|e| panic!("{e}"));
        }
        let c = esp_clang_candidates(d.path());
        assert_eq!(c.len(), 3);
        assert!(c[0].to_string_lossy().contains("esp-18.1.2"));
    }
}
