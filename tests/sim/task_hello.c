// run: --for 3500ms
// The first example: a task printing every second while app_main
// loops in vTaskDelay.
#include <stdio.h>
#include <stdbool.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

void my_task(void *p) { while (1) { printf("Hello from dynamic code!\n"); vTaskDelay(1000 / portTICK_PERIOD_MS); } }
void app_main(void) { xTaskCreate(my_task, "dyn_task", 4048, NULL, 5, NULL); while (true) vTaskDelay(1000 / portTICK_PERIOD_MS); }
