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
echo "== cargo-espb without the translator (no LLVM)"
cargo clippy -p cargo-espb --no-default-features --all-targets --quiet -- -D warnings
for t in riscv32imc-unknown-none-elf riscv32imafc-unknown-none-elf; do
    echo "== espb-runtime and espb-capi for $t (no_std)"
    cargo build --quiet -p espb-runtime -p espb-capi --target "$t" --release
done
echo "== tests"
# The end-to-end suite must compare against native builds, not skip them.
export ESPB_E2E_REQUIRE_NATIVE=1
cargo test --workspace
