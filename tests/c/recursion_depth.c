#include <stdio.h>

static long long sum_to(int n) {
    if (n == 0) return 0;
    return n + sum_to(n - 1); /* not a tail call */
}

static int depth_with_frame(int n) {
    volatile int local[4];
    local[0] = n;
    local[3] = n * 2;
    if (n == 0) return 0;
    int r = depth_with_frame(n - 1);
    return r + (local[3] - local[0] == n ? 1 : 1000);
}

static int is_odd(unsigned n);
static int is_even(unsigned n) { return n == 0 ? 1 : is_odd(n - 1); }
static int is_odd(unsigned n) { return n == 0 ? 0 : is_even(n - 1); }

int main(void) {
    printf("sum_to(1000) = %lld\n", sum_to(1000));
    printf("depth_with_frame(1000) = %d\n", depth_with_frame(1000));
    printf("is_even(777) = %d, is_odd(777) = %d\n", is_even(777), is_odd(777));
    return depth_with_frame(1000) == 1000 && sum_to(1000) == 500500 ? 0 : 1;
}
