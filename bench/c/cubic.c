/* Cubic equations in single precision (Embench-IoT cubic style, without
 * libm): for a grid of coefficients, the real roots of
 * x^3 + a x^2 + b x + c = 0 by bracketing, bisection and Newton steps,
 * then deflation to a quadratic; returns the bits of every root folded
 * together. Stresses float compares, divisions and data-dependent loops.
 * No libc: builds the same for native, wasm32 and .espb. */

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF /* no fused multiply-add: identical bits everywhere */
#endif

static float poly(float a, float b, float c, float x)
{
    return ((x + a) * x + b) * x + c;
}

static float fsqrt(float x)
{
    if (x <= 0.0f)
        return 0.0f;
    union { float f; unsigned u; } g = { x };
    g.u = (g.u >> 1) + 0x1fc00000u;
    float r = g.f;
    for (int i = 0; i < 5; i++)
        r = 0.5f * (r + x / r);
    return r;
}

/* One real root: a cubic always has one. */
static float one_root(float a, float b, float c)
{
    float bound = 1.0f;
    float m = a < 0 ? -a : a;
    if (m + 1.0f > bound) bound = m + 1.0f;
    m = b < 0 ? -b : b;
    if (m + 1.0f > bound) bound = m + 1.0f;
    m = c < 0 ? -c : c;
    if (m + 1.0f > bound) bound = m + 1.0f;
    float lo = -bound, hi = bound;
    for (int i = 0; i < 40; i++) {
        float mid = 0.5f * (lo + hi);
        if (poly(a, b, c, mid) < 0.0f)
            lo = mid;
        else
            hi = mid;
    }
    float x = 0.5f * (lo + hi);
    for (int i = 0; i < 3; i++) {
        float d = (3.0f * x + 2.0f * a) * x + b;
        if (d == 0.0f)
            break;
        x -= poly(a, b, c, x) / d;
    }
    return x;
}

static unsigned fold(float f)
{
    union { float f; unsigned u; } b = { f };
    return b.u;
}

unsigned bench_cubic(int n)
{
    unsigned h = 0;
    for (int r = 0; r < n; r++)
        for (int ia = -4; ia <= 4; ia++)
            for (int ib = -4; ib <= 4; ib++) {
                float a = (float)ia * 1.5f + (float)r * 0.125f, b = (float)ib * 2.25f, c = (float)(ia * ib) - 3.0f;
                float x = one_root(a, b, c);
                /* deflate: x^2 + p x + q */
                float p = a + x, q = b + p * x;
                float disc = p * p - 4.0f * q;
                h = h * 31u + fold(x);
                if (disc >= 0.0f) {
                    float s = fsqrt(disc);
                    h = h * 31u + fold(0.5f * (-p + s));
                    h = h * 31u + fold(0.5f * (-p - s));
                }
            }
    return h;
}
