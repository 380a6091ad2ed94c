// expect-trap: integer divide by zero
// expect-trap-at: div_zero.c:5
#include <stdio.h>

static int divide(int a, int b) { return a / b; }

int main(void) {
    volatile int zero = 0;
    printf("before\n");
    int r = divide(100, zero);
    printf("after %d\n", r);
    return 0;
}
