// run: --for 5s
// Priorities, task notifications and event groups: a task created with a
// higher priority than its creator runs before the creator's next line (as
// FreeRTOS preempts); notifications count; an event group wakes a task
// waiting for all of its bits, handing it the bits, and clears them.
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/event_groups.h"
#include "esp_timer.h"

static EventGroupHandle_t group;
static TaskHandle_t counter;

static long long ms(void) { return (long long) (esp_timer_get_time() / 1000); }

static void high(void *arg)
{
    printf("high priority task runs first\n");
    vTaskDelete(NULL);
}

static void count_notifications(void *arg)
{
    for (int i = 0; i < 2; i++) {
        uint32_t n = ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
        printf("notified %u time(s) by %lld ms\n", (unsigned) n, ms());
    }
    uint32_t v = 0;
    BaseType_t got = xTaskNotifyWait(0, 0xffffffff, &v, pdMS_TO_TICKS(100));
    printf("notify wait: %s, value 0x%x at %lld ms\n", got ? "got" : "timed out", (unsigned) v, ms());
    got = xTaskNotifyWait(0, 0xffffffff, &v, portMAX_DELAY);
    printf("notify wait: %s, value 0x%x at %lld ms\n", got ? "got" : "timed out", (unsigned) v, ms());
    vTaskDelete(NULL);
}

static void setter(void *arg)
{
    int bit = (int) arg;
    vTaskDelay(pdMS_TO_TICKS(100 * bit));
    EventBits_t after = xEventGroupSetBits(group, 1 << bit);
    printf("set bit %d at %lld ms, bits now 0x%x\n", bit, ms(), (unsigned) after);
    vTaskDelete(NULL);
}

static void waiter(void *arg)
{
    EventBits_t b = xEventGroupWaitBits(group, 0x6, pdTRUE, pdTRUE, portMAX_DELAY);
    printf("waiter got 0x%x at %lld ms, left 0x%x\n", (unsigned) b, ms(), (unsigned) xEventGroupGetBits(group));
    b = xEventGroupWaitBits(group, 0x8, pdFALSE, pdTRUE, pdMS_TO_TICKS(50));
    printf("waiter timed out with 0x%x at %lld ms\n", (unsigned) b, ms());
    vTaskDelete(NULL);
}

void app_main(void)
{
    xTaskCreate(high, "high", 4096, NULL, 5, NULL);
    printf("after creating it\n");

    group = xEventGroupCreate();
    xTaskCreate(waiter, "waiter", 4096, NULL, 3, NULL);
    xTaskCreate(setter, "set1", 4096, (void *) 1, 2, NULL);
    xTaskCreate(setter, "set2", 4096, (void *) 2, 2, NULL);
    xEventGroupSetBits(group, 1 << 0);

    xTaskCreate(count_notifications, "counter", 4096, NULL, 4, &counter);
    xTaskNotifyGive(counter);
    xTaskNotifyGive(counter);
    vTaskDelay(pdMS_TO_TICKS(10));
    xTaskNotifyGive(counter);
    vTaskDelay(pdMS_TO_TICKS(500));
    xTaskNotify(counter, 0xa5, eSetValueWithOverwrite);
    printf("app_main done at %lld ms\n", ms());
}
