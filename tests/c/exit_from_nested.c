#include <stdio.h>
#include <stdlib.h>

static int depth_reached;

static void descend(int level) {
    depth_reached = level;
    if (level == 5) {
        printf("exiting from level %d\n", level);
        exit(37);
    }
    descend(level + 1);
    printf("never printed\n");
}

int main(void) {
    printf("start\n");
    descend(0);
    printf("not reached %d\n", depth_reached);
    return 0;
}
