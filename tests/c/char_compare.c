#include <stdio.h>

static int classify(unsigned char c) {
    if (c >= '0' && c <= '9') return 1;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return 2;
    if (c == ' ' || c == '\t' || c == '\n') return 3;
    if (c >= 0x80) return 4;
    return 0;
}

static int signed_cmp(signed char a, signed char b) { return (a > b) - (a < b); }
static int unsigned_cmp(unsigned char a, unsigned char b) { return (a > b) - (a < b); }

int main(void) {
    const char *text = "Hello World 42!\t\xe9\xff~";
    int counts[5] = {0};
    for (const char *p = text; *p; p++) counts[classify((unsigned char)*p)]++;
    printf("other=%d digit=%d alpha=%d space=%d high=%d\n", counts[0], counts[1], counts[2], counts[3], counts[4]);
    signed char sv[] = {-128, -1, 0, 1, 127};
    unsigned char uv[] = {0, 1, 127, 128, 255};
    for (int i = 0; i < 5; i++) {
        for (int j = 0; j < 5; j++) printf("%2d", signed_cmp(sv[i], sv[j]));
        printf("  |");
        for (int j = 0; j < 5; j++) printf("%2d", unsigned_cmp(uv[i], uv[j]));
        printf("\n");
    }
    signed char s = (signed char)0xf0;
    unsigned char u = 0xf0;
    printf("0xf0: signed %d unsigned %u; as int: %d %d\n", s, u, (int)s, (int)u);
    printf("sign-extend to unsigned: %u, zero-extend: %u\n", (unsigned)s, (unsigned)u);
    int upper = 0;
    char buf[] = "MiXeD cAsE 123";
    for (char *p = buf; *p; p++)
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 32);
        else if (*p >= 'A' && *p <= 'Z') upper++;
    printf("upper: %s (originally %d upper)\n", buf, upper);
    unsigned char wrap = 200;
    wrap += 100;
    signed char swrap = (signed char)(unsigned char)200;
    printf("uchar 200+100 = %u, (schar)200 = %d\n", wrap, swrap);
    printf("'a' < 'b': %d, 'Z' < 'a': %d, '\\xff' as unsigned char > 'a': %d\n", 'a' < 'b', 'Z' < 'a', (unsigned char)'\xff' > 'a');
    return counts[2] * 10 + counts[4]; /* 10*10 + 2 */
}
