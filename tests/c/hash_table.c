#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry { char *key; int value; struct entry *next; };
struct table { struct entry **buckets; unsigned nbuckets; unsigned size; };

static unsigned hash(const char *s) {
    unsigned h = 5381;
    while (*s) h = h * 33 + (unsigned char)*s++;
    return h;
}

static char *dupstr(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    memcpy(d, s, n);
    return d;
}

static void put(struct table *t, const char *key, int value) {
    unsigned b = hash(key) % t->nbuckets;
    for (struct entry *e = t->buckets[b]; e; e = e->next)
        if (strcmp(e->key, key) == 0) { e->value = value; return; }
    struct entry *e = malloc(sizeof *e);
    e->key = dupstr(key);
    e->value = value;
    e->next = t->buckets[b];
    t->buckets[b] = e;
    t->size++;
}

static int get(const struct table *t, const char *key, int *out) {
    for (struct entry *e = t->buckets[hash(key) % t->nbuckets]; e; e = e->next)
        if (strcmp(e->key, key) == 0) { *out = e->value; return 1; }
    return 0;
}

static int del(struct table *t, const char *key) {
    struct entry **pp = &t->buckets[hash(key) % t->nbuckets];
    for (; *pp; pp = &(*pp)->next)
        if (strcmp((*pp)->key, key) == 0) {
            struct entry *e = *pp;
            *pp = e->next;
            free(e->key);
            free(e);
            t->size--;
            return 1;
        }
    return 0;
}

int main(void) {
    struct table t = {calloc(13, sizeof(struct entry *)), 13, 0};
    const char *text = "it was the best of times it was the worst of times it was the age of wisdom "
                       "it was the age of foolishness it was the epoch of belief";
    char word[32];
    int wl = 0;
    for (const char *p = text;; p++) {
        if (*p == ' ' || *p == 0) {
            if (wl) {
                word[wl] = 0;
                int c = 0;
                get(&t, word, &c);
                put(&t, word, c + 1);
                wl = 0;
            }
            if (!*p) break;
        } else word[wl++] = *p;
    }
    printf("distinct words: %u\n", t.size);
    const char *q[] = {"it", "was", "the", "of", "times", "wisdom", "nothing"};
    for (int i = 0; i < 7; i++) {
        int v = -1;
        int found = get(&t, q[i], &v);
        printf("%s: %d%s\n", q[i], v, found ? "" : " (missing)");
    }
    unsigned longest = 0;
    for (unsigned b = 0; b < t.nbuckets; b++) {
        unsigned len = 0;
        for (struct entry *e = t.buckets[b]; e; e = e->next) len++;
        printf("bucket %2u: %u\n", b, len);
        if (len > longest) longest = len;
    }
    int d1 = del(&t, "was");
    int d2 = del(&t, "nope");
    printf("del was=%d del nope=%d size=%u\n", d1, d2, t.size);
    for (unsigned b = 0; b < t.nbuckets; b++)
        while (t.buckets[b]) del(&t, t.buckets[b]->key);
    printf("size after clear = %u\n", t.size);
    free(t.buckets);
    return (int)longest;
}
