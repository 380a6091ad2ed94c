/* Sieve of Eratosthenes over a static byte array: stresses loops and byte
 * loads/stores. Returns the number of primes below n (n is clamped to
 * SIEVE_MAX). No libc: builds the same for native, wasm32 and .espb. */

#define SIEVE_MAX 65536

static unsigned char composite[SIEVE_MAX];

unsigned bench_sieve(int n)
{
    if (n > SIEVE_MAX)
        n = SIEVE_MAX;
    if (n < 2)
        return 0;
    for (int i = 0; i < n; i++)
        composite[i] = 0;
    unsigned count = 0;
    for (int i = 2; i < n; i++) {
        if (composite[i])
            continue;
        count++;
        for (int j = i + i; j < n; j += i)
            composite[j] = 1;
    }
    return count;
}
