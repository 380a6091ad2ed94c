// fs: /spiffs
// opt-levels: -O0 -O2
// Files through stdio.h (issue 10): the simulator maps /spiffs to a folder
// (`--fs /spiffs=DIR`), the native build uses a folder of its own (the
// harness defines FS as the mount either way and compares what is left).
#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifndef FS
#define FS "/spiffs"
#endif

static void write_config(void) {
  FILE *f = fopen(FS "/config.txt", "w");
  printf("open for writing %d\n", f != NULL);
  fputs("name=blinky\n", f);
  fprintf(f, "period=%d\nratio=%.3f\n", 250, 0.125);
  fputc('#', f);
  putc('\n', f);
  static const unsigned char raw[] = {1, 2, 3, 250};
  size_t n = fwrite(raw, 1, sizeof raw, f);
  printf("fwrite %u, fclose %d\n", (unsigned)n, fclose(f));
}

static void read_config(void) {
  FILE *f = fopen(FS "/config.txt", "r");
  char line[64];
  int lines = 0;
  while (fgets(line, sizeof line, f)) {
    lines++;
    if (line[0] != 1) printf("line %d: %s", lines, line);
  }
  printf("lines %d eof %d error %d\n", lines, feof(f), ferror(f));
  rewind(f);
  int eof = feof(f);
  printf("after rewind eof %d", eof);
  printf(" first %c\n", fgetc(f));
  char name[16];
  int period = 0;
  float ratio = 0;
  fseek(f, 0, SEEK_SET);
  int r = fscanf(f, "name=%15s period=%d ratio=%f", name, &period, &ratio);
  printf("fscanf %d: %s %d %g at %ld\n", r, name, period, ratio, ftell(f));
  int c = getc(f);
  int u = ungetc('Z', f);
  printf("next %d, ungetc %d, again %d\n", c, u, getc(f));
  fseek(f, -4, SEEK_END);
  unsigned char raw[8];
  size_t got = fread(raw, 1, sizeof raw, f);
  printf("fread %u: %u %u %u %u eof %d\n", (unsigned)got, raw[0], raw[1], raw[2], raw[3], feof(f));
  clearerr(f);
  eof = feof(f);
  c = fgetc(f);
  printf("clearerr eof %d, fgetc at end %d, eof %d\n", eof, c, feof(f));
  fseek(f, 0, SEEK_END);
  printf("size %ld\n", ftell(f));
  fclose(f);
}

static void append_and_rename(void) {
  int r;
  FILE *f = fopen(FS "/log.txt", "a");
  fprintf(f, "boot %d\n", 1);
  fclose(f);
  f = fopen(FS "/log.txt", "a+");
  fprintf(f, "boot %d\n", 2);
  fseek(f, 0, SEEK_SET);
  char line[32];
  fgets(line, sizeof line, f);
  printf("a+ reads from the start: %s", line);
  fclose(f);
  printf("rename %d\n", rename(FS "/log.txt", FS "/boot.log"));
  errno = 0;
  f = fopen(FS "/log.txt", "r");
  printf("old name gone %d errno %d (%s)\n", f == NULL, errno, strerror(errno));
  f = fopen(FS "/tmp.bin", "wb+");
  for (int i = 0; i < 10; i++) fputc('a' + i, f);
  fseek(f, 3, SEEK_SET);
  fputc('X', f);
  fseek(f, 0, SEEK_SET);
  char all[11] = {0};
  printf("w+ %u %s\n", (unsigned)fread(all, 1, 10, f), all);
  fclose(f);
  printf("remove %d\n", remove(FS "/tmp.bin"));
  errno = 0;
  r = remove(FS "/tmp.bin");
  printf("remove again %d errno %d\n", r, errno);
  f = fopen(FS "/boot.log", "r");
  r = fputs("x", f);
  printf("fputs on a read stream %d error %d\n", r, ferror(f) != 0);
  fclose(f);
  errno = 0;
  f = fopen(FS "/boot.log", "q");
  printf("bad mode %d errno %d\n", f == NULL, errno);
  errno = 0;
  f = fopen(FS "/no/such/file", "w");
  printf("missing folder %d errno %d\n", f == NULL, errno);
}

// Numbers and a long word across the pieces the simulator reads a file in.
static void scan_many(void) {
  FILE *f = fopen(FS "/numbers.txt", "w");
  for (int i = 0; i < 400; i++) fprintf(f, "%d%c", i * 37 - 1000, i % 10 == 9 ? '\n' : ' ');
  for (int i = 0; i < 700; i++) fputc('a' + i % 26, f);
  fputs("\nend 7", f);
  fclose(f);
  f = fopen(FS "/numbers.txt", "r");
  long sum = 0;
  int v, count = 0;
  while (count < 400 && fscanf(f, "%d", &v) == 1) {
    sum += v;
    count++;
  }
  static char word[800];
  int r = fscanf(f, "%799s", word);
  int c = fgetc(f);
  ungetc('X', f);
  char tag[8];
  int last = 0;
  int r2 = fscanf(f, "%7s %d", tag, &last);
  printf("scanned %d numbers, sum %ld; word %d %u %c..%c; next %d; %d %s %d eof %d\n", count, sum, r,
         (unsigned)strlen(word), word[0], word[699], c, r2, tag, last, feof(f));
  fclose(f);
  remove(FS "/numbers.txt");
}

int main(void) {
  scan_many();
  write_config();
  read_config();
  append_and_rename();
  perror("done");
  return 0;
}
