/* newlib's <stdatomic.h> names uintptr_t, intmax_t and friends without
   including <stdint.h>, so on its own it does not compile: include that
   first, then newlib's header. */
#include <stdint.h>
#include_next <stdatomic.h>
