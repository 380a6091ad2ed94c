//! The ESP-IDF component `espb_runtime` (`component/espb_runtime/`): its
//! `CMakeLists.txt` builds espb-capi with cargo for the chip's Rust target,
//! and reads that target from `chips.cmake`, which [`chips_cmake`] generates
//! from espb-runtime's chip table. The file is committed (the component must
//! configure without cargo-espb); `tests/component.rs` fails when it is
//! stale and says how to regenerate it.

use espb_runtime::chip::Chip;
use std::fmt::Write;

/// Where the generated file lives, relative to this crate's directory.
pub const CHIPS_CMAKE_PATH: &str = "component/espb_runtime/chips.cmake";

/// The crates espb-capi needs built from source where the toolchain has no
/// prebuilt ones (`-Zbuild-std=...`).
pub const CAPI_BUILD_STD: &str = "core,alloc";

/// Text of `chips.cmake`: `ESPB_CHIPS` (every IDF_TARGET the runtime
/// supports) and, per chip, `ESPB_CHIP_<chip>_RUST_TARGET`,
/// `ESPB_CHIP_<chip>_RUST_TOOLCHAIN` (empty: cargo's default) and
/// `ESPB_CHIP_<chip>_BUILD_STD` (empty: prebuilt `core`/`alloc`).
pub fn chips_cmake() -> String {
    let names: Vec<&str> = Chip::ALL.iter().map(|c| c.name()).collect();
    let mut s = String::from(
        "# Generated from espb-runtime's chip table (espb-runtime/src/chip.rs) by\n\
         # espb_sys::component::chips_cmake; `cargo espb new` copies it into firmware\n\
         # projects with the runtime it belongs to. Not edited by hand: in the\n\
         # cargo-espb repository change the table, then run\n\
         #   ESPB_REGENERATE=1 cargo test -p espb-sys --test component\n\
         # (the test fails while this file is stale).\n\
         #\n\
         # Per IDF_TARGET: the Rust target espb-capi is built for, the toolchain\n\
         # cargo must use (empty: cargo's default) and the crates -Zbuild-std must\n\
         # build (empty: the toolchain ships them prebuilt).\n",
    );
    let _ = writeln!(s, "set(ESPB_CHIPS {})", names.join(" "));
    for chip in Chip::ALL {
        let rust = &chip.spec().rust;
        let name = chip.name();
        let build_std = if rust.esp_toolchain { CAPI_BUILD_STD } else { "" };
        let _ = writeln!(s, "set(ESPB_CHIP_{name}_RUST_TARGET \"{}\")", rust.bare_metal);
        let _ = writeln!(s, "set(ESPB_CHIP_{name}_RUST_TOOLCHAIN \"{}\")", rust.bare_metal_toolchain().unwrap_or(""));
        let _ = writeln!(s, "set(ESPB_CHIP_{name}_BUILD_STD \"{build_std}\")");
    }
    s
}
