/* The firmware's measurement mode calls add_one through its thunk, as a
 * native would call a module callback, and counts the instructions. */
int add_one(int x) { return x + 1; }

/* A callback returning float: under ilp32f its thunk returns in fa0. */
float half(float x) { return x * 0.5f; }

/* Taken: both get a thunk. */
int (*const callback)(int) = add_one;
float (*const float_callback)(float) = half;

void app_main(void) {}
