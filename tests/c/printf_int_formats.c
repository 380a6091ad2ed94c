#include <stdio.h>

int main(void) {
    int n = 0;
    n += printf("[%d] [%i] [%5d] [%-5d] [%05d] [%+d] [% d] [%+05d]\n", 42, -42, 42, 42, 42, 42, 42, -42);
    n += printf("[%u] [%x] [%X] [%o] [%#x] [%#X] [%#o] [%08x]\n", 3000000000u, 0xbeefu, 0xbeefu, 8u, 255u, 255u, 8u, 0xabcu);
    n += printf("[%.3d] [%6.3d] [%-6.3d|] [%.0d] [%.0d]\n", 7, -7, 7, 0, 1);
    n += printf("[%ld] [%lu] [%lx] [%li]\n", -123456789L, 4000000000UL, 0xdeadbeefUL, 2147483647L);
    n += printf("[%lld] [%llu] [%llx] [%llX] [%llo]\n", -9223372036854775807LL - 1, 18446744073709551615ULL,
                0x123456789abcdefULL, 0xfedcba9876543210ULL, 0777777777777ULL);
    n += printf("[%20lld] [%-20lld] [%020lld]\n", 1234567890123LL, -1234567890123LL, 99LL);
    n += printf("[%hd] [%hu] [%hhd] [%hhu] [%hx]\n", (short)-1234, (unsigned short)65535, (signed char)-5,
                (unsigned char)250, (unsigned short)0xabcd);
    n += printf("[%*d] [%-*d] [%.*d] [%*.*d]\n", 6, 12, 6, 12, 4, 12, 8, 5, -12);
    n += printf("[%d %d %d %d %d %d %d %d %d %d]\n", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    n += printf("[%d %lld %d %lld %u]\n", 1, 2LL, 3, 4LL, 5u); /* 64-bit argument alignment in varargs */
    n += printf("[%x] [%d]\n", -1, -2147483647 - 1);
    printf("chars printed: %d\n", n);
    return n & 0xff;
}
