//! The committed `component/espb_runtime/chips.cmake` is what the chip table
//! generates today. `ESPB_REGENERATE=1` rewrites it instead of failing.

use espb_sys::component::{CHIPS_CMAKE_PATH, chips_cmake};
use std::path::Path;

#[test]
fn committed_chips_cmake_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(CHIPS_CMAKE_PATH);
    let want = chips_cmake();
    if std::env::var_os("ESPB_REGENERATE").is_some_and(|v| v == "1") {
        std::fs::write(&path, &want).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        have == want,
        "{} is stale (the chip table changed): regenerate it with\n  \
         ESPB_REGENERATE=1 cargo test -p espb-sys --test component\n--- committed\n{have}\n--- generated\n{want}",
        path.display()
    );
}

#[test]
fn chips_cmake_maps_every_chip() {
    let text = chips_cmake();
    for chip in espb_runtime::chip::Chip::ALL {
        let rust = &chip.spec().rust;
        let target = format!("set(ESPB_CHIP_{chip}_RUST_TARGET \"{}\")", rust.bare_metal);
        assert!(text.contains(&target), "{target} missing:\n{text}");
    }
    assert!(
        text.contains("set(ESPB_CHIP_esp32s3_RUST_TOOLCHAIN \"esp\")\nset(ESPB_CHIP_esp32s3_BUILD_STD \"core,alloc\")")
    );
    assert!(text.contains("set(ESPB_CHIP_esp32c3_RUST_TOOLCHAIN \"\")\nset(ESPB_CHIP_esp32c3_BUILD_STD \"\")"));
}
