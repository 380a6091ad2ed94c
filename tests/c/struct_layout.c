#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

struct mixed {
    char c;
    short s;
    long long ll;
    char c2;
    double d;
    int i;
    char tail[3];
};

struct ordered {
    double d;
    long long ll;
    int i;
    short s;
    char c;
    char c2;
};

struct __attribute__((packed)) packed {
    char c;
    int i;
    short s;
    long long ll;
};

struct with_array { char id; uint16_t vals[3]; uint8_t flag; };

#define SHOW(T, m) printf("  offsetof(%s, %s) = %u\n", #T, #m, (unsigned)offsetof(T, m))

int main(void) {
    printf("sizeof: char=%u short=%u int=%u long=%u long long=%u float=%u double=%u ptr=%u\n",
           (unsigned)sizeof(char), (unsigned)sizeof(short), (unsigned)sizeof(int),
           (unsigned)sizeof(long), (unsigned)sizeof(long long), (unsigned)sizeof(float),
           (unsigned)sizeof(double), (unsigned)sizeof(void *));
    printf("struct mixed: size %u align %u\n", (unsigned)sizeof(struct mixed),
           (unsigned)_Alignof(struct mixed));
    SHOW(struct mixed, c); SHOW(struct mixed, s); SHOW(struct mixed, ll); SHOW(struct mixed, c2);
    SHOW(struct mixed, d); SHOW(struct mixed, i); SHOW(struct mixed, tail);
    printf("struct ordered: size %u\n", (unsigned)sizeof(struct ordered));
    SHOW(struct ordered, ll); SHOW(struct ordered, i); SHOW(struct ordered, s); SHOW(struct ordered, c2);
    printf("struct packed: size %u\n", (unsigned)sizeof(struct packed));
    SHOW(struct packed, i); SHOW(struct packed, s); SHOW(struct packed, ll);
    printf("struct with_array: size %u\n", (unsigned)sizeof(struct with_array));
    SHOW(struct with_array, vals); SHOW(struct with_array, flag);

    struct mixed m = {'a', -2, -1234567890123LL, 'z', 0.5, 77, {1, 2, 3}};
    struct packed p = {'p', 0x12345678, -5, 0x0102030405060708LL};
    printf("m: %c %d %lld %c %g %d %d\n", m.c, m.s, m.ll, m.c2, m.d, m.i, m.tail[2]);
    p.i += 1;
    p.ll >>= 8;
    printf("p: %c %x %d %llx\n", p.c, p.i, p.s, p.ll);
    struct mixed arr[2];
    printf("array stride = %u\n", (unsigned)((char *)&arr[1] - (char *)&arr[0]));
    return (int)sizeof(struct mixed); /* 40 */
}
