/*
 * golang_migrate.c - reader of golang-migrate and sqlx folders:
 * `<N>_<name>.up.sql` with an optional `<N>_<name>.down.sql`, and (sqlx
 * only) `<N>_<name>.sql` holding just an up, which sqlx runs outside a
 * transaction when its first line is `-- no-transaction`.
 */
#include "source/formats.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

static bool starts_no_transaction(const source_file *f)
{
    static const char marker[] = "-- no-transaction";
    size_t n = sizeof(marker) - 1;
    return f->len >= n && memcmp(f->text, marker, n) == 0 &&
           (f->len == n || f->text[n] == '\n' || f->text[n] == ' ');
}

int golang_migrate_read(migration_set *set, source_file *files, size_t nfiles,
                        const source_options *opts, dbshift_error *err)
{
    source_piece *pieces = calloc(nfiles, sizeof(*pieces));
    if (!pieces)
        return source_nomem(err);
    int rc = 0;
    for (size_t i = 0; i < nfiles; i++) {
        const source_file *f = &files[i];
        source_piece *p = &pieces[i];
        size_t len = strlen(f->base), digits = strspn(f->base, "0123456789");
        size_t suffix = 4; /* ".sql" */
        if (f->kind == SOURCE_KIND_UPDOWN) {
            p->down = len > 9 && strcmp(f->base + len - 9, ".down.sql") == 0;
            suffix = p->down ? 9 : 7;
        } else {
            p->no_transaction = starts_no_transaction(f);
        }
        p->file = f;
        p->version = xstrndup(f->base, digits);
        p->name = xstrndup(f->base + digits + 1, len - suffix - digits - 1);
        if (!p->version || !p->name) {
            rc = source_nomem(err);
            break;
        }
    }
    if (rc == 0)
        rc = source_pair(set, pieces, nfiles, false, NULL, opts, err);
    source_pieces_free(pieces, nfiles);
    return rc;
}
