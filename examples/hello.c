/* A sample module: ordinary C, compiled by `cargo espb build`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct node {
    int value;
    struct node *next;
} node;

static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(void) {
    printf("hello from an .espb module\n");
    printf("fib(20) = %d\n", fib(20));

    node *list = NULL;
    for (int i = 1; i <= 5; i++) {
        node *n = malloc(sizeof *n);
        n->value = i * i;
        n->next = list;
        list = n;
    }
    printf("squares:");
    while (list) {
        node *next = list->next;
        printf(" %d", list->value);
        free(list);
        list = next;
    }
    printf("\npi ~ %.5f, 2^40 = %lld, hex %#x, [%-6s]\n", 3.14159265, 1LL << 40, 255, "left");
    return 0;
}
