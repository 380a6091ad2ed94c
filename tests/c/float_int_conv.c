#include <stdio.h>
#include <stdint.h>

int main(void) {
    double ds[] = {0.0, 0.9, -0.9, 1.5, -1.5, 2.5, 123456.999, -2147483648.0, 2147483647.0, 4294967295.0, 1e15, -1e15};
    for (unsigned i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        double d = ds[i];
        long long ll = (long long)d;
        printf("%.3f -> (int64)%lld", d, ll);
        if (d > -2147483649.0 && d < 2147483648.0) printf(" (int)%d", (int)d);
        if (d > -1.0 && d < 4294967296.0) printf(" (unsigned)%u", (unsigned)d);
        if (d > -1.0 && d < 256.0) printf(" (uint8)%u", (unsigned)(uint8_t)d);
        printf(" (float)%.3f\n", (double)(float)d);
    }
    int is[] = {0, 1, -1, 16777217, -16777217, 2147483647, -2147483647 - 1};
    for (int i = 0; i < 7; i++)
        printf("%d -> float %.1f double %.1f\n", is[i], (double)(float)is[i], (double)is[i]);
    unsigned us[] = {0u, 4294967295u, 2147483648u, 3000000000u};
    for (int i = 0; i < 4; i++) printf("%u -> float %.1f double %.1f\n", us[i], (double)(float)us[i], (double)us[i]);
    uint64_t big[] = {0, 9007199254740993ULL, 18446744073709551615ULL, 0x8000000000000000ULL};
    for (int i = 0; i < 4; i++)
        printf("%llu -> double %.1f float %.1f\n", (unsigned long long)big[i], (double)big[i], (double)(float)big[i]);
    int64_t sbig[] = {-9007199254740993LL, -1, INT64_MIN};
    for (int i = 0; i < 3; i++) printf("%lld -> double %.1f\n", (long long)sbig[i], (double)sbig[i]);
    double back = 18446744073709549568.0;
    printf("(uint64)%.1f = %llu\n", back, (unsigned long long)(uint64_t)back);
    float f = 3.99f;
    short s = (short)f;
    signed char c = (signed char)-f;
    printf("float->short %d float->schar %d\n", s, c);
    float fneg = -0.0f;
    printf("-0.0f == 0: %d, signbit via division %g\n", fneg == 0.0f, 1.0 / fneg);
    return (int)(ds[6] / 1000); /* 123 */
}
