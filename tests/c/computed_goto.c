// opt-levels: -O0 -O2
// Computed goto: a threaded interpreter dispatching through a static table
// of label addresses, a table of label differences added back to a base
// label, and a label address kept in a variable and compared.
#include <stdio.h>

enum { PUSH, ADD, MUL, DUP, SWAP, JNZ, DEC, PRINT, HALT };

static int run(const int *code) {
  static void *const table[] = {&&push, &&add, &&mul, &&dup, &&swap, &&jnz, &&dec, &&print, &&halt};
  int stack[16], sp = 0, pc = 0, steps = 0;
#define NEXT goto *table[code[pc++]]
  NEXT;
push:
  stack[sp++] = code[pc++];
  steps++;
  NEXT;
add:
  sp--;
  stack[sp - 1] += stack[sp];
  steps++;
  NEXT;
mul:
  sp--;
  stack[sp - 1] *= stack[sp];
  steps++;
  NEXT;
dup:
  stack[sp] = stack[sp - 1];
  sp++;
  steps++;
  NEXT;
swap: {
  int t = stack[sp - 1];
  stack[sp - 1] = stack[sp - 2];
  stack[sp - 2] = t;
  steps++;
  NEXT;
}
jnz:
  if (stack[--sp]) pc = code[pc];
  else pc++;
  steps++;
  NEXT;
dec:
  stack[sp - 1]--;
  steps++;
  NEXT;
print:
  printf("top %d depth %d\n", stack[sp - 1], sp);
  NEXT;
halt:
  return steps * 1000 + (sp ? stack[sp - 1] : 0) % 1000;
#undef NEXT
}

static int classify(int x) {
  static const int offsets[] = {&&neg - &&base, &&zero - &&base, &&pos - &&base};
  void *where = &&base + offsets[(x > 0) - (x < 0) + 1];
  if (where == &&zero) return 100;
  goto *where;
base:
  return -1;
neg:
  return 1;
zero:
  return 2;
pos:
  return 3;
}

int main(void) {
  // acc = 1; n = 5; do { acc *= n; n--; } while (n); print acc
  static const int prog[] = {PUSH, 1, PUSH, 5,   DUP,  SWAP, DUP, PUSH, 0, ADD, SWAP, PUSH, 0,
                             ADD,  SWAP, SWAP, PRINT, HALT};
  printf("steps %d\n", run(prog));
  static const int fact[] = {PUSH, 1, PUSH, 5,                    // acc n
                             DUP,  PUSH, 0, SWAP, DUP, JNZ, 13, HALT, 0, // n? continue
                             SWAP, PRINT, SWAP, PRINT, HALT};
  printf("fact %d\n", run(fact));
  int s = 0;
  for (int i = -3; i <= 3; i++) s = s * 7 + classify(i);
  printf("classify %d\n", s);
  return 0;
}
