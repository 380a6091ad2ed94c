// expect-trap: integer overflow in division
// expect-trap-at: int_min_div.c:9
#include <stdio.h>
#include <limits.h>

int main(void) {
    volatile int a = INT_MIN, b = -1;
    printf("dividing INT_MIN by -1\n");
    int q = a / b;
    printf("not reached %d\n", q);
    return 0;
}
