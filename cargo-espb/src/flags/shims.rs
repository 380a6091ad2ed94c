//! Headers that go before newlib's to make them work on their own
//! (`shims/` in this package): `<stdatomic.h>` needs `<stdint.h>` first.
//! They are written once per content to a folder of the system's temp dir,
//! which goes before newlib's on the include path.

use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// (name, contents) of each shim header.
const SHIMS: &[(&str, &str)] = &[("stdatomic.h", include_str!("../../shims/stdatomic.h"))];

/// The folder holding the shims, written if need be; `None` if it cannot be
/// written (the build then sees newlib's headers as they are).
pub fn dir() -> Option<PathBuf> {
    let mut h = Sha256::new();
    for (name, text) in SHIMS {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(text.as_bytes());
    }
    let digest = super::sdk::hex(&h.finalize()[..8]);
    let dir = std::env::temp_dir().join(format!("cargo-espb-shims-{digest}"));
    SHIMS.iter().all(|(name, text)| write_once(&dir, name, text)).then_some(dir)
}

/// Writes `dir/name` unless it holds `text` already; through a file of
/// this process's own and a rename, so parallel builds never see half a
/// header.
fn write_once(dir: &Path, name: &str, text: &str) -> bool {
    let path = dir.join(name);
    if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
        return true;
    }
    let tmp = dir.join(format!(".{name}.{}", std::process::id()));
    std::fs::create_dir_all(dir).is_ok() && std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, &path).is_ok()
}
