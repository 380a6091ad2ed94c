#include <stdio.h>
#include <stdlib.h>

static int global_var = 5;

int main(void) {
    int local = 3;
    int *heap = malloc(sizeof(int));
    char pbuf[32];
    /* %p values differ between native and espb: only check they format as non-empty, non-null */
    int plen = snprintf(pbuf, sizeof pbuf, "%p", (void *)&local);
    printf("%%p of local formatted as 0x...: %d\n", plen > 2 && pbuf[0] == '0' && pbuf[1] == 'x');
    snprintf(pbuf, sizeof pbuf, "%p", (void *)&global_var);
    printf("%%p of global formatted as 0x...: %d\n", pbuf[0] == '0' && pbuf[1] == 'x');
    printf("heap non-null: %d\n", heap != NULL);
    printf("[%c] [%c] [%3c] [%-3c] [%c]\n", 'A', 'z', 'x', 'y', 65 + 25);
    printf("[%s] [%10s] [%-10s] [%.3s] [%10.2s] [%s]\n", "hello", "right", "left", "truncate", "ab!", "");
    printf("100%% sure, %%d is literal, %c%c\n", '%', '%');
    const char *names[] = {"alpha", "beta", "gamma"};
    for (int i = 0; i < 3; i++) printf("%d:%s%s", i, names[i], i < 2 ? ", " : "\n");
    printf("%s has %d chars starting with '%c'\n", names[2], 5, names[2][0]);
    puts("puts adds a newline");
    putchar('O');
    putchar('K');
    putchar('\n');
    printf("tab\tseparated\tvalues\n");
    printf("escape: \\ \" ' \x41\102\n");
    char buf[64];
    int w = sprintf(buf, "%s=%d;%c", "key", -7, '!');
    printf("sprintf wrote %d: %s\n", w, buf);
    int t = snprintf(buf, 5, "%d", 123456789);
    printf("snprintf truncated: %s returned %d\n", buf, t);
    free(heap);
    printf("no newline at the end");
    return 12;
}
