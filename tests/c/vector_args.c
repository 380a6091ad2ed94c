// opt-levels: -O0 -O2
// native-cc: clang
// GCC vectors passed and returned by value between functions: Xtensa's
// clang passes them as vectors (one register per lane here), riscv32's as
// integers or through memory. Results of up to two 32-bit lanes or one
// 64-bit lane come back in registers. The native build is clang's: GCC's
// -m32 passes 8-byte vectors in MMX registers and leaves the x87 unusable.
#include <stdio.h>

typedef int v4si __attribute__((vector_size(16)));
typedef int v2si __attribute__((vector_size(8)));
typedef float v2f __attribute__((vector_size(8)));
typedef short v2s __attribute__((vector_size(4)));
typedef unsigned char v8u __attribute__((vector_size(8)));
typedef double v2d __attribute__((vector_size(16)));
typedef long long v1ll __attribute__((vector_size(8)));

__attribute__((noinline)) static int dot(v4si a, v4si b) {
    v4si p = a * b;
    return p[0] + p[1] + p[2] + p[3];
}
__attribute__((noinline)) static v2si halves(v4si a, int k) {
    v2si r = {a[0] + a[1] + k, a[2] - a[3] - k};
    return r;
}
__attribute__((noinline)) static v2f cmul(v2f a, v2f b) {
    v2f r = {a[0] * b[0] - a[1] * b[1], a[0] * b[1] + a[1] * b[0]};
    return r;
}
__attribute__((noinline)) static v2s sat_add(v2s a, v2s b) {
    v2s r;
    for (int i = 0; i < 2; i++) {
        int s = a[i] + b[i];
        r[i] = (short)(s > 32767 ? 32767 : s < -32768 ? -32768 : s);
    }
    return r;
}
__attribute__((noinline)) static unsigned bytes_sum(v8u a, unsigned seed, v8u b) {
    v8u m = a ^ b;
    unsigned s = seed;
    for (int i = 0; i < 8; i++) s = s * 31u + m[i];
    return s;
}
__attribute__((noinline)) static double dsum(v2d a, v2d b) {
    v2d s = a * b + a;
    return s[0] - s[1];
}
__attribute__((noinline)) static v1ll twice(v1ll a) { return a + a; }

int main(void) {
    v4si a = {1, -2, 3, 40000}, b = {7, 8, -9, 50000};
    printf("dot %d\n", dot(a, b));
    for (int k = 0; k < 3; k++) {
        v2si h = halves(a + k, k);
        printf("halves %d %d\n", h[0], h[1]);
    }
    v2f z = {1.5f, -2.25f}, w = {0.5f, 4.0f};
    v2f p = cmul(z, w);
    printf("cmul %.4f %.4f\n", p[0], p[1]);
    v2s x = {30000, -30000}, y = {5000, -5000}, q = sat_add(x, y);
    printf("sat %d %d\n", q[0], q[1]);
    q = sat_add(q, (v2s){-1, 1});
    printf("sat %d %d\n", q[0], q[1]);
    v8u c = {1, 2, 3, 4, 250, 251, 252, 253}, d = {9, 8, 7, 6, 5, 4, 3, 2};
    printf("bytes %u\n", bytes_sum(c, 17u, d));
    v2d e = {1.25, -3.5}, f = {2.0, 0.5};
    printf("dsum %.6f\n", dsum(e, f));
    v1ll t = {0x123456789LL};
    printf("twice %llx\n", (unsigned long long)twice(t)[0]);
    return 0;
}
