/*
 * backup.c - backups of the target. SQLite targets get one automatically
 * before any change, written beside the database file as
 * "<file>.<UTC timestamp>.v<version>.bak" (mode 0600) through the online
 * backup API, and only the newest few are kept. Postgres and MySQL backups
 * go through pg_dump / mariadb-dump when asked, into the current folder.
 */
#include "core/backup.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/err.h"

static char *backup_path(dbshift *db, const char *version)
{
    char stamp[32];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
    const char *v = version ? version : "0";
    const char *ext = db->sqlite_path                                   ? "bak"
                      : db->driver->dialect == DBSHIFT_DIALECT_POSTGRES ? "dump"
                                                                        : "sql";
    buf prefix = BUF_INIT;
    if (db->sqlite_path)
        buf_adds(&prefix, db->sqlite_path);
    else
        buf_addf(&prefix, "dbshift-%s", db->driver->name);
    buf b = BUF_INIT;
    buf_addf(&b, "%s.%s.v%s.%s", prefix.ptr, stamp, v, ext);
    /* Two backups in the same second must not overwrite each other. The
     * suffix sorts after the plain name ('_' > '.') and is zero-padded, so
     * that the name order the backup list relies on stays newest first. */
    for (int n = 2; access(b.ptr, F_OK) == 0 && n < 100; n++) {
        buf_clear(&b);
        buf_addf(&b, "%s.%s_%02d.v%s.%s", prefix.ptr, stamp, n, v, ext);
    }
    buf_release(&prefix);
    return buf_detach(&b);
}

static int take_backup(dbshift *db, const char *version, char **path_out)
{
    *path_out = NULL;
    char *path = backup_path(db, version);
    if (!path)
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    int rc = db->driver->backup(db->conn, path, db->on_event, db->payload, &db->error);
    if (rc) {
        err_prefix(&db->error, "backup to '%s' failed; nothing was changed", path);
        free(path);
        return rc;
    }
    chmod(path, 0600);
    dbshift_event ev = {0};
    ev.type = DBSHIFT_EV_BACKUP;
    ev.path = path;
    handle_emit(db, &ev);
    *path_out = path;
    return 0;
}

static int cmp_desc(const void *a, const void *b)
{
    return strcmp(*(char *const *)b, *(char *const *)a);
}

int dbshift_backups_list(dbshift_backups **out, dbshift *db)
{
    *out = NULL;
    dbshift_error_clear(&db->error);
    if (!db->sqlite_path)
        return err_set(&db->error, DBSHIFT_EUNSUPPORTED,
                       "listing backups works for SQLite files; name a %s dump file to restore",
                       db->driver->name);
    dbshift_backups *b = calloc(1, sizeof(*b));
    if (!b)
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    char *copy = strdup(db->sqlite_path);
    char *slash = copy ? strrchr(copy, '/') : NULL;
    const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
    const char *base = slash ? slash + 1 : copy;
    if (slash)
        *slash = '\0';
    DIR *d = copy ? opendir(dir) : NULL;
    size_t blen = base ? strlen(base) : 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n <= blen + 5 || strncmp(e->d_name, base, blen) != 0 || e->d_name[blen] != '.' ||
            strcmp(e->d_name + n - 4, ".bak") != 0)
            continue;
        char **paths = realloc(b->paths, (b->count + 1) * sizeof(*paths));
        if (!paths)
            break;
        b->paths = paths;
        buf p = BUF_INIT;
        if (slash)
            buf_addf(&p, "%s/%s", dir, e->d_name);
        else
            buf_adds(&p, e->d_name);
        b->paths[b->count++] = buf_detach(&p);
    }
    if (d)
        closedir(d);
    free(copy);
    if (b->count)
        qsort(b->paths, b->count, sizeof(*b->paths), cmp_desc);
    *out = b;
    return 0;
}

void dbshift_backups_free(dbshift_backups *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->count; i++)
        free(b->paths[i]);
    free(b->paths);
    free(b);
}

/* Deletes all but the newest keep backups. */
static void rotate(dbshift *db, int keep)
{
    dbshift_backups *b = NULL;
    if (dbshift_backups_list(&b, db) != 0)
        return;
    for (size_t i = (size_t)keep; i < b->count; i++)
        unlink(b->paths[i]);
    dbshift_backups_free(b);
}

int backup_before_run(dbshift *db, const dbshift_run_options *opts, const char *version,
                      char **path_out)
{
    *path_out = NULL;
    bool wanted = db->sqlite_path ? !opts->no_backup : opts->backup;
    if (!wanted)
        return 0;
    int rc = take_backup(db, version, path_out);
    if (rc == 0 && db->sqlite_path)
        rotate(db, opts->keep_backups > 0 ? opts->keep_backups : 5);
    return rc;
}

static int newest_row(void *payload, size_t ncols, const char *const *v)
{
    char **newest = payload;
    if (ncols && v[0] && (!*newest || version_compare(v[0], *newest) > 0)) {
        free(*newest);
        *newest = strdup(v[0]);
    }
    return 0;
}

int dbshift_backup(char **path_out, dbshift *db)
{
    *path_out = NULL;
    dbshift_error_clear(&db->error);
    int rc = handle_connect(db);
    if (rc)
        return rc;
    char *version = NULL;
    bool exists = false;
    buf name = BUF_INIT;
    buf_addf(&name, "%s_migrations", db->table_prefix);
    if (db->driver->table_exists(db->conn, db->schema, name.ptr, &exists, NULL) == 0 && exists) {
        buf sql = BUF_INIT;
        buf_addf(&sql, "SELECT version FROM %s WHERE kind <> 'repeatable' AND status = 'applied'",
                 db->q_migrations);
        db->driver->query(db->conn, sql.ptr, NULL, 0, newest_row, &version, NULL);
        buf_release(&sql);
    }
    buf_release(&name);
    rc = take_backup(db, version, path_out);
    free(version);
    return rc;
}

int dbshift_restore(dbshift *db, const char *path)
{
    dbshift_error_clear(&db->error);
    int rc = handle_connect(db);
    if (rc)
        return rc;
    char *chosen = NULL;
    if (!path) {
        dbshift_backups *b = NULL;
        rc = dbshift_backups_list(&b, db);
        if (rc)
            return rc;
        if (b->count == 0) {
            dbshift_backups_free(b);
            return err_set(&db->error, DBSHIFT_ENOTFOUND, "no backups of '%s' found",
                           db->sqlite_path);
        }
        chosen = strdup(b->paths[0]);
        dbshift_backups_free(b);
        path = chosen;
    }
    if (access(path, R_OK) != 0) {
        rc = err_set(&db->error, DBSHIFT_ENOTFOUND, "backup '%s' does not exist", path);
        free(chosen);
        return rc;
    }
    buf q = BUF_INIT;
    buf_addf(&q, "restore %s from '%s'? Everything written since that backup is lost",
             db->redacted_url, path);
    if (!handle_confirm(db, q.ptr, path)) {
        buf_release(&q);
        free(chosen);
        rc = err_set(&db->error, DBSHIFT_EDECLINED, "restore was not confirmed; nothing changed");
        err_hint(&db->error, "answer yes on a terminal, or pass --yes");
        return rc;
    }
    buf_release(&q);
    rc = handle_lock(db);
    if (rc == 0) {
        rc = db->driver->restore(db->conn, path, &db->error);
        handle_unlock(db);
    }
    if (rc == 0)
        handle_log(db, DBSHIFT_LOG_INFO, "restored %s from %s", db->redacted_url, path);
    free(chosen);
    return rc;
}

int dbshift_lock_holder(char **holder_out, dbshift *db)
{
    *holder_out = NULL;
    dbshift_error_clear(&db->error);
    int rc = handle_connect(db);
    if (rc)
        return rc;
    return db->driver->lock_holder(db->conn, db->lock_key, holder_out, &db->error);
}
