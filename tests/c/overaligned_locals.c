#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Locals whose alignment is larger than the 16 bytes a frame is aligned to:
   DMA buffers and cache-line-aligned data ask for 32, 64 or 128. */

struct __attribute__((aligned(32))) line32 { char c[20]; };
struct __attribute__((aligned(64))) line64 { int v[3]; };

static int aligned(const void *p, uintptr_t a) { return ((uintptr_t)p & (a - 1)) == 0; }

/* A call that the optimiser cannot see through, so the checks happen at run time. */
__attribute__((noinline)) static int check(const void *p, uintptr_t a) { return aligned(p, a); }

__attribute__((noinline)) static int locals(int n) {
    char small = (char)n;
    _Alignas(64) char b64[5];
    _Alignas(128) int b128[2];
    _Alignas(256) short b256[3];
    struct line32 l32[2];
    struct line64 l64;
    _Alignas(32) char vla[n];
    _Alignas(256) char vla256[n];
    memset(b64, 1, sizeof b64);
    b128[1] = n;
    b256[2] = (short)(2 * n);
    l32[1].c[19] = 3;
    l64.v[2] = 4;
    vla[n - 1] = 5;
    vla256[0] = 6;
    int bits = check(b64, 64) | check(b128, 128) << 1 | check(b256, 256) << 2 | check(&l32[1], 32) << 3 |
               check(&l64, 64) << 4 | check(vla, 32) << 5 | check(vla256, 256) << 6;
    int sum = small + b64[4] + b128[1] + b256[2] + l32[1].c[19] + l64.v[2] + vla[n - 1] + vla256[0];
    return bits * 1000 + sum;
}

__attribute__((noinline)) static int depth(int d) {
    _Alignas(64) char x[3];
    x[0] = (char)d;
    int ok = check(x, 64);
    return d > 0 ? ok + depth(d - 1) : ok + x[0];
}

__attribute__((noinline)) static int by_value(struct line64 s, int k) { return check(&s, 64) * 100 + s.v[k]; }

int main(void) {
    for (int n = 1; n <= 5; n++) printf("locals(%d) = %d\n", n, locals(n));
    printf("depth = %d\n", depth(6));
    struct line64 s = { { 7, 8, 9 } };
    printf("by value = %d\n", by_value(s, 2));
    return 0;
}
