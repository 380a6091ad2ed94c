/* Callbacks stored in structs: a static esp_timer_create_args_t (its
 * .callback is a function relocation in module data) and one built on the
 * stack at run time (func.addr), plus a table of handlers called indirectly by the
 * module itself. Both esp_timers are armed when the firmware unloads the
 * module; neither fires afterwards. */
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "esp_timer.h"

static int fast_count, slow_count;
static int64_t t0;

static void on_fast(void *arg) {
    int *n = arg;
    ++*n;
    printf("fast #%d in %s at %lld ms\n", *n, pcTaskGetName(NULL), (esp_timer_get_time() - t0) / 1000);
}

static void on_slow(void *arg) {
    printf("slow #%d (%s)\n", ++slow_count, (const char *) arg);
}

static const esp_timer_create_args_t fast_args = {
    .callback = on_fast,
    .arg = &fast_count,
    .name = "fast",
};

static int twice(int x) { return 2 * x; }
static int square(int x) { return x * x; }
static int (*const handlers[])(int) = {twice, square};
/* Not known at build time: the calls go through the table, and the stack
 * struct gets its callback at run time (func.addr). */
static volatile int pick = 1;

void app_main(void) {
    t0 = esp_timer_get_time();
    printf("handlers: %d %d\n", handlers[pick - 1](7), handlers[pick](7));
    esp_timer_handle_t fast, slow;
    esp_timer_create_args_t slow_args = {.arg = "from a stack struct", .name = "slow"};
    slow_args.callback = pick ? on_slow : on_fast;
    printf("create: %d %d\n", (int) esp_timer_create(&fast_args, &fast), (int) esp_timer_create(&slow_args, &slow));
    printf("start: %d %d\n", (int) esp_timer_start_periodic(fast, 300 * 1000),
           (int) esp_timer_start_periodic(slow, 700 * 1000));
}
