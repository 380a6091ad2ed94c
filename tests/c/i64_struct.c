#include <stdio.h>
#include <stdint.h>
#include <stddef.h>

struct account {
    char tag;
    int64_t balance;
    uint32_t id;
    uint64_t history[3];
    short flags;
};

struct pair64 { long long a, b; };

static struct pair64 divmod(long long x, long long y) {
    struct pair64 r = {x / y, x % y};
    return r;
}

static int64_t total(const struct account *a, int n) {
    int64_t t = 0;
    for (int i = 0; i < n; i++) t += a[i].balance;
    return t;
}

static long long sum_args(int a, long long b, int c, long long d, double e, long long f) {
    return a + b + c + d + (long long)e + f;
}

int main(void) {
    struct account acc[3] = {
        {'A', 5000000000LL, 1, {1, 2, 3}, 7},
        {'B', -7000000000LL, 2, {0xffffffffffffffffULL, 0, 1ULL << 40}, -1},
        {'C', 123, 3, {0}, 0},
    };
    printf("sizeof(struct account)=%u offsets: balance=%u id=%u history=%u flags=%u\n",
           (unsigned)sizeof(struct account), (unsigned)offsetof(struct account, balance),
           (unsigned)offsetof(struct account, id), (unsigned)offsetof(struct account, history),
           (unsigned)offsetof(struct account, flags));
    printf("total = %lld\n", (long long)total(acc, 3));
    acc[1].balance += 10000000000LL;
    acc[2].history[2] = acc[1].history[0] + 2; /* wraps to 1 */
    for (int i = 0; i < 3; i++)
        printf("%c %lld id=%u h=%llu,%llu,%llu flags=%d\n", acc[i].tag, (long long)acc[i].balance, (unsigned)acc[i].id,
               (unsigned long long)acc[i].history[0], (unsigned long long)acc[i].history[1],
               (unsigned long long)acc[i].history[2], acc[i].flags);
    struct pair64 q = divmod(-100000000007LL, 1000);
    printf("divmod = %lld, %lld\n", q.a, q.b);
    printf("sum_args = %lld\n", sum_args(1, 1LL << 33, -2, -(1LL << 35), 2.75, INT64_C(1000000000000)));
    struct account copy = acc[1];
    copy.balance = -copy.balance;
    printf("copy %lld orig %lld\n", (long long)copy.balance, (long long)acc[1].balance);
    return (int)(sizeof(struct account));
}
