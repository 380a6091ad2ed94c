#include <stdio.h>

static int moves;
static int pegs[3][16];
static int heights[3];

static void move_disk(int from, int to) {
    int d = pegs[from][--heights[from]];
    if (heights[to] > 0 && pegs[to][heights[to] - 1] < d)
        printf("illegal move of disk %d\n", d);
    pegs[to][heights[to]++] = d;
    moves++;
    if (moves <= 7)
        printf("move %d: disk %d %c -> %c\n", moves, d, 'A' + from, 'A' + to);
}

static void hanoi(int n, int from, int to, int via) {
    if (n == 0) return;
    hanoi(n - 1, from, via, to);
    move_disk(from, to);
    hanoi(n - 1, via, to, from);
}

int main(void) {
    int n = 10;
    for (int i = 0; i < n; i++) pegs[0][i] = n - i;
    heights[0] = n;
    hanoi(n, 0, 2, 1);
    printf("disks=%d moves=%d heights=%d,%d,%d\n", n, moves, heights[0], heights[1], heights[2]);
    for (int i = 0; i < heights[2]; i++) printf("%d ", pegs[2][i]);
    printf("\n");
    return moves == 1023 ? 3 : 1;
}
