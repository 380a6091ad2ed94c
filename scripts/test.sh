#!/usr/bin/env bash
# Installs what is missing, then runs every check CI runs: format, lints,
# the whole test suite, and the no_std runtime build for riscv32.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== espb-runtime for riscv32imc-unknown-none-elf (no_std)"
cargo build --quiet -p espb-runtime --target riscv32imc-unknown-none-elf --release
echo "== tests"
# The end-to-end suite must compare against native builds, not skip them.
export ESPB_E2E_REQUIRE_NATIVE=1
cargo test --workspace
