/* Live push: a module larger than a slot of the 64 KiB partition of mode 5
 * (28 KiB): refused before anything is sent. */
#include <stdio.h>

const char big[40000] = { [0] = 1, [39999] = 2 };

void app_main(void) {
    printf("big module: %d\n", big[0] + big[39999]);
}
