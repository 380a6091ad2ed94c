#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vec { int *data; size_t len, cap; unsigned reallocs; };

static void vec_push(struct vec *v, int x) {
    if (v->len == v->cap) {
        size_t nc = v->cap ? v->cap * 2 : 4;
        int *nd = realloc(v->data, nc * sizeof *nd);
        if (!nd) { printf("realloc failed\n"); exit(3); }
        v->data = nd;
        v->cap = nc;
        v->reallocs++;
    }
    v->data[v->len++] = x;
}

static void vec_shrink(struct vec *v) {
    v->data = realloc(v->data, v->len * sizeof *v->data);
    v->cap = v->len;
}

struct strbuf { char *s; size_t len; };
static void sb_append(struct strbuf *b, const char *t) {
    size_t n = strlen(t);
    b->s = realloc(b->s, b->len + n + 1);
    memcpy(b->s + b->len, t, n + 1);
    b->len += n;
}

int main(void) {
    struct vec v = {0};
    for (int i = 0; i < 1000; i++) vec_push(&v, i * i % 1009);
    long long sum = 0;
    for (size_t i = 0; i < v.len; i++) sum += v.data[i];
    printf("len=%u cap=%u reallocs=%u sum=%lld\n", (unsigned)v.len, (unsigned)v.cap, v.reallocs, sum);
    vec_shrink(&v);
    printf("after shrink cap=%u, data[999]=%d, data[500]=%d\n", (unsigned)v.cap, v.data[999], v.data[500]);
    free(v.data);

    struct strbuf b = {0};
    for (int i = 0; i < 20; i++) {
        char num[8];
        sprintf(num, "%d,", i);
        sb_append(&b, num);
    }
    printf("strbuf: %s (len %u)\n", b.s, (unsigned)b.len);
    free(b.s);

    /* realloc(NULL, n) acts like malloc; shrinking keeps the prefix */
    char *p = realloc(NULL, 10);
    memcpy(p, "abcdefghi", 10);
    p = realloc(p, 4);
    p[3] = 0;
    printf("shrunk: %s\n", p);
    p = realloc(p, 20000);
    if (!p) { printf("realloc(20000) failed\n"); return 2; }
    printf("grown keeps prefix: %s\n", p);
    free(p);
    return (int)(sum % 256);
}
