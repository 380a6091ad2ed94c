// opt-levels: -O0 -O2 -Os
// Float classification (clang emits llvm.is.fpclass for isnan, isinf,
// isfinite, isnormal, fpclassify, __builtin_isinf_sign, mostly at -O0),
// __builtin_mul_overflow of a signed and an unsigned long long (clang:
// llvm.smul.with.overflow.i65) and __builtin_frame_address(0) (between
// the caller's locals and the callee's).
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
    volatile long long as[] = {0, 1, -1, 3, -3, INT64_MAX, INT64_MIN, 4294967296LL, -4294967296LL};
    volatile unsigned long long bs[] = {0, 1, 2, 3, 4294967296ULL, UINT64_MAX, (unsigned long long)INT64_MAX + 1};
    for (unsigned i = 0; i < sizeof as / sizeof as[0]; i++)
        for (unsigned j = 0; j < sizeof bs / sizeof bs[0]; j++) mul_mixed(as[i], bs[j]);
    char here = 1;
    printf("frame %d\n", check_frame(&here));
    return 0;
}
