#!/usr/bin/env bash
# Installs what is missing, then runs every check CI runs: format, lints,
# the whole test suite, and the no_std runtime build for riscv32.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# A full disk shows up as a linker killed by SIGBUS, far from the cause: say
# it first. A clean build of the workspace and its tests takes about 4 GB.
avail_kb=$(df -Pk "${CARGO_TARGET_DIR:-target}" 2>/dev/null | awk 'NR == 2 {print $4}' || true)
[ -n "$avail_kb" ] || avail_kb=$(df -Pk . | awk 'NR == 2 {print $4}')
if [ "$avail_kb" -lt $((6 * 1024 * 1024)) ]; then
    echo "test: only $((avail_kb / 1024)) MB free on the build disk; the build needs about 4 GB (free space or set CARGO_TARGET_DIR elsewhere)" >&2
fi
# Incremental caches double the size of target/ and do not help a one-shot run.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
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
