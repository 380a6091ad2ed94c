#include <stdio.h>

static int digits(unsigned long long v) {
    int n = 0;
    do { n++; v /= 10; } while (v);
    return n;
}

static void to_base(unsigned v, unsigned base, char *out) {
    char tmp[40];
    int n = 0;
    do { tmp[n++] = "0123456789abcdefghijklmnopqrstuvwxyz"[v % base]; v /= base; } while (v);
    int i = 0;
    while (n) out[i++] = tmp[--n];
    out[i] = 0;
}

int main(void) {
    unsigned long long vals[] = {0, 9, 10, 99999, 18446744073709551615ULL};
    for (int i = 0; i < 5; i++) printf("digits(%llu) = %d\n", vals[i], digits(vals[i]));
    char buf[40];
    unsigned bases[] = {2, 3, 8, 16, 36};
    for (int i = 0; i < 5; i++) {
        to_base(123456789u, bases[i], buf);
        printf("123456789 in base %u = %s\n", bases[i], buf);
    }
    to_base(0, 7, buf);
    printf("0 in base 7 = %s\n", buf);
    int n = 0, i = 10;
    do {
        if (i % 4 == 0) { i--; continue; }
        n += i;
        i--;
    } while (i > 0);
    printf("do-while with continue: %d\n", n);
    int once = 0;
    do once++; while (0);
    printf("do-while(0) ran %d time\n", once);
    int outer = 0;
    do {
        int inner = 0;
        do {
            inner++;
            if (inner == 3) break;
        } while (1);
        outer += inner;
    } while (outer < 10);
    printf("nested do-while: outer=%d\n", outer);
    return n; /* 10+9+7+6+5+3+2+1 = 43 */
}
