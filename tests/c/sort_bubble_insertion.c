#include <stdio.h>

static void bubble_sort(int *a, int n) {
    for (int i = 0; i < n - 1; i++) {
        int swapped = 0;
        for (int j = 0; j < n - 1 - i; j++) {
            if (a[j] > a[j + 1]) {
                int t = a[j];
                a[j] = a[j + 1];
                a[j + 1] = t;
                swapped = 1;
            }
        }
        if (!swapped) break;
    }
}

static void insertion_sort(short *a, int n) {
    for (int i = 1; i < n; i++) {
        short key = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > key) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = key;
    }
}

static void print_ints(const char *name, const int *a, int n) {
    printf("%s:", name);
    for (int i = 0; i < n; i++) printf(" %d", a[i]);
    printf("\n");
}

int main(void) {
    int a[] = {29, -3, 17, 0, 88, -45, 17, 5, 1000, -1000, 2, 3};
    int n = (int)(sizeof a / sizeof a[0]);
    print_ints("before", a, n);
    bubble_sort(a, n);
    print_ints("bubble", a, n);

    short s[20];
    unsigned seed = 12345;
    for (int i = 0; i < 20; i++) {
        seed = seed * 1103515245u + 12345u;
        s[i] = (short)((int)((seed >> 16) % 2001) - 1000);
    }
    insertion_sort(s, 20);
    printf("insertion:");
    for (int i = 0; i < 20; i++) printf(" %d", s[i]);
    printf("\n");
    int sorted = 1;
    for (int i = 1; i < 20; i++)
        if (s[i - 1] > s[i]) sorted = 0;
    for (int i = 1; i < n; i++)
        if (a[i - 1] > a[i]) sorted = 0;
    printf("sorted = %d\n", sorted);
    return sorted ? 0 : 1;
}
