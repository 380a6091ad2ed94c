// run: --for 10s
// exit: 101
// stderr: trap: integer divide by zero in function `worker` at trap_in_task.c:15 (task worker)
// A trap in a task of the module stops the module: the run reports the
// task, the function and the source line, and exits non-zero.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static volatile int divisor = 3;

static void worker(void *arg)
{
    for (;;) {
        printf("100 / %d = %d\n", divisor, 100 / divisor);
        divisor--;
        vTaskDelay(pdMS_TO_TICKS(100));
    }
}

void app_main(void)
{
    xTaskCreate(worker, "worker", 4096, NULL, 5, NULL);
    for (;;) {
        printf("main alive\n");
        vTaskDelay(pdMS_TO_TICKS(250));
    }
}
