#include <stdio.h>

/* A lexer-like state machine parsing numbers: ints, decimals, exponents */
enum state { S_START, S_SIGN, S_INT, S_DOT, S_FRAC, S_EXP, S_EXP_SIGN, S_EXP_INT, S_ERR };

static int is_number(const char *s) {
    enum state st = S_START;
    for (; *s; s++) {
        char c = *s;
        int digit = c >= '0' && c <= '9';
        switch (st) {
        case S_START: st = digit ? S_INT : (c == '+' || c == '-') ? S_SIGN : S_ERR; break;
        case S_SIGN: st = digit ? S_INT : S_ERR; break;
        case S_INT: st = digit ? S_INT : c == '.' ? S_DOT : (c == 'e' || c == 'E') ? S_EXP : S_ERR; break;
        case S_DOT: st = digit ? S_FRAC : S_ERR; break;
        case S_FRAC: st = digit ? S_FRAC : (c == 'e' || c == 'E') ? S_EXP : S_ERR; break;
        case S_EXP: st = digit ? S_EXP_INT : (c == '+' || c == '-') ? S_EXP_SIGN : S_ERR; break;
        case S_EXP_SIGN: st = digit ? S_EXP_INT : S_ERR; break;
        case S_EXP_INT: st = digit ? S_EXP_INT : S_ERR; break;
        case S_ERR: return 0;
        }
    }
    return st == S_INT || st == S_FRAC || st == S_EXP_INT;
}

/* traffic light with timers, driven by ticks */
enum light { RED, RED_YELLOW, GREEN, YELLOW };
static const char *light_names[] = {"RED", "RED_YELLOW", "GREEN", "YELLOW"};

struct controller { enum light state; int timer; int cycles; };

static void tick(struct controller *c, int pedestrian) {
    if (--c->timer > 0 && !(pedestrian && c->state == GREEN)) return;
    switch (c->state) {
    case RED: c->state = RED_YELLOW; c->timer = 1; break;
    case RED_YELLOW: c->state = GREEN; c->timer = 4; break;
    case GREEN: c->state = YELLOW; c->timer = 2; break;
    case YELLOW: c->state = RED; c->timer = 3; c->cycles++; break;
    }
}

int main(void) {
    const char *inputs[] = {"0", "-12", "+3.25", "1e10", "2.5E-3", "abc", "1.", ".5", "--1", "7e", "12.34e+56", ""};
    int valid = 0;
    for (unsigned i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        int v = is_number(inputs[i]);
        printf("'%s' -> %s\n", inputs[i], v ? "number" : "not a number");
        valid += v;
    }
    struct controller c = {RED, 3, 0};
    for (int t = 0; t < 30; t++) {
        tick(&c, t == 9);
        printf("%s%s", light_names[c.state], t % 6 == 5 ? "\n" : " ");
    }
    printf("cycles = %d valid = %d\n", c.cycles, valid);
    return valid * 10 + c.cycles;
}
