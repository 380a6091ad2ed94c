#include <stdio.h>

/* stdout as a FILE *: fputs/fputc/fprintf/fwrite/fflush on it. */
int main(void) {
    fputs("fputs to stdout\n", stdout);
    fputc('c', stdout);
    fputc('\n', stdout);
    int n = fprintf(stdout, "fprintf %d %s\n", 12, "ok");
    size_t w = fwrite("fwrite bytes\n", 1, 13, stdout);
    fflush(stdout);
    printf("fprintf returned %d, fwrite returned %u\n", n, (unsigned)w);
    return n + (int)w; /* 16 + 13 */
}
