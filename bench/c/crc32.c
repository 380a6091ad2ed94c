/* Table-driven CRC-32 (IEEE 802.3, as zlib) over a static 16 KiB buffer,
 * `n` passes, each chained on the previous one: stresses loops, word loads
 * from a table and byte loads from a buffer. The table and the buffer
 * (pseudo-random bytes from an LCG) are rebuilt on every call, so a call's
 * result depends only on `n`. No libc: builds the same for native, wasm32
 * and .espb. */

#define CRC_BUF_LEN 16384

static unsigned crc_table[256];
static unsigned char crc_buf[CRC_BUF_LEN];

unsigned bench_crc32(int n)
{
    for (unsigned i = 0; i < 256; i++) {
        unsigned c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    unsigned seed = 12345u;
    for (int i = 0; i < CRC_BUF_LEN; i++) {
        seed = seed * 1103515245u + 12345u;
        crc_buf[i] = (unsigned char)(seed >> 16);
    }
    unsigned crc = 0;
    for (int pass = 0; pass < n; pass++) {
        unsigned c = ~crc;
        for (int i = 0; i < CRC_BUF_LEN; i++)
            c = crc_table[(c ^ crc_buf[i]) & 0xFF] ^ (c >> 8);
        crc = ~c;
    }
    return crc;
}
