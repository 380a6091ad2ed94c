// opt-levels: -O0 -O2
// Packed structs whose bit-fields clang keeps in one storage unit wider than
// 64 bits (i72, i112, i128): every field read, written and read back, signed
// and unsigned, with the bytes around the struct left alone.
#include <stdio.h>
#include <string.h>

#pragma pack(push, 1)
struct s112 {
  signed f0 : 20;
  unsigned f1 : 30;
  signed f2 : 31;
  unsigned f3 : 25;
  unsigned f4 : 6;
};
struct s72 {
  unsigned long long a : 40;
  signed b : 20;
  unsigned c : 12;
};
struct s128 {
  signed long long x : 60;
  unsigned long long y : 60;
  signed z : 8;
};
struct holder {
  unsigned char before;
  struct s112 m;
  struct s72 n;
  struct s128 o;
  unsigned char after;
};
#pragma pack(pop)

static struct holder g = {0xA5, {-5, 123456789, -1000000000, 0x1ABCDEF, 33}, {0x12345678ABull, -7, 4000},
                          {-123456789012345LL, 0xFEDCBA987654321ull, -100}, 0x5A};

static unsigned sum_bytes(const void *p, unsigned n) {
  const unsigned char *b = p;
  unsigned s = 0;
  for (unsigned i = 0; i < n; i++) s = s * 31 + b[i];
  return s;
}

static void show(const struct holder *h) {
  printf("%d %u %d %u %u | %llu %d %u | %lld %llu %d | %02x %02x | %08x\n", h->m.f0, h->m.f1, h->m.f2, h->m.f3,
         h->m.f4, (unsigned long long)h->n.a, h->n.b, h->n.c, (long long)h->o.x, (unsigned long long)h->o.y,
         h->o.z, h->before, h->after, sum_bytes(h, sizeof *h));
}

int main(void) {
  printf("sizes %u %u %u %u\n", (unsigned)sizeof(struct s112), (unsigned)sizeof(struct s72),
         (unsigned)sizeof(struct s128), (unsigned)sizeof(struct holder));
  show(&g);
  for (int i = 0; i < 5; i++) {
    g.m.f0 = g.m.f0 * 3 - i;
    g.m.f1 += 0x1234567u * (unsigned)i;
    g.m.f2 ^= g.m.f0 << 3;
    g.m.f3 = g.m.f3 - 77;
    g.m.f4 += 5;
    g.n.a = g.n.a * 5 + (unsigned)g.m.f0;
    g.n.b -= 12345;
    g.n.c = (unsigned)g.n.b;
    g.o.x = g.o.x * -3 + g.n.b;
    g.o.y = (g.o.y >> 3) ^ g.n.a;
    g.o.z = (signed char)(g.o.z + 77);
    show(&g);
  }
  struct holder copy;
  memcpy(&copy, &g, sizeof g);
  copy.m.f2 = -1;
  printf("eq %d %d %d\n", copy.m.f2 == g.m.f2, copy.n.a == g.n.a, copy.o.y > g.o.y);
  return 0;
}
