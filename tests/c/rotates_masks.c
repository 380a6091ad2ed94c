#include <stdio.h>
#include <stdint.h>

static uint32_t rotl32(uint32_t x, unsigned r) { r &= 31; return (x << r) | (x >> ((32 - r) & 31)); }
static uint32_t rotr32(uint32_t x, unsigned r) { r &= 31; return (x >> r) | (x << ((32 - r) & 31)); }
static uint8_t rotl8(uint8_t x, unsigned r) { r &= 7; return (uint8_t)((x << r) | (x >> ((8 - r) & 7))); }
static uint64_t rotl64(uint64_t x, unsigned r) { r &= 63; return (x << r) | (x >> ((64 - r) & 63)); }

static uint32_t extract(uint32_t v, unsigned lo, unsigned len) { return (v >> lo) & ((len >= 32) ? 0xffffffffu : ((1u << len) - 1)); }
static uint32_t insert(uint32_t v, unsigned lo, unsigned len, uint32_t f) {
    uint32_t mask = ((1u << len) - 1) << lo;
    return (v & ~mask) | ((f << lo) & mask);
}

/* FNV-1a and a murmur-like finalizer */
static uint32_t fnv1a(const char *s) {
    uint32_t h = 2166136261u;
    while (*s) { h ^= (uint8_t)*s++; h *= 16777619u; }
    return h;
}
static uint32_t fmix32(uint32_t h) {
    h ^= h >> 16; h *= 0x85ebca6bu; h ^= h >> 13; h *= 0xc2b2ae35u; h ^= h >> 16; return h;
}

int main(void) {
    uint32_t x = 0x80000001u;
    for (unsigned r = 0; r < 40; r += 7)
        printf("rotl(%u)=%08x rotr(%u)=%08x\n", r, (unsigned)rotl32(x, r), r, (unsigned)rotr32(0x12345678u, r));
    printf("rotl8: %02x %02x\n", rotl8(0x81, 1), rotl8(0x0f, 4));
    printf("rotl64: %016llx\n", (unsigned long long)rotl64(0x8000000000000001ULL, 3));
    uint32_t reg = 0;
    reg = insert(reg, 4, 3, 5);
    reg = insert(reg, 12, 8, 0xab);
    reg = insert(reg, 28, 4, 0x1f); /* truncated to 0xf */
    printf("reg=%08x field(12,8)=%x field(4,3)=%u all=%08x\n", (unsigned)reg, (unsigned)extract(reg, 12, 8),
           (unsigned)extract(reg, 4, 3), (unsigned)extract(reg, 0, 32));
    uint32_t m = 0xdeadbeefu;
    printf("lowest set=%08x clear lowest=%08x isolate zero=%08x ~=%08x ^=%08x\n", (unsigned)(m & -m),
           (unsigned)(m & (m - 1)), (unsigned)(~m & (m + 1)), (unsigned)~m, (unsigned)(m ^ 0xffff0000u));
    const char *keys[] = {"", "a", "espb", "hello world", "ESP32-C3"};
    uint32_t acc = 0;
    for (int i = 0; i < 5; i++) {
        printf("fnv1a('%s') = %08x fmix=%08x\n", keys[i], (unsigned)fnv1a(keys[i]), (unsigned)fmix32(fnv1a(keys[i])));
        acc ^= fmix32(fnv1a(keys[i]));
    }
    return (int)(acc & 0x7f);
}
