#!/usr/bin/env bash
# The main job, end to end: install what is missing, build cargo-espb,
# compile a sample C module to .espb and run it on the PC.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo install --quiet --locked --path cargo-espb
mkdir -p target
cargo espb build examples/hello.c -o target/hello.espb
cargo espb run target/hello.espb
