#!/usr/bin/env bash
# Rebuilds the fuzzer's seed corpus (fuzz/corpus/*.espb) from the tests/c
# programs it names, with the cargo-espb of this tree. Run it after a
# change of the module format; commit the result. A seed named
# NAME@FLAG.espb is tests/c/NAME.c built with FLAG (e.g.
# register_pressure@-O3.espb for the spill moves of a big frame).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet -p cargo-espb
bin="${CARGO_TARGET_DIR:-target}/debug/cargo-espb"
for f in fuzz/corpus/*.espb; do
    name=$(basename "$f" .espb)
    flags=()
    if [[ $name == *@* ]]; then
        flags=("${name#*@}")
        name=${name%%@*}
    fi
    "$bin" espb build "tests/c/$name.c" -o "$f" -- ${flags[@]+"${flags[@]}"}
done
