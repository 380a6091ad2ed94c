// opt-levels: -O0 -O2
// GCC vector extensions (vector_size): element-wise arithmetic, shifts,
// division, compares, subscripts (constant and variable), shuffles,
// conversions between lane widths, bit casts and vectors in memory.
// Vectors cross function boundaries through pointers: Xtensa passes them
// by value in registers, which the VM refuses by name.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef int32_t v4si __attribute__((vector_size(16)));
typedef uint8_t v8qu __attribute__((vector_size(8)));
typedef int16_t v4hi __attribute__((vector_size(8)));
typedef float v4sf __attribute__((vector_size(16)));
typedef double v2df __attribute__((vector_size(16)));
typedef int64_t v2di __attribute__((vector_size(16)));

static v4si g4 = {1, -2, 3, -4};

static void p4v(const char *n, const v4si *p) {
  v4si v = *p;
  printf("%s %d %d %d %d\n", n, v[0], v[1], v[2], v[3]);
}
#define p4(n, v) do { v4si t_ = (v); p4v(n, &t_); } while (0)

static void mix(v4si *out, const v4si *pa, const v4si *pb, int k) {
  v4si a = *pa, b = *pb;
  v4si c = a * b + (a >> 1) - (b << 2);
  c ^= (v4si){k, k + 1, k + 2, k + 3};
  c = c / (v4si){3, -5, 7, 1};
  *out = c % (v4si){5, 5, 4, 3} + (a > b) + (a == b);
}

int main(void) {
  v4si a = g4, b = {7, 7, -9, 11};
  for (int k = 0; k < 3; k++) {
    mix(&a, &a, &b, k);
    p4("mix", a);
  }
  v8qu q = {250, 1, 2, 3, 128, 127, 0, 255};
  v8qu r = q + (v8qu){10, 10, 10, 10, 10, 10, 10, 10};
  r = (r >> 1) | (q & 3);
  r = r / (v8qu){1, 2, 3, 4, 5, 6, 7, 9};
  printf("q %u %u %u %u %u %u %u %u\n", r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
  v4hi h = {-300, 300, 32767, -32768};
  h = h * 3 + (v4hi){1, 2, 3, 4};
  h = h >> 2;
  printf("h %d %d %d %d\n", h[0], h[1], h[2], h[3]);
  v4sf f = {1.5f, -2.25f, 3.0f, 0.1f};
  v4sf g = f * f - f / (v4sf){2, 4, 8, 16};
  v4si lt = g < f;
  printf("f %.3f %.3f %.3f %.3f | %d %d %d %d\n", g[0], g[1], g[2], g[3], lt[0], lt[1], lt[2], lt[3]);
  v4si fi = __builtin_convertvector(g * 100, v4si);
  v4sf back = __builtin_convertvector(fi, v4sf) + __builtin_convertvector((v4hi){-1, 2, -3, 4}, v4sf);
  v2df wide = __builtin_convertvector(__builtin_shufflevector(back, back, 0, 3), v2df);
  printf("conv %d %d %d %d %.1f %.1f\n", fi[0], fi[1], fi[2], fi[3], wide[0], wide[1]);
  v2df d = {1e10, -3.5};
  d = d * d + (v2df){0.5, 0.25};
  printf("d %.2f %.3f\n", d[0], d[1]);
  v2di w = {INT64_MAX / 3, -77};
  w = (w << 3) ^ (w >> 60) + (v2di){1, 2};
  printf("w %lld %lld\n", (long long)w[0], (long long)w[1]);
  int s = 0;
  for (int i = 0; i < 4; i++) {
    s = s * 10 + b[i];
    a[i] = s & 0xff;
  }
  p4("sub", a);
  v4si sh = __builtin_shufflevector(a, b, 7, 0, 5, 2);
  p4("shuf", sh);
  uint32_t bits;
  memcpy(&bits, &q, sizeof bits);
  v4si bc = (v4si)f;
  printf("bits %08x %08x\n", bits, (unsigned)bc[1]);
  v4si arr[3];
  for (int i = 0; i < 3; i++) arr[i] = a + i;
  v4si acc = {0, 0, 0, 0};
  for (int i = 0; i < 3; i++) acc += arr[i];
  p4("acc", acc);
  v4si m = a > 100;
  v4si sel = (a & m) | (-a & ~m);
  p4("sel", sel);
  return 0;
}
