/* freertos/semphr.h (portable espb SDK): semaphores and mutexes (queue based). */
#ifndef SEMAPHORE_H
#define SEMAPHORE_H

#ifndef INC_FREERTOS_H
#error "include FreeRTOS.h must appear in source files before include semphr.h"
#endif

#include "freertos/queue.h"

ESPB_EXTERN_C_BEGIN

typedef QueueHandle_t SemaphoreHandle_t;

#define semBINARY_SEMAPHORE_QUEUE_LENGTH    ((uint8_t) 1U)
#define semSEMAPHORE_QUEUE_ITEM_LENGTH      ((uint8_t) 0U)
#define semGIVE_BLOCK_TIME                  ((TickType_t) 0U)

#define vSemaphoreCreateBinary(xSemaphore)                                              \
    {                                                                                   \
        (xSemaphore) = xQueueGenericCreate((UBaseType_t) 1, semSEMAPHORE_QUEUE_ITEM_LENGTH, \
                                           queueQUEUE_TYPE_BINARY_SEMAPHORE);           \
        if ((xSemaphore) != NULL) {                                                     \
            (void) xSemaphoreGive((xSemaphore));                                        \
        }                                                                               \
    }

#define xSemaphoreCreateBinary() \
    xQueueGenericCreate((UBaseType_t) 1, semSEMAPHORE_QUEUE_ITEM_LENGTH, queueQUEUE_TYPE_BINARY_SEMAPHORE)
#define xSemaphoreTake(xSemaphore, xBlockTime) \
    xQueueSemaphoreTake((xSemaphore), (xBlockTime))
#define xSemaphoreTakeRecursive(xMutex, xBlockTime) \
    xQueueTakeMutexRecursive((xMutex), (xBlockTime))
#define xSemaphoreGive(xSemaphore) \
    xQueueGenericSend((QueueHandle_t) (xSemaphore), NULL, semGIVE_BLOCK_TIME, queueSEND_TO_BACK)
#define xSemaphoreGiveRecursive(xMutex) \
    xQueueGiveMutexRecursive((xMutex))
#define xSemaphoreGiveFromISR(xSemaphore, pxHigherPriorityTaskWoken) \
    xQueueGiveFromISR((QueueHandle_t) (xSemaphore), (pxHigherPriorityTaskWoken))
#define xSemaphoreTakeFromISR(xSemaphore, pxHigherPriorityTaskWoken) \
    xQueueReceiveFromISR((QueueHandle_t) (xSemaphore), NULL, (pxHigherPriorityTaskWoken))
#define xSemaphoreCreateMutex() \
    xQueueCreateMutex(queueQUEUE_TYPE_MUTEX)
#define xSemaphoreCreateRecursiveMutex() \
    xQueueCreateMutex(queueQUEUE_TYPE_RECURSIVE_MUTEX)
#define xSemaphoreCreateCounting(uxMaxCount, uxInitialCount) \
    xQueueCreateCountingSemaphore((uxMaxCount), (uxInitialCount))
#define vSemaphoreDelete(xSemaphore) \
    vQueueDelete((QueueHandle_t) (xSemaphore))
#define xSemaphoreGetMutexHolder(xSemaphore) \
    xQueueGetMutexHolder((xSemaphore))
#define uxSemaphoreGetCount(xSemaphore) \
    uxQueueMessagesWaiting((QueueHandle_t) (xSemaphore))

ESPB_EXTERN_C_END

#endif /* SEMAPHORE_H */
