// opt-levels: -O0 -O2
/* rint, nearbyint and their float forms round to the nearest integer with
   ties to even (clang makes them llvm.rint / llvm.nearbyint): halves go to
   the even neighbour, the sign of zero stays, large values are already
   integers. */
#include <math.h>
#include <stdio.h>

static volatile double d[] = {0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 2.5001, -0.0, 1e16 + 2, 4503599627370497.0, 0.49999999999999994};
static volatile float f[] = {0.5f, 1.5f, 2.5f, -0.5f, -3.5f, 8388609.0f, 0.49999997f, -0.0f};

int main(void) {
    for (unsigned i = 0; i < sizeof d / sizeof d[0]; i++) {
        double x = d[i];
        printf("rint(%.17g) = %.17g, nearbyint = %.17g\n", x, rint(x), nearbyint(x));
    }
    for (unsigned i = 0; i < sizeof f / sizeof f[0]; i++) {
        float x = f[i];
        printf("rintf(%.9g) = %.9g, nearbyintf = %.9g\n", (double) x, (double) rintf(x), (double) nearbyintf(x));
    }
    return 0;
}
