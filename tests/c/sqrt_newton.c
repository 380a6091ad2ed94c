#include <stdio.h>
#include <math.h>

static double newton_sqrt(double x) {
    if (x == 0) return 0;
    double g = x > 1 ? x / 2 : 1;
    for (int i = 0; i < 2000; i++) {
        double n = 0.5 * (g + x / g);
        if (n == g) break;
        g = n;
    }
    return g;
}

static unsigned isqrt(unsigned n) {
    if (n < 2) return n;
    unsigned x = n, y = x / 2 + 1;
    while (y < x) { x = y; y = (x + n / x) / 2; }
    return x;
}

static float newton_sqrtf(float x) {
    float g = x;
    for (int i = 0; i < 30; i++) g = 0.5f * (g + x / g);
    return g;
}

int main(void) {
    double xs[] = {0, 1, 2, 3, 10, 0.25, 1e-6, 123456789.0, 1e300};
    int agree = 0;
    for (unsigned i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        double a = newton_sqrt(xs[i]), b = sqrt(xs[i]);
        printf("sqrt(%g): newton %.17g libm %.17g diff %.3g\n", xs[i], a, b, fabs(a - b));
        agree += fabs(a - b) <= 1e-15 * b;
    }
    unsigned ns[] = {0, 1, 15, 16, 17, 1000000, 4294967295u};
    for (int i = 0; i < 7; i++) printf("isqrt(%u) = %u\n", ns[i], isqrt(ns[i]));
    printf("sqrtf(2) newton %.7f libm %.7f\n", newton_sqrtf(2.0f), sqrtf(2.0f));
    printf("floor/ceil/fabs/fmod: %g %g %g %g %g\n", floor(-2.5), ceil(-2.5), fabs(-7.25), fmod(10.5, 3.0), fmod(-10.5, 3.0));
    printf("round/trunc: %g %g %g %g\n", round(2.5), round(-2.5), trunc(-2.7), trunc(2.7));
    printf("pow exact: %g %g %g\n", pow(2.0, 10.0), pow(10.0, -2.0) * 100, pow(-3.0, 3.0));
    printf("hypot 3,4 = %g\n", sqrt(3.0 * 3.0 + 4.0 * 4.0));
    return agree;
}
