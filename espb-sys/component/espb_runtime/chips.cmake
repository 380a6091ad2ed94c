# Generated from espb-runtime's chip table (espb-runtime/src/chip.rs) by
# espb_sys::component::chips_cmake; `cargo espb new` copies it into firmware
# projects with the runtime it belongs to. Not edited by hand: in the
# cargo-espb repository change the table, then run
#   ESPB_REGENERATE=1 cargo test -p espb-sys --test component
# (the test fails while this file is stale).
#
# Per IDF_TARGET: the Rust target espb-capi is built for, the toolchain
# cargo must use (empty: cargo's default) and the crates -Zbuild-std must
# build (empty: the toolchain ships them prebuilt).
set(ESPB_CHIPS esp32 esp32s2 esp32s3 esp32c2 esp32c3 esp32c6 esp32h2 esp32p4)
set(ESPB_CHIP_esp32_RUST_TARGET "xtensa-esp32-none-elf")
set(ESPB_CHIP_esp32_RUST_TOOLCHAIN "esp")
set(ESPB_CHIP_esp32_BUILD_STD "core,alloc")
set(ESPB_CHIP_esp32s2_RUST_TARGET "xtensa-esp32s2-none-elf")
set(ESPB_CHIP_esp32s2_RUST_TOOLCHAIN "esp")
set(ESPB_CHIP_esp32s2_BUILD_STD "core,alloc")
set(ESPB_CHIP_esp32s3_RUST_TARGET "xtensa-esp32s3-none-elf")
set(ESPB_CHIP_esp32s3_RUST_TOOLCHAIN "esp")
set(ESPB_CHIP_esp32s3_BUILD_STD "core,alloc")
set(ESPB_CHIP_esp32c2_RUST_TARGET "riscv32imc-unknown-none-elf")
set(ESPB_CHIP_esp32c2_RUST_TOOLCHAIN "")
set(ESPB_CHIP_esp32c2_BUILD_STD "")
set(ESPB_CHIP_esp32c3_RUST_TARGET "riscv32imc-unknown-none-elf")
set(ESPB_CHIP_esp32c3_RUST_TOOLCHAIN "")
set(ESPB_CHIP_esp32c3_BUILD_STD "")
set(ESPB_CHIP_esp32c6_RUST_TARGET "riscv32imac-unknown-none-elf")
set(ESPB_CHIP_esp32c6_RUST_TOOLCHAIN "")
set(ESPB_CHIP_esp32c6_BUILD_STD "")
set(ESPB_CHIP_esp32h2_RUST_TARGET "riscv32imac-unknown-none-elf")
set(ESPB_CHIP_esp32h2_RUST_TOOLCHAIN "")
set(ESPB_CHIP_esp32h2_BUILD_STD "")
set(ESPB_CHIP_esp32p4_RUST_TARGET "riscv32imafc-unknown-none-elf")
set(ESPB_CHIP_esp32p4_RUST_TOOLCHAIN "")
set(ESPB_CHIP_esp32p4_BUILD_STD "")
