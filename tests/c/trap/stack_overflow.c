// expect-trap: stack exhausted
// expect-trap-at: stack_overflow.c:8
#include <stdio.h>

static int recurse(int n) {
    volatile char frame[64];
    frame[0] = (char)n;
    return recurse(n + 1) + frame[0];
}

int main(void) {
    printf("recursing forever\n");
    return recurse(0);
}
