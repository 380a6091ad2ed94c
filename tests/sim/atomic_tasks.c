// run: --for 10s
// Two tasks of the same priority share counters through C11 atomics while
// time slices switch between them mid-loop: fetch_add, a compare-exchange
// loop, and a spinlock (atomic_flag) around a critical section long enough
// to span several time slices. Every total is exact, the critical section
// never has two tasks in it, and the spinlock was contended (the tasks did
// interleave).
#pragma clang diagnostic ignored "-Watomic-alignment"
#include <stdint.h> // newlib's stdatomic.h needs it first
#include <stdatomic.h>
#include <stdio.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"

#define ROUNDS 6
#define WORK 25000

static atomic_int added;
static atomic_int cas_added;
static atomic_flag spin = ATOMIC_FLAG_INIT;
static atomic_int inside;
static atomic_int max_inside;
static atomic_int spins;
static int guarded;
static SemaphoreHandle_t done;

static void worker(void *arg)
{
    (void)arg;
    for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < WORK; i++) {
            atomic_fetch_add_explicit(&added, 1, memory_order_relaxed);
            int cur = atomic_load(&cas_added);
            while (!atomic_compare_exchange_weak(&cas_added, &cur, cur + 2)) {
            }
        }
        while (atomic_flag_test_and_set_explicit(&spin, memory_order_acquire)) {
            atomic_fetch_add(&spins, 1);
        }
        int now = atomic_fetch_add(&inside, 1) + 1;
        int seen = atomic_load(&max_inside);
        while (now > seen && !atomic_compare_exchange_weak(&max_inside, &seen, now)) {
        }
        int g = guarded;
        for (volatile int k = 0; k < WORK; k++) {
        }
        guarded = g + 1;
        atomic_fetch_sub(&inside, 1);
        atomic_flag_clear_explicit(&spin, memory_order_release);
    }
    xSemaphoreGive(done);
    vTaskDelete(NULL);
}

void app_main(void)
{
    done = xSemaphoreCreateCounting(2, 0);
    xTaskCreate(worker, "a", 4096, NULL, 3, NULL);
    xTaskCreate(worker, "b", 4096, NULL, 3, NULL);
    xSemaphoreTake(done, portMAX_DELAY);
    xSemaphoreTake(done, portMAX_DELAY);
    printf("added %d (want %d)\n", atomic_load(&added), 2 * ROUNDS * WORK);
    printf("cas %d (want %d)\n", atomic_load(&cas_added), 4 * ROUNDS * WORK);
    printf("guarded %d (want %d), at most %d inside\n", guarded, 2 * ROUNDS, atomic_load(&max_inside));
    printf("contended: %s\n", atomic_load(&spins) > 0 ? "yes" : "no");
}
