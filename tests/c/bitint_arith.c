// opt-levels: -O0 -O2 -Os
// native-cc: clang
// chips: riscv
// _BitInt(N) arithmetic of the odd widths LLVM computes in (i33..i128):
// add, sub, mul, division and remainder (signed and unsigned), shifts by
// variable amounts, compares, wrapping at each width. GCC 12 and Xtensa's
// clang have no _BitInt, so the native build is clang's and the module is
// built for riscv32 only.
#include <stdio.h>

typedef unsigned long long u64;

static u64 state = 0x9E3779B97F4A7C15ull;
static u64 next(void) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return state ^ (state >> 29);
}

static void hex(const char *what, unsigned _BitInt(128) v) {
    printf("%s %016llx%016llx\n", what, (u64)(v >> 64), (u64)v);
}

#define OPS(N)                                                                                  \
    typedef unsigned _BitInt(N) u##N;                                                           \
    typedef _BitInt(N) s##N;                                                                    \
    __attribute__((noinline)) static void ops##N(u##N a, u##N b, unsigned sh) {                 \
        s##N x = (s##N)a, y = (s##N)b;                                                          \
        printf("-- %d bits, shift %u\n", N, sh);                                                \
        hex("add ", (u##N)(a + b));                                                             \
        hex("sub ", (u##N)(a - b));                                                             \
        hex("mul ", (u##N)(a * b));                                                             \
        hex("shl ", (u##N)(a << sh));                                                           \
        hex("lshr", (u##N)(a >> sh));                                                           \
        hex("ashr", (u##N)(x >> sh));                                                           \
        if (b != 0) {                                                                           \
            hex("udiv", (u##N)(a / b));                                                         \
            hex("urem", (u##N)(a % b));                                                         \
            if (!(y == -1 && x == (s##N)((u##N)1 << (N - 1)))) {                                \
                hex("sdiv", (u##N)(x / y));                                                     \
                hex("srem", (u##N)(x % y));                                                     \
            }                                                                                   \
        }                                                                                       \
        printf("cmp  %d %d %d %d\n", a < b, x < y, a == b, x >= y);                             \
    }                                                                                           \
    static void run##N(void) {                                                                  \
        for (int i = 0; i < 12; i++) {                                                          \
            u##N a = ((u##N)next() << 64 % N) ^ next();                                         \
            u##N b = ((u##N)next() << 64 % N) ^ next();                                         \
            /* small, negative and power-of-two divisors too */                                 \
            if (i % 4 == 1) b >>= N / 2 + i;                                                    \
            if (i % 4 == 2) b = -(u##N)(i + 1);                                                 \
            if (i % 4 == 3) b = (u##N)1 << (i * 7 % N);                                         \
            ops##N(a, b, (unsigned)(next() % N));                                               \
        }                                                                                       \
        ops##N(0, 1, 0);                                                                        \
        ops##N((u##N)-1, (u##N)-1, N - 1);                                                      \
        ops##N((u##N)1 << (N - 1), 3, 1);                                                       \
    }

OPS(33)
OPS(40)
OPS(63)
OPS(65)
OPS(72)
OPS(96)
OPS(100)
OPS(127)
OPS(128)

/* A loop that counts in 128 bits: a factorial that overflows 64 bits. */
__attribute__((noinline)) static unsigned _BitInt(128) fact(unsigned n) {
    unsigned _BitInt(128) f = 1;
    for (unsigned i = 2; i <= n; i++) f *= i;
    return f;
}

int main(void) {
    run33();
    run40();
    run63();
    run65();
    run72();
    run96();
    run100();
    run127();
    run128();
    for (unsigned n = 20; n <= 34; n += 7) hex("fact", fact(n));
    unsigned _BitInt(128) f = fact(30);
    unsigned digits = 0;
    while (f) { f /= 10; digits++; }
    printf("30! has %u digits\n", digits);
    return 0;
}
