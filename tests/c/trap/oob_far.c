// expect-trap: out-of-bounds access
// expect-trap-at: oob_far.c:9
#include <stdio.h>

int main(void) {
    volatile unsigned addr = 0x10000000u; /* far below the module's memory window */
    int *p = (int *)addr;
    printf("reading far outside memory\n");
    int v = *p;
    printf("not reached %d\n", v);
    return 0;
}
