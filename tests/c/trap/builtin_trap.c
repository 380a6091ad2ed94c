// expect-trap: unreachable
// expect-trap-at: builtin_trap.c:6
#include <stdio.h>

static void check(int ok) {
    if (!ok) __builtin_trap();
}

int main(void) {
    volatile int v = 3;
    check(v == 3);
    printf("first check passed\n");
    check(v == 4);
    printf("not reached\n");
    return 0;
}
