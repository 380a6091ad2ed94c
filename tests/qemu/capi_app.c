/* Mode 3 of the QEMU firmware: a module that lives on, through the C API
 * as an ESP-IDF firmware would use it (espb_init, espb_load, espb_start,
 * espb_status, espb_last_trap, espb_unload). The entry runs on the caller,
 * the firmware's `main` task; the firmware's watcher task (src/apps.rs)
 * polls the status and unloads the module through the functions below,
 * and prints the same lines as for the Rust API. */
#include <stddef.h>
#include <stdint.h>
/* natives.c: printf (freestanding: no stdio.h here). */
int printf(const char *fmt, ...);
#include "espb_runtime.h"

/* From the firmware (src/main.rs, src/apps.rs). */
const espb_symtab_t *qemu_idf_symtab(void);
void qemu_app_loaded(void);
uint32_t qemu_thunks_in_use(void);
uint32_t qemu_thunks_size(void);

/* The module's handle; NULL before the load and after the unload. */
static espb_app_t *app;

/* The tick rate and the task for callbacks called in interrupt context;
 * returns espb_init's code. */
int capi_app_init(uint32_t defer_priority, uint32_t defer_stack) {
    return (int) espb_init(100, defer_priority, defer_stack);
}

/* Loads the module and runs app_main; returns 0 once app_main came back
 * (returned, or ended by an unload or a trap), 1 if the load failed. */
int capi_app_run(const uint8_t *module, uint32_t len) {
    /* Valid until espb_unload, as espb_load asks. */
    static const espb_symtab_t *tables[1];
    char detail[256];
    tables[0] = qemu_idf_symtab();
    espb_error_t e = espb_load(module, len, tables, 1, NULL, 0, &app);
    if (e != ESPB_OK) {
        espb_last_detail(detail, sizeof detail);
        printf("load refused: %s\n", detail);
        return 1;
    }
    printf("loaded: %u of %u thunks in use\n", (unsigned) qemu_thunks_in_use(), (unsigned) qemu_thunks_size());
    qemu_app_loaded();
    e = espb_start(app, "app_main");
    if (e == ESPB_OK) {
        printf("app_main returned %d\n", (int) espb_last_return());
    } else {
        espb_last_detail(detail, sizeof detail);
        printf("app_main ended: %s\n", detail);
    }
    return 0;
}

unsigned capi_app_status(void) { return (unsigned) espb_status(app); }

size_t capi_app_last_trap(char *buf, size_t len) { return espb_last_trap(app, buf, len); }

/* From the watcher, possibly while app_main still runs on `main`. */
void capi_app_unload(void) {
    espb_app_t *a = app;
    app = NULL;
    espb_unload(a);
}
