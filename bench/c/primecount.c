/* Prime counting by trial division with an odd-divisor loop (Embench-IoT
 * primecount style, but dividing instead of sieving): counts the primes
 * below 2000 + 10n and sums them. Stresses 32-bit division and remainder
 * and short data-dependent loops. No libc: builds the same for native,
 * wasm32 and .espb. */

static int is_prime(unsigned v)
{
    if (v < 2)
        return 0;
    if (v % 2 == 0)
        return v == 2;
    for (unsigned d = 3; d * d <= v; d += 2)
        if (v % d == 0)
            return 0;
    return 1;
}

unsigned bench_primecount(int n)
{
    if (n < 0)
        n = 0;
    unsigned limit = 2000u + 10u * (unsigned)n;
    unsigned count = 0, sum = 0;
    for (unsigned v = 0; v < limit; v++)
        if (is_prime(v)) {
            count++;
            sum += v;
        }
    return count * 0x10001u ^ sum;
}
