#include <stdio.h>

/* dense switch: should become a jump table */
static int opcode_cost(int op) {
    switch (op) {
    case 0: return 1;
    case 1: return 3;
    case 2: return 3;
    case 3: return 7;
    case 4: return 2;
    case 5: return 11;
    case 6: return 13;
    case 7: return 5;
    case 8: return 17;
    case 9: return 19;
    case 10: return 23;
    case 11: return 29;
    case 12: return 31;
    case 13: return 37;
    case 14: return 41;
    case 15: return 43;
    default: return -1;
    }
}

static const char *day_name(unsigned d) {
    switch (d) {
    case 1: return "Mon";
    case 2: return "Tue";
    case 3: return "Wed";
    case 4: return "Thu";
    case 5: return "Fri";
    case 6: return "Sat";
    case 7: return "Sun";
    }
    return "???";
}

static int with_side_effects(int x, int *counter) {
    switch (x - 100) {
    case 0: *counter += 1; break;
    case 1: *counter += 10; break;
    case 2: *counter += 100; break;
    case 3: *counter *= 2; break;
    case 4: *counter -= 7; break;
    case 5: *counter = 0; break;
    case 6: *counter ^= 0x55; break;
    default: *counter += 1000; break;
    }
    return *counter;
}

static char hex_digit(unsigned char v) {
    switch (v) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8: case 9:
        return (char)('0' + v);
    case 10: return 'a';
    case 11: return 'b';
    case 12: return 'c';
    case 13: return 'd';
    case 14: return 'e';
    case 15: return 'f';
    default: return '?';
    }
}

int main(void) {
    int total = 0;
    for (int op = -2; op < 18; op++) {
        int c = opcode_cost(op);
        printf("%d:%d ", op, c);
        total += c;
    }
    printf("\ntotal cost = %d\n", total);
    for (unsigned d = 0; d <= 8; d++) printf("%s ", day_name(d));
    printf("\n");
    int counter = 0;
    for (int x = 98; x < 109; x++) printf("%d ", with_side_effects(x, &counter));
    printf("\n");
    char hex[9];
    unsigned v = 0xdeadbeefu;
    for (int i = 0; i < 8; i++) hex[i] = hex_digit((unsigned char)((v >> (28 - 4 * i)) & 0xf));
    hex[8] = 0;
    printf("hex = %s, ? = %c\n", hex, hex_digit(200));
    return total & 0xff;
}
