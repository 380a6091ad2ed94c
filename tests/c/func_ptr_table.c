#include <stdio.h>

typedef int (*binop)(int, int);

static int add(int a, int b) { return a + b; }
static int sub(int a, int b) { return a - b; }
static int mul(int a, int b) { return a * b; }
static int divi(int a, int b) { return b ? a / b : 0; }
static int mod(int a, int b) { return b ? a % b : 0; }
static int max(int a, int b) { return a > b ? a : b; }

static const struct { char sym; binop fn; } ops[] = {
    {'+', add}, {'-', sub}, {'*', mul}, {'/', divi}, {'%', mod}, {'M', max},
};

static binop lookup(char c) {
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (ops[i].sym == c) return ops[i].fn;
    return 0;
}

/* evaluates an RPN expression */
static int rpn(const char *s) {
    int stack[16], sp = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') stack[sp++] = *s - '0';
        else if (*s != ' ') {
            binop f = lookup(*s);
            int b = stack[--sp], a = stack[--sp];
            stack[sp++] = f(a, b);
        }
    }
    return stack[0];
}

static void (*handlers[3])(int *);
static void h_inc(int *v) { *v += 1; }
static void h_dbl(int *v) { *v *= 2; }
static void h_neg(int *v) { *v = -*v; }

int main(void) {
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++)
        printf("17 %c 5 = %d\n", ops[i].sym, ops[i].fn(17, 5));
    const char *exprs[] = {"34+", "93-2*", "82/7M", "95%4*1+", "12+34+*"};
    int total = 0;
    for (int i = 0; i < 5; i++) {
        int r = rpn(exprs[i]);
        printf("rpn(%s) = %d\n", exprs[i], r);
        total += r;
    }
    handlers[0] = h_inc;
    handlers[1] = h_dbl;
    handlers[2] = h_neg;
    int v = 3;
    const char *prog = "0101210";
    for (const char *c = prog; *c; c++) handlers[*c - '0'](&v);
    printf("v = %d\n", v);
    binop same = lookup('+');
    printf("same pointer: %d, different: %d, null lookup: %d\n", same == add, same == sub, lookup('?') == 0);
    return total; /* 7+12+7+17+21 = 64 */
}
