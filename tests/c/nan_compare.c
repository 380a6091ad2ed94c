#include <stdio.h>
#include <math.h>

static int cmp_all(double a, double b) {
    return (a < b) << 5 | (a <= b) << 4 | (a > b) << 3 | (a >= b) << 2 | (a == b) << 1 | (a != b);
}

int main(void) {
    volatile double zero = 0.0;
    double nan = zero / zero;
    double inf = 1.0 / zero;
    float fnan = (float)nan;
    printf("nan != nan: %d, nan == nan: %d\n", nan != nan, nan == nan);
    printf("isnan: %d %d %d, isinf: %d %d\n", isnan(nan) != 0, isnan(inf) != 0, isnan(1.0) != 0, isinf(inf) != 0, isinf(-inf) != 0);
    double vals[] = {nan, inf, -inf, 0.0, -0.0, 1.0};
    const char *names[] = {"nan", "inf", "-inf", "0", "-0", "1"};
    for (int i = 0; i < 6; i++) {
        printf("%-4s:", names[i]);
        for (int j = 0; j < 6; j++) printf(" %02x", cmp_all(vals[i], vals[j]));
        printf("\n");
    }
    printf("float nan: %d %d %d\n", fnan < 1.0f, fnan > 1.0f, fnan != fnan);
    printf("inf - inf is nan: %d, inf * 0 is nan: %d, -inf < -1e308: %d\n", isnan(inf - inf) != 0, isnan(inf * zero) != 0, -inf < -1e308);
    printf("printing: %f %f %e %g\n", inf, -inf, inf, -inf);
    printf("fmax/fmin with nan: %g %g\n", fmax(nan, 2.0), fmin(3.0, nan));
    double m = nan;
    int count = 0;
    for (int i = 0; i < 6; i++) if (!(vals[i] < m) && !(vals[i] >= m)) count++;
    printf("unordered count: %d\n", count);
    double sel = nan > 0 ? 1.0 : -1.0;
    printf("select on nan: %g\n", sel);
    return count; /* 6 */
}
