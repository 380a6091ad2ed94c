#include <stdio.h>

/* Duff's device */
static void duff_copy(short *to, const short *from, int count) {
    int n = (count + 7) / 8;
    switch (count % 8) {
    case 0: do { *to++ = *from++;
    case 7:      *to++ = *from++;
    case 6:      *to++ = *from++;
    case 5:      *to++ = *from++;
    case 4:      *to++ = *from++;
    case 3:      *to++ = *from++;
    case 2:      *to++ = *from++;
    case 1:      *to++ = *from++;
            } while (--n > 0);
    }
}

static int permissions(int level) {
    int p = 0;
    switch (level) {
    case 3: p |= 8;   /* admin */
    /* fallthrough */
    case 2: p |= 4;   /* write */
    /* fallthrough */
    case 1: p |= 2;   /* read */
    /* fallthrough */
    case 0: p |= 1;   /* exists */
        break;
    default: p = -1;
    }
    return p;
}

static int days_before_month(int month) {
    int d = 0;
    switch (month) {
    case 12: d += 30; /* fallthrough */
    case 11: d += 31; /* fallthrough */
    case 10: d += 30; /* fallthrough */
    case 9: d += 31;  /* fallthrough */
    case 8: d += 31;  /* fallthrough */
    case 7: d += 30;  /* fallthrough */
    case 6: d += 31;  /* fallthrough */
    case 5: d += 30;  /* fallthrough */
    case 4: d += 31;  /* fallthrough */
    case 3: d += 28;  /* fallthrough */
    case 2: d += 31;  /* fallthrough */
    case 1: break;
    }
    return d;
}

int main(void) {
    for (int count = 0; count <= 17; count += 3) {
        short src[20], dst[20];
        for (int i = 0; i < 20; i++) { src[i] = (short)(i * 3 - 20); dst[i] = -1; }
        if (count > 0) duff_copy(dst, src, count);
        int ok = 1;
        for (int i = 0; i < 20; i++) ok &= dst[i] == (i < count ? src[i] : -1);
        printf("duff %d -> %s\n", count, ok ? "ok" : "BAD");
    }
    for (int l = -1; l <= 4; l++) printf("permissions(%d) = %d\n", l, permissions(l));
    int sum = 0;
    for (int m = 1; m <= 12; m++) { printf("%d ", days_before_month(m)); sum += days_before_month(m); }
    printf("\nsum = %d\n", sum);
    return sum % 200;
}
