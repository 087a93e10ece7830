/*
 * pairs.c - assembling migrations for the formats that keep up and down in
 * separate files (golang-migrate, sqlx, Flyway undo, diesel, popx): the
 * readers describe each file as a piece, and this groups pieces by version
 * with one sort, picks the winning file per direction and builds the
 * sections, so version clashes are reported the same way for every format.
 */
#include "source/formats.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

void source_pieces_free(source_piece *pieces, size_t npieces)
{
    for (size_t i = 0; i < npieces; i++) {
        free(pieces[i].version);
        free(pieces[i].name);
    }
    free(pieces);
}

static int compare_pieces(const void *pa, const void *pb)
{
    const source_piece *a = pa, *b = pb;
    int c = version_compare(a->version, b->version);
    if (c)
        return c;
    if (a->down != b->down)
        return a->down ? 1 : -1;
    if (a->rank != b->rank)
        return a->rank > b->rank ? -1 : 1;
    return strcmp(a->file->rel, b->file->rel);
}

static int fill_section(migration_section *sec, const source_piece *p, source_render_fn render,
                        const source_options *opts, dbshift_error *err)
{
    const source_file *f = p->file;
    int rc;
    if (render) {
        buf b = BUF_INIT;
        rc = render(&b, f, opts, err);
        if (rc == 0 && buf_failed(&b))
            rc = source_nomem(err);
        if (rc == 0)
            rc = source_section_set(sec, f, b.ptr, b.len, 1, err);
        buf_release(&b);
    } else {
        rc = source_section_set(sec, f, f->text, f->len, 1, err);
    }
    sec->no_transaction = p->no_transaction;
    return rc;
}

static int clash(const source_piece *a, const source_piece *b, dbshift_error *err)
{
    err_set(err, DBSHIFT_EPARSE, "duplicate migration version %s: '%s' and '%s'", b->version,
            a->file->path, b->file->path);
    if (err) {
        err_set_field(&err->file, b->file->path);
        err_hint(err, "give one of them a new version");
    }
    return DBSHIFT_EPARSE;
}

static int build_group(migration_set *set, const source_piece *g, size_t n, bool skip_orphans,
                       source_render_fn render, const source_options *opts, dbshift_error *err)
{
    /* Sorted: ups first, best rank first, so g[0] is the up if any. */
    const source_piece *up = NULL, *down = NULL;
    for (size_t i = 0; i < n; i++) {
        const source_piece **slot = g[i].down ? &down : &up;
        if (!*slot)
            *slot = &g[i];
        else if ((*slot)->rank == g[i].rank)
            return clash(*slot, &g[i], err);
    }
    if (!up) {
        if (skip_orphans)
            return 0;
        return source_error(err, down->file->path, 0, "down migration without an up migration");
    }
    migration *m = source_add(set);
    if (!m)
        return source_nomem(err);
    m->version = xstrdup(up->version);
    m->name = xstrdup(up->name);
    m->file = xstrdup(up->file->path);
    if (!m->version || !m->name || !m->file)
        return source_nomem(err);
    int rc = fill_section(&m->up, up, render, opts, err);
    if (rc == 0 && down)
        rc = fill_section(&m->down, down, render, opts, err);
    if (rc == 0 && checksum_files(&m->checksum, up->file->text, up->file->len,
                                  down ? down->file->text : NULL, down ? down->file->len : 0))
        rc = source_nomem(err);
    return rc;
}

int source_pair(migration_set *set, source_piece *pieces, size_t npieces, bool skip_orphans,
                source_render_fn render, const source_options *opts, dbshift_error *err)
{
    if (npieces)
        qsort(pieces, npieces, sizeof(*pieces), compare_pieces);
    int rc = 0;
    for (size_t i = 0; i < npieces && rc == 0;) {
        size_t j = i + 1;
        while (j < npieces && version_compare(pieces[i].version, pieces[j].version) == 0)
            j++;
        rc = build_group(set, pieces + i, j - i, skip_orphans, render, opts, err);
        i = j;
    }
    return rc;
}
