/*
 * status.c - the read-mostly commands: status, validate, repair, baseline.
 * Status and validate change nothing and take no lock; repair and baseline
 * take the lock and write each change to the log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/handle.h"
#include "core/history.h"
#include "core/plan.h"
#include "util/buf.h"
#include "util/err.h"

/* A status and every string in it: the strings are copied into one block
 * (a status of 10,000 migrations was 70,000 small allocations, more of the
 * peak memory in malloc bookkeeping than in text), and the caller still
 * owns the result, which outlives the handle. pub comes first, so the
 * pointer handed out is the pointer freed. */
typedef struct status_block {
    dbshift_status pub;
    char *strings;
} status_block;

/* Copies strings into one block in two passes: the first (to == NULL) only
 * adds up the sizes, the second copies. */
typedef struct string_copier {
    char *to;
    size_t size;
} string_copier;

static const char *copy_string(string_copier *c, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *at = c->to ? memcpy(c->to + c->size, s, n) : NULL;
    c->size += n;
    return at;
}

static void fill_strings(dbshift_status *st, const plan *p, const char *format, string_copier *c)
{
    st->format = copy_string(c, format);
    st->current_version = copy_string(c, p->newest_applied);
    for (size_t i = 0; i < p->count; i++) {
        const plan_item *it = &p->items[i];
        dbshift_migration_status *e = &st->migrations[i];
        const char *version = it->m ? it->m->version : it->row->version;
        e->version = copy_string(c, version ? version : "");
        e->name = copy_string(c, it->m ? it->m->name : it->row->name);
        e->file = copy_string(c, it->m ? it->m->file : NULL);
        e->checksum = copy_string(c, it->m ? it->m->checksum : NULL);
        if (it->row) {
            e->applied_at = copy_string(c, it->row->applied_at);
            /* Equal in the common case: one copy serves both. */
            if (it->m && it->m->checksum && it->row->checksum &&
                !strcmp(it->m->checksum, it->row->checksum))
                e->applied_checksum = e->checksum;
            else
                e->applied_checksum = copy_string(c, it->row->checksum);
            e->error = copy_string(c, it->row->error);
        }
    }
}

void dbshift_status_free(dbshift_status *st)
{
    if (!st)
        return;
    status_block *b = (status_block *)st;
    free(st->migrations);
    free(b->strings);
    free(b);
}

int dbshift_status_get(dbshift_status **out, dbshift *db)
{
    *out = NULL;
    dbshift_error_clear(&db->error);
    plan p;
    int rc = plan_build_ex(db, &p, true);
    if (rc)
        return rc;
    status_block *b = calloc(1, sizeof(*b));
    dbshift_status *st = b ? &b->pub : NULL;
    string_copier sizes = {0};
    if (st && (st->migrations = calloc(p.count + 1, sizeof(*st->migrations)))) {
        fill_strings(st, &p, db->set->format, &sizes);
        b->strings = malloc(sizes.size + 1);
    }
    if (!st || !st->migrations || !b->strings) {
        dbshift_status_free(st);
        plan_release(&p);
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    }
    string_copier copy = {b->strings, 0};
    fill_strings(st, &p, db->set->format, &copy);
    st->nfiles = db->set->nfiles;
    for (size_t i = 0; i < p.count; i++) {
        plan_item *it = &p.items[i];
        dbshift_migration_status *e = &st->migrations[st->count++];
        e->state = it->state;
        e->repeatable = it->m ? it->m->repeatable : false;
        e->execution_ms = -1;
        if (it->row) {
            e->execution_ms = it->row->execution_ms;
            e->statements_done = it->row->statements_done;
        }
        switch (it->state) {
        case DBSHIFT_STATE_PENDING:
        case DBSHIFT_STATE_OUT_OF_ORDER:
        case DBSHIFT_STATE_REPEATABLE_PENDING:
            st->pending++;
            break;
        case DBSHIFT_STATE_APPLIED:
        case DBSHIFT_STATE_BASELINE:
        case DBSHIFT_STATE_REPEATABLE:
            st->applied++;
            break;
        case DBSHIFT_STATE_FAILED:
            st->failed++;
            break;
        case DBSHIFT_STATE_CHANGED:
            st->changed++;
            st->applied++;
            break;
        case DBSHIFT_STATE_MISSING:
            st->missing++;
            st->applied++;
            break;
        default:
            break;
        }
    }
    plan_release(&p);
    *out = st;
    return 0;
}

void dbshift_problems_free(dbshift_problems *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->count; i++) {
        free(p->items[i].version);
        free(p->items[i].name);
        free(p->items[i].file);
        free(p->items[i].message);
    }
    free(p->items);
    free(p);
}

static int add_problem(dbshift_problems *ps, const plan_item *it, const char *message)
{
    dbshift_problem *items = realloc(ps->items, (ps->count + 1) * sizeof(*items));
    if (!items)
        return DBSHIFT_ENOMEM;
    ps->items = items;
    dbshift_problem *pr = &items[ps->count++];
    pr->version = xstrdup(it->m ? it->m->version : it->row->version);
    pr->name = xstrdup(it->m ? it->m->name : it->row->name);
    pr->file = xstrdup(it->m ? it->m->file : NULL);
    pr->state = it->state;
    pr->message = xstrdup(message);
    return 0;
}

/* Collects the changed, missing and failed migrations of a plan. */
static int collect_problems(const plan *p, dbshift_problems *ps)
{
    for (size_t i = 0; i < p->count; i++) {
        const plan_item *it = &p->items[i];
        buf msg = BUF_INIT;
        switch (it->state) {
        case DBSHIFT_STATE_CHANGED:
            buf_addf(&msg, "'%s' changed after it was applied (recorded %s, now %s)", it->m->file,
                     it->row->checksum, it->m->checksum);
            break;
        case DBSHIFT_STATE_MISSING:
            buf_addf(&msg, "version %s (%s) was applied but its file is missing", it->row->version,
                     it->row->name);
            break;
        case DBSHIFT_STATE_FAILED:
            buf_addf(&msg, "version %s failed after %d statement(s): %s", it->row->version,
                     it->row->statements_done, it->row->error ? it->row->error : "no detail");
            break;
        default:
            continue;
        }
        int rc = buf_failed(&msg) ? DBSHIFT_ENOMEM : add_problem(ps, it, msg.ptr);
        buf_release(&msg);
        if (rc)
            return rc;
    }
    return 0;
}

int dbshift_validate(dbshift_problems **out, dbshift *db)
{
    *out = NULL;
    dbshift_error_clear(&db->error);
    plan p;
    int rc = plan_build_ex(db, &p, true);
    if (rc)
        return rc;
    dbshift_problems *ps = calloc(1, sizeof(*ps));
    if (!ps || collect_problems(&p, ps)) {
        dbshift_problems_free(ps);
        plan_release(&p);
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    }
    plan_release(&p);
    *out = ps;
    if (ps->count) {
        return err_set(&db->error, DBSHIFT_ECHECKSUM,
                       "validation failed: %zu migration(s) changed, missing or failed", ps->count);
    }
    return 0;
}

/* Writes one history change and its log row in one transaction. */
static int write_change(dbshift *db, const dbshift_stmt *change, const log_entry *le)
{
    stmt_store ls = {0};
    dbshift_stmt items[4];
    size_t n = 0;
    items[n++] = (dbshift_stmt){.kind = DBSHIFT_STMT_BEGIN};
    items[n++] = *change;
    log_insert_stmt(db, &ls, le, &items[n++]);
    items[n++] = (dbshift_stmt){.kind = DBSHIFT_STMT_COMMIT};
    size_t failed;
    int rc = db->driver->run(db->conn, items, n, &failed, &db->error);
    stmt_store_release(&ls);
    return rc;
}

/* Takes the lock, makes sure the history tables exist and builds the plan:
 * the start of every command that changes history. On failure the lock is
 * released again. */
static int lock_and_plan(dbshift *db, plan *p)
{
    int rc = handle_lock(db);
    if (rc == 0)
        rc = history_ensure(db);
    if (rc == 0)
        rc = plan_build(db, p);
    if (rc)
        handle_unlock(db);
    return rc;
}

int dbshift_repair(dbshift_problems **out, dbshift *db)
{
    *out = NULL;
    dbshift_error_clear(&db->error);
    plan p;
    int rc = lock_and_plan(db, &p);
    if (rc)
        return rc;
    dbshift_problems *ps = calloc(1, sizeof(*ps));
    if (!ps) {
        plan_release(&p);
        handle_unlock(db);
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    }
    char now[32];
    handle_now(now);
    for (size_t i = 0; i < p.count && rc == 0; i++) {
        plan_item *it = &p.items[i];
        stmt_store s = {0};
        dbshift_stmt st;
        buf msg = BUF_INIT;
        const char *kind = it->row ? it->row->kind : HISTORY_VERSIONED;
        if (it->state == DBSHIFT_STATE_CHANGED) {
            buf_init(&s.sql);
            s.values[0] = xstrdup(it->m->checksum);
            s.values[1] = xstrdup(kind);
            s.values[2] = xstrdup(it->row->version);
            for (int k = 0; k < 3; k++)
                s.params[k] = s.values[k];
            s.n = 3;
            buf_addf(&s.sql, "UPDATE %s SET checksum = ? WHERE kind = ? AND version = ?",
                     db->q_migrations);
            st = (dbshift_stmt){DBSHIFT_STMT_SQL, s.sql.ptr, s.sql.len, s.params, s.n};
            buf_addf(&msg, "accepted the new checksum of '%s' (was %s)", it->m->file,
                     it->row->checksum);
        } else if (it->state == DBSHIFT_STATE_FAILED) {
            /* The failed row goes: the migration is pending again. Which
             * statements ran is in the message so the user can undo or
             * finish them by hand. */
            history_delete_stmt(db, &s, kind, it->row->version, &st);
            buf_addf(&msg,
                     "cleared the failed mark of version %s: %d statement(s) had run; undo "
                     "them (or finish the migration by hand and run `dbshift baseline`) "
                     "before the next `dbshift up`",
                     it->row->version, it->row->statements_done);
        } else if (it->state == DBSHIFT_STATE_MISSING) {
            /* validate sends users here for missing files too; without
             * this the run stays blocked until the file comes back. */
            history_delete_stmt(db, &s, kind, it->row->version, &st);
            buf_addf(&msg,
                     "forgot version %s (%s), whose file is missing; what it changed stays in "
                     "the database",
                     it->row->version, it->row->name);
        } else {
            continue;
        }
        log_entry le = {0};
        le.version = it->m ? it->m->version : it->row->version;
        le.name = it->m ? it->m->name : it->row->name;
        le.direction = "repair";
        le.started_at = now;
        le.success = true;
        le.error = msg.ptr;
        rc = write_change(db, &st, &le);
        if (rc == 0 && add_problem(ps, it, msg.ptr))
            rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
        stmt_store_release(&s);
        buf_release(&msg);
    }
    plan_release(&p);
    handle_unlock(db);
    if (rc) {
        dbshift_problems_free(ps);
        return rc;
    }
    *out = ps;
    return 0;
}

int dbshift_baseline(dbshift *db, const char *version)
{
    dbshift_error_clear(&db->error);
    if (!version || !*version)
        return err_set(&db->error, DBSHIFT_EUSAGE, "baseline needs a version");
    plan p;
    int rc = lock_and_plan(db, &p);
    if (rc)
        return rc;
    if (!migration_set_find(db->set, version)) {
        rc = err_set(&db->error, DBSHIFT_ENOTFOUND, "no migration with version '%s' in '%s'",
                     version, db->migrations_dir);
    }
    char now[32];
    handle_now(now);
    size_t marked = 0;
    for (size_t i = 0; i < p.count && rc == 0; i++) {
        plan_item *it = &p.items[i];
        if (!it->m || it->m->repeatable || version_compare(it->m->version, version) > 0)
            continue;
        if (it->state != DBSHIFT_STATE_PENDING && it->state != DBSHIFT_STATE_OUT_OF_ORDER)
            continue;
        stmt_store s = {0};
        dbshift_stmt st;
        history_entry he = {it->m->version,
                            it->m->name,
                            HISTORY_BASELINE,
                            it->m->checksum,
                            HISTORY_APPLIED,
                            0,
                            NULL,
                            NULL,
                            0};
        history_insert_stmt(db, &s, &he, &st);
        log_entry le = {0};
        le.version = it->m->version;
        le.name = it->m->name;
        le.direction = "baseline";
        le.started_at = now;
        le.success = true;
        rc = write_change(db, &st, &le);
        stmt_store_release(&s);
        marked++;
    }
    plan_release(&p);
    handle_unlock(db);
    if (rc == 0)
        handle_log(db, DBSHIFT_LOG_INFO, "baseline: marked %zu migration(s) up to %s as applied",
                   marked, version);
    return rc;
}

int dbshift_history_get(dbshift_history **out, dbshift *db, size_t limit)
{
    *out = NULL;
    dbshift_error_clear(&db->error);
    int rc = handle_connect(db);
    if (rc)
        return rc;
    return history_read_log(db, out, limit);
}

int dbshift_resolve(dbshift *db, const char *version)
{
    dbshift_error_clear(&db->error);
    if (!version || !*version)
        return err_set(&db->error, DBSHIFT_EUSAGE, "resolve needs a version");
    plan p;
    int rc = lock_and_plan(db, &p);
    if (rc)
        return rc;
    plan_item *found = NULL;
    for (size_t i = 0; i < p.count; i++) {
        plan_item *it = &p.items[i];
        if (it->row && (it->state == DBSHIFT_STATE_MANUAL || it->state == DBSHIFT_STATE_FAILED) &&
            version_compare(it->row->version, version) == 0)
            found = it;
    }
    if (!found) {
        rc = err_set(&db->error, DBSHIFT_ENOTFOUND,
                     "migration %s neither waits for a manual step nor is marked failed", version);
    } else {
        bool manual = found->state == DBSHIFT_STATE_MANUAL;
        stmt_store s = {0};
        buf_init(&s.sql);
        const char *values[] = {manual ? HISTORY_RESOLVED : HISTORY_APPLIED, found->row->kind,
                                found->row->version};
        for (int k = 0; k < 3; k++) {
            s.values[k] = xstrdup(values[k]);
            s.params[k] = s.values[k];
        }
        s.n = 3;
        buf_addf(&s.sql, "UPDATE %s SET status = ?, error = NULL WHERE kind = ? AND version = ?",
                 db->q_migrations);
        dbshift_stmt st = {DBSHIFT_STMT_SQL, s.sql.ptr, s.sql.len, s.params, s.n};
        char now[32];
        handle_now(now);
        log_entry le = {0};
        le.version = found->row->version;
        le.name = found->row->name;
        le.direction = "resolve";
        le.started_at = now;
        le.success = true;
        le.error = manual ? "manual step done" : "finished by hand";
        rc = write_change(db, &st, &le);
        stmt_store_release(&s);
    }
    plan_release(&p);
    handle_unlock(db);
    return rc;
}
