#include <stdio.h>
#include <string.h>

struct vec3 { double x, y, z; };
struct big { int data[20]; char tag[8]; long long sum; };
struct small { char a; short b; };

static struct vec3 vadd(struct vec3 a, struct vec3 b) {
    struct vec3 r = {a.x + b.x, a.y + b.y, a.z + b.z};
    return r;
}
static struct vec3 vscale(struct vec3 a, double k) { return (struct vec3){a.x * k, a.y * k, a.z * k}; }
static double vdot(struct vec3 a, struct vec3 b) { return a.x * b.x + a.y * b.y + a.z * b.z; }

static struct big make_big(int seed) {
    struct big b;
    b.sum = 0;
    for (int i = 0; i < 20; i++) {
        b.data[i] = seed * i - 7;
        b.sum += b.data[i];
    }
    strcpy(b.tag, "big");
    b.tag[3] = (char)('0' + seed % 10);
    b.tag[4] = 0;
    return b;
}

static struct big modify(struct big b) { /* by value: caller's copy unchanged */
    b.data[0] = 9999;
    b.sum = -1;
    return b;
}

static struct small make_small(char a, short b) { struct small s = {a, b}; return s; }

int main(void) {
    struct vec3 a = {1, 2, 3}, b = {-0.5, 0.25, 4};
    struct vec3 c = vadd(a, vscale(b, 2.0));
    printf("c = (%g, %g, %g), dot = %g\n", c.x, c.y, c.z, vdot(a, c));

    struct big x = make_big(3);
    struct big y = x; /* struct assignment */
    struct big z = modify(y);
    printf("x: tag=%s sum=%lld data[0]=%d data[19]=%d\n", x.tag, x.sum, x.data[0], x.data[19]);
    int same = x.sum == y.sum && strcmp(x.tag, y.tag) == 0 && memcmp(x.data, y.data, sizeof x.data) == 0;
    printf("y: same as x = %d\n", same);
    printf("z: data[0]=%d sum=%lld, y.data[0]=%d\n", z.data[0], z.sum, y.data[0]);

    struct small arr[4];
    for (int i = 0; i < 4; i++) arr[i] = make_small((char)('a' + i), (short)(-1000 * i));
    for (int i = 0; i < 4; i++) printf("small %c %d\n", arr[i].a, arr[i].b);

    struct vec3 vs[3] = {a, b, c};
    struct vec3 tmp = vs[0];
    vs[0] = vs[2];
    vs[2] = tmp;
    printf("swapped: %g %g\n", vs[0].z, vs[2].z);
    return (int)x.sum % 256;
}
