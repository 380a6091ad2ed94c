// expect-trap: abort() called
// expect-trap-at: abort_call.c:9
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    volatile int fail = 1;
    printf("about to abort\n");
    if (fail) abort();
    return 0;
}
