// expect-trap: integer divide by zero
#include <stdio.h>

int main(void) {
    volatile long long zero = 0;
    long long r = 123456789012345LL % zero;
    printf("after %lld\n", r);
    return 0;
}
