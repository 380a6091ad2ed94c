#include <stdio.h>

static int fib_rec(int n) { return n < 2 ? n : fib_rec(n - 1) + fib_rec(n - 2); }

static unsigned long long fib_iter(int n) {
    unsigned long long a = 0, b = 1;
    for (int i = 0; i < n; i++) {
        unsigned long long t = a + b;
        a = b;
        b = t;
    }
    return a;
}

int main(void) {
    for (int i = 0; i <= 20; i += 5)
        printf("fib_rec(%d) = %d\n", i, fib_rec(i));
    printf("fib_rec(24) = %d\n", fib_rec(24));
    printf("fib_iter(50) = %llu\n", fib_iter(50));
    printf("fib_iter(85) = %llu\n", fib_iter(85));
    int ok = fib_rec(24) == 46368 && fib_iter(85) == 259695496911122585ULL;
    printf("ok = %d\n", ok);
    return fib_rec(12) % 256; /* 144 */
}
