/* Live push: a module built against another `custom` table (other_table/custom.espbsym,
 * not the firmware's): refused before anything is written. */
void other_print(int v);

void app_main(void) {
    other_print(5);
}
