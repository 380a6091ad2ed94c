#include <stdio.h>

static int bsearch_int(const int *a, int n, int key) {
    int lo = 0, hi = n - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        if (a[mid] == key) return mid;
        if (a[mid] < key) lo = mid + 1;
        else hi = mid - 1;
    }
    return -(lo + 1);
}

static int lower_bound(const int *a, int n, int key) {
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) >> 1;
        if (a[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

int main(void) {
    int a[100];
    for (int i = 0; i < 100; i++) a[i] = i * 3 - 50;
    int keys[] = {-50, -49, 0, 1, 100, 247, 248, 1000, -1000, 7};
    int found = 0;
    for (unsigned i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        int r = bsearch_int(a, 100, keys[i]);
        int lb = lower_bound(a, 100, keys[i]);
        printf("key %5d -> %4d (lower_bound %d)\n", keys[i], r, lb);
        if (r >= 0) found++;
    }
    printf("found %d\n", found);
    return found;
}
