// opt-levels: -O0 -O2
/* float and double _Complex multiplication and division (clang calls
   __mulsc3, __muldc3, __divsc3, __divdc3 for them): ordinary values,
   values whose squares overflow, and C11 Annex G's infinities (an
   infinite operand gives an infinite result even with a NaN part, a zero
   divisor an infinite quotient, an infinite divisor a zero one). The
   quotients of the two C libraries may differ in the last bit, so they
   are printed to 10 (double) and 5 (float) significant digits; with NaN
   operands the sign of a zero result follows the NaN's sign, which C
   leaves open, so those zeros are printed without it. */
#include <stdio.h>

typedef double _Complex dc;
typedef float _Complex fc;

static int nan_seen;

static void show(const char *what, double re, double im, int digits) {
    double parts[2] = {re, im};
    printf("%s", what);
    for (int i = 0; i < 2; i++) {
        double v = parts[i];
        if (v != v)
            printf(" nan");
        else if (v == 1.0 / 0.0)
            printf(" inf");
        else if (v == -1.0 / 0.0)
            printf(" -inf");
        else if (v == 0 && nan_seen)
            printf(" 0");
        else
            printf(" %.*g", digits, v);
    }
    printf("\n");
}

__attribute__((noinline)) static dc dmul(dc a, dc b) { return a * b; }
__attribute__((noinline)) static dc ddiv(dc a, dc b) { return a / b; }
__attribute__((noinline)) static fc fmul(fc a, fc b) { return a * b; }
__attribute__((noinline)) static fc fdiv(fc a, fc b) { return a / b; }

int main(void) {
    double inf = 1.0 / 0.0, nan = 0.0 / 0.0;
    static const double v[][2] = {
        {1, 2}, {3, -4}, {-0.5, 0.25}, {1e200, 1e200}, {3e-200, -7e-201}, {0, 0}, {1e300, -1e-300}, {2.5, 0},
    };
    int n = sizeof v / sizeof v[0];
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
            dc a = __builtin_complex(v[i][0], v[i][1]), b = __builtin_complex(v[j][0], v[j][1]);
            dc p = dmul(a, b), q = ddiv(a, b);
            printf("(%g,%g) (%g,%g):", v[i][0], v[i][1], v[j][0], v[j][1]);
            show(" mul", __real__ p, __imag__ p, 17);
            show("      div", __real__ q, __imag__ q, 10);
            fc fa = __builtin_complex((float)v[i][0], (float)v[i][1]);
            fc fb = __builtin_complex((float)v[j][0], (float)v[j][1]);
            fc fp = fmul(fa, fb), fq = fdiv(fa, fb);
            show("      fmul", __real__ fp, __imag__ fp, 9);
            show("      fdiv", __real__ fq, __imag__ fq, 5);
        }
    }
    static const double s[][4] = {
        {1, 0, 0, 0},  {-3, 2, 0, 0},   {0, 0, 0, 0}, {1, 1, 1e308, 1e308}, {2, 3, 0, 0},
        {0, 0, 1, 1},  {5, -7, -0.0, 0}, {1, 2, 3, 4},
    };
    double sp[][2] = {{inf, nan}, {nan, inf}, {-inf, 1}, {nan, nan}, {1, -inf}};
    for (int i = 0; i < (int)(sizeof s / sizeof s[0]); i++) {
        dc a = __builtin_complex(s[i][0], s[i][1]), b = __builtin_complex(s[i][2], s[i][3]);
        dc q = ddiv(a, b);
        show("special div", __real__ q, __imag__ q, 10);
    }
    nan_seen = 1;
    for (int i = 0; i < 5; i++) {
        for (int j = 0; j < 8; j++) {
            dc a = __builtin_complex(sp[i][0], sp[i][1]);
            dc b = __builtin_complex(v[j][0], v[j][1]);
            dc p = dmul(a, b), q = ddiv(b, a), r = ddiv(a, b);
            show("inf mul", __real__ p, __imag__ p, 10);
            show("inf div", __real__ q, __imag__ q, 10);
            show("inf quot", __real__ r, __imag__ r, 10);
            fc fa = __builtin_complex((float)sp[i][0], (float)sp[i][1]);
            fc fb = __builtin_complex((float)v[j][0], (float)v[j][1]);
            fc fp = fmul(fa, fb), fq = fdiv(fb, fa);
            show("inf fmul", __real__ fp, __imag__ fp, 5);
            show("inf fdiv", __real__ fq, __imag__ fq, 5);
        }
    }
    return 0;
}
