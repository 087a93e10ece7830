/*
 * buf.h - a growable string buffer.
 *
 * Invariants: buf->ptr is never NULL (an empty buffer points at a static
 * ""), is always NUL-terminated, and buf->len is its length. A failed
 * allocation never loses data: the buffer keeps what it had, sets the sticky
 * buf->failed flag and ignores later appends, so callers check once at the
 * end (buf_failed) instead of after every append.
 */
#ifndef DBSHIFT_UTIL_BUF_H
#define DBSHIFT_UTIL_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct buf {
    char *ptr;
    size_t len;
    size_t cap;  /* 0 while ptr points at the static "" */
    bool failed; /* an allocation failed; content is what was kept */
} buf;

#define BUF_INIT                                                                                   \
    {                                                                                              \
        buf_empty, 0, 0, false                                                                     \
    }
extern char buf_empty[];

void buf_init(buf *b);
/* Frees the memory and re-initialises b. */
void buf_release(buf *b);
/* Empties b, keeping its memory. */
void buf_clear(buf *b);
bool buf_grow(buf *b, size_t extra);
void buf_add(buf *b, const void *data, size_t len);
void buf_adds(buf *b, const char *s);
void buf_addc(buf *b, char c);
void buf_addf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(buf *b, const char *fmt, va_list ap);
/* s between two quote characters, each quote inside doubled (the SQL way
 * of quoting identifiers); malloc'd, NULL when out of memory. */
char *buf_quoted(const char *s, char quote);
/* Hands the content to the caller (malloc'd, never NULL unless b failed)
 * and re-initialises b. */
char *buf_detach(buf *b);
static inline bool buf_failed(const buf *b)
{
    return b->failed;
}

#endif
