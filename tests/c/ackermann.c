#include <stdio.h>

static unsigned ack(unsigned m, unsigned n) {
    if (m == 0) return n + 1;
    if (n == 0) return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

int main(void) {
    for (unsigned m = 0; m <= 3; m++) {
        for (unsigned n = 0; n <= 4; n++)
            printf("%5u", ack(m, n));
        printf("\n");
    }
    printf("ack(2,3) = %u\n", ack(2, 3));
    return (int)ack(2, 3); /* 9 */
}
