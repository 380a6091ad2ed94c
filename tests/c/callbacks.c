#include <stdio.h>

typedef void (*visit_fn)(int value, void *ctx);
typedef int (*pred_fn)(int);

static void for_each(const int *a, int n, visit_fn fn, void *ctx) {
    for (int i = 0; i < n; i++) fn(a[i], ctx);
}

static int count_if(const int *a, int n, pred_fn p) {
    int c = 0;
    for (int i = 0; i < n; i++) c += p(a[i]) != 0;
    return c;
}

static int map_reduce(const int *a, int n, int (*map)(int), int (*reduce)(int, int), int init) {
    int acc = init;
    for (int i = 0; i < n; i++) acc = reduce(acc, map(a[i]));
    return acc;
}

struct stats { int sum; int min; int max; int n; };
static void collect(int v, void *ctx) {
    struct stats *s = ctx;
    s->sum += v;
    if (s->n == 0 || v < s->min) s->min = v;
    if (s->n == 0 || v > s->max) s->max = v;
    s->n++;
}
static void print_it(int v, void *ctx) { printf("%s%d", (const char *)ctx, v); }

static int is_even(int v) { return v % 2 == 0; }
static int is_positive(int v) { return v > 0; }
static int square(int v) { return v * v; }
static int negate(int v) { return -v; }
static int plus(int a, int b) { return a + b; }
static int maxf(int a, int b) { return a > b ? a : b; }

static int apply_n(int (*f)(int), int n, int x) { while (n--) x = f(x); return x; }
static int twice(int x) { return x * 2; }

static pred_fn choose(int which) { return which ? is_positive : is_even; }

int main(void) {
    int data[] = {4, -7, 12, 0, 5, -2, 9, 8};
    int n = 8;
    struct stats s = {0, 0, 0, 0};
    for_each(data, n, collect, &s);
    printf("sum=%d min=%d max=%d n=%d\n", s.sum, s.min, s.max, s.n);
    for_each(data, n, print_it, " ");
    printf("\n");
    printf("even: %d positive: %d\n", count_if(data, n, choose(0)), count_if(data, n, choose(1)));
    printf("sum of squares: %d\n", map_reduce(data, n, square, plus, 0));
    printf("max of negated: %d\n", map_reduce(data, n, negate, maxf, -1000));
    printf("apply twice 10 times to 1: %d\n", apply_n(twice, 10, 1));
    return s.sum; /* 29 */
}
