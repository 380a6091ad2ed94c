#include <stdio.h>
#include <stdlib.h>

struct node { int value; struct node *next; };

static struct node *push_front(struct node *head, int v) {
    struct node *n = malloc(sizeof *n);
    n->value = v;
    n->next = head;
    return n;
}

static void push_back(struct node **head, int v) {
    while (*head) head = &(*head)->next;
    *head = malloc(sizeof **head);
    (*head)->value = v;
    (*head)->next = NULL;
}

static struct node *reverse(struct node *h) {
    struct node *prev = NULL;
    while (h) { struct node *next = h->next; h->next = prev; prev = h; h = next; }
    return prev;
}

static void remove_value(struct node **head, int v) {
    while (*head) {
        if ((*head)->value == v) { struct node *dead = *head; *head = dead->next; free(dead); }
        else head = &(*head)->next;
    }
}

static struct node *merge_sorted(struct node *a, struct node *b) {
    struct node dummy, *t = &dummy;
    while (a && b) {
        if (a->value <= b->value) { t->next = a; a = a->next; } else { t->next = b; b = b->next; }
        t = t->next;
    }
    t->next = a ? a : b;
    return dummy.next;
}

static struct node *sort(struct node *h) {
    if (!h || !h->next) return h;
    struct node *slow = h, *fast = h->next;
    while (fast && fast->next) { slow = slow->next; fast = fast->next->next; }
    struct node *second = slow->next;
    slow->next = NULL;
    return merge_sorted(sort(h), sort(second));
}

static int print_list(const char *label, const struct node *h) {
    int n = 0;
    printf("%s:", label);
    for (; h; h = h->next, n++) printf(" %d", h->value);
    printf(" (%d)\n", n);
    return n;
}

static void free_list(struct node *h) { while (h) { struct node *n = h->next; free(h); h = n; } }

int main(void) {
    struct node *list = NULL;
    for (int i = 0; i < 10; i++) list = push_front(list, (i * 7) % 11 - 3);
    push_back(&list, 42);
    push_back(&list, -3);
    print_list("built", list);
    list = reverse(list);
    print_list("reversed", list);
    remove_value(&list, -3);
    print_list("removed -3", list);
    list = sort(list);
    int n = print_list("sorted", list);
    free_list(list);
    /* allocate and free many nodes to exercise the heap */
    struct node *big = NULL;
    for (int round = 0; round < 5; round++) {
        for (int i = 0; i < 200; i++) big = push_front(big, i);
        long s = 0;
        for (struct node *p = big; p; p = p->next) s += p->value;
        printf("round %d sum %ld\n", round, s);
        free_list(big);
        big = NULL;
    }
    return n;
}
