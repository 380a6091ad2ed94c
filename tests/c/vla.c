#include <stdio.h>
#include <string.h>

static long sum_vla(int n, int m, int a[n][m]) {
    long s = 0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) s += a[i][j];
    return s;
}

static int pascal_row(int n, int k) {
    int row[n + 1];
    for (int i = 0; i <= n; i++) {
        row[i] = 1;
        for (int j = i - 1; j > 0; j--) row[j] += row[j - 1];
    }
    return row[k];
}

static int sieve_count(int limit) {
    char composite[limit + 1];
    memset(composite, 0, sizeof composite);
    int count = 0;
    for (int i = 2; i <= limit; i++) {
        if (composite[i]) continue;
        count++;
        for (int j = i * 2; j <= limit; j += i) composite[j] = 1;
    }
    return count;
}

int main(void) {
    int total = 0;
    for (int n = 1; n <= 6; n++) {
        int m = n + 2;
        int grid[n][m];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < m; j++) grid[i][j] = i * m + j;
        long s = sum_vla(n, m, grid);
        printf("grid %dx%d: sizeof=%u sum=%ld\n", n, m, (unsigned)sizeof grid, s);
        total += (int)s;
    }
    for (int n = 0; n <= 10; n += 2) printf("C(%d,%d) = %d\n", n, n / 2, pascal_row(n, n / 2));
    int limits[] = {10, 100, 1000, 5000};
    for (int i = 0; i < 4; i++) printf("primes <= %d: %d\n", limits[i], sieve_count(limits[i]));
    /* VLAs in a loop: stack must be released every iteration */
    long acc = 0;
    for (int iter = 0; iter < 2000; iter++) {
        int len = 100 + iter % 50;
        int tmp[len];
        for (int i = 0; i < len; i++) tmp[i] = i ^ iter;
        acc += tmp[len - 1];
    }
    printf("acc = %ld\n", acc);
    return total % 256;
}
