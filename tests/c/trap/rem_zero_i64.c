// expect-trap: integer divide by zero
// expect-trap-at: rem_zero_i64.c:7
#include <stdio.h>

int main(void) {
    volatile long long zero = 0;
    long long r = 123456789012345LL % zero;
    printf("after %lld\n", r);
    return 0;
}
