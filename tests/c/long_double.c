// chips: riscv
// opt-levels: -O0 -O2
// native-libs: -lquadmath
/* long double on riscv32 is IEEE binary128. The native reference (x86,
 * where long double is the x87's 80 bits) uses GCC's __float128, the same
 * format computed by libgcc's soft-float, and libquadmath to print it.
 * NaNs are only tested with isnan (the default NaN's sign differs between
 * x86 and RISC-V), and sqrt only on exact cases (libquadmath's sqrtq is
 * not always correctly rounded). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#ifdef __riscv
typedef long double LD;
typedef long double _Complex CLD;
#define K(x) x##L
#define FABS fabsl
#define COPYSIGN copysignl
#define FLOOR floorl
#define CEIL ceill
#define TRUNC truncl
#define ROUND roundl
#define RINT rintl
#define FMOD fmodl
#define SQRT sqrtl
#define MODF modfl
#define FMAX fmaxl
#define FMIN fminl
/* Every other value through snprintf (the same formatter, into memory). */
__attribute__((noinline)) static void pr(const char *spec, LD x) {
    static int n;
    char b[1000];
    if (n++ % 2) {
        snprintf(b, sizeof b, spec, x);
        fputs(b, stdout);
    } else {
        printf(spec, x);
    }
}
#else
#include <quadmath.h>
typedef __float128 LD;
typedef __complex128 CLD;
#define K(x) x##Q
#define FABS fabsq
#define COPYSIGN copysignq
#define FLOOR floorq
#define CEIL ceilq
#define TRUNC truncq
#define ROUND roundq
#define RINT rintq
#define FMOD fmodq
#define SQRT sqrtq
#define MODF modfq
#define FMAX fmaxq
#define FMIN fminq
/* quadmath_snprintf takes one conversion, spelt with Q. */
static void pr(const char *spec, LD x) {
    char f[32], b[6000];
    size_t n = strlen(spec);
    for (size_t i = 0; i <= n; i++) f[i] = spec[i] == 'L' ? 'Q' : spec[i];
    quadmath_snprintf(b, sizeof b, f, x);
    fputs(b, stdout);
}
#endif

typedef unsigned long long u64;

static void bits(LD x) {
    u64 w[2];
    memcpy(w, &x, 16);
    printf(" %016llx%016llx", w[1], w[0]);
}

static int is_nan(LD x) { return x != x; }

/* Values read from data, so the arithmetic runs at -O2 too. */
static LD vals[] = {
    K(0.0),         -K(0.0),           K(1.0),          -K(1.5),
    K(0.1),         K(3.0),            K(1e300),        K(1e-300),
    K(1e4000),      K(1e-4931),        K(0x1p-16494),   K(0x1.ffffffffffffffffffffffffffffp+16383),
    K(123456789.0), K(-2.5),           K(0x1p-113),     K(1.0) / K(3.0),
};
#define NV (int)(sizeof vals / sizeof vals[0])

__attribute__((noinline)) LD add(LD a, LD b) { return a + b; }
__attribute__((noinline)) LD sub(LD a, LD b) { return a - b; }
__attribute__((noinline)) LD mul(LD a, LD b) { return a * b; }
__attribute__((noinline)) LD dvd(LD a, LD b) { return a / b; }

static void arith(void) {
    LD (*ops[4])(LD, LD) = {add, sub, mul, dvd};
    for (int i = 0; i < NV; i++)
        for (int j = 0; j < NV; j += 3) {
            printf("op %d %d:", i, j);
            for (int k = 0; k < 4; k++) {
                LD r = ops[k](vals[i], vals[j]);
                if (is_nan(r))
                    printf(" nan");
                else
                    bits(r);
            }
            LD m = vals[j] == 0 || vals[i] != vals[i] || vals[i] - vals[i] != 0 ? 0 : FMOD(vals[i], vals[j]);
            bits(m);
            bits(-vals[i]);
            printf("\n");
        }
}

static void edges(void) {
    LD one = vals[2], tiny = vals[10], max = vals[11], half_ulp = vals[14];
    printf("ties:");
    bits(one + half_ulp);                     /* tie: down to even 1 */
    bits((one + 2 * half_ulp) + half_ulp);    /* tie: up to even */
    bits(one - half_ulp / 2);
    printf("\nsubnormal:");
    bits(tiny / 2);     /* tie with 0: 0 */
    bits(tiny * 3 / 2); /* 1.5 ulp: 2 ulp */
    bits(tiny * K(0x1p112));
    bits(K(0x1p-16382) - tiny);
    printf("\noverflow:");
    bits(max * 2);
    bits(-max * 2);
    bits(max + max / K(0x1p113));
    printf("\nzeros:");
    bits(vals[0] + vals[1]);
    bits(vals[1] + vals[1]);
    bits(vals[1] * vals[3]);
    bits(one - one);
    bits(one / (max * 2));
    printf("\ninvalid: %d %d %d\n", is_nan(sub(mul(max, 2), mul(max, 2))), is_nan(vals[0] / vals[1]), is_nan(SQRT(-one)));
}

static void conversions(void) {
    for (int i = 0; i < NV; i++) {
        LD x = vals[i];
        double d = (double)x;
        float f = (float)x;
        printf("conv %d: %a %a", i, d, (double)f);
        bits((LD)d);
        bits((LD)f);
        if (FABS(x) < K(2e9)) printf(" %d %lld", (int)x, (long long)x);
        if (x >= 0 && x < K(4e9)) printf(" %u %llu", (unsigned)x, (unsigned long long)x);
        printf("\n");
    }
    long long is[] = {0, 1, -1, 2147483647, -2147483647 - 1, 9007199254740993LL, -9223372036854775807LL - 1,
                      9223372036854775807LL};
    for (int i = 0; i < 8; i++) {
        LD x = is[i];
        LD u = (unsigned long long)is[i];
        LD s32 = (int)is[i];
        LD u32 = (unsigned)is[i];
        printf("from %lld:", is[i]);
        bits(x);
        bits(u);
        bits(s32);
        bits(u32);
        printf(" back %lld %llu\n", (long long)x, (unsigned long long)u);
    }
    /* double rounding: binary128 -> double rounds once, correctly. */
    LD near = K(1.0) + K(0x1p-53) + K(0x1p-100);
    printf("round %a %a %a\n", (double)near, (double)(K(1.0) + K(0x1p-53)), (double)(K(1.0) + K(0x3p-54)));
    printf("float %a %a\n", (double)(float)vals[15], (double)(float)K(1e-46));
}

static void compares(void) {
    LD c[] = {vals[0], vals[1], vals[2], vals[3], vals[8], -vals[8], __builtin_nanl(""), vals[10]};
    for (int i = 0; i < 8; i++) {
        printf("cmp %d:", i);
        for (int j = 0; j < 8; j++) {
            LD a = c[i], b = c[j];
            int m = (a < b) | (a <= b) << 1 | (a > b) << 2 | (a >= b) << 3 | (a == b) << 4 | (a != b) << 5 |
                    __builtin_isunordered(a, b) << 6 | __builtin_islessgreater(a, b) << 7;
            /* Negations: the unordered predicates (ult, ule, ugt, uge, ueq) at -O2. */
            int u = !(a >= b) | !(a > b) << 1 | !(a <= b) << 2 | !(a < b) << 3 | !__builtin_islessgreater(a, b) << 4 |
                    !__builtin_isunordered(a, b) << 5;
            printf(" %02x%02x", m, u);
        }
        printf("\n");
    }
}

/* The classification builtins: llvm.is.fpclass at -O0 and -O2. */
static void classes(void) {
    LD cs[] = {vals[0], vals[1], vals[2], -vals[3], vals[10], -vals[10], vals[11], vals[11] * 2, -vals[11] * 2,
               __builtin_nanl(""), K(0x1p-16382), -K(0x1p-16383)};
    for (int i = 0; i < 12; i++) {
        LD x = cs[i];
        printf("class %d: %d %d %d %d %d %d %d\n", i, __builtin_isinf(x) != 0, __builtin_isnan(x) != 0,
               __builtin_isfinite(x) != 0, __builtin_isnormal(x) != 0, __builtin_signbit(x) != 0,
               __builtin_fpclassify(0, 1, 2, 3, 4, x), __builtin_isinf_sign(x));
    }
}

static void math(void) {
    LD xs[] = {K(2.5), K(-2.5), K(3.5), K(-0.5), K(0.75), K(1e30) + K(0.5), K(-7.25), K(0x1p112) + K(0.5)};
    for (int i = 0; i < 8; i++) {
        LD x = xs[i];
        printf("math %d:", i);
        bits(FLOOR(x));
        bits(CEIL(x));
        bits(TRUNC(x));
        bits(ROUND(x));
        bits(RINT(x));
        bits(FABS(x));
        bits(COPYSIGN(K(3.0), x));
        bits(FMOD(x, K(0.75)));
        LD ip;
        LD fr = MODF(x, &ip);
        bits(fr);
        bits(ip);
        printf("\n");
    }
    LD nan = __builtin_nanl("");
    printf("minmax:");
    bits(FMAX(xs[0], xs[2]));
    bits(FMIN(xs[0], xs[2]));
    bits(FMAX(nan, xs[1]));
    bits(FMIN(xs[1], nan));
    bits(FMAX(-vals[8], vals[3]));
    bits(FMIN(vals[8], vals[2]));
    printf(" %d\n", is_nan(FMAX(nan, nan)));
    printf("modf:");
    LD ms[] = {-K(3.0), vals[8] * vals[8], -vals[8] * vals[8], vals[10], -vals[4]};
    for (int i = 0; i < 5; i++) {
        LD ip;
        LD fr = MODF(ms[i], &ip);
        bits(fr);
        bits(ip);
    }
    printf("\n");
    printf("sqrt:");
    bits(SQRT(K(16.0)));
    bits(SQRT(K(0x1p-16494) * 4));
    bits(SQRT(vals[0]));
    bits(SQRT(vals[1]));
    bits(SQRT(K(0x1.8p+1000) * K(0x1.8p+1000)));
    printf("\n");
}

static void formats(void) {
    const char *specs[] = {"%Lf", "%.0Lf", "%.30Lf", "%Le", "%.33Le", "%Lg", "%.36Lg", "%#.3Lg", "%+12.4Lf", "%-14.2Le", "%La", "%.3La"};
    for (int i = 0; i < NV; i++) {
        if (i == 8 || i == 11) {
            /* %f of huge values: thousands of digits; %e only. */
            pr("%.36Le", vals[i]);
            printf(" ");
            pr("%La", vals[i]);
            printf(" ");
            pr("%.0La", vals[i]);
            printf("\n");
            continue;
        }
        for (int s = 0; s < 12; s++) {
            pr(specs[s], vals[i]);
            printf("|");
        }
        printf("\n");
    }
    pr("%Lf", K(1.0) / vals[0]);
    printf(" ");
    pr("%Lf", -K(1.0) / vals[0]);
    printf(" ");
    pr("%.3Lf", K(0.0005));
    printf(" ");
    pr("%.3Lf", K(0.0015));
    printf(" ");
    pr("%.0Lf", K(0.5));
    printf(" ");
    pr("%.0Lf", K(1.5));
    printf(" ");
    pr("%.10Le", vals[10]);
    printf(" ");
    pr("%Lf", __builtin_nanl(""));
    printf("\n");
}

/* _Complex long double: clang and GCC inline the plain product and call
 * libgcc's __multc3 when both parts are NaN; division is __divtc3. */

static void pbits(LD x) {
    if (is_nan(x))
        printf(" nan");
    else
        bits(x);
}

__attribute__((noinline)) static CLD cmul(CLD x, CLD y) { return x * y; }
__attribute__((noinline)) static CLD cdiv(CLD x, CLD y) { return x / y; }

static void complexes(void) {
    LD inf = vals[8] * vals[8], nan = __builtin_nanl("");
    LD parts[][4] = {
        {1, 2, 3, 4},
        {vals[15], -vals[4], vals[3], vals[13]},
        {vals[8], vals[8], vals[8], vals[9]},
        {vals[9], vals[10], vals[9], -vals[9]},
        {inf, nan, 1, 0},
        {nan, inf, 0, 1},
        {1, 1, 0, 0},
        {1, 1, inf, 0},
        {nan, 1, 2, 0},
        {vals[11], vals[11], vals[11], vals[11]},
    };
    for (int i = 0; i < 10; i++) {
        CLD x, y;
        __real__ x = parts[i][0];
        __imag__ x = parts[i][1];
        __real__ y = parts[i][2];
        __imag__ y = parts[i][3];
        CLD p = cmul(x, y), q = cdiv(x, y);
        printf("complex %d:", i);
        pbits(__real__ p);
        pbits(__imag__ p);
        pbits(__real__ q);
        pbits(__imag__ q);
        printf("\n");
    }
}

/* Passing by value: variadic, through pointers, recursion. */
static LD vsum(int n, ...) {
    va_list ap;
    va_start(ap, n);
    LD s = 0;
    for (int i = 0; i < n; i++) {
        int kind = va_arg(ap, int);
        if (kind == 0)
            s += va_arg(ap, LD);
        else if (kind == 1)
            s += va_arg(ap, double);
        else
            s += va_arg(ap, long long);
    }
    va_end(ap);
    return s;
}

static LD pow_rec(LD x, int n) { return n == 0 ? 1 : x * pow_rec(x, n - 1); }

struct pair { LD a; int tag; LD b; };
static struct pair make(LD a, LD b) { struct pair p = {a, 7, b}; return p; }

static void passing(void) {
    printf("vsum:");
    bits(vsum(4, 0, K(1.25), 1, 0.5, 2, 1LL << 60, 0, vals[15]));
    bits(vsum(2, 0, vals[4], 0, -vals[4]));
    printf("\npow:");
    bits(pow_rec(K(1.1), 20));
    bits(pow_rec(vals[15], 7));
    struct pair p = make(vals[4], vals[3]);
    printf("\npair: %d %d", p.tag, (int)__alignof__(p.b) * 100 + (int)sizeof p);
    bits(p.a + p.b);
    LD arr[3] = {vals[2], vals[4], vals[5]};
    LD s = 0;
    for (int i = 0; i < 3; i++) s = s * 10 + arr[i];
    bits(s);
    printf("\n");
}

int main(void) {
    printf("sizeof %d align %d\n", (int)sizeof(LD), (int)__alignof__(LD));
    arith();
    edges();
    conversions();
    compares();
    classes();
    math();
    formats();
    complexes();
    passing();
    return 0;
}
