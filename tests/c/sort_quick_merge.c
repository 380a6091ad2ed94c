#include <stdio.h>
#include <string.h>

#define N 64

static void swap(int *x, int *y) { int t = *x; *x = *y; *y = t; }

static int partition(int *a, int lo, int hi) {
    int pivot = a[hi];
    int i = lo;
    for (int j = lo; j < hi; j++)
        if (a[j] < pivot) swap(&a[i++], &a[j]);
    swap(&a[i], &a[hi]);
    return i;
}

static void quick_sort(int *a, int lo, int hi) {
    if (lo >= hi) return;
    int p = partition(a, lo, hi);
    quick_sort(a, lo, p - 1);
    quick_sort(a, p + 1, hi);
}

static void merge_sort(unsigned *a, unsigned *tmp, int n) {
    if (n < 2) return;
    int mid = n / 2;
    merge_sort(a, tmp, mid);
    merge_sort(a + mid, tmp, n - mid);
    int i = 0, j = mid, k = 0;
    while (i < mid && j < n) tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
    while (i < mid) tmp[k++] = a[i++];
    while (j < n) tmp[k++] = a[j++];
    memcpy(a, tmp, (size_t)n * sizeof *a);
}

int main(void) {
    int a[N];
    unsigned b[N], tmp[N];
    unsigned x = 2463534242u;
    for (int i = 0; i < N; i++) {
        x ^= x << 13; x ^= x >> 17; x ^= x << 5;
        a[i] = (int)(x % 1000) - 500;
        b[i] = x;
    }
    quick_sort(a, 0, N - 1);
    merge_sort(b, tmp, N);
    for (int i = 0; i < N; i++) printf("%d%c", a[i], i % 16 == 15 ? '\n' : ' ');
    for (int i = 0; i < 8; i++) printf("%u\n", b[i]);
    int bad = 0;
    for (int i = 1; i < N; i++) {
        if (a[i - 1] > a[i]) bad++;
        if (b[i - 1] > b[i]) bad++;
    }
    printf("bad = %d, min = %d, max = %d, bmax = %u\n", bad, a[0], a[N - 1], b[N - 1]);
    return bad;
}
