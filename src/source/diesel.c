/*
 * diesel.c - reader of diesel migrations: one folder per migration,
 * `<version>_<name>/up.sql` and `down.sql`, the version being digits and
 * dashes (`2019-02-26-002946`, `2025-08-01-000017-0000`,
 * `00000000000000`) kept as written. A `metadata.toml` with
 * `run_in_transaction = false` makes both directions run outside a
 * transaction, as diesel does.
 */
#include "source/formats.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

/* True when metadata.toml sets run_in_transaction = false. */
static bool no_transaction(const source_file *meta)
{
    const char *p = meta->text, *end = meta->text + meta->len;
    while (p < end) {
        size_t n = source_line_len(p, end);
        const char *q = source_skip_blank(p, p + n), *eol = p + n;
        const char *r = source_word(q, eol, "run_in_transaction");
        if (!r && eol - q > 18 && memcmp(q, "run_in_transaction=", 19) == 0)
            r = q + 18;
        if (r) {
            r = source_skip_blank(r, eol);
            if (r < eol && *r == '=') {
                r = source_skip_blank(r + 1, eol);
                if (eol - r >= 5 && memcmp(r, "false", 5) == 0)
                    return true;
            }
        }
        p = eol + 1;
    }
    return false;
}

int diesel_read(migration_set *set, source_file *files, size_t nfiles, const source_options *opts,
                dbshift_error *err)
{
    source_piece *pieces = calloc(nfiles ? nfiles : 1, sizeof(*pieces));
    if (!pieces)
        return source_nomem(err);
    size_t npieces = 0;
    int rc = 0;
    /* Files come sorted by path, so a folder's files are next to each other. */
    for (size_t i = 0; i < nfiles && rc == 0;) {
        const char *slash = strchr(files[i].rel, '/');
        size_t dlen = (size_t)(slash - files[i].rel);
        size_t j = i;
        while (j < nfiles && strncmp(files[j].rel, files[i].rel, dlen + 1) == 0)
            j++;
        bool notx = false;
        for (size_t k = i; k < j; k++)
            if (strcmp(files[k].base, "metadata.toml") == 0)
                notx = no_transaction(&files[k]);
        const char *dir = files[i].rel;
        size_t vlen = strspn(dir, "0123456789-");
        if (vlen >= dlen || dir[vlen] != '_' || dir[vlen - 1] == '-') {
            rc = source_error(err, files[i].path, 0,
                              "folder name is not a diesel migration (<version>_<name>)");
            break;
        }
        for (size_t k = i; k < j && rc == 0; k++) {
            if (strcmp(files[k].base, "metadata.toml") == 0)
                continue;
            source_piece *p = &pieces[npieces++];
            p->file = &files[k];
            p->down = strcmp(files[k].base, "down.sql") == 0;
            p->no_transaction = notx;
            p->version = xstrndup(dir, vlen);
            p->name = xstrndup(dir + vlen + 1, dlen - vlen - 1);
            if (!p->version || !p->name)
                rc = source_nomem(err);
        }
        i = j;
    }
    if (rc == 0)
        rc = source_pair(set, pieces, npieces, false, NULL, opts, err);
    source_pieces_free(pieces, npieces);
    return rc;
}
