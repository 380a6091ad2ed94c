/* Matrix inversion in single precision (Embench-IoT minver style): an 8x8
 * float matrix inverted by Gauss-Jordan elimination with partial pivoting,
 * multiplied back and the residual measured, `n` times with new matrices;
 * returns the bits of the determinants and residuals folded together.
 * Stresses float add/mul/div, compares and row swaps. No libc: builds the
 * same for native, wasm32 and .espb. */

#ifdef __clang__
#pragma STDC FP_CONTRACT OFF /* no fused multiply-add: identical bits everywhere */
#endif

#define MV_N 8

static float mv_a[MV_N][MV_N], mv_inv[MV_N][MV_N], mv_work[MV_N][MV_N];

static float fabs_f(float x)
{
    return x < 0 ? -x : x;
}

/* Inverts mv_work into mv_inv; returns the determinant (0: singular). */
static float invert(void)
{
    float det = 1.0f;
    for (int i = 0; i < MV_N; i++)
        for (int j = 0; j < MV_N; j++)
            mv_inv[i][j] = i == j ? 1.0f : 0.0f;
    for (int c = 0; c < MV_N; c++) {
        int p = c;
        for (int r = c + 1; r < MV_N; r++)
            if (fabs_f(mv_work[r][c]) > fabs_f(mv_work[p][c]))
                p = r;
        if (mv_work[p][c] == 0.0f)
            return 0.0f;
        if (p != c) {
            for (int j = 0; j < MV_N; j++) {
                float t = mv_work[c][j]; mv_work[c][j] = mv_work[p][j]; mv_work[p][j] = t;
                t = mv_inv[c][j]; mv_inv[c][j] = mv_inv[p][j]; mv_inv[p][j] = t;
            }
            det = -det;
        }
        float pivot = mv_work[c][c];
        det *= pivot;
        for (int j = 0; j < MV_N; j++) {
            mv_work[c][j] /= pivot;
            mv_inv[c][j] /= pivot;
        }
        for (int r = 0; r < MV_N; r++) {
            if (r == c)
                continue;
            float f = mv_work[r][c];
            for (int j = 0; j < MV_N; j++) {
                mv_work[r][j] -= f * mv_work[c][j];
                mv_inv[r][j] -= f * mv_inv[c][j];
            }
        }
    }
    return det;
}

static unsigned fold(float f)
{
    union { float f; unsigned u; } b = { f };
    return b.u;
}

unsigned bench_minver(int n)
{
    unsigned h = 0;
    for (int r = 0; r < n; r++) {
        unsigned seed = 3u + (unsigned)r;
        for (int i = 0; i < MV_N; i++)
            for (int j = 0; j < MV_N; j++) {
                seed = seed * 1103515245u + 12345u;
                mv_a[i][j] = (float)((int)(seed >> 16) % 2001 - 1000) / 250.0f + (i == j ? 8.0f : 0.0f);
                mv_work[i][j] = mv_a[i][j];
            }
        float det = invert();
        float residual = 0.0f;
        for (int i = 0; i < MV_N; i++)
            for (int j = 0; j < MV_N; j++) {
                float s = 0.0f;
                for (int k = 0; k < MV_N; k++)
                    s += mv_a[i][k] * mv_inv[k][j];
                residual += fabs_f(s - (i == j ? 1.0f : 0.0f));
            }
        h = h * 31u + fold(det);
        h = h * 31u + fold(residual);
    }
    return h;
}
