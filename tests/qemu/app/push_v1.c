/* Live push (firmware mode 5): the module the partition starts with. A
 * task prints a numbered line every 100 ms. */
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static void tick(void *arg) {
    for (int i = 0;; i++) {
        printf("v1 tick %d\n", i);
        vTaskDelay(pdMS_TO_TICKS(100));
    }
}

void app_main(void) {
    printf("v1 started\n");
    xTaskCreate(tick, "v1", 3072, NULL, 3, NULL);
}
