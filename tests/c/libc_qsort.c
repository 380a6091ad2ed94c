#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libc qsort/bsearch calling back into the module's comparators */
static int calls;
static int cmp_int(const void *a, const void *b) {
    calls++;
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}
static int cmp_name(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(void) {
    int v[32];
    unsigned s = 7;
    for (int i = 0; i < 32; i++) { s = s * 1664525u + 1013904223u; v[i] = (int)(s >> 20) - 2048; }
    qsort(v, 32, sizeof v[0], cmp_int);
    int ok = 1;
    for (int i = 1; i < 32; i++) if (v[i - 1] > v[i]) ok = 0;
    for (int i = 0; i < 32; i++) printf("%d%c", v[i], i % 8 == 7 ? '\n' : ' ');
    printf("sorted = %d, comparator called: %s\n", ok, calls > 0 ? "yes" : "no");
    int key = v[17];
    int *found = bsearch(&key, v, 32, sizeof v[0], cmp_int);
    printf("bsearch found = %d, value = %d\n", found != NULL, found ? *found : 0);
    key = 5000;
    printf("bsearch missing = %d\n", bsearch(&key, v, 32, sizeof v[0], cmp_int) == NULL);
    const char *names[] = {"mallory", "alice", "trent", "bob", "eve", "carol"};
    qsort(names, 6, sizeof names[0], cmp_name);
    for (int i = 0; i < 6; i++) printf("%s ", names[i]);
    printf("\n");
    return ok ? 0 : 1;
}
