#include <stdio.h>
#include <stdlib.h>

static void set_ptr(int **pp, int *target) { *pp = target; }

static void alloc_matrix(int ***out, int rows, int cols) {
    int **m = malloc((size_t)rows * sizeof *m);
    for (int i = 0; i < rows; i++) {
        m[i] = malloc((size_t)cols * sizeof **m);
        for (int j = 0; j < cols; j++) m[i][j] = i * 10 + j;
    }
    *out = m;
}

static void remove_if_negative(int **list, int *n) {
    int w = 0;
    for (int r = 0; r < *n; r++)
        if (*list[r] >= 0) list[w++] = list[r];
    *n = w;
}

static void sort_strings(const char **v, int n) {
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            const char *a = v[i], *b = v[j];
            while (*a && *a == *b) { a++; b++; }
            if ((unsigned char)*a > (unsigned char)*b) { const char *t = v[i]; v[i] = v[j]; v[j] = t; }
        }
}

int main(void) {
    int x = 5, y = 9;
    int *p = &x;
    int **pp = &p;
    int ***ppp = &pp;
    ***ppp = 50;
    printf("x = %d\n", x);
    set_ptr(pp, &y);
    **pp += 1;
    printf("y = %d, *p = %d, p==&y %d\n", y, *p, p == &y);

    int **m;
    alloc_matrix(&m, 4, 5);
    int sum = 0;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 5; j++) sum += m[i][j];
    printf("matrix sum = %d, m[3][4] = %d\n", sum, m[3][4]);
    for (int i = 0; i < 4; i++) free(m[i]);
    free(m);

    int vals[] = {3, -1, 4, -1, -5, 9, 2, -6};
    int *ptrs[8];
    for (int i = 0; i < 8; i++) ptrs[i] = &vals[i];
    int n = 8;
    remove_if_negative(ptrs, &n);
    printf("kept %d:", n);
    for (int i = 0; i < n; i++) printf(" %d@%d", *ptrs[i], (int)(ptrs[i] - vals));
    printf("\n");

    const char *words[] = {"pear", "apple", "fig", "banana", "apricot", "cherry"};
    sort_strings(words, 6);
    for (int i = 0; i < 6; i++) printf("%s%s", words[i], i < 5 ? "," : "\n");
    char **argvish = (char **)words;
    printf("second word second char = %c\n", argvish[1][1]);
    return n + sum % 100; /* 5 + 90 */
}
