// expect-trap: out-of-bounds access
// expect-trap-at: oob_high.c:9
#include <stdio.h>

int main(void) {
    int local[4] = {1, 2, 3, 4};
    volatile unsigned offset = 0x40000000u; /* 1 GiB past a stack array */
    char *p = (char *)local + offset;
    *p = 1;
    printf("not reached %d\n", local[0]);
    return 0;
}
