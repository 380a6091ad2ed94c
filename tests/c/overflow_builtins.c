/* __builtin_{add,sub,mul}_overflow on every integer width, with values that
 * do and do not overflow. */
#include <limits.h>
#include <stdio.h>

#define CHECK(T, FMT, op, a, b)                                                        \
    do {                                                                               \
        T r_;                                                                          \
        int o_ = __builtin_##op##_overflow((T)(a), (T)(b), &r_);                       \
        printf("%-6s %-3s " FMT " " FMT " -> " FMT " ov=%d\n", #T, #op, (T)(a), (T)(b), \
               r_, o_);                                                                \
    } while (0)

typedef signed char schar;
typedef unsigned char uchar;
typedef unsigned short ushort;
typedef long long ll;
typedef unsigned long long ull;

/* Opaque to the optimiser so that the intrinsics are not constant-folded. */
static volatile int vi[] = {0, 1, -1, 2, INT_MAX, INT_MIN, 46341, -46341, 65536, 1000};
static volatile ll vl[] = {0, 1, -1, 3, LLONG_MAX, LLONG_MIN, 3037000500LL, -3037000500LL, 4294967296LL, 1000000007LL};

static int i_(int k) { return vi[k]; }
static ll l_(int k) { return vl[k]; }

int main(void) {
    for (int x = 0; x < 10; x++) {
        for (int y = 0; y < 10; y += 3) {
            int a = i_(x), b = i_(y);
            CHECK(int, "%d", add, a, b);
            CHECK(int, "%d", sub, a, b);
            CHECK(int, "%d", mul, a, b);
            CHECK(unsigned, "%u", add, a, b);
            CHECK(unsigned, "%u", sub, a, b);
            CHECK(unsigned, "%u", mul, a, b);
            CHECK(short, "%d", add, a, b);
            CHECK(short, "%d", sub, a, b);
            CHECK(short, "%d", mul, a, b);
            CHECK(ushort, "%u", add, a, b);
            CHECK(ushort, "%u", mul, a, b);
            CHECK(schar, "%d", add, a, b);
            CHECK(schar, "%d", sub, a, b);
            CHECK(schar, "%d", mul, a, b);
            CHECK(uchar, "%u", sub, a, b);
            CHECK(uchar, "%u", mul, a, b);
            ll p = l_(x), q = l_(y);
            CHECK(ll, "%lld", add, p, q);
            CHECK(ll, "%lld", sub, p, q);
            CHECK(ll, "%lld", mul, p, q);
            CHECK(ull, "%llu", add, p, q);
            CHECK(ull, "%llu", sub, p, q);
            CHECK(ull, "%llu", mul, p, q);
        }
    }
    /* Narrow values near their limits. */
    volatile short s1 = 200, s2 = 164, s3 = -32768;
    CHECK(short, "%d", mul, s1, s2);
    CHECK(short, "%d", mul, s1, (short)163);
    CHECK(short, "%d", sub, s3, (short)1);
    CHECK(short, "%d", mul, s3, (short)-1);
    volatile schar c1 = 127, c2 = -128;
    CHECK(schar, "%d", add, c1, (schar)1);
    CHECK(schar, "%d", add, c1, (schar)0);
    CHECK(schar, "%d", sub, c2, (schar)1);
    CHECK(schar, "%d", mul, c2, (schar)-1);
    CHECK(schar, "%d", mul, (schar)-16, (schar)8);
    CHECK(schar, "%d", mul, (schar)-16, (schar)9);
    volatile uchar u1 = 255, u2 = 16;
    CHECK(uchar, "%u", add, u1, (uchar)1);
    CHECK(uchar, "%u", add, u1, (uchar)0);
    CHECK(uchar, "%u", mul, u2, (uchar)15);
    CHECK(uchar, "%u", mul, u2, (uchar)16);
    CHECK(ushort, "%u", sub, (ushort)3, (ushort)4);
    CHECK(ushort, "%u", mul, (ushort)256, (ushort)255);
    CHECK(ushort, "%u", mul, (ushort)256, (ushort)256);
    /* A size check as LLVM writes it itself (umul.with.overflow). */
    volatile unsigned n = 0x20000000u, sz = 8;
    unsigned total;
    printf("size check: %d\n", __builtin_mul_overflow(n, sz, &total));
    /* Mixed types: the result type decides. */
    int mixed_r;
    printf("mixed: %d ", __builtin_add_overflow(i_(4), (ll)1, &mixed_r));
    printf("%d\n", mixed_r);
    /* Overflow flag used in a branch. */
    int acc = 1, steps = 0;
    while (!__builtin_mul_overflow(acc, 3, &acc)) steps++;
    printf("steps until overflow: %d (acc=%d)\n", steps, acc);
    return 0;
}
