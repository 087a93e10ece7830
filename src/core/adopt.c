/*
 * adopt.c - taking over another migration tool's history (dbshift_adopt),
 * and keeping that tool's table in step while dbshift runs the migrations
 * (dbshift_keep_history_of, used through adopt.h by the runner).
 *
 * Each tool is a row of the table below: where it keeps its history, how to
 * read which versions it considers applied, and (for the tools whose table
 * some migration sets touch) how it writes a row. Reading is deliberately
 * strict: a row that says a migration failed or is half done (golang-migrate
 * "dirty", Flyway or sqlx success = false) is refused, because adopting it
 * would turn "unknown state" into "applied"; and a version the tool applied
 * that has no file here is refused, because dbshift could never roll it back
 * or check it. Adoption writes only dbshift's own tables, all rows in one
 * transaction, and never changes the other tool's table.
 */
#include "core/adopt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/plan.h"
#include "util/buf.h"
#include "util/array.h"
#include "util/err.h"

/* How a tool records versions, which decides how its rows are read. */
enum tool_kind {
    TOOL_GOLANG_MIGRATE, /* one row: the current version and a dirty flag */
    TOOL_DBMATE,         /* one row per applied version */
    TOOL_POP,            /* one row per applied version (gobuffalo pop, popx) */
    TOOL_GOOSE,          /* an append-only log: the latest row per version decides */
    TOOL_FLYWAY,         /* ranked rows with type and success */
    TOOL_SQL_MIGRATE,    /* one row per applied file, keyed by file name */
    TOOL_DIESEL,         /* one row per version, digits only */
    TOOL_SQLX,           /* one row per version with success */
};

typedef struct adopt_tool {
    const char *name;
    const char *table;
    int kind;
} adopt_tool;

static const adopt_tool tools[] = {
    {"golang-migrate", "schema_migrations", TOOL_GOLANG_MIGRATE},
    {"dbmate", "schema_migrations", TOOL_DBMATE},
    {"goose", "goose_db_version", TOOL_GOOSE},
    {"flyway", "flyway_schema_history", TOOL_FLYWAY},
    {"sql-migrate", "gorp_migrations", TOOL_SQL_MIGRATE},
    {"diesel", "__diesel_schema_migrations", TOOL_DIESEL},
    {"sqlx", "_sqlx_migrations", TOOL_SQLX},
    {"pop", "schema_migration", TOOL_POP},
};
#define NTOOLS (sizeof(tools) / sizeof(tools[0]))

static const char *const tool_names[] = {
    "golang-migrate", "dbmate", "goose", "flyway", "sql-migrate", "diesel", "sqlx", "pop", NULL};

const char *const *dbshift_adopt_tools(void)
{
    return tool_names;
}

static const adopt_tool *tool_find(const char *name)
{
    for (size_t i = 0; i < NTOOLS; i++)
        if (strcmp(tools[i].name, name) == 0)
            return &tools[i];
    /* The names people also use for two of them. */
    if (strcmp(name, "migrate") == 0)
        return &tools[0];
    if (strcmp(name, "popx") == 0)
        return &tools[7];
    return NULL;
}

static int unknown_tool(dbshift *db, const char *name)
{
    int rc = err_set(&db->error, DBSHIFT_EUSAGE, "unknown migration tool '%s'", name);
    err_hint(&db->error,
             "use one of golang-migrate, dbmate, goose, flyway, sql-migrate, diesel, sqlx, pop");
    return rc;
}

/* --- Reading the other tool's table ------------------------------------- */

/* One version the other tool considers applied. */
typedef struct foreign_row {
    char *version; /* as the tool wrote it; for Flyway repeatables NULL */
    char *label;   /* sql-migrate: the file name; Flyway repeatables: description */
} foreign_row;

typedef struct foreign {
    size_t count;
    size_t cap; /* room in rows */
    foreign_row *rows;
    char *upto;          /* every versioned migration up to this one is applied */
    bool upto_is_marker; /* upto is a Flyway baseline: it needs no file */
} foreign;

static void foreign_release(foreign *f)
{
    for (size_t i = 0; i < f->count; i++) {
        free(f->rows[i].version);
        free(f->rows[i].label);
    }
    free(f->rows);
    free(f->upto);
    memset(f, 0, sizeof(*f));
}

static bool truthy(const char *v)
{
    return v && (strcmp(v, "1") == 0 || strcmp(v, "t") == 0 || strcasecmp(v, "true") == 0);
}

/* Rows as text, in order; the reader below interprets them per tool. */
typedef struct rows {
    size_t count;
    size_t ncols;
    size_t cap;   /* cells allocated */
    char **cells; /* count * ncols */
} rows;

static void rows_release(rows *r)
{
    for (size_t i = 0; i < r->count * r->ncols; i++)
        free(r->cells[i]);
    free(r->cells);
    memset(r, 0, sizeof(*r));
}

static int collect_row(void *payload, size_t ncols, const char *const *values)
{
    rows *r = payload;
    if (r->ncols == 0)
        r->ncols = ncols;
    if (ncols != r->ncols)
        return DBSHIFT_ERROR;
    if (array_reserve(&r->cells, &r->cap, (r->count + 1) * ncols, sizeof(*r->cells)) != 0)
        return DBSHIFT_ENOMEM;
    char **cells = r->cells;
    for (size_t i = 0; i < ncols; i++) {
        cells[r->count * ncols + i] = xstrdup(values[i]);
        if (values[i] && !cells[r->count * ncols + i])
            return DBSHIFT_ENOMEM;
    }
    r->count++;
    return 0;
}

static const char *cell(const rows *r, size_t row, size_t col)
{
    return r->cells[row * r->ncols + col];
}

static int query_rows(dbshift *db, const adopt_tool *t, const char *columns, const char *tail,
                      rows *out)
{
    memset(out, 0, sizeof(*out));
    char *q = db->driver->quote_ident(t->table);
    if (!q)
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    buf sql = BUF_INIT;
    buf_addf(&sql, "SELECT %s FROM %s%s", columns, q, tail ? tail : "");
    free(q);
    int rc = buf_failed(&sql)
                 ? DBSHIFT_ENOMEM
                 : db->driver->query(db->conn, sql.ptr, NULL, 0, collect_row, out, &db->error);
    buf_release(&sql);
    if (rc == DBSHIFT_ENOMEM)
        rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    if (rc) {
        if (!db->error.message)
            err_set(&db->error, rc, "unexpected columns");
        err_prefix(&db->error, "cannot read %s's history table '%s'", t->name, t->table);
        rows_release(out);
    }
    return rc;
}

static int add_row(foreign *f, const char *version, const char *label)
{
    if (array_reserve(&f->rows, &f->cap, f->count + 1, sizeof(*f->rows)) != 0)
        return DBSHIFT_ENOMEM;
    foreign_row *r = f->rows;
    r[f->count].version = xstrdup(version);
    r[f->count].label = xstrdup(label);
    f->count++;
    return 0;
}

static int read_golang_migrate(dbshift *db, const adopt_tool *t, foreign *f)
{
    rows r;
    int rc = query_rows(db, t, "version, dirty", NULL, &r);
    if (rc)
        return rc;
    /* golang-migrate keeps a single row; should there be more, the newest
     * counts, as migrate itself reads the first of a descending scan. */
    const char *newest = NULL;
    bool dirty = false;
    for (size_t i = 0; i < r.count; i++) {
        const char *v = cell(&r, i, 0);
        if (v && (!newest || version_compare(v, newest) > 0)) {
            newest = v;
            dirty = truthy(cell(&r, i, 1));
        }
    }
    if (newest && dirty) {
        rc = err_set(&db->error, DBSHIFT_EFAILED,
                     "%s's %s says version %s is dirty: it failed part-way and the database is "
                     "in an unknown state; nothing was adopted",
                     t->name, t->table, newest);
        err_hint(&db->error, "check by hand which statements of that migration ran and finish "
                             "or undo them, then `migrate force` the right version (or clear "
                             "the dirty flag) and adopt again");
    } else if (newest) {
        f->upto = xstrdup(newest);
        if (!f->upto)
            rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    }
    rows_release(&r);
    return rc;
}

/* dbmate, pop, diesel: one row per applied version. */
static int read_version_rows(dbshift *db, const adopt_tool *t, foreign *f)
{
    rows r;
    int rc = query_rows(db, t, "version", NULL, &r);
    if (rc)
        return rc;
    for (size_t i = 0; rc == 0 && i < r.count; i++)
        if (cell(&r, i, 0) && add_row(f, cell(&r, i, 0), NULL))
            rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    rows_release(&r);
    return rc;
}

static int read_goose(dbshift *db, const adopt_tool *t, foreign *f)
{
    rows r;
    int rc = query_rows(db, t, "version_id, is_applied", " ORDER BY id", &r);
    if (rc)
        return rc;
    /* goose appends a row per up (and, in older versions, per down with
     * is_applied false): walking in id order, the last row of a version
     * decides. Version 0 is the row goose writes when it creates the table. */
    for (size_t i = 0; rc == 0 && i < r.count; i++) {
        const char *v = cell(&r, i, 0);
        if (!v || version_compare(v, "0") == 0)
            continue;
        bool applied = truthy(cell(&r, i, 1));
        size_t k = 0;
        while (k < f->count && version_compare(f->rows[k].version, v) != 0)
            k++;
        if (applied && k == f->count) {
            if (add_row(f, v, NULL))
                rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
        } else if (!applied && k < f->count) {
            free(f->rows[k].version);
            free(f->rows[k].label);
            f->rows[k] = f->rows[--f->count];
        }
    }
    rows_release(&r);
    return rc;
}

static int read_flyway(dbshift *db, const adopt_tool *t, foreign *f)
{
    rows r;
    int rc = query_rows(db, t, "version, description, type, script, success",
                        " ORDER BY installed_rank", &r);
    if (rc)
        return rc;
    for (size_t i = 0; rc == 0 && i < r.count; i++) {
        const char *version = cell(&r, i, 0);
        const char *desc = cell(&r, i, 1);
        const char *type = cell(&r, i, 2) ? cell(&r, i, 2) : "";
        const char *script = cell(&r, i, 3) ? cell(&r, i, 3) : "";
        if (strcmp(type, "SCHEMA") == 0)
            continue; /* Flyway's note that it created the schemas */
        if (!truthy(cell(&r, i, 4))) {
            rc = err_set(&db->error, DBSHIFT_EFAILED,
                         "%s's %s records a failed migration (%s); nothing was adopted", t->name,
                         t->table, version ? version : script);
            err_hint(&db->error, "a failed row means the database may be half-migrated: fix "
                                 "it and run `flyway repair` (which removes failed rows), then "
                                 "adopt again");
            break;
        }
        if (strcmp(type, "BASELINE") == 0 || strcmp(type, "JDBC_BASELINE") == 0 ||
            strcmp(type, "SQL_BASELINE") == 0) {
            if (version && (!f->upto || version_compare(version, f->upto) > 0)) {
                free(f->upto);
                f->upto = xstrdup(version);
                f->upto_is_marker = true;
            }
            continue;
        }
        bool undo = strncmp(type, "UNDO", 4) == 0 || strcmp(type, "DELETE") == 0;
        if (undo) {
            /* An undo (Flyway Teams) or a deleted entry (repair): the
             * version is not applied any more. */
            for (size_t k = 0; version && k < f->count; k++) {
                if (f->rows[k].version && version_compare(f->rows[k].version, version) == 0) {
                    free(f->rows[k].version);
                    free(f->rows[k].label);
                    f->rows[k] = f->rows[--f->count];
                    break;
                }
            }
            continue;
        }
        if (add_row(f, version, version ? NULL : desc))
            rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    }
    rows_release(&r);
    return rc;
}

static int read_sql_migrate(dbshift *db, const adopt_tool *t, foreign *f)
{
    rows r;
    int rc = query_rows(db, t, "id", NULL, &r);
    if (rc)
        return rc;
    for (size_t i = 0; rc == 0 && i < r.count; i++) {
        const char *id = cell(&r, i, 0);
        if (!id)
            continue;
        /* The id is the file name; its leading number is the version. */
        size_t n = 0;
        while (isdigit((unsigned char)id[n]))
            n++;
        char *version = xstrndup(id, n);
        if (!version || add_row(f, version, id))
            rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
        free(version);
    }
    rows_release(&r);
    return rc;
}

static int read_sqlx(dbshift *db, const adopt_tool *t, foreign *f)
{
    rows r;
    int rc = query_rows(db, t, "version, success", " ORDER BY version", &r);
    if (rc)
        return rc;
    for (size_t i = 0; rc == 0 && i < r.count; i++) {
        const char *v = cell(&r, i, 0);
        if (!v)
            continue;
        if (!truthy(cell(&r, i, 1))) {
            rc = err_set(&db->error, DBSHIFT_EFAILED,
                         "%s's %s says version %s did not finish (success = false): the "
                         "database may be half-migrated; nothing was adopted",
                         t->name, t->table, v);
            err_hint(&db->error, "finish or undo that migration by hand and delete its row "
                                 "(sqlx refuses it too, as a dirty version), then adopt again");
            break;
        }
        if (add_row(f, v, NULL))
            rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    }
    rows_release(&r);
    return rc;
}

static int read_foreign(dbshift *db, const adopt_tool *t, foreign *f)
{
    memset(f, 0, sizeof(*f));
    switch (t->kind) {
    case TOOL_GOLANG_MIGRATE:
        return read_golang_migrate(db, t, f);
    case TOOL_GOOSE:
        return read_goose(db, t, f);
    case TOOL_FLYWAY:
        return read_flyway(db, t, f);
    case TOOL_SQL_MIGRATE:
        return read_sql_migrate(db, t, f);
    case TOOL_SQLX:
        return read_sqlx(db, t, f);
    default:
        return read_version_rows(db, t, f);
    }
}

/* --- Matching rows to files ---------------------------------------------- */

/* diesel writes its folder versions without the dashes
 * ("2019-02-26-002946" becomes "20190226002946"). */
static bool same_digits(const char *a, const char *b)
{
    for (;;) {
        while (*a && !isdigit((unsigned char)*a))
            a++;
        while (*b && !isdigit((unsigned char)*b))
            b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (*a++ != *b++)
            return false;
    }
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Flyway descriptions have the file name's underscores as spaces. */
static bool same_description(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = *a == '_' ? ' ' : (char)tolower((unsigned char)*a);
        char cb = *b == '_' ? ' ' : (char)tolower((unsigned char)*b);
        if (ca != cb)
            return false;
    }
    return !*a && !*b;
}

static bool row_matches(const adopt_tool *t, const foreign_row *r, const migration *m)
{
    if (m->repeatable)
        return !r->version && r->label && m->name && same_description(r->label, m->name);
    if (!r->version)
        return false;
    switch (t->kind) {
    case TOOL_DIESEL:
        return same_digits(r->version, m->version);
    case TOOL_SQL_MIGRATE:
        if (r->label && m->file && strcmp(base_name(m->file), r->label) == 0)
            return true;
        return *r->version && version_compare(r->version, m->version) == 0;
    default:
        return version_compare(r->version, m->version) == 0;
    }
}

/* --- Detection ------------------------------------------------------------ */

static int table_exists(dbshift *db, const char *table, bool *exists)
{
    return db->driver->table_exists(db->conn, NULL, table, exists, &db->error);
}

/* schema_migrations is both golang-migrate's and dbmate's: only
 * golang-migrate's has a dirty column. */
static const adopt_tool *schema_migrations_owner(dbshift *db)
{
    rows r;
    char *q = db->driver->quote_ident("schema_migrations");
    buf sql = BUF_INIT;
    buf_addf(&sql, "SELECT dirty FROM %s WHERE 1 = 0", q ? q : "schema_migrations");
    free(q);
    memset(&r, 0, sizeof(r));
    dbshift_error probe = {0};
    int rc = db->driver->query(db->conn, sql.ptr, NULL, 0, collect_row, &r, &probe);
    buf_release(&sql);
    rows_release(&r);
    dbshift_error_clear(&probe);
    return rc == 0 ? &tools[0] : &tools[1];
}

static int detect(dbshift *db, const adopt_tool **out)
{
    *out = NULL;
    buf found = BUF_INIT;
    size_t nfound = 0;
    for (size_t i = 0; i < NTOOLS; i++) {
        if (tools[i].kind == TOOL_DBMATE)
            continue; /* same table as golang-migrate, told apart below */
        bool exists = false;
        int rc = table_exists(db, tools[i].table, &exists);
        if (rc) {
            buf_release(&found);
            return rc;
        }
        if (!exists)
            continue;
        const adopt_tool *t = &tools[i];
        if (t->kind == TOOL_GOLANG_MIGRATE)
            t = schema_migrations_owner(db);
        buf_addf(&found, "%s%s (%s)", nfound ? ", " : "", t->name, t->table);
        nfound++;
        *out = t;
    }
    int rc = 0;
    if (nfound == 0) {
        rc = err_set(&db->error, DBSHIFT_ENOTFOUND,
                     "no other migration tool's history table was found in %s",
                     db->redacted_url ? db->redacted_url : "the database");
        err_hint(&db->error, "looked for schema_migrations, goose_db_version, "
                             "flyway_schema_history, gorp_migrations, "
                             "__diesel_schema_migrations, _sqlx_migrations and "
                             "schema_migration; name the tool with --from TOOL");
    } else if (nfound > 1) {
        rc = err_set(&db->error, DBSHIFT_EUSAGE,
                     "the history tables of %zu migration tools were found: %s", nfound, found.ptr);
        err_hint(&db->error, "say which one to adopt with --from TOOL");
        *out = NULL;
    }
    buf_release(&found);
    return rc;
}

/* --- Adopting -------------------------------------------------------------- */

void dbshift_adoption_free(dbshift_adoption *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->count; i++)
        free(a->versions[i]);
    free(a->versions);
    free(a->tool);
    free(a->table);
    free(a->newest);
    free(a);
}

/* Whether the tool applied m; marks the rows that say so. */
static bool foreign_applied(const adopt_tool *t, const foreign *f, const migration *m,
                            bool *matched_rows)
{
    bool applied = !m->repeatable && f->upto && version_compare(m->version, f->upto) <= 0;
    /* Every matching row is accounted for: Flyway adds a row each time a
     * repeatable migration is applied again. */
    for (size_t k = 0; k < f->count; k++) {
        if (row_matches(t, &f->rows[k], m)) {
            matched_rows[k] = true;
            applied = true;
        }
    }
    return applied;
}

/* A version the tool applied with no file here. */
static int check_unmatched(dbshift *db, const adopt_tool *t, const foreign *f,
                           const bool *matched_rows, bool upto_matched)
{
    const char *missing = NULL;
    if (f->upto && !f->upto_is_marker && !upto_matched)
        missing = f->upto;
    for (size_t k = 0; !missing && k < f->count; k++)
        if (!matched_rows[k])
            missing =
                f->rows[k].version && *f->rows[k].version ? f->rows[k].version : f->rows[k].label;
    if (!missing)
        return 0;
    int rc = err_set(&db->error, DBSHIFT_ENOTFOUND,
                     "%s's %s says '%s' is applied, but no migration file in '%s' has that "
                     "version; nothing was adopted",
                     t->name, t->table, missing, db->migrations_dir);
    err_hint(&db->error,
             "point --dir at the folder %s ran from (with --source-format if it "
             "is not detected), or restore the missing file",
             t->name);
    return rc;
}

static char *newest_of(const foreign *f)
{
    const char *newest = f->upto;
    for (size_t k = 0; k < f->count; k++)
        if (f->rows[k].version && *f->rows[k].version &&
            (!newest || version_compare(f->rows[k].version, newest) > 0))
            newest = f->rows[k].version;
    return xstrdup(newest);
}

/* Writes the history and log rows of every chosen item in one transaction. */
static int record(dbshift *db, const adopt_tool *t, plan_item **chosen, size_t n)
{
    if (n == 0)
        return 0;
    dbshift_stmt *items = calloc(2 * n + 2, sizeof(*items));
    stmt_store *stores = calloc(2 * n, sizeof(*stores));
    if (!items || !stores) {
        free(items);
        free(stores);
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    }
    char now[32];
    handle_now(now);
    buf note = BUF_INIT;
    buf_addf(&note, "adopted from %s (%s)", t->name, t->table);
    size_t k = 0;
    items[k++] = (dbshift_stmt){.kind = DBSHIFT_STMT_BEGIN};
    for (size_t i = 0; i < n; i++) {
        const migration *m = chosen[i]->m;
        const char *key = m->repeatable ? m->name : m->version;
        history_entry he = {key,
                            m->name,
                            m->repeatable ? HISTORY_REPEATABLE : HISTORY_BASELINE,
                            m->checksum,
                            HISTORY_APPLIED,
                            0,
                            NULL,
                            NULL,
                            0};
        history_insert_stmt(db, &stores[2 * i], &he, &items[k++]);
        log_entry le = {0};
        le.version = key;
        le.name = m->name;
        le.direction = "adopt";
        le.started_at = now;
        le.success = true;
        le.error = note.ptr;
        le.file = m->file;
        log_insert_stmt(db, &stores[2 * i + 1], &le, &items[k++]);
    }
    items[k++] = (dbshift_stmt){.kind = DBSHIFT_STMT_COMMIT};
    size_t failed = 0;
    int rc = db->driver->run(db->conn, items, k, &failed, &db->error);
    if (rc)
        err_prefix(&db->error, "cannot record the adopted migrations (nothing was recorded)");
    for (size_t i = 0; i < 2 * n; i++)
        stmt_store_release(&stores[i]);
    free(stores);
    free(items);
    buf_release(&note);
    return rc;
}

static int adopt_locked(dbshift_adoption **out, dbshift *db, const adopt_tool *t)
{
    int rc = 0;
    if (!t) {
        rc = detect(db, &t);
        if (rc)
            return rc;
    } else {
        bool exists = false;
        rc = table_exists(db, t->table, &exists);
        if (rc)
            return rc;
        if (!exists) {
            rc = err_set(&db->error, DBSHIFT_ENOTFOUND, "%s's history table '%s' does not exist",
                         t->name, t->table);
            err_hint(&db->error, "check --url, or run without --from to look for any tool");
            return rc;
        }
    }
    foreign f;
    rc = read_foreign(db, t, &f);
    if (rc) {
        foreign_release(&f);
        return rc;
    }
    rc = history_ensure(db);
    plan p;
    memset(&p, 0, sizeof(p));
    if (rc == 0)
        rc = plan_build(db, &p);
    bool *matched = calloc(f.count + 1, sizeof(*matched));
    plan_item **chosen = calloc(p.count + 1, sizeof(*chosen));
    dbshift_adoption *a = calloc(1, sizeof(*a));
    if (rc == 0 && (!matched || !chosen || !a))
        rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    size_t nchosen = 0;
    bool upto_matched = false;
    for (size_t i = 0; rc == 0 && i < p.count; i++) {
        plan_item *it = &p.items[i];
        if (!it->m || !foreign_applied(t, &f, it->m, matched))
            continue;
        if (f.upto && !it->m->repeatable && version_compare(it->m->version, f.upto) == 0)
            upto_matched = true;
        if (it->row) {
            a->already++;
            continue;
        }
        chosen[nchosen++] = it;
    }
    if (rc == 0)
        rc = check_unmatched(db, t, &f, matched, upto_matched);
    if (rc == 0)
        rc = record(db, t, chosen, nchosen);
    if (rc == 0) {
        a->tool = xstrdup(t->name);
        a->table = xstrdup(t->table);
        a->newest = newest_of(&f);
        a->versions = calloc(nchosen + 1, sizeof(*a->versions));
        if (!a->tool || !a->table || !a->versions)
            rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < nchosen; i++) {
            const migration *m = chosen[i]->m;
            a->versions[a->count] = xstrdup(m->repeatable ? m->name : m->version);
            if (!a->versions[a->count++])
                rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
        }
    }
    if (rc == 0) {
        handle_log(db, DBSHIFT_LOG_INFO, "adopt: recorded %zu migration(s) from %s's %s", nchosen,
                   t->name, t->table);
        *out = a;
        a = NULL;
    }
    dbshift_adoption_free(a);
    free(chosen);
    free(matched);
    plan_release(&p);
    foreign_release(&f);
    return rc;
}

int dbshift_adopt(dbshift_adoption **out, dbshift *db, const char *tool)
{
    *out = NULL;
    dbshift_error_clear(&db->error);
    const adopt_tool *t = NULL;
    if (tool && *tool) {
        t = tool_find(tool);
        if (!t)
            return unknown_tool(db, tool);
    }
    int rc = handle_load_source(db);
    if (rc == 0)
        rc = handle_lock(db);
    if (rc)
        return rc;
    rc = adopt_locked(out, db, t);
    handle_unlock(db);
    return rc;
}

/* --- Keeping the other tool's table in step ------------------------------ */

int dbshift_keep_history_of(dbshift *db, const char *tool)
{
    dbshift_error_clear(&db->error);
    if (!tool || !*tool) {
        db->keep_history = NULL;
        return 0;
    }
    const adopt_tool *t = tool_find(tool);
    if (!t)
        return unknown_tool(db, tool);
    if (t->kind == TOOL_FLYWAY || t->kind == TOOL_SQLX) {
        int rc = err_set(&db->error, DBSHIFT_EUNSUPPORTED,
                         "keeping %s's history table is not supported", t->name);
        err_hint(&db->error,
                 "%s's rows carry checksums computed its own way; adopt its history "
                 "once with `dbshift adopt --from %s` instead",
                 t->name, t->name);
        return rc;
    }
    db->keep_history = t;
    return 0;
}

/* The tool's CREATE TABLE, as the tool itself issues it for this engine. */
static const char *keep_create_sql(const adopt_tool *t, int dialect)
{
    bool pg = dialect == DBSHIFT_DIALECT_POSTGRES, my = dialect == DBSHIFT_DIALECT_MYSQL;
    switch (t->kind) {
    case TOOL_GOLANG_MIGRATE:
        if (dialect == DBSHIFT_DIALECT_SQLITE)
            return "CREATE TABLE IF NOT EXISTS schema_migrations (version uint64, dirty bool);\n"
                   "CREATE UNIQUE INDEX IF NOT EXISTS version_unique ON schema_migrations "
                   "(version)";
        return "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint not null primary "
               "key, dirty boolean not null)";
    case TOOL_DBMATE:
        return "CREATE TABLE IF NOT EXISTS schema_migrations (version varchar(128) primary key)";
    case TOOL_POP:
        return my ? "CREATE TABLE IF NOT EXISTS schema_migration (version varchar(48) NOT "
                    "NULL);\nCREATE UNIQUE INDEX schema_migration_version_idx ON "
                    "schema_migration (version)"
                  : "CREATE TABLE IF NOT EXISTS schema_migration (version varchar(48) NOT "
                    "NULL);\nCREATE UNIQUE INDEX IF NOT EXISTS schema_migration_version_idx ON "
                    "schema_migration (version)";
    case TOOL_GOOSE:
        if (pg)
            return "CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT "
                   "NULL, is_applied boolean NOT NULL, tstamp timestamp NULL default now(), "
                   "PRIMARY KEY(id));\nINSERT INTO goose_db_version (version_id, is_applied) "
                   "VALUES (0, true)";
        if (my)
            return "CREATE TABLE goose_db_version (id serial NOT NULL, version_id bigint NOT "
                   "NULL, is_applied boolean NOT NULL, tstamp timestamp NULL default now(), "
                   "PRIMARY KEY(id));\nINSERT INTO goose_db_version (version_id, is_applied) "
                   "VALUES (0, true)";
        return "CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id "
               "INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TIMESTAMP DEFAULT "
               "(datetime('now')));\nINSERT INTO goose_db_version (version_id, is_applied) "
               "VALUES (0, 1)";
    case TOOL_SQL_MIGRATE:
        return pg ? "CREATE TABLE IF NOT EXISTS gorp_migrations (id text not null primary key, "
                    "applied_at timestamp with time zone)"
                  : "CREATE TABLE IF NOT EXISTS gorp_migrations (id varchar(255) not null "
                    "primary key, applied_at datetime)";
    case TOOL_DIESEL:
        return "CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (version VARCHAR(50) "
               "PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)";
    default:
        return NULL;
    }
}

int adopt_keep_ensure(dbshift *db)
{
    const adopt_tool *t = db->keep_history;
    if (!t)
        return 0;
    bool exists = false;
    int rc = table_exists(db, t->table, &exists);
    if (rc || exists)
        return rc;
    const char *sql = keep_create_sql(t, db->driver->dialect);
    if (!sql)
        return err_set(&db->error, DBSHIFT_EUNSUPPORTED,
                       "keeping %s's history table is not supported", t->name);
    rc = db->driver->exec(db->conn, sql, &db->error);
    if (rc)
        err_prefix(&db->error, "cannot create %s's history table '%s'", t->name, t->table);
    return rc;
}

/* golang-migrate stores versions as numbers: "0030" is 30. */
static const char *numeric(const char *v)
{
    while (v[0] == '0' && isdigit((unsigned char)v[1]))
        v++;
    return v;
}

/* The versioned migration just before m in the set, NULL when m is first. */
static const migration *previous_of(const dbshift *db, const migration *m)
{
    const migration *prev = NULL;
    for (size_t i = 0; db->set && i < db->set->count; i++) {
        const migration *x = &db->set->items[i];
        if (x->repeatable)
            continue;
        if (version_compare(x->version, m->version) >= 0)
            break;
        prev = x;
    }
    return prev;
}

static void keep_stmt(stmt_store *s, const char *sql, const char *param, dbshift_stmt *out)
{
    buf_init(&s->sql);
    s->n = 0;
    buf_adds(&s->sql, sql);
    if (param) {
        s->values[0] = xstrdup(param);
        s->params[0] = s->values[0];
        s->n = 1;
    }
    out->kind = DBSHIFT_STMT_SQL;
    out->sql = s->sql.ptr;
    out->len = s->sql.len;
    out->params = s->params;
    out->nparams = s->n;
}

size_t adopt_keep_stmts(dbshift *db, adopt_keep_store *ks, const migration *m, int direction,
                        dbshift_stmt *out)
{
    memset(ks, 0, sizeof(*ks));
    const adopt_tool *t = db->keep_history;
    if (!t || m->repeatable)
        return 0;
    bool up = direction == DBSHIFT_UP;
    bool sqlite = db->driver->dialect == DBSHIFT_DIALECT_SQLITE;
    char digits[128];
    size_t nd = 0;
    switch (t->kind) {
    case TOOL_GOLANG_MIGRATE: {
        /* One row holding the current version, as migrate's SetVersion. */
        keep_stmt(&ks->s[0], "DELETE FROM schema_migrations", NULL, &out[0]);
        const migration *now = up ? m : previous_of(db, m);
        if (!now)
            return 1;
        keep_stmt(&ks->s[1],
                  sqlite ? "INSERT INTO schema_migrations (version, dirty) VALUES (?, 0)"
                         : "INSERT INTO schema_migrations (version, dirty) VALUES (?, false)",
                  numeric(now->version), &out[1]);
        return 2;
    }
    case TOOL_DBMATE:
        keep_stmt(&ks->s[0],
                  up ? "INSERT INTO schema_migrations (version) VALUES (?)"
                     : "DELETE FROM schema_migrations WHERE version = ?",
                  m->version, &out[0]);
        return 1;
    case TOOL_POP:
        keep_stmt(&ks->s[0],
                  up ? "INSERT INTO schema_migration (version) VALUES (?)"
                     : "DELETE FROM schema_migration WHERE version = ?",
                  m->version, &out[0]);
        return 1;
    case TOOL_GOOSE:
        keep_stmt(&ks->s[0],
                  up ? (sqlite ? "INSERT INTO goose_db_version (version_id, is_applied) VALUES "
                                 "(?, 1)"
                               : "INSERT INTO goose_db_version (version_id, is_applied) VALUES "
                                 "(?, true)")
                     : "DELETE FROM goose_db_version WHERE version_id = ?",
                  numeric(m->version), &out[0]);
        return 1;
    case TOOL_SQL_MIGRATE:
        keep_stmt(&ks->s[0],
                  up ? "INSERT INTO gorp_migrations (id, applied_at) VALUES (?, "
                       "CURRENT_TIMESTAMP)"
                     : "DELETE FROM gorp_migrations WHERE id = ?",
                  base_name(m->file), &out[0]);
        return 1;
    case TOOL_DIESEL:
        for (const char *p = m->version; *p && nd + 1 < sizeof(digits); p++)
            if (isdigit((unsigned char)*p))
                digits[nd++] = *p;
        digits[nd] = '\0';
        keep_stmt(&ks->s[0],
                  up ? "INSERT INTO __diesel_schema_migrations (version) VALUES (?)"
                     : "DELETE FROM __diesel_schema_migrations WHERE version = ?",
                  digits, &out[0]);
        return 1;
    default:
        return 0;
    }
}

void adopt_keep_release(adopt_keep_store *ks)
{
    for (size_t i = 0; i < ADOPT_KEEP_MAX; i++)
        stmt_store_release(&ks->s[i]);
}

int adopt_keep_run(dbshift *db, const migration *m, int direction)
{
    adopt_keep_store ks;
    dbshift_stmt st[ADOPT_KEEP_MAX + 2];
    size_t n = adopt_keep_stmts(db, &ks, m, direction, st + 1);
    int rc = 0;
    if (n) {
        st[0] = (dbshift_stmt){.kind = DBSHIFT_STMT_BEGIN};
        st[n + 1] = (dbshift_stmt){.kind = DBSHIFT_STMT_COMMIT};
        size_t failed = 0;
        rc = db->driver->run(db->conn, st, n + 2, &failed, &db->error);
        if (rc)
            err_prefix(&db->error, "cannot update %s's history table", db->keep_history->name);
    }
    adopt_keep_release(&ks);
    return rc;
}
