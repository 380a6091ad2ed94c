/* The firmware's measurement mode calls add_one through its thunk, as a
 * native would call a module callback, and counts the instructions. */
int add_one(int x) { return x + 1; }

/* Taken: add_one gets a thunk. */
int (*const callback)(int) = add_one;

void app_main(void) {}
