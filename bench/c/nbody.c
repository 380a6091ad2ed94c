/* N-body simulation in double precision (Embench-IoT nbody style): the
 * Sun and four planets, `n` steps of 0.01 days, then the system's energy;
 * returns the bits of the energy and of one position folded together.
 * Stresses double add/mul/div and a square root (our own Newton
 * iteration, so no libm: every engine computes exactly the same bits).
 * No libc: builds the same for native, wasm32 and .espb. */

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF /* no fused multiply-add: identical bits everywhere */
#endif

#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24
#define BODIES 5

struct body {
    double x[3], v[3], mass;
};

static struct body bodies[BODIES];

static const struct body initial[BODIES] = {
    { { 0, 0, 0 }, { 0, 0, 0 }, SOLAR_MASS },
    { { 4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01 },
      { 1.66007664274403694e-03 * DAYS_PER_YEAR, 7.69901118419740425e-03 * DAYS_PER_YEAR,
        -6.90460016972063023e-05 * DAYS_PER_YEAR },
      9.54791938424326609e-04 * SOLAR_MASS },
    { { 8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01 },
      { -2.76742510726862411e-03 * DAYS_PER_YEAR, 4.99852801234917238e-03 * DAYS_PER_YEAR,
        2.30417297573763929e-05 * DAYS_PER_YEAR },
      2.85885980666130812e-04 * SOLAR_MASS },
    { { 1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01 },
      { 2.96460137564761618e-03 * DAYS_PER_YEAR, 2.37847173959480950e-03 * DAYS_PER_YEAR,
        -2.96589568540237556e-05 * DAYS_PER_YEAR },
      4.36624404335156298e-05 * SOLAR_MASS },
    { { 1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01 },
      { 2.68067772490389322e-03 * DAYS_PER_YEAR, 1.62824170038242295e-03 * DAYS_PER_YEAR,
        -9.51592254519715870e-05 * DAYS_PER_YEAR },
      5.15138902046611451e-05 * SOLAR_MASS },
};

/* Newton's square root from a bit-level first guess; x > 0. */
static double nsqrt(double x)
{
    union { double d; unsigned long long u; } g = { x };
    g.u = (g.u >> 1) + 0x1ff8000000000000ull;
    double r = g.d;
    for (int i = 0; i < 6; i++)
        r = 0.5 * (r + x / r);
    return r;
}

static void advance(double dt)
{
    for (int i = 0; i < BODIES; i++) {
        struct body *a = &bodies[i];
        for (int j = i + 1; j < BODIES; j++) {
            struct body *b = &bodies[j];
            double dx = a->x[0] - b->x[0], dy = a->x[1] - b->x[1], dz = a->x[2] - b->x[2];
            double d2 = dx * dx + dy * dy + dz * dz;
            double mag = dt / (d2 * nsqrt(d2));
            a->v[0] -= dx * b->mass * mag;
            a->v[1] -= dy * b->mass * mag;
            a->v[2] -= dz * b->mass * mag;
            b->v[0] += dx * a->mass * mag;
            b->v[1] += dy * a->mass * mag;
            b->v[2] += dz * a->mass * mag;
        }
    }
    for (int i = 0; i < BODIES; i++)
        for (int k = 0; k < 3; k++)
            bodies[i].x[k] += dt * bodies[i].v[k];
}

static double energy(void)
{
    double e = 0;
    for (int i = 0; i < BODIES; i++) {
        const struct body *a = &bodies[i];
        e += 0.5 * a->mass * (a->v[0] * a->v[0] + a->v[1] * a->v[1] + a->v[2] * a->v[2]);
        for (int j = i + 1; j < BODIES; j++) {
            const struct body *b = &bodies[j];
            double dx = a->x[0] - b->x[0], dy = a->x[1] - b->x[1], dz = a->x[2] - b->x[2];
            e -= a->mass * b->mass / nsqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

static unsigned fold(double d)
{
    union { double d; unsigned long long u; } b = { d };
    return (unsigned)b.u ^ (unsigned)(b.u >> 32);
}

unsigned bench_nbody(int n)
{
    for (int i = 0; i < BODIES; i++)
        bodies[i] = initial[i];
    /* offset the Sun's momentum */
    for (int k = 0; k < 3; k++) {
        double p = 0;
        for (int i = 0; i < BODIES; i++)
            p += bodies[i].v[k] * bodies[i].mass;
        bodies[0].v[k] = -p / SOLAR_MASS;
    }
    for (int s = 0; s < n; s++)
        advance(0.01);
    return fold(energy()) * 31u + fold(bodies[1].x[0]);
}
