// opt-levels: -O0 -O2 -Os
// Float classification (clang emits llvm.is.fpclass for __builtin_isnan,
// isinf, isfinite, iszero at -O0, isnormal and issubnormal at every level;
// newlib's macros call __fpclassify), __builtin_mul_overflow of signed
// operands into an unsigned result (clang: llvm.smul.with.overflow.i65
// for long long, i33 for int) and __builtin_frame_address(0) (between
// the function's locals and the caller's).
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>

static const char *cls(int c) {
    switch (c) {
    case FP_NAN: return "nan";
    case FP_INFINITE: return "inf";
    case FP_ZERO: return "zero";
    case FP_SUBNORMAL: return "sub";
    case FP_NORMAL: return "normal";
    default: return "?";
    }
}

__attribute__((noinline)) static void classify_d(double x) {
    printf("d %d%d%d%d%d %d %s\n", !!isnan(x), !!isinf(x), !!isfinite(x), !!isnormal(x), !!signbit(x),
           __builtin_isinf_sign(x), cls(fpclassify(x)));
}

__attribute__((noinline)) static void classify_f(float x) {
    printf("f %d%d%d%d%d %d %s\n", !!isnan(x), !!isinf(x), !!isfinite(x), !!isnormal(x), !!signbit(x),
           __builtin_isinf_sign(x), cls(fpclassify(x)));
}

// GCC 12 (the reference build) and clang 15 have neither builtin.
#if defined(__clang__) && __clang_major__ >= 16
#define ISSUBNORMAL(x) __builtin_issubnormal(x)
#define ISZERO(x) __builtin_iszero(x)
#else
#define ISSUBNORMAL(x) (fpclassify(x) == FP_SUBNORMAL)
#define ISZERO(x) ((x) == 0)
#endif

__attribute__((noinline)) static void classify_b(double x, float y) {
    printf("b %d%d%d%d%d%d %d%d%d%d%d%d\n", __builtin_isnan(x), __builtin_isinf(x), __builtin_isfinite(x),
           __builtin_isnormal(x), ISSUBNORMAL(x), ISZERO(x), __builtin_isnan(y),
           __builtin_isinf(y), __builtin_isfinite(y), __builtin_isnormal(y), ISSUBNORMAL(y), ISZERO(y));
}

__attribute__((noinline)) static void mul_signed_to_unsigned(long long a, long long b) {
    unsigned long long r;
    unsigned u;
    int o1 = __builtin_mul_overflow(a, b, &r);
    int o2 = __builtin_mul_overflow((int)a, (int)b, &u);
    printf("smul %lld * %lld: %d %llu, %d %u\n", a, b, o1, r, o2, u);
}

__attribute__((noinline)) static void mul_mixed(long long a, unsigned long long b) {
    long long r;
    unsigned long long u;
    int o1 = __builtin_mul_overflow(a, b, &r);
    int o2 = __builtin_mul_overflow(a, b, &u);
    printf("mul %lld * %llu: %d %lld, %d %llu\n", a, b, o1, r, o2, u);
}

__attribute__((noinline)) static int inside(const char *callee_local, const char *frame, const char *caller_local) {
    // The stack grows down on every chip and in the reference build.
    return callee_local < frame && frame <= caller_local;
}

__attribute__((noinline)) static int check_frame(const char *caller_local) {
    char mine = 0;
    const char *f = __builtin_frame_address(0);
    return inside(&mine, f, caller_local) + (mine != 0);
}

int main(void) {
    volatile double ds[] = {0.0, -0.0, 1.5, -2.0, DBL_MIN, DBL_MIN / 4, -DBL_MIN / 8, DBL_MAX, INFINITY, -INFINITY, NAN, -NAN};
    volatile float fs[] = {0.0f, -0.0f, 3.25f, -1.0f, FLT_MIN, FLT_MIN / 2, -FLT_MIN / 16, FLT_MAX, INFINITY, -INFINITY, NAN};
    for (unsigned i = 0; i < sizeof ds / sizeof ds[0]; i++) classify_d(ds[i]);
    for (unsigned i = 0; i < sizeof fs / sizeof fs[0]; i++) classify_f(fs[i]);
    for (unsigned i = 0; i < sizeof fs / sizeof fs[0]; i++) classify_b(ds[i], fs[i]);
    volatile long long as[] = {0, 1, -1, 3, -3, INT64_MAX, INT64_MIN, 4294967296LL, -4294967296LL};
    volatile unsigned long long bs[] = {0, 1, 2, 3, 4294967296ULL, UINT64_MAX, (unsigned long long)INT64_MAX + 1};
    for (unsigned i = 0; i < sizeof as / sizeof as[0]; i++)
        for (unsigned j = 0; j < sizeof bs / sizeof bs[0]; j++) mul_mixed(as[i], bs[j]);
    for (unsigned i = 0; i < sizeof as / sizeof as[0]; i++)
        for (unsigned j = 0; j < sizeof as / sizeof as[0]; j++) mul_signed_to_unsigned(as[i], as[j]);
    char here = 1;
    printf("frame %d\n", check_frame(&here));
    return 0;
}
