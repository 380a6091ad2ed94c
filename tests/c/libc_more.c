// opt-levels: -O0 -O2
// C library functions of the second round (issue 10): div/ldiv/lldiv
// (structs returned per ABI), aligned allocation on the module heap,
// strtod/strtof/atof, sscanf, and math.h/string.h additions. Inputs are
// volatile so that the calls reach the library at every level.
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __NEWLIB__
#include <malloc.h>
#define my_strlcpy strlcpy
#define my_strlcat strlcat
#else
// glibc before 2.38 has no strlcpy/strlcat: the reference is BSD's definition.
static size_t my_strlcpy(char *d, const char *s, size_t n) {
  size_t len = strlen(s);
  if (n) {
    size_t k = len < n - 1 ? len : n - 1;
    memcpy(d, s, k);
    d[k] = 0;
  }
  return len;
}
static size_t my_strlcat(char *d, const char *s, size_t n) {
  size_t dl = strnlen(d, n);
  if (dl == n) return n + strlen(s);
  return dl + my_strlcpy(d + dl, s, n - dl);
}
#endif

static volatile int vi[] = {17, -17, 5, -5, 2147483647, 3};
static volatile long long vll[] = {-1000000000007LL, 13LL, 9223372036854775807LL, -2LL};
static volatile double vd[] = {1.0, 2.0, 0.0, -1.0, 1.5, 2.5, -2.5, 1e300, 3.0};
static volatile float vf[] = {1.0f, 2.0f, 0.0f, 1.5f, -2.5f};
static div_t (*volatile div_ptr)(int, int) = div;

static void show_div(void) {
  for (int i = 0; i < 4; i++) {
    div_t d = div(vi[i], vi[(i + 2) % 4]);
    ldiv_t l = ldiv(vi[i] * 3L, vi[5]);
    printf("div %d %d ldiv %ld %ld\n", d.quot, d.rem, l.quot, l.rem);
  }
  lldiv_t q = lldiv(vll[0], vll[1]);
  lldiv_t r = lldiv(vll[2], vll[3]);
  printf("lldiv %lld %lld %lld %lld\n", q.quot, q.rem, r.quot, r.rem);
  div_t p = div_ptr(vi[4], vi[2]);
  printf("div through a pointer %d %d\n", p.quot, p.rem);
}

static void show_aligned(void) {
  size_t aligns[] = {16, 32, 64, 256, 1024};
  void *blocks[5];
  for (int i = 0; i < 5; i++) {
    blocks[i] = aligned_alloc(aligns[i], 2 * aligns[i]);
    printf("aligned_alloc(%u) %d\n", (unsigned)aligns[i], blocks[i] && (uintptr_t)blocks[i] % aligns[i] == 0);
    memset(blocks[i], i, 2 * aligns[i]);
  }
  void *p = (void *)1;
  int rc = posix_memalign(&p, 128, 100);
  printf("posix_memalign %d %d\n", rc, p && (uintptr_t)p % 128 == 0);
  memset(p, 0x5a, 100);
  void *q = (void *)1;
  printf("bad alignment %d %d\n", posix_memalign(&q, 24, 8) != 0, q == (void *)1);
  for (int i = 0; i < 5; i++) free(blocks[i]);
  free(p);
  // The heap is whole again: a big block fits.
  void *big = malloc(60000);
  printf("big %d\n", big != NULL);
  free(big);
}

static void show_strtod(void) {
  const char *texts[] = {"  3.25xyz", "-0x1.8p3", "1e-5", ".5e+2", "INFINITY", "-inf", "0x", "abc",
                         "1e", "123456789012345678901234567890", "2.2250738585072011e-308", "0x1p-1074",
                         "+7.", "4.9406564584124654e-324"};
  for (unsigned i = 0; i < sizeof texts / sizeof *texts; i++) {
    char *end;
    errno = 0;
    double d = strtod(texts[i], &end);
    printf("strtod(\"%s\") = %.17g, %d used, errno %d\n", texts[i], d, (int)(end - texts[i]), errno);
  }
  errno = 0;
  double big = strtod("1e400", NULL);
  printf("1e400 %g range %d\n", big, errno == ERANGE);
  errno = 0;
  double tiny = strtod("1e-400", NULL);
  printf("1e-400 %g range %d\n", tiny, errno == ERANGE);
  const char *ftexts[] = {"1.00000005960464477539062500001", "3.4028235e38", "1e39", "0x1.fffffep127", "-0.1"};
  for (unsigned i = 0; i < sizeof ftexts / sizeof *ftexts; i++) {
    char *end;
    float f = strtof(ftexts[i], &end);
    printf("strtof(\"%s\") = %.9g, %d used\n", ftexts[i], f, (int)(end - ftexts[i]));
  }
  printf("atof %.17g %.17g\n", atof("  -12.5e-1 "), atof("zz"));
}

static void show_sscanf(void) {
  int a = -1, b = -1, n = -1;
  unsigned u = 0;
  char word[16] = "", rest[16] = "", c3[4] = "";
  float f = 0;
  double d = 0;
  long long ll = 0;
  short h = 0;
  signed char hh = 0;
  int r = sscanf("  42, -7 word rest!", "%d, %d %15s %[a-z]%n", &a, &b, word, rest, &n);
  printf("sscanf %d: %d %d %s %s %d\n", r, a, b, word, rest, n);
  r = sscanf("0x1F 017 255 abcdef", "%i %i %x %3c", &a, &b, &u, c3);
  c3[3] = 0;
  printf("sscanf %d: %d %d %u %s\n", r, a, b, u, c3);
  r = sscanf("1.5 -2.25e2 123456789012 -3 300", "%f %lf %lld %hd %hhd", &f, &d, &ll, &h, &hh);
  printf("sscanf %d: %g %g %lld %d %d\n", r, f, d, ll, h, hh);
  r = sscanf("12345", "%3d%d", &a, &b);
  printf("sscanf %d: %d %d\n", r, a, b);
  r = sscanf("abc", "%d", &a);
  printf("sscanf no match %d\n", r);
  r = sscanf("", "%d", &a);
  printf("sscanf empty %d\n", r);
  r = sscanf("7 8", "%*d %d", &a);
  printf("sscanf suppressed %d: %d\n", r, a);
  r = sscanf("key=value;x", "%[^=]=%[^;];", word, rest);
  printf("sscanf sets %d: %s %s\n", r, word, rest);
  r = sscanf("100%", "%d%%", &a);
  printf("sscanf percent %d: %d\n", r, a);
  r = sscanf("3 apples", "%d %d", &a, &b);
  printf("sscanf partial %d: %d\n", r, a);
}

static void show_math(void) {
  printf("nextafter %.17g %.17g %.17g\n", nextafter(vd[0], vd[1]), nextafter(vd[0], vd[2]), nextafter(vd[2], vd[3]));
  printf("nextafterf %.9g %.9g\n", nextafterf(vf[0], vf[1]), nextafterf(vf[0], vf[2]));
  printf("scalbn %.17g %.17g %g %g\n", scalbn(vd[4], 10), scalbn(vd[4], -1074), scalbn(vd[7], 100),
         scalbn(vd[0], -1075));
  printf("scalbnf %.9g %.9g\n", scalbnf(vf[3], 20), scalbnf(vf[3], -149));
  printf("ldexp %.17g frexp", ldexp(vd[8], -1073));
  int e;
  double m = frexp(vd[7], &e);
  printf(" %.17g %d\n", m, e);
  printf("fdim %g %g fma %.17g\n", fdim(vd[8], vd[0]), fdim(vd[0], vd[8]), fma(vd[8], vd[4], vd[3]));
  printf("llround %lld %lld lrint %ld %ld llrint %lld\n", llround(vd[5]), llround(vd[6]), lrint(vd[5]),
         lrint(vd[4]), llrint(vd[6]));
  printf("rint %g %g nearbyint %g\n", rint(vd[5]), rintf(vf[4]), nearbyint(vd[4]));
  printf("ilogb %d %d logb %g\n", ilogb(vd[7]), ilogbf(vf[3]), logb(vd[8]));
  printf("copysign %g %g\n", copysign(vd[8], vd[3]), copysignf(vf[1], vf[4]));
  printf("nan %d %d scalbln %g %g\n", isnan(nan("")), isnan(nanf("1")), scalbln(vd[4], 3L), scalblnf(vf[3], -1L));
  printf("exp2 %.10g expm1 %.10g log1p %.10g log2f %.6g cbrtf %.6g\n", exp2(vd[4]), expm1(vd[0]), log1p(vd[0]),
         log2f(vf[1]), cbrtf(vf[1]));
  printf("asinf %.6g acosf %.6g atanf %.6g sinhf %.6g coshf %.6g tanhf %.6g\n", asinf(vf[0] / 2), acosf(vf[0] / 2),
         atanf(vf[0]), sinhf(vf[0]), coshf(vf[0]), tanhf(vf[0]));
}

static void show_strings(void) {
  char buf[12];
  size_t n = my_strlcpy(buf, "hello, world", sizeof buf);
  printf("strlcpy %u '%s'\n", (unsigned)n, buf);
  n = my_strlcpy(buf, "abc", sizeof buf);
  n = my_strlcat(buf, "defghijklmnop", sizeof buf);
  printf("strlcat %u '%s'\n", (unsigned)n, buf);
  char line[] = "a,b,,c";
  char *s = line, *tok;
  while ((tok = strsep(&s, ",")) != NULL) printf("[%s]", tok);
  printf(" end %d\n", s == NULL);
  char out[16];
  char *end = stpcpy(out, "abc");
  end = stpcpy(end, "def");
  printf("stpcpy '%s' %d\n", out, (int)(end - out));
  memset(out, 'x', sizeof out);
  end = stpncpy(out, "hi", 5);
  printf("stpncpy %d %d %d\n", (int)(end - out), out[4], out[5]);
  printf("strcoll %d %d\n", strcoll("abc", "abd") < 0, strcoll("b", "a") > 0);
  printf("isascii %d %d toascii %d\n", (isascii)(65), (isascii)(200), (toascii)(200));
  char x[8];
  size_t xl = strxfrm(x, "abc", sizeof x);
  printf("strxfrm %u %s %u\n", (unsigned)xl, x, (unsigned)strxfrm(NULL, "longer text", 0));
  printf("getenv %d\n", getenv("ESPB_SURELY_UNSET_VARIABLE") == NULL);
  // strdup's copies are the module's: written and freed like malloc's.
  char *d = strdup("duplicate"), *e = strndup("abcdef", 3), *f = strndup("xy", 10);
  d[0] = 'D';
  printf("strdup %s %s %s\n", d, e, f);
  free(d);
  free(e);
  free(f);
}

int main(void) {
  show_div();
  show_aligned();
  show_strtod();
  show_sscanf();
  show_math();
  show_strings();
  return 0;
}
