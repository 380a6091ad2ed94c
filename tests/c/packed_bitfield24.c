/* 24-bit bit-fields in packed structs: clang loads and stores them as i24,
   which occupies exactly three bytes; the bytes around must survive. */
#include <stdio.h>
#include <string.h>

struct __attribute__((packed)) rec {
    unsigned char tag;
    unsigned int u24 : 24;
    unsigned char after;
    int s24 : 24;
    unsigned char guard;
};

struct __attribute__((packed)) rgb { unsigned int color : 24; };

static struct rec recs[4];

/* The field sits where offset + 2 no longer fits a 16-bit displacement. */
struct __attribute__((packed)) far { unsigned char pad[32766]; unsigned int x : 24; unsigned char tail; };
static struct far far_rec;
static struct rgb pixels[5];

__attribute__((noinline)) static void set(struct rec *r, unsigned u, int s) {
    r->u24 = u;
    r->s24 = s;
}

__attribute__((noinline)) static long sum(const struct rec *r, int n) {
    long t = 0;
    for (int i = 0; i < n; i++) t += (long)r[i].u24 + r[i].s24;
    return t;
}

int main(void) {
    memset(recs, 0xAB, sizeof recs);
    for (int i = 0; i < 4; i++) set(&recs[i], 0xFFFFFFu - (unsigned)i * 0x10101u, -8388608 + i * 4000001);
    for (int i = 0; i < 4; i++)
        printf("rec %d: tag %02x u24 %06x after %02x s24 %d guard %02x\n", i, recs[i].tag, recs[i].u24,
               recs[i].after, recs[i].s24, recs[i].guard);
    printf("sum %ld size %u\n", sum(recs, 4), (unsigned)sizeof(struct rec));
    memset(pixels, 0x5A, sizeof pixels);
    for (int i = 0; i < 4; i++) pixels[i].color = 0x102030u * (unsigned)(i + 1);
    const unsigned char *b = (const unsigned char *)pixels;
    for (unsigned i = 0; i < sizeof pixels; i++) printf("%02x", b[i]);
    printf("\n");
    unsigned acc = 0;
    for (int i = 0; i < 5; i++) acc = acc * 31u + pixels[i].color;
    printf("acc %08x\n", acc);
    far_rec.tail = 0x77;
    struct far *volatile fp = &far_rec;
    fp->x = 0xC0FFEEu;
    printf("far %06x tail %02x\n", fp->x, fp->tail);
    return 0;
}
