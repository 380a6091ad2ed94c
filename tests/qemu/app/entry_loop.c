/* An entry that never returns and starts nothing: app_main itself loops
 * in vTaskDelay. The firmware unloads the module from another task while
 * app_main waits; app_main's task then comes out of the module (its
 * espb_start returns "unloaded") instead of running on in freed memory. */
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

void app_main(void) {
    for (int i = 1;; i++) {
        printf("app_main: round %d\n", i);
        vTaskDelay(pdMS_TO_TICKS(500));
    }
}
