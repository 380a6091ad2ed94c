#!/usr/bin/env bash
# Installs what cargo-espb needs on Debian 12 (as root, or with sudo):
# LLVM 22 + clang-22 (translator and C front end), clang-15 and clang-19
# (older bitcode, as esp-clang makes it, in the e2e tests), newlib headers (the
# module's libc headers), gcc-multilib (native ILP32 builds for differential
# tests), csmith (random differential tests), lld-22 (wasm benchmark),
# bindgen (wasm3-sys, the benchmark's wasm3 column, runs it; it uses clang-15's
# libclang, see .cargo/config.toml), valgrind (`espb-bench --callgrind`),
# qemu-system-misc (RISC-V runs), cmake + make (the ESP-IDF component's CMake, run
# against a stub ESP-IDF in tests), and the Rust targets of the no_std
# runtime: riscv32imc (ilp32) and riscv32imafc (ilp32f, ESP32-P4).
# Idempotent: installs only what is missing.
set -euo pipefail

packages=(clang-22 clang-15 clang-19 llvm-22-dev lld-22 libpolly-22-dev libnewlib-dev gcc-multilib csmith libcsmith-dev
          qemu-system-misc cmake make bindgen valgrind zlib1g-dev libzstd-dev libxml2-dev libffi-dev pkg-config)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null; then
    echo "setup: cargo not found; install Rust with rustup first (https://rustup.rs)" >&2
    exit 1
fi
for t in riscv32imc-unknown-none-elf riscv32imafc-unknown-none-elf; do
    if ! rustup target list --installed | grep -q "^$t\$"; then
        echo "setup: adding rustup target $t"
        rustup target add "$t"
    fi
done
for c in rustfmt clippy; do
    rustup component list --installed | grep -q "^$c" || rustup component add "$c"
done
export LLVM_SYS_221_PREFIX=/usr/lib/llvm-22
echo "setup: ok (clang-22 $(clang-22 --version | head -1 | grep -o '[0-9][0-9.]*' | head -1))"
