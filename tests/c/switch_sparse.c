#include <stdio.h>

static int classify(int code) {
    switch (code) {
    case -100000: return 1;
    case -7: return 2;
    case 0: return 3;
    case 13: return 4;
    case 404: return 5;
    case 1000: return 6;
    case 65535: return 7;
    case 1 << 20: return 8;
    case 0x7fffffff: return 9;
    default: return 0;
    }
}

static const char *http_reason(unsigned status) {
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 418: return "I'm a teapot";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
    }
}

static int switch64(long long v) {
    switch (v) {
    case 0x100000000LL: return 1;
    case -1: return 2;
    case 0x7fffffffffffffffLL: return 3;
    case 42: return 4;
    default: return 5;
    }
}

int main(void) {
    int codes[] = {-100000, -7, 0, 13, 404, 1000, 65535, 1 << 20, 0x7fffffff, 5, -8, 1001, 999999};
    int sum = 0;
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        int c = classify(codes[i]);
        printf("classify(%d) = %d\n", codes[i], c);
        sum += c;
    }
    unsigned st[] = {200, 201, 204, 301, 400, 404, 418, 500, 503, 302, 0};
    for (unsigned i = 0; i < sizeof st / sizeof st[0]; i++) printf("%u %s\n", st[i], http_reason(st[i]));
    long long vs[] = {0x100000000LL, -1, 0x7fffffffffffffffLL, 42, 0, 0xffffffffLL};
    for (int i = 0; i < 6; i++) {
        printf("switch64 -> %d\n", switch64(vs[i]));
        sum += switch64(vs[i]);
    }
    return sum;
}
