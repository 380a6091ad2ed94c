#include <stdio.h>
#include <stdint.h>

int main(void) {
    int8_t a = 127;
    a = (int8_t)(a + 1); /* implementation-defined conversion: wraps to -128 on both targets */
    printf("127 + 1 -> %d\n", a);
    int8_t b = -128;
    b = (int8_t)(b - 1);
    printf("-128 - 1 -> %d\n", b);
    uint8_t u = 250;
    for (int i = 0; i < 10; i++) u++;
    printf("250 + 10 (uint8) = %u\n", u);
    uint8_t d = 3;
    d -= 5;
    printf("3 - 5 (uint8) = %u\n", d);
    int8_t arr[] = {100, 50, -100, -50, 127, -128};
    int8_t sum8 = 0;
    int sum = 0;
    for (int i = 0; i < 6; i++) { sum8 = (int8_t)(sum8 + arr[i]); sum += arr[i]; }
    printf("sum8 = %d, sum = %d\n", sum8, sum);
    int8_t m = (int8_t)(arr[0] * 3);
    printf("(int8)(100*3) = %d, (int8)(-100*3) = %d\n", m, (int8_t)(arr[2] * 3));
    printf("-(-128) as int8 = %d, as int = %d\n", (int8_t)-arr[5], -arr[5]);
    int8_t x = -1;
    uint8_t ux = (uint8_t)x;
    uint32_t wide = (uint32_t)x;
    uint32_t wide_u = ux;
    printf("int8 -1 -> uint8 %u, -> uint32 %u, uint8 -> uint32 %u\n", ux, (unsigned)wide, (unsigned)wide_u);
    printf("int8 division: %d %d %d\n", (int8_t)-128 / 3, (int8_t)-7 % 3, (int8_t)(-128 / -1));
    uint8_t h = 0;
    for (int i = 0; i < 300; i++) h = (uint8_t)(h * 31 + i);
    printf("hash8 = %u\n", h);
    signed char sc = -3;
    unsigned char uc = 253;
    printf("sc < 0: %d, uc > 128: %d, sc == uc: %d, (unsigned char)sc == uc: %d\n", sc < 0, uc > 128, sc == uc, (unsigned char)sc == uc);
    return (uint8_t)(a + b + u); /* -128 + 127 + 4 = 3 */
}
