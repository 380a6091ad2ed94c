#include <stdio.h>
#include <string.h>

typedef int (*cmp_fn)(const void *, const void *);

static void swap_bytes(unsigned char *a, unsigned char *b, unsigned size) {
    while (size--) { unsigned char t = *a; *a++ = *b; *b++ = t; }
}

/* generic insertion-shell sort with comparator */
static void my_sort(void *base, unsigned n, unsigned size, cmp_fn cmp) {
    unsigned char *b = base;
    for (unsigned gap = n / 2; gap > 0; gap /= 2)
        for (unsigned i = gap; i < n; i++)
            for (unsigned j = i; j >= gap && cmp(b + (j - gap) * size, b + j * size) > 0; j -= gap)
                swap_bytes(b + (j - gap) * size, b + j * size, size);
}

static int cmp_int_asc(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}
static int cmp_int_desc(const void *a, const void *b) { return cmp_int_asc(b, a); }

struct person { char name[10]; int age; };
static int cmp_age_then_name(const void *a, const void *b) {
    const struct person *p = a, *q = b;
    if (p->age != q->age) return p->age - q->age;
    return strcmp(p->name, q->name);
}
static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}
static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(void) {
    int v[] = {5, -3, 99, 0, 42, 7, -100, 7, 13, 1};
    my_sort(v, 10, sizeof v[0], cmp_int_asc);
    for (int i = 0; i < 10; i++) printf("%d ", v[i]);
    printf("\n");
    my_sort(v, 10, sizeof v[0], cmp_int_desc);
    for (int i = 0; i < 10; i++) printf("%d ", v[i]);
    printf("\n");
    struct person ps[] = {{"zoe", 30}, {"adam", 25}, {"bob", 30}, {"carl", 19}, {"anna", 25}};
    my_sort(ps, 5, sizeof ps[0], cmp_age_then_name);
    for (int i = 0; i < 5; i++) printf("%s(%d) ", ps[i].name, ps[i].age);
    printf("\n");
    const char *strs[] = {"delta", "alpha", "charlie", "bravo", "echo", "alpha2"};
    my_sort(strs, 6, sizeof strs[0], cmp_str);
    for (int i = 0; i < 6; i++) printf("%s ", strs[i]);
    printf("\n");
    double ds[] = {3.5, -1.25, 2.0, 1e10, -1e-3, 0.0};
    my_sort(ds, 6, sizeof ds[0], cmp_double);
    for (int i = 0; i < 6; i++) printf("%g ", ds[i]);
    printf("\n");
    return v[0] == 99 && ps[0].age == 19 ? 0 : 1;
}
