#include <stdio.h>
#include <stddef.h>

struct item { int key; short w; char c; };

int main(void) {
    int a[10];
    for (int i = 0; i < 10; i++) a[i] = i * i;
    int *p = a, *q = &a[7];
    printf("q - p = %d\n", (int)(q - p));
    printf("*(p + 3) = %d, q[-2] = %d\n", *(p + 3), q[-2]);
    int before = *q--;
    printf("*q-- = %d, *q = %d\n", before, *q);
    q++;
    ptrdiff_t d = &a[9] - &a[2];
    printf("ptrdiff = %d\n", (int)d);
    printf("p < q: %d, q >= a + 6: %d\n", p < q, q >= a + 6);

    struct item items[5];
    for (int i = 0; i < 5; i++) { items[i].key = 100 + i; items[i].w = (short)(i * -3); items[i].c = (char)('A' + i); }
    struct item *it = items + 4;
    printf("item stride bytes = %d, elements = %d\n", (int)((char *)it - (char *)items), (int)(it - items));
    int sum = 0;
    for (struct item *x = items; x != items + 5; ++x) sum += x->key + x->w;
    printf("sum = %d\n", sum);

    /* walking a byte buffer by different strides */
    unsigned char buf[16];
    for (int i = 0; i < 16; i++) buf[i] = (unsigned char)(i * 17);
    unsigned char *b = buf;
    unsigned short acc = 0;
    while (b < buf + 15) { acc = (unsigned short)(acc * 31 + *b); b += 3; }
    printf("acc = %u, last offset = %d\n", acc, (int)(b - buf));

    /* 2D array through a flat pointer */
    int m[3][4];
    int *flat = &m[0][0];
    for (int i = 0; i < 12; i++) flat[i] = i - 6;
    printf("m[2][1] = %d, m[1][3] = %d\n", m[2][1], m[1][3]);
    int (*row)[4] = m + 1;
    printf("row[1][2] = %d, (*row)[0] = %d\n", row[1][2], (*row)[0]);

    char str[] = "pointer";
    char *e = str;
    while (*e) e++;
    printf("strlen via ptr diff = %d, last = %c\n", (int)(e - str), e[-1]);
    return (int)(q - p) * 10 + (int)(e - str); /* 67 */
}
