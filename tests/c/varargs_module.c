/* Variadic functions defined in the module: a logger forwarding its
 * va_list to vprintf, va_arg of int / long long / double / char *, va_copy,
 * and variadic functions called through function pointers. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int log_count;

void log_msg(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    log_count++;
    printf("[log %d] ", log_count);
    vprintf(fmt, ap);
    va_end(ap);
}

int sum_ints(int n, ...) {
    va_list ap;
    int s = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++) s += va_arg(ap, int);
    va_end(ap);
    return s;
}

/* Format letters: i int, L long long, d double, s string, c char. */
void mixed(const char *types, ...) {
    va_list ap;
    va_start(ap, types);
    for (const char *t = types; *t; t++) {
        switch (*t) {
        case 'i': printf("i=%d ", va_arg(ap, int)); break;
        case 'L': printf("L=%lld ", va_arg(ap, long long)); break;
        case 'd': printf("d=%.3f ", va_arg(ap, double)); break;
        case 's': printf("s=%s ", va_arg(ap, char *)); break;
        case 'c': printf("c=%c ", (char)va_arg(ap, int)); break;
        }
    }
    va_end(ap);
    printf("\n");
}

/* Reads the arguments twice: once through a copy. */
long long twice(int n, ...) {
    va_list ap, aq;
    long long a = 0, b = 0;
    va_start(ap, n);
    va_copy(aq, ap);
    for (int i = 0; i < n; i++) a += va_arg(ap, long long);
    for (int i = 0; i < n; i++) b += 3 * va_arg(aq, long long);
    va_end(aq);
    va_end(ap);
    return a * 1000 + b;
}

/* Forwards its va_list to a helper taking a va_list. */
static int vformat(char *buf, size_t n, const char *fmt, va_list ap) {
    return vsnprintf(buf, n, fmt, ap);
}

int format(char *buf, size_t n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int r = vformat(buf, n, fmt, ap);
    va_end(ap);
    return r;
}

double avg(int n, ...) {
    va_list ap;
    double s = 0;
    va_start(ap, n);
    for (int i = 0; i < n; i++) s += va_arg(ap, double);
    va_end(ap);
    return n ? s / n : 0.0;
}

/* A variadic function with no variadic arguments passed. */
int count_only(int n, ...) { return n; }

typedef int (*sum_fn)(int, ...);
typedef int (*print_fn)(const char *, ...);

static sum_fn pick_sum(int which) { return which ? sum_ints : count_only; }

int main(void) {
    log_msg("hello %s, %d + %d = %d\n", "world", 2, 3, 2 + 3);
    log_msg("no arguments\n");
    log_msg("%c%c%c %x %5.2f %lld\n", 'a', 'b', 'c', 0xbeef, 3.14159, -1234567890123LL);

    printf("sum0=%d sum3=%d sum6=%d\n", sum_ints(0), sum_ints(3, 1, 2, 3), sum_ints(6, -1, 10, 100, 1000, -5, 7));

    mixed("iLds", 42, 9000000000LL, 2.5, "str");
    mixed("diLc", 1.0 / 3.0, -7, -5LL, 'Z');
    mixed("LLL", 1LL, -2LL, 1LL << 40);
    mixed("ididid", 1, 1.5, 2, 2.5, 3, 3.5);

    printf("twice=%lld\n", twice(3, 1LL, 2LL, 3LL));

    char buf[64];
    int w = format(buf, sizeof buf, "%s-%04d-%.1f", "id", 77, 0.3);
    printf("format wrote %d: %s\n", w, buf);

    printf("avg=%.4f avg0=%.1f\n", avg(4, 1.0, 2.0, 3.5, 4.25), avg(0));

    /* Through function pointers: module targets and a native one. */
    volatile int which = 1;
    sum_fn f = pick_sum(which);
    printf("via pointer: %d\n", f(4, 10, 20, 30, 40));
    f = pick_sum(!which);
    printf("via pointer (no varargs read): %d\n", f(2, 5, 6));
    void (*lp)(const char *, ...) = log_msg;
    lp("through pointer: %d %s %.2f\n", 99, "ok", 0.5);
    print_fn pp = printf;
    pp("native through pointer: %d %lld %.1f\n", 1, 2LL, 3.0);

    sum_fn table[2] = {sum_ints, count_only};
    for (int i = 0; i < 2; i++) printf("table[%d]=%d\n", i, table[i](3, 4, 5, 6));

    printf("logs=%d len=%d\n", log_count, (int)strlen(buf));
    return 0;
}
