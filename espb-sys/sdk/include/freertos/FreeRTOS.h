/*
 * freertos/FreeRTOS.h (portable espb SDK).
 *
 * Base types, kernel configuration and helper macros of ESP-IDF's FreeRTOS
 * (IDF FreeRTOS V10.5.1, the default kernel of ESP-IDF v5.x, not the
 * optional Amazon SMP kernel). Configuration that comes from sdkconfig is
 * read at load time (ESPB_CFG), never baked in.
 */
#ifndef INC_FREERTOS_H
#define INC_FREERTOS_H

#include <stddef.h>
#include <stdint.h>
#include <assert.h>
#include "sdkconfig.h"
#include "espb_sdk_common.h"

ESPB_EXTERN_C_BEGIN

/* ---- port types (identical on the Xtensa and RISC-V ports) ---- */
#if defined(__XTENSA__)
#define portCHAR        int8_t
#else
#define portCHAR        uint8_t
#endif
#define portFLOAT       float
#define portDOUBLE      double
#define portLONG        int32_t
#define portSHORT       int16_t
#define portSTACK_TYPE  uint8_t
#define portBASE_TYPE   int

typedef portSTACK_TYPE          StackType_t;
typedef portBASE_TYPE           BaseType_t;
typedef unsigned portBASE_TYPE  UBaseType_t;
typedef uint32_t                TickType_t;

#define portMAX_DELAY           ((TickType_t) 0xffffffffUL)
#define portSTACK_GROWTH        (-1)
#define portBYTE_ALIGNMENT      16
#define portTICK_TYPE_IS_ATOMIC 1

/* ---- kernel configuration ---- */
/* Constant in every ESP-IDF v5.x build (FreeRTOSConfig.h). */
#define configUSE_PREEMPTION                1
#define configMAX_PRIORITIES                (25)
#define configUSE_16_BIT_TICKS              0
#define configSTACK_DEPTH_TYPE              uint32_t
#define configSUPPORT_DYNAMIC_ALLOCATION    1
#define configUSE_MUTEXES                   1
#define configUSE_RECURSIVE_MUTEXES         1
#define configUSE_COUNTING_SEMAPHORES       1
#define configUSE_TASK_NOTIFICATIONS        1
#define configUSE_TIMERS                    1
#define configUSE_QUEUE_SETS                1
/* Static allocation needs StaticTask_t & co., whose sizes depend on
 * sdkconfig: not offered by the portable headers. */
#define configSUPPORT_STATIC_ALLOCATION     0

/* From the firmware's sdkconfig, at load time. */
#define configTICK_RATE_HZ          ((TickType_t) ESPB_CFG(FREERTOS_HZ))
#define configNUMBER_OF_CORES       ((BaseType_t) ESPB_CFG(FREERTOS_NUMBER_OF_CORES))
#define configNUM_CORES             configNUMBER_OF_CORES
#define portNUM_PROCESSORS          configNUMBER_OF_CORES
#define configMAX_TASK_NAME_LEN     ((size_t) ESPB_CFG(FREERTOS_MAX_TASK_NAME_LEN))

#define configASSERT(a)             assert(a)

#define portTICK_PERIOD_MS          ((TickType_t) (1000 / configTICK_RATE_HZ))
#define portTICK_RATE_MS            portTICK_PERIOD_MS

/* ---- projdefs ---- */
typedef void (*TaskFunction_t)(void *);

#ifndef pdMS_TO_TICKS
#define pdMS_TO_TICKS(xTimeInMs) \
    ((TickType_t) (((TickType_t) (xTimeInMs) * (TickType_t) configTICK_RATE_HZ) / (TickType_t) 1000U))
#endif
#ifndef pdTICKS_TO_MS
#define pdTICKS_TO_MS(xTicks) \
    ((TickType_t) ((uint64_t) (xTicks) * 1000 / configTICK_RATE_HZ))
#endif

#define pdFALSE     ((BaseType_t) 0)
#define pdTRUE      ((BaseType_t) 1)
#define pdPASS      (pdTRUE)
#define pdFAIL      (pdFALSE)

#define errQUEUE_EMPTY                          ((BaseType_t) 0)
#define errQUEUE_FULL                           ((BaseType_t) 0)
#define errCOULD_NOT_ALLOCATE_REQUIRED_MEMORY   (-1)
#define errQUEUE_BLOCKED                        (-4)
#define errQUEUE_YIELD                          (-5)

/* ---- objects whose layout depends on sdkconfig ---- */
typedef struct espb_unavailable_static_task StaticTask_t
    ESPB_UNAVAILABLE("StaticTask_t is " ESPB_NEEDS_FIRMWARE_BUILD "; use xTaskCreate");
typedef struct espb_unavailable_static_queue StaticQueue_t
    ESPB_UNAVAILABLE("StaticQueue_t is " ESPB_NEEDS_FIRMWARE_BUILD "; use xQueueCreate");
typedef struct espb_unavailable_static_queue StaticSemaphore_t
    ESPB_UNAVAILABLE("StaticSemaphore_t is " ESPB_NEEDS_FIRMWARE_BUILD "; use xSemaphoreCreate*");
typedef struct espb_unavailable_static_timer StaticTimer_t
    ESPB_UNAVAILABLE("StaticTimer_t is " ESPB_NEEDS_FIRMWARE_BUILD "; use xTimerCreate");
typedef struct espb_unavailable_static_event_group StaticEventGroup_t
    ESPB_UNAVAILABLE("StaticEventGroup_t is " ESPB_NEEDS_FIRMWARE_BUILD "; use xEventGroupCreate");

ESPB_EXTERN_C_END

#endif /* INC_FREERTOS_H */
