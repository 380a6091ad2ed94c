//! espb-sys's portable SDK headers, embedded in the binary and written
//! under a project's `.espb/sdk/include` so that clang and editors find
//! them without an espb-sys checkout.

use crate::flags::FlagsError;
use include_dir::{Dir, include_dir};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The headers of `espb-sys/sdk/include`.
pub static SDK_INCLUDE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/../espb-sys/sdk/include");

/// A digest of the embedded headers (names and contents).
pub fn sdk_digest() -> String {
    fn walk(d: &Dir<'_>, h: &mut Sha256) {
        for f in d.files() {
            h.update(f.path().to_string_lossy().as_bytes());
            h.update([0]);
            h.update(f.contents());
        }
        for s in d.dirs() {
            walk(s, h);
        }
    }
    let mut h = Sha256::new();
    walk(&SDK_INCLUDE, &mut h);
    hex(&h.finalize())
}

pub(crate) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// The include directory of the portable SDK for the project at `root`.
pub fn include_dir(root: &Path) -> PathBuf {
    root.join(".espb").join("sdk").join("include")
}

/// Writes the headers under `root/.espb/sdk/include` unless they are
/// already there in this version; returns that directory.
pub fn materialize(root: &Path) -> Result<PathBuf, FlagsError> {
    let dir = include_dir(root);
    let stamp = root.join(".espb").join("sdk").join("stamp");
    let digest = sdk_digest();
    if std::fs::read_to_string(&stamp).is_ok_and(|s| s.trim() == digest) && dir.is_dir() {
        return Ok(dir);
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(|source| FlagsError::Sdk { path: dir.clone(), source })?;
    }
    std::fs::create_dir_all(&dir).map_err(|source| FlagsError::Sdk { path: dir.clone(), source })?;
    SDK_INCLUDE.extract(&dir).map_err(|source| FlagsError::Sdk { path: dir.clone(), source })?;
    std::fs::write(&stamp, &digest).map_err(|source| FlagsError::Sdk { path: stamp, source })?;
    Ok(dir)
}
