/* clang -Os turns `for (i = 0; i < n; i++) s += i;` into a closed form
   computed in i33 (and similar loops into i33 multiplies and shifts);
   the 33-bit intermediate results must wrap exactly as LLVM says. */
#include <stdio.h>

__attribute__((noinline)) static unsigned sum_to(unsigned n) {
    unsigned s = 0;
    for (unsigned i = 0; i < n; i++) s += i;
    return s;
}

__attribute__((noinline)) static int ssum(int n) {
    int s = 0;
    for (int i = 0; i < n; i++) s += i;
    return s;
}

__attribute__((noinline)) static unsigned sum_sq(unsigned n) {
    unsigned s = 0;
    for (unsigned i = 0; i < n; i++) s += i * i;
    return s;
}

__attribute__((noinline)) static unsigned sum_step(unsigned lo, unsigned hi) {
    unsigned s = 0;
    for (unsigned i = lo; i < hi; i += 1) s += i;
    return s;
}

/* Past 65536 the 33-bit products wrap; the loops stay short natively. */
static volatile unsigned ns[] = {0, 1, 2, 3, 10, 1000, 65535, 65536, 65537, 92681, 100000, 131072, 1048577, 3000001};

int main(void) {
    unsigned acc = 0;
    for (unsigned k = 0; k < sizeof ns / sizeof ns[0]; k++) {
        unsigned n = ns[k];
        unsigned a = sum_to(n), q = sum_sq(n);
        unsigned st = sum_step(n / 2, n);
        printf("n %u: sum %u sq %u step %u\n", n, a, q, st);
        acc = acc * 33u + a + q + st;
        if (n <= 65536u) {
            int s = ssum((int)n);
            printf("  ssum %d\n", s);
            acc ^= (unsigned)s;
        }
    }
    printf("acc %08x\n", acc);
    return 0;
}
