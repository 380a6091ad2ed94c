#include <stdio.h>

struct flags {
    unsigned ready : 1;
    unsigned error : 1;
    unsigned mode : 3;
    unsigned count : 11;
    signed level : 4;
    unsigned rest : 12;
};

struct rgb565 {
    unsigned short b : 5;
    unsigned short g : 6;
    unsigned short r : 5;
};

int main(void) {
    struct flags f = {0};
    f.ready = 1;
    f.mode = 5;
    f.count = 2047;
    f.level = -3;
    f.rest = 0xabc;
    printf("ready=%u error=%u mode=%u count=%u level=%d rest=0x%x\n", f.ready, f.error, f.mode,
           f.count, f.level, f.rest);
    f.count++; /* wraps to 0 (unsigned bitfield arithmetic) */
    f.mode += 4; /* 9 & 7 = 1 */
    f.level = 7;
    printf("after: count=%u mode=%u level=%d\n", f.count, f.mode, f.level);
    f.level = -8;
    printf("level min = %d\n", f.level);
    unsigned raw;
    __builtin_memcpy(&raw, &f, sizeof raw);
    printf("raw = 0x%08x sizeof=%u\n", raw, (unsigned)sizeof f);

    struct rgb565 px[4];
    for (int i = 0; i < 4; i++) {
        px[i].r = (unsigned short)(i * 9);
        px[i].g = (unsigned short)(i * 21);
        px[i].b = (unsigned short)(31 - i * 7);
    }
    int sum = 0;
    for (int i = 0; i < 4; i++) {
        unsigned short v;
        __builtin_memcpy(&v, &px[i], 2);
        printf("px%d r=%u g=%u b=%u raw=0x%04x\n", i, px[i].r, px[i].g, px[i].b, v);
        sum += px[i].r + px[i].g + px[i].b;
    }
    printf("sizeof rgb565 = %u, sum = %d\n", (unsigned)sizeof(struct rgb565), sum);
    return sum;
}
