/* DSP filters on 16-bit fixed-point data (Embench-IoT edn style): a
 * 16-tap FIR filter, a dot product, a two-stage IIR (biquad) filter, a
 * lattice filter and a block-energy scan, over 256 samples from an LCG,
 * `n` times. Stresses 16x16->32 multiply-accumulate, shifts and halfword
 * loads and stores. No libc: builds the same for native, wasm32 and
 * .espb. */

#define EDN_N 256
#define EDN_TAPS 16

static short edn_x[EDN_N], edn_y[EDN_N], edn_h[EDN_TAPS];

static void edn_init(unsigned seed)
{
    for (int i = 0; i < EDN_N; i++) {
        seed = seed * 1664525u + 1013904223u;
        edn_x[i] = (short)(seed >> 18) - 8192;
    }
    for (int i = 0; i < EDN_TAPS; i++)
        edn_h[i] = (short)((i * 1237 + 311) % 4096 - 2048);
}

static void fir(void)
{
    for (int i = 0; i < EDN_N - EDN_TAPS; i++) {
        int acc = 0;
        for (int k = 0; k < EDN_TAPS; k++)
            acc += edn_x[i + k] * edn_h[k];
        edn_y[i] = (short)(acc >> 15);
    }
}

static int dot(const short *a, const short *b, int len)
{
    int acc = 0;
    for (int i = 0; i < len; i++)
        acc += (a[i] * b[i]) >> 4;
    return acc;
}

/* Two cascaded biquads in Q14. */
static void iir(void)
{
    static const short c[2][5] = { { 4096, 8192, 4096, -13000, 5300 }, { 3000, -6000, 3000, -9000, 4000 } };
    int s[2][2] = { { 0, 0 }, { 0, 0 } };
    for (int i = 0; i < EDN_N; i++) {
        int v = edn_x[i];
        for (int st = 0; st < 2; st++) {
            int w = v - ((c[st][3] * s[st][0] + c[st][4] * s[st][1]) >> 14);
            if (w > 32767) w = 32767;
            if (w < -32768) w = -32768;
            int out = (c[st][0] * w + c[st][1] * s[st][0] + c[st][2] * s[st][1]) >> 14;
            s[st][1] = s[st][0];
            s[st][0] = w;
            v = out;
        }
        edn_y[i] = (short)v;
    }
}

static void lattice(void)
{
    static const short k[8] = { 8000, -6000, 5000, -4000, 3000, -2000, 1000, -500 };
    int b[9] = { 0 };
    for (int i = 0; i < EDN_N; i++) {
        int f = edn_x[i];
        for (int m = 7; m >= 0; m--) {
            f -= (k[m] * b[m]) >> 15;
            b[m + 1] = b[m] + ((k[m] * f) >> 15);
        }
        b[0] = f;
        edn_y[i] = (short)f;
    }
}

static unsigned energy(const short *v, int len)
{
    unsigned peak = 0, e = 0;
    for (int i = 0; i < len; i++) {
        int a = v[i] < 0 ? -v[i] : v[i];
        e += (unsigned)(a * a) >> 8;
        if ((unsigned)a > peak)
            peak = (unsigned)a;
    }
    return e ^ (peak << 20);
}

unsigned bench_edn(int n)
{
    unsigned sum = 0;
    for (int r = 0; r < n; r++) {
        edn_init(77u + (unsigned)r);
        fir();
        sum = sum * 33u + energy(edn_y, EDN_N - EDN_TAPS);
        sum = sum * 33u + (unsigned)dot(edn_x, edn_y, EDN_N - EDN_TAPS);
        iir();
        sum = sum * 33u + energy(edn_y, EDN_N);
        lattice();
        sum = sum * 33u + energy(edn_y, EDN_N);
    }
    return sum;
}
