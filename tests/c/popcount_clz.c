#include <stdio.h>
#include <stdint.h>

static int popcount_loop(uint32_t x) { int c = 0; while (x) { c += x & 1; x >>= 1; } return c; }
static int popcount_kernighan(uint32_t x) { int c = 0; while (x) { x &= x - 1; c++; } return c; }
static int popcount_swar(uint32_t x) {
    x = x - ((x >> 1) & 0x55555555u);
    x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0fu;
    return (int)((x * 0x01010101u) >> 24);
}
static int clz_loop(uint32_t x) { int n = 0; if (!x) return 32; while (!(x & 0x80000000u)) { x <<= 1; n++; } return n; }
static int ctz_loop(uint32_t x) { int n = 0; if (!x) return 32; while (!(x & 1)) { x >>= 1; n++; } return n; }
static int ilog2(uint32_t x) { return 31 - clz_loop(x); }
static uint32_t next_pow2(uint32_t x) {
    x--; x |= x >> 1; x |= x >> 2; x |= x >> 4; x |= x >> 8; x |= x >> 16; return x + 1;
}
static uint32_t reverse_bits(uint32_t x) {
    uint32_t r = 0;
    for (int i = 0; i < 32; i++) { r = (r << 1) | (x & 1); x >>= 1; }
    return r;
}

int main(void) {
    uint32_t vals[] = {0, 1, 2, 3, 0x80000000u, 0xffffffffu, 0x12345678u, 0xf0f0f0f0u, 1000, 65536, 0x7fffffffu};
    int agree = 1, total = 0;
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        uint32_t v = vals[i];
        int a = popcount_loop(v), b = popcount_kernighan(v), c = popcount_swar(v);
        agree &= a == b && b == c;
        total += a;
        printf("%08x: pop=%2d clz=%2d ctz=%2d rev=%08x", (unsigned)v, a, clz_loop(v), ctz_loop(v),
               (unsigned)reverse_bits(v));
        if (v) printf(" log2=%d np2=%u", ilog2(v), (unsigned)next_pow2(v));
        printf("\n");
    }
    printf("agree=%d total=%d\n", agree, total);
    return agree ? total : 255;
}
