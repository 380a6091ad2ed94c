#include <stdio.h>

static int floor_div(int a, int b) { int q = a / b; return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q; }
static int floor_mod(int a, int b) { int r = a % b; return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r; }

int main(void) {
    int as[] = {17, -17, 7, -7, 0, 2147483647, -2147483647 - 1, 1, -1};
    int bs[] = {5, -5, 1, -1, 7, 2147483647, 3};
    int check = 0;
    for (int i = 0; i < 9; i++)
        for (int j = 0; j < 7; j++) {
            int a = as[i], b = bs[j];
            if (a == -2147483647 - 1 && b == -1) continue; /* overflow: skip */
            int q = a / b, r = a % b;
            printf("%d / %d = %d, %% = %d, floor %d mod %d\n", a, b, q, r, floor_div(a, b), floor_mod(a, b));
            if (q * b + r != a) check++;
        }
    unsigned ua = 4294967295u, ub = 7;
    printf("unsigned: %u / %u = %u rem %u\n", ua, ub, ua / ub, ua % ub);
    printf("mixed signed/unsigned: -7 / 2u = %u\n", (unsigned)(-7) / 2u);
    volatile int divisor = -3;
    printf("volatile divisor: %d %d %d\n", 100 / divisor, -100 / divisor, -100 % divisor);
    short sa = -32768;
    printf("short -32768 / -1 = %d (promoted to int)\n", sa / -1);
    long long la = -9000000000LL;
    printf("long long: %lld %lld %lld %lld\n", la / 7, la % 7, la / -7, -la % 7);
    printf("power-of-two divisors: %d %d %d %d\n", -9 / 2, -9 % 2, -9 / 8, -9 % 8);
    printf("check = %d\n", check);
    return floor_mod(-17, 5) * 10 + check; /* 30 */
}
