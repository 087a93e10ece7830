/*
 * introspect_mysql.c - reads a MySQL/MariaDB database's schema into the
 * model from information_schema (and SHOW CREATE for routine bodies).
 *
 * Only the connection's current database is read, and its name is removed
 * wherever the server writes it into a definition (`db`.`t` in views), so a
 * shadow database under another name reads the same. Index names are unique
 * per table only, so an index is keyed by its table (kept in the model's
 * schema field). A column's collation is kept only where it differs from
 * its table's, and definers are dropped: neither is part of what the
 * migrations say.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/introspect.h"
#include "util/buf.h"
#include "util/err.h"

/* Removes every "`db`." from text (in place). */
static void strip_database(char *text, const char *database)
{
    char pattern[200];
    snprintf(pattern, sizeof(pattern), "`%s`.", database);
    size_t n = strlen(pattern);
    char *w = text;
    for (const char *r = text; *r;) {
        if (!strncmp(r, pattern, n)) {
            r += n;
            continue;
        }
        *w++ = *r++;
    }
    *w = '\0';
}

/* Removes "DEFINER=`u`@`h` " from a SHOW CREATE text (in place). */
static void strip_definer(char *text)
{
    char *p = strstr(text, "DEFINER=");
    if (!p)
        return;
    char *e = p + 8;
    while (*e && *e != ' ') {
        if (*e == '`') {
            e = strchr(e + 1, '`');
            if (!e)
                return;
        }
        e++;
    }
    while (*e == ' ')
        e++;
    memmove(p, e, strlen(e) + 1);
}

static int read_columns(schema *out, dbshift *db)
{
    introspect_rows r = {0};
    int rc = introspect_query(
        &r, db,
        "SELECT c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE, c.COLUMN_DEFAULT, "
        "c.EXTRA, CASE WHEN c.COLLATION_NAME <> t.TABLE_COLLATION THEN c.COLLATION_NAME END, "
        "c.GENERATION_EXPRESSION FROM information_schema.COLUMNS c "
        "JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = c.TABLE_SCHEMA "
        "AND t.TABLE_NAME = c.TABLE_NAME WHERE c.TABLE_SCHEMA = DATABASE() "
        "AND t.TABLE_TYPE = 'BASE TABLE' ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION",
        NULL, 0);
    schema_object *o = NULL;
    for (size_t i = 0; !rc && i < r.count; i++) {
        const char *name = introspect_cell(&r, i, 0);
        if (!o || strcmp(o->name, name))
            o = schema_add(out, SCHEMA_TABLE, "", name);
        schema_column *c =
            o ? schema_add_column(o, introspect_cell(&r, i, 1), introspect_cell(&r, i, 2)) : NULL;
        if (!c) {
            rc = DBSHIFT_ENOMEM;
            break;
        }
        const char *extra = introspect_cell(&r, i, 5);
        const char *expr = introspect_cell(&r, i, 7);
        c->not_null = !strcmp(introspect_cell(&r, i, 3), "NO");
        c->collation = xstrdup(introspect_cell(&r, i, 6));
        buf g = BUF_INIT;
        if (expr && expr[0]) {
            buf_addf(&g, "AS (%s) %s", expr,
                     extra && strstr(extra, "STORED") ? "STORED" : "VIRTUAL");
        } else {
            /* a generated column's default is reported as NULL: not its own */
            c->def = xstrdup(introspect_cell(&r, i, 4));
            if (extra && strstr(extra, "auto_increment"))
                buf_adds(&g, "AUTO_INCREMENT");
            const char *upd = extra ? strstr(extra, "on update ") : NULL;
            if (upd)
                buf_addf(&g, "%sON UPDATE %s", g.len ? " " : "", upd + 10);
        }
        if (g.len)
            c->generated = buf_detach(&g);
        buf_release(&g);
    }
    introspect_rows_release(&r);
    return rc;
}

static int read_indexes(schema *out, dbshift *db)
{
    introspect_rows r = {0};
    int rc = introspect_query(&r, db,
                              "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART, "
                              "INDEX_TYPE, COLLATION FROM information_schema.STATISTICS "
                              "WHERE TABLE_SCHEMA = DATABASE() "
                              "ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
                              NULL, 0);
    buf cols = BUF_INIT, def = BUF_INIT;
    for (size_t i = 0; !rc && i < r.count; i++) {
        const char *table = introspect_cell(&r, i, 0), *index = introspect_cell(&r, i, 1);
        bool first = i == 0 || strcmp(table, introspect_cell(&r, i - 1, 0)) ||
                     strcmp(index, introspect_cell(&r, i - 1, 1));
        if (first)
            buf_clear(&cols);
        else
            buf_adds(&cols, ", ");
        schema_quote(&cols, DBSHIFT_DIALECT_MYSQL, introspect_cell(&r, i, 3));
        if (introspect_cell(&r, i, 4))
            buf_addf(&cols, "(%s)", introspect_cell(&r, i, 4));
        if (introspect_cell(&r, i, 6) && !strcmp(introspect_cell(&r, i, 6), "D"))
            buf_adds(&cols, " DESC");
        bool last = i + 1 == r.count || strcmp(table, introspect_cell(&r, i + 1, 0)) ||
                    strcmp(index, introspect_cell(&r, i + 1, 1));
        if (!last)
            continue;
        schema_object *t = schema_find(out, SCHEMA_TABLE, "", table);
        buf_clear(&def);
        if (!strcmp(index, "PRIMARY")) {
            buf_addf(&def, "PRIMARY KEY (%s)", cols.ptr);
            if (t &&
                (buf_failed(&def) || !schema_add_constraint(t, SCHEMA_PRIMARY, "PRIMARY", def.ptr)))
                rc = DBSHIFT_ENOMEM;
            continue;
        }
        const char *type = introspect_cell(&r, i, 5);
        bool unique = !strcmp(introspect_cell(&r, i, 2), "0");
        const char *word = unique                      ? "UNIQUE "
                           : !strcmp(type, "FULLTEXT") ? "FULLTEXT "
                           : !strcmp(type, "SPATIAL")  ? "SPATIAL "
                                                       : "";
        buf_addf(&def, "CREATE %sINDEX ", word);
        schema_quote(&def, DBSHIFT_DIALECT_MYSQL, index);
        buf_adds(&def, " ON ");
        schema_quote(&def, DBSHIFT_DIALECT_MYSQL, table);
        buf_addf(&def, " (%s)", cols.ptr);
        if (!strcmp(type, "HASH"))
            buf_adds(&def, " USING HASH");
        schema_object *o = schema_add(out, SCHEMA_INDEX, table, index);
        if (!o || buf_failed(&def) || !(o->def = xstrdup(def.ptr)) ||
            !(o->table = xstrdup(table))) {
            rc = DBSHIFT_ENOMEM;
            break;
        }
        o->unique = unique;
    }
    buf_release(&cols);
    buf_release(&def);
    introspect_rows_release(&r);
    return rc;
}

static int read_foreign_keys(schema *out, dbshift *db)
{
    introspect_rows r = {0};
    int rc = introspect_query(
        &r, db,
        "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, "
        "k.REFERENCED_COLUMN_NAME, rc.UPDATE_RULE, rc.DELETE_RULE "
        "FROM information_schema.KEY_COLUMN_USAGE k "
        "JOIN information_schema.REFERENTIAL_CONSTRAINTS rc "
        "ON rc.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND rc.CONSTRAINT_NAME = k.CONSTRAINT_NAME "
        "AND rc.TABLE_NAME = k.TABLE_NAME WHERE k.TABLE_SCHEMA = DATABASE() "
        "AND k.REFERENCED_TABLE_NAME IS NOT NULL "
        "ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
        NULL, 0);
    buf from = BUF_INIT, to = BUF_INIT, def = BUF_INIT;
    for (size_t i = 0; !rc && i < r.count; i++) {
        const char *table = introspect_cell(&r, i, 0), *name = introspect_cell(&r, i, 1);
        bool first = i == 0 || strcmp(table, introspect_cell(&r, i - 1, 0)) ||
                     strcmp(name, introspect_cell(&r, i - 1, 1));
        if (first) {
            buf_clear(&from);
            buf_clear(&to);
        } else {
            buf_adds(&from, ", ");
            buf_adds(&to, ", ");
        }
        schema_quote(&from, DBSHIFT_DIALECT_MYSQL, introspect_cell(&r, i, 2));
        schema_quote(&to, DBSHIFT_DIALECT_MYSQL, introspect_cell(&r, i, 4));
        if (i + 1 < r.count && !strcmp(table, introspect_cell(&r, i + 1, 0)) &&
            !strcmp(name, introspect_cell(&r, i + 1, 1)))
            continue;
        buf_clear(&def);
        buf_addf(&def, "FOREIGN KEY (%s) REFERENCES ", from.ptr);
        schema_quote(&def, DBSHIFT_DIALECT_MYSQL, introspect_cell(&r, i, 3));
        buf_addf(&def, " (%s)", to.ptr);
        const char *upd = introspect_cell(&r, i, 5), *del = introspect_cell(&r, i, 6);
        if (upd && strcmp(upd, "RESTRICT") && strcmp(upd, "NO ACTION"))
            buf_addf(&def, " ON UPDATE %s", upd);
        if (del && strcmp(del, "RESTRICT") && strcmp(del, "NO ACTION"))
            buf_addf(&def, " ON DELETE %s", del);
        schema_object *t = schema_find(out, SCHEMA_TABLE, "", table);
        if (t && (buf_failed(&def) || !schema_add_constraint(t, SCHEMA_FOREIGN, name, def.ptr)))
            rc = DBSHIFT_ENOMEM;
    }
    buf_release(&from);
    buf_release(&to);
    buf_release(&def);
    introspect_rows_release(&r);
    return rc;
}

static int read_checks(schema *out, dbshift *db)
{
    introspect_rows r = {0};
    int rc = introspect_query(&r, db,
                              "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE "
                              "FROM information_schema.CHECK_CONSTRAINTS "
                              "WHERE CONSTRAINT_SCHEMA = DATABASE()",
                              NULL, 0);
    buf def = BUF_INIT;
    for (size_t i = 0; !rc && i < r.count; i++) {
        schema_object *t = schema_find(out, SCHEMA_TABLE, "", introspect_cell(&r, i, 0));
        if (!t)
            continue;
        buf_clear(&def);
        buf_addf(&def, "CHECK (%s)", introspect_cell(&r, i, 2));
        if (buf_failed(&def) ||
            !schema_add_constraint(t, SCHEMA_CHECK, introspect_cell(&r, i, 1), def.ptr))
            rc = DBSHIFT_ENOMEM;
    }
    buf_release(&def);
    introspect_rows_release(&r);
    return rc;
}

static int read_routines(schema *out, dbshift *db, const char *database)
{
    introspect_rows r = {0};
    int rc = introspect_query(&r, db,
                              "SELECT ROUTINE_NAME, ROUTINE_TYPE FROM information_schema.ROUTINES "
                              "WHERE ROUTINE_SCHEMA = DATABASE() ORDER BY 1, 2",
                              NULL, 0);
    buf sql = BUF_INIT;
    for (size_t i = 0; !rc && i < r.count; i++) {
        const char *name = introspect_cell(&r, i, 0), *type = introspect_cell(&r, i, 1);
        introspect_rows body = {0};
        buf_clear(&sql);
        buf_addf(&sql, "SHOW CREATE %s ", type);
        schema_quote(&sql, DBSHIFT_DIALECT_MYSQL, name);
        rc = buf_failed(&sql) ? DBSHIFT_ENOMEM : introspect_query(&body, db, sql.ptr, NULL, 0);
        if (!rc && body.count && body.ncols >= 3 && introspect_cell(&body, 0, 2)) {
            schema_object *o = schema_add(
                out, !strcmp(type, "PROCEDURE") ? SCHEMA_PROCEDURE : SCHEMA_FUNCTION, "", name);
            if (!o || !(o->def = xstrdup(introspect_cell(&body, 0, 2))))
                rc = DBSHIFT_ENOMEM;
            else {
                strip_definer(o->def);
                strip_database(o->def, database);
            }
        }
        introspect_rows_release(&body);
    }
    buf_release(&sql);
    introspect_rows_release(&r);
    return rc;
}

static int read_triggers(schema *out, dbshift *db, const char *database)
{
    introspect_rows r = {0};
    int rc = introspect_query(&r, db,
                              "SELECT TRIGGER_NAME, EVENT_OBJECT_TABLE, ACTION_TIMING, "
                              "EVENT_MANIPULATION, ACTION_STATEMENT "
                              "FROM information_schema.TRIGGERS "
                              "WHERE TRIGGER_SCHEMA = DATABASE()",
                              NULL, 0);
    buf def = BUF_INIT;
    for (size_t i = 0; !rc && i < r.count; i++) {
        const char *name = introspect_cell(&r, i, 0), *table = introspect_cell(&r, i, 1);
        buf_clear(&def);
        buf_adds(&def, "CREATE TRIGGER ");
        schema_quote(&def, DBSHIFT_DIALECT_MYSQL, name);
        buf_addf(&def, " %s %s ON ", introspect_cell(&r, i, 2), introspect_cell(&r, i, 3));
        schema_quote(&def, DBSHIFT_DIALECT_MYSQL, table);
        buf_addf(&def, " FOR EACH ROW %s", introspect_cell(&r, i, 4));
        schema_object *o = schema_add(out, SCHEMA_TRIGGER, "", name);
        if (!o || buf_failed(&def) || !(o->def = xstrdup(def.ptr)) || !(o->table = xstrdup(table)))
            rc = DBSHIFT_ENOMEM;
        else
            strip_database(o->def, database);
    }
    buf_release(&def);
    introspect_rows_release(&r);
    return rc;
}

int introspect_mysql(schema *out, dbshift *db)
{
    introspect_rows r = {0};
    char *database = NULL;
    int rc = introspect_query(&r, db, "SELECT DATABASE()", NULL, 0);
    if (!rc && (!r.count || !introspect_cell(&r, 0, 0)))
        rc = err_set(&db->error, DBSHIFT_EUSAGE, "no database is selected: name one in the URL");
    if (!rc && !(database = xstrdup(introspect_cell(&r, 0, 0))))
        rc = DBSHIFT_ENOMEM;
    introspect_rows_release(&r);
    if (!rc)
        rc = read_columns(out, db);
    if (!rc)
        rc = read_indexes(out, db);
    if (!rc)
        rc = read_foreign_keys(out, db);
    if (!rc)
        rc = read_checks(out, db);
    if (!rc)
        rc = read_routines(out, db, database);
    if (!rc)
        rc = read_triggers(out, db, database);
    if (!rc) {
        introspect_rows v = {0};
        rc = introspect_query(&v, db,
                              "SELECT TABLE_NAME, VIEW_DEFINITION FROM information_schema.VIEWS "
                              "WHERE TABLE_SCHEMA = DATABASE()",
                              NULL, 0);
        for (size_t i = 0; !rc && i < v.count; i++) {
            schema_object *o = schema_add(out, SCHEMA_VIEW, "", introspect_cell(&v, i, 0));
            if (!o || !(o->def = xstrdup(introspect_cell(&v, i, 1))))
                rc = DBSHIFT_ENOMEM;
            else
                strip_database(o->def, database);
        }
        introspect_rows_release(&v);
    }
    free(database);
    return rc;
}
