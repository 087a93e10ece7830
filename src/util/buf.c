/*
 * buf.c - the growable string buffer described in buf.h. Growth doubles the
 * capacity so appending n bytes one at a time costs O(n) overall.
 */
#include "buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char buf_empty[1];

void buf_init(buf *b)
{
    b->ptr = buf_empty;
    b->len = 0;
    b->cap = 0;
    b->failed = false;
}

void buf_release(buf *b)
{
    if (b->cap)
        free(b->ptr);
    buf_init(b);
}

void buf_clear(buf *b)
{
    b->len = 0;
    if (b->cap)
        b->ptr[0] = '\0';
}

bool buf_grow(buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t want = b->cap ? b->cap : 64;
    while (want < b->len + extra + 1) {
        if (want > (size_t)-1 / 2) {
            b->failed = true;
            return false;
        }
        want *= 2;
    }
    char *p = realloc(b->cap ? b->ptr : NULL, want);
    if (!p) {
        b->failed = true;
        return false;
    }
    if (!b->cap)
        p[0] = '\0';
    b->ptr = p;
    b->cap = want;
    return true;
}

void buf_add(buf *b, const void *data, size_t len)
{
    if (!len || !buf_grow(b, len))
        return;
    memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
}

void buf_adds(buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

void buf_addc(buf *b, char c)
{
    buf_add(b, &c, 1);
}

void buf_vaddf(buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0 || !buf_grow(b, (size_t)n))
        return;
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_addf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(b, fmt, ap);
    va_end(ap);
}

char *buf_detach(buf *b)
{
    char *p;
    if (b->failed) {
        buf_release(b);
        return NULL;
    }
    if (b->cap)
        p = b->ptr;
    else
        p = calloc(1, 1);
    buf_init(b);
    return p;
}

char *buf_quoted(const char *s, char quote)
{
    buf b = BUF_INIT;
    buf_addc(&b, quote);
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == quote)
            buf_addc(&b, quote);
        buf_addc(&b, *p);
    }
    buf_addc(&b, quote);
    return buf_detach(&b);
}
