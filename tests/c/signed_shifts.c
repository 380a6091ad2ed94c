#include <stdio.h>
#include <stdint.h>

int main(void) {
    int32_t vals[] = {-1, -2, -7, -128, -2147483647 - 1, 1, 255, 0x40000000, -65536};
    for (unsigned i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        int32_t v = vals[i];
        printf("%11d >>1=%11d >>4=%11d >>31=%2d  (u)>>4=%08x\n", (int)v, (int)(v >> 1), (int)(v >> 4),
               (int)(v >> 31), (unsigned)((uint32_t)v >> 4));
    }
    /* variable shift amounts */
    volatile int amounts[] = {0, 1, 5, 16, 31};
    int32_t neg = -1000000;
    uint32_t pos = 0xf0000001u;
    for (int i = 0; i < 5; i++) {
        int s = amounts[i];
        printf("s=%2d: neg>>s=%d pos>>s=%08x pos<<s=%08x 1u<<s=%u\n", s, (int)(neg >> s), (unsigned)(pos >> s),
               (unsigned)(pos << s), 1u << s);
    }
    /* arithmetic shift of narrow types (promoted to int) */
    int8_t b = -100;
    int16_t h = -30000;
    uint8_t ub = 200;
    printf("int8 >> 2 = %d, int16 >> 3 = %d, uint8 >> 3 = %d\n", b >> 2, h >> 3, ub >> 3);
    printf("(int8)(ub << 1) = %d, (uint8)(b << 1) = %u\n", (int8_t)(uint8_t)(ub << 1), (uint8_t)((unsigned)b << 1));
    /* sign extension from arbitrary bit widths */
    uint32_t raw12 = 0xfff;
    int32_t sext12 = (int32_t)(raw12 << 20) >> 20;
    uint32_t raw20 = 0x80000;
    int32_t sext20 = (int32_t)(raw20 << 12) >> 12;
    printf("sext12(0xfff)=%d sext20(0x80000)=%d\n", (int)sext12, (int)sext20);
    /* floor division by powers of two via shift vs C division (truncation) */
    for (int v = -9; v <= 9; v += 3) printf("%d: >>2=%d /4=%d\n", v, v >> 2, v / 4);
    return (int)((vals[2] >> 1) & 0xff); /* -4 & 0xff = 252 */
}
