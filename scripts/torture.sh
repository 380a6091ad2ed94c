#!/usr/bin/env bash
# Runs GCC's self-checking C torture tests (gcc.c-torture/execute, from
# Debian's gcc-12-source) through `cargo espb build` and `cargo espb run`
# and sorts every program into one verdict per optimisation level:
#
#   pass       exit code 0 and the same stdout as the native build
#   refused    the build failed with an error (grouped by cause at the end)
#   BUG        anything else: abort(), a trap, a hang, other output
#   clang-too  a BUG whose program also fails when clang builds it natively
#              (undefined behaviour or GCC-only semantics, not espb's fault)
#   skip       the native gcc build does not compile or does not pass
#
#   scripts/torture.sh [-O "O0 O2 Os"] [--chip esp32] [-j 2] [--only GLOB] [--keep DIR]
#
# Needs apt-get (to download the source package; nothing is installed),
# gcc -m32 and clang-22. ESPB_CLI names a cargo-espb binary to test instead
# of building the release one. The exit code is 1 if any program is a BUG.
set -euo pipefail
cd "$(dirname "$0")/.."
levels="O0 O2 Os" chip="" jobs=2 only="*" keep=""
while [ $# -gt 0 ]; do
    case "$1" in
        -O) levels="$2"; shift 2 ;;
        --chip) chip="$2"; shift 2 ;;
        -j) jobs="$2"; shift 2 ;;
        --only) only="$2"; shift 2 ;;
        --keep) keep="$2"; shift 2 ;;
        *) echo "torture: unknown argument $1" >&2; exit 2 ;;
    esac
done
work=$(mktemp -d "${TMPDIR:-/tmp}/espb-torture.XXXXXX")
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
[ -z "$keep" ] || { mkdir -p "$keep"; work=$(cd "$keep" && pwd); }

espb="${ESPB_CLI:-}"
if [ -z "$espb" ]; then
    echo "== building cargo-espb"
    cargo build --quiet --release -p cargo-espb
    espb="${CARGO_TARGET_DIR:-target}/release/cargo-espb"
fi
espb=$(cd "$(dirname "$espb")" && pwd)/$(basename "$espb")

if [ ! -d "$work/src/execute" ]; then
    echo "== fetching gcc-12-source"
    (cd "$work" && apt-get download gcc-12-source >/dev/null 2>&1) ||
        { echo "torture: apt-get download gcc-12-source failed" >&2; exit 1; }
    mkdir -p "$work/src"
    dpkg-deb --fsys-tarfile "$work"/gcc-12-source_*.deb |
        tar -x -O --wildcards './usr/src/gcc-12/gcc-*.tar.xz' |
        tar -xJ -C "$work/src" --wildcards '*/gcc/testsuite/gcc.c-torture/execute/*'
    mv "$work"/src/gcc-*/gcc/testsuite/gcc.c-torture/execute "$work/src/execute"
    rm -rf "$work"/src/gcc-* "$work"/gcc-12-source_*.deb
fi

# GCC accepts old C that clang rejects by default; the torture tests use it.
export CFLAGS_C="-w -std=gnu17 -Wno-error=implicit-function-declaration -Wno-error=implicit-int \
-Wno-error=int-conversion -Wno-error=incompatible-pointer-types -Wno-error=return-type"
export NATIVE="-m32 -malign-double -msse2 -mfpmath=sse -ffp-contract=off -funsigned-char"
export espb levels chip work
one() {
    f=$1 n=$(basename "$1" .c) w="$work/out/$(basename "$1" .c)"
    mkdir -p "$w"
    # dg-options the test asks for, unless they depend on the target.
    opts=$(grep -o 'dg-\(additional-\)\?options "[^"]*" *}' "$f" | sed 's/.*options "\(.*\)".*/\1/' | tr '\n' ' ' || true)
    if ! gcc $NATIVE -O1 -w $opts "$f" -lm -o "$w/native" >/dev/null 2>&1; then echo "$n - skip native-build"; return; fi
    if ! timeout 10 "$w/native" >"$w/native.out" 2>/dev/null; then echo "$n - skip native-run"; return; fi
    for l in $levels; do
        if ! timeout 120 "$espb" espb build ${chip:+--chip "$chip"} "$f" -o "$w/$l.espb" -- -"$l" $CFLAGS_C $opts >"$w/$l.build" 2>&1; then
            echo "$n $l refused $(grep -m1 -A1 '×' "$w/$l.build" | tr -s ' \n│' ' ' | cut -c1-160)"
            continue
        fi
        # Big stacks and heaps: some tests need more than a module's defaults.
        rc=0
        timeout 60 "$espb" espb run --stack-size 2000000 --heap-size 2000000 "$w/$l.espb" >"$w/$l.out" 2>"$w/$l.err" || rc=$?
        if [ $rc = 0 ] && cmp -s "$w/$l.out" "$w/native.out"; then echo "$n $l pass"; continue; fi
        crc=0
        if clang-22 -m32 -msse2 -mfpmath=sse -ffp-contract=off -funsigned-char -"$l" $CFLAGS_C $opts "$f" -lm -o "$w/clang" >/dev/null 2>&1; then
            (ulimit -s unlimited; timeout 10 "$w/clang" >"$w/clang.out" 2>/dev/null) 2>/dev/null || crc=$?
            cmp -s "$w/clang.out" "$w/native.out" || crc=1
        fi
        verdict=BUG
        [ $crc = 0 ] || verdict=clang-too
        echo "$n $l $verdict rc=$rc $(grep -m1 'error:' "$w/$l.err" | cut -c1-140 || true)"
    done
}
export -f one
echo "== running (levels: $levels${chip:+, chip $chip})"
find "$work/src/execute" -maxdepth 2 -name "$only.c" ! -path '*/builtins/*' | sort |
    xargs -P "$jobs" -I{} bash -c 'one {}' | tee "$work/results.txt"
echo "== summary"
awk '{ print $3 }' "$work/results.txt" | sort | uniq -c
echo "== refusals by cause"
grep ' refused ' "$work/results.txt" | cut -d' ' -f4- |
    sed -E 's/ in function .*//; s/[[:alnum:]_.-]+\.c:[0-9]+(:[0-9]+)?/FILE/g' | sort | uniq -c | sort -rn
! grep -q ' BUG ' "$work/results.txt"
