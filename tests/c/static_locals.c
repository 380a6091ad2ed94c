#include <stdio.h>

static int next_id(void) {
    static int id = 100;
    return id++;
}

static const char *cycle(void) {
    static const char *const words[] = {"red", "green", "blue"};
    static int i;
    const char *w = words[i];
    i = (i + 1) % 3;
    return w;
}

static int *accumulator(int v) {
    static int total;
    total += v;
    return &total;
}

static unsigned long long fib_memo(int n) {
    static unsigned long long memo[90];
    static int init;
    if (!init) { memo[1] = 1; init = 1; }
    if (n < 2) return (unsigned long long)n;
    if (memo[n]) return memo[n];
    return memo[n] = fib_memo(n - 1) + fib_memo(n - 2);
}

static double running_avg(double x) {
    static double sum;
    static int n;
    sum += x;
    n++;
    return sum / n;
}

int main(void) {
    for (int i = 0; i < 5; i++) printf("id %d\n", next_id());
    for (int i = 0; i < 7; i++) printf("%s ", cycle());
    printf("\n");
    int *t = accumulator(5);
    accumulator(10);
    accumulator(-3);
    printf("total via pointer = %d\n", *t);
    *t = 1000;
    printf("after write through pointer: %d\n", *accumulator(1));
    printf("fib_memo(80) = %llu, fib_memo(89) = %llu\n", fib_memo(80), fib_memo(89));
    double a = 0;
    for (int i = 1; i <= 10; i++) a = running_avg(i * 1.5);
    printf("running avg = %.4f\n", a);
    return next_id() - 100; /* 5 */
}
