/*
 * sqlite.c - the SQLite driver: the embedded default target.
 *
 * SQLite has transactional DDL, so every migration runs inside a
 * transaction with its history row. Its own locks last only as long as a
 * transaction, so the migration lock that spans a whole run is an flock() on
 * a side file "<db>.lock": the kernel drops it when the process dies, so a
 * crashed run never leaves a stale lock, and the holder writes its pid and
 * host into the file for the next runner's message. Backups use the online
 * backup API into a temporary file renamed into place when complete, so a
 * backup is either whole or absent.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dbshift/driver.h"
#include "util/buf.h"
#include "util/err.h"

typedef struct sqlite_conn {
    sqlite3 *db;
    char *path;      /* NULL for :memory: */
    char *lock_path; /* "<path>.lock" */
    int lock_fd;     /* -1 when not held */
    bool in_txn;
} sqlite_conn;

static int sql_error(dbshift_error *err, sqlite3 *db, const char *what)
{
    int rc = err_set(err, DBSHIFT_ESQL, "%s%s%s", what ? what : "", what ? ": " : "",
                     sqlite3_errmsg(db));
    if (err)
        err->native_code = sqlite3_extended_errcode(db);
    return rc;
}

static char *path_from_url(const char *url)
{
    const char *p = strchr(url, ':');
    p = p ? p + 1 : url;
    if (strncmp(p, "//", 2) == 0)
        p += 2;
    return strndup(p, strcspn(p, "?"));
}

static int sqlite_open(void **out, const dbshift_conn_params *params, dbshift_error *err)
{
    *out = NULL;
    sqlite_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    c->lock_fd = -1;
    char *path = path_from_url(params->url);
    if (!path || !*path) {
        free(path);
        free(c);
        return err_set(err, DBSHIFT_EUSAGE, "sqlite URL '%s' names no file", params->url);
    }
    bool memory = strcmp(path, ":memory:") == 0;
    int rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        err_set(err, DBSHIFT_ECONNECT, "cannot open sqlite database '%s': %s", path,
                c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        sqlite3_close(c->db);
        free(path);
        free(c);
        return DBSHIFT_ECONNECT;
    }
    sqlite3_extended_result_codes(c->db, 1);
    /* Other processes (the application itself) may hold short locks. */
    sqlite3_busy_timeout(c->db, 5000);
    if (!memory) {
        c->path = path;
        buf b = BUF_INIT;
        buf_addf(&b, "%s.lock", path);
        c->lock_path = buf_detach(&b);
    } else {
        free(path);
    }
    *out = c;
    return 0;
}

static void sqlite_close(void *conn)
{
    sqlite_conn *c = conn;
    if (!c)
        return;
    if (c->lock_fd >= 0)
        close(c->lock_fd); /* drops the flock */
    sqlite3_close(c->db);
    free(c->path);
    free(c->lock_path);
    free(c);
}

static int sqlite_exec(void *conn, const char *sql, dbshift_error *err)
{
    sqlite_conn *c = conn;
    char *msg = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = err_set(err, DBSHIFT_ESQL, "%s", msg ? msg : sqlite3_errmsg(c->db));
        if (err)
            err->native_code = sqlite3_extended_errcode(c->db);
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

static int bind_params(sqlite3_stmt *st, const char *const *params, size_t nparams)
{
    for (size_t i = 0; i < nparams; i++) {
        int rc = params[i] ? sqlite3_bind_text(st, (int)i + 1, params[i], -1, SQLITE_STATIC)
                           : sqlite3_bind_null(st, (int)i + 1);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

/* Runs every statement in sql[0..len), binding params to the first one and
 * handing rows to row() when given. */
static int run_sql(sqlite_conn *c, const char *sql, size_t len, const char *const *params,
                   size_t nparams, dbshift_row_fn row, void *payload, dbshift_error *err)
{
    const char *p = sql, *end = sql + len;
    bool first = true;
    while (p < end) {
        sqlite3_stmt *st = NULL;
        const char *tail = NULL;
        if (sqlite3_prepare_v2(c->db, p, (int)(end - p), &st, &tail) != SQLITE_OK)
            return sql_error(err, c->db, NULL);
        if (!st) /* only whitespace or comments left */
            break;
        if (first && nparams && bind_params(st, params, nparams) != SQLITE_OK) {
            sqlite3_finalize(st);
            return sql_error(err, c->db, NULL);
        }
        first = false;
        int rc;
        const char *vals[64];
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (!row)
                continue;
            int n = sqlite3_column_count(st);
            if (n > 64)
                n = 64;
            for (int i = 0; i < n; i++)
                vals[i] = (const char *)sqlite3_column_text(st, i);
            int stop = row(payload, (size_t)n, vals);
            if (stop) {
                sqlite3_finalize(st);
                return stop;
            }
        }
        if (rc != SQLITE_DONE) {
            sql_error(err, c->db, NULL);
            sqlite3_finalize(st);
            return DBSHIFT_ESQL;
        }
        sqlite3_finalize(st);
        p = tail;
    }
    return 0;
}

static int sqlite_query(void *conn, const char *sql, const char *const *params, size_t nparams,
                        dbshift_row_fn row, void *payload, dbshift_error *err)
{
    return run_sql(conn, sql, strlen(sql), params, nparams, row, payload, err);
}

static int sqlite_begin(void *conn, dbshift_error *err)
{
    sqlite_conn *c = conn;
    /* IMMEDIATE takes the write lock now, so the transaction never fails
     * later on a lock upgrade against another writer. */
    int rc = sqlite_exec(c, "BEGIN IMMEDIATE", err);
    if (rc == 0)
        c->in_txn = true;
    return rc;
}

static int sqlite_commit(void *conn, dbshift_error *err)
{
    sqlite_conn *c = conn;
    int rc = sqlite_exec(c, "COMMIT", err);
    if (rc == 0)
        c->in_txn = false;
    return rc;
}

static int sqlite_rollback(void *conn, dbshift_error *err)
{
    sqlite_conn *c = conn;
    c->in_txn = false;
    if (sqlite3_get_autocommit(c->db))
        return 0;
    return sqlite_exec(c, "ROLLBACK", err);
}

static int sqlite_run(void *conn, const dbshift_stmt *stmts, size_t n, size_t *failed,
                      dbshift_error *err)
{
    sqlite_conn *c = conn;
    bool opened = false;
    for (size_t i = 0; i < n; i++) {
        int rc;
        switch (stmts[i].kind) {
        case DBSHIFT_STMT_BEGIN:
            rc = sqlite_begin(c, err);
            opened = rc == 0;
            break;
        case DBSHIFT_STMT_COMMIT:
            rc = sqlite_commit(c, err);
            if (rc == 0)
                opened = false;
            break;
        default:
            rc = run_sql(c, stmts[i].sql, stmts[i].len, stmts[i].params, stmts[i].nparams, NULL,
                         NULL, err);
            break;
        }
        if (rc) {
            *failed = i;
            if (err)
                err->statement_index = (int)i + 1;
            if (opened)
                sqlite_rollback(c, NULL);
            return rc;
        }
    }
    *failed = n;
    return 0;
}

/* Reads the holder description a lock owner wrote into the lock file. */
static char *read_holder(const char *lock_path)
{
    FILE *f = fopen(lock_path, "r");
    if (!f)
        return NULL;
    char line[512];
    size_t got = fread(line, 1, sizeof(line) - 1, f);
    fclose(f);
    line[got] = '\0';
    line[strcspn(line, "\n")] = '\0';
    return got ? strdup(line) : NULL;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int sqlite_lock(void *conn, const char *key, int wait_ms, dbshift_error *err)
{
    (void)key; /* one lock per database file */
    sqlite_conn *c = conn;
    if (!c->lock_path || c->lock_fd >= 0)
        return 0;
    int fd = open(c->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_set(err, DBSHIFT_EIO, "cannot open lock file '%s': %s", c->lock_path,
                       strerror(errno));
    int waited = 0;
    while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK && errno != EINTR) {
            close(fd);
            return err_set(err, DBSHIFT_EIO, "cannot lock '%s': %s", c->lock_path, strerror(errno));
        }
        if (waited >= wait_ms) {
            close(fd);
            char *holder = read_holder(c->lock_path);
            err_set(err, DBSHIFT_ELOCK, "migration lock on '%s' is held by %s (waited %d ms)",
                    c->path, holder ? holder : "another process", wait_ms);
            err_hint(err, "wait for that run to finish, or raise --lock-wait");
            free(holder);
            return DBSHIFT_ELOCK;
        }
        sleep_ms(50);
        waited += 50;
    }
    char host[256] = "";
    gethostname(host, sizeof(host) - 1);
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    char line[400];
    int len = snprintf(line, sizeof(line), "dbshift pid %ld on %s since %s\n", (long)getpid(), host,
                       stamp);
    if (ftruncate(fd, 0) == 0 && len > 0 && write(fd, line, (size_t)len) < 0) {
        /* the description is a courtesy; the lock itself is held */
    }
    c->lock_fd = fd;
    return 0;
}

static int sqlite_unlock(void *conn, const char *key, dbshift_error *err)
{
    (void)key;
    (void)err;
    sqlite_conn *c = conn;
    if (c->lock_fd >= 0) {
        if (ftruncate(c->lock_fd, 0) != 0) {
            /* a stale description is harmless: the flock is what counts */
        }
        close(c->lock_fd);
        c->lock_fd = -1;
    }
    return 0;
}

static int sqlite_lock_holder(void *conn, const char *key, char **holder, dbshift_error *err)
{
    (void)key;
    (void)err;
    sqlite_conn *c = conn;
    *holder = NULL;
    if (!c->lock_path)
        return 0;
    if (c->lock_fd >= 0) {
        *holder = read_holder(c->lock_path);
        return 0;
    }
    int fd = open(c->lock_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
        *holder = read_holder(c->lock_path);
        if (!*holder)
            *holder = strdup("another process");
    }
    close(fd);
    return 0;
}

static char *sqlite_quote_ident(const char *ident)
{
    return buf_quoted(ident, '"');
}

static int exists_row(void *payload, size_t ncols, const char *const *values)
{
    (void)ncols;
    (void)values;
    *(bool *)payload = true;
    return 0;
}

static int sqlite_table_exists(void *conn, const char *schema, const char *table, bool *exists,
                               dbshift_error *err)
{
    (void)schema;
    *exists = false;
    const char *params[] = {table};
    return sqlite_query(conn, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", params,
                        1, exists_row, exists, err);
}

/* Copies src into dst with the backup API, a slice of pages at a time. */
static int copy_database(sqlite3 *dst, sqlite3 *src, dbshift_event_fn progress, void *payload,
                         dbshift_error *err)
{
    sqlite3_backup *bk = sqlite3_backup_init(dst, "main", src, "main");
    if (!bk)
        return sql_error(err, dst, "backup failed");
    int rc;
    while ((rc = sqlite3_backup_step(bk, 256)) == SQLITE_OK || rc == SQLITE_BUSY ||
           rc == SQLITE_LOCKED) {
        if (progress) {
            int total = sqlite3_backup_pagecount(bk);
            int left = sqlite3_backup_remaining(bk);
            dbshift_event ev = {0};
            ev.type = DBSHIFT_EV_BACKUP_PROGRESS;
            ev.bytes_total = (uint64_t)total * 4096u;
            ev.bytes_done = (uint64_t)(total - left) * 4096u;
            progress(&ev, payload);
        }
        if (rc != SQLITE_OK)
            sleep_ms(20);
    }
    sqlite3_backup_finish(bk);
    if (rc != SQLITE_DONE)
        return sql_error(err, dst, "backup failed");
    return 0;
}

static int sqlite_backup(void *conn, const char *path, dbshift_event_fn progress, void *payload,
                         dbshift_error *err)
{
    sqlite_conn *c = conn;
    buf tmp = BUF_INIT;
    buf_addf(&tmp, "%s.partial", path);
    if (buf_failed(&tmp))
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    unlink(tmp.ptr);
    int fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        err_set(err, DBSHIFT_EIO, "cannot create backup '%s': %s", path, strerror(errno));
        buf_release(&tmp);
        return DBSHIFT_EIO;
    }
    close(fd);
    sqlite3 *dst = NULL;
    int rc = 0;
    if (sqlite3_open_v2(tmp.ptr, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        rc = err_set(err, DBSHIFT_EIO, "cannot open backup '%s': %s", path, sqlite3_errmsg(dst));
    } else {
        rc = copy_database(dst, c->db, progress, payload, err);
    }
    if (sqlite3_close(dst) != SQLITE_OK && rc == 0)
        rc = err_set(err, DBSHIFT_EIO, "cannot close backup '%s'", path);
    if (rc == 0 && rename(tmp.ptr, path) != 0)
        rc = err_set(err, DBSHIFT_EIO, "cannot rename backup into '%s': %s", path, strerror(errno));
    if (rc)
        unlink(tmp.ptr);
    buf_release(&tmp);
    return rc;
}

static int integrity_row(void *payload, size_t ncols, const char *const *values)
{
    if (ncols && values[0] && strcmp(values[0], "ok") != 0 && !*(char **)payload)
        *(char **)payload = strdup(values[0]);
    return 0;
}

/* Runs PRAGMA integrity_check on db; DBSHIFT_EIO naming what when not ok. */
static int check_integrity(sqlite_conn *c, const char *what, dbshift_error *err)
{
    char *problem = NULL;
    int rc = sqlite_query(c, "PRAGMA integrity_check", NULL, 0, integrity_row, &problem, err);
    if (rc == 0 && problem)
        rc = err_set(err, DBSHIFT_EIO, "%s failed integrity_check: %s", what, problem);
    free(problem);
    return rc;
}

static int sqlite_restore(void *conn, const char *path, dbshift_error *err)
{
    sqlite_conn *c = conn;
    sqlite_conn src = {0};
    src.lock_fd = -1;
    if (sqlite3_open_v2(path, &src.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        err_set(err, DBSHIFT_EIO, "cannot open backup '%s': %s", path, sqlite3_errmsg(src.db));
        sqlite3_close(src.db);
        return DBSHIFT_EIO;
    }
    int rc = check_integrity(&src, "backup", err);
    if (rc == 0)
        rc = copy_database(c->db, src.db, NULL, NULL, err);
    sqlite3_close(src.db);
    if (rc == 0)
        rc = check_integrity(c, "restored database", err);
    return rc;
}

static char *sqlite_describe(void *conn)
{
    sqlite_conn *c = conn;
    buf b = BUF_INIT;
    buf_addf(&b, "sqlite:%s", c->path ? c->path : ":memory:");
    return buf_detach(&b);
}

static const char *const sqlite_schemes[] = {"sqlite", "sqlite3", NULL};

const dbshift_driver dbshift_driver_sqlite = {
    .version = DBSHIFT_DRIVER_VERSION,
    .name = "sqlite",
    .schemes = sqlite_schemes,
    .caps = DBSHIFT_CAP_TRANSACTIONAL_DDL | DBSHIFT_CAP_ONLINE_BACKUP,
    .dialect = DBSHIFT_DIALECT_SQLITE,
    .open = sqlite_open,
    .close = sqlite_close,
    .exec = sqlite_exec,
    .query = sqlite_query,
    .run = sqlite_run,
    .begin = sqlite_begin,
    .commit = sqlite_commit,
    .rollback = sqlite_rollback,
    .lock = sqlite_lock,
    .unlock = sqlite_unlock,
    .lock_holder = sqlite_lock_holder,
    .quote_ident = sqlite_quote_ident,
    .table_exists = sqlite_table_exists,
    .backup = sqlite_backup,
    .restore = sqlite_restore,
    .describe = sqlite_describe,
};
