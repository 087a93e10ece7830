/*
 * dbmate.c - reader of dbmate files: `<version>_<name>.sql` with
 * `-- migrate:up` and `-- migrate:down` lines, each optionally followed by
 * `transaction:false` for statements that cannot run in a transaction.
 */
#include "source/formats.h"
#include "util/err.h"

#include <string.h>

static int close_section(migration_section *sec, const source_file *f, const char *body,
                         const char *end, int first_line, dbshift_error *err)
{
    if (!sec)
        return 0;
    bool no_transaction = sec->no_transaction;
    int rc = source_section_set(sec, f, body, (size_t)(end - body), first_line, err);
    sec->no_transaction = no_transaction;
    return rc;
}

static int parse_file(migration *m, const source_file *f, dbshift_error *err)
{
    const char *p = f->text, *end = f->text + f->len, *body = NULL;
    migration_section *cur = NULL;
    int first_line = 0;
    for (int line = 1; p < end; line++) {
        size_t n = source_line_len(p, end);
        const char *eol = p + n, *next = eol < end ? eol + 1 : end;
        const char *q = source_skip_blank(p, eol);
        if (eol - q < 2 || q[0] != '-' || q[1] != '-') {
            p = next;
            continue;
        }
        const char *r = source_skip_blank(q + 2, eol);
        if (eol - r < 8 || memcmp(r, "migrate:", 8) != 0) {
            p = next;
            continue;
        }
        const char *w = r + 8, *we = w;
        while (we < eol && *we != ' ' && *we != '\t')
            we++;
        bool up = we - w == 2 && memcmp(w, "up", 2) == 0;
        bool down = we - w == 4 && memcmp(w, "down", 4) == 0;
        if (!up && !down)
            return source_error(err, f->path, line, "unknown directive '-- migrate:%.*s'",
                                (int)(we - w), w);
        migration_section *sec = up ? &m->up : &m->down;
        if (sec->present)
            return source_error(err, f->path, line, "second -- migrate:%s section",
                                up ? "up" : "down");
        int bad = 0;
        if (!cur && !source_only_comments(f->text, (size_t)(p - f->text), 1, &bad))
            return source_error(err, f->path, bad, "SQL before the first -- migrate:up marker");
        int rc = close_section(cur, f, body, p, first_line, err);
        if (rc == 0)
            rc = source_transaction_options(&sec->no_transaction, we, eol, ':', "dbmate", f->path,
                                            line, err);
        if (rc)
            return rc;
        sec->present = true;
        cur = sec;
        body = next;
        first_line = line + 1;
        p = next;
    }
    int rc = close_section(cur, f, body, end, first_line, err);
    if (rc)
        return rc;
    if (!m->up.present) {
        source_error(err, f->path, 0, "no -- migrate:up section");
        err_hint(err, "dbmate files need a line '-- migrate:up'");
        return DBSHIFT_EPARSE;
    }
    return checksum_files(&m->checksum, f->text, f->len, NULL, 0) ? source_nomem(err) : 0;
}

int dbmate_read(migration_set *set, source_file *files, size_t nfiles, const source_options *opts,
                dbshift_error *err)
{
    (void)opts;
    for (size_t i = 0; i < nfiles; i++) {
        migration *m = source_add(set);
        if (!m)
            return source_nomem(err);
        int rc = source_numsql_names(m, &files[i], err);
        if (rc == 0)
            rc = parse_file(m, &files[i], err);
        if (rc)
            return rc;
    }
    return 0;
}
