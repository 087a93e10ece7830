/*
 * schema_cmds.c - the schema commands of the library: dbshift_dump,
 * dbshift_drift, dbshift_diff and dbshift_test, and the shadow databases
 * they build on.
 *
 * A shadow is an empty database of the target's engine where migrations can
 * run without touching the target: a temporary file for SQLite, a database
 * created on the target's server for Postgres and MariaDB (dropped when
 * done), or one the caller names. Migrations reach it through a second
 * dbshift handle with the same migrations folder and settings, so the
 * shadow is built by exactly the runner the target was built by.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/introspect.h"
#include "sql/split.h"
#include "util/buf.h"
#include "util/err.h"

/* --- Catalog queries ----------------------------------------------------- */

typedef struct collect {
    introspect_rows *rows;
    size_t cap;
    bool failed;
} collect;

static int collect_row(void *payload, size_t ncols, const char *const *values)
{
    collect *c = payload;
    introspect_rows *r = c->rows;
    if (r->count == 0 && r->ncols == 0)
        r->ncols = ncols;
    if ((r->count + 1) * r->ncols > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        while (cap < (r->count + 1) * r->ncols)
            cap *= 2;
        char **cells = realloc(r->cells, cap * sizeof(*cells));
        if (!cells) {
            c->failed = true;
            return 1;
        }
        r->cells = cells;
        c->cap = cap;
    }
    for (size_t j = 0; j < r->ncols; j++) {
        const char *v = j < ncols ? values[j] : NULL;
        r->cells[r->count * r->ncols + j] = v ? strdup(v) : NULL;
        if (v && !r->cells[r->count * r->ncols + j])
            c->failed = true;
    }
    r->count++;
    return c->failed ? 1 : 0;
}

int introspect_query(introspect_rows *out, dbshift *db, const char *sql, const char *const *params,
                     size_t nparams)
{
    collect c = {out, 0, false};
    memset(out, 0, sizeof(*out));
    int rc = db->driver->query(db->conn, sql, params, nparams, collect_row, &c, &db->error);
    if (c.failed) {
        introspect_rows_release(out);
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory reading the catalog");
    }
    if (rc) {
        introspect_rows_release(out);
        err_prefix(&db->error, "cannot read the schema");
        return rc < 0 ? rc : DBSHIFT_ESQL;
    }
    return 0;
}

void introspect_rows_release(introspect_rows *r)
{
    for (size_t i = 0; i < r->count * r->ncols; i++)
        free(r->cells[i]);
    free(r->cells);
    memset(r, 0, sizeof(*r));
}

const char *introspect_cell(const introspect_rows *r, size_t i, size_t j)
{
    if (i >= r->count || j >= r->ncols)
        return NULL;
    return r->cells[i * r->ncols + j];
}

int introspect_schema(schema *out, dbshift *db)
{
    schema_init(out, db->driver->dialect);
    int rc = handle_connect(db);
    if (rc)
        return rc;
    switch (db->driver->dialect) {
    case DBSHIFT_DIALECT_SQLITE:
        rc = introspect_sqlite(out, db);
        break;
    case DBSHIFT_DIALECT_POSTGRES:
        rc = introspect_postgres(out, db);
        break;
    default:
        rc = introspect_mysql(out, db);
        break;
    }
    if (rc) {
        if (rc == DBSHIFT_ENOMEM)
            err_set(&db->error, rc, "out of memory reading the schema");
        schema_release(out);
        return rc;
    }
    char history[2][300];
    snprintf(history[0], sizeof(history[0]), "%s_migrations", db->table_prefix);
    snprintf(history[1], sizeof(history[1]), "%s_log", db->table_prefix);
    const char *names[] = {history[0], history[1]};
    schema_exclude_tables(out, names, 2);
    /* the history tables' own schema is dbshift's, not the application's */
    for (size_t i = out->count; db->schema && strcmp(db->schema, "public") && i-- > 0;)
        if (out->objs[i].kind == SCHEMA_NAMESPACE && !strcmp(out->objs[i].name, db->schema))
            schema_remove(out, i);
    schema_sort(out);
    return 0;
}

/* --- Public helpers ------------------------------------------------------ */

void dbshift_schema_options_init(dbshift_schema_options *opts)
{
    memset(opts, 0, sizeof(*opts));
}

void dbshift_schema_diff_free(dbshift_schema_diff *d)
{
    if (!d)
        return;
    schema_changes c = {d->count, (schema_change *)d->items};
    schema_changes_release(&c);
    free(d);
}

/* The public list shares the internal one's layout, field for field. */
_Static_assert(sizeof(dbshift_schema_change) == sizeof(schema_change),
               "schema_change and dbshift_schema_change must match");

static int diff_from_changes(dbshift_schema_diff **out, schema_changes *c)
{
    *out = calloc(1, sizeof(**out));
    if (!*out) {
        schema_changes_release(c);
        return DBSHIFT_ENOMEM;
    }
    (*out)->count = c->count;
    (*out)->items = (dbshift_schema_change *)c->items;
    c->items = NULL;
    c->count = 0;
    return 0;
}

void dbshift_test_report_free(dbshift_test_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++) {
        free(r->steps[i].version);
        free(r->steps[i].name);
        free(r->steps[i].message);
        dbshift_schema_diff_free(r->steps[i].diff);
    }
    free(r->steps);
    free(r);
}

int dbshift_dump(char **sql_out, dbshift *db)
{
    schema s;
    *sql_out = NULL;
    dbshift_error_clear(&db->error);
    int rc = introspect_schema(&s, db);
    if (rc)
        return rc;
    buf b = BUF_INIT;
    rc = schema_dump(&b, &s);
    schema_release(&s);
    if (rc) {
        buf_release(&b);
        return err_set(&db->error, rc, "out of memory writing the schema dump");
    }
    *sql_out = buf_detach(&b);
    return *sql_out ? 0 : err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
}

/* Writes text to path through a temporary file and a rename, so a reader
 * never sees half a file. */
static int write_file(dbshift *db, const char *path, const char *text)
{
    buf tmp = BUF_INIT;
    buf_addf(&tmp, "%s.tmp%ld", path, (long)getpid());
    if (buf_failed(&tmp))
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    FILE *f = fopen(tmp.ptr, "w");
    int rc = 0;
    if (!f)
        rc = err_set(&db->error, DBSHIFT_EIO, "cannot write '%s': %s", tmp.ptr, strerror(errno));
    else {
        size_t n = strlen(text);
        bool ok = fwrite(text, 1, n, f) == n;
        ok = fclose(f) == 0 && ok;
        if (!ok || rename(tmp.ptr, path) != 0) {
            rc = err_set(&db->error, DBSHIFT_EIO, "cannot write '%s': %s", path, strerror(errno));
            remove(tmp.ptr);
        }
    }
    buf_release(&tmp);
    return rc;
}

int dbshift_dump_to_file(dbshift *db, const char *path)
{
    char *sql = NULL;
    int rc = dbshift_dump(&sql, db);
    if (!rc)
        rc = write_file(db, path, sql);
    free(sql);
    return rc;
}

/* --- Shadow databases ---------------------------------------------------- */

typedef struct shadow {
    dbshift *h;
    char *created;     /* database created on the target's server, dropped at close */
    char *sqlite_path; /* temporary file, removed at close */
} shadow;

/* url with its database (the URI path) replaced by name; keyword/value
 * strings get a dbname= appended, which libpq lets win. */
static char *url_with_database(const char *url, const char *name)
{
    buf b = BUF_INIT;
    const char *scheme = strstr(url, "://");
    if (!scheme) {
        buf_addf(&b, "%s dbname=%s", url, name);
        return buf_detach(&b);
    }
    const char *authority = scheme + 3;
    const char *path = authority + strcspn(authority, "/?#");
    const char *rest = path;
    if (*path == '/')
        rest = path + 1 + strcspn(path + 1, "?#");
    buf_add(&b, url, (size_t)(path - url));
    buf_addf(&b, "/%s%s", name, rest);
    return buf_detach(&b);
}

static void random_suffix(char out[40])
{
    static unsigned counter;
    unsigned long long r = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 20);
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd >= 0) {
        if (read(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
            r ^= (unsigned long long)clock();
        close(fd);
    }
    snprintf(out, 40, "%08llx%u", r & 0xffffffffull, ++counter);
}

static int shadow_open(shadow *s, dbshift *db, const char *given_url)
{
    char *url = NULL;
    int rc = 0;
    memset(s, 0, sizeof(*s));
    if (given_url) {
        url = xstrdup(given_url);
    } else if (db->driver->dialect == DBSHIFT_DIALECT_SQLITE) {
        char path[] = "/tmp/dbshift-shadow-XXXXXX";
        int fd = mkstemp(path);
        if (fd < 0)
            return err_set(&db->error, DBSHIFT_EIO, "cannot create a shadow database file: %s",
                           strerror(errno));
        close(fd);
        s->sqlite_path = xstrdup(path);
        buf b = BUF_INIT;
        buf_addf(&b, "sqlite:%s", path);
        url = buf_detach(&b);
    } else {
        char suffix[40], name[64];
        random_suffix(suffix);
        snprintf(name, sizeof(name), "dbshift_shadow_%s", suffix);
        rc = handle_connect(db);
        if (rc)
            return rc;
        buf sql = BUF_INIT;
        if (db->driver->dialect == DBSHIFT_DIALECT_MYSQL) {
            introspect_rows r = {0};
            buf_addf(&sql, "CREATE DATABASE `%s`", name);
            if (!introspect_query(&r, db, "SELECT @@character_set_database, @@collation_database",
                                  NULL, 0) &&
                r.count && introspect_cell(&r, 0, 0) && introspect_cell(&r, 0, 1))
                buf_addf(&sql, " CHARACTER SET %s COLLATE %s", introspect_cell(&r, 0, 0),
                         introspect_cell(&r, 0, 1));
            introspect_rows_release(&r);
        } else
            buf_addf(&sql, "CREATE DATABASE \"%s\"", name);
        rc = buf_failed(&sql) ? DBSHIFT_ENOMEM : db->driver->exec(db->conn, sql.ptr, &db->error);
        buf_release(&sql);
        if (rc) {
            err_prefix(&db->error, "cannot create a shadow database");
            err_hint(&db->error, "give an empty database with --shadow-url, or grant the user "
                                 "the right to create databases");
            return rc;
        }
        s->created = xstrdup(name);
        url = url_with_database(db->url, name);
    }
    if (!url)
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    dbshift_config cfg;
    dbshift_config_init(&cfg);
    cfg.url = url;
    cfg.migrations_dir = db->migrations_dir;
    cfg.table_prefix = db->table_prefix;
    cfg.schema = db->schema;
    cfg.source_format = db->source_format;
    cfg.password = given_url ? NULL : db->password;
    cfg.lock_wait_ms = db->lock_wait_ms;
    cfg.connect_timeout_s = db->connect_timeout_s;
    cfg.vars = (const char *const *)db->vars;
    cfg.nvars = db->nvars;
    cfg.get_env = db->get_env;
    cfg.payload = db->payload;
    cfg.assume_yes = true;
    cfg.embedded = db->embedded;
    rc = dbshift_open(&s->h, &cfg, &db->error);
    free(url);
    if (!rc)
        rc = handle_connect(s->h);
    if (rc && s->h)
        dbshift_error_copy(&db->error, &s->h->error);
    if (rc)
        err_prefix(&db->error, "cannot open the shadow database");
    return rc;
}

static void shadow_close(shadow *s, dbshift *db)
{
    dbshift_free(s->h);
    s->h = NULL;
    if (s->sqlite_path) {
        const char *suffixes[] = {"", "-journal", "-wal", "-shm"};
        for (size_t i = 0; i < 4; i++) {
            buf p = BUF_INIT;
            buf_addf(&p, "%s%s", s->sqlite_path, suffixes[i]);
            if (!buf_failed(&p))
                remove(p.ptr);
            buf_release(&p);
        }
    }
    if (s->created && db->conn) {
        buf sql = BUF_INIT;
        dbshift_error ignored = {0};
        if (db->driver->dialect == DBSHIFT_DIALECT_MYSQL)
            buf_addf(&sql, "DROP DATABASE IF EXISTS `%s`", s->created);
        else
            buf_addf(&sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", s->created);
        if (!buf_failed(&sql))
            db->driver->exec(db->conn, sql.ptr, &ignored);
        dbshift_error_clear(&ignored);
        buf_release(&sql);
    }
    free(s->created);
    free(s->sqlite_path);
    memset(s, 0, sizeof(*s));
}

/* Runs migrations on the shadow; failures are copied to db's error with the
 * shadow named, since the user never sees the shadow handle. */
static int shadow_run(shadow *s, dbshift *db, int direction, const char *to_version, int steps,
                      bool all)
{
    dbshift_run_options o;
    dbshift_run_options_init(&o);
    o.to_version = to_version;
    o.steps = steps;
    o.all = all;
    o.no_backup = true;
    o.skip_lint = true;
    o.allow_out_of_order = true;
    dbshift_report *rep = NULL;
    int rc = direction == DBSHIFT_UP ? dbshift_up(&rep, s->h, &o) : dbshift_down(&rep, s->h, &o);
    dbshift_report_free(rep);
    if (rc) {
        dbshift_error_copy(&db->error, &s->h->error);
        err_prefix(&db->error, "on the shadow database");
    }
    return rc;
}

static int shadow_schema(schema *out, shadow *s, dbshift *db)
{
    int rc = introspect_schema(out, s->h);
    if (rc) {
        dbshift_error_copy(&db->error, &s->h->error);
        err_prefix(&db->error, "on the shadow database");
    }
    return rc;
}

/* Runs a script statement by statement, split by the engine's dialect (so
 * MySQL's DELIMITER works). */
static int exec_script(dbshift *h, const char *sql, const char *what, dbshift *db)
{
    sql_split sp;
    memset(&sp, 0, sizeof(sp));
    int rc = sql_split_text(&sp, sql, strlen(sql), h->driver->dialect, &db->error);
    if (rc)
        return rc;
    for (size_t i = 0; i < sp.count && !rc; i++) {
        char *stmt = xstrndup(sql + sp.items[i].offset, sp.items[i].len);
        if (!stmt) {
            rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
            break;
        }
        rc = h->driver->exec(h->conn, stmt, &db->error);
        if (rc) {
            err_prefix(&db->error, "%s, line %d", what, sp.items[i].line);
            err_set_field(&db->error.statement, stmt);
        }
        free(stmt);
    }
    sql_split_release(&sp);
    return rc;
}

/* --- Drift --------------------------------------------------------------- */

int dbshift_drift(dbshift_schema_diff **out, dbshift *db, const dbshift_schema_options *opts)
{
    dbshift_status *st = NULL;
    schema expected, actual;
    schema_changes changes = {0};
    shadow s;
    *out = NULL;
    dbshift_error_clear(&db->error);
    int rc = dbshift_status_get(&st, db);
    if (rc)
        return rc;
    rc = shadow_open(&s, db, opts ? opts->shadow_url : NULL);
    if (!rc && st->current_version)
        rc = shadow_run(&s, db, DBSHIFT_UP, st->current_version, 0, false);
    schema_init(&expected, db->driver->dialect);
    schema_init(&actual, db->driver->dialect);
    if (!rc)
        rc = shadow_schema(&expected, &s, db);
    if (!rc)
        rc = introspect_schema(&actual, db);
    if (!rc && schema_compare(&changes, &expected, &actual))
        rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory comparing schemas");
    if (!rc)
        rc = diff_from_changes(out, &changes);
    shadow_close(&s, db);
    schema_release(&expected);
    schema_release(&actual);
    dbshift_status_free(st);
    return rc;
}

/* --- Diff ---------------------------------------------------------------- */

static char *read_text(dbshift *db, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_set(&db->error, errno == ENOENT ? DBSHIFT_ENOTFOUND : DBSHIFT_EIO,
                "cannot read '%s': %s", path, strerror(errno));
        return NULL;
    }
    buf b = BUF_INIT;
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    if (buf_failed(&b)) {
        buf_release(&b);
        err_set(&db->error, DBSHIFT_ENOMEM, "out of memory reading '%s'", path);
        return NULL;
    }
    return buf_detach(&b);
}

static void describe_changes(buf *b, const schema_changes *c)
{
    for (size_t i = 0; i < c->count && i < 20; i++)
        buf_addf(b, "%s: expected %s, found %s\n", c->items[i].object,
                 c->items[i].expected ? c->items[i].expected : "nothing",
                 c->items[i].actual ? c->items[i].actual : "nothing");
}

/* Applies sql to the shadow and checks the result equals want. */
static int verify(shadow *s, dbshift *db, const char *sql, const schema *want, const char *what)
{
    schema got;
    schema_changes c = {0};
    int rc = exec_script(s->h, sql, what, db);
    if (rc)
        return rc;
    rc = shadow_schema(&got, s, db);
    if (rc)
        return rc;
    rc = schema_compare(&c, want, &got);
    schema_release(&got);
    if (rc)
        return err_set(&db->error, rc, "out of memory comparing schemas");
    if (c.count) {
        buf d = BUF_INIT;
        describe_changes(&d, &c);
        err_set(&db->error, DBSHIFT_ERROR,
                "the generated %s does not produce the desired schema (%zu difference%s)", what,
                c.count, c.count == 1 ? "" : "s");
        err_set_field(&db->error.detail, d.ptr);
        err_hint(&db->error, "this is a limit of dbshift's generator: write this change by hand");
        buf_release(&d);
        schema_changes_release(&c);
        return DBSHIFT_ERROR;
    }
    return 0;
}

int dbshift_diff(char **path_out, dbshift *db, const dbshift_schema_options *opts)
{
    shadow a, b;
    schema from, to;
    buf up = BUF_INIT, down = BUF_INIT, file = BUF_INIT;
    char *desired = NULL;
    int rc;
    *path_out = NULL;
    dbshift_error_clear(&db->error);
    if (!opts || !opts->desired_file || !opts->name)
        return err_set(&db->error, DBSHIFT_EUSAGE, "diff needs a desired schema file and a name");
    desired = read_text(db, opts->desired_file);
    if (!desired)
        return db->error.code;
    schema_init(&from, db->driver->dialect);
    schema_init(&to, db->driver->dialect);
    memset(&b, 0, sizeof(b));
    rc = shadow_open(&a, db, opts->shadow_url);
    if (!rc)
        rc = shadow_run(&a, db, DBSHIFT_UP, NULL, 0, false);
    if (!rc)
        rc = shadow_schema(&from, &a, db);
    if (!rc)
        rc = shadow_open(&b, db, NULL);
    if (!rc)
        rc = exec_script(b.h, desired, opts->desired_file, db);
    if (!rc)
        rc = shadow_schema(&to, &b, db);
    if (!rc)
        rc = schema_migration(&up, &down, &from, &to);
    if (!rc && up.len == 0) {
        schema_changes c = {0};
        rc = schema_compare(&c, &from, &to);
        if (!rc && c.count)
            rc = err_set(&db->error, DBSHIFT_EUNSUPPORTED,
                         "the schemas differ in ways dbshift cannot generate SQL for");
        schema_changes_release(&c);
        if (!rc)
            goto done; /* nothing to do */
    }
    if (!rc)
        rc = verify(&a, db, up.ptr, &to, "up section");
    if (!rc) {
        int down_rc = verify(&a, db, down.ptr, &from, "down section");
        if (down_rc) {
            /* the up section is right; say plainly what the down misses */
            buf_adds(&down, "-- note: this down section was checked and does NOT restore "
                            "the schema exactly:\n");
            if (db->error.detail)
                for (char *line = strtok(db->error.detail, "\n"); line; line = strtok(NULL, "\n"))
                    buf_addf(&down, "--   %s\n", line);
            dbshift_error_clear(&db->error);
        }
    }
    if (!rc) {
        buf_addf(&file,
                 "-- dbshift:up\n-- generated by dbshift diff from %s\n%s\n-- dbshift:down\n%s",
                 opts->desired_file, up.ptr, down.ptr);
        if (buf_failed(&file) || buf_failed(&up) || buf_failed(&down))
            rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    }
    if (!rc)
        rc = dbshift_new_migration(path_out, db, opts->name, opts->sequential);
    if (!rc) {
        rc = write_file(db, *path_out, file.ptr);
        if (rc) {
            remove(*path_out);
            free(*path_out);
            *path_out = NULL;
        }
    }
done:
    shadow_close(&b, db);
    shadow_close(&a, db);
    schema_release(&from);
    schema_release(&to);
    buf_release(&up);
    buf_release(&down);
    buf_release(&file);
    free(desired);
    return rc;
}

/* --- Round-trip test ----------------------------------------------------- */

static dbshift_test_step *add_step(dbshift_test_report *r, const char *version, const char *name)
{
    dbshift_test_step *steps = realloc(r->steps, (r->count + 1) * sizeof(*steps));
    if (!steps)
        return NULL;
    r->steps = steps;
    dbshift_test_step *st = &steps[r->count++];
    memset(st, 0, sizeof(*st));
    st->version = xstrdup(version);
    st->name = xstrdup(name);
    st->outcome = DBSHIFT_OUTCOME_OK;
    return st;
}

/* Compares the shadow now with want; on a difference marks st failed. */
static int expect_schema(dbshift_test_step *st, shadow *s, dbshift *db, const schema *want,
                         const char *message)
{
    schema got;
    schema_changes c = {0};
    int rc = shadow_schema(&got, s, db);
    if (rc)
        return rc;
    rc = schema_compare(&c, want, &got);
    schema_release(&got);
    if (rc)
        return err_set(&db->error, rc, "out of memory comparing schemas");
    if (!c.count)
        return 0;
    st->outcome = DBSHIFT_OUTCOME_FAILED;
    st->message = xstrdup(message);
    return diff_from_changes(&st->diff, &c);
}

static void step_failed(dbshift_test_step *st, dbshift *db, const char *what)
{
    buf m = BUF_INIT;
    buf_addf(&m, "%s: %s", what, db->error.message ? db->error.message : "failed");
    st->outcome = DBSHIFT_OUTCOME_FAILED;
    free(st->message);
    st->message = buf_detach(&m);
    dbshift_error_clear(&db->error);
}

int dbshift_test(dbshift_test_report **out, dbshift *db, const dbshift_schema_options *opts)
{
    shadow s;
    schema before, after, empty;
    dbshift_test_report *r;
    *out = NULL;
    dbshift_error_clear(&db->error);
    int rc = handle_load_source(db);
    if (rc)
        return rc;
    r = calloc(1, sizeof(*r));
    if (!r)
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    rc = shadow_open(&s, db, opts ? opts->shadow_url : NULL);
    schema_init(&empty, db->driver->dialect);
    if (!rc)
        rc = shadow_schema(&empty, &s, db);
    bool stopped = false;
    for (size_t i = 0; !rc && !stopped && i < db->set->count; i++) {
        const migration *m = &db->set->items[i];
        if (m->repeatable)
            continue;
        int64_t start = handle_clock_ms();
        dbshift_test_step *st = add_step(r, m->version, m->name);
        if (!st || !st->version) {
            rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
            break;
        }
        rc = shadow_schema(&before, &s, db);
        if (rc)
            break;
        if (shadow_run(&s, db, DBSHIFT_UP, m->version, 0, false)) {
            step_failed(st, db, "up failed");
            stopped = true;
        } else if (m->irreversible || !m->down.present) {
            st->outcome = DBSHIFT_OUTCOME_SKIPPED;
            st->message = xstrdup("no down migration");
        } else if (!(rc = shadow_schema(&after, &s, db))) {
            bool intact = false;
            if (shadow_run(&s, db, DBSHIFT_DOWN, NULL, 1, false)) {
                /* with transactional DDL the failed down was rolled back and
                 * the migration is still applied: go on from there */
                step_failed(st, db, "down failed");
                intact = db->driver->caps & DBSHIFT_CAP_TRANSACTIONAL_DDL;
            } else {
                rc = expect_schema(st, &s, db, &before,
                                   "down does not restore the schema from before up");
                bool reup_failed = false;
                if (!rc && shadow_run(&s, db, DBSHIFT_UP, m->version, 0, false)) {
                    step_failed(st, db, "up after down failed");
                    reup_failed = true;
                } else if (!rc && st->outcome == DBSHIFT_OUTCOME_OK) {
                    rc = expect_schema(st, &s, db, &after,
                                       "up after down does not give the schema up gave");
                }
                if (!rc && st->outcome == DBSHIFT_OUTCOME_FAILED) {
                    schema now;
                    schema_changes c = {0};
                    rc = shadow_schema(&now, &s, db);
                    if (!rc && !schema_compare(&c, &after, &now))
                        intact = c.count == 0;
                    schema_changes_release(&c);
                    if (!rc)
                        schema_release(&now);
                    /* a down that left the schema as up made it (an empty
                     * one) makes the second up fail: the schema is right,
                     * only history must say the migration is applied */
                    bool transactional = db->driver->caps & DBSHIFT_CAP_TRANSACTIONAL_DDL;
                    /* without transactional DDL the failed up is marked
                     * failed in history: only a fresh shadow helps */
                    if (!rc && intact && reup_failed &&
                        (!transactional || dbshift_baseline(s.h, m->version) != 0)) {
                        dbshift_error_clear(&db->error);
                        intact = false;
                    }
                }
            }
            schema_release(&after);
            if (!rc && st->outcome == DBSHIFT_OUTCOME_FAILED && !intact) {
                /* the shadow is in no known state: with a temporary shadow,
                 * build a fresh one up to this migration so the next ones
                 * are still tested and every irreversible one is named */
                shadow_close(&s, db);
                if (opts && opts->shadow_url)
                    stopped = true;
                else if (!(rc = shadow_open(&s, db, NULL)) &&
                         shadow_run(&s, db, DBSHIFT_UP, m->version, 0, false)) {
                    dbshift_error_clear(&db->error);
                    stopped = true;
                }
            }
        }
        schema_release(&before);
        st->elapsed_ms = handle_clock_ms() - start;
        if (st->outcome == DBSHIFT_OUTCOME_FAILED && !r->first_failed)
            r->first_failed = st->version;
    }
    if (!rc && !stopped && r->count) {
        int64_t start = handle_clock_ms();
        dbshift_test_step *st = add_step(r, "*", "all down to zero, then up again");
        if (!st)
            rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
        else if (!(rc = shadow_schema(&after, &s, db))) {
            if (shadow_run(&s, db, DBSHIFT_DOWN, NULL, 0, true)) {
                if (db->error.code == DBSHIFT_EIRREVERSIBLE) {
                    st->outcome = DBSHIFT_OUTCOME_SKIPPED;
                    st->message = xstrdup(db->error.message);
                    dbshift_error_clear(&db->error);
                } else
                    step_failed(st, db, "down to zero failed");
            } else {
                rc = expect_schema(st, &s, db, &empty,
                                   "down to zero does not give back an empty schema");
                if (!rc && shadow_run(&s, db, DBSHIFT_UP, NULL, 0, false))
                    step_failed(st, db, "up again failed");
                else if (!rc && st->outcome == DBSHIFT_OUTCOME_OK)
                    rc = expect_schema(st, &s, db, &after,
                                       "up again does not give the schema of the first up");
            }
            schema_release(&after);
        }
        if (st) {
            st->elapsed_ms = handle_clock_ms() - start;
            if (st->outcome == DBSHIFT_OUTCOME_FAILED && !r->first_failed)
                r->first_failed = st->version;
        }
    }
    shadow_close(&s, db);
    schema_release(&empty);
    for (size_t i = 0; i < r->count; i++)
        if (r->steps[i].outcome == DBSHIFT_OUTCOME_FAILED)
            r->failed++;
    if (rc) {
        dbshift_test_report_free(r);
        return rc;
    }
    *out = r;
    return 0;
}
