#include <stdio.h>

#define N 6

static void matmul(int n, const int a[n][n], const int b[n][n], int c[n][n]) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            int s = 0;
            for (int k = 0; k < n; k++) s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
}

static void matmul_d(const double a[3][3], const double b[3][3], double c[3][3]) {
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int k = 0; k < 3; k++) s += a[i][k] * b[k][j];
            c[i][j] = s;
        }
}

int main(void) {
    int a[N][N], b[N][N], c[N][N], id[N][N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = i * N + j - 10;
            b[i][j] = (i + 2 * j) % 7 - 3;
            id[i][j] = i == j;
        }
    matmul(N, (const int (*)[N])a, (const int (*)[N])b, c);
    long trace = 0;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++) printf("%5d", c[i][j]);
        printf("\n");
        trace += c[i][i];
    }
    int d[N][N];
    matmul(N, (const int (*)[N])a, (const int (*)[N])id, d);
    int same = 1;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++)
            if (d[i][j] != a[i][j]) same = 0;
    printf("trace = %ld, identity ok = %d\n", trace, same);

    double x[3][3] = {{1.5, 2, -1}, {0, 0.25, 4}, {3, -2.5, 1}};
    double y[3][3] = {{2, 0, 1}, {1, 1, 0}, {-1, 0.5, 2}};
    double z[3][3];
    matmul_d(x, y, z);
    for (int i = 0; i < 3; i++) printf("%.4f %.4f %.4f\n", z[i][0], z[i][1], z[i][2]);
    return same ? (int)(trace & 0x7f) : 255;
}
