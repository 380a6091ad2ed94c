#include <stdio.h>
#include <string.h>

struct employee {
    int id;
    char name[16];
    short dept;
    double salary;
};

static struct employee staff[] = {
    {7, "Ada", 2, 5200.50}, {3, "Brian", 1, 4100.00}, {12, "Chen", 2, 6100.25},
    {5, "Dana", 3, 3900.75}, {9, "Eve", 1, 4500.00},  {1, "Farid", 3, 7000.00},
};
#define NSTAFF ((int)(sizeof staff / sizeof staff[0]))

static void sort_by_id(struct employee *e, int n) {
    for (int i = 1; i < n; i++) {
        struct employee k = e[i];
        int j = i - 1;
        while (j >= 0 && e[j].id > k.id) {
            e[j + 1] = e[j];
            j--;
        }
        e[j + 1] = k;
    }
}

int main(void) {
    double dept_total[4] = {0};
    int dept_count[4] = {0};
    for (int i = 0; i < NSTAFF; i++) {
        dept_total[staff[i].dept] += staff[i].salary;
        dept_count[staff[i].dept]++;
    }
    for (int d = 1; d <= 3; d++)
        printf("dept %d: %d people, total %.2f, avg %.3f\n", d, dept_count[d], dept_total[d],
               dept_total[d] / dept_count[d]);
    sort_by_id(staff, NSTAFF);
    for (int i = 0; i < NSTAFF; i++)
        printf("%2d %-6s %d %8.2f\n", staff[i].id, staff[i].name, staff[i].dept, staff[i].salary);
    struct employee *best = &staff[0];
    for (struct employee *e = staff; e < staff + NSTAFF; e++)
        if (e->salary > best->salary) best = e;
    printf("best paid: %s (index %d)\n", best->name, (int)(best - staff));
    printf("sizeof(struct employee) = %u\n", (unsigned)sizeof(struct employee));
    return (int)(best - staff) + 10 * (int)strlen(best->name);
}
