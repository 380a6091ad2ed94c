// expect-trap: bad function pointer
#include <stdio.h>

typedef int (*fn)(int);

int main(void) {
    volatile unsigned bogus = 0x3fc80004u;
    fn f = (fn)bogus;
    printf("calling a bogus function pointer\n");
    return f(1);
}
