#include <stdio.h>
#include <string.h>

static void reverse(char *s) {
    size_t n = strlen(s);
    for (size_t i = 0; i < n / 2; i++) {
        char t = s[i];
        s[i] = s[n - 1 - i];
        s[n - 1 - i] = t;
    }
}

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

static int is_palindrome(const char *s) {
    int i = 0, j = (int)strlen(s) - 1;
    while (i < j) {
        if (!is_alpha(s[i])) { i++; continue; }
        if (!is_alpha(s[j])) { j--; continue; }
        if (lower(s[i]) != lower(s[j])) return 0;
        i++;
        j--;
    }
    return 1;
}

int main(void) {
    char buf[64];
    const char *words[] = {"hello", "espb", "a", "", "racecar", "Was it a car or a cat I saw?",
                           "A man, a plan, a canal: Panama", "not a palindrome"};
    int pal = 0;
    for (unsigned i = 0; i < sizeof words / sizeof words[0]; i++) {
        strcpy(buf, words[i]);
        reverse(buf);
        int p = is_palindrome(words[i]);
        pal += p;
        printf("'%s' -> '%s' palindrome=%d\n", words[i], buf, p);
    }
    printf("palindromes: %d\n", pal);
    return pal; /* 5 */
}
