// opt-levels: -O0 -O2
// Structs, unions and complex numbers passed and returned by value, between
// module functions, through function pointers and in variadic calls, of
// every size class the ABIs treat differently (one word, two words, larger).
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct c3 { char a, b, c; };
struct pt { int x, y; };
struct f2 { float x, y; };
struct fi { float f; int i; };
struct sd { short s; double d; };
struct ll { long long v; };
struct big { int a[5]; char tag; };
struct nest { struct pt p; struct c3 c; unsigned char n[3]; };
union u8b { double d; unsigned int w[2]; };
struct bits { unsigned a : 3, b : 7; signed c : 6; };

static struct c3 mk_c3(char x) { struct c3 s = {x, (char)(x + 1), (char)(x + 2)}; return s; }
static int sum_c3(struct c3 s) { return s.a + s.b * 3 + s.c * 7; }
static struct pt mk_pt(int x, int y) { struct pt p = {x, y}; return p; }
static struct pt add_pt(struct pt a, struct pt b) { return mk_pt(a.x + b.x, a.y + b.y); }
static struct f2 mk_f2(float a) { struct f2 f = {a, a * 2.5f}; return f; }
static float dot_f2(struct f2 a, struct f2 b) { return a.x * b.x + a.y * b.y; }
static struct fi mk_fi(int i) { struct fi r = {i / 4.0f, -i}; return r; }
static struct sd mk_sd(short s) { struct sd r = {s, s * 1.25}; return r; }
static double use_sd(struct sd v) { return v.s + v.d; }
static struct ll mk_ll(long long v) { struct ll r = {v * 3}; return r; }
static struct big mk_big(int k) {
  struct big b;
  for (int i = 0; i < 5; i++) b.a[i] = k * (i + 1);
  b.tag = (char)('a' + k % 26);
  return b;
}
static int sum_big(struct big b) {
  int s = 0;
  for (int i = 0; i < 5; i++) s += b.a[i];
  b.a[0] = -1; // the callee's copy: the caller's struct stays as it was
  return s + b.tag;
}
static struct nest mk_nest(int k) {
  struct nest n = {{k, -k}, {'x', 'y', 'z'}, {1, 2, (unsigned char)k}};
  return n;
}
static int sum_nest(struct nest n) { return n.p.x * 100 + n.p.y + n.c.b + n.n[0] + n.n[1] + n.n[2]; }
static union u8b mk_u(double d) { union u8b u; u.d = d; return u; }
static struct bits mk_bits(int k) { struct bits b = {k & 7, (k * 5) & 127, -k}; return b; }
static int sum_bits(struct bits b) { return b.a * 1000 + b.b * 10 + b.c; }
static _Complex float cf_add(_Complex float a, _Complex float b) { return a + b; }
static _Complex double cd_add(_Complex double a, _Complex double b) { return a + b + b; }

static struct pt pick(int c, struct pt a, struct pt b) { return c ? a : b; }

static int vsum(int n, ...) {
  va_list ap;
  va_start(ap, n);
  int s = 0;
  for (int i = 0; i < n; i++) {
    struct pt p = va_arg(ap, struct pt);
    struct big b = va_arg(ap, struct big);
    s += p.x * 10 + p.y + b.a[4] + b.tag;
  }
  va_end(ap);
  return s;
}

typedef struct pt (*pt_fn)(struct pt, struct pt);

int main(void) {
  printf("c3 %d\n", sum_c3(mk_c3('A')));
  struct pt a = mk_pt(3, -4), b = mk_pt(10, 20);
  struct pt c = add_pt(a, b);
  printf("pt %d %d\n", c.x, c.y);
#ifdef __XTENSA__
  // Xtensa passes structs byval: through a pointer that is refused (a
  // native would pass the words), so the direct call stands in.
  struct pt d = add_pt(c, c);
#else
  pt_fn f = add_pt;
  struct pt d = f(c, c);
#endif
  printf("ptr %d %d\n", d.x, d.y);
  printf("f2 %.3f\n", dot_f2(mk_f2(1.5f), mk_f2(-2.0f)));
  struct fi r = mk_fi(10);
  printf("fi %.2f %d\n", r.f, r.i);
  printf("sd %.3f\n", use_sd(mk_sd(-7)));
  printf("ll %lld\n", mk_ll(-123456789012LL).v);
  struct big g = mk_big(7);
  printf("big %d %d %c\n", sum_big(g), g.a[0], g.tag);
  printf("nest %d\n", sum_nest(mk_nest(5)));
  union u8b u = mk_u(1.0);
  printf("union %08x %08x\n", u.w[0], u.w[1]);
  printf("bits %d\n", sum_bits(mk_bits(13)));
  _Complex float z = cf_add(1.0f + 2.0f * 1.0fi, 0.5f - 1.0fi);
  printf("cf %.2f %.2f\n", __real__ z, __imag__ z);
  _Complex double w = cd_add(1.0 + 2.0 * 1.0i, -3.0 + 0.25i);
  printf("cd %.2f %.2f\n", __real__ w, __imag__ w);
  int total = 0;
  for (int i = 0; i < 6; i++) {
    struct pt p = pick(i & 1, mk_pt(i, i * i), mk_pt(-i, 7));
    total += p.x * 3 + p.y;
  }
  printf("pick %d\n", total);
  printf("va %d\n", vsum(2, mk_pt(1, 2), mk_big(3), mk_pt(4, 5), mk_big(6)));
  struct pt arr[4];
  for (int i = 0; i < 4; i++) arr[i] = mk_pt(i, -i);
  struct pt s = {0, 0};
  for (int i = 0; i < 4; i++) s = add_pt(s, arr[i]);
  printf("arr %d %d\n", s.x, s.y);
  return 0;
}
