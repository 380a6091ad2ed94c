// opt-levels: -O0 -O2
// time.h basics (issue 10): broken-down UTC time, mktime's normalisation,
// strftime in the C locale, difftime. The module's time zone is UTC (an
// ESP-IDF device's without TZ); the native build sets TZ=UTC0 to match,
// and asks glibc for ESP-IDF's 64-bit time_t.
#define _FILE_OFFSET_BITS 64
#define _TIME_BITS 64
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile long long stamps[] = {0, 951782400, 1709210096, 1609459200, 1735689599, 4102444800LL, -86400};

static void show(const struct tm *t) {
  printf("%04d-%02d-%02d %02d:%02d:%02d wday %d yday %d dst %d\n", t->tm_year + 1900, t->tm_mon + 1, t->tm_mday,
         t->tm_hour, t->tm_min, t->tm_sec, t->tm_wday, t->tm_yday, t->tm_isdst);
}

_Static_assert(sizeof(time_t) == 8, "time_t is 64 bits, as in ESP-IDF");

int main(void) {
#ifndef __NEWLIB__
  setenv("TZ", "UTC0", 1);
  tzset();
#endif
  for (unsigned i = 0; i < sizeof stamps / sizeof *stamps; i++) {
    time_t t = (time_t)stamps[i];
    struct tm a, b;
    show(gmtime_r(&t, &a));
    localtime_r(&t, &b);
    printf("  local is UTC %d\n", memcmp(&a, &b, 9 * sizeof(int)) == 0);
    char buf[160];
    size_t n = strftime(buf, sizeof buf, "%a %A %b %B %h %d %e %j %m %y %Y %C | %H %I %k %l %M %S %p | %u %w %U %W %V %G %g", &a);
    printf("  %u: %s\n", (unsigned)n, buf);
    n = strftime(buf, sizeof buf, "%c|%x|%X|%D|%F|%T|%R|%r|%z|%%|%s", &a);
    printf("  %u: %s\n", (unsigned)n, buf);
    printf("  back %lld\n", (long long)mktime(&a));
  }
  struct tm *g = gmtime((const time_t *)&stamps[2]);
  printf("gmtime %d %d\n", g->tm_year, g->tm_mday);
  // Out-of-range fields, normalised: Feb 31 + 3600 s, month 13, negative minutes.
  struct tm odd = {0};
  odd.tm_year = 123;
  odd.tm_mon = 13;
  odd.tm_mday = 31;
  odd.tm_sec = 3600;
  odd.tm_min = -90;
  time_t t = mktime(&odd);
  printf("mktime %lld: ", (long long)t);
  show(&odd);
  char small[8];
  printf("too small %u\n", (unsigned)strftime(small, sizeof small, "%Y-%m-%d", &odd));
  printf("difftime %.1f\n", difftime((time_t)stamps[2], (time_t)stamps[1]));
  char ab[32], cb[32];
  time_t when = (time_t)stamps[2];
  printf("asctime %s", asctime(gmtime(&when)));
  printf("ctime %s", ctime(&when));
  printf("asctime_r %s", asctime_r(&odd, ab));
  printf("ctime_r %s", ctime_r((const time_t *)&stamps[6], cb));
  return 0;
}
