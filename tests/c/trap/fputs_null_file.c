// expect-trap: the FILE* is NULL (did fopen fail?)
// A stream that failed to open, used anyway: a device would crash.
#include <stdio.h>

int main(void) {
  FILE *f = fopen("/spiffs/missing.txt", "r");
  fputs("hello\n", f);
  return 0;
}
