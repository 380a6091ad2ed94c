/* What a module may do with firmware memory: write the heap_caps blocks it
 * holds, read a string a native returns (its task's name, in the firmware's
 * heap), but never write that string: the store traps, the firmware goes on
 * and frees the block the module still held.
 * Its own memory sits where its data's alignment asks, like a linker's. */
#include <stdio.h>
#include <string.h>
#include "esp_heap_caps.h"
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"

static void writer(void *arg) {
    char *name = pcTaskGetName(NULL);
    printf("task reads its name: %c%c%c%c%c%c\n", name[0], name[1], name[2], name[3], name[4], name[5]);
    name[0] = 'X';
    printf("not reached\n");
    vTaskDelete(NULL);
}

/* 4096, the largest data alignment a module may ask for: a firmware heap
 * block starts there by chance about once in 512. */
static _Alignas(4096) char aligned[16] = "x";

void app_main(void) {
    printf("a global aligned to 4096 is at a multiple of 4096: %s\n", ((unsigned) aligned % 4096) ? "no" : "yes");
    char *p = heap_caps_malloc(24, MALLOC_CAP_8BIT);
    strcpy(p, "in a heap_caps block");
    printf("%s\n", p);
    p = heap_caps_realloc(p, 64, MALLOC_CAP_8BIT);
    memcpy(p + 20, ", resized", 10);
    printf("%s\n", p);
    heap_caps_free(p);
    /* Still held when the module stops: unload frees it. */
    char *kept = heap_caps_calloc(4, 25, MALLOC_CAP_8BIT);
    kept[99] = 1;
    xTaskCreate(writer, "writer", 3072, NULL, 3, NULL);
}
