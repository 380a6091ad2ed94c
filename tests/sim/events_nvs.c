// run: --nvs nvs.txt --seed 7
// The default event loop (handlers for any id and for one id, data copied
// at post), NVS backed by a file (a boot counter that survives the run:
// the second run counts 2), and esp_random, the same every run for a seed.
#include <stdio.h>
#include <string.h>
#include "esp_event.h"
#include "esp_random.h"
#include "nvs_flash.h"
#include "nvs.h"
#include "esp_err.h"

ESP_EVENT_DEFINE_BASE(APP_EVENT);

static void any_id(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    printf("%s: %s event %d, data %d\n", (const char *) arg, base, (int) id, data ? *(int *) data : -1);
}

static void one_id(void *arg, esp_event_base_t base, int32_t id, void *data)
{
    printf("%s: event 2 only\n", (const char *) arg);
}

void app_main(void)
{
    ESP_ERROR_CHECK(nvs_flash_init());
    nvs_handle_t h;
    ESP_ERROR_CHECK(nvs_open("app", NVS_READWRITE, &h));
    uint32_t boots = 0;
    esp_err_t err = nvs_get_u32(h, "boots", &boots);
    printf("boots read: %s\n", err == ESP_OK ? "ok" : esp_err_to_name(err));
    boots++;
    nvs_set_u32(h, "boots", boots);
    nvs_set_str(h, "name", "blinky");
    char name[16];
    size_t len = sizeof name;
    nvs_get_str(h, "name", name, &len);
    ESP_ERROR_CHECK(nvs_commit(h));
    nvs_close(h);
    printf("boot %u, name %s (%u bytes)\n", (unsigned) boots, name, (unsigned) len);

    printf("random %u %u\n", (unsigned) (esp_random() % 1000), (unsigned) (esp_random() % 1000));

    ESP_ERROR_CHECK(esp_event_loop_create_default());
    esp_event_handler_instance_t inst;
    ESP_ERROR_CHECK(esp_event_handler_instance_register(APP_EVENT, ESP_EVENT_ANY_ID, any_id, "any", &inst));
    ESP_ERROR_CHECK(esp_event_handler_register(APP_EVENT, 2, one_id, "two"));
    for (int i = 1; i <= 2; i++) {
        int payload = 10 * i;
        esp_event_post(APP_EVENT, i, &payload, sizeof payload, portMAX_DELAY);
        payload = -5;
    }
    ESP_ERROR_CHECK(esp_event_handler_instance_unregister(APP_EVENT, ESP_EVENT_ANY_ID, inst));
    ESP_ERROR_CHECK(esp_event_handler_unregister(APP_EVENT, 2, one_id));
    esp_event_post(APP_EVENT, 3, NULL, 0, portMAX_DELAY);
    printf("app_main returns\n");
}
