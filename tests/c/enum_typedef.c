#include <stdio.h>

typedef enum { LOG_NONE, LOG_ERROR, LOG_WARN, LOG_INFO = 10, LOG_DEBUG, LOG_VERBOSE = -1 } log_level_t;
typedef unsigned int uint;
typedef struct node_s { int v; struct node_s *next; } node_t;
typedef int (*op_t)(int, int);
typedef int matrix_t[2][2];

static const char *level_name(log_level_t l) {
    switch (l) {
    case LOG_NONE: return "NONE";
    case LOG_ERROR: return "ERROR";
    case LOG_WARN: return "WARN";
    case LOG_INFO: return "INFO";
    case LOG_DEBUG: return "DEBUG";
    case LOG_VERBOSE: return "VERBOSE";
    }
    return "?";
}

static int addop(int a, int b) { return a + b; }

static void mat_square(matrix_t m, matrix_t out) {
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) out[i][j] = m[i][0] * m[0][j] + m[i][1] * m[1][j];
}

enum color { RED = 1 << 0, GREEN = 1 << 1, BLUE = 1 << 2, WHITE = RED | GREEN | BLUE };

int main(void) {
    log_level_t levels[] = {LOG_NONE, LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG, LOG_VERBOSE};
    for (int i = 0; i < 6; i++) printf("%s=%d ", level_name(levels[i]), (int)levels[i]);
    printf("\nsizeof(log_level_t)=%u\n", (unsigned)sizeof(log_level_t));
    node_t n2 = {2, NULL}, n1 = {1, &n2};
    uint sum = 0;
    for (node_t *p = &n1; p; p = p->next) sum += (uint)p->v;
    op_t f = addop;
    matrix_t m = {{1, 1}, {1, 0}}, out;
    mat_square(m, out);
    printf("sum=%u f=%d fibmat=%d %d %d %d\n", sum, f(20, 22), out[0][0], out[0][1], out[1][0], out[1][1]);
    enum color c = GREEN | BLUE;
    printf("color %d has red: %d, is white: %d\n", c, (c & RED) != 0, (c | RED) == WHITE);
    return WHITE;
}
