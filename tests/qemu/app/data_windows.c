/* What a module reaches of firmware memory when the firmware grants no
 * region: its data imports, as large as the table says (the tick rate is
 * __espb_cfg_FREERTOS_HZ, data:4; <ctype.h>'s table _ctype_, data:257, up
 * to its last entry), and what natives return as their table
 * annotates (errno through __errno, stderr through __getreent, the task's
 * name). The word after the tick rate is firmware memory outside every
 * window: reading it traps, and the firmware goes on. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

void app_main(void) {
    printf("tick rate: %u Hz\n", (unsigned) configTICK_RATE_HZ);
    volatile int digit = '5', last = 255;
    printf("isdigit('5'): %d, isdigit(255): %d\n", isdigit(digit) != 0, isdigit(last) != 0);
    errno = 0;
    long big = strtol("99999999999", NULL, 10);
    printf("strtol: %ld, errno %d\n", big, errno);
    errno = 0;
    fprintf(stderr, "errno is %d again\n", errno);
    fprintf(stdout, "task %s\n", pcTaskGetName(NULL));
    const volatile uint32_t *hz = &__espb_cfg_FREERTOS_HZ;
    printf("the word after the tick rate: %u\n", (unsigned) hz[1]);
    printf("not reached\n");
}
