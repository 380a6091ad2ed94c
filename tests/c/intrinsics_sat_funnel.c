// opt-levels: -O0 -O2
// Saturating arithmetic, funnel shifts that are not rotates and bit
// reversal, on 8, 16, 32 and 64 bits (clang's builtins; the reference
// build, and clang before 20 whose elementwise builtins promote narrow
// operands, compute the same in plain C).
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__clang__) && __clang_major__ >= 20
#define ADD_SAT(a, b) __builtin_elementwise_add_sat(a, b)
#define SUB_SAT(a, b) __builtin_elementwise_sub_sat(a, b)
#else
#define SAT_(T, wide, lo, hi, e) ({ wide r_ = (e); (T)(r_ < (lo) ? (lo) : r_ > (hi) ? (hi) : r_); })
#define ADD_SAT(a, b) _Generic((a), \
  int8_t: SAT_(int8_t, int, INT8_MIN, INT8_MAX, (int)(a) + (b)), \
  uint8_t: SAT_(uint8_t, int, 0, UINT8_MAX, (int)(a) + (b)), \
  int16_t: SAT_(int16_t, int, INT16_MIN, INT16_MAX, (int)(a) + (b)), \
  uint16_t: SAT_(uint16_t, int, 0, UINT16_MAX, (int)(a) + (b)), \
  int32_t: SAT_(int32_t, long long, INT32_MIN, INT32_MAX, (long long)(a) + (b)), \
  uint32_t: SAT_(uint32_t, long long, 0, UINT32_MAX, (long long)(a) + (b)), \
  int64_t: ({ int64_t r_; __builtin_add_overflow((int64_t)(a), (int64_t)(b), &r_) ? ((a) < 0 ? INT64_MIN : INT64_MAX) : r_; }), \
  uint64_t: ({ uint64_t r_; __builtin_add_overflow((uint64_t)(a), (uint64_t)(b), &r_) ? UINT64_MAX : r_; }))
#define SUB_SAT(a, b) _Generic((a), \
  int8_t: SAT_(int8_t, int, INT8_MIN, INT8_MAX, (int)(a) - (b)), \
  uint8_t: SAT_(uint8_t, int, 0, UINT8_MAX, (int)(a) - (b)), \
  int16_t: SAT_(int16_t, int, INT16_MIN, INT16_MAX, (int)(a) - (b)), \
  uint16_t: SAT_(uint16_t, int, 0, UINT16_MAX, (int)(a) - (b)), \
  int32_t: SAT_(int32_t, long long, INT32_MIN, INT32_MAX, (long long)(a) - (b)), \
  uint32_t: SAT_(uint32_t, long long, 0, UINT32_MAX, (long long)(a) - (b)), \
  int64_t: ({ int64_t r_; __builtin_sub_overflow((int64_t)(a), (int64_t)(b), &r_) ? ((a) < 0 ? INT64_MIN : INT64_MAX) : r_; }), \
  uint64_t: ({ uint64_t r_; __builtin_sub_overflow((uint64_t)(a), (uint64_t)(b), &r_) ? 0 : r_; }))
#endif

static uint8_t rev8(uint8_t x) {
#if defined(__clang__)
  return __builtin_bitreverse8(x);
#else
  uint8_t r = 0;
  for (int i = 0; i < 8; i++) r |= ((x >> i) & 1) << (7 - i);
  return r;
#endif
}
static uint16_t rev16(uint16_t x) {
#if defined(__clang__)
  return __builtin_bitreverse16(x);
#else
  return (uint16_t)(rev8(x & 0xFF) << 8 | rev8(x >> 8));
#endif
}
static uint32_t rev32(uint32_t x) {
#if defined(__clang__)
  return __builtin_bitreverse32(x);
#else
  return (uint32_t)rev16(x & 0xFFFF) << 16 | rev16(x >> 16);
#endif
}
static uint64_t rev64(uint64_t x) {
#if defined(__clang__)
  return __builtin_bitreverse64(x);
#else
  return (uint64_t)rev32((uint32_t)x) << 32 | rev32(x >> 32);
#endif
}

// clang turns these into llvm.fshl / llvm.fshr at -O2.
static uint32_t fshl32(uint32_t a, uint32_t b, unsigned s) { s &= 31; return s ? (a << s) | (b >> (32 - s)) : a; }
static uint32_t fshr32(uint32_t a, uint32_t b, unsigned s) { s &= 31; return s ? (b >> s) | (a << (32 - s)) : b; }
static uint16_t fshl16(uint16_t a, uint16_t b, unsigned s) { s &= 15; return s ? (uint16_t)((a << s) | (b >> (16 - s))) : a; }
static uint8_t fshr8(uint8_t a, uint8_t b, unsigned s) { s &= 7; return s ? (uint8_t)((b >> s) | (a << (8 - s))) : b; }
static uint64_t fshl64(uint64_t a, uint64_t b, unsigned s) { s &= 63; return s ? (a << s) | (b >> (64 - s)) : a; }
static uint64_t fshr64(uint64_t a, uint64_t b, unsigned s) { s &= 63; return s ? (b >> s) | (a << (64 - s)) : b; }

static volatile int sink;

int main(void) {
  static const int32_t v32[] = {0, 1, -1, 1000, INT32_MAX, INT32_MIN, INT32_MAX - 5, INT32_MIN + 7};
  uint32_t h = 0;
  for (unsigned i = 0; i < 8; i++) {
    for (unsigned j = 0; j < 8; j++) {
      int32_t a = v32[i], b = v32[j];
      int8_t a8 = (int8_t)(a * 37), b8 = (int8_t)(b * 11);
      uint8_t u8 = (uint8_t)(a * 37), w8 = (uint8_t)(b * 11);
      int16_t a16 = (int16_t)(a * 1237), b16 = (int16_t)(b * 911);
      uint16_t u16 = (uint16_t)(a * 1237), w16 = (uint16_t)(b * 911);
      int64_t a64 = (int64_t)a << (i * 4), b64 = (int64_t)b << (j * 4);
      printf("%d %d %u %u | %d %d %u %u | %d %d %u %u | %lld %lld %llu %llu\n",
             ADD_SAT(a8, b8), SUB_SAT(a8, b8), ADD_SAT(u8, w8), SUB_SAT(u8, w8),
             ADD_SAT(a16, b16), SUB_SAT(a16, b16), ADD_SAT(u16, w16), SUB_SAT(u16, w16),
             ADD_SAT(a, b), SUB_SAT(a, b), ADD_SAT((uint32_t)a, (uint32_t)b), SUB_SAT((uint32_t)a, (uint32_t)b),
             (long long)ADD_SAT(a64, b64), (long long)SUB_SAT(a64, b64),
             (unsigned long long)ADD_SAT((uint64_t)a64, (uint64_t)b64),
             (unsigned long long)SUB_SAT((uint64_t)a64, (uint64_t)b64));
      unsigned s = i * 9 + j * 5;
      h = h * 31 + fshl32((uint32_t)a, (uint32_t)b * 3, s) + fshr32((uint32_t)b, (uint32_t)a, s);
      h = h * 31 + fshl16((uint16_t)a, (uint16_t)b, s) + fshr8((uint8_t)a, (uint8_t)b, s);
      uint64_t x = fshl64((uint64_t)a64 ^ 0x123456789ABCDEFull, (uint64_t)b64, s) ^ fshr64((uint64_t)b64, (uint64_t)a64, s);
      h = h * 31 + (uint32_t)x + (uint32_t)(x >> 32);
      h ^= rev8((uint8_t)a) + rev16((uint16_t)b) + rev32((uint32_t)(a ^ b));
      uint64_t r64 = rev64((uint64_t)a64 * 0x9E3779B97F4A7C15ull);
      h += (uint32_t)r64 ^ (uint32_t)(r64 >> 32);
    }
  }
  printf("hash %08x\n", h);
  return 0;
}
