/* 33..63-bit bit-fields in packed structs: clang loads and stores them as
   i40, i48, i56, i63 ... (5, 6, 7, 8 bytes) and computes in those widths;
   every result must wrap at the field's width and the bytes around each
   field must survive. Reads are cast so that both compilers compute in
   64 bits (GCC gives wide bit-fields a type of their own width). */
#include <stdio.h>
#include <string.h>

typedef unsigned long long u64;
typedef long long s64;

struct __attribute__((packed)) rec {
    unsigned char tag;
    u64 u40 : 40;
    unsigned char g1;
    s64 s48 : 48;
    unsigned char g2;
    u64 u56 : 56;
    unsigned char g3;
    s64 s40 : 40;
    unsigned char g4;
    u64 u44 : 44; /* 6-byte storage, 4 bits spare */
    unsigned char g5;
    s64 s33 : 33;
    unsigned char g6;
    u64 u63 : 63;
    unsigned char g7;
};

static struct rec recs[3];

static void dump(const char *what, const void *p, unsigned n) {
    const unsigned char *b = p;
    unsigned h = 2166136261u;
    for (unsigned i = 0; i < n; i++) h = (h ^ b[i]) * 16777619u;
    printf("%s: %08x", what, h);
    for (unsigned i = 0; i < n && i < 24; i++) printf(" %02x", b[i]);
    printf("\n");
}

static void show(const struct rec *r) {
    printf("u40 %010llx s48 %lld u56 %014llx s40 %lld u44 %011llx s33 %lld u63 %016llx\n", (u64)r->u40, (s64)r->s48,
           (u64)r->u56, (s64)r->s40, (u64)r->u44, (s64)r->s33, (u64)r->u63);
    printf("guards %02x %02x %02x %02x %02x %02x %02x %02x\n", r->tag, r->g1, r->g2, r->g3, r->g4, r->g5, r->g6,
           r->g7);
}

__attribute__((noinline)) static void set(struct rec *r, u64 v) {
    r->u40 = v;
    r->s48 = (s64)(v * 3u);
    r->u56 = v * 5u;
    r->s40 = (s64)~v;
    r->u44 = v ^ 0x123456789ABull;
    r->s33 = (s64)(v >> 7);
    r->u63 = v * 0x9E3779B97F4A7C15ull;
}

__attribute__((noinline)) static void bump(struct rec *r) {
    r->u40++;
    r->u56 += 0xFFFFFFFFFFull;
    r->u44 -= 3;
    r->u63 += 0x7000000000000000ull;
    r->s48 = (s64)r->s48 / 2 - 1;
    r->s40 = (s64)r->s40 + 7;
    r->s33 = (s64)r->s33 - 5;
}

__attribute__((noinline)) static void shifts(struct rec *r, unsigned k) {
    r->u40 <<= k;
    r->u56 >>= k;
    r->s48 = (s64)r->s48 >> k;
    r->u44 = (u64)r->u44 << (k + 3);
    r->s40 = (s64)r->s40 >> (k + 1);
    r->u63 >>= k;
}

__attribute__((noinline)) static u64 mix(const struct rec *r) {
    u64 h = 0;
    h = h * 31 + (u64)r->u40 / 1000003u;
    h = h * 31 + (u64)((s64)r->s48 / 977);
    h = h * 31 + (u64)r->u56 % 65521u;
    h = h * 31 + (u64)((s64)r->s40 % 1009);
    h = h * 31 + (u64)r->u44 / 7u;
    h = h * 31 + (u64)((s64)r->s33 / 3);
    h = h * 31 + (u64)r->u63 % 1000000007u;
    return h;
}

__attribute__((noinline)) static unsigned compare(const struct rec *a, const struct rec *b) {
    unsigned m = 0;
    m = m << 1 | (a->u40 < b->u40);
    m = m << 1 | (a->s48 < b->s48);
    m = m << 1 | (a->u56 > b->u56);
    m = m << 1 | (a->s40 >= b->s40);
    m = m << 1 | (a->u44 == b->u44);
    m = m << 1 | (a->s33 <= b->s33);
    m = m << 1 | (a->u63 < b->u63);
    m = m << 1 | ((s64)a->s48 < 0);
    m = m << 1 | ((u64)a->u40 > 0x8000000000ull);
    return m;
}

__attribute__((noinline)) static double to_double(const struct rec *r) {
    return (double)(s64)r->s48 + (double)(u64)r->u40 + (double)(s64)r->s33 * 0.5 + (double)(u64)r->u56 / 8.0;
}

static volatile u64 seeds[] = {0, 1, 0xFFFFFFFFFFFFFFFFull, 0x8000000000ull, 0x7FFFFFFFFFull, 0x123456789ABCDEFull,
                               0xFEDCBA9876543210ull, 0x100000000ull};

int main(void) {
    printf("size %u\n", (unsigned)sizeof(struct rec));
    memset(recs, 0xA5, sizeof recs);
    for (unsigned i = 0; i < sizeof seeds / sizeof seeds[0]; i++) {
        struct rec *r = &recs[i % 3];
        set(r, seeds[i]);
        show(r);
        bump(r);
        show(r);
        printf("mix %016llx double %.1f cmp %03x\n", mix(r), to_double(r), compare(r, &recs[(i + 1) % 3]));
        shifts(r, i % 5 + 1);
        show(r);
        printf("mix %016llx\n", mix(r));
        dump("recs", recs, sizeof recs);
    }
    return 0;
}
