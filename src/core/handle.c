/*
 * handle.c - opening and freeing a dbshift handle, connecting on first use,
 * reading the migration source on first use, the migration lock, and the
 * callbacks through which the library talks to its caller.
 */
#include "handle.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/history.h"
#include "core/url.h"
#include "source/memory.h"
#include "util/buf.h"
#include "util/err.h"

void dbshift_config_init(dbshift_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->lock_wait_ms = -1;
}

static int copy_str(char **dst, const char *src, const char *fallback)
{
    const char *s = src ? src : fallback;
    if (!s) {
        *dst = NULL;
        return 0;
    }
    *dst = strdup(s);
    return *dst ? 0 : DBSHIFT_ENOMEM;
}

int dbshift_open(dbshift **out, const dbshift_config *cfg, dbshift_error *err)
{
    *out = NULL;
    dbshift_config defaults;
    if (!cfg) {
        dbshift_config_init(&defaults);
        cfg = &defaults;
    }
    dbshift *db = calloc(1, sizeof(*db));
    if (!db)
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    int rc = 0;
    rc |= copy_str(&db->url, cfg->url, "sqlite:dbshift.db");
    rc |= copy_str(&db->migrations_dir, cfg->migrations_dir, "migrations");
    rc |= copy_str(&db->table_prefix, cfg->table_prefix, "dbshift");
    rc |= copy_str(&db->schema, cfg->schema, NULL);
    rc |= copy_str(&db->source_format, cfg->source_format, NULL);
    rc |= copy_str(&db->password, cfg->password, NULL);
    if (cfg->nvars) {
        db->vars = calloc(cfg->nvars, sizeof(char *));
        if (!db->vars)
            rc = DBSHIFT_ENOMEM;
        for (size_t i = 0; db->vars && i < cfg->nvars; i++) {
            rc |= copy_str(&db->vars[i], cfg->vars[i], NULL);
            db->nvars = i + 1;
        }
    }
    db->redacted_url = db->url ? url_redact(db->url) : NULL;
    if (rc || !db->redacted_url) {
        dbshift_free(db);
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    }
    db->lock_wait_ms = cfg->lock_wait_ms < 0 ? 30000 : cfg->lock_wait_ms;
    db->connect_timeout_s = cfg->connect_timeout_s > 0 ? cfg->connect_timeout_s : 10;
    db->on_event = cfg->on_event;
    db->confirm = cfg->confirm;
    db->get_env = cfg->get_env;
    db->payload = cfg->payload;
    db->assume_yes = cfg->assume_yes;
    db->embedded = cfg->embedded;
    db->driver = url_driver(db->url);
    if (!db->driver) {
        rc = err_set(err, DBSHIFT_EUSAGE,
                     "unknown database URL scheme in '%s': use sqlite:FILE, postgres://... or "
                     "mysql://...",
                     db->redacted_url);
        dbshift_free(db);
        return rc;
    }
    if (db->schema && !(db->driver->caps & DBSHIFT_CAP_SCHEMAS)) {
        rc = err_set(err, DBSHIFT_EUSAGE, "--schema is not supported by %s", db->driver->name);
        dbshift_free(db);
        return rc;
    }
    db->sqlite_path = url_sqlite_path(db->url);
    if (history_names_init(db) != 0) {
        dbshift_free(db);
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    }
    *out = db;
    return 0;
}

void dbshift_free(dbshift *db)
{
    if (!db)
        return;
    if (db->conn) {
        handle_unlock(db);
        db->driver->close(db->conn);
    }
    free(db->url);
    free(db->redacted_url);
    free(db->migrations_dir);
    free(db->table_prefix);
    free(db->schema);
    free(db->source_format);
    free(db->password);
    for (size_t i = 0; i < db->nvars; i++)
        free(db->vars[i]);
    free(db->vars);
    free(db->sqlite_path);
    free(db->lock_key);
    free(db->q_migrations);
    free(db->q_log);
    migration_set_free(db->set);
    dbshift_error_clear(&db->error);
    free(db);
}

const dbshift_error *dbshift_last_error(const dbshift *db)
{
    return db ? &db->error : NULL;
}

const char *dbshift_redacted_url(const dbshift *db)
{
    return db->redacted_url;
}

const char *dbshift_engine(const dbshift *db)
{
    return db->driver->name;
}

void dbshift_string_free(char *s)
{
    free(s);
}

static int version_row(void *payload, size_t ncols, const char *const *values)
{
    if (ncols && values[0])
        *(int *)payload = atoi(values[0]);
    return 0;
}

int handle_connect(dbshift *db)
{
    if (db->conn)
        return 0;
    char host[128] = "localhost";
    gethostname(host, sizeof(host) - 1);
    char app[200];
    snprintf(app, sizeof(app), "dbshift %s %s:%ld", DBSHIFT_VERSION, host, (long)getpid());
    dbshift_conn_params params = {db->url, db->password, app, db->connect_timeout_s};
    int rc = db->driver->open(&db->conn, &params, &db->error);
    if (rc) {
        db->conn = NULL;
        if (db->error.message && db->password && strstr(db->error.message, db->password))
            err_set(&db->error, rc, "cannot connect to %s", db->redacted_url);
        return rc;
    }
    db->server_version = 0;
    return 0;
}

int handle_server_version(dbshift *db)
{
    /* Asked only when our PostgreSQL 15 parser rejects a statement, to tell
     * newer syntax from a mistake: asking on every connect cost each
     * command a round trip it almost never needed. */
    if (!db->server_version && db->conn && db->driver->dialect == DBSHIFT_DIALECT_POSTGRES)
        db->driver->query(db->conn, "SELECT current_setting('server_version_num')", NULL, 0,
                          version_row, &db->server_version, NULL);
    return db->server_version;
}

static const char *env_thunk(const char *name, void *payload)
{
    const dbshift *db = payload;
    return db->get_env ? db->get_env(name, db->payload) : NULL;
}

int handle_load_source(dbshift *db)
{
    return handle_load_source_as(db, false);
}

int handle_read_source(const dbshift *db, migration_set **out, bool metadata_only,
                       dbshift_error *err)
{
    source_options opts = {0};
    opts.metadata_only = metadata_only;
    opts.format = db->source_format;
    opts.dialect = db->driver->dialect;
    opts.vars = (const char *const *)db->vars;
    opts.nvars = db->nvars;
    opts.get_env = env_thunk;
    opts.payload = (void *)db;
    if (db->embedded)
        return migration_set_load_embedded(out, db->embedded, &opts, err);
    return migration_set_load(out, db->migrations_dir, &opts, err);
}

int handle_load_source_as(dbshift *db, bool metadata_only)
{
    if (db->set && (metadata_only || !db->set->without_sql))
        return 0;
    /* A set read for status holds no SQL: read the folder again. */
    migration_set_free(db->set);
    db->set = NULL;
    return handle_read_source(db, &db->set, metadata_only, &db->error);
}

int handle_lock(dbshift *db)
{
    if (db->locked)
        return 0;
    int rc = handle_connect(db);
    if (rc)
        return rc;
    /* Try without waiting first so that a wait can be announced. */
    rc = db->driver->lock(db->conn, db->lock_key, 0, &db->error);
    if (rc == DBSHIFT_ELOCK && db->lock_wait_ms > 0) {
        dbshift_event ev = {0};
        ev.type = DBSHIFT_EV_LOCK_WAIT;
        ev.message = db->error.message;
        handle_emit(db, &ev);
        rc = db->driver->lock(db->conn, db->lock_key, db->lock_wait_ms, &db->error);
    }
    if (rc == 0) {
        db->locked = true;
        dbshift_error_clear(&db->error);
    }
    return rc;
}

void handle_unlock(dbshift *db)
{
    if (db->locked && db->conn) {
        db->driver->unlock(db->conn, db->lock_key, NULL);
        db->locked = false;
    }
}

void handle_release_idle_connection(dbshift *db)
{
    if (db->conn && !db->locked && db->sqlite_path) {
        db->driver->close(db->conn);
        db->conn = NULL;
    }
}

void handle_emit(dbshift *db, const dbshift_event *ev)
{
    if (db->on_event)
        db->on_event(ev, db->payload);
}

void handle_log(dbshift *db, int level, const char *fmt, ...)
{
    if (!db->on_event)
        return;
    buf b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(&b, fmt, ap);
    va_end(ap);
    dbshift_event ev = {0};
    ev.type = DBSHIFT_EV_LOG;
    ev.level = level;
    ev.message = b.ptr;
    db->on_event(&ev, db->payload);
    buf_release(&b);
}

bool handle_confirm(dbshift *db, const char *question, const char *details)
{
    if (db->assume_yes)
        return true;
    if (!db->confirm)
        return false;
    return db->confirm(question, details, db->payload);
}

void handle_now(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int64_t handle_clock_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
