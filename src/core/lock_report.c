/*
 * lock_report.c - the line `up --dry-run` shows under a PostgreSQL statement
 * that touches an existing table: the lock it takes, the table's size and
 * estimated rows from the catalog, and whether the rows are rewritten or
 * scanned ("ACCESS EXCLUSIVE on orders (12 GB, ~80M rows), rewrite"). What a
 * statement does comes from src/sql/lock_levels.c; this file only asks the
 * target about each table. A table the catalog does not have is new (made
 * by this run): nothing is said about it, since locking it blocks no one.
 *
 * The report is advice: a failed catalog query drops the line, never the
 * dry run.
 */
#include "core/lock_report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/handle.h"
#include "sql/lock_levels.h"
#include "util/buf.h"

/* A relation as the catalog sees it. DROP INDEX names an index, whose
 * table is the one locked and described. */
static const char catalog_sql[] =
    "SELECT t.oid::regclass::text, pg_size_pretty(pg_total_relation_size(t.oid)),"
    " t.reltuples::bigint::text"
    " FROM pg_class c"
    " LEFT JOIN pg_index i ON i.indexrelid = c.oid"
    " JOIN pg_class t ON t.oid = COALESCE(i.indrelid, c.oid)"
    " WHERE c.oid = to_regclass(?)";

typedef struct table_facts {
    bool found;
    char name[256];
    char size[64];
    long long rows; /* -1: never analysed (PostgreSQL 14+) */
} table_facts;

static int on_row(void *payload, size_t ncols, const char *const *values)
{
    table_facts *f = payload;
    if (ncols < 3 || !values[0])
        return 0;
    f->found = true;
    snprintf(f->name, sizeof(f->name), "%s", values[0]);
    snprintf(f->size, sizeof(f->size), "%s", values[1] ? values[1] : "size unknown");
    f->rows = values[2] ? strtoll(values[2], NULL, 10) : -1;
    return 0;
}

/* Appends name to b as a double-quoted identifier, so to_regclass reads
 * it exactly as the parser gave it (already case-folded). */
static void add_quoted(buf *b, const char *name)
{
    buf_addc(b, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            buf_addc(b, '"');
        buf_addc(b, *p);
    }
    buf_addc(b, '"');
}

/* "~80M rows", "~1.2k rows", "~7 rows"; rows is an estimate. */
static void add_rows(buf *b, long long rows)
{
    static const struct {
        double scale;
        const char *suffix;
    } units[] = {{1e9, "B"}, {1e6, "M"}, {1e3, "k"}};
    if (rows < 0) {
        buf_adds(b, "rows unknown: not analysed yet");
        return;
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if ((double)rows >= units[i].scale) {
            double v = (double)rows / units[i].scale;
            buf_addf(b, v < 10 ? "~%.1f%s rows" : "~%.0f%s rows", v, units[i].suffix);
            return;
        }
    }
    buf_addf(b, "~%lld row%s", rows, rows == 1 ? "" : "s");
}

char *lock_report_describe(dbshift *db, const char *sql, size_t len)
{
    if (!db->conn || db->driver->dialect != DBSHIFT_DIALECT_POSTGRES || !db->driver->query)
        return NULL;
    lock_touches touches;
    if (lock_levels_analyse(&touches, sql, len) != 0)
        return NULL;
    buf out = BUF_INIT;
    for (size_t i = 0; i < touches.count; i++) {
        const lock_touch *t = &touches.items[i];
        buf name = BUF_INIT;
        if (t->schema) {
            add_quoted(&name, t->schema);
            buf_addc(&name, '.');
        }
        add_quoted(&name, t->name);
        table_facts facts = {0};
        dbshift_error err = {0};
        const char *params[] = {name.ptr};
        int rc = buf_failed(&name)
                     ? DBSHIFT_ENOMEM
                     : db->driver->query(db->conn, catalog_sql, params, 1, on_row, &facts, &err);
        dbshift_error_clear(&err);
        buf_release(&name);
        if (rc != 0 || !facts.found)
            continue;
        if (out.len)
            buf_addc(&out, '\n');
        buf_addf(&out, "%s on %s (%s, ", lock_mode_name(t->mode), facts.name, facts.size);
        add_rows(&out, facts.rows);
        buf_addc(&out, ')');
        if (t->effect != LOCK_EFFECT_NONE)
            buf_addf(&out, ", %s", lock_effect_name(t->effect));
    }
    lock_touches_release(&touches);
    if (buf_failed(&out) || out.len == 0) {
        buf_release(&out);
        return NULL;
    }
    return buf_detach(&out);
}
