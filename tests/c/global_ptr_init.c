#include <stdio.h>

const char *names[] = {"zero", "one", "two", "three", "four"};
static const char *const *names_ptr = names;
static const char greeting[] = "hello";
static const char *greeting_tail = greeting + 2;

static int counter_storage = 10;
static int table[5] = {1, 1, 2, 3, 5};
static int *table_mid = &table[2];
static int *const table_end = table + 5;
static int **pp = &table_mid;

static int add_counter(int v) { counter_storage += v; return counter_storage; }
static int sub_counter(int v) { counter_storage -= v; return counter_storage; }

struct device {
    const char *name;
    int (*op)(int);
    int *state;
    const struct device *next;
};

static const struct device dev_b = {"sub", sub_counter, &counter_storage, NULL};
static const struct device dev_a = {"add", add_counter, &counter_storage, &dev_b};
static const struct device *devices[] = {&dev_a, &dev_b, &dev_a};

struct config { int id; const char *label; double scale; int (*ops[2])(int); };
struct config configs[2] = {
    {1, "first", 0.5, {add_counter, sub_counter}},
    {2, "second", 2.0, {sub_counter, 0}},
};

char buffer[16] = "abc";
char *buffer_ptr = buffer + 1;

int main(void) {
    for (int i = 0; i < 5; i++) printf("names[%d] = %s\n", i, names_ptr[i]);
    printf("greeting_tail = %s\n", greeting_tail);
    printf("table_mid = %d, table_end - table_mid = %d, **pp = %d\n", *table_mid, (int)(table_end - table_mid), **pp);
    table_mid++;
    printf("after ++: **pp = %d\n", **pp);
    for (const struct device *d = &dev_a; d; d = d->next) {
        int r = d->op(3);
        printf("device %s -> %d (state %d)\n", d->name, r, *d->state);
    }
    int acc = 0;
    for (int i = 0; i < 3; i++) acc += devices[i]->op(i + 1);
    printf("acc = %d, counter = %d\n", acc, counter_storage);
    for (int i = 0; i < 2; i++) {
        printf("config %d %s %.1f:", configs[i].id, configs[i].label, configs[i].scale);
        for (int j = 0; j < 2; j++)
            if (configs[i].ops[j]) printf(" %d", configs[i].ops[j](configs[i].id * 10));
            else printf(" (null)");
        printf("\n");
    }
    *buffer_ptr = 'X';
    printf("buffer = %s\n", buffer);
    names[1] = "ONE";
    printf("names[1] via names_ptr = %s\n", names_ptr[1]);
    return counter_storage;
}
