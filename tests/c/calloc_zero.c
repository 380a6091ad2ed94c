// opt-levels: -O3
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rec { int a; double d; char name[8]; void *ptr; long long big; };

int main(void) {
    /* dirty the heap first so that calloc has to actually zero recycled memory */
    for (int round = 0; round < 4; round++) {
        unsigned char *junk = malloc(4096);
        memset(junk, 0xa5, 4096);
        free(junk);
    }
    int bad = 0;
    unsigned char *z = calloc(4096, 1);
    for (int i = 0; i < 4096; i++) bad += z[i] != 0;
    printf("calloc(4096,1): nonzero bytes = %d\n", bad);
    struct rec *r = calloc(10, sizeof *r);
    int rbad = 0;
    for (int i = 0; i < 10; i++)
        rbad += r[i].a != 0 || r[i].d != 0.0 || r[i].name[0] || r[i].ptr != NULL || r[i].big != 0;
    printf("calloc(10, %u): bad records = %d\n", (unsigned)sizeof *r, rbad);
    int *many = calloc(1000, sizeof(int));
    long sum = 0;
    for (int i = 0; i < 1000; i++) sum += many[i];
    printf("sum of calloc'd ints = %ld\n", sum);
    void *zero = calloc(0, 16);
    printf("calloc(0, 16) handled\n");
    free(zero);
    free(many);
    free(r);
    free(z);
    /* malloc results are distinct and writable */
    char *blocks[16];
    for (int i = 0; i < 16; i++) { blocks[i] = malloc(32 + i); memset(blocks[i], 'a' + i, 32 + i); }
    int distinct = 1;
    for (int i = 0; i < 16; i++)
        for (int j = 0; j < 32 + i; j++) distinct &= blocks[i][j] == 'a' + i;
    printf("blocks intact = %d\n", distinct);
    for (int i = 15; i >= 0; i--) free(blocks[i]);
    free(NULL);
    printf("free(NULL) ok\n");
    return bad + rbad + (distinct ? 0 : 100) + 7;
}
