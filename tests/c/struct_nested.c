#include <stdio.h>

struct point { int x, y; };
struct rect { struct point min, max; };
struct shape {
    char name[12];
    struct rect bounds;
    struct { unsigned char r, g, b; } color;
    int layer;
};

static int area(const struct rect *r) { return (r->max.x - r->min.x) * (r->max.y - r->min.y); }

static struct rect intersect(struct rect a, struct rect b) {
    struct rect r;
    r.min.x = a.min.x > b.min.x ? a.min.x : b.min.x;
    r.min.y = a.min.y > b.min.y ? a.min.y : b.min.y;
    r.max.x = a.max.x < b.max.x ? a.max.x : b.max.x;
    r.max.y = a.max.y < b.max.y ? a.max.y : b.max.y;
    if (r.max.x < r.min.x) r.max.x = r.min.x;
    if (r.max.y < r.min.y) r.max.y = r.min.y;
    return r;
}

int main(void) {
    struct shape s[3] = {
        {"ground", {{0, 0}, {100, 10}}, {10, 200, 30}, 0},
        {"house", {{20, 10}, {60, 50}}, {200, 20, 20}, 1},
        {"sun", {{80, 70}, {95, 85}}, {255, 255, 0}, 2},
    };
    for (int i = 0; i < 3; i++) {
        struct shape *p = &s[i];
        printf("%-8s [%d,%d]-[%d,%d] area=%d rgb=#%02x%02x%02x layer=%d\n", p->name,
               p->bounds.min.x, p->bounds.min.y, p->bounds.max.x, p->bounds.max.y,
               area(&p->bounds), p->color.r, p->color.g, p->color.b, p->layer);
    }
    struct rect big = {{10, 5}, {70, 40}};
    int total = 0;
    for (int i = 0; i < 3; i++) {
        struct rect r = intersect(big, s[i].bounds);
        printf("intersect %s: area %d\n", s[i].name, area(&r));
        total += area(&r);
    }
    s[1].bounds.max.y += 5;
    s[1].color.g = (unsigned char)(s[1].color.g + 250); /* wraps */
    printf("modified house: %d g=%u\n", area(&s[1].bounds), s[1].color.g);
    printf("total = %d\n", total);
    return total % 256;
}
