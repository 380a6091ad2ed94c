/* memset, memcpy and memmove for the wasm3 column's .wasm: wasm3 0.4.7 has
 * no bulk-memory instructions (memory.fill, memory.copy), so that build
 * targets the wasm MVP, where clang calls these functions instead; with no
 * libc in the module, they are linked in from here. Byte loops: what a
 * minimal libc would have, and what the compiler cannot turn back into
 * bulk-memory calls (built with -fno-builtin). */

typedef __SIZE_TYPE__ size_t;

void *memset(void *dst, int c, size_t n)
{
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d < s) {
        while (n--)
            *d++ = *s++;
    } else {
        d += n;
        s += n;
        while (n--)
            *--d = *--s;
    }
    return dst;
}
