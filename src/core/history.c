/*
 * history.c - reading and writing the history tables (see history.h).
 *
 * The statements are built here as text with '?' placeholders and handed to
 * the driver with their values, so nothing a user controls is ever spliced
 * into SQL; only the table names (quoted by the driver) are. On Postgres the
 * history insert measures execution time inside the database (since the
 * transaction's BEGIN) so that it can travel in the same pipelined round
 * trip as the migration itself.
 */
#include "core/history.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/array.h"
#include "util/err.h"

#define DB_ELAPSED_MS_PG "CAST(EXTRACT(EPOCH FROM (clock_timestamp() - now())) * 1000 AS BIGINT)"

static char *qualified(dbshift *db, const char *suffix)
{
    buf name = BUF_INIT;
    buf_addf(&name, "%s_%s", db->table_prefix, suffix);
    char *q = db->driver->quote_ident(name.ptr);
    buf_release(&name);
    if (!q || !db->schema)
        return q;
    char *qs = db->driver->quote_ident(db->schema);
    buf out = BUF_INIT;
    buf_addf(&out, "%s.%s", qs ? qs : "", q);
    free(q);
    free(qs);
    return buf_detach(&out);
}

int history_names_init(dbshift *db)
{
    db->q_migrations = qualified(db, "migrations");
    db->q_log = qualified(db, "log");
    buf key = BUF_INIT;
    if (db->sqlite_path)
        buf_addf(&key, "dbshift:%s", db->sqlite_path);
    else
        buf_addf(&key, "dbshift:%s.%s_migrations", db->schema ? db->schema : "", db->table_prefix);
    db->lock_key = buf_detach(&key);
    return db->q_migrations && db->q_log && db->lock_key ? 0 : DBSHIFT_ENOMEM;
}

int history_ensure(dbshift *db)
{
    int dialect = db->driver->dialect;
    char *table = NULL;
    bool exists = false;
    buf name = BUF_INIT;
    buf_addf(&name, "%s_log", db->table_prefix);
    int rc = db->driver->table_exists(db->conn, db->schema, name.ptr, &exists, &db->error);
    buf_release(&name);
    if (rc || exists)
        return rc;
    buf sql = BUF_INIT;
    if (db->schema) {
        char *qs = db->driver->quote_ident(db->schema);
        buf_addf(&sql, "CREATE SCHEMA IF NOT EXISTS %s;\n", qs);
        free(qs);
    }
    const char *engine =
        dialect == DBSHIFT_DIALECT_MYSQL ? " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4" : "";
    buf_addf(&sql,
             "CREATE TABLE IF NOT EXISTS %s (\n"
             "  version VARCHAR(255) NOT NULL,\n"
             "  name VARCHAR(255) NOT NULL,\n"
             "  kind VARCHAR(16) NOT NULL,\n"
             "  checksum VARCHAR(100),\n"
             "  status VARCHAR(16) NOT NULL,\n"
             "  statements_done INTEGER NOT NULL DEFAULT 0,\n"
             "  statement_hashes TEXT,\n"
             "  error TEXT,\n"
             "  applied_at VARCHAR(32) NOT NULL,\n"
             "  applied_by VARCHAR(255),\n"
             "  execution_ms BIGINT NOT NULL DEFAULT 0,\n"
             "  tool_version VARCHAR(32),\n"
             "  PRIMARY KEY (kind, version)\n"
             ")%s;\n",
             db->q_migrations, engine);
    const char *id = dialect == DBSHIFT_DIALECT_SQLITE     ? "id INTEGER PRIMARY KEY AUTOINCREMENT"
                     : dialect == DBSHIFT_DIALECT_POSTGRES ? "id BIGSERIAL PRIMARY KEY"
                                                           : "id BIGINT AUTO_INCREMENT PRIMARY KEY";
    buf_addf(&sql,
             "CREATE TABLE IF NOT EXISTS %s (\n"
             "  %s,\n"
             "  version VARCHAR(255),\n"
             "  name VARCHAR(255),\n"
             "  direction VARCHAR(16) NOT NULL,\n"
             "  started_at VARCHAR(32) NOT NULL,\n"
             "  duration_ms BIGINT NOT NULL DEFAULT 0,\n"
             "  success INTEGER NOT NULL,\n"
             "  error TEXT,\n"
             "  sql_state VARCHAR(5),\n"
             "  statement TEXT,\n"
             "  file TEXT,\n"
             "  line INTEGER,\n"
             "  applied_by VARCHAR(255),\n"
             "  host VARCHAR(255),\n"
             "  pid BIGINT,\n"
             "  tool_version VARCHAR(32),\n"
             "  lock_wait_ms BIGINT NOT NULL DEFAULT 0\n"
             ")%s;\n",
             db->q_log, id, engine);
    if (buf_failed(&sql))
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    (void)table;
    rc = db->driver->exec(db->conn, sql.ptr, &db->error);
    if (rc)
        err_prefix(&db->error, "cannot create the history tables");
    buf_release(&sql);
    return rc;
}

/* Copies s to *at and moves *at past it; NULL stays NULL. */
static char *take_string(char **at, const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *copy = memcpy(*at, s, n);
    *at += n;
    return copy;
}

/* Each row's strings share one allocation that starts at r->version (a row
 * with ten separate copies made the rows of a long history mostly malloc
 * bookkeeping); applied_list_release frees just that. The array grows by
 * doubling at powers of two while rows are read, so its capacity follows
 * from the count (history_read trims it at the end). */
static int row_cb(void *payload, size_t ncols, const char *const *v)
{
    applied_list *l = payload;
    if (ncols < 10)
        return 0;
    size_t n = l->count;
    if (n == 0 || (n >= 16 && (n & (n - 1)) == 0)) {
        applied_row *items = realloc(l->items, (n == 0 ? 16 : n * 2) * sizeof(*items));
        if (!items)
            return DBSHIFT_ENOMEM;
        l->items = items;
    }
    const char *text[] = {v[0] ? v[0] : "",
                          v[1] ? v[1] : "",
                          v[2] ? v[2] : HISTORY_VERSIONED,
                          v[3],
                          v[4] ? v[4] : HISTORY_APPLIED,
                          v[6],
                          v[7],
                          v[8]};
    size_t size = 0;
    for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
        size += text[i] ? strlen(text[i]) + 1 : 0;
    char *at = malloc(size);
    if (!at)
        return DBSHIFT_ENOMEM;
    applied_row *r = &l->items[l->count++];
    memset(r, 0, sizeof(*r));
    r->version = take_string(&at, text[0]);
    r->name = take_string(&at, text[1]);
    r->kind = take_string(&at, text[2]);
    r->checksum = take_string(&at, text[3]);
    r->status = take_string(&at, text[4]);
    r->statements_done = v[5] ? atoi(v[5]) : 0;
    r->statement_hashes = take_string(&at, text[5]);
    r->error = take_string(&at, text[6]);
    r->applied_at = take_string(&at, text[7]);
    r->execution_ms = v[9] ? atoll(v[9]) : 0;
    return 0;
}

int history_read(dbshift *db, applied_list *out)
{
    memset(out, 0, sizeof(*out));
    buf sql = BUF_INIT;
    buf_addf(&sql,
             "SELECT version, name, kind, checksum, status, statements_done, statement_hashes, "
             "error, applied_at, execution_ms FROM %s",
             db->q_migrations);
    int rc = db->driver->query(db->conn, sql.ptr, NULL, 0, row_cb, out, &db->error);
    buf_release(&sql);
    if (rc == DBSHIFT_ENOMEM) {
        applied_list_release(out);
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    }
    if (rc) {
        /* One query in the common case; only a failure asks whether the
         * table is simply not there yet. */
        applied_list_release(out);
        bool exists = true;
        buf name = BUF_INIT;
        buf_addf(&name, "%s_migrations", db->table_prefix);
        dbshift_error saved = {0};
        dbshift_error_copy(&saved, &db->error);
        int rc2 = db->driver->table_exists(db->conn, db->schema, name.ptr, &exists, NULL);
        buf_release(&name);
        if (rc2 == 0 && !exists) {
            dbshift_error_clear(&saved);
            dbshift_error_clear(&db->error);
            return 0;
        }
        dbshift_error_clear(&db->error);
        db->error = saved;
        err_prefix(&db->error, "cannot read the history table");
        return rc;
    }
    /* The rows stay for the whole command: give back the doubling's spare
     * room (up to half the array, 0.5 MB for 10,000 rows). */
    if (out->count) {
        applied_row *items = realloc(out->items, out->count * sizeof(*items));
        if (items)
            out->items = items;
    }
    return 0;
}

void applied_list_release(applied_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->items[i].version); /* the row's strings are one block */
    }
    free(l->items);
    memset(l, 0, sizeof(*l));
}

applied_row *applied_find(const applied_list *l, const char *kind_group, const char *version)
{
    bool repeatable = strcmp(kind_group, HISTORY_REPEATABLE) == 0;
    for (size_t i = 0; i < l->count; i++) {
        applied_row *r = &l->items[i];
        bool is_rep = strcmp(r->kind, HISTORY_REPEATABLE) == 0;
        if (is_rep != repeatable)
            continue;
        if (repeatable ? strcmp(r->version, version) == 0
                       : version_compare(r->version, version) == 0)
            return r;
    }
    return NULL;
}

void stmt_store_release(stmt_store *s)
{
    buf_release(&s->sql);
    for (size_t i = 0; i < s->n; i++)
        free(s->values[i]);
    s->n = 0;
}

static void store_add(stmt_store *s, const char *value)
{
    s->values[s->n] = xstrdup(value);
    s->params[s->n] = s->values[s->n];
    s->n++;
}

static void store_addi(stmt_store *s, int64_t v)
{
    char num[32];
    snprintf(num, sizeof(num), "%lld", (long long)v);
    store_add(s, num);
}

static void finish(stmt_store *s, dbshift_stmt *out)
{
    out->kind = DBSHIFT_STMT_SQL;
    out->sql = s->sql.ptr;
    out->len = s->sql.len;
    out->params = s->params;
    out->nparams = s->n;
}

static const char *current_user(void)
{
    struct passwd *pw = getpwuid(geteuid());
    return pw ? pw->pw_name : NULL;
}

/* "?" or, where the database must measure the time itself, its expression. */
static const char *elapsed_sql(dbshift *db, stmt_store *s, int64_t ms)
{
    if (ms >= 0) {
        store_addi(s, ms);
        return "?";
    }
    if (db->driver->dialect == DBSHIFT_DIALECT_POSTGRES)
        return DB_ELAPSED_MS_PG;
    return "0";
}

void history_insert_stmt(dbshift *db, stmt_store *s, const history_entry *e, dbshift_stmt *out)
{
    char now[32];
    handle_now(now);
    buf_init(&s->sql);
    s->n = 0;
    store_add(s, e->version);
    store_add(s, e->name);
    store_add(s, e->kind);
    store_add(s, e->checksum);
    store_add(s, e->status);
    store_addi(s, e->statements_done);
    store_add(s, e->statement_hashes);
    store_add(s, e->error);
    store_add(s, now);
    store_add(s, current_user());
    const char *ms = elapsed_sql(db, s, e->execution_ms);
    store_add(s, DBSHIFT_VERSION);
    buf_addf(&s->sql,
             "INSERT INTO %s (version, name, kind, checksum, status, statements_done, "
             "statement_hashes, error, applied_at, applied_by, execution_ms, tool_version) "
             "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, %s, ?)",
             db->q_migrations, ms);
    finish(s, out);
}

void history_delete_stmt(dbshift *db, stmt_store *s, const char *kind, const char *version,
                         dbshift_stmt *out)
{
    buf_init(&s->sql);
    s->n = 0;
    store_add(s, version);
    if (strcmp(kind, HISTORY_REPEATABLE) == 0) {
        buf_addf(&s->sql, "DELETE FROM %s WHERE version = ? AND kind = 'repeatable'",
                 db->q_migrations);
    } else {
        buf_addf(&s->sql, "DELETE FROM %s WHERE version = ? AND kind <> 'repeatable'",
                 db->q_migrations);
    }
    finish(s, out);
}

void history_progress_stmt(dbshift *db, stmt_store *s, const char *kind, const char *version,
                           int statements_done, const char *hashes, dbshift_stmt *out)
{
    buf_init(&s->sql);
    s->n = 0;
    store_addi(s, statements_done);
    store_add(s, hashes);
    store_add(s, kind);
    store_add(s, version);
    buf_addf(&s->sql,
             "UPDATE %s SET statements_done = ?, statement_hashes = ? WHERE kind = ? AND "
             "version = ?",
             db->q_migrations);
    finish(s, out);
}

void log_insert_stmt(dbshift *db, stmt_store *s, const log_entry *e, dbshift_stmt *out)
{
    char host[256] = "";
    gethostname(host, sizeof(host) - 1);
    buf_init(&s->sql);
    s->n = 0;
    store_add(s, e->version);
    store_add(s, e->name);
    store_add(s, e->direction);
    store_add(s, e->started_at);
    const char *ms = elapsed_sql(db, s, e->duration_ms);
    store_addi(s, e->success ? 1 : 0);
    store_add(s, e->error);
    store_add(s, e->sqlstate && *e->sqlstate ? e->sqlstate : NULL);
    store_add(s, e->statement);
    store_add(s, e->file);
    store_addi(s, e->line);
    store_add(s, current_user());
    store_add(s, host);
    store_addi(s, (int64_t)getpid());
    store_add(s, DBSHIFT_VERSION);
    store_addi(s, e->lock_wait_ms);
    buf_addf(&s->sql,
             "INSERT INTO %s (version, name, direction, started_at, duration_ms, success, error, "
             "sql_state, statement, file, line, applied_by, host, pid, tool_version, lock_wait_ms) "
             "VALUES (?, ?, ?, ?, %s, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             db->q_log, ms);
    finish(s, out);
}

int history_run1(dbshift *db, const dbshift_stmt *st)
{
    size_t failed = 0;
    return db->driver->run(db->conn, st, 1, &failed, &db->error);
}

int history_log(dbshift *db, const log_entry *e)
{
    stmt_store s = {0};
    dbshift_stmt st;
    log_entry copy = *e;
    if (copy.duration_ms < 0)
        copy.duration_ms = 0;
    log_insert_stmt(db, &s, &copy, &st);
    dbshift_error keep = {0};
    /* Writing the log must not replace the error being reported. */
    dbshift_error_copy(&keep, &db->error);
    int rc = history_run1(db, &st);
    if (rc) {
        handle_log(db, DBSHIFT_LOG_WARN, "could not write the log row: %s",
                   db->error.message ? db->error.message : "unknown error");
    }
    dbshift_error_clear(&db->error);
    db->error = keep;
    stmt_store_release(&s);
    return rc;
}

void history_status_stmt(dbshift *db, stmt_store *s, const char *kind, const char *version,
                         const char *status, const char *error, const char *checksum,
                         int64_t execution_ms, dbshift_stmt *out)
{
    buf_init(&s->sql);
    s->n = 0;
    store_add(s, status);
    store_add(s, error);
    store_add(s, checksum);
    store_addi(s, execution_ms);
    store_add(s, kind);
    store_add(s, version);
    buf_addf(&s->sql,
             "UPDATE %s SET status = ?, error = ?, checksum = COALESCE(?, checksum), "
             "execution_ms = ? WHERE kind = ? AND version = ?",
             db->q_migrations);
    finish(s, out);
}

int history_set_status(dbshift *db, const char *kind, const char *version, const char *status,
                       const char *error, const char *checksum, int64_t execution_ms)
{
    stmt_store s = {0};
    dbshift_stmt st;
    history_status_stmt(db, &s, kind, version, status, error, checksum, execution_ms, &st);
    int rc = history_run1(db, &st);
    stmt_store_release(&s);
    return rc;
}

typedef struct log_reader {
    dbshift_history *h;
    size_t cap; /* room in h->entries */
} log_reader;

static int log_row(void *payload, size_t ncols, const char *const *v)
{
    log_reader *r = payload;
    dbshift_history *h = r->h;
    if (ncols < 14)
        return 0;
    if (array_reserve(&h->entries, &r->cap, h->count + 1, sizeof(*h->entries)) != 0)
        return DBSHIFT_ENOMEM;
    dbshift_log_entry *e = &h->entries[h->count++];
    memset(e, 0, sizeof(*e));
    e->id = v[0] ? atoll(v[0]) : 0;
    e->version = xstrdup(v[1]);
    e->name = xstrdup(v[2]);
    e->direction = xstrdup(v[3]);
    e->started_at = xstrdup(v[4]);
    e->duration_ms = v[5] ? atoll(v[5]) : 0;
    e->success = v[6] && atoi(v[6]) != 0;
    e->error = xstrdup(v[7]);
    e->statement = xstrdup(v[8]);
    e->file = xstrdup(v[9]);
    e->line = v[10] ? atoi(v[10]) : 0;
    e->user = xstrdup(v[11]);
    e->host = xstrdup(v[12]);
    e->pid = v[13] ? atoll(v[13]) : 0;
    e->lock_wait_ms = ncols > 14 && v[14] ? atoll(v[14]) : 0;
    return 0;
}

int history_read_log(dbshift *db, dbshift_history **out, size_t limit)
{
    *out = NULL;
    dbshift_history *h = calloc(1, sizeof(*h));
    if (!h)
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    bool exists = false;
    buf name = BUF_INIT;
    buf_addf(&name, "%s_log", db->table_prefix);
    int rc = db->driver->table_exists(db->conn, db->schema, name.ptr, &exists, &db->error);
    buf_release(&name);
    if (rc == 0 && exists) {
        buf sql = BUF_INIT;
        buf_addf(
            &sql,
            "SELECT id, version, name, direction, started_at, duration_ms, success, error, "
            "statement, file, line, applied_by, host, pid, lock_wait_ms FROM %s ORDER BY id DESC",
            db->q_log);
        /* SIZE_MAX means all: past INT64_MAX SQLite and Postgres reject the
         * number ("datatype mismatch", "bigint out of range"). */
        if (limit && limit <= (size_t)INT32_MAX)
            buf_addf(&sql, " LIMIT %zu", limit);
        log_reader reader = {h, 0};
        rc = db->driver->query(db->conn, sql.ptr, NULL, 0, log_row, &reader, &db->error);
        buf_release(&sql);
    }
    if (rc) {
        dbshift_history_free(h);
        return rc;
    }
    *out = h;
    return 0;
}

void dbshift_history_free(dbshift_history *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->count; i++) {
        dbshift_log_entry *e = &h->entries[i];
        free(e->version);
        free(e->name);
        free(e->direction);
        free(e->started_at);
        free(e->error);
        free(e->statement);
        free(e->file);
        free(e->user);
        free(e->host);
    }
    free(h->entries);
    free(h);
}
