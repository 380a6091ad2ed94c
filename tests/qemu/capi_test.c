/* The C side of the QEMU test: runs the module again, this time through the
 * C API (espb-capi, espb_runtime.h) with the C symbol table espb-sys
 * generates for ESP-IDF (espb_symtab_custom.c, compiled by build.rs), as an
 * ESP-IDF firmware would. Then shows two refusals with their detail text.
 * Output goes through the Rust UART helpers (qemu_put_*). */
#include <stddef.h>
#include <stdint.h>
#include "espb_runtime.h"
#include "espb_symtab_custom.h"

void qemu_put_str(const char *s);
void qemu_put_i64(long long v);

static void report(const char *what, espb_error_t err) {
    char detail[256];
    espb_error_t last = espb_last_detail(detail, sizeof detail);
    qemu_put_str("capi: ");
    qemu_put_str(what);
    qemu_put_str(": ");
    qemu_put_i64(err);
    qemu_put_str(" (");
    qemu_put_str(espb_error_str(err));
    qemu_put_str(")");
    if (last != err) qemu_put_str(" [espb_last_detail disagrees]");
    qemu_put_str("\ncapi:   detail: ");
    qemu_put_str(detail);
    qemu_put_str("\n");
}

/* Returns 0 when every outcome is the expected one. */
int capi_test(const uint8_t *module, unsigned len) {
    int bad = 0;
    const espb_symtab_t *tables[] = { &espb_symtab_custom };
    qemu_put_str("capi: table `");
    qemu_put_str(tables[0]->name);
    qemu_put_str("`, ");
    qemu_put_i64(tables[0]->count);
    qemu_put_str(" slots\n");

    /* No firmware region, as in the Rust run: the tables size what the
     * module reaches. */
    espb_error_t err = espb_run_with(module, len, tables, 1, "main", NULL, 0);
    report("espb_run_with main", err);
    qemu_put_str("capi: main returned ");
    qemu_put_i64(espb_last_return());
    qemu_put_str("\n");
    bad |= err != ESPB_OK || espb_last_return() != 7;

    /* The same table with other slot hashes: a firmware whose manifest was
     * renumbered. The module must be refused before anything runs. */
    static uint32_t other_hashes[ESPB_SYMTAB_CUSTOM_COUNT];
    for (unsigned i = 0; i < ESPB_SYMTAB_CUSTOM_COUNT; i++) other_hashes[i] = 0x12345678u + i;
    espb_symtab_t other = espb_symtab_custom;
    other.prefix_hashes = other_hashes;
    other.hash = other_hashes[ESPB_SYMTAB_CUSTOM_COUNT - 1];
    const espb_symtab_t *other_tables[] = { &other };
    err = espb_run(module, len, other_tables, 1, "main");
    report("renumbered table", err);
    bad |= err != ESPB_ERR_TABLE;

    err = espb_run(module, len, tables, 1, "no_such_function");
    report("missing entry", err);
    bad |= err != ESPB_ERR_NO_ENTRY;
    return bad;
}
