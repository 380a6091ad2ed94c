// native-cc: clang
// chips: riscv
// opt-levels: -O0 -O2
// 65..128-bit integers to and from double/float (sitofp/uitofp/fptosi/
// fptoui on i96, i128...) and their bit counts (ctpop/ctlz/cttz). The
// native i386 build has no 128-bit conversion helpers (__floattidf...):
// there the conversions are computed in plain C from the two 64-bit halves,
// rounding by hand, which is the reference the module must match.
#include <math.h>
#include <stdint.h>
#include <stdio.h>

typedef unsigned _BitInt(128) u128;
typedef signed _BitInt(128) s128;
typedef unsigned _BitInt(96) u96;
typedef signed _BitInt(80) s80;

#if defined(__riscv) || defined(__xtensa__)
#define ON_TARGET 1
#else
#define ON_TARGET 0
#endif

static uint64_t hi64(u128 v) { return (uint64_t)(v >> 64); }
static uint64_t lo64(u128 v) { return (uint64_t)v; }

// Round the magnitude hi:lo to `bits` significant bits, nearest even.
static double ref_u2d_bits(uint64_t hi, uint64_t lo, int bits) {
  if (hi == 0 && lo == 0) return 0.0;
  int n = hi ? __builtin_clzll(hi) : 64 + __builtin_clzll(lo);
  // Normalise so the top bit is bit 127: t = top 64 bits, rest below.
  uint64_t t, rest;
  if (n >= 64) {
    t = lo << (n - 64);
    rest = 0;
  } else if (n == 0) {
    t = hi;
    rest = lo;
  } else {
    t = (hi << n) | (lo >> (64 - n));
    rest = lo << n;
  }
  int drop = 64 - bits;
  uint64_t q = t >> drop, r = t & ((1ULL << drop) - 1), half = 1ULL << (drop - 1);
  if (r > half || (r == half && (rest != 0 || (q & 1)))) q++;
  return ldexp((double)q, 128 - n - bits);
}

static double ref_u2d(u128 v) { return ref_u2d_bits(hi64(v), lo64(v), 53); }
static float ref_u2f(u128 v) { return (float)ref_u2d_bits(hi64(v), lo64(v), 24); }
static double ref_s2d(s128 v) { return v < 0 ? -ref_u2d((u128)0 - (u128)v) : ref_u2d((u128)v); }
static float ref_s2f(s128 v) { return v < 0 ? -ref_u2f((u128)0 - (u128)v) : ref_u2f((u128)v); }

// Truncate a non-negative double below 2^128 to an integer.
static u128 ref_d2u(double d) {
  if (d < 18446744073709551616.0) return (u128)(uint64_t)d;
  int e;
  double m = frexp(d, &e);  // d = m * 2^e, m in [0.5, 1)
  uint64_t mant = (uint64_t)ldexp(m, 53);
  return (u128)mant << (e - 53);
}
static s128 ref_d2s(double d) { return d < 0 ? -(s128)ref_d2u(-d) : (s128)ref_d2u(d); }

#if ON_TARGET
#define U2D(x) ((double)(x))
#define U2F(x) ((float)(x))
#define S2D(x) ((double)(x))
#define S2F(x) ((float)(x))
#define D2U(x) ((u128)(x))
#define D2S(x) ((s128)(x))
#define D2U96(x) ((u96)(x))
#define F2S80(x) ((s80)(x))
#else
#define U2D(x) ref_u2d((u128)(x))
#define U2F(x) ref_u2f((u128)(x))
#define S2D(x) ref_s2d((s128)(x))
#define S2F(x) ref_s2f((s128)(x))
#define D2U(x) ref_d2u(x)
#define D2S(x) ref_d2s(x)
#define D2U96(x) ((u96)ref_d2u(x))
#define F2S80(x) ((s80)ref_d2s((double)(x)))
#endif

#if defined(__clang__) && __clang_major__ >= 19
#define POP(x) __builtin_popcountg(x)
#define CLZ(x) __builtin_clzg(x, 128)
#define CTZ(x) __builtin_ctzg(x, 128)
#else
static int POP(u128 x) { int n = 0; for (; x; x &= x - 1) n++; return n; }
static int CLZ(u128 x) { int n = 128; for (; x; x >>= 1) n--; return n; }
static int CTZ(u128 x) { if (!x) return 128; int n = 0; for (; !(x & 1); x >>= 1) n++; return n; }
#endif

static void show128(const char *what, u128 v) { printf("%s %016llx%016llx\n", what, (unsigned long long)hi64(v), (unsigned long long)lo64(v)); }

static volatile uint64_t words[][2] = {
    {0, 0},
    {0, 1},
    {1, 0},
    {1, 1ULL << 11},                         // a tie at double precision, even below
    {1, 3ULL << 11},                         // a tie, odd below: rounds up
    {1, (1ULL << 11) | 1},                   // just above a tie
    {0x123456789abcdefULL, 0xfedcba9876543211ULL},
    {~0ULL, ~0ULL},
    {0x8000000000000000ULL, 0},
    {0x7fffffffffffffffULL, ~0ULL},
    {0xffffff0000000000ULL, 0},              // float: 24 bits exactly
    {0xffffff8000000000ULL, 0},              // float: carries to 2^128 (infinity)
    {0x0000000100000000ULL, 0x8000000000000000ULL},
};

static volatile double doubles[] = {0.0, 0.75, 1.0, 12345.678, 1.8446744073709552e19, 3.0e28,
                                    1.2345678901234567e30, 1.7014118346046923e38, 3.4028236692093843e38};

int main(void) {
  for (unsigned i = 0; i < sizeof words / sizeof *words; i++) {
    u128 v = (u128)words[i][0] << 64 | words[i][1];
    s128 s = (s128)v;
    u96 w = (u96)v;
    s80 x = (s80)v;
    printf("%2u: %.17g %.9g %.17g %.9g | u96 %.17g s80 %.17g\n", i, U2D(v), U2F(v), S2D(s), S2F(s), U2D(w),
           S2D(x));
    printf("    pop %d clz %d ctz %d | u96 pop %d\n", POP(v), CLZ(v), CTZ(v), POP((u128)w));
  }
  // Minimum, maximum and absolute value (llvm.smax/umin/abs.i128 at -O2).
  for (unsigned i = 0; i + 1 < sizeof words / sizeof *words; i++) {
    u128 a = (u128)words[i][0] << 64 | words[i][1], b = (u128)words[i + 1][0] << 64 | words[i + 1][1];
    s128 sa = (s128)a, sb = (s128)b;
    show128("umax", a > b ? a : b);
    show128("smin", (u128)(sa < sb ? sa : sb));
    show128("abs", (u128)(sa < 0 ? -sa : sa));
  }
  for (unsigned i = 0; i < sizeof doubles / sizeof *doubles; i++) {
    double d = doubles[i];
    show128("d2u", D2U(d));
    if (d < 1.7e38) show128("d2s", (u128)D2S(-d));
    if (d < 7.9e28) show128("d2u96", (u128)D2U96(d));
    float f = (float)d;
    if (f < 6.0e23f) show128("f2s80", (u128)(s128)F2S80(-f));
  }
  return 0;
}
