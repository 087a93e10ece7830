/*
 * version.c - ordering of migration versions. Versions come from file names
 * of many tools: plain sequences ("0001"), timestamps, 20-digit popx
 * versions that overflow 64 bits, Flyway "1.2.10" and diesel
 * "2019-02-26-002946". They are compared as numbers part by part without
 * ever converting to an integer type, so any length is exact.
 */
#include "source/migration.h"

#include <string.h>

static bool is_separator(char c)
{
    return c == '.' || c == '_' || c == '-';
}

/* Length of the part starting at s (up to a separator or the end). */
static size_t part_len(const char *s)
{
    size_t n = 0;
    while (s[n] && !is_separator(s[n]))
        n++;
    return n;
}

/* Compares one part: leading zeros do not count, then the longer number is
 * the bigger one, then the bytes decide (digits sort as numbers that way). */
static int compare_part(const char *a, size_t alen, const char *b, size_t blen)
{
    while (alen > 1 && *a == '0') {
        a++;
        alen--;
    }
    while (blen > 1 && *b == '0') {
        b++;
        blen--;
    }
    if (alen != blen)
        return alen < blen ? -1 : 1;
    int c = memcmp(a, b, alen);
    return c < 0 ? -1 : c > 0;
}

int version_compare(const char *a, const char *b)
{
    if (!a || !b)
        return a ? 1 : (b ? -1 : 0);
    for (;;) {
        size_t alen = part_len(a), blen = part_len(b);
        int c = compare_part(a, alen, b, blen);
        if (c)
            return c;
        a += alen;
        b += blen;
        /* All common parts are equal: the version with more parts is later
         * ("1.2" < "1.2.1"). */
        if (!*a || !*b)
            return *a ? 1 : (*b ? -1 : 0);
        a++;
        b++;
    }
}
