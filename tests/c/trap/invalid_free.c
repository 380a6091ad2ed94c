// expect-trap: free() of a pointer that was not allocated
// expect-trap-at: invalid_free.c:10
#include <stdio.h>
#include <stdlib.h>

int main(void) {
    int on_stack[4] = {1, 2, 3, 4};
    int *volatile p = &on_stack[1];
    printf("freeing a stack pointer\n");
    free(p);
    printf("not reached\n");
    return 0;
}
