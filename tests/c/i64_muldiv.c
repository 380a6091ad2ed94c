#include <stdio.h>
#include <stdint.h>

static long long gcd(long long a, long long b) {
    if (a < 0) a = -a;
    if (b < 0) b = -b;
    while (b) { long long t = a % b; a = b; b = t; }
    return a;
}

static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t m) {
    uint64_t r = 0;
    a %= m;
    while (b) {
        if (b & 1) r = (r + a) % m;
        a = (a * 2) % m;
        b >>= 1;
    }
    return r;
}

static uint64_t powmod(uint64_t b, uint64_t e, uint64_t m) {
    uint64_t r = 1;
    b %= m;
    while (e) {
        if (e & 1) r = mulmod(r, b, m);
        b = mulmod(b, b, m);
        e >>= 1;
    }
    return r;
}

int main(void) {
    long long a[] = {1234567890123LL, -987654321987LL, 7, -7, 1LL << 40, -(1LL << 50) + 3, 9223372036854775807LL};
    long long b[] = {97, -13, 1000000007LL, -3, 65536, 12345678901LL};
    for (int i = 0; i < 7; i++)
        for (int j = 0; j < 6; j++)
            printf("%lld / %lld = %lld rem %lld\n", a[i], b[j], a[i] / b[j], a[i] % b[j]);
    long long p = 123456789LL * 987654321LL;
    long long n = -123456789LL * 987654321LL;
    printf("mul: %lld %lld %lld\n", p, n, (-3037000499LL) * 3037000499LL);
    unsigned long long u = 18446744073709551615ULL;
    printf("udiv: %llu %llu %llu %llu\n", u / 3, u % 1000000007ULL, u / 0x100000000ULL, u % 0x100000001ULL);
    printf("gcd: %lld %lld\n", gcd(1071LL * 1000000007LL, 462LL * 1000000007LL), gcd(-48, 18));
    printf("powmod: %llu %llu\n", (unsigned long long)powmod(2, 1000000, 1000000007ULL),
           (unsigned long long)powmod(123456789, 987654321, 999999937ULL));
    int32_t x = -2000000000, y = 2000000000;
    int64_t wide = (int64_t)x * y;
    uint64_t uwide = (uint64_t)(uint32_t)y * 4000000000u;
    printf("widening: %lld %llu\n", (long long)wide, (unsigned long long)uwide);
    printf("high word of product: %u\n", (unsigned)(((uint64_t)0xdeadbeefu * 0xcafebabeu) >> 32));
    return (int)(gcd(-48, 18) + (p % 100 + 100) % 100); /* 6 + 69 */
}
