/*
 * err.c - filling dbshift_error values; see err.h. The public functions
 * dbshift_error_clear/copy and dbshift_code_name live here too because they
 * are the same small piece of bookkeeping.
 */
#include "err.h"
#include "buf.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

char *xstrdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
    return s ? strndup(s, n) : NULL;
}

void dbshift_error_clear(dbshift_error *err)
{
    if (!err)
        return;
    free(err->message);
    free(err->detail);
    free(err->hint);
    free(err->file);
    free(err->statement);
    memset(err, 0, sizeof(*err));
}

int dbshift_error_copy(dbshift_error *dst, const dbshift_error *src)
{
    dbshift_error_clear(dst);
    if (!src)
        return 0;
    *dst = *src;
    dst->message = xstrdup(src->message);
    dst->detail = xstrdup(src->detail);
    dst->hint = xstrdup(src->hint);
    dst->file = xstrdup(src->file);
    dst->statement = xstrdup(src->statement);
    if ((src->message && !dst->message) || (src->detail && !dst->detail) ||
        (src->hint && !dst->hint) || (src->file && !dst->file) ||
        (src->statement && !dst->statement)) {
        dbshift_error_clear(dst);
        return DBSHIFT_ENOMEM;
    }
    return 0;
}

int err_set(dbshift_error *err, int code, const char *fmt, ...)
{
    if (!err)
        return code;
    dbshift_error_clear(err);
    err->code = code;
    buf b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(&b, fmt, ap);
    va_end(ap);
    err->message = buf_detach(&b);
    if (!err->message)
        err->message = strdup("out of memory");
    return code;
}

void err_set_field(char **field, const char *value)
{
    free(*field);
    *field = xstrdup(value);
}

void err_hint(dbshift_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    buf b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(&b, fmt, ap);
    va_end(ap);
    free(err->hint);
    err->hint = buf_detach(&b);
}

void err_prefix(dbshift_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    buf b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(&b, fmt, ap);
    va_end(ap);
    buf_adds(&b, ": ");
    buf_adds(&b, err->message ? err->message : "unknown error");
    char *m = buf_detach(&b);
    if (m) {
        free(err->message);
        err->message = m;
    }
}

const char *dbshift_code_name(int code)
{
    switch (code) {
    case DBSHIFT_OK:
        return "ok";
    case DBSHIFT_ERROR:
        return "error";
    case DBSHIFT_ENOMEM:
        return "nomem";
    case DBSHIFT_EUSAGE:
        return "usage";
    case DBSHIFT_EIO:
        return "io";
    case DBSHIFT_EPARSE:
        return "parse";
    case DBSHIFT_ECONNECT:
        return "connect";
    case DBSHIFT_ESQL:
        return "sql";
    case DBSHIFT_ELOCK:
        return "lock";
    case DBSHIFT_ECHECKSUM:
        return "checksum";
    case DBSHIFT_EOUTOFORDER:
        return "out_of_order";
    case DBSHIFT_EFAILED:
        return "failed";
    case DBSHIFT_EIRREVERSIBLE:
        return "irreversible";
    case DBSHIFT_EDECLINED:
        return "declined";
    case DBSHIFT_ENOTFOUND:
        return "not_found";
    case DBSHIFT_EUNSUPPORTED:
        return "unsupported";
    case DBSHIFT_ENEWER:
        return "newer";
    case DBSHIFT_ELINT:
        return "lint";
    case DBSHIFT_EMANUAL:
        return "manual";
    default:
        return "unknown";
    }
}
