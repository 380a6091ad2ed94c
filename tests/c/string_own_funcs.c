#include <stdio.h>

static unsigned my_strlen(const char *s) {
    const char *p = s;
    while (*p) p++;
    return (unsigned)(p - s);
}

static int my_strcmp(const char *a, const char *b) {
    while (*a && *a == *b) { a++; b++; }
    return (int)(unsigned char)*a - (int)(unsigned char)*b;
}

static char *my_strcpy(char *d, const char *s) {
    char *r = d;
    while ((*d++ = *s++) != 0) {}
    return r;
}

static char *my_strchr(const char *s, int c) {
    for (;; s++) {
        if (*s == (char)c) return (char *)s;
        if (!*s) return 0;
    }
}

static int my_atoi(const char *s) {
    int sign = 1, v = 0;
    while (*s == ' ') s++;
    if (*s == '-') { sign = -1; s++; } else if (*s == '+') s++;
    while (*s >= '0' && *s <= '9') v = v * 10 + (*s++ - '0');
    return sign * v;
}

static int sign(int x) { return (x > 0) - (x < 0); }

int main(void) {
    const char *s[] = {"", "a", "abc", "abd", "ab", "\xff\x01", "zebra", "Zebra"};
    int n = (int)(sizeof s / sizeof s[0]);
    for (int i = 0; i < n; i++) printf("len(%d) = %u\n", i, my_strlen(s[i]));
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) printf("%2d", sign(my_strcmp(s[i], s[j])));
        printf("\n");
    }
    char buf[32];
    my_strcpy(buf, "copy me!");
    printf("copied: %s (%u)\n", buf, my_strlen(buf));
    char *p = my_strchr(buf, 'm');
    printf("strchr: %s at %d\n", p ? p : "(null)", p ? (int)(p - buf) : -1);
    printf("strchr nul: %d\n", (int)(my_strchr(buf, 0) - buf));
    printf("strchr none: %d\n", my_strchr(buf, 'q') == 0);
    const char *nums[] = {"42", "  -17", "+8", "0", "2147483647", "-2147483647", "12abc"};
    int sum = 0;
    for (unsigned i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        int v = my_atoi(nums[i]);
        printf("atoi('%s') = %d\n", nums[i], v);
        sum += v % 100;
    }
    printf("sum = %d\n", sum);
    return sum & 0xff;
}
