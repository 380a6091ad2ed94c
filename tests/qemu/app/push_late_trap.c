/* Live push: a module that traps 100 ms after its start, within its trial,
 * in a task of its own: rolled back too. */
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

volatile int zero;

static void later(void *arg) {
    vTaskDelay(pdMS_TO_TICKS(100));
    printf("late trap module divides by zero\n");
    printf("%d\n", 100 / zero);
    vTaskDelete(NULL);
}

void app_main(void) {
    printf("late trap module started\n");
    xTaskCreate(later, "later", 3072, NULL, 3, NULL);
}
