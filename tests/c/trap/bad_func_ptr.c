// expect-trap: bad function pointer
// expect-trap-at: bad_func_ptr.c:11
#include <stdio.h>

typedef int (*fn)(int);

int main(void) {
    volatile unsigned bogus = 0x3fc80004u;
    fn f = (fn)bogus;
    printf("calling a bogus function pointer\n");
    return f(1);
}
