/* Integer matrix multiplication (Embench-IoT matmult-int style): C = A x B
 * for 20x20 int matrices filled from an LCG, `n` times with the seed moved
 * on each time; returns a checksum of every product matrix. Loops, loads,
 * 32-bit multiplies. No libc: builds the same for native, wasm32 and .espb. */

#define MM_N 20

static int mm_a[MM_N][MM_N], mm_b[MM_N][MM_N], mm_c[MM_N][MM_N];

static void mm_fill(unsigned seed)
{
    for (int i = 0; i < MM_N; i++)
        for (int j = 0; j < MM_N; j++) {
            seed = seed * 1103515245u + 12345u;
            mm_a[i][j] = (int)((seed >> 16) % 201u) - 100;
            seed = seed * 1103515245u + 12345u;
            mm_b[i][j] = (int)((seed >> 16) % 201u) - 100;
        }
}

static void mm_multiply(void)
{
    for (int i = 0; i < MM_N; i++)
        for (int j = 0; j < MM_N; j++) {
            int acc = 0;
            for (int k = 0; k < MM_N; k++)
                acc += mm_a[i][k] * mm_b[k][j];
            mm_c[i][j] = acc;
        }
}

unsigned bench_matmult(int n)
{
    unsigned sum = 0;
    for (int r = 0; r < n; r++) {
        mm_fill(0x1234u + (unsigned)r);
        mm_multiply();
        for (int i = 0; i < MM_N; i++)
            for (int j = 0; j < MM_N; j++)
                sum = sum * 31u + (unsigned)mm_c[i][j];
    }
    return sum;
}
