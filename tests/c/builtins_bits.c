#include <stdio.h>
#include <stdint.h>

int main(void) {
    uint32_t vals[] = {1, 2, 0x80000000u, 0xffffffffu, 0x00f00000u, 0x12345678u, 0x7u, 0x10000u};
    int sum = 0;
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        uint32_t v = vals[i];
        printf("%08x clz=%d ctz=%d pop=%d bswap=%08x parity=%d ffs=%d\n", (unsigned)v, __builtin_clz(v),
               __builtin_ctz(v), __builtin_popcount(v), (unsigned)__builtin_bswap32(v), __builtin_parity(v),
               __builtin_ffs((int)v));
        sum += __builtin_clz(v) + __builtin_ctz(v) + __builtin_popcount(v);
    }
    uint64_t w[] = {1, 0x8000000000000000ULL, 0x00000001ffffffffULL, 0x0123456789abcdefULL, 0xfffffffffULL << 20};
    for (unsigned i = 0; i < sizeof w / sizeof w[0]; i++) {
        uint64_t v = w[i];
        printf("%016llx clzll=%d ctzll=%d popll=%d bswap64=%016llx\n", (unsigned long long)v,
               __builtin_clzll(v), __builtin_ctzll(v), __builtin_popcountll(v),
               (unsigned long long)__builtin_bswap64(v));
        sum += __builtin_popcountll(v);
    }
    uint16_t h = 0xabcd;
    printf("bswap16 %04x\n", __builtin_bswap16(h));
    /* overflow-checking builtins */
    int r;
    int o1 = __builtin_add_overflow(0x7fffffff, 1, &r);
    printf("add_overflow: %d %d\n", o1, r);
    unsigned ur;
    int o2 = __builtin_mul_overflow(65536u, 65536u, &ur);
    printf("mul_overflow: %d %u\n", o2, ur);
    int o3 = __builtin_sub_overflow(-5, 10, &r);
    printf("sub_overflow: %d %d\n", o3, r);
    long long llr;
    int o4 = __builtin_mul_overflow(3037000500LL, 3037000500LL, &llr);
    printf("mul64_overflow: %d\n", o4);
    printf("sum=%d\n", sum);
    return sum & 0xff;
}
