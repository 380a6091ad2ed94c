#!/usr/bin/env python3
"""Writes tests/c/register_pressure.c (run from the repository root)."""
import sys

N32 = 320   # i32 values live across a loop
NF = 280    # doubles
N64 = 270   # i64 values
NV = 40     # 8-lane vectors (320 lanes)
o = []
w = o.append
w("// opt-levels: -O0 -O2 -O3")
w("/* Register pressure: functions with hundreds of values live at once (more")
w("   than the 256 registers one-byte operands reach), across loops and phis,")
w("   across calls (recursion, a many-argument call whose arguments are spilled),")
w("   as i32, i64, doubles and vectors. Each function folds its values into a")
w("   checksum the native build must agree with. Written by")
w("   scripts/gen_register_pressure.py. */")
w("#include <stdint.h>")
w("#include <stdio.h>")
w("#include <string.h>")
w("")
w("#define NOINLINE __attribute__((noinline))")
w("")
w("static uint32_t mix32(uint32_t h, uint32_t v) { h ^= v; h *= 16777619u; return h ^ (h >> 13); }")
w("static uint64_t bits(double d) { uint64_t b; memcpy(&b, &d, 8); return b; }")
w("")
# many-argument callee
w("NOINLINE static uint64_t many(uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3, uint32_t a4, uint32_t a5,")
w("                              uint32_t a6, uint32_t a7, uint32_t a8, uint32_t a9, uint32_t a10, uint32_t a11,")
w("                              uint64_t l0, uint64_t l1, uint64_t l2, uint64_t l3, double d0, double d1,")
w("                              double d2, double d3, uint32_t a12, uint32_t a13, uint32_t a14, uint32_t a15) {")
w("    uint32_t h = 2166136261u;")
for i in range(16):
    w(f"    h = mix32(h, a{i});")
for i in range(4):
    w(f"    h = mix32(h, (uint32_t)l{i}); h = mix32(h, (uint32_t)(l{i} >> 32));")
for i in range(4):
    w(f"    h = mix32(h, (uint32_t)bits(d{i})); h = mix32(h, (uint32_t)(bits(d{i}) >> 32));")
w("    return ((uint64_t)h << 32) | (a0 ^ a15);")
w("}")
w("")
# wide i32 with loop, recursion, many call
w(f"/* {N32} i32 values, all live across a loop (one phi each), a recursive")
w("   call and a call with 24 arguments. */")
w("NOINLINE static uint32_t wide32(uint32_t seed, int rounds, int depth) {")
for i in range(N32):
    w(f"    uint32_t x{i} = seed * {2*i+1}u + {i*7919 % 1000}u;")
w("    for (int k = 0; k < rounds; k++) {")
for i in range(N32):
    j = (i + 1) % N32
    op = ["+", "^", "-"][i % 3]
    w(f"        x{i} = (x{i} {op} x{j}) * {(i%5)*2+3}u + (uint32_t)k;")
w("    }")
w("    uint32_t inner = depth > 0 ? wide32(seed ^ x7, rounds, depth - 1) : 0;")
w("    uint64_t m = many(x1, x3, x5, x7, x11, x13, x17, x19, x23, x29, x31, x37,")
w("                      (uint64_t)x41 << 20 | x43, (uint64_t)x47 * x53, (uint64_t)x59 << 32 | x61, x67,")
w("                      (double)x71, (double)x73 / 8.0, (double)x79 * 0.5, -(double)x83,")
w("                      x89, x97, x101, x103);")
w("    uint32_t h = 2166136261u ^ inner ^ (uint32_t)m ^ (uint32_t)(m >> 32);")
for i in reversed(range(N32)):
    w(f"    h = mix32(h, x{i});")
w("    return h;")
w("}")
w("")
# doubles
w(f"/* {NF} doubles live across a loop. Products and sums are separate")
w("   statements: no contraction into fused multiply-adds on either side. */")
w("NOINLINE static uint32_t wide_double(double seed, int rounds) {")
for i in range(NF):
    w(f"    double d{i} = seed * {i%17+1}.0 + {i}.25;")
w("    for (int k = 0; k < rounds; k++) {")
for i in range(NF):
    j = (i + 3) % NF
    w(f"        double p{i} = d{j} * 0.5;")
    w(f"        d{i} = d{i} * 0.75;")
    w(f"        d{i} = d{i} + p{i};")
w("    }")
w("    uint32_t h = 2166136261u;")
for i in reversed(range(NF)):
    w(f"    h = mix32(h, (uint32_t)bits(d{i})); h = mix32(h, (uint32_t)(bits(d{i}) >> 32));")
w("    return h;")
w("}")
w("")
# i64
w(f"/* {N64} i64 values (two words each on the chips) across a loop. */")
w("NOINLINE static uint64_t wide64(uint64_t seed, int rounds) {")
for i in range(N64):
    w(f"    uint64_t y{i} = seed * {i*2654435761 % 100000 + 1}ull + ((uint64_t){i} << 40);")
w("    for (int k = 0; k < rounds; k++) {")
for i in range(N64):
    j = (i + 7) % N64
    w(f"        y{i} = (y{i} ^ (y{j} >> {i%29+1})) * 0x9E3779B97F4A7C15ull + (uint64_t)k;")
w("    }")
w("    uint64_t h = 0xcbf29ce484222325ull;")
for i in reversed(range(N64)):
    w(f"    h = (h ^ y{i}) * 0x100000001b3ull;")
w("    return h;")
w("}")
w("")
# vectors
w("typedef uint32_t v8u __attribute__((vector_size(32)));")
w(f"/* {NV} vectors of 8 lanes ({NV*8} scalars once scalarised) across a loop. */")
w("NOINLINE static uint32_t wide_vec(uint32_t seed, int rounds) {")
for i in range(NV):
    lanes = ", ".join(f"seed * {i*8+l+1}u + {l}u" for l in range(8))
    w(f"    v8u v{i} = {{{lanes}}};")
w("    for (int k = 0; k < rounds; k++) {")
for i in range(NV):
    j = (i + 1) % NV
    w(f"        v{i} = (v{i} ^ (v{j} >> 3)) * {i*2+3}u + (uint32_t)k;")
w("    }")
w("    uint32_t h = 2166136261u;")
for i in reversed(range(NV)):
    w(f"    for (int l = 0; l < 8; l++) h = mix32(h, v{i}[l]);")
w("    return h;")
w("}")
w("")
w("int main(void) {")
w("    volatile int rounds = 3;")
w('    printf("wide32 %08x\\n", wide32(12345u, rounds, 2));')
w('    printf("wide32 %08x\\n", wide32(0xdeadbeefu, 0, 0));')
w('    printf("wide_double %08x\\n", wide_double(1.5, rounds));')
w('    uint64_t h64 = wide64(0x0123456789abcdefull, rounds);')
w('    printf("wide64 %08x%08x\\n", (unsigned)(h64 >> 32), (unsigned)h64);')
w('    printf("wide_vec %08x\\n", wide_vec(77u, rounds));')
w("    return 0;")
w("}")
open(sys.argv[1] if len(sys.argv) > 1 else "tests/c/register_pressure.c", "w").write("\n".join(o) + "\n")
