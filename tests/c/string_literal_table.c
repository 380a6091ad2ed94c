#include <stdio.h>
#include <string.h>

static const char *const month_names[12] = {
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
};

static const char digit_words[10][6] = {"zero", "one", "two", "three", "four",
                                        "five", "six", "seven", "eight", "nine"};

static const char *error_string(int code) {
    switch (code) {
    case 0: return "OK";
    case -1: return "FAIL";
    case 0x101: return "NO_MEM";
    case 0x102: return "INVALID_ARG";
    case 0x103: return "INVALID_STATE";
    default: return "UNKNOWN";
    }
}

static void spell(unsigned n, char *out) {
    char tmp[12];
    int len = 0;
    do { tmp[len++] = (char)(n % 10); n /= 10; } while (n);
    out[0] = 0;
    while (len--) {
        strcat(out, digit_words[(int)tmp[len]]);
        if (len) strcat(out, "-");
    }
}

int main(void) {
    unsigned total = 0;
    for (int i = 0; i < 12; i++) {
        printf("%2d %-10s %u\n", i + 1, month_names[i], (unsigned)strlen(month_names[i]));
        total += (unsigned)strlen(month_names[i]);
    }
    int codes[] = {0, -1, 0x101, 0x102, 0x103, 7};
    for (int i = 0; i < 6; i++) printf("err %d = %s\n", codes[i], error_string(codes[i]));
    char buf[128];
    spell(9051, buf);
    printf("9051 = %s\n", buf);
    spell(0, buf);
    printf("0 = %s\n", buf);
    printf("%s\n", &"hello world"[6]);
    printf("%c%c%c\n", "abc"[2], "abc"[1], "abc"[0]);
    printf("total = %u\n", total);
    return (int)total; /* 74 */
}
