#include <stdio.h>
#include <stdint.h>
#include <string.h>

union word {
    uint32_t u;
    int32_t i;
    uint16_t h[2];
    uint8_t b[4];
    float f;
};

enum tag { T_INT, T_DBL, T_STR };
struct value {
    enum tag tag;
    union { int i; double d; const char *s; } as;
};

static void print_value(const struct value *v) {
    switch (v->tag) {
    case T_INT: printf("int %d\n", v->as.i); break;
    case T_DBL: printf("double %.3f\n", v->as.d); break;
    case T_STR: printf("string \"%s\"\n", v->as.s); break;
    }
}

int main(void) {
    union word w;
    w.u = 0x11223344u;
    printf("bytes (little endian): %02x %02x %02x %02x\n", w.b[0], w.b[1], w.b[2], w.b[3]);
    printf("halves: %04x %04x\n", w.h[0], w.h[1]);
    w.f = 1.0f;
    printf("1.0f bits = 0x%08x\n", (unsigned)w.u);
    w.f = -2.5f;
    printf("-2.5f bits = 0x%08x\n", (unsigned)w.u);
    w.i = -1;
    printf("-1 as unsigned = %u, b[3] = %u\n", (unsigned)w.u, w.b[3]);

    union { double d; uint64_t u; } du;
    du.d = 3.141592653589793;
    printf("pi bits = 0x%016llx\n", (unsigned long long)du.u);
    double d2;
    uint64_t bits = 0x4000000000000000ULL;
    memcpy(&d2, &bits, sizeof d2);
    printf("0x4000000000000000 = %f\n", d2);

    struct value vals[] = {{T_INT, {.i = -42}}, {T_DBL, {.d = 2.718281828}}, {T_STR, {.s = "hi"}}};
    for (int i = 0; i < 3; i++) print_value(&vals[i]);
    printf("sizeof union word = %u, sizeof struct value = %u\n", (unsigned)sizeof(union word),
           (unsigned)sizeof(struct value));
    return (int)sizeof(struct value); /* 16 on ilp32 with 8-byte double alignment */
}
