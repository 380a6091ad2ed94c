// expect-trap: integer divide by zero
// div() by zero traps as the `/` operator does (a runtime builtin).
#include <stdio.h>
#include <stdlib.h>

static volatile int zero = 0;

int main(void) {
  div_t d = div(7, zero);
  printf("%d %d\n", d.quot, d.rem);
  return 0;
}
