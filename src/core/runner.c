/*
 * runner.c - applying and rolling back migrations: dbshift_up, dbshift_down,
 * dbshift_redo.
 *
 * A run goes: lock, read the plan, refuse what is unsafe (changed or missing
 * files, failed marks, out-of-order versions, a database newer than the
 * files), split and check every section it will run before running any, take
 * a backup, then run each migration.
 *
 * A migration runs one of two ways. Transactional (the default wherever the
 * engine can roll DDL back): one batch of BEGIN, its statements, the
 * history row and the log row, COMMIT, so the schema and the history change
 * together or not at all; on Postgres the batch is pipelined into one round
 * trip. Non-transactional (transaction=false, or DDL on MySQL): the history
 * row is written first marked failed ("interrupted") and advanced after each
 * statement with the statement's hash, then marked applied at the end, so
 * that however the run stops, history says exactly which statements ran and
 * `up --resume` can continue after checking they have not changed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/adopt.h"
#include "core/backup.h"
#include "core/handle.h"
#include "core/history.h"
#include "core/lint_hook.h"
#include "core/lock_report.h"
#include "core/plan.h"
#include "sql/split.h"
#include "util/array.h"
#include "util/buf.h"
#include "util/err.h"

/* One migration section ready to run. */
typedef struct prepared {
    plan_item *it;
    migration *m;
    const migration_section *sec;
    int direction;
    sql_statement *stmts;
    size_t nstmts;
    bool transactional;
    size_t start; /* first statement to run (resume) */
    char *hashes; /* hashes of statements already run (resume) */
} prepared;

typedef struct run_state {
    dbshift *db;
    const dbshift_run_options *opts;
    plan p;
    prepared *list;
    size_t count;
    size_t list_cap;
    dbshift_report *rep;
    size_t rep_cap; /* room in rep->items */
    int64_t lock_wait_ms;
} run_state;

void dbshift_run_options_init(dbshift_run_options *opts)
{
    memset(opts, 0, sizeof(*opts));
}

void dbshift_report_free(dbshift_report *rep)
{
    if (!rep)
        return;
    for (size_t i = 0; i < rep->count; i++) {
        free(rep->items[i].version);
        free(rep->items[i].name);
        free(rep->items[i].file);
        dbshift_error_clear(&rep->items[i].error);
    }
    free(rep->items);
    free(rep->from_version);
    free(rep->to_version);
    free(rep->backup_path);
    free(rep);
}

static void prepared_release(prepared *pr)
{
    free(pr->stmts);
    free(pr->hashes);
}

/* --- Statements --------------------------------------------------------- */

/* Line and column of offset within text, counted from 1. */
static void position_of(const char *text, size_t offset, int *line, int *column)
{
    int l = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < offset && text[i]; i++) {
        if (text[i] == '\n') {
            l++;
            line_start = i + 1;
        }
    }
    *line = l;
    *column = (int)(offset - line_start) + 1;
}

static int split_section(dbshift *db, const migration_section *sec, sql_statement **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const char *sql = sec->sql ? sec->sql : "";
    if (sec->nstatements) {
        sql_statement *st = calloc(sec->nstatements, sizeof(*st));
        if (!st)
            return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
        for (size_t i = 0; i < sec->nstatements; i++) {
            st[i].offset = sec->stmt_offsets[i];
            st[i].len = sec->stmt_lens[i];
            position_of(sql, st[i].offset, &st[i].line, &st[i].column);
        }
        *out = st;
        *n = sec->nstatements;
        return 0;
    }
    sql_split split = {0};
    int rc = sql_split_text(&split, sql, strlen(sql), db->driver->dialect, &db->error);
    if (rc) {
        if (db->error.line)
            db->error.line += sec->first_line - 1;
        err_set_field(&db->error.file, sec->file);
        return rc;
    }
    if (split.parse_error) {
        /* Our parser knows the PostgreSQL 15 grammar: on a newer server the
         * statement may be valid, so the server decides. */
        int server_version = handle_server_version(db);
        if (server_version && server_version < 160000) {
            rc = err_set(&db->error, DBSHIFT_EPARSE, "syntax error: %s", split.parse_error);
            err_set_field(&db->error.file, sec->file);
            db->error.line = sec->first_line + split.parse_error_line - 1;
            err_hint(&db->error, "nothing was run; fix the statement and try again");
            sql_split_release(&split);
            return rc;
        }
        handle_log(db, DBSHIFT_LOG_WARN, "%s:%d: not analysed (%s); the server will decide",
                   sec->file, sec->first_line + split.parse_error_line - 1, split.parse_error);
    }
    *out = split.items;
    *n = split.count;
    split.items = NULL;
    split.count = 0;
    sql_split_release(&split);
    return 0;
}

/* Upper-cased words at the start of a statement (comments already trimmed
 * by the splitter), up to max words. */
static size_t first_words(const char *s, size_t len, char words[][16], size_t max)
{
    size_t n = 0, i = 0;
    while (n < max && i < len) {
        while (i < len && !isalpha((unsigned char)s[i])) {
            if (s[i] == '(' || s[i] == '\'' || s[i] == '"')
                return n;
            i++;
        }
        size_t k = 0;
        while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_')) {
            if (k < 15)
                words[n][k++] = (char)toupper((unsigned char)s[i]);
            i++;
        }
        words[n][k] = '\0';
        if (k)
            n++;
    }
    return n;
}

/* Statements the engine refuses to run inside a transaction block. */
static bool needs_no_transaction(int dialect, const char *s, size_t len)
{
    char w[6][16];
    size_t n = first_words(s, len, w, 6);
    if (n == 0)
        return false;
    if (strcmp(w[0], "VACUUM") == 0)
        return true;
    if (dialect != DBSHIFT_DIALECT_POSTGRES)
        return false;
    for (size_t i = 1; i < n; i++)
        if (strcmp(w[i], "CONCURRENTLY") == 0 &&
            (strcmp(w[0], "CREATE") == 0 || strcmp(w[0], "DROP") == 0 ||
             strcmp(w[0], "REINDEX") == 0))
            return true;
    if (n >= 2 && (strcmp(w[0], "CREATE") == 0 || strcmp(w[0], "DROP") == 0) &&
        (strcmp(w[1], "DATABASE") == 0 || strcmp(w[1], "TABLESPACE") == 0))
        return true;
    return n >= 2 && strcmp(w[0], "ALTER") == 0 && strcmp(w[1], "SYSTEM") == 0;
}

/* MySQL commits around DDL; only plain data statements can be rolled back. */
static bool is_mysql_dml(const char *s, size_t len)
{
    static const char *const dml[] = {"INSERT", "UPDATE", "DELETE", "REPLACE", "SELECT",
                                      "WITH",   "SET",    "DO",     NULL};
    char w[1][16];
    if (first_words(s, len, w, 1) == 0)
        return true;
    for (const char *const *d = dml; *d; d++)
        if (strcmp(w[0], *d) == 0)
            return true;
    return false;
}

/* Short hash of a statement's text, to check on resume that it is the same. */
static void statement_hash(const char *s, size_t len, char out[17])
{
    unsigned char md[32];
    sha256_digest(md, s, len);
    for (int i = 0; i < 8; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* Fills the error's place: file, line, column, statement excerpt. */
static void locate_error(dbshift *db, const prepared *pr, size_t idx)
{
    dbshift_error *err = &db->error;
    const sql_statement *st = &pr->stmts[idx];
    const char *text = pr->sec->sql + st->offset;
    err_set_field(&err->file, pr->sec->file);
    err->statement_index = (int)idx + 1;
    int line = st->line, col = st->column;
    if (err->column > 0) {
        /* The server's position counts characters within the statement. */
        size_t chars = 0, i = 0;
        int l = 0, c = st->column;
        for (; i < st->len && chars + 1 < (size_t)err->column; i++) {
            if (((unsigned char)text[i] & 0xC0) != 0x80)
                chars++;
            if (text[i] == '\n') {
                l++;
                c = 1;
            } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
                c++;
            }
        }
        line += l;
        col = c;
    }
    err->line = pr->sec->first_line + line - 1;
    err->column = col;
    size_t show = st->len > 400 ? 400 : st->len;
    free(err->statement);
    err->statement = xstrndup(text, show);
}

static int prepare_one(run_state *rs, prepared *pr)
{
    dbshift *db = rs->db;
    int rc = split_section(db, pr->sec, &pr->stmts, &pr->nstmts);
    if (rc)
        return rc;
    const char *sql = pr->sec->sql ? pr->sec->sql : "";
    bool txn_ddl = db->driver->caps & DBSHIFT_CAP_TRANSACTIONAL_DDL;
    pr->transactional = !pr->sec->no_transaction;
    if (pr->transactional && !txn_ddl) {
        for (size_t i = 0; i < pr->nstmts; i++)
            if (!is_mysql_dml(sql + pr->stmts[i].offset, pr->stmts[i].len))
                pr->transactional = false;
    }
    if (pr->transactional) {
        for (size_t i = 0; i < pr->nstmts; i++) {
            const sql_statement *st = &pr->stmts[i];
            if (needs_no_transaction(db->driver->dialect, sql + st->offset, st->len)) {
                rc = err_set(&db->error, DBSHIFT_EPARSE,
                             "statement %zu of '%s' cannot run inside a transaction", i + 1,
                             pr->sec->file);
                locate_error(db, pr, i);
                err_hint(&db->error,
                         "nothing was run; mark the section `-- dbshift:%s transaction=false` "
                         "(then its statements run one by one, each committed by itself)",
                         pr->direction == DBSHIFT_UP ? "up" : "down");
                return rc;
            }
        }
    }
    return 0;
}

/* --- Report ------------------------------------------------------------- */

static dbshift_run_item *report_add(run_state *rs, const prepared *pr)
{
    dbshift_report *rep = rs->rep;
    if (array_reserve(&rep->items, &rs->rep_cap, rep->count + 1, sizeof(*rep->items)) != 0)
        return NULL;
    dbshift_run_item *ri = &rep->items[rep->count++];
    memset(ri, 0, sizeof(*ri));
    ri->version = xstrdup(pr->m->version ? pr->m->version : "");
    ri->name = xstrdup(pr->m->name);
    ri->file = xstrdup(pr->sec->file ? pr->sec->file : pr->m->file);
    ri->direction = pr->direction;
    ri->statement_count = (int)pr->nstmts;
    ri->transactional = pr->transactional;
    return ri;
}

/* An event about migration pr (the index-th of this run), common fields
 * filled in. */
static dbshift_event migration_event(const run_state *rs, const prepared *pr, size_t index,
                                     int type)
{
    dbshift_event ev = {0};
    ev.type = type;
    ev.version = pr->m->version;
    ev.name = pr->m->name;
    ev.file = pr->sec->file;
    ev.direction = pr->direction;
    ev.index = index + 1;
    ev.count = rs->count;
    ev.statement_count = pr->nstmts;
    return ev;
}

static void emit_migration(run_state *rs, const prepared *pr, size_t index, int type,
                           const dbshift_run_item *ri)
{
    dbshift_event ev = migration_event(rs, pr, index, type);
    if (ri) {
        ev.outcome = ri->outcome;
        ev.elapsed_ms = ri->execution_ms;
        ev.error = ri->outcome == DBSHIFT_OUTCOME_FAILED ? &ri->error : NULL;
    }
    handle_emit(rs->db, &ev);
}

/* Announces that statement i (0-based) of pr starts, with its text, so a
 * progress display can name the statement a long migration is in. */
static void emit_statement(run_state *rs, const prepared *pr, size_t index, size_t i)
{
    if (!rs->db->on_event)
        return;
    dbshift_event ev = migration_event(rs, pr, index, DBSHIFT_EV_STATEMENT);
    ev.statement_index = i + 1;
    /* The section's text is not terminated after a statement. */
    char *sql = xstrndup(pr->sec->sql + pr->stmts[i].offset, pr->stmts[i].len);
    ev.sql = sql;
    handle_emit(rs->db, &ev);
    free(sql);
}

/* --- Running -------------------------------------------------------------- */

static const char *kind_of(const prepared *pr)
{
    if (pr->m->repeatable)
        return HISTORY_REPEATABLE;
    if (pr->it && pr->it->row)
        return pr->it->row->kind;
    return HISTORY_VERSIONED;
}

static const char *key_of(const prepared *pr)
{
    return pr->m->repeatable ? pr->m->name : pr->m->version;
}

/* Milliseconds of a duration like "500ms", "5s", "2m", "1h" (a bare
 * number is milliseconds); false when malformed. */
static bool duration_ms(const char *s, int64_t *out)
{
    size_t i = 0;
    while (isdigit((unsigned char)s[i]))
        i++;
    if (i == 0 || i > 9)
        return false;
    int64_t n = strtoll(s, NULL, 10);
    const char *unit = s + i;
    int64_t scale = !*unit || !strcmp(unit, "ms")                ? 1
                    : !strcmp(unit, "s")                         ? 1000
                    : !strcmp(unit, "m") || !strcmp(unit, "min") ? 60000
                    : !strcmp(unit, "h")                         ? 3600000
                                                                 : 0;
    if (!scale)
        return false;
    *out = n * scale;
    return true;
}

/*
 * --lock-timeout and --statement-timeout, set once for the run's session so
 * that they cover every statement, also those of migrations run outside a
 * transaction: a migration waiting behind a busy table fails fast instead
 * of queueing production traffic behind its lock.
 */
static int set_session_timeouts(run_state *rs)
{
    dbshift *db = rs->db;
    int64_t lock_ms = -1, stmt_ms = -1;
    const char *bad = NULL;
    if (rs->opts->lock_timeout && !duration_ms(rs->opts->lock_timeout, &lock_ms))
        bad = rs->opts->lock_timeout;
    if (rs->opts->statement_timeout && !duration_ms(rs->opts->statement_timeout, &stmt_ms))
        bad = rs->opts->statement_timeout;
    if (bad)
        return err_set(&db->error, DBSHIFT_EUSAGE,
                       "'%s' is not a duration (use e.g. 500ms, 5s, 2m)", bad);
    buf sql = BUF_INIT;
    switch (db->driver->dialect) {
    case DBSHIFT_DIALECT_POSTGRES:
        if (lock_ms >= 0)
            buf_addf(&sql, "SET lock_timeout = '%lldms';", (long long)lock_ms);
        if (stmt_ms >= 0)
            buf_addf(&sql, "SET statement_timeout = '%lldms';", (long long)stmt_ms);
        break;
    case DBSHIFT_DIALECT_MYSQL:
        /* Metadata locks (DDL) and row locks have separate waits, in whole
         * seconds; MariaDB's statement limit takes fractions. */
        if (lock_ms >= 0) {
            long long secs = lock_ms < 1000 ? 1 : (lock_ms + 999) / 1000;
            buf_addf(&sql, "SET SESSION lock_wait_timeout = %lld, innodb_lock_wait_timeout = %lld;",
                     secs, secs);
        }
        if (stmt_ms >= 0)
            buf_addf(&sql, "SET SESSION max_statement_time = %lld.%03lld;",
                     (long long)(stmt_ms / 1000), (long long)(stmt_ms % 1000));
        break;
    default:
        /* SQLite: a lock wait is its busy timeout; it has no statement limit. */
        if (lock_ms >= 0)
            buf_addf(&sql, "PRAGMA busy_timeout = %lld;", (long long)lock_ms);
        if (stmt_ms >= 0)
            handle_log(db, DBSHIFT_LOG_WARN,
                       "SQLite has no statement timeout; "
                       "--statement-timeout is ignored");
        break;
    }
    int rc = 0;
    if (buf_failed(&sql))
        rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    else if (sql.len)
        rc = db->driver->exec(db->conn, sql.ptr, &db->error);
    if (rc && rc != DBSHIFT_ENOMEM)
        err_prefix(&db->error, "cannot set the run's timeouts");
    buf_release(&sql);
    return rc;
}

static void fill_log(log_entry *le, const prepared *pr, const char *started, int64_t ms, bool ok,
                     const dbshift_error *err)
{
    memset(le, 0, sizeof(*le));
    le->version = key_of(pr);
    le->name = pr->m->name;
    le->direction = pr->direction == DBSHIFT_UP ? "up" : "down";
    le->started_at = started;
    le->duration_ms = ms;
    le->success = ok;
    le->file = pr->sec->file;
    if (!ok && err) {
        le->error = err->message;
        le->sqlstate = err->sqlstate;
        le->statement = err->statement;
        le->line = err->line;
    }
}

/* Runs a transactional migration as one batch. in_outer: a surrounding
 * transaction (single-transaction or rehearsal) is already open. */
static int run_transactional(run_state *rs, prepared *pr, size_t index, bool in_outer,
                             const char *started)
{
    dbshift *db = rs->db;
    size_t cap = pr->nstmts + 8 + ADOPT_KEEP_MAX;
    dbshift_stmt *items = calloc(cap, sizeof(*items));
    if (!items)
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    size_t n = 0;
    bool pipelined = db->driver->caps & DBSHIFT_CAP_PIPELINE;
    if (!in_outer)
        items[n++] = (dbshift_stmt){.kind = DBSHIFT_STMT_BEGIN};
    size_t first_stmt = n;
    for (size_t i = 0; i < pr->nstmts; i++)
        items[n++] = (dbshift_stmt){DBSHIFT_STMT_SQL, pr->sec->sql + pr->stmts[i].offset,
                                    pr->stmts[i].len, NULL, 0};
    size_t after_stmts = n;
    int64_t t0 = handle_clock_ms();
    stmt_store hs = {0}, hs2 = {0}, ls = {0};
    adopt_keep_store ks = {0};
    int rc = 0;
    size_t failed = 0;
    if (!pipelined) {
        /* Without pipelining nothing is saved by one batch, and running the
         * statements first lets the history row carry the real time. One
         * call per statement, each announced, so that a progress display
         * can name the statement a long migration is in; all of them stay
         * inside the transaction BEGIN opened. */
        rc = db->driver->run(db->conn, items, first_stmt, &failed, &db->error);
        for (size_t i = first_stmt; rc == 0 && i < after_stmts; i++) {
            emit_statement(rs, pr, index, i - first_stmt);
            rc = db->driver->run(db->conn, &items[i], 1, &failed, &db->error);
            failed += i;
        }
        n = 0;
    }
    int64_t ms = pipelined ? -1 : handle_clock_ms() - t0;
    if (rc == 0) {
        if (pr->direction == DBSHIFT_UP) {
            if (pr->m->repeatable || (pr->it && pr->it->row))
                history_delete_stmt(db, &hs2, kind_of(pr), key_of(pr), &items[n++]);
            history_entry he = {key_of(pr),
                                pr->m->name,
                                kind_of(pr),
                                pr->m->checksum,
                                HISTORY_APPLIED,
                                (int)pr->nstmts,
                                NULL,
                                NULL,
                                ms};
            history_insert_stmt(db, &hs, &he, &items[n++]);
        } else {
            history_delete_stmt(db, &hs, kind_of(pr), key_of(pr), &items[n++]);
        }
        /* --keep-history-of: the other tool's row changes with ours. */
        n += adopt_keep_stmts(db, &ks, pr->m, pr->direction, &items[n]);
        log_entry le;
        fill_log(&le, pr, started, ms, true, NULL);
        le.lock_wait_ms = rs->lock_wait_ms;
        log_insert_stmt(db, &ls, &le, &items[n++]);
        if (!in_outer)
            items[n++] = (dbshift_stmt){.kind = DBSHIFT_STMT_COMMIT};
        size_t base = pipelined ? 0 : after_stmts;
        rc = db->driver->run(db->conn, items, n, &failed, &db->error);
        failed += base;
    }
    if (rc) {
        if (!pipelined && failed < first_stmt && !in_outer) {
            /* the driver rolled back the batch that opened the transaction */
        } else if (!in_outer) {
            db->driver->rollback(db->conn, NULL);
        }
        if (failed >= first_stmt && failed < after_stmts) {
            locate_error(db, pr, failed - first_stmt);
        } else if (failed >= after_stmts) {
            err_prefix(&db->error, "cannot write the history row");
        }
    }
    stmt_store_release(&hs);
    stmt_store_release(&hs2);
    stmt_store_release(&ls);
    adopt_keep_release(&ks);
    free(items);
    return rc;
}

static int run_one_stmt(dbshift *db, const prepared *pr, size_t i)
{
    dbshift_stmt st = {DBSHIFT_STMT_SQL, pr->sec->sql + pr->stmts[i].offset, pr->stmts[i].len, NULL,
                       0};
    size_t failed;
    return db->driver->run(db->conn, &st, 1, &failed, &db->error);
}

/* Runs a migration statement by statement, each committed by itself, with
 * its progress in history after every statement. */
static int run_stepwise(run_state *rs, prepared *pr, dbshift_run_item *ri, size_t index)
{
    dbshift *db = rs->db;
    const char *kind = kind_of(pr);
    const char *key = key_of(pr);
    int rc = 0;
    buf hashes = BUF_INIT;
    if (pr->hashes)
        buf_adds(&hashes, pr->hashes);
    if (pr->direction == DBSHIFT_UP && !pr->it->row) {
        stmt_store s = {0};
        dbshift_stmt st;
        history_entry he = {key,
                            pr->m->name,
                            pr->m->repeatable ? HISTORY_REPEATABLE : HISTORY_VERSIONED,
                            pr->m->checksum,
                            HISTORY_FAILED,
                            0,
                            NULL,
                            "interrupted: the run stopped while this migration was in progress",
                            0};
        history_insert_stmt(db, &s, &he, &st);
        rc = history_run1(db, &st);
        stmt_store_release(&s);
        if (rc) {
            err_prefix(&db->error, "cannot write the history row");
            buf_release(&hashes);
            return rc;
        }
    } else if (pr->direction == DBSHIFT_UP && pr->start == 0 &&
               strcmp(pr->it->row->status, HISTORY_FAILED) != 0) {
        /* A resolved manual step: from here on the row must say "running".
         * A failed row already says so, and its message may tell that a
         * rollback was interrupted (objects of later statements may still
         * exist): keep that. */
        rc = history_set_status(db, kind, key, HISTORY_FAILED,
                                "interrupted: the run stopped while this migration was in "
                                "progress",
                                NULL, 0);
        if (rc) {
            buf_release(&hashes);
            return rc;
        }
    } else if (pr->direction == DBSHIFT_DOWN) {
        /* Until the last statement ran and the row is gone, history must not
         * say applied: a crash would leave the objects half dropped behind an
         * "applied" row. The count goes back to 0 first, so that `up
         * --resume` runs the whole up section again. */
        stmt_store s = {0};
        dbshift_stmt st;
        history_progress_stmt(db, &s, kind, key, 0, NULL, &st);
        rc = history_run1(db, &st);
        stmt_store_release(&s);
        if (rc == 0)
            rc = history_set_status(db, kind, key, HISTORY_FAILED,
                                    "interrupted: the run stopped while rolling this migration "
                                    "back; `dbshift up --resume` applies it again",
                                    NULL, 0);
        if (rc) {
            err_prefix(&db->error, "cannot write the history row");
            buf_release(&hashes);
            return rc;
        }
    }
    size_t done = pr->start;
    for (size_t i = pr->start; i < pr->nstmts && rc == 0; i++) {
        emit_statement(rs, pr, index, i);
        const char *text = pr->sec->sql + pr->stmts[i].offset;
        size_t len = pr->stmts[i].len;
        if (pr->direction != DBSHIFT_UP) {
            rc = run_one_stmt(db, pr, i);
            if (rc)
                locate_error(db, pr, i);
            else
                done = i + 1;
            continue;
        }
        char h[17];
        statement_hash(text, len, h);
        size_t hashes_len = hashes.len;
        if (hashes.len)
            buf_addc(&hashes, ',');
        buf_adds(&hashes, h);
        stmt_store s = {0};
        dbshift_stmt progress;
        history_progress_stmt(db, &s, kind, key, (int)(i + 1), hashes.ptr, &progress);
        if (!(db->driver->caps & DBSHIFT_CAP_TRANSACTIONAL_DDL) && is_mysql_dml(text, len)) {
            /* A data statement on MySQL can commit together with its
             * progress row: one commit (and fsync) instead of two, and the
             * two can never disagree. */
            dbshift_stmt items[4] = {{.kind = DBSHIFT_STMT_BEGIN},
                                     {DBSHIFT_STMT_SQL, text, len, NULL, 0},
                                     progress,
                                     {.kind = DBSHIFT_STMT_COMMIT}};
            size_t failed = 0;
            rc = db->driver->run(db->conn, items, 4, &failed, &db->error);
            if (rc && failed != 1)
                err_prefix(&db->error, "cannot record the progress of statement %zu", i + 1);
        } else {
            rc = run_one_stmt(db, pr, i);
            if (rc == 0 && history_run1(db, &progress) != 0)
                dbshift_error_clear(&db->error); /* the next update or the end records it */
        }
        stmt_store_release(&s);
        if (rc) {
            hashes.len = hashes_len;
            hashes.ptr[hashes_len] = '\0';
            locate_error(db, pr, i);
            break;
        }
        done = i + 1;
    }
    ri->statements_done = (int)done;
    buf_release(&hashes);
    if (rc) {
        buf msg = BUF_INIT;
        buf_addf(&msg, "%s", db->error.message ? db->error.message : "failed");
        dbshift_error keep = {0};
        dbshift_error_copy(&keep, &db->error);
        if (pr->direction == DBSHIFT_UP) {
            history_set_status(db, kind, key, HISTORY_FAILED, msg.ptr, NULL, 0);
        } else {
            buf m2 = BUF_INIT;
            buf_addf(&m2, "rollback failed after %zu of %zu statement(s): %s", done, pr->nstmts,
                     msg.ptr);
            history_set_status(db, kind, key, HISTORY_FAILED, m2.ptr, NULL, 0);
            buf_release(&m2);
        }
        dbshift_error_clear(&db->error);
        db->error = keep;
        buf_release(&msg);
        if (done == 0)
            err_hint(&db->error,
                     "no statement of this migration ran; it is marked failed. Fix the cause, "
                     "then run `dbshift up --resume`, or `dbshift repair` to clear the mark");
        else
            err_hint(&db->error,
                     "this migration ran outside a transaction: statements 1-%zu of %zu ran and "
                     "stay applied; it is marked failed. Fix the cause, then run `dbshift up "
                     "--resume` to continue from statement %zu, or `dbshift repair`",
                     done, pr->nstmts, done + 1);
        return rc;
    }
    return 0;
}

/* Marks a migration run statement by statement applied (or, rolled back,
 * removes its row) together with its log row: one transaction, one commit. */
static int finish_stepwise(run_state *rs, prepared *pr, const char *started, int64_t ms)
{
    dbshift *db = rs->db;
    stmt_store hs = {0}, ls = {0};
    dbshift_stmt items[4] = {{.kind = DBSHIFT_STMT_BEGIN}};
    if (pr->direction == DBSHIFT_UP)
        history_status_stmt(db, &hs, kind_of(pr), key_of(pr), HISTORY_APPLIED, NULL,
                            pr->m->checksum, ms, &items[1]);
    else
        history_delete_stmt(db, &hs, kind_of(pr), key_of(pr), &items[1]);
    log_entry le;
    fill_log(&le, pr, started, ms, true, NULL);
    le.lock_wait_ms = rs->lock_wait_ms;
    log_insert_stmt(db, &ls, &le, &items[2]);
    items[3] = (dbshift_stmt){.kind = DBSHIFT_STMT_COMMIT};
    size_t failed = 0;
    int rc = db->driver->run(db->conn, items, 4, &failed, &db->error);
    stmt_store_release(&hs);
    stmt_store_release(&ls);
    if (rc)
        err_prefix(&db->error, "cannot write the history row");
    /* --keep-history-of: written once the migration is done, as the tool
     * itself does after a migration outside a transaction. */
    return rc ? rc : adopt_keep_run(db, pr->m, pr->direction);
}

/* A migration with a manual step stops the run before it: history marks it
 * waiting, and `dbshift resolve` lets the next run go on. */
static int stop_for_manual_step(run_state *rs, prepared *pr, dbshift_run_item *ri)
{
    dbshift *db = rs->db;
    stmt_store s = {0};
    dbshift_stmt st;
    history_entry he = {key_of(pr),
                        pr->m->name,
                        kind_of(pr),
                        pr->m->checksum,
                        HISTORY_MANUAL,
                        0,
                        NULL,
                        pr->m->manual,
                        0};
    history_insert_stmt(db, &s, &he, &st);
    int rc = history_run1(db, &st);
    stmt_store_release(&s);
    if (rc)
        return rc;
    rc = err_set(&db->error, DBSHIFT_EMANUAL, "migration %s needs a manual step: %s",
                 pr->m->version, pr->m->manual);
    err_set_field(&db->error.file, pr->m->file);
    err_hint(&db->error, "do it, then run `dbshift resolve %s` and `dbshift up` again",
             pr->m->version);
    ri->outcome = DBSHIFT_OUTCOME_SKIPPED;
    dbshift_error_copy(&ri->error, &db->error);
    return rc;
}

static int run_migration(run_state *rs, prepared *pr, size_t index, bool in_outer)
{
    dbshift *db = rs->db;
    dbshift_run_item *ri = report_add(rs, pr);
    if (!ri)
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    if (pr->direction == DBSHIFT_UP && pr->m->confirm && !rs->opts->dry_run) {
        if (!handle_confirm(db, pr->m->confirm, pr->m->file)) {
            int rc =
                err_set(&db->error, DBSHIFT_EDECLINED, "migration %s asks for confirmation: %s",
                        pr->m->version, pr->m->confirm);
            err_hint(&db->error, "answer yes on a terminal, or pass --yes");
            ri->outcome = DBSHIFT_OUTCOME_SKIPPED;
            return rc;
        }
    }
    if (pr->direction == DBSHIFT_UP && pr->m->manual && !pr->it->row && !rs->opts->dry_run)
        return stop_for_manual_step(rs, pr, ri);
    emit_migration(rs, pr, index, DBSHIFT_EV_MIGRATION_START, NULL);
    if (rs->opts->dry_run) {
        for (size_t i = 0; i < pr->nstmts; i++) {
            char *sql = xstrndup(pr->sec->sql + pr->stmts[i].offset, pr->stmts[i].len);
            dbshift_event ev = migration_event(rs, pr, index, DBSHIFT_EV_PLAN_SQL);
            ev.statement_index = i + 1;
            ev.sql = sql;
            /* Postgres: the lock and work on each existing table it touches
             * (NULL elsewhere), so the plan shows what would block whom. */
            char *locks = lock_report_describe(db, sql, pr->stmts[i].len);
            ev.message = locks;
            handle_emit(db, &ev);
            free(locks);
            free(sql);
        }
        ri->outcome = DBSHIFT_OUTCOME_PLANNED;
        emit_migration(rs, pr, index, DBSHIFT_EV_MIGRATION_DONE, ri);
        return 0;
    }
    char started[32];
    handle_now(started);
    int64_t t0 = handle_clock_ms();
    int rc;
    if (pr->transactional) {
        rc = run_transactional(rs, pr, index, in_outer, started);
        ri->statements_done = rc ? db->error.statement_index - 1 : (int)pr->nstmts;
        if (rc && ri->statements_done < 0)
            ri->statements_done = 0;
    } else {
        rc = run_stepwise(rs, pr, ri, index);
        if (rc == 0)
            rc = finish_stepwise(rs, pr, started, handle_clock_ms() - t0);
    }
    ri->execution_ms = handle_clock_ms() - t0;
    if (rc) {
        if (pr->transactional && !in_outer && !db->error.hint)
            err_hint(&db->error, "the migration ran in a transaction and was rolled back: the "
                                 "database is as it was before it. Fix the file and run the "
                                 "command again");
        ri->outcome = DBSHIFT_OUTCOME_FAILED;
        dbshift_error_copy(&ri->error, &db->error);
        if (!in_outer) {
            log_entry le;
            fill_log(&le, pr, started, ri->execution_ms, false, &db->error);
            le.lock_wait_ms = rs->lock_wait_ms;
            history_log(db, &le);
        }
    } else {
        ri->outcome = rs->opts->rehearse ? DBSHIFT_OUTCOME_REHEARSED : DBSHIFT_OUTCOME_OK;
    }
    emit_migration(rs, pr, index, DBSHIFT_EV_MIGRATION_DONE, ri);
    return rc;
}

/* --- Planning a run ---------------------------------------------------------- */

static int check_plan(run_state *rs)
{
    dbshift *db = rs->db;
    plan *p = &rs->p;
    if (p->newest_applied &&
        (!p->newest_known || version_compare(p->newest_applied, p->newest_known) > 0)) {
        int rc = err_set(&db->error, DBSHIFT_ENEWER,
                         "this database was written by a newer version: it is at migration "
                         "%s, and the newest migration known here is %s",
                         p->newest_applied, p->newest_known ? p->newest_known : "none");
        err_hint(&db->error, "nothing was changed; use the newer program, or restore a backup "
                             "taken before the upgrade");
        return rc;
    }
    buf problems = BUF_INIT;
    size_t nproblems = 0;
    for (size_t i = 0; i < p->count; i++) {
        plan_item *it = &p->items[i];
        if (it->state == DBSHIFT_STATE_FAILED && !rs->opts->resume) {
            int rc = err_set(&db->error, DBSHIFT_EFAILED, "migration %s is marked failed: %s",
                             it->row->version, it->row->error ? it->row->error : "");
            err_hint(&db->error,
                     "%d statement(s) of it ran. Fix the cause and run `dbshift up --resume`, "
                     "or run `dbshift repair` to clear the mark",
                     it->row->statements_done);
            buf_release(&problems);
            return rc;
        }
        if (it->state == DBSHIFT_STATE_MANUAL) {
            int rc =
                err_set(&db->error, DBSHIFT_EMANUAL, "migration %s waits for a manual step: %s",
                        it->row->version, it->m && it->m->manual ? it->m->manual : "see its file");
            err_hint(&db->error, "when it is done, run `dbshift resolve %s`, then `dbshift up`",
                     it->row->version);
            buf_release(&problems);
            return rc;
        }
        if ((it->state == DBSHIFT_STATE_CHANGED || it->state == DBSHIFT_STATE_MISSING) &&
            !rs->opts->ignore_checksums) {
            buf_addf(&problems, "%s  %s %s: %s", nproblems ? "\n" : "",
                     it->m ? it->m->file : it->row->version, dbshift_state_name(it->state),
                     plan_state_note(it->state));
            nproblems++;
        }
    }
    if (nproblems) {
        int rc = err_set(&db->error, DBSHIFT_ECHECKSUM,
                         "%zu applied migration(s) changed or missing; nothing was run", nproblems);
        err_set_field(&db->error.detail, problems.ptr);
        err_hint(&db->error, "run `dbshift validate` for details; `dbshift repair` accepts the "
                             "current files, --ignore-checksums skips this check");
        buf_release(&problems);
        return rc;
    }
    buf_release(&problems);
    return 0;
}

static int add_prepared(run_state *rs, plan_item *it, int direction)
{
    if (array_reserve(&rs->list, &rs->list_cap, rs->count + 1, sizeof(*rs->list)) != 0)
        return err_set(&rs->db->error, DBSHIFT_ENOMEM, "out of memory");
    prepared *pr = &rs->list[rs->count++];
    memset(pr, 0, sizeof(*pr));
    pr->it = it;
    pr->m = it->m;
    pr->direction = direction;
    pr->sec = direction == DBSHIFT_UP ? &it->m->up : &it->m->down;
    return 0;
}

static int select_up(run_state *rs)
{
    dbshift *db = rs->db;
    const dbshift_run_options *o = rs->opts;
    if (o->to_version && !migration_set_find(db->set, o->to_version))
        return err_set(&db->error, DBSHIFT_ENOTFOUND, "no migration with version '%s' in '%s'",
                       o->to_version, db->migrations_dir);
    for (size_t i = 0; i < rs->p.count; i++) {
        plan_item *it = &rs->p.items[i];
        if (!it->m)
            continue;
        if (!it->m->repeatable && o->to_version &&
            version_compare(it->m->version, o->to_version) > 0)
            continue;
        switch (it->state) {
        case DBSHIFT_STATE_OUT_OF_ORDER:
            if (!o->allow_out_of_order) {
                int rc = err_set(&db->error, DBSHIFT_EOUTOFORDER,
                                 "migration %s ('%s') is older than the newest applied one (%s) "
                                 "and was never applied",
                                 it->m->version, it->m->file, rs->p.newest_applied);
                err_hint(&db->error, "nothing was run; pass --allow-out-of-order to apply it "
                                     "anyway, or give it a newer version");
                return rc;
            }
            break;
        case DBSHIFT_STATE_PENDING:
            break;
        case DBSHIFT_STATE_REPEATABLE_PENDING:
            if (o->to_version)
                continue;
            break;
        case DBSHIFT_STATE_FAILED:
            if (!o->resume)
                continue;
            break;
        default:
            continue;
        }
        int rc = add_prepared(rs, it, DBSHIFT_UP);
        if (rc)
            return rc;
    }
    return 0;
}

static bool applied_state(int state)
{
    return state == DBSHIFT_STATE_APPLIED || state == DBSHIFT_STATE_CHANGED ||
           state == DBSHIFT_STATE_BASELINE || state == DBSHIFT_STATE_MISSING;
}

static int select_down(run_state *rs)
{
    dbshift *db = rs->db;
    const dbshift_run_options *o = rs->opts;
    if (o->to_version && !migration_set_find(db->set, o->to_version))
        return err_set(&db->error, DBSHIFT_ENOTFOUND, "no migration with version '%s' in '%s'",
                       o->to_version, db->migrations_dir);
    int want = o->steps > 0 ? o->steps : 1;
    for (size_t k = rs->p.count; k-- > 0;) {
        plan_item *it = &rs->p.items[k];
        if ((it->m && it->m->repeatable) || !applied_state(it->state))
            continue;
        const char *version = it->m ? it->m->version : it->row->version;
        if (o->to_version) {
            if (version_compare(version, o->to_version) <= 0)
                break;
        } else if (!o->all && (int)rs->count >= want) {
            break;
        }
        if (!it->m) {
            int rc = err_set(&db->error, DBSHIFT_ENOTFOUND,
                             "cannot roll back %s (%s): its migration file is missing", version,
                             it->row->name);
            err_hint(&db->error, "nothing was run; restore the file first");
            return rc;
        }
        if (it->m->irreversible || !it->m->down.present) {
            int rc =
                err_set(&db->error, DBSHIFT_EIRREVERSIBLE, "cannot roll back %s: '%s' %s", version,
                        it->m->file,
                        it->m->irreversible ? "is marked irreversible" : "has no down section");
            err_hint(&db->error, "nothing was run; roll back to a later version with --to, or "
                                 "write a new migration that undoes it");
            return rc;
        }
        int rc = add_prepared(rs, it, DBSHIFT_DOWN);
        if (rc)
            return rc;
    }
    return 0;
}

/* Checks the hashes of the statements a failed migration already ran. */
static int prepare_resume(run_state *rs, prepared *pr)
{
    dbshift *db = rs->db;
    applied_row *row = pr->it->row;
    if (!row || strcmp(row->status, HISTORY_FAILED) != 0)
        return 0;
    if (pr->transactional && row->statements_done > 0) {
        pr->transactional = false; /* continue the way it started */
    }
    pr->transactional = false;
    size_t done = (size_t)row->statements_done;
    if (done > pr->nstmts)
        return err_set(&db->error, DBSHIFT_ECHECKSUM,
                       "cannot resume %s: history says %zu statements ran but the file now has "
                       "%zu",
                       row->version, done, pr->nstmts);
    const char *h = row->statement_hashes ? row->statement_hashes : "";
    for (size_t i = 0; i < done; i++) {
        char mine[17];
        statement_hash(pr->sec->sql + pr->stmts[i].offset, pr->stmts[i].len, mine);
        if (strncmp(h, mine, 16) != 0) {
            int rc = err_set(&db->error, DBSHIFT_ECHECKSUM,
                             "cannot resume %s: statement %zu, which already ran, has changed "
                             "since",
                             row->version, i + 1);
            locate_error(db, pr, i);
            db->error.code = DBSHIFT_ECHECKSUM;
            err_hint(&db->error, "put the statement back as it ran, or use `dbshift repair`");
            return rc;
        }
        h += 16;
        if (*h == ',')
            h++;
    }
    pr->start = done;
    pr->hashes = xstrndup(row->statement_hashes ? row->statement_hashes : "",
                          done ? (size_t)(h - row->statement_hashes) : 0);
    if (pr->hashes && done && pr->hashes[strlen(pr->hashes) - 1] == ',')
        pr->hashes[strlen(pr->hashes) - 1] = '\0';
    return 0;
}

static char *newest_applied_now(run_state *rs)
{
    /* What the history says after the run, without another query. */
    const char *newest = rs->p.newest_applied;
    char *result = xstrdup(newest);
    for (size_t i = 0; i < rs->rep->count; i++) {
        dbshift_run_item *ri = &rs->rep->items[i];
        if (ri->outcome != DBSHIFT_OUTCOME_OK || !ri->version[0])
            continue;
        if (ri->direction == DBSHIFT_UP && (!result || version_compare(ri->version, result) > 0)) {
            free(result);
            result = xstrdup(ri->version);
        }
    }
    if (rs->count && rs->list[0].direction == DBSHIFT_DOWN) {
        free(result);
        result = NULL;
        for (size_t i = rs->p.count; i-- > 0;) {
            plan_item *it = &rs->p.items[i];
            if (!applied_state(it->state) || (it->m && it->m->repeatable))
                continue;
            const char *v = it->m ? it->m->version : it->row->version;
            bool rolled = false;
            for (size_t k = 0; k < rs->rep->count; k++)
                if (rs->rep->items[k].outcome == DBSHIFT_OUTCOME_OK &&
                    strcmp(rs->rep->items[k].version, v) == 0)
                    rolled = true;
            if (!rolled) {
                result = xstrdup(v);
                break;
            }
        }
    }
    return result;
}

static int run_all(run_state *rs)
{
    dbshift *db = rs->db;
    const dbshift_run_options *o = rs->opts;
    bool outer = o->single_transaction || o->rehearse;
    if (outer && !o->dry_run) {
        for (size_t i = 0; i < rs->count; i++) {
            if (!rs->list[i].transactional) {
                int rc = err_set(&db->error, DBSHIFT_EUNSUPPORTED,
                                 "%s is not possible: '%s' cannot run in a transaction%s",
                                 o->rehearse ? "--rehearse" : "--single-transaction",
                                 rs->list[i].sec->file,
                                 db->driver->caps & DBSHIFT_CAP_TRANSACTIONAL_DDL
                                     ? " (transaction=false)"
                                     : " (this engine commits around DDL)");
                err_hint(&db->error, "nothing was run; run without it");
                return rc;
            }
        }
        int rc = db->driver->begin(db->conn, &db->error);
        if (rc)
            return rc;
    }
    int rc = 0;
    size_t i = 0;
    for (; i < rs->count; i++) {
        rc = run_migration(rs, &rs->list[i], i, outer && !o->dry_run);
        if (rc)
            break;
    }
    if (outer && !o->dry_run) {
        if (rc || o->rehearse) {
            dbshift_error keep = {0};
            dbshift_error_copy(&keep, &db->error);
            db->driver->rollback(db->conn, NULL);
            dbshift_error_clear(&db->error);
            db->error = keep;
        } else {
            rc = db->driver->commit(db->conn, &db->error);
        }
        if (rc && o->single_transaction) {
            err_hint(&db->error, "--single-transaction: everything was rolled back; the "
                                 "database is as it was before the run");
            for (size_t k = 0; k < rs->rep->count; k++)
                if (rs->rep->items[k].outcome == DBSHIFT_OUTCOME_OK)
                    rs->rep->items[k].outcome = DBSHIFT_OUTCOME_SKIPPED;
            if (i < rs->count) {
                log_entry le;
                char now[32];
                handle_now(now);
                fill_log(&le, &rs->list[i], now, 0, false, &db->error);
                history_log(db, &le);
            }
        }
    }
    return rc;
}

static int run(dbshift_report **out, dbshift *db, const dbshift_run_options *opts, int direction)
{
    *out = NULL;
    dbshift_error_clear(&db->error);
    dbshift_run_options defaults;
    if (!opts) {
        dbshift_run_options_init(&defaults);
        opts = &defaults;
    }
    run_state rs = {0};
    rs.db = db;
    rs.opts = opts;
    int rc = handle_load_source(db);
    if (rc == 0)
        rc = handle_connect(db);
    if (rc)
        return rc;
    if (opts->rehearse && !(db->driver->caps & DBSHIFT_CAP_TRANSACTIONAL_DDL))
        return err_set(&db->error, DBSHIFT_EUNSUPPORTED,
                       "--rehearse needs transactional DDL, which %s does not have",
                       db->driver->name);
    int64_t t0 = handle_clock_ms();
    if (!opts->dry_run) {
        rc = handle_lock(db);
        if (rc)
            return rc;
        rs.lock_wait_ms = handle_clock_ms() - t0;
        rc = history_ensure(db);
        if (rc == 0)
            rc = adopt_keep_ensure(db);
    }
    if (rc == 0)
        rc = plan_build(db, &rs.p);
    if (rc) {
        handle_unlock(db);
        return rc;
    }
    rs.rep = calloc(1, sizeof(*rs.rep));
    if (!rs.rep)
        rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    if (rc == 0)
        rs.rep->from_version = xstrdup(rs.p.newest_applied);
    if (rc == 0)
        rc = check_plan(&rs);
    if (rc == 0)
        rc = direction == DBSHIFT_UP ? select_up(&rs) : select_down(&rs);
    /* A file the parser rejects stops the run at that file, as the raw
     * client would stop there: the ones before it run (each checked
     * before any runs), nothing of it runs, and its error is reported. With
     * an all-or-nothing or dry run the whole run is refused up front. */
    size_t bad = rs.count;
    dbshift_error bad_error = {0};
    bool defer = !opts->dry_run && !opts->rehearse && !opts->single_transaction;
    for (size_t i = 0; rc == 0 && i < rs.count; i++) {
        rc = prepare_one(&rs, &rs.list[i]);
        if (rc == DBSHIFT_EPARSE && defer && i > 0) {
            bad = i;
            dbshift_error_copy(&bad_error, &db->error);
            dbshift_error_clear(&db->error);
            rs.count = i; /* later items were never prepared: nothing to free */
            rc = 0;
            break;
        }
        if (rc == 0 && opts->resume && direction == DBSHIFT_UP)
            rc = prepare_resume(&rs, &rs.list[i]);
    }
    if (rc == 0 && rs.count && direction == DBSHIFT_UP && !opts->skip_lint)
        rc = lint_hook_before_up(db, opts, rs.p.items, rs.p.count);
    if (rc == 0 && rs.count && !opts->dry_run && !opts->rehearse)
        rc = backup_before_run(db, opts, rs.p.newest_applied, &rs.rep->backup_path);
    if (rc == 0 && rs.count && !opts->dry_run)
        rc = set_session_timeouts(&rs);
    if (rc == 0)
        rc = run_all(&rs);
    if (bad_error.code) {
        if (rc == 0) {
            dbshift_run_item *ri = report_add(&rs, &rs.list[bad]);
            err_hint(&bad_error,
                     "the migrations before it were %s and nothing of this file ran; fix it "
                     "(or use a server that accepts it) and run `dbshift %s` again",
                     direction == DBSHIFT_UP ? "applied" : "rolled back",
                     direction == DBSHIFT_UP ? "up" : "down");
            if (ri) {
                ri->outcome = DBSHIFT_OUTCOME_FAILED;
                ri->transactional = true; /* nothing ran: the database is as before it */
                dbshift_error_copy(&ri->error, &bad_error);
            }
            dbshift_error_clear(&db->error);
            db->error = bad_error;
            rc = db->error.code;
            log_entry le;
            char now[32];
            handle_now(now);
            fill_log(&le, &rs.list[bad], now, 0, false, &db->error);
            history_log(db, &le);
        } else {
            dbshift_error_clear(&bad_error);
        }
    }
    if (rs.rep) {
        rs.rep->to_version = opts->dry_run || opts->rehearse ? xstrdup(rs.p.newest_applied)
                                                             : newest_applied_now(&rs);
        rs.rep->elapsed_ms = handle_clock_ms() - t0;
    }
    for (size_t i = 0; i < rs.count; i++)
        prepared_release(&rs.list[i]);
    free(rs.list);
    plan_release(&rs.p);
    handle_unlock(db);
    if (rs.rep && rs.rep->count == 0 && rc) {
        dbshift_report_free(rs.rep);
        rs.rep = NULL;
    }
    *out = rs.rep;
    return rc;
}

int dbshift_up(dbshift_report **out, dbshift *db, const dbshift_run_options *opts)
{
    return run(out, db, opts, DBSHIFT_UP);
}

int dbshift_down(dbshift_report **out, dbshift *db, const dbshift_run_options *opts)
{
    return run(out, db, opts, DBSHIFT_DOWN);
}

int dbshift_redo(dbshift_report **out, dbshift *db, const dbshift_run_options *opts)
{
    *out = NULL;
    dbshift_run_options o;
    if (opts)
        o = *opts;
    else
        dbshift_run_options_init(&o);
    o.steps = 1;
    o.all = false;
    o.to_version = NULL;
    dbshift_report *down = NULL, *up = NULL;
    int rc = dbshift_down(&down, db, &o);
    if (rc || !down || down->count == 0) {
        *out = down;
        if (rc == 0 && (!down || down->count == 0))
            handle_log(db, DBSHIFT_LOG_INFO, "redo: nothing is applied");
        return rc;
    }
    o.to_version = down->items[0].version;
    o.no_backup = true; /* the rollback just took one */
    rc = dbshift_up(&up, db, &o);
    if (up) {
        dbshift_run_item *items = realloc(down->items, (down->count + up->count) * sizeof(*items));
        if (items) {
            down->items = items;
            memcpy(items + down->count, up->items, up->count * sizeof(*items));
            down->count += up->count;
            up->count = 0;
            free(down->to_version);
            down->to_version = up->to_version;
            up->to_version = NULL;
        }
        dbshift_report_free(up);
    }
    *out = down;
    return rc;
}
