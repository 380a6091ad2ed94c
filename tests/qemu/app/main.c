/* Runs inside espb-runtime on qemu-system-riscv32; every call below is a
 * real call of a native in tests/qemu (see app/custom.espbsym), under ilp32
 * or ilp32f depending on the firmware's target; the comments give ilp32.
 * Expected output: cargo-espb/tests/qemu_riscv.rs. */
void print_i32(int v);
void print_str(const char *s);
/* i64 in a1:a2 (unaligned), a4:a5, double in a6:a7. */
long long sum6_i64(int a, long long b, int c, long long d, double e);
/* 7 ints, then an i64 split between a7 and the stack, then an int on the stack. */
long long spill_split(int a, int b, int c, int d, int e, int f, int g, long long h, int i);
/* float arguments and result in integer registers (soft float). */
float mix_f32(float x, int k, double y);
/* variadic: long long / double take aligned pairs, or the stack. */
void vprint(const char *fmt, ...);
/* writes through a module pointer: the module's memory is at its real address. */
int fill_buf(char *out, int n);
/* a string in firmware memory: the module reads and copies it itself. */
const char *fw_greeting(void);
/* 8 ints fill a0..a7; int, long long (8-aligned), double on the stack. */
double stack_i64(int a, int b, int c, int d, int e, int f, int g, int h, int i, long long j, double k);
/* ilp32f: 8 floats in fa0..fa7, the 9th and 10th in a0/a1, then a2, a3:a4, a5. */
float many_f32(float a, float b, float c, float d, float e, float f, float g, float h, float i, float j,
               int k, double m, float n);
/* ilp32f: 7 ints, 8 floats in fa0..fa7, the 9th float in a7, then the stack. */
double f32_spill(int a, int b, int c, int d, int e, int f, int g, float f1, float f2, float f3, float f4,
                 float f5, float f6, float f7, float f8, float f9, float f10, double dd, float f11);
/* ilp32f: a fixed float in fa0, variadic doubles in a-register pairs and the stack. */
float vscale(float scale, int n, ...);
/* long double (binary128): by reference, the result through a hidden pointer in a0. */
long double ld_pick(int i, long double a, long double b);
/* variadic long doubles: a pointer per slot, the 9th and 10th on the stack. */
long double ld_nth(int n, ...);

static char greeting[] = "hello from the module";

int main(void) {
    print_i32(42);
    print_i32(-7);
    print_str(greeting);
    char local[16];
    local[0] = 'o'; local[1] = 'n'; local[2] = ' '; local[3] = 's'; local[4] = 't';
    local[5] = 'a'; local[6] = 'c'; local[7] = 'k'; local[8] = 0;
    print_str(local);

    long long s = sum6_i64(1, 0x100000000LL, 3, -5LL, 2.5);
    vprint("sum6_i64 = %lld\n", s);

    long long sp = spill_split(1, 2, 3, 4, 5, 6, 7, 0x0000000700000008LL, 9);
    vprint("spill_split = %lld\n", sp);

    float f = mix_f32(1.5f, 3, 0.25);
    vprint("mix_f32 = %f\n", (double)f);

    double d = stack_i64(1, 2, 3, 4, 5, 6, 7, 8, 9, 10000000000LL, 0.5);
    vprint("stack_i64 = %f\n", d);

    vprint("mixed: %d %lld %f %s %d\n", 1, -2LL, 3.5, "four", 5);
    vprint("a7 skipped: %d %d %d %d %d %d %lld %d\n", 1, 2, 3, 4, 5, 6, 0x123456789LL, 8);
    vprint("doubles: %f %f %f %f %f\n", 0.5, 1.5, -2.25, 1e10, 3.0);

    float mf = many_f32(0.5f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f, 3.5f, 4.0f, 4.5f, 5.0f, -6, 7.25, 8.75f);
    vprint("many_f32 = %f\n", (double)mf);
    double fs = f32_spill(1, 2, 3, 4, 5, 6, 7, 0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f, 6.5f, 7.5f, 8.5f, 9.5f,
                          -0.125, 10.5f);
    vprint("f32_spill = %f\n", fs);
    float vs = vscale(2.0f, 4, 0.5, 1.25, -4.0, 100.0);
    vprint("vscale = %f\n", (double)vs);

    volatile int one = 1;
    long double third = 1.0L / (2 + one);
    long double p = ld_pick(one, third, third * 3 + 0.5L);
    vprint("ld_pick = %lld\n", (long long)(p * 1000));
    long double q = ld_nth(9, 0.5L, 1.5L, 2.5L, 3.5L, 4.5L, 5.5L, 6.5L, 7.5L, 8.5L, -third * 3);
    vprint("ld_nth = %lld\n", (long long)(q * 1000000));

    char buf[8];
    int n = fill_buf(buf, 7);
    buf[7] = 0;
    vprint("fill_buf wrote %d: %s\n", n, buf);

    const char *g = fw_greeting();
    int len = 0, sum = 0;
    for (; g[len]; len++) sum += g[len] * (len + 1);
    char copy[32];
    __builtin_memcpy(copy, g, (unsigned)len + 1);
    vprint("firmware string: %d chars, checksum %d, copy: %s\n", len, sum, copy);
    return 7;
}
