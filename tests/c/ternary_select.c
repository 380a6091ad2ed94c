#include <stdio.h>
#include <stdint.h>

static int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }
static int abs_i(int v) { return v < 0 ? -v : v; }
static int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
static unsigned umin(unsigned a, unsigned b) { return a < b ? a : b; }
static double dsel(double a, double b, int c) { return c ? a : b; }
static const char *plural(int n) { return n == 1 ? "" : "s"; }
static int sign(int v) { return v > 0 ? 1 : v < 0 ? -1 : 0; }

static int side = 0;
static int bump(int v) { side += v; return v; }

int main(void) {
    int vals[] = {-200, -1, 0, 50, 99, 100, 101, 1000};
    for (int i = 0; i < 8; i++)
        printf("v=%d clamp=%d abs=%d sign=%d\n", vals[i], clamp(vals[i], 0, 100), abs_i(vals[i]), sign(vals[i]));
    printf("max64: %lld %lld\n", (long long)max64(-5000000000LL, 3), (long long)max64(1LL << 40, 1LL << 39));
    printf("umin: %u %u\n", umin(3000000000u, 5), umin(0, 4294967295u));
    printf("dsel: %g %g\n", dsel(1.5, -2.5, 1), dsel(1.5, -2.5, 0));
    for (int n = 0; n <= 2; n++) printf("%d item%s\n", n, plural(n));
    /* only the chosen arm is evaluated */
    int r1 = 1 ? bump(10) : bump(100);
    int r2 = 0 ? bump(1000) : bump(1);
    printf("r1=%d r2=%d side=%d\n", r1, r2, side);
    /* select between pointers and structs */
    int a = 1, b = 2;
    int *p = side > 5 ? &a : &b;
    *p = 42;
    struct pt { int x, y; } s1 = {1, 2}, s2 = {3, 4};
    struct pt s3 = a == 42 ? s1 : s2;
    printf("a=%d b=%d s3=(%d,%d)\n", a, b, s3.x, s3.y);
    /* branchless min/max */
    int x = 17, y = -4;
    int mn = y ^ ((x ^ y) & -(x < y));
    int mx = x ^ ((x ^ y) & -(x < y));
    printf("branchless min=%d max=%d\n", mn, mx);
    /* nested ternaries in a loop (like a lookup) */
    int score_sum = 0;
    for (int sc = 0; sc <= 100; sc += 7) {
        char g = sc >= 90 ? 'A' : sc >= 80 ? 'B' : sc >= 70 ? 'C' : sc >= 60 ? 'D' : 'F';
        printf("%c", g);
        score_sum += g;
    }
    printf("\nscore_sum=%d\n", score_sum);
    return side; /* 11 */
}
