#!/usr/bin/env bash
# Rebuilds the fuzzer's seed corpus (fuzz/corpus/*.espb) from the tests/c
# programs it names, with the cargo-espb of this tree. Run it after a
# change of the module format; commit the result.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet -p cargo-espb
bin="${CARGO_TARGET_DIR:-target}/debug/cargo-espb"
for f in fuzz/corpus/*.espb; do
    name=$(basename "$f" .espb)
    "$bin" espb build "tests/c/$name.c" -o "$f"
done
