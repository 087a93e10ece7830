/*
 * flyway.c - reader of Flyway SQL migrations: `V<version>__<desc>.sql`
 * (versions like 1, 1.1 or 2_3, where underscores stand for dots), undo
 * files `U<version>__<desc>.sql` as the down section, and repeatable
 * `R__<desc>.sql`. Flyway replaces ${name} placeholders everywhere in a
 * script and refuses an unset one, so dbshift does the same from the
 * caller's variables.
 */
#include "source/formats.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

static int render(buf *out, const source_file *f, const source_options *opts, dbshift_error *err)
{
    return template_flyway(out, f->text, f->len, opts, f->path, f->base, 1, err);
}

/* desc with underscores shown as spaces, as Flyway does. */
static char *description(const char *s, size_t len)
{
    char *d = xstrndup(s, len);
    for (char *p = d; p && *p; p++)
        if (*p == '_')
            *p = ' ';
    return d;
}

static int read_repeatable(migration_set *set, const source_file *f, const source_options *opts,
                           dbshift_error *err)
{
    migration *m = source_add(set);
    if (!m)
        return source_nomem(err);
    m->repeatable = true;
    m->name = description(f->base + 3, strlen(f->base) - 7);
    m->file = xstrdup(f->path);
    if (!m->name || !m->file)
        return source_nomem(err);
    buf b = BUF_INIT;
    int rc = render(&b, f, opts, err);
    if (rc == 0 && buf_failed(&b))
        rc = source_nomem(err);
    if (rc == 0)
        rc = source_section_set(&m->up, f, b.ptr, b.len, 1, err);
    buf_release(&b);
    if (rc == 0 && checksum_files(&m->checksum, f->text, f->len, NULL, 0))
        rc = source_nomem(err);
    return rc;
}

int flyway_read(migration_set *set, source_file *files, size_t nfiles, const source_options *opts,
                dbshift_error *err)
{
    source_piece *pieces = calloc(nfiles ? nfiles : 1, sizeof(*pieces));
    if (!pieces)
        return source_nomem(err);
    size_t npieces = 0;
    int rc = 0;
    for (size_t i = 0; i < nfiles && rc == 0; i++) {
        const source_file *f = &files[i];
        if (f->base[0] == 'R') {
            rc = read_repeatable(set, f, opts, err);
            continue;
        }
        const char *v = f->base + 1, *sep = strstr(v, "__");
        size_t vlen = (size_t)(sep - v);
        if (vlen == 0 || strspn(v, "0123456789._") < vlen || v[vlen - 1] == '.' ||
            v[vlen - 1] == '_') {
            rc = source_error(err, f->path, 0, "invalid Flyway version '%.*s'", (int)vlen, v);
            break;
        }
        source_piece *p = &pieces[npieces++];
        p->file = f;
        p->down = f->base[0] == 'U';
        p->version = xstrndup(v, vlen);
        p->name = description(sep + 2, strlen(sep + 2) - 4);
        if (!p->version || !p->name) {
            rc = source_nomem(err);
            break;
        }
        for (char *c = p->version; *c; c++)
            if (*c == '_')
                *c = '.';
    }
    if (rc == 0)
        rc = source_pair(set, pieces, npieces, false, render, opts, err);
    source_pieces_free(pieces, npieces);
    return rc;
}
