/*
 * introspect_sqlite.c - reads a SQLite database's schema into the model.
 *
 * Columns, keys, unique constraints and foreign keys come from the
 * table-valued pragmas, which describe the table as SQLite understands it
 * whatever way the CREATE TABLE was spelled (or later altered). Three
 * things no pragma reports are taken from the CREATE TABLE text with a small
 * scanner: CHECK constraints, COLLATE clauses and generated-column
 * expressions. Indexes, views and triggers keep their text from
 * sqlite_master with white space squeezed, since SQLite keeps nothing else.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/introspect.h"
#include "util/buf.h"
#include "util/err.h"

/* Skips white space and comments. */
static const char *skip_space(const char *p)
{
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            p = e ? e + 2 : p + strlen(p);
        } else
            return p;
    }
}

/* The end of the token at p: a quoted name or string, a parenthesised
 * group, a word, or one character. */
static const char *token_end(const char *p)
{
    char close = *p == '[' ? ']' : *p;
    if (*p == '\'' || *p == '"' || *p == '`' || *p == '[') {
        for (p++; *p; p++) {
            if (*p == close) {
                if (close != ']' && p[1] == close) {
                    p++;
                    continue;
                }
                return p + 1;
            }
        }
        return p;
    }
    if (*p == '(') {
        int depth = 0;
        for (; *p; p++) {
            if (*p == '\'' || *p == '"' || *p == '`' || *p == '[') {
                p = token_end(p) - 1;
                continue;
            }
            if (*p == '(')
                depth++;
            else if (*p == ')' && --depth == 0)
                return p + 1;
        }
        return p;
    }
    if (isalnum((unsigned char)*p) || *p == '_') {
        while (isalnum((unsigned char)*p) || *p == '_' || *p == '$')
            p++;
        return p;
    }
    return *p ? p + 1 : p;
}

static bool word_is(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - p) == n && !strncasecmp(p, word, n);
}

/* An identifier token without its quotes (malloc'd). */
static char *unquote(const char *p, const char *end)
{
    if (end - p >= 2 && (*p == '"' || *p == '`' || *p == '[' || *p == '\''))
        return xstrndup(p + 1, (size_t)(end - p - 2));
    return xstrndup(p, (size_t)(end - p));
}

/* Whether text holds word, in any case (strcasestr is a GNU extension). */
static bool contains_nocase(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; *p; p++)
        if (!strncasecmp(p, word, n))
            return true;
    return false;
}

static schema_column *column_named(schema_object *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcasecmp(t->cols[i].name, name))
            return &t->cols[i];
    return NULL;
}

/* "(expr)" token into "CHECK (expr)" with white space squeezed. */
static int add_check(schema_object *t, const char *name, const char *p, const char *end)
{
    buf b = BUF_INIT;
    buf_adds(&b, "CHECK ");
    buf_add(&b, p, (size_t)(end - p));
    int rc = buf_failed(&b) ? DBSHIFT_ENOMEM : 0;
    if (!rc) {
        schema_squeeze(b.ptr);
        if (!schema_add_constraint(t, SCHEMA_CHECK, name, b.ptr))
            rc = DBSHIFT_ENOMEM;
    }
    buf_release(&b);
    return rc;
}

/* One item of the CREATE TABLE body: a column definition or a table
 * constraint, from p to end. */
static int scan_item(schema_object *t, const char *p, const char *end)
{
    char *constraint = NULL;
    schema_column *col = NULL;
    int rc = 0;
    p = skip_space(p);
    const char *e = token_end(p);
    bool table_level = word_is(p, e, "CONSTRAINT") || word_is(p, e, "PRIMARY") ||
                       word_is(p, e, "UNIQUE") || word_is(p, e, "CHECK") ||
                       word_is(p, e, "FOREIGN");
    if (!table_level) {
        char *name = unquote(p, e);
        if (!name)
            return DBSHIFT_ENOMEM;
        col = column_named(t, name);
        free(name);
        p = e;
    }
    while (!rc && (p = skip_space(p)) < end && *p) {
        e = token_end(p);
        if (word_is(p, e, "CONSTRAINT")) {
            const char *n = skip_space(e);
            const char *ne = token_end(n);
            free(constraint);
            constraint = unquote(n, ne);
            e = ne;
        } else if (word_is(p, e, "CHECK")) {
            const char *g = skip_space(e);
            const char *ge = token_end(g);
            if (*g == '(')
                rc = add_check(t, constraint, g, ge);
            free(constraint);
            constraint = NULL;
            e = ge;
        } else if (col && word_is(p, e, "COLLATE")) {
            const char *n = skip_space(e);
            const char *ne = token_end(n);
            free(col->collation);
            col->collation = xstrndup(n, (size_t)(ne - n));
            e = ne;
        } else if (col && word_is(p, e, "AS")) {
            const char *g = skip_space(e);
            const char *ge = token_end(g);
            const char *k = skip_space(ge);
            const char *ke = token_end(k);
            bool stored = word_is(k, ke, "STORED");
            buf b = BUF_INIT;
            buf_adds(&b, "AS ");
            buf_add(&b, g, (size_t)(ge - g));
            buf_adds(&b, stored ? " STORED" : " VIRTUAL");
            if (buf_failed(&b))
                rc = DBSHIFT_ENOMEM;
            else {
                schema_squeeze(b.ptr);
                free(col->generated);
                col->generated = buf_detach(&b);
            }
            buf_release(&b);
            e = (stored || word_is(k, ke, "VIRTUAL")) ? ke : ge;
        }
        p = e;
    }
    free(constraint);
    return rc;
}

/* Reads what the pragmas leave out from the CREATE TABLE text. */
static int scan_create_table(schema_object *t, const char *sql)
{
    const char *p = sql;
    while (*p && *p != '(') {
        const char *e = token_end(skip_space(p));
        if (*skip_space(p) == '(')
            break;
        p = e;
    }
    p = skip_space(p);
    if (*p != '(')
        return 0;
    const char *close = token_end(p) - 1;
    const char *item = p + 1;
    int rc = 0;
    for (const char *q = item; q < close && !rc;) {
        q = skip_space(q);
        if (q >= close)
            break;
        if (*q == ',') {
            rc = scan_item(t, item, q);
            item = q + 1;
            q++;
            continue;
        }
        q = token_end(q);
    }
    if (!rc)
        rc = scan_item(t, item, close);
    return rc;
}

/* The query after the AS of CREATE VIEW name [(cols)] AS query. */
static char *view_query(const char *sql)
{
    const char *p = sql;
    while (*(p = skip_space(p))) {
        const char *e = token_end(p);
        if (word_is(p, e, "AS")) {
            char *q = xstrdup(skip_space(e));
            if (q)
                schema_squeeze(q);
            return q;
        }
        p = e;
    }
    return xstrdup(sql);
}

static int read_columns(schema_object *t, dbshift *db, bool *autoincrement_pk, const char *sql)
{
    introspect_rows r = {0};
    const char *params[] = {t->name};
    int rc = introspect_query(&r, db,
                              "SELECT name, type, \"notnull\", dflt_value, pk, hidden "
                              "FROM pragma_table_xinfo(?) ORDER BY cid",
                              params, 1);
    if (rc)
        return rc;
    buf pk = BUF_INIT;
    size_t npk = 0, pk_index = 0;
    for (int order = 1; order <= (int)r.count; order++) {
        for (size_t i = 0; i < r.count; i++) {
            const char *k = introspect_cell(&r, i, 4);
            if (k && atoi(k) == order) {
                if (npk++)
                    buf_adds(&pk, ", ");
                schema_quote(&pk, DBSHIFT_DIALECT_SQLITE, introspect_cell(&r, i, 0));
                pk_index = i;
            }
        }
    }
    for (size_t i = 0; i < r.count && !rc; i++) {
        const char *hidden = introspect_cell(&r, i, 5);
        if (hidden && !strcmp(hidden, "1"))
            continue;
        schema_column *c =
            schema_add_column(t, introspect_cell(&r, i, 0), introspect_cell(&r, i, 1));
        if (!c) {
            rc = DBSHIFT_ENOMEM;
            break;
        }
        const char *nn = introspect_cell(&r, i, 2);
        c->not_null = nn && !strcmp(nn, "1");
        c->def = xstrdup(introspect_cell(&r, i, 3));
    }
    /* AUTOINCREMENT belongs to an inline INTEGER PRIMARY KEY */
    *autoincrement_pk = false;
    if (!rc && npk == 1 && sql && contains_nocase(sql, "AUTOINCREMENT")) {
        schema_column *c = &t->cols[pk_index];
        c->generated = xstrdup("PRIMARY KEY AUTOINCREMENT");
        *autoincrement_pk = true;
    }
    if (!rc && npk && !*autoincrement_pk) {
        buf def = BUF_INIT;
        buf_addf(&def, "PRIMARY KEY (%s)", pk.ptr);
        if (buf_failed(&def) || !schema_add_constraint(t, SCHEMA_PRIMARY, NULL, def.ptr))
            rc = DBSHIFT_ENOMEM;
        buf_release(&def);
    }
    if (!rc && buf_failed(&pk))
        rc = DBSHIFT_ENOMEM;
    buf_release(&pk);
    introspect_rows_release(&r);
    return rc;
}

static int read_uniques(schema_object *t, dbshift *db)
{
    introspect_rows r = {0};
    const char *params[] = {t->name};
    int rc = introspect_query(&r, db,
                              "SELECT il.name, ii.name FROM pragma_index_list(?) il, "
                              "pragma_index_info(il.name) ii WHERE il.origin = 'u' "
                              "ORDER BY il.name, ii.seqno",
                              params, 1);
    if (rc)
        return rc;
    buf def = BUF_INIT;
    for (size_t i = 0; i < r.count && !rc; i++) {
        const char *index = introspect_cell(&r, i, 0);
        bool first = i == 0 || strcmp(index, introspect_cell(&r, i - 1, 0));
        if (first) {
            buf_clear(&def);
            buf_adds(&def, "UNIQUE (");
        } else
            buf_adds(&def, ", ");
        schema_quote(&def, DBSHIFT_DIALECT_SQLITE, introspect_cell(&r, i, 1));
        bool last = i + 1 == r.count || strcmp(index, introspect_cell(&r, i + 1, 0));
        if (last) {
            buf_adds(&def, ")");
            if (buf_failed(&def) || !schema_add_constraint(t, SCHEMA_UNIQUE, NULL, def.ptr))
                rc = DBSHIFT_ENOMEM;
        }
    }
    buf_release(&def);
    introspect_rows_release(&r);
    return rc;
}

static int read_foreign_keys(schema_object *t, dbshift *db)
{
    introspect_rows r = {0};
    const char *params[] = {t->name};
    int rc = introspect_query(&r, db,
                              "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete "
                              "FROM pragma_foreign_key_list(?) ORDER BY id, seq",
                              params, 1);
    if (rc)
        return rc;
    buf from = BUF_INIT, to = BUF_INIT, def = BUF_INIT;
    for (size_t i = 0; i < r.count && !rc; i++) {
        const char *id = introspect_cell(&r, i, 0);
        if (i == 0 || strcmp(id, introspect_cell(&r, i - 1, 0))) {
            buf_clear(&from);
            buf_clear(&to);
        } else {
            buf_adds(&from, ", ");
            buf_adds(&to, ", ");
        }
        schema_quote(&from, DBSHIFT_DIALECT_SQLITE, introspect_cell(&r, i, 2));
        if (introspect_cell(&r, i, 3))
            schema_quote(&to, DBSHIFT_DIALECT_SQLITE, introspect_cell(&r, i, 3));
        if (i + 1 < r.count && !strcmp(id, introspect_cell(&r, i + 1, 0)))
            continue;
        buf_clear(&def);
        buf_addf(&def, "FOREIGN KEY (%s) REFERENCES ", from.ptr);
        schema_quote(&def, DBSHIFT_DIALECT_SQLITE, introspect_cell(&r, i, 1));
        if (introspect_cell(&r, i, 3))
            buf_addf(&def, " (%s)", to.ptr);
        const char *upd = introspect_cell(&r, i, 4), *del = introspect_cell(&r, i, 5);
        if (upd && strcmp(upd, "NO ACTION"))
            buf_addf(&def, " ON UPDATE %s", upd);
        if (del && strcmp(del, "NO ACTION"))
            buf_addf(&def, " ON DELETE %s", del);
        if (buf_failed(&def) || !schema_add_constraint(t, SCHEMA_FOREIGN, NULL, def.ptr))
            rc = DBSHIFT_ENOMEM;
    }
    buf_release(&from);
    buf_release(&to);
    buf_release(&def);
    introspect_rows_release(&r);
    return rc;
}

int introspect_sqlite(schema *out, dbshift *db)
{
    introspect_rows r = {0};
    int rc = introspect_query(&r, db,
                              "SELECT type, name, tbl_name, sql FROM sqlite_master "
                              "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND sql IS NOT NULL "
                              "ORDER BY type, name",
                              NULL, 0);
    if (rc)
        return rc;
    for (size_t i = 0; i < r.count && !rc; i++) {
        const char *type = introspect_cell(&r, i, 0);
        const char *name = introspect_cell(&r, i, 1);
        const char *table = introspect_cell(&r, i, 2);
        const char *sql = introspect_cell(&r, i, 3);
        int kind = !strcmp(type, "table")   ? SCHEMA_TABLE
                   : !strcmp(type, "index") ? SCHEMA_INDEX
                   : !strcmp(type, "view")  ? SCHEMA_VIEW
                                            : SCHEMA_TRIGGER;
        if (kind == SCHEMA_TABLE && contains_nocase(sql, "VIRTUAL TABLE"))
            continue; /* no pragma describes it; its shadow tables are compared */
        schema_object *o = schema_add(out, kind, "", name);
        if (!o) {
            rc = DBSHIFT_ENOMEM;
            break;
        }
        if (kind == SCHEMA_TABLE) {
            bool autoincrement;
            rc = read_columns(o, db, &autoincrement, sql);
            if (!rc)
                rc = read_uniques(o, db);
            if (!rc)
                rc = read_foreign_keys(o, db);
            if (!rc)
                rc = scan_create_table(o, sql);
            continue;
        }
        o->table = kind == SCHEMA_VIEW ? NULL : xstrdup(table);
        o->def = kind == SCHEMA_VIEW ? view_query(sql) : xstrdup(sql);
        if (!o->def || (kind != SCHEMA_VIEW && !o->table)) {
            rc = DBSHIFT_ENOMEM;
            break;
        }
        if (kind != SCHEMA_VIEW)
            schema_squeeze(o->def);
        o->unique = kind == SCHEMA_INDEX && !strncasecmp(o->def, "CREATE UNIQUE", 13);
    }
    introspect_rows_release(&r);
    return rc;
}
