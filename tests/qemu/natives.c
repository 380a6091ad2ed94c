/* The C natives of the QEMU test firmware: real C variadic functions, so
 * that va_arg (clang's code) reads what the VM's lowering placed, and a
 * float-heavy one. Formatting is done in Rust (qemu_put_*). Compiled by
 * build.rs with clang for the firmware's ABI (ilp32 or ilp32f),
 * freestanding. */
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

static void put_list(const char *sep, const double *v, int n) {
    for (int i = 0; i < n; i++) {
        if (i) qemu_put_str(sep);
        qemu_put_f64(v[i]);
    }
}

/* ilp32f: the ints in a0..a6, f1..f8 in fa0..fa7, f9 in a7, f10 at sp+0,
 * d at sp+8 (aligned), f11 at sp+16. ilp32: everything in a0..a7 and the
 * stack. Echoes what arrived. */
double f32_spill(int a, int b, int c, int d, int e, int f, int g, float f1, float f2, float f3, float f4,
                 float f5, float f6, float f7, float f8, float f9, float f10, double dd, float f11) {
    const double v[] = { a, b, c, d, e, f, g, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, dd, f11 };
    const int n = sizeof v / sizeof v[0];
    qemu_put_str("f32_spill(");
    put_list(", ", v, n);
    qemu_put_str(")\n");
    double sum = 0;
    for (int i = 0; i < n; i++) sum += v[i];
    return sum;
}

/* ilp32f: scale in fa0 (fixed), n in a0, the variadic doubles in aligned
 * a-register pairs (a2:a3, a4:a5, a6:a7), then the stack. */
float vscale(float scale, int n, ...) {
    double v[8];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n && i < 8; i++) v[i] = va_arg(ap, double);
    va_end(ap);
    qemu_put_str("vscale(");
    qemu_put_f64(scale);
    qemu_put_str(", ");
    qemu_put_i64(n);
    qemu_put_str(": ");
    put_list(" ", v, n < 8 ? n : 8);
    qemu_put_str(")\n");
    double sum = 0;
    for (int i = 0; i < n && i < 8; i++) sum += v[i];
    return scale * (float)sum;
}
