/*
 * memory.c - migrations compiled into the program by `dbshift embed`. The
 * generated C holds every file of the folder byte for byte, so reading it
 * goes through exactly the same readers as the folder did (no second parser
 * to drift from the first); what the generator also recorded, the versions,
 * names and checksums it saw, is then compared with what was read, so a
 * generated file edited by hand or from another dbshift never runs
 * migrations that are not the ones the developer embedded.
 */
#include "source/memory.h"

#include <stdlib.h>
#include <string.h>

#include "source/formats.h"
#include "util/err.h"

static int mismatch(dbshift_error *err, const dbshift_embedded *emb, const char *what,
                    const char *version, const char *name)
{
    err_set(err, DBSHIFT_EPARSE,
            "the compiled-in migrations from '%s' are inconsistent: %s (%s%s%s)",
            emb->origin ? emb->origin : "?", what, version && *version ? version : "",
            version && *version ? " " : "", name ? name : "");
    err_hint(err, "regenerate the file with `dbshift embed` and rebuild the program");
    return DBSHIFT_EPARSE;
}

static int check_recorded(const migration_set *set, const dbshift_embedded *emb, dbshift_error *err)
{
    if (emb->nmigrations != set->count)
        return mismatch(err, emb, "the number of migrations differs from the one recorded", NULL,
                        NULL);
    for (size_t i = 0; i < set->count; i++) {
        const migration *m = &set->items[i];
        const dbshift_embedded_migration *r = &emb->migrations[i];
        const char *version = m->repeatable ? "" : m->version;
        if (m->repeatable != r->repeatable || strcmp(version, r->version ? r->version : "") ||
            strcmp(m->name, r->name ? r->name : ""))
            return mismatch(err, emb, "a migration differs from the one recorded", r->version,
                            r->name);
        if (!r->checksum || strcmp(m->checksum, r->checksum))
            return mismatch(err, emb, "a migration's checksum differs from the one recorded",
                            r->version, r->name);
    }
    return 0;
}

int migration_set_load_embedded(migration_set **out, const dbshift_embedded *emb,
                                const source_options *opts, dbshift_error *err)
{
    *out = NULL;
    if (!emb)
        return err_set(err, DBSHIFT_EUSAGE, "no compiled-in migrations given");
    if (emb->abi != DBSHIFT_EMBEDDED_ABI)
        return err_set(err, DBSHIFT_EUNSUPPORTED,
                       "the compiled-in migrations were generated for layout %d, this library "
                       "reads layout %d: regenerate them with this dbshift",
                       emb->abi, DBSHIFT_EMBEDDED_ABI);
    source_memory_file *files = NULL;
    if (emb->nfiles) {
        files = calloc(emb->nfiles, sizeof(*files));
        if (!files)
            return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < emb->nfiles; i++) {
        files[i].rel = emb->files[i].path;
        files[i].text = emb->files[i].content;
        files[i].len = emb->files[i].len;
    }
    source_options local = opts ? *opts : (source_options){0};
    local.format = NULL;
    migration_set *set = NULL;
    int rc = source_load_memory(&set, emb->origin ? emb->origin : "embedded", files, emb->nfiles,
                                emb->format, &local, err);
    free(files);
    if (rc == 0)
        rc = check_recorded(set, emb, err);
    if (rc) {
        migration_set_free(set);
        return rc;
    }
    *out = set;
    return 0;
}
