// opt-levels: -O0 -O2
// A va_list handed on through a function pointer to the C library
// (vprintf, vsnprintf): Xtensa passes a va_list by value (a byval
// argument), riscv32 as a pointer.
#include <stdarg.h>
#include <stdio.h>

static int (*volatile out)(const char *, va_list) = vprintf;
static int (*volatile fmt)(char *, size_t, const char *, va_list) = vsnprintf;

static int say(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  int n = out(f, ap);
  va_end(ap);
  return n;
}

static int into(char *buf, size_t size, const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  int n = fmt(buf, size, f, ap);
  va_end(ap);
  return n;
}

int main(void) {
  int n = say("%d %s %.2f %lld %c\n", 42, "words", 2.5, -7LL, 'z');
  char buf[16];
  int m = into(buf, sizeof buf, "%05d|%x|%s", 17, 255, "truncated here");
  printf("%d %d [%s]\n", n, m, buf);
  return 0;
}
