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

/* ---- stdio for modules (the `idf` table's printf, puts, putchar) ----
 * A small printf: flags - 0 + space, width and precision (also *), the
 * lengths hh h l ll z, and d i u x X o c s p f %. Floats are formatted in
 * Rust (qemu_fmt_f64). Returns the number of characters written. */
int qemu_fmt_f64(char *buf, int cap, double v, int precision);

typedef struct {
    int count;
} out_t;

static void out_char(out_t *o, char c) {
    qemu_put_char(c);
    o->count++;
}

static void out_padded(out_t *o, const char *s, int len, int width, int left, char pad) {
    /* A sign stays in front of zero padding. */
    if (pad == '0' && len > 0 && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) {
        out_char(o, s[0]);
        s++;
        len--;
        width--;
    }
    if (!left)
        for (int i = len; i < width; i++) out_char(o, pad);
    for (int i = 0; i < len; i++) out_char(o, s[i]);
    if (left)
        for (int i = len; i < width; i++) out_char(o, ' ');
}

static int format_unsigned(char *end, unsigned long long v, unsigned base, int upper) {
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    int n = 0;
    do {
        *--end = digits[v % base];
        v /= base;
        n++;
    } while (v);
    return n;
}

int vprintf(const char *fmt, va_list ap) {
    out_t o = {0};
    for (const char *p = fmt; *p; p++) {
        if (*p != '%') {
            out_char(&o, *p);
            continue;
        }
        int left = 0, plus = 0, space = 0, width = 0, precision = -1, length = 0;
        char pad = ' ';
        for (;; p++) {
            if (p[1] == '-') left = 1;
            else if (p[1] == '0') pad = '0';
            else if (p[1] == '+') plus = 1;
            else if (p[1] == ' ') space = 1;
            else break;
        }
        p++;
        if (*p == '*') {
            width = va_arg(ap, int);
            p++;
        } else
            while (*p >= '0' && *p <= '9') width = width * 10 + (*p++ - '0');
        if (*p == '.') {
            p++;
            precision = 0;
            if (*p == '*') {
                precision = va_arg(ap, int);
                p++;
            } else
                while (*p >= '0' && *p <= '9') precision = precision * 10 + (*p++ - '0');
        }
        while (*p == 'h') p++;
        if (*p == 'l') {
            length = 1;
            p++;
            if (*p == 'l') {
                length = 2;
                p++;
            }
        } else if (*p == 'z') {
            p++;
        }
        if (left) pad = ' ';
        char buf[64];
        char *end = buf + sizeof buf;
        switch (*p) {
        case 'd':
        case 'i': {
            long long v = length == 2 ? va_arg(ap, long long) : length == 1 ? va_arg(ap, long) : va_arg(ap, int);
            unsigned long long u = v < 0 ? 0ULL - (unsigned long long) v : (unsigned long long) v;
            int n = format_unsigned(end, u, 10, 0);
            char *s = end - n;
            if (v < 0 || plus || space) {
                *--s = v < 0 ? '-' : plus ? '+' : ' ';
                n++;
            }
            out_padded(&o, s, n, width, left, pad);
            break;
        }
        case 'u':
        case 'x':
        case 'X':
        case 'o':
        case 'p': {
            unsigned long long v;
            if (*p == 'p') v = (unsigned long) va_arg(ap, void *);
            else if (length == 2) v = va_arg(ap, unsigned long long);
            else if (length == 1) v = va_arg(ap, unsigned long);
            else v = va_arg(ap, unsigned);
            unsigned base = *p == 'u' ? 10 : *p == 'o' ? 8 : 16;
            int n = format_unsigned(end, v, base, *p == 'X');
            char *s = end - n;
            if (*p == 'p') {
                *--s = 'x';
                *--s = '0';
                n += 2;
            }
            out_padded(&o, s, n, width, left, pad);
            break;
        }
        case 'c': {
            char c = (char) va_arg(ap, int);
            out_padded(&o, &c, 1, width, left, ' ');
            break;
        }
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) s = "(null)";
            int n = 0;
            while (s[n] && (precision < 0 || n < precision)) n++;
            out_padded(&o, s, n, width, left, ' ');
            break;
        }
        case 'f':
        case 'F': {
            double v = va_arg(ap, double);
            int n = qemu_fmt_f64(buf, (int) sizeof buf - 1, v, precision < 0 ? 6 : precision); /* room for a sign */
            if (n > 0 && buf[0] != '-' && (plus || space)) {
                for (int i = n; i > 0; i--) buf[i] = buf[i - 1];
                buf[0] = plus ? '+' : ' ';
                n++;
            }
            out_padded(&o, buf, n, width, left, pad);
            break;
        }
        case '%':
            out_char(&o, '%');
            break;
        case 0:
            return o.count;
        default:
            out_char(&o, '%');
            out_char(&o, *p);
        }
    }
    return o.count;
}

int printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char *s) {
    int n = 0;
    for (; s[n]; n++) qemu_put_char(s[n]);
    qemu_put_char('\n');
    return n + 1;
}

int putchar(int c) {
    qemu_put_char(c);
    return c;
}

/* newlib's reentrancy as modules see it (stdout is __getreent()->_stdout,
 * errno is *__errno()): struct _reent starts with _errno, _stdin, _stdout,
 * _stderr in every newlib layout, which is what the `idf` table grants
 * (`__getreent` mem:16, `__errno` mem:4:rw). What follows is firmware
 * memory a module must not reach. One for all tasks here. */
struct qemu_file { int fd; };
static struct qemu_file qemu_files[3] = {{0}, {1}, {2}};
static struct {
    int errno_;
    struct qemu_file *in, *out, *err;
    char beyond[16];
} qemu_reent = {0, &qemu_files[0], &qemu_files[1], &qemu_files[2], "firmware only"};

void *__getreent(void) { return &qemu_reent; }
/* What stdout means in newlib builds without __DYNAMIC_REENT__ (the
 * portable headers' riscv32 newlib): _impure_ptr->_stdout. */
void *_impure_ptr = &qemu_reent;
int *__errno(void) { return &qemu_reent.errno_; }

int fprintf(struct qemu_file *f, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (f == &qemu_files[2]) printf("[stderr] ");
    int n = f == &qemu_files[1] || f == &qemu_files[2] ? vprintf(fmt, ap) : -1;
    va_end(ap);
    return n;
}

/* Decimal only; out of range: LONG_MAX/LONG_MIN and errno ERANGE (34). */
long strtol(const char *s, char **end, int base) {
    (void) base;
    int neg = *s == '-';
    if (neg || *s == '+') s++;
    long long v = 0;
    int range = 0;
    for (; *s >= '0' && *s <= '9'; s++) {
        v = v * 10 + (*s - '0');
        if (v > 2147483648LL) { range = 1; v = 2147483648LL; }
    }
    if (end) *end = (char *) s;
    if (!neg && v > 2147483647LL) range = 1, v = 2147483647LL;
    if (range) qemu_reent.errno_ = 34;
    return neg ? (long) -v : (long) v;
}

/* newlib's ctype table as <ctype.h>'s macros index it: entry 0 is EOF,
 * entry 1 + c classifies byte c (digits only here: _N is 04). */
const char _ctype_[1 + 256] = { [1 + '0' ... 1 + '9'] = 04 };

/* esp_log (esp_log.h): the ESP_LOGx macros format the whole line. */
void esp_log_writev(int level, const char *tag, const char *fmt, va_list ap) {
    (void) level;
    (void) tag;
    vprintf(fmt, ap);
}

void esp_log_write(int level, const char *tag, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    esp_log_writev(level, tag, fmt, ap);
    va_end(ap);
}

/* ESP_ERROR_CHECK's failure: ESP-IDF prints and aborts (src/idf.rs). */
void qemu_abort(const char *why);
void _esp_error_check_failed(int rc, const char *file, int line, const char *function, const char *expression) {
    printf("ESP_ERROR_CHECK failed: esp_err_t 0x%x at %s:%d in %s: %s\n", rc, file, line, function, expression);
    qemu_abort("ESP_ERROR_CHECK");
}

/* long double is binary128 on riscv32 (ilp32 and ilp32f alike): an
 * argument is the address of a copy, the result goes through a hidden
 * pointer in a0, a variadic one is a pointer in its slot (the stack past
 * a7). These only move bits, so they need no soft-float. Echoes each
 * value's sign and exponent and its top 48 fraction bits. */
static void put_ld(long double x) {
    unsigned long long w[2];
    __builtin_memcpy(w, &x, sizeof w);
    qemu_put_i64((long long)(w[1] >> 48));
    qemu_put_char(':');
    qemu_put_i64((long long)(w[1] & 0xFFFFFFFFFFFFull));
}

long double ld_pick(int i, long double a, long double b) {
    qemu_put_str("ld_pick(");
    qemu_put_i64(i);
    qemu_put_str(", ");
    put_ld(a);
    qemu_put_str(", ");
    put_ld(b);
    qemu_put_str(")\n");
    return i ? b : a;
}

long double ld_nth(int n, ...) {
    va_list ap;
    va_start(ap, n);
    long double r = 0;
    qemu_put_str("ld_nth(");
    qemu_put_i64(n);
    qemu_put_char(':');
    for (int i = 0; i <= n; i++) {
        r = va_arg(ap, long double);
        qemu_put_char(' ');
        put_ld(r);
    }
    va_end(ap);
    qemu_put_str(")\n");
    return r;
}
