/*
 * fault.c - test fault injection in the driver layer (built only with the
 * CMake option DBSHIFT_FAULTS), so tests can prove that a failure in a
 * migration's SQL, in the history write or in the commit leaves history and
 * schema consistent on every engine.
 *
 * Arming a fault connects the handle and slips a wrapper between the core
 * and the driver: a copy of the driver's vtable whose slots forward to the
 * real driver, with the connection replaced by a small record holding the
 * real connection and the armed fault. Only run() and commit() look at the
 * fault; run() executes the items before the chosen one for real, then
 * reports the chosen one as failed exactly as a driver would (rolling back
 * a transaction the batch opened), so the core cannot tell an injected
 * failure from a real one. The wrapper is freed by the close() slot that
 * dbshift_free calls. A fault fires once.
 *
 * The "library" fault is of another kind: it makes the connect itself fail
 * as it does for a user without libpq or libmariadb installed (the drivers
 * load them on first use), so no wrapper is needed.
 */
#ifdef DBSHIFT_FAULTS

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/handle.h"
#include "driver/dynload.h"
#include "util/err.h"

enum fault_kind {
    FAULT_STATEMENT = 1, /* a migration statement: an SQL item without parameters */
    FAULT_HISTORY,       /* a write of the migrations table (insert, update, delete) */
    FAULT_COMMIT,        /* a COMMIT item or the commit() slot */
    FAULT_LIBRARY,       /* the engine's client library cannot be loaded */
};

typedef struct fault_conn {
    dbshift_driver vt; /* first, so the handle's driver pointer is this record */
    const dbshift_driver *real;
    void *conn;
    dbshift *db; /* for the history table's name; outlives the wrapper */
    int kind;
    long nth;  /* fire at the nth matching item */
    long seen; /* matching items already executed */
    bool fired;
    char spec[64];
} fault_conn;

/* A write of the migrations table: the core always binds its values, and
 * names the table right after the verb. */
static bool is_history_write(const fault_conn *fc, const dbshift_stmt *st)
{
    static const char *const verbs[] = {"INSERT INTO ", "UPDATE ", "DELETE FROM "};
    const char *q = fc->db->q_migrations;
    if (st->kind != DBSHIFT_STMT_SQL || !q || st->nparams == 0)
        return false;
    size_t qlen = strlen(q);
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        size_t vlen = strlen(verbs[i]);
        if (st->len > vlen + qlen && memcmp(st->sql, verbs[i], vlen) == 0 &&
            memcmp(st->sql + vlen, q, qlen) == 0 && st->sql[vlen + qlen] == ' ')
            return true;
    }
    return false;
}

static bool matches(const fault_conn *fc, const dbshift_stmt *st)
{
    switch (fc->kind) {
    case FAULT_STATEMENT:
        return st->kind == DBSHIFT_STMT_SQL && st->nparams == 0;
    case FAULT_HISTORY:
        return is_history_write(fc, st);
    case FAULT_COMMIT:
        return st->kind == DBSHIFT_STMT_COMMIT;
    default:
        return false;
    }
}

static int injected(fault_conn *fc, dbshift_error *err)
{
    fc->fired = true;
    int rc = err_set(err, DBSHIFT_ESQL, "injected test fault '%s'", fc->spec);
    err_hint(err, "this failure was asked for by a test (fault injection build)");
    return rc;
}

static int fault_run(void *conn, const dbshift_stmt *stmts, size_t n, size_t *failed,
                     dbshift_error *err)
{
    fault_conn *fc = conn;
    size_t at = n;
    if (!fc->fired) {
        long seen = fc->seen;
        for (size_t i = 0; i < n; i++) {
            if (matches(fc, &stmts[i]) && ++seen == fc->nth) {
                at = i;
                break;
            }
        }
    }
    size_t done = 0;
    int rc = 0;
    if (at > 0)
        rc = fc->real->run(fc->conn, stmts, at, &done, err);
    else
        done = 0;
    size_t counted = rc ? done + 1 : done;
    if (counted > n)
        counted = n;
    for (size_t i = 0; i < counted && i < at; i++)
        if (matches(fc, &stmts[i]))
            fc->seen++;
    if (rc) {
        *failed = done;
        return rc;
    }
    if (at == n) {
        *failed = n;
        return 0;
    }
    /* The prefix ran; now fail the chosen item as the driver would. */
    bool opened = false;
    for (size_t i = 0; i < at; i++) {
        if (stmts[i].kind == DBSHIFT_STMT_BEGIN)
            opened = true;
        else if (stmts[i].kind == DBSHIFT_STMT_COMMIT)
            opened = false;
    }
    /* A failed COMMIT ends the transaction on every engine, whoever opened it. */
    if (opened || fc->kind == FAULT_COMMIT)
        fc->real->rollback(fc->conn, NULL);
    *failed = at;
    rc = injected(fc, err);
    if (err)
        err->statement_index = (int)at + 1;
    return rc;
}

static int fault_commit(void *conn, dbshift_error *err)
{
    fault_conn *fc = conn;
    if (!fc->fired && fc->kind == FAULT_COMMIT && ++fc->seen == fc->nth) {
        fc->real->rollback(fc->conn, NULL);
        return injected(fc, err);
    }
    return fc->real->commit(fc->conn, err);
}

/* --- Plain forwarding ----------------------------------------------------- */

static int fault_open(void **conn, const dbshift_conn_params *params, dbshift_error *err)
{
    (void)params;
    *conn = NULL;
    return err_set(err, DBSHIFT_EUNSUPPORTED, "a fault-injection wrapper cannot reconnect");
}

static void fault_close(void *conn)
{
    fault_conn *fc = conn;
    if (!fc)
        return;
    fc->real->close(fc->conn);
    free(fc);
}

static int fault_exec(void *conn, const char *sql, dbshift_error *err)
{
    fault_conn *fc = conn;
    return fc->real->exec(fc->conn, sql, err);
}

static int fault_query(void *conn, const char *sql, const char *const *params, size_t nparams,
                       dbshift_row_fn row, void *payload, dbshift_error *err)
{
    fault_conn *fc = conn;
    return fc->real->query(fc->conn, sql, params, nparams, row, payload, err);
}

static int fault_begin(void *conn, dbshift_error *err)
{
    fault_conn *fc = conn;
    return fc->real->begin(fc->conn, err);
}

static int fault_rollback(void *conn, dbshift_error *err)
{
    fault_conn *fc = conn;
    return fc->real->rollback(fc->conn, err);
}

static int fault_lock(void *conn, const char *key, int wait_ms, dbshift_error *err)
{
    fault_conn *fc = conn;
    return fc->real->lock(fc->conn, key, wait_ms, err);
}

static int fault_unlock(void *conn, const char *key, dbshift_error *err)
{
    fault_conn *fc = conn;
    return fc->real->unlock(fc->conn, key, err);
}

static int fault_lock_holder(void *conn, const char *key, char **holder, dbshift_error *err)
{
    fault_conn *fc = conn;
    return fc->real->lock_holder(fc->conn, key, holder, err);
}

static int fault_table_exists(void *conn, const char *schema, const char *table, bool *exists,
                              dbshift_error *err)
{
    fault_conn *fc = conn;
    return fc->real->table_exists(fc->conn, schema, table, exists, err);
}

static int fault_backup(void *conn, const char *path, dbshift_event_fn progress, void *payload,
                        dbshift_error *err)
{
    fault_conn *fc = conn;
    return fc->real->backup(fc->conn, path, progress, payload, err);
}

static int fault_restore(void *conn, const char *path, dbshift_error *err)
{
    fault_conn *fc = conn;
    return fc->real->restore(fc->conn, path, err);
}

static char *fault_describe(void *conn)
{
    fault_conn *fc = conn;
    return fc->real->describe(fc->conn);
}

/* "kind" or "kind:N" with N >= 1. */
static int parse_spec(fault_conn *fc, const char *spec, dbshift_error *err)
{
    const char *colon = strchr(spec, ':');
    size_t klen = colon ? (size_t)(colon - spec) : strlen(spec);
    if (klen == 9 && memcmp(spec, "statement", 9) == 0)
        fc->kind = FAULT_STATEMENT;
    else if (klen == 7 && memcmp(spec, "history", 7) == 0)
        fc->kind = FAULT_HISTORY;
    else if (klen == 6 && memcmp(spec, "commit", 6) == 0)
        fc->kind = FAULT_COMMIT;
    else if (klen == 7 && memcmp(spec, "library", 7) == 0 && !colon)
        fc->kind = FAULT_LIBRARY;
    else
        return err_set(err, DBSHIFT_EUSAGE,
                       "unknown fault '%s': expected statement:N, history[:N], commit[:N] or "
                       "library",
                       spec);
    fc->nth = 1;
    if (colon) {
        char *end = NULL;
        errno = 0;
        long n = strtol(colon + 1, &end, 10);
        if (errno || end == colon + 1 || *end || n < 1)
            return err_set(err, DBSHIFT_EUSAGE, "fault '%s' needs a count of 1 or more", spec);
        fc->nth = n;
    }
    if (strlen(spec) >= sizeof(fc->spec))
        return err_set(err, DBSHIFT_EUSAGE, "fault '%.20s...' is too long", spec);
    memcpy(fc->spec, spec, strlen(spec) + 1);
    return 0;
}

int dbshift_test_fault(dbshift *db, const char *spec)
{
    if (!db)
        return DBSHIFT_EUSAGE;
    if (!spec || !*spec)
        return 0;
    if (db->driver->close == fault_close)
        return err_set(&db->error, DBSHIFT_EUSAGE, "a fault is already armed on this handle");
    fault_conn *fc = calloc(1, sizeof(*fc));
    if (!fc)
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    int rc = parse_spec(fc, spec, &db->error);
    if (rc == 0 && fc->kind == FAULT_LIBRARY) {
        free(fc);
        if (db->conn)
            return err_set(&db->error, DBSHIFT_EUSAGE,
                           "fault 'library' cannot fire: this handle is already connected");
        dynload_test_fail_loads(true);
        rc = handle_connect(db);
        dynload_test_fail_loads(false);
        if (rc == 0)
            rc = err_set(&db->error, DBSHIFT_EUSAGE,
                         "fault 'library' did not fire: this engine loads no client library, "
                         "or it was loaded already");
        return rc;
    }
    if (rc == 0)
        rc = handle_connect(db);
    if (rc) {
        free(fc);
        return rc;
    }
    fc->real = db->driver;
    fc->conn = db->conn;
    fc->db = db;
    fc->vt = *db->driver;
    fc->vt.open = fault_open;
    fc->vt.close = fault_close;
    fc->vt.exec = fault_exec;
    fc->vt.query = fault_query;
    fc->vt.run = fault_run;
    fc->vt.begin = fault_begin;
    fc->vt.commit = fault_commit;
    fc->vt.rollback = fault_rollback;
    fc->vt.lock = fault_lock;
    fc->vt.unlock = fault_unlock;
    fc->vt.lock_holder = fault_lock_holder;
    fc->vt.table_exists = fault_table_exists;
    fc->vt.backup = fault_backup;
    fc->vt.restore = fault_restore;
    fc->vt.describe = fault_describe;
    db->driver = &fc->vt;
    db->conn = fc;
    return 0;
}

#else

/* ISO C forbids an empty translation unit. */
typedef int fault_injection_disabled;

#endif
