/*
 * plan.c - merging the migration files with the history rows into one
 * ordered list of states (see plan.h). Both inputs are sorted the same way,
 * so the merge is linear after sorting the history rows.
 */
#include "core/plan.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "util/err.h"

static int cmp_rows(const void *a, const void *b)
{
    const applied_row *x = *(applied_row *const *)a, *y = *(applied_row *const *)b;
    return version_compare(x->version, y->version);
}

static bool is_repeatable_row(const applied_row *r)
{
    return strcmp(r->kind, HISTORY_REPEATABLE) == 0;
}

static int row_state(const migration *m, const applied_row *r)
{
    if (strcmp(r->status, HISTORY_FAILED) == 0)
        return DBSHIFT_STATE_FAILED;
    if (strcmp(r->status, HISTORY_MANUAL) == 0)
        return DBSHIFT_STATE_MANUAL;
    if (strcmp(r->status, HISTORY_RESOLVED) == 0)
        return DBSHIFT_STATE_PENDING;
    if (!m)
        return DBSHIFT_STATE_MISSING;
    if (r->checksum && m->checksum && strcmp(r->checksum, m->checksum) != 0)
        return DBSHIFT_STATE_CHANGED;
    if (strcmp(r->kind, HISTORY_BASELINE) == 0)
        return DBSHIFT_STATE_BASELINE;
    return DBSHIFT_STATE_APPLIED;
}

int plan_build(dbshift *db, plan *out)
{
    return plan_build_ex(db, out, false);
}

/* Connects and reads the history; read_only then closes a SQLite file's
 * connection, so its parsed schema and page cache are freed at once. */
static int read_history(dbshift *db, applied_list *out, bool read_only)
{
    int rc = handle_connect(db);
    /* A connection closed after one front-to-back read gains nothing from
     * SQLite's 2 MB page cache; a schema of 10,000 tables fills it. */
    if (rc == 0 && read_only && db->sqlite_path && !db->locked)
        rc = db->driver->exec(db->conn, "PRAGMA cache_size = -64", &db->error);
    if (rc == 0)
        rc = history_read(db, out);
    if (rc == 0 && read_only)
        handle_release_idle_connection(db);
    return rc;
}

typedef struct history_job {
    dbshift *db;
    applied_list *out;
    int rc;
} history_job;

static void *history_job_main(void *arg)
{
    history_job *job = arg;
    job->rc = read_history(job->db, job->out, true);
    return NULL;
}

/*
 * Status and validate on a SQLite file: the history is read on a second
 * thread while this one reads the migrations folder. The two take about
 * as long each (SQLite parses the whole schema before the first query: 30
 * ms for 10,000 tables; opening 10,000 files takes 40), so on two cores
 * the wait is about halved. Only the history thread uses the connection;
 * the folder read writes nothing in db. Returns false when no thread could
 * be started (nothing was done then).
 */
static bool read_both(dbshift *db, plan *out, int *rc)
{
    history_job job = {db, &out->applied, 0};
    pthread_t thread;
    if (pthread_create(&thread, NULL, history_job_main, &job) != 0)
        return false;
    migration_set *set = NULL;
    dbshift_error err = {0};
    int load_rc = handle_read_source(db, &set, true, &err);
    pthread_join(thread, NULL);
    *rc = job.rc;
    if (*rc == 0 && load_rc) {
        dbshift_error_clear(&db->error);
        db->error = err;
        memset(&err, 0, sizeof(err));
        *rc = load_rc;
    } else if (*rc == 0) {
        db->set = set;
        set = NULL;
    }
    migration_set_free(set);
    dbshift_error_clear(&err);
#ifdef __GLIBC__
    /* The schema SQLite parsed was freed in the other thread's malloc
     * arena, where this thread's allocations cannot reuse it: hand it back
     * to the system, or the status built next adds to the peak instead. */
    malloc_trim(0);
#endif
    return true;
}

int plan_build_ex(dbshift *db, plan *out, bool read_only)
{
    memset(out, 0, sizeof(*out));
    int rc;
    /* History first otherwise: a read-only caller can then close a SQLite
     * connection before the files are read, so the two never sit in memory
     * together. */
    bool both = read_only && db->sqlite_path && !db->set && !db->conn && read_both(db, out, &rc);
    if (!both)
        rc = read_history(db, &out->applied, read_only);
    if (rc == 0)
        rc = handle_load_source_as(db, read_only);
    if (rc) {
        applied_list_release(&out->applied);
        return rc;
    }
    migration_set *set = db->set;
    applied_list *ap = &out->applied;

    /* Versioned rows in version order. */
    applied_row **rows = calloc(ap->count + 1, sizeof(*rows));
    size_t nrows = 0;
    out->items = calloc(set->count + ap->count + 1, sizeof(*out->items));
    if (!rows || !out->items) {
        free(rows);
        plan_release(out);
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < ap->count; i++)
        if (!is_repeatable_row(&ap->items[i]))
            rows[nrows++] = &ap->items[i];
    /* Rows usually come back in the order they were written, which is
     * version order: check before sorting 10,000 of them again. */
    size_t sorted = 1;
    while (sorted < nrows && cmp_rows(&rows[sorted - 1], &rows[sorted]) <= 0)
        sorted++;
    if (sorted < nrows)
        qsort(rows, nrows, sizeof(*rows), cmp_rows);
    for (size_t k = nrows; k-- > 0;) {
        if (strcmp(rows[k]->status, HISTORY_APPLIED) == 0) {
            out->newest_applied = rows[k]->version;
            break;
        }
    }

    size_t nver = 0;
    while (nver < set->count && !set->items[nver].repeatable)
        nver++;
    if (nver)
        out->newest_known = set->items[nver - 1].version;

    size_t i = 0, j = 0;
    while (i < nver || j < nrows) {
        int c;
        if (i == nver)
            c = 1;
        else if (j == nrows)
            c = -1;
        else
            c = version_compare(set->items[i].version, rows[j]->version);
        plan_item *it = &out->items[out->count++];
        if (c < 0) {
            it->m = &set->items[i++];
            bool older =
                out->newest_applied && version_compare(it->m->version, out->newest_applied) < 0;
            it->state = older ? DBSHIFT_STATE_OUT_OF_ORDER : DBSHIFT_STATE_PENDING;
        } else if (c > 0) {
            it->row = rows[j++];
            it->state = row_state(NULL, it->row);
        } else {
            it->m = &set->items[i++];
            it->row = rows[j++];
            it->state = row_state(it->m, it->row);
        }
    }
    free(rows);
    for (size_t k = nver; k < set->count; k++) {
        plan_item *it = &out->items[out->count++];
        it->m = &set->items[k];
        it->row = applied_find(ap, HISTORY_REPEATABLE, it->m->name);
        if (it->row && strcmp(it->row->status, HISTORY_FAILED) == 0)
            it->state = DBSHIFT_STATE_FAILED;
        else if (it->row && it->row->checksum && strcmp(it->row->checksum, it->m->checksum) == 0)
            it->state = DBSHIFT_STATE_REPEATABLE;
        else
            it->state = DBSHIFT_STATE_REPEATABLE_PENDING;
    }
    return 0;
}

void plan_release(plan *p)
{
    free(p->items);
    applied_list_release(&p->applied);
    memset(p, 0, sizeof(*p));
}

const char *dbshift_state_name(int state)
{
    switch (state) {
    case DBSHIFT_STATE_APPLIED:
        return "applied";
    case DBSHIFT_STATE_PENDING:
        return "pending";
    case DBSHIFT_STATE_FAILED:
        return "failed";
    case DBSHIFT_STATE_CHANGED:
        return "changed";
    case DBSHIFT_STATE_MISSING:
        return "missing";
    case DBSHIFT_STATE_OUT_OF_ORDER:
        return "out_of_order";
    case DBSHIFT_STATE_REPEATABLE:
        return "repeatable";
    case DBSHIFT_STATE_REPEATABLE_PENDING:
        return "repeatable_pending";
    case DBSHIFT_STATE_MANUAL:
        return "manual";
    case DBSHIFT_STATE_BASELINE:
        return "baseline";
    default:
        return "unknown";
    }
}

const char *plan_state_note(int state)
{
    switch (state) {
    case DBSHIFT_STATE_CHANGED:
        return "file edited after it ran";
    case DBSHIFT_STATE_MISSING:
        return "applied, but its file is gone";
    case DBSHIFT_STATE_FAILED:
        return "failed part-way: run `dbshift up --resume` or `dbshift repair`";
    case DBSHIFT_STATE_OUT_OF_ORDER:
        return "older than the newest applied migration";
    case DBSHIFT_STATE_MANUAL:
        return "waits for a manual step: `dbshift resolve`";
    default:
        return "";
    }
}
