// opt-levels: -O0 -O2
// sscanf and strtod corner cases the C standard pins down, against glibc.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ints(const char *in, const char *fmt) {
  int a = -99, b = -99, n = -1;
  int r = sscanf(in, fmt, &a, &b, &n);
  printf("[%s] [%s] -> %d: %d %d %d\n", in, fmt, r, a, b, n);
}

int main(void) {
  ints("12 34", "%d %d%n");
  ints("12abc", "%d%d%n");
  ints("  -0", "%d%n%n");
  ints("+5-6", "%d%d%n");
  ints("0x1A 077", "%x %o%n");
  ints("0X1a", "%i%n%n");
  ints("077", "%i%n%n");
  ints("1,2", "%d,%d%n");
  ints("1 ,2", "%d ,%d%n");
  ints("1,  2", "%d,%d%n");
  ints("7", "%2d%d%n");
  ints("123456", "%2d%3d%n");
  ints("abc 5", "abc %d%n%n");
  ints("abd 5", "abc %d%n%n");
  ints("5\t\n 6", "%d%d%n");
  ints("-", "%d%n%n");
  ints("4294967295", "%u%n%n");
  ints("%5", "%%%d%n");
  char s1[16] = "?", s2[16] = "?", c[4] = "???";
  int r = sscanf("  hello   world", "%s%s", s1, s2);
  printf("%d %s %s\n", r, s1, s2);
  r = sscanf("abcdef", "%3s%2s", s1, s2);
  printf("%d %s %s\n", r, s1, s2);
  r = sscanf(" x", "%c", c);
  printf("%d [%c]\n", r, c[0]);
  r = sscanf(" x", " %c", c);
  printf("%d [%c]\n", r, c[0]);
  r = sscanf("ab", "%3c", c);
  printf("%d\n", r);
  int used = -1;
  r = sscanf("a-z]x", "%[a-]%n", s1, &used);
  printf("%d %s %d\n", r, s1, used);
  r = sscanf("0123abc", "%[0-9]%[^0-9]", s1, s2);
  printf("%d %s %s\n", r, s1, s2);
  r = sscanf("xyz", "%[0-9]", s1);
  printf("%d\n", r);
  float f = 0;
  double d = 0;
  r = sscanf("1e3 -2.5E-1", "%f %lf", &f, &d);
  printf("%d %g %g\n", r, f, d);
  r = sscanf("0x1p4 inf", "%lf %f", &d, &f);
  printf("%d %g %g\n", r, d, f);
  r = sscanf(".5 5.", "%lf %f", &d, &f);
  printf("%d %g %g\n", r, d, f);
  r = sscanf("3.14159", "%4lf%lf", &d, &d);
  printf("%d %g\n", r, d);
  long long ll = 0;
  unsigned long long ull = 0;
  r = sscanf("-9223372036854775808 18446744073709551615", "%lld %llu", &ll, &ull);
  printf("%d %lld %llu\n", r, ll, ull);
  short h = 0;
  unsigned char hh = 0;
  r = sscanf("-32768 255", "%hd %hhu", &h, &hh);
  printf("%d %d %u\n", r, h, hh);
  size_t z = 0;
  r = sscanf("4000000000", "%zu", &z);
  printf("%d %lu\n", r, (unsigned long)z);
  const char *nums[] = {"0.1", "1e-320", "-0", "1.7976931348623157e308", "1.7976931348623159e308", "  +.e1", "1.e+", "0x.p1", "0x1.P-2z", "nan(abc)x", "infinit", "9007199254740993", "2.4703282292062328e-324", "2.4703282292062327e-324"};
  for (unsigned i = 0; i < sizeof nums / sizeof *nums; i++) {
    char *end;
    double v = strtod(nums[i], &end);
    if (v != v) printf("strtod %s -> nan %d\n", nums[i], (int)(end - nums[i]));
    else printf("strtod %s -> %.17g %d\n", nums[i], v, (int)(end - nums[i]));
  }
  return 0;
}
