/* freertos/event_groups.h (portable espb SDK): event groups. */
#ifndef EVENT_GROUPS_H
#define EVENT_GROUPS_H

#ifndef INC_FREERTOS_H
#error "include FreeRTOS.h must appear in source files before include event_groups.h"
#endif

#include "freertos/timers.h"

ESPB_EXTERN_C_BEGIN

struct EventGroupDef_t;
typedef struct EventGroupDef_t *EventGroupHandle_t;
typedef TickType_t EventBits_t;

EventGroupHandle_t xEventGroupCreate(void);
EventBits_t xEventGroupWaitBits(EventGroupHandle_t xEventGroup,
                                const EventBits_t uxBitsToWaitFor,
                                const BaseType_t xClearOnExit,
                                const BaseType_t xWaitForAllBits,
                                TickType_t xTicksToWait);
EventBits_t xEventGroupClearBits(EventGroupHandle_t xEventGroup, const EventBits_t uxBitsToClear);
EventBits_t xEventGroupSetBits(EventGroupHandle_t xEventGroup, const EventBits_t uxBitsToSet);
EventBits_t xEventGroupSync(EventGroupHandle_t xEventGroup,
                            const EventBits_t uxBitsToSet,
                            const EventBits_t uxBitsToWaitFor,
                            TickType_t xTicksToWait);
EventBits_t xEventGroupGetBitsFromISR(EventGroupHandle_t xEventGroup);
void vEventGroupDelete(EventGroupHandle_t xEventGroup);
void vEventGroupSetBitsCallback(void *pvEventGroup, const uint32_t ulBitsToSet);
void vEventGroupClearBitsCallback(void *pvEventGroup, const uint32_t ulBitsToClear);

#define xEventGroupGetBits(xEventGroup) xEventGroupClearBits((xEventGroup), 0)

/* The *FromISR set/clear functions exist only when the firmware enables
 * CONFIG_FREERTOS_USE_TRACE_FACILITY; otherwise ESP-IDF defines them as these
 * deferred calls, which work in both cases. */
#define xEventGroupClearBitsFromISR(xEventGroup, uxBitsToClear) \
    xTimerPendFunctionCallFromISR(vEventGroupClearBitsCallback, (void *) (xEventGroup), (uint32_t) (uxBitsToClear), NULL)
#define xEventGroupSetBitsFromISR(xEventGroup, uxBitsToSet, pxHigherPriorityTaskWoken) \
    xTimerPendFunctionCallFromISR(vEventGroupSetBitsCallback, (void *) (xEventGroup), (uint32_t) (uxBitsToSet), (pxHigherPriorityTaskWoken))

ESPB_EXTERN_C_END

#endif /* EVENT_GROUPS_H */
