/* Recursive Fibonacci: stresses calls and returns.
 * No libc, no globals: builds the same for native, wasm32 and .espb. */

int bench_fib(int n)
{
    if (n < 2)
        return n;
    return bench_fib(n - 1) + bench_fib(n - 2);
}
