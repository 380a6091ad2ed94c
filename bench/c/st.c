/* Statistics in double precision (Embench-IoT st style): two series of 200
 * pseudo-random values, their sums, means, variances, standard deviations
 * and correlation coefficient, `n` times with new series; returns the
 * bits of the results folded together. Square roots by our own Newton
 * iteration (no libm), so every engine computes the same bits. No libc:
 * builds the same for native, wasm32 and .espb. */

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF /* no fused multiply-add: identical bits everywhere */
#endif

#define ST_N 200

static double st_a[ST_N], st_b[ST_N];

static double nsqrt(double x)
{
    if (x <= 0)
        return 0;
    union { double d; unsigned long long u; } g = { x };
    g.u = (g.u >> 1) + 0x1ff8000000000000ull;
    double r = g.d;
    for (int i = 0; i < 6; i++)
        r = 0.5 * (r + x / r);
    return r;
}

static void st_init(unsigned seed)
{
    for (int i = 0; i < ST_N; i++) {
        seed = seed * 1103515245u + 12345u;
        st_a[i] = (double)(seed >> 8) / 65536.0 + (double)i;
        seed = seed * 1103515245u + 12345u;
        st_b[i] = (double)(int)(seed >> 12) / 4096.0 - 0.5 * (double)i;
    }
}

static void stats(const double *v, double *sum, double *mean, double *var, double *sd)
{
    double s = 0, d = 0;
    for (int i = 0; i < ST_N; i++)
        s += v[i];
    *sum = s;
    *mean = s / ST_N;
    for (int i = 0; i < ST_N; i++) {
        double e = v[i] - *mean;
        d += e * e;
    }
    *var = d / ST_N;
    *sd = nsqrt(*var);
}

static double correlation(double mean_a, double mean_b, double sd_a, double sd_b)
{
    double s = 0;
    for (int i = 0; i < ST_N; i++)
        s += (st_a[i] - mean_a) * (st_b[i] - mean_b);
    return s / ST_N / (sd_a * sd_b);
}

static unsigned fold(double d)
{
    union { double d; unsigned long long u; } b = { d };
    return (unsigned)b.u ^ (unsigned)(b.u >> 32);
}

unsigned bench_st(int n)
{
    unsigned h = 0;
    for (int r = 0; r < n; r++) {
        double sa, ma, va, da, sb, mb, vb, db;
        st_init(7u + (unsigned)r);
        stats(st_a, &sa, &ma, &va, &da);
        stats(st_b, &sb, &mb, &vb, &db);
        double c = correlation(ma, mb, da, db);
        h = h * 31u + fold(sa) + fold(va) + fold(db);
        h = h * 31u + fold(c);
    }
    return h;
}
