/* The task example of the issue, as a new user writes it: app_main starts
 * a task that prints every second and loops in vTaskDelay itself, so the
 * firmware runs it for a bounded time and unloads it. */
#include <stdio.h>
#include <stdbool.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

void my_task(void *p) {
    while (1) {
        printf("Hello from dynamic code!\n");
        vTaskDelay(1000 / portTICK_PERIOD_MS);
    }
}

void app_main(void) {
    xTaskCreate(my_task, "dyn_task", 4048, NULL, 5, NULL);
    while (true) vTaskDelay(1000 / portTICK_PERIOD_MS);
}
