//! Firmware contract: symbol manifests, sdkconfig, table generation.
//!
//! A *manifest* lists the natives a firmware exports to `.espb` modules, each
//! at an explicit, stable index (see `docs/symbols.md`). From one manifest this
//! crate generates the firmware side of a symbol table: C source for an
//! ESP-IDF component ([`gen_c`]) or Rust source from a firmware's `build.rs`
//! ([`TableBuilder`]). Both embed the table's [`hash`], which covers indices,
//! names and the natives' C signatures, never the configuration, and the
//! signatures the runtime checks calls against (docs/symbols.md).

mod builder;
pub mod c_text;
pub mod check;
pub mod component;
mod error;
pub mod gen_c;
pub mod gen_rust;
pub mod hash;
mod manifest;
pub mod sdkconfig;
pub mod symfile;

pub use builder::{GeneratedC, GeneratedRust, TableBuilder};
pub use error::Error;
pub use manifest::{Entry, Guard, GuardTerm, Manifest, VersionOp, split_comment};
pub use sdkconfig::{Sdkconfig, Value};

/// Text of the standard `idf` manifest shipped with espb-sys.
pub const STANDARD_IDF_MANIFEST: &str = include_str!("../manifests/idf.espbsym");

/// Call hints for the natives of the standard `idf` table (callback and
/// context arguments, blocking calls), in the `.hints` syntax that
/// cargo-espb parses (docs/symbols.md "Default hints").
pub const STANDARD_IDF_HINTS: &str = include_str!("../manifests/idf.hints");

/// Kconfig file of the ESP-IDF component that carries the `idf` table: the
/// espb-owned opt-in options the standard manifest's guards refer to.
pub const STANDARD_IDF_KCONFIG: &str = include_str!("../manifests/idf.Kconfig");

/// The standard `idf` manifest (libc, FreeRTOS, esp_timer, log, system, heap,
/// drivers, NVS, esp_event, Wi-Fi basics).
///
/// The text is embedded in the crate and checked by the test suite, so this
/// parse cannot fail in a released crate; should it ever fail, the error is
/// returned by [`try_standard_idf_manifest`] instead.
pub fn standard_idf_manifest() -> Manifest {
    match try_standard_idf_manifest() {
        Ok(m) => m,
        // The embedded text is a compile-time constant covered by tests:
        // an error here is a bug in espb-sys, not a user input problem.
        Err(e) => unreachable!("embedded idf manifest is invalid: {e}"),
    }
}

/// Like [`standard_idf_manifest`], returning the parse error instead.
pub fn try_standard_idf_manifest() -> Result<Manifest, Error> {
    Manifest::parse_named("idf", STANDARD_IDF_MANIFEST, "espb-sys/manifests/idf.espbsym")
}
