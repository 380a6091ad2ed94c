// opt-levels: -O0 -O2
/* modf and modff: clang-22 turns them into llvm.modf at -O2. The sign of
 * a zero part and the infinities are the corner cases. */
#include <math.h>
#include <stdio.h>

static double ds[] = {3.75, -3.75, -3.0, 0.0, -0.0, 1e300, -1e-300, 0.5, -0.5, 4503599627370495.5, 1.0 / 0.0, -1.0 / 0.0};
static float fs[] = {3.75f, -3.75f, -3.0f, 0.0f, -0.0f, 1e30f, -1e-30f, 8388607.5f, 1.0f / 0.0f, -1.0f / 0.0f};

int main(void) {
    for (unsigned i = 0; i < sizeof ds / sizeof ds[0]; i++) {
        double ip;
        double fr = modf(ds[i], &ip);
        printf("modf(%a) = %a + %a [%d %d]\n", ds[i], ip, fr, signbit(ip) != 0, signbit(fr) != 0);
    }
    for (unsigned i = 0; i < sizeof fs / sizeof fs[0]; i++) {
        float ip;
        float fr = modff(fs[i], &ip);
        printf("modff(%a) = %a + %a [%d %d]\n", (double)fs[i], (double)ip, (double)fr, signbit(ip) != 0,
               signbit(fr) != 0);
    }
    double ip;
    double fr = modf(__builtin_nan(""), &ip);
    printf("nan: %d %d\n", isnan(fr) != 0, isnan(ip) != 0);
    return 0;
}
