// expect-trap: out-of-bounds access
// expect-trap-at: null_write.c:8
#include <stdio.h>

int main(void) {
    int *volatile p = 0;
    printf("writing through a null pointer\n");
    *p = 42;
    printf("not reached\n");
    return 0;
}
