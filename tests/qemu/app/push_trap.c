/* Live push: a module whose entry traps (an out-of-bounds store through a
 * null pointer): the firmware must go back to the module it ran. */
#include <stdio.h>

volatile int *where;

void app_main(void) {
    printf("trap module started\n");
    *where = 1;
}
