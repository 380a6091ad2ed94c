/* Variadic arguments across the register/stack boundary of the Xtensa and
 * RISC-V conventions: a double or long long that would straddle the last
 * argument register, read with va_arg and handed on to vprintf. */
#include <stdarg.h>
#include <stdio.h>

static double take(int n, ...) {
    va_list ap;
    va_start(ap, n);
    double sum = 0;
    for (int i = 0; i < n; i++) {
        int kind = va_arg(ap, int);
        if (kind == 0) sum += va_arg(ap, int);
        else if (kind == 1) sum += (double) va_arg(ap, long long);
        else sum += va_arg(ap, double);
    }
    va_end(ap);
    return sum;
}

static void say(const char *fmt, ...) {
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    vprintf(fmt, ap);
    int first = va_arg(again, int);
    printf("  (first again: %d)\n", first);
    va_end(again);
    va_end(ap);
}

int main(void) {
    /* 4 ints before the double: the pair would start at byte 20 of 24. */
    printf("%.2f\n", take(3, 0, 1, 0, 2, 2, 3.25));
    printf("%.2f\n", take(4, 0, 1, 0, 2, 1, 40000000000LL, 2, 0.5));
    printf("%.2f\n", take(6, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 2, -1.5));
    say("%d %d %d %d %d %f %lld %s\n", 1, 2, 3, 4, 5, 6.5, 7LL, "eight");
    say("%d %lld %d %f %d %f\n", 9, 10LL, 11, 12.25, 13, 14.5);
    return 0;
}
