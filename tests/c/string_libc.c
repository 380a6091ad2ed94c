#include <stdio.h>
#include <string.h>

int main(void) {
    char buf[128];
    strcpy(buf, "Hello");
    strcat(buf, ", ");
    strcat(buf, "world");
    strncat(buf, "!!!???", 3);
    printf("%s (len %u)\n", buf, (unsigned)strlen(buf));

    const char *hay = "the quick brown fox jumps over the lazy dog";
    const char *needles[] = {"quick", "the", "lazy dog", "cat", "", "o"};
    for (unsigned i = 0; i < sizeof needles / sizeof needles[0]; i++) {
        const char *p = strstr(hay, needles[i]);
        printf("strstr('%s') = %d\n", needles[i], p ? (int)(p - hay) : -1);
    }
    const char *c = strchr(hay, 'q');
    const char *r = strrchr(hay, 'o');
    printf("strchr q = %d, strrchr o = %d\n", (int)(c - hay), (int)(r - hay));

    printf("strcmp: %d %d %d\n", strcmp("abc", "abc") == 0, strcmp("abc", "abd") < 0,
           strcmp("b", "abc") > 0);
    printf("strncmp: %d %d\n", strncmp("abcdef", "abcxyz", 3) == 0, strncmp("abcdef", "abcxyz", 4) < 0);
    printf("memcmp: %d %d\n", memcmp("\x01\x02", "\x01\x03", 2) < 0, memcmp("xyz", "xyz", 3) == 0);

    char dst[16];
    memset(dst, 'x', sizeof dst);
    strncpy(dst, "abc", 6); /* pads with NULs */
    printf("strncpy: %s %d %d %c\n", dst, dst[4], dst[5], dst[6]);

    char mv[] = "0123456789";
    memmove(mv + 2, mv, 5);
    printf("memmove fwd: %s\n", mv);
    memmove(mv, mv + 3, 5);
    printf("memmove back: %s\n", mv);

    char out[64];
    int n = sprintf(out, "%s-%d-%c", "id", 42, 'z');
    printf("sprintf: %s (%d)\n", out, n);
    n = snprintf(out, 8, "%s", "truncate this string");
    printf("snprintf: %s (%d)\n", out, n);
    return (int)strlen(buf); /* 15 */
}
