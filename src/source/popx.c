/*
 * popx.c - reader of gobuffalo pop / ory popx folders:
 * `<version>_<name>[.<dialect>][.autocommit].(up|down).sql`. For each
 * version and direction the file for the target's dialect wins over the
 * generic one; files for other dialects are left out, so versions only
 * other dialects have disappear. `.autocommit` runs outside a transaction.
 * A file that is empty or holds only comments still counts as applied
 * (popx records it and runs nothing), so it becomes an empty section. Files
 * are rendered as Go templates the way popx does with template values.
 */
#include "source/formats.h"
#include "dbshift/driver.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

/* True when a dialect token of a file name names the target's dialect
 * ("sqlite" is popx's alias of "sqlite3"). */
static bool is_target(const char *tok, size_t len, int dialect)
{
    switch (dialect) {
    case DBSHIFT_DIALECT_POSTGRES:
        return len == 8 && memcmp(tok, "postgres", 8) == 0;
    case DBSHIFT_DIALECT_MYSQL:
        return len == 5 && memcmp(tok, "mysql", 5) == 0;
    case DBSHIFT_DIALECT_SQLITE:
        return (len == 7 && memcmp(tok, "sqlite3", 7) == 0) ||
               (len == 6 && memcmp(tok, "sqlite", 6) == 0);
    default:
        return false;
    }
}

static int render(buf *out, const source_file *f, const source_options *opts, dbshift_error *err)
{
    if (source_only_comments(f->text, f->len, 1, NULL))
        return 0;
    return template_go(out, f->text, f->len, opts, f->path, 1, err);
}

int popx_read(migration_set *set, source_file *files, size_t nfiles, const source_options *opts,
              dbshift_error *err)
{
    source_piece *pieces = calloc(nfiles ? nfiles : 1, sizeof(*pieces));
    if (!pieces)
        return source_nomem(err);
    size_t npieces = 0;
    int rc = 0;
    for (size_t i = 0; i < nfiles && rc == 0; i++) {
        const source_file *f = &files[i];
        const char *base = f->base;
        size_t len = strlen(base), digits = strspn(base, "0123456789");
        bool down = len > 9 && strcmp(base + len - 9, ".down.sql") == 0;
        size_t stem = len - (down ? 9 : 7);
        bool autocommit = false;
        if (stem > 11 && memcmp(base + stem - 11, ".autocommit", 11) == 0) {
            autocommit = true;
            stem -= 11;
        }
        int rank = 0;
        if (f->kind == SOURCE_KIND_POPX) {
            size_t dot = stem;
            while (dot > digits && base[dot - 1] != '.')
                dot--;
            if (dot > digits + 1) {
                /* A dialect token: keep the file only for the target. */
                if (!is_target(base + dot, stem - dot, opts->dialect))
                    continue;
                rank = 1;
                stem = dot - 1;
            }
        }
        source_piece *p = &pieces[npieces++];
        p->file = f;
        p->down = down;
        p->no_transaction = autocommit;
        p->rank = rank;
        p->version = xstrndup(base, digits);
        p->name = xstrndup(base + digits + 1, stem - digits - 1);
        if (!p->version || !p->name)
            rc = source_nomem(err);
    }
    if (rc == 0)
        rc = source_pair(set, pieces, npieces, true, render, opts, err);
    source_pieces_free(pieces, npieces);
    return rc;
}
