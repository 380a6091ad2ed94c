#include <stdio.h>
#include <string.h>

/* Own tokenizer: splits on any char of delims, returns count. */
static int split(const char *s, const char *delims, char out[][16], int max) {
    int n = 0;
    while (*s) {
        while (*s && strchr(delims, *s)) s++;
        if (!*s) break;
        int len = 0;
        while (s[len] && !strchr(delims, s[len])) len++;
        if (n < max) {
            int l = len < 15 ? len : 15;
            memcpy(out[n], s, (size_t)l);
            out[n][l] = 0;
            n++;
        }
        s += len;
    }
    return n;
}

/* Tiny expression tokenizer: numbers, identifiers, operators. */
enum kind { NUM, IDENT, OP, END };

static const char *next_token(const char *p, enum kind *k, int *val, char *text) {
    while (*p == ' ') p++;
    if (!*p) { *k = END; return p; }
    if (*p >= '0' && *p <= '9') {
        *val = 0;
        while (*p >= '0' && *p <= '9') *val = *val * 10 + (*p++ - '0');
        *k = NUM;
        return p;
    }
    if ((*p >= 'a' && *p <= 'z') || *p == '_') {
        int i = 0;
        while ((*p >= 'a' && *p <= 'z') || *p == '_' || (*p >= '0' && *p <= '9')) text[i++] = *p++;
        text[i] = 0;
        *k = IDENT;
        return p;
    }
    text[0] = *p;
    text[1] = 0;
    *k = OP;
    return p + 1;
}

int main(void) {
    char toks[10][16];
    int n = split("  alpha,beta;;gamma  delta,,epsilon_is_very_long_word ", " ,;", toks, 10);
    for (int i = 0; i < n; i++) printf("tok[%d] = '%s'\n", i, toks[i]);

    char line[] = "key1=value1&key2=value2&&key3=";
    int pairs = 0;
    for (char *t = strtok(line, "&"); t; t = strtok(NULL, "&")) {
        char *eq = strchr(t, '=');
        if (eq) {
            *eq = 0;
            printf("pair %d: %s -> '%s'\n", pairs, t, eq + 1);
        }
        pairs++;
    }

    const char *expr = "x1 = 12 + foo_bar*(345 - y)";
    const char *p = expr;
    enum kind k;
    int v = 0, count = 0;
    char text[32];
    do {
        p = next_token(p, &k, &v, text);
        if (k == NUM) printf("NUM %d\n", v);
        else if (k == IDENT) printf("IDENT %s\n", text);
        else if (k == OP) printf("OP %s\n", text);
        count++;
    } while (k != END);
    printf("tokens: %d, words: %d, pairs: %d\n", count, n, pairs);
    return n * 10 + pairs; /* 53 */
}
