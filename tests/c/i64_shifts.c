#include <stdio.h>
#include <stdint.h>

int main(void) {
    volatile int amounts[] = {0, 1, 7, 31, 32, 33, 40, 63};
    uint64_t u = 0x8123456789abcdefULL;
    int64_t s = -0x123456789abcdefLL;
    for (int i = 0; i < 8; i++) {
        int n = amounts[i];
        printf("n=%2d u<<n=%016llx u>>n=%016llx s>>n=%lld s<<n(u)=%016llx\n", n, (unsigned long long)(u << n),
               (unsigned long long)(u >> n), (long long)(s >> n), (unsigned long long)((uint64_t)s << n));
    }
    printf("1ull<<63 = %llu\n", 1ULL << 63);
    int64_t min = INT64_MIN, maxv = INT64_MAX;
    printf("INT64_MIN = %lld, INT64_MAX = %lld\n", (long long)min, (long long)maxv);
    printf("INT64_MIN >> 63 = %lld, >> 1 = %lld\n", (long long)(min >> 63), (long long)(min >> 1));
    printf("INT64_MIN hex = %llx, -INT64_MAX = %lld\n", (unsigned long long)min, (long long)-maxv);
    printf("INT64_MIN / 2 = %lld, %% 10 = %lld, / -1 + via +1: %lld\n", (long long)(min / 2), (long long)(min % 10),
           (long long)((min + 1) / -1));
    /* building 64-bit values from 32-bit halves */
    uint32_t hi = 0xdeadbeefu, lo = 0x01234567u;
    uint64_t joined = ((uint64_t)hi << 32) | lo;
    printf("joined = %016llx hi=%08x lo=%08x\n", (unsigned long long)joined, (unsigned)(joined >> 32), (unsigned)joined);
    int64_t sx = (int32_t)0x80000000u;
    uint64_t zx = (uint32_t)0x80000000u;
    printf("sext = %016llx, zext = %016llx\n", (unsigned long long)sx, (unsigned long long)zx);
    int cnt = 0;
    for (uint64_t v = 1; v; v <<= 1) cnt++;
    printf("bits in u64 = %d\n", cnt);
    return cnt;
}
