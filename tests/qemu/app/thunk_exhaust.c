/* More address-taken functions (40, in a table of handlers) than the
 * firmware's thunk pool has slots (32 by default): refused at load, with
 * the numbers and how to raise the pool's size. */
#include <stdio.h>

#define H(n) static int h##n(int x) { return x + n; }
#define T8(a) H(a##0) H(a##1) H(a##2) H(a##3) H(a##4) H(a##5) H(a##6) H(a##7)
T8(1) T8(2) T8(3) T8(4) T8(5)
#define R8(a) h##a##0, h##a##1, h##a##2, h##a##3, h##a##4, h##a##5, h##a##6, h##a##7,

int (*const handlers[])(int) = {R8(1) R8(2) R8(3) R8(4) R8(5)};

void app_main(void) {
    int sum = 0;
    for (unsigned i = 0; i < sizeof handlers / sizeof handlers[0]; i++) sum += handlers[i](0);
    printf("sum %d\n", sum);
}
