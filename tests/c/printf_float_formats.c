#include <stdio.h>

int main(void) {
    double vals[] = {0.0, -0.0, 1.0, -1.5, 3.14159265358979, 2.5, 0.1, 1e-5, 123456.789, 1e21, 6.02214076e23,
                     -1.0 / 3.0, 0.5, 1.5, 2.675, 1e-300, 9.999999};
    int n = (int)(sizeof vals / sizeof vals[0]);
    for (int i = 0; i < n; i++) {
        double v = vals[i];
        printf("%f | %.2f | %10.3f | %-10.1f| %e | %.3E | %g | %.10g | %G\n", v, v, v, v, v, v, v, v, v);
    }
    printf("[%+.2f] [% .2f] [%08.3f] [%#.0f] [%.0f] [%.0f] [%.0f]\n", 3.14159, 3.14159, -3.14159, 3.0, 0.5, 1.5, 2.5);
    printf("[%#g] [%g] [%g] [%g] [%g]\n", 1.0, 100000.0, 1000000.0, 0.0001, 0.00001);
    printf("[%.1e] [%10.2e] [%-12.4e|] [%+e]\n", 12345.678, -0.000123, 1.0, 42.0);
    float f = 1.1f;
    printf("float promoted: %f %.9g %g\n", f, f, (double)f * 2);
    printf("large: %.0f %.3f\n", 4294967296.0 * 1024, 123456789012.345);
    printf("%5.1f%% done\n", 99.5);
    double sum = 0;
    for (int i = 1; i <= 10; i++) sum += 1.0 / i;
    printf("harmonic(10) = %.15f\n", sum);
    return (int)(sum * 10); /* 29 */
}
