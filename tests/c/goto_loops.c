#include <stdio.h>

static int find_pair(const int *a, int n, int target, int *oi, int *oj) {
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (a[i] + a[j] == target) {
                *oi = i;
                *oj = j;
                goto found;
            }
    return 0;
found:
    return 1;
}

static int cleanup_pattern(int fail_at) {
    int stage = 0;
    int resources = 0;
    if (fail_at == 1) goto fail1;
    resources |= 1;
    stage++;
    if (fail_at == 2) goto fail2;
    resources |= 2;
    stage++;
    if (fail_at == 3) goto fail3;
    resources |= 4;
    stage++;
    printf("  all stages ok, resources=%d\n", resources);
    resources &= ~4;
fail3:
    resources &= ~2;
fail2:
    resources &= ~1;
fail1:
    printf("  fail_at=%d stage=%d leaked=%d\n", fail_at, stage, resources);
    return stage;
}

int main(void) {
    int primes = 0;
    for (int n = 2; n < 100; n++) {
        for (int d = 2; d * d <= n; d++)
            if (n % d == 0) goto not_prime;
        primes++;
        printf("%d ", n);
    not_prime:;
    }
    printf("\nprimes below 100: %d\n", primes);

    int a[] = {8, 3, 11, 7, 2, 15, 4};
    int i = -1, j = -1;
    int found = find_pair(a, 7, 19, &i, &j);
    printf("pair for 19: %d (%d,%d)\n", found, i, j);
    printf("pair for 100: %d\n", find_pair(a, 7, 100, &i, &j));

    int total = 0;
    for (int f = 0; f <= 3; f++) total += cleanup_pattern(f);

    /* nested loops with break and continue at different levels */
    int visited = 0, row_breaks = 0;
    for (int r = 0; r < 10; r++) {
        if (r % 3 == 0) continue;
        for (int c = 0; c < 10; c++) {
            if (c == r) { row_breaks++; break; }
            if ((r + c) % 2) continue;
            visited++;
        }
        if (visited > 20) break;
    }
    printf("visited=%d row_breaks=%d\n", visited, row_breaks);

    /* loop with a manual goto back-edge */
    int k = 0, acc = 0;
again:
    acc += k * k;
    if (++k < 10) goto again;
    printf("sum squares 0..9 = %d\n", acc);

    /* while with complex condition and early exits */
    unsigned x = 27, steps = 0;
    while (x != 1) {
        x = (x & 1) ? 3 * x + 1 : x / 2;
        steps++;
        if (steps > 1000) break;
    }
    printf("collatz(27) steps = %u\n", steps);
    return primes + total; /* 25 + 0+1+2+3 */
}
