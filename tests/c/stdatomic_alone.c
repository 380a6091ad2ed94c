// opt-levels: -O0 -O2
/* <stdatomic.h> as the first and only header for its types: newlib's
   needs <stdint.h> before it, which the build supplies. */
#include <stdatomic.h>
#include <stdio.h>

static atomic_int counter;
static atomic_uintptr_t last;
static atomic_flag busy = ATOMIC_FLAG_INIT;
static _Atomic(long long) total;

int main(void) {
    for (int i = 1; i <= 10; i++) {
        atomic_fetch_add(&counter, i);
        atomic_store(&last, (unsigned)i * 3u);
        atomic_fetch_add_explicit(&total, (long long)i << 33, memory_order_relaxed);
    }
    int expected = 55;
    int swapped = atomic_compare_exchange_strong(&counter, &expected, 100);
    int was_set = atomic_flag_test_and_set(&busy);
    int now_set = atomic_flag_test_and_set(&busy);
    atomic_flag_clear(&busy);
    printf("counter %d swapped %d last %u flag %d %d total %lld\n", atomic_load(&counter), swapped,
           (unsigned)atomic_load(&last), was_set, now_set, atomic_load(&total));
    return 0;
}
