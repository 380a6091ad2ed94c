#include <stdio.h>

static double f_poly(double x) { return 3 * x * x - 2 * x + 1; }
static double f_recip(double x) { return 1.0 / (1.0 + x * x); }

static double trapezoid(double (*f)(double), double a, double b, int n) {
    double h = (b - a) / n, s = 0.5 * (f(a) + f(b));
    for (int i = 1; i < n; i++) s += f(a + i * h);
    return s * h;
}

static double simpson(double (*f)(double), double a, double b, int n) {
    double h = (b - a) / n, s = f(a) + f(b);
    for (int i = 1; i < n; i++) s += f(a + i * h) * (i % 2 ? 4 : 2);
    return s * h / 3;
}

static float euler_decay(float k, float y0, float dt, int steps) {
    float y = y0;
    for (int i = 0; i < steps; i++) y -= k * y * dt;
    return y;
}

int main(void) {
    printf("trapezoid poly [0,2] n=100: %.12f\n", trapezoid(f_poly, 0, 2, 100));
    printf("simpson   poly [0,2] n=100: %.12f\n", simpson(f_poly, 0, 2, 100));
    double pi_t = 4 * trapezoid(f_recip, 0, 1, 1000);
    double pi_s = 4 * simpson(f_recip, 0, 1, 1000);
    printf("pi trapezoid: %.15f\npi simpson:   %.15f\n", pi_t, pi_s);
    float y = euler_decay(0.5f, 100.0f, 0.01f, 200);
    union { float f; unsigned u; } bits = {y};
    printf("euler decay float: %.6f (bits 0x%08x)\n", y, bits.u);
    float fs = 0;
    for (int i = 0; i < 1000; i++) fs += 0.1f;
    double ds = 0;
    for (int i = 0; i < 1000; i++) ds += 0.1;
    printf("sum of 0.1: float %.7f double %.15f\n", fs, ds);
    float a = 16777216.0f;
    printf("float 2^24 + 1 = %.1f, double = %.1f\n", a + 1.0f, (double)a + 1.0);
    double kahan = 0, c = 0;
    for (int i = 0; i < 1000; i++) {
        double yk = 0.1 - c, t = kahan + yk;
        c = (t - kahan) - yk;
        kahan = t;
    }
    printf("kahan: %.15f\n", kahan);
    return (int)(pi_s * 10); /* 31 */
}
