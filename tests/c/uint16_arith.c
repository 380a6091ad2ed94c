#include <stdio.h>
#include <stdint.h>

static uint16_t crc16_ccitt(const uint8_t *data, int len) {
    uint16_t crc = 0xffff;
    for (int i = 0; i < len; i++) {
        crc ^= (uint16_t)(data[i] << 8);
        for (int b = 0; b < 8; b++) crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    }
    return crc;
}

static int16_t saturate_add(int16_t a, int16_t b) {
    int r = a + b;
    if (r > INT16_MAX) return INT16_MAX;
    if (r < INT16_MIN) return INT16_MIN;
    return (int16_t)r;
}

int main(void) {
    uint16_t a = 65535;
    a++;
    printf("65535 + 1 = %u\n", a);
    uint16_t b = 40000, c = 30000;
    uint16_t s = (uint16_t)(b + c);
    int promoted = b + c;
    printf("40000 + 30000 = %u (uint16), %d (int)\n", s, promoted);
    uint16_t m = (uint16_t)(b * 3u);
    printf("40000 * 3 mod 65536 = %u\n", m);
    uint32_t prod = (uint32_t)b * c;
    printf("40000 * 30000 as uint32 = %u\n", (unsigned)prod);
    uint16_t sub = (uint16_t)(c - b);
    printf("30000 - 40000 = %u (uint16), %d (int)\n", sub, c - b);
    int16_t neg = -30000;
    uint16_t asu = (uint16_t)neg;
    printf("int16 -30000 as uint16 = %u, back = %d\n", asu, (int16_t)asu);
    printf("int16 >> 2 = %d, uint16 >> 2 = %u\n", neg >> 2, asu >> 2);
    printf("div: %d %d %u %u\n", neg / 7, neg % 7, asu / 7, asu % 7);
    printf("saturate: %d %d %d\n", saturate_add(30000, 10000), saturate_add(-30000, -10000), saturate_add(100, -200));
    const uint8_t msg[] = "123456789";
    printf("crc16-ccitt('123456789') = %04x\n", crc16_ccitt(msg, 9));
    uint16_t arr[8];
    for (int i = 0; i < 8; i++) arr[i] = (uint16_t)(0xffff - i * 0x1111);
    uint32_t total = 0;
    for (int i = 0; i < 8; i++) total += arr[i];
    printf("total = %u, arr[7] = %04x\n", (unsigned)total, arr[7]);
    unsigned short us = 0x8000;
    short ss = (short)us;
    printf("0x8000: unsigned %u signed %d, compare ss < us: %d\n", us, ss, ss < us);
    return crc16_ccitt(msg, 9) & 0xff;
}
