/* 64-bit Montgomery modular arithmetic (Embench-IoT aha-mont64 style):
 * modular exponentiation with a 64-bit odd modulus, the 64x64->128
 * products built from 32-bit halves, checked against plain shift-and-add
 * modular multiplication. Stresses 64-bit add, shift, compare and multiply
 * (several instructions each on a 32-bit machine). No libc: builds the
 * same for native, wasm32 and .espb. */

typedef unsigned long long u64;
typedef unsigned u32;

/* hi:lo = a * b */
static void mul128(u64 a, u64 b, u64 *hi, u64 *lo)
{
    u64 a0 = (u32)a, a1 = a >> 32, b0 = (u32)b, b1 = b >> 32;
    u64 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    u64 mid = (p00 >> 32) + (u32)p01 + (u32)p10;
    *lo = (mid << 32) | (u32)p00;
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/* -m^-1 mod 2^64 by Newton iteration (m odd). */
static u64 neg_inverse(u64 m)
{
    u64 x = m; /* correct to 3 bits for odd m */
    for (int i = 0; i < 5; i++)
        x *= 2 - m * x;
    return 0 - x;
}

/* a * b * 2^-64 mod m, for a, b < m < 2^63. */
static u64 mont_mul(u64 a, u64 b, u64 m, u64 minv)
{
    u64 thi, tlo, uhi, ulo;
    mul128(a, b, &thi, &tlo);
    u64 q = tlo * minv;
    mul128(q, m, &uhi, &ulo);
    u64 lo = tlo + ulo;
    u64 hi = thi + uhi + (lo < tlo);
    return hi >= m ? hi - m : hi;
}

/* (a * b) mod m by shift and add, the slow reference. */
static u64 mul_mod(u64 a, u64 b, u64 m)
{
    u64 r = 0;
    a %= m;
    while (b) {
        if (b & 1) {
            r += a;
            if (r >= m)
                r -= m;
        }
        a <<= 1;
        if (a >= m)
            a -= m;
        b >>= 1;
    }
    return r;
}

/* 2^64 mod m */
static u64 r_mod(u64 m)
{
    return (0 - m) % m;
}

unsigned bench_aha_mont64(int n)
{
    u64 m = 0x7fffffffffffffe7ull; /* odd, < 2^63 */
    u64 minv = neg_inverse(m);
    u64 r1 = r_mod(m);
    u64 base = 0x0123456789abcdefull % m;
    u64 acc = 0;
    unsigned bad = 0;
    for (int it = 0; it < n; it++) {
        u64 e = 0x9e3779b97f4a7c15ull ^ (u64)it;
        /* base^e mod m in Montgomery form */
        u64 xm = mul_mod(base, r1, m), ym = r1;
        for (int bit = 0; bit < 64; bit++) {
            if ((e >> bit) & 1)
                ym = mont_mul(ym, xm, m, minv);
            xm = mont_mul(xm, xm, m, minv);
        }
        u64 y = mont_mul(ym, 1, m, minv);
        /* check one product against the reference */
        u64 check = mul_mod(y, base, m);
        u64 via_mont = mont_mul(mul_mod(y, r1, m), mul_mod(base, r1, m), m, minv);
        if (mont_mul(via_mont, 1, m, minv) != check)
            bad++;
        acc ^= y + (u64)it;
        base = y | 1;
    }
    return (u32)acc ^ (u32)(acc >> 32) ^ (bad << 31);
}
