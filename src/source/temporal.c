/*
 * temporal.c - reader of temporal-sql-tool folders (temporalio/temporal's
 * schema/<engine>/<db>/versioned): one folder per schema version,
 * `v<MAJOR>.<MINOR>/manifest.json`, whose "SchemaUpdateCqlFiles" lists the
 * SQL files to run, in order. The manifest is authoritative: a .sql file it
 * does not list is never run (temporal leaves superseded ones in place),
 * and an empty list is allowed only with "AllowNoCqlFiles": true (the
 * version is still recorded). Versions order numerically part by part, so
 * v1.10 follows v1.9. The tool runs every statement on its own, outside a
 * transaction, and so does dbshift here.
 *
 * Each listed file becomes its own migration, so an error names the file
 * and line it is in and history says which files of a version ran: the
 * first file carries the version itself ("1.5"), the k-th (k >= 2) the
 * version "1.5.<k-1>", which sorts between 1.5 and 1.6 and can never clash
 * with a temporal version (they have two parts). There are no downs.
 */
#include "source/formats.h"
#include "util/err.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "v1.5" -> "1.5" when the folder name is v<digits>.<digits>; else NULL. */
static const char *folder_version(const char *folder, size_t len)
{
    if (len < 4 || folder[0] != 'v')
        return NULL;
    size_t i = 1, digits = 0, dots = 0;
    for (; i < len; i++) {
        if (folder[i] >= '0' && folder[i] <= '9')
            digits++;
        else if (folder[i] == '.' && digits && folder[i - 1] != '.')
            dots++;
        else
            return NULL;
    }
    return dots == 1 && folder[len - 1] != '.' ? folder + 1 : NULL;
}

static const source_file *find_rel(source_file *files, size_t nfiles, const char *rel)
{
    for (size_t i = 0; i < nfiles; i++)
        if (strcmp(files[i].rel, rel) == 0)
            return &files[i];
    return NULL;
}

/* Adds the migration for one listed file (or, file NULL, for a version
 * with no files: an empty section on the manifest). */
static int add_file(migration_set *set, const char *version, const char *description,
                    const source_file *manifest, const source_file *file, dbshift_error *err)
{
    migration *m = source_add(set);
    if (!m)
        return source_nomem(err);
    const source_file *src = file ? file : manifest;
    m->version = xstrdup(version);
    /* A file's own name says more than the version's description. */
    size_t blen = strlen(src->base);
    if (file)
        m->name = xstrndup(src->base,
                           blen > 4 && !strcmp(src->base + blen - 4, ".sql") ? blen - 4 : blen);
    else
        m->name = xstrdup(description && *description ? description : "");
    m->file = xstrdup(src->path);
    if (!m->version || !m->name || !m->file)
        return source_nomem(err);
    int rc = source_section_set(&m->up, src, file ? file->text : "", file ? file->len : 0, 1, err);
    if (rc)
        return rc;
    m->up.no_transaction = true;
    /* The manifest's description is part of what was applied for an empty
     * version; a file's own bytes are otherwise. */
    return checksum_files(&m->checksum, src->text, src->len, NULL, 0) ? source_nomem(err) : 0;
}

static int read_manifest(migration_set *set, source_file *files, size_t nfiles,
                         const source_file *f, dbshift_error *err)
{
    const char *slash = strchr(f->rel, '/');
    size_t folder_len = slash ? (size_t)(slash - f->rel) : 0;
    const char *version = slash ? folder_version(f->rel, folder_len) : NULL;
    if (!version)
        return source_error(err, f->path, 0,
                            "a temporal manifest must sit in a folder named v<major>.<minor>");
    json_error_t jerr;
    json_t *doc = json_loadb(f->text, f->len, 0, &jerr);
    if (!doc)
        return source_error(err, f->path, jerr.line, "invalid manifest: %s", jerr.text);
    int rc = 0;
    const char *current = json_string_value(json_object_get(doc, "CurrVersion"));
    const char *description = json_string_value(json_object_get(doc, "Description"));
    json_t *list = json_object_get(doc, "SchemaUpdateCqlFiles");
    size_t nlisted = json_is_array(list) ? json_array_size(list) : 0;
    char *folder = xstrndup(version, folder_len - 1);
    if (!folder) {
        rc = source_nomem(err);
    } else if (!current || strcmp(current, folder) != 0) {
        rc = source_error(err, f->path, 0,
                          "the manifest's CurrVersion (%s) does not match its folder v%s",
                          current ? current : "missing", folder);
    } else if (list && !json_is_array(list)) {
        rc = source_error(err, f->path, 0, "SchemaUpdateCqlFiles must be a list of file names");
    } else if (nlisted == 0 && !json_is_true(json_object_get(doc, "AllowNoCqlFiles"))) {
        rc = source_error(err, f->path, 0,
                          "the manifest lists no files and does not say AllowNoCqlFiles");
    } else if (nlisted == 0) {
        rc = add_file(set, current, description, f, NULL, err);
    }
    buf rel = BUF_INIT;
    buf sub = BUF_INIT;
    for (size_t k = 0; rc == 0 && k < nlisted; k++) {
        const char *name = json_string_value(json_array_get(list, k));
        if (!name || !*name || strchr(name, '/')) {
            rc = source_error(err, f->path, 0,
                              "SchemaUpdateCqlFiles entry %zu is not a file name in the folder",
                              k + 1);
            break;
        }
        buf_clear(&rel);
        buf_addf(&rel, "%.*s/%s", (int)folder_len, f->rel, name);
        buf_clear(&sub);
        if (k == 0)
            buf_adds(&sub, current);
        else
            buf_addf(&sub, "%s.%zu", current, k);
        if (buf_failed(&rel) || buf_failed(&sub)) {
            rc = source_nomem(err);
            break;
        }
        const source_file *file = find_rel(files, nfiles, rel.ptr);
        if (!file) {
            rc = source_error(err, f->path, 0, "the manifest lists '%s', which is not in v%s", name,
                              folder);
            break;
        }
        rc = add_file(set, sub.ptr, description, f, file, err);
    }
    buf_release(&rel);
    buf_release(&sub);
    free(folder);
    json_decref(doc);
    return rc;
}

int temporal_read(migration_set *set, source_file *files, size_t nfiles, const source_options *opts,
                  dbshift_error *err)
{
    (void)opts;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < nfiles; i++)
        if (strcmp(files[i].base, "manifest.json") == 0)
            rc = read_manifest(set, files, nfiles, &files[i], err);
    return rc;
}
