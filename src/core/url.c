/*
 * url.c - what the core needs to know about a target URL before any driver
 * runs: which driver it belongs to and how to show it without its password.
 * Each driver parses the rest of its own URL (libpq takes Postgres URLs as
 * they are).
 */
#include "url.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/buf.h"
#include "util/err.h"

static const dbshift_driver *const drivers[] = {
    &dbshift_driver_sqlite,
    &dbshift_driver_postgres,
    &dbshift_driver_mysql,
};

static size_t scheme_len(const char *url)
{
    size_t i = 0;
    while (url[i] &&
           (url[i] == '+' || url[i] == '-' || url[i] == '.' || (url[i] >= 'a' && url[i] <= 'z') ||
            (url[i] >= 'A' && url[i] <= 'Z') || (url[i] >= '0' && url[i] <= '9')))
        i++;
    return url[i] == ':' ? i : 0;
}

const dbshift_driver *url_driver(const char *url)
{
    if (!url)
        return NULL;
    size_t n = scheme_len(url);
    if (n == 0)
        return strchr(url, '=') ? &dbshift_driver_postgres : NULL;
    for (size_t d = 0; d < sizeof(drivers) / sizeof(drivers[0]); d++) {
        for (const char *const *s = drivers[d]->schemes; s && *s; s++)
            if (strlen(*s) == n && strncasecmp(*s, url, n) == 0)
                return drivers[d];
    }
    return NULL;
}

/* Replaces the value after "password=" up to the next separator. */
static void redact_keyword(buf *out, const char *s, char sep)
{
    const char *p = s;
    for (;;) {
        const char *hit = strstr(p, "password=");
        if (!hit) {
            buf_adds(out, p);
            return;
        }
        hit += strlen("password=");
        buf_add(out, p, (size_t)(hit - p));
        buf_adds(out, "***");
        if (*hit == '\'') {
            hit++;
            while (*hit && *hit != '\'')
                hit += (*hit == '\\' && hit[1]) ? 2 : 1;
            if (*hit)
                hit++;
        } else {
            while (*hit && *hit != sep && *hit != ' ')
                hit++;
        }
        p = hit;
    }
}

/* Redacts user:password@ of a URL whose scheme is the first n bytes. */
static char *redact_authority(const char *url, size_t n)
{
    buf out = BUF_INIT;
    const char *rest = url + n + 1;
    if (strncmp(rest, "//", 2) != 0) {
        buf_adds(&out, url);
        return buf_detach(&out);
    }
    const char *auth = rest + 2;
    /* The last '@' before the query ends the user info, even past a '/' or
     * '#': a password with those characters unencoded must not survive
     * (found by fuzz_url). Redacting too much is the safe mistake. */
    const char *end = auth + strcspn(auth, "?");
    const char *at = NULL;
    for (const char *p = auth; p < end; p++)
        if (*p == '@')
            at = p;
    buf_add(&out, url, (size_t)(auth - url));
    if (at) {
        const char *colon = memchr(auth, ':', (size_t)(at - auth));
        if (colon) {
            buf_add(&out, auth, (size_t)(colon - auth));
            buf_adds(&out, ":***");
        } else {
            buf_add(&out, auth, (size_t)(at - auth));
        }
        buf_add(&out, at, (size_t)(end - at));
    } else {
        buf_add(&out, auth, (size_t)(end - auth));
    }
    redact_keyword(&out, end, '&');
    return buf_detach(&out);
}

char *url_redact(const char *url)
{
    if (!url)
        return NULL;
    size_t n = scheme_len(url);
    if (n > 0 && strncmp(url + n + 1, "//", 2) == 0)
        return redact_authority(url, n);
    buf out = BUF_INIT;
    const char *sep = strstr(url, "://");
    if (!sep) {
        if (n > 0)
            buf_adds(&out, url); /* sqlite:path */
        else
            redact_keyword(&out, url, ' ');
        return buf_detach(&out);
    }
    /* No valid scheme, yet it reads as a URL: a typo in the scheme must not
     * let user:password@ through into the error that reports the typo
     * (found by fuzz_url). Keyword passwords are redacted as well. */
    char *tmp = redact_authority(url, (size_t)(sep - url));
    if (!tmp)
        return NULL;
    redact_keyword(&out, tmp, ' ');
    free(tmp);
    return buf_detach(&out);
}

char *url_sqlite_path(const char *url)
{
    if (url_driver(url) != &dbshift_driver_sqlite)
        return NULL;
    const char *p = strchr(url, ':') + 1;
    if (strncmp(p, "//", 2) == 0)
        p += 2; /* sqlite:///abs -> /abs, sqlite://rel -> rel */
    size_t len = strcspn(p, "?");
    if (len == 0 || (len == 8 && strncmp(p, ":memory:", 8) == 0))
        return NULL;
    return strndup(p, len);
}
