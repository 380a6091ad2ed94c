#include <stdio.h>
#include <stdlib.h>

struct tree { int key; int count; struct tree *left, *right; };

static struct tree *insert(struct tree *t, int key) {
    if (!t) {
        t = calloc(1, sizeof *t);
        t->key = key;
        t->count = 1;
        return t;
    }
    if (key < t->key) t->left = insert(t->left, key);
    else if (key > t->key) t->right = insert(t->right, key);
    else t->count++;
    return t;
}

static void inorder(const struct tree *t, int *out, int *n) {
    if (!t) return;
    inorder(t->left, out, n);
    out[(*n)++] = t->key;
    inorder(t->right, out, n);
}

static int height(const struct tree *t) {
    if (!t) return 0;
    int l = height(t->left), r = height(t->right);
    return 1 + (l > r ? l : r);
}

static const struct tree *find(const struct tree *t, int key) {
    while (t && t->key != key) t = key < t->key ? t->left : t->right;
    return t;
}

static struct tree *remove_min(struct tree *t, struct tree **min) {
    if (!t->left) { *min = t; return t->right; }
    t->left = remove_min(t->left, min);
    return t;
}

static struct tree *delete(struct tree *t, int key) {
    if (!t) return NULL;
    if (key < t->key) t->left = delete(t->left, key);
    else if (key > t->key) t->right = delete(t->right, key);
    else {
        struct tree *l = t->left, *r = t->right;
        free(t);
        if (!l) return r;
        if (!r) return l;
        struct tree *m;
        r = remove_min(r, &m);
        m->left = l;
        m->right = r;
        return m;
    }
    return t;
}

static int free_tree(struct tree *t) {
    if (!t) return 0;
    int n = 1 + free_tree(t->left) + free_tree(t->right);
    free(t);
    return n;
}

int main(void) {
    struct tree *root = NULL;
    unsigned seed = 42;
    for (int i = 0; i < 100; i++) {
        seed = seed * 1103515245u + 12345u;
        root = insert(root, (int)((seed >> 16) % 200) - 100);
    }
    int keys[200], n = 0;
    inorder(root, keys, &n);
    printf("distinct keys: %d, height: %d\n", n, height(root));
    for (int i = 0; i < n; i++) printf("%d%c", keys[i], i % 15 == 14 ? '\n' : ' ');
    printf("\n");
    int probes[] = {-100, 0, 17, 99, keys[n / 2]};
    for (int i = 0; i < 5; i++) {
        const struct tree *f = find(root, probes[i]);
        printf("find %d: %s count=%d\n", probes[i], f ? "yes" : "no", f ? f->count : 0);
    }
    for (int i = 0; i < n; i += 3) root = delete(root, keys[i]);
    int m = 0;
    inorder(root, keys, &m);
    int sorted = 1;
    for (int i = 1; i < m; i++) sorted &= keys[i - 1] < keys[i];
    printf("after delete: %d keys, height %d, sorted %d\n", m, height(root), sorted);
    int freed = free_tree(root);
    printf("freed %d\n", freed);
    return freed;
}
