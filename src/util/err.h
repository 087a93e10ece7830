/*
 * err.h - helpers that fill a dbshift_error (the public error value) from
 * inside the library and drivers. They never fail loudly: when memory runs
 * out the code is still set and the message falls back to a static text.
 */
#ifndef DBSHIFT_UTIL_ERR_H
#define DBSHIFT_UTIL_ERR_H

#include "dbshift.h"

/* Clears err and sets code and a formatted message. Returns code, so a
 * caller can write `return err_set(err, DBSHIFT_EIO, "...")`. err may be
 * NULL. */
int err_set(dbshift_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Sets one string field (detail, hint, file, statement), replacing it. */
void err_set_field(char **field, const char *value);
/* Sets the hint with a format. */
void err_hint(dbshift_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefixes the message: "context: old message". */
void err_prefix(dbshift_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* strdup that returns NULL for NULL. */
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
