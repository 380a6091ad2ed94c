/* The C natives of the QEMU test firmware: a real C variadic function, so
 * that va_arg (clang's ilp32 code) reads what the VM's lowering placed.
 * Formatting is done in Rust (qemu_put_*). Compiled by build.rs with clang
 * for riscv32 ilp32, freestanding. */
#include <stdarg.h>

void qemu_put_str(const char *s);
void qemu_put_char(int c);
void qemu_put_i64(long long v);
void qemu_put_f64(double v);

void vprint(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') { qemu_put_char(*p); continue; }
        p++;
        if (*p == 'd') qemu_put_i64(va_arg(ap, int));
        else if (*p == 'l' && p[1] == 'l' && p[2] == 'd') { p += 2; qemu_put_i64(va_arg(ap, long long)); }
        else if (*p == 'f') qemu_put_f64(va_arg(ap, double));
        else if (*p == 's') qemu_put_str(va_arg(ap, const char *));
        else if (*p == 0) break;
        else qemu_put_char(*p);
    }
    va_end(ap);
}
