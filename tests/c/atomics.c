// opt-levels: -O0 -O2
// C11 <stdatomic.h>, the __atomic and __sync builtins and fences, on every
// width, signed and unsigned, with the old values they return, and an
// atomic struct (Xtensa: the generic __atomic_* calls).
#pragma clang diagnostic ignored "-Watomic-alignment"
#include <stdint.h> // newlib's stdatomic.h needs it first
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static atomic_int ai = 5;
static atomic_uint au = 0xF0F0F0F0u;
static _Atomic long long al = -3;
static _Atomic unsigned short aus = 65530;
static _Atomic signed char asc = -100;
static _Atomic(float) af = 1.5f;
static _Atomic(int *) ap;
struct wide { int a; short b, c; };
static _Atomic struct wide aw;

#ifdef __clang__
#define FETCH_MAX(p, v) __atomic_fetch_max(p, v, __ATOMIC_SEQ_CST)
#define FETCH_MIN(p, v) __atomic_fetch_min(p, v, __ATOMIC_SEQ_CST)
#else
// gcc has no __atomic_fetch_max: the reference build gets the same values.
#define FETCH_MAX(p, v) ({ __typeof__(*(p)) o_ = *(p), v_ = (v); *(p) = o_ > v_ ? o_ : v_; o_; })
#define FETCH_MIN(p, v) ({ __typeof__(*(p)) o_ = *(p), v_ = (v); *(p) = o_ < v_ ? o_ : v_; o_; })
#endif

int main(void) {
  int arr[4] = {1, 2, 3, 4};
  printf("add %d ", atomic_fetch_add(&ai, 10));
  printf("sub %d ", atomic_fetch_sub_explicit(&ai, 3, memory_order_relaxed));
  printf("now %d\n", atomic_load(&ai));
  printf("or %x ", atomic_fetch_or(&au, 0x0F));
  printf("and %x ", atomic_fetch_and(&au, 0xFFFF00FFu));
  printf("xor %x ", atomic_fetch_xor(&au, 0x11111111u));
  printf("now %x\n", atomic_load(&au));
  printf("ll %lld ", atomic_fetch_add(&al, 1LL << 40));
  printf("%lld ", atomic_exchange(&al, -7));
  long long e64 = -7;
  int ok = atomic_compare_exchange_strong(&al, &e64, 99);
  printf("cas %d %lld %lld\n", ok, e64, atomic_load(&al));
  e64 = 5;
  ok = atomic_compare_exchange_weak(&al, &e64, 1);
  printf("cas %d %lld %lld\n", ok, e64, atomic_load(&al));
  printf("us %u ", atomic_fetch_add(&aus, 10));
  printf("%u\n", atomic_load(&aus));
  printf("sc %d ", atomic_fetch_sub(&asc, 50));
  printf("%d\n", atomic_load(&asc));
  int x = 7;
  printf("max %d ", FETCH_MAX(&x, 3));
  printf("%d ", FETCH_MAX(&x, 30));
  printf("min %d ", FETCH_MIN(&x, -4));
  unsigned ux = 7;
  printf("umax %u ", FETCH_MAX(&ux, 0x80000000u));
  printf("umin %u ", FETCH_MIN(&ux, 2u));
  signed char sx = -5;
  printf("smax8 %d ", FETCH_MAX(&sx, (signed char)-9));
  printf("%d\n", FETCH_MIN(&sx, (signed char)-9) + sx);
  int y = 0x0FF0;
  printf("nand %x ", __atomic_fetch_nand(&y, 0x00FF, __ATOMIC_SEQ_CST));
  printf("%x ", __atomic_nand_fetch(&y, 0xFFFF, __ATOMIC_SEQ_CST));
  printf("addf %d ", __atomic_add_fetch(&y, 1, __ATOMIC_RELAXED));
  printf("sync %d ", __sync_fetch_and_add(&y, 2));
  printf("%d ", __sync_sub_and_fetch(&y, 1));
  printf("%d ", __sync_val_compare_and_swap(&y, y, 42));
  printf("%d ", __sync_bool_compare_and_swap(&y, 41, 0));
  printf("%d ", __sync_lock_test_and_set(&y, 9));
  __sync_lock_release(&y);
  __sync_synchronize();
  atomic_thread_fence(memory_order_seq_cst);
  atomic_signal_fence(memory_order_acquire);
  printf("%d\n", y);
  atomic_store(&ap, &arr[1]);
  int *old = atomic_exchange(&ap, &arr[3]);
  printf("ptr %d %d\n", *old, *atomic_load(&ap));
  float f = 0;
  for (int i = 0; i < 5; i++) {
    float cur = atomic_load(&af);
    while (!atomic_compare_exchange_weak(&af, &cur, cur * 2 + i)) {
    }
    f += cur;
  }
  printf("float %.2f %.2f\n", f, atomic_load(&af));
  struct wide w = {1, 2, 3}, w2 = {4, 5, -6}, got;
  atomic_store(&aw, w);
  got = atomic_exchange(&aw, w2);
  printf("wide %d %d %d ", got.a, got.b, got.c);
  struct wide expect = {4, 5, 6};
  ok = atomic_compare_exchange_strong(&aw, &expect, w);
  printf("%d %d %d %d ", ok, expect.a, expect.b, expect.c);
  ok = atomic_compare_exchange_strong(&aw, &expect, w);
  got = atomic_load(&aw);
  printf("%d %d %d %d\n", ok, got.a, got.b, got.c);
  atomic_flag fl = ATOMIC_FLAG_INIT;
  int t1 = atomic_flag_test_and_set(&fl);
  int t2 = atomic_flag_test_and_set(&fl);
  atomic_flag_clear(&fl);
  printf("flag %d %d %d\n", t1, t2, atomic_flag_test_and_set(&fl));
  return 0;
}
