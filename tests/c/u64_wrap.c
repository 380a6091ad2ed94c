#include <stdio.h>
#include <stdint.h>
#include <inttypes.h>

int main(void) {
    uint64_t max = UINT64_MAX;
    uint64_t z = max + 1;
    uint64_t m = 0 - (uint64_t)1;
    printf("max=%llu max+1=%llu 0-1=%llu\n", (unsigned long long)max, (unsigned long long)z, (unsigned long long)m);
    uint64_t h = 14695981039346656037ULL; /* FNV-1a 64 */
    const char *s = "The quick brown fox";
    while (*s) { h ^= (uint8_t)*s++; h *= 1099511628211ULL; }
    printf("fnv64 = %016llx\n", (unsigned long long)h);
    uint64_t x = 88172645463325252ULL; /* xorshift64 */
    for (int i = 0; i < 5; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        printf("xorshift64[%d] = %llu\n", i, (unsigned long long)x);
    }
    uint64_t fact = 1;
    for (uint64_t i = 1; i <= 25; i++) fact *= i; /* wraps */
    printf("25! mod 2^64 = %llu\n", (unsigned long long)fact);
    uint64_t a = 0xffffffff00000000ULL, b = 0x00000001ffffffffULL;
    printf("add=%016llx sub=%016llx mul=%016llx\n", (unsigned long long)(a + b), (unsigned long long)(b - a),
           (unsigned long long)(a * b));
    printf("compare: %d %d %d\n", a > b, (int64_t)a < (int64_t)b, (uint32_t)a == 0);
    uint32_t lo = 0xffffffffu;
    uint64_t carry = (uint64_t)lo + 1;
    printf("carry = %llu, truncated = %u\n", (unsigned long long)carry, (unsigned)(uint32_t)carry);
    printf("PRIu64 %" PRIu64 " PRIx64 %" PRIx64 " PRId64 %" PRId64 "\n", max, (uint64_t)0xabcdef0123ULL, (int64_t)-5);
    unsigned long long sum = 0;
    for (int i = 0; i < 100; i++) sum += 0x0fffffffffffffffULL; /* wraps */
    printf("sum = %llu\n", sum);
    return (int)(h & 0xff);
}
