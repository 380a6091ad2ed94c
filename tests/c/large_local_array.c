#include <stdio.h>
#include <string.h>
#include <stdint.h>

static uint32_t checksum(const uint8_t *p, unsigned n) {
    uint32_t a = 1, b = 0;
    for (unsigned i = 0; i < n; i++) { a = (a + p[i]) % 65521; b = (b + a) % 65521; }
    return (b << 16) | a;
}

static int fill_and_sum(int depth) {
    int local[64];
    memset(local, 0, sizeof local);
    for (int i = 0; i < 64; i++) local[i] = i * depth;
    int s = 0;
    if (depth > 0) s = fill_and_sum(depth - 1);
    for (int i = 0; i < 64; i++) s += local[i] & 0xff;
    return s;
}

/* Stays within a 16 KiB stack (the default .espb stack, like an ESP-IDF task's). */
int main(void) {
    uint8_t big[3072];
    memset(big, 0x5a, sizeof big);
    printf("after memset: %08x\n", (unsigned)checksum(big, sizeof big));
    for (unsigned i = 0; i < sizeof big; i++) big[i] = (uint8_t)(i * 7 + (i >> 8));
    uint8_t copy[3072];
    memcpy(copy, big, sizeof big);
    printf("copy equal: %d, checksum %08x\n", memcmp(copy, big, sizeof big) == 0, (unsigned)checksum(copy, sizeof copy));
    memset(copy + 100, 0, 1000);
    printf("after partial clear: equal=%d cmp<0:%d checksum %08x\n", memcmp(copy, big, sizeof big) == 0,
           memcmp(copy, big, sizeof big) < 0, (unsigned)checksum(copy, sizeof copy));
    memmove(copy + 1, copy, 2000);
    printf("after memmove: %08x\n", (unsigned)checksum(copy, sizeof copy));
    struct { double d[64]; long long q[64]; } rec;
    memset(&rec, 0, sizeof rec);
    for (int i = 0; i < 64; i++) { rec.d[i] = i * 0.5; rec.q[i] = (long long)i << 33; }
    double ds = 0;
    long long qs = 0;
    for (int i = 0; i < 64; i++) { ds += rec.d[i]; qs += rec.q[i]; }
    printf("rec: %.1f %lld sizeof=%u\n", ds, qs, (unsigned)sizeof rec);
    printf("fill_and_sum(10) = %d\n", fill_and_sum(10));
    int zeroed[100] = {0};
    int initialised[100] = {1, 2, 3};
    int nz = 0;
    for (int i = 0; i < 100; i++) nz += zeroed[i] != 0 || (i >= 3 && initialised[i] != 0);
    printf("implicit zeros ok: %d\n", nz == 0);
    return (int)(checksum(big, sizeof big) & 0x7f);
}
