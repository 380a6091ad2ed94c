// _Exit ends the program at once with its status (a runtime builtin, as
// exit is); stdout is flushed by hand first, since _Exit does not.
#include <stdio.h>
#include <stdlib.h>

static volatile int code = 3;

int main(void) {
  printf("before _Exit\n");
  fflush(stdout);
  _Exit(code);
  printf("never\n");
  return 0;
}
