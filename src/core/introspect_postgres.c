/*
 * introspect_postgres.c - reads a PostgreSQL database's schema into the
 * model from pg_catalog.
 *
 * Every definition is the server's own rendering (format_type,
 * pg_get_expr, pg_get_constraintdef, pg_get_indexdef, pg_get_viewdef,
 * pg_get_functiondef, pg_get_triggerdef), which is canonical: two databases
 * built by different but equivalent statements read the same. System
 * schemas, objects that belong to an extension (the extension itself is
 * listed instead), identity sequences and indexes that back a constraint
 * are left out, since creating their owner creates them.
 */
#include <stdlib.h>
#include <string.h>

#include "core/introspect.h"
#include "util/buf.h"
#include "util/err.h"

#define USER_NSP "n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'"
#define NOT_EXTENSION_MEMBER(oid)                                                                  \
    "NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.objid = " oid " AND dep.deptype = 'e')"

/* Trims white space and a final ';' (pg_get_viewdef ends with one). */
static void trim(char *s)
{
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\n' || s[n - 1] == '\t' || s[n - 1] == ';'))
        s[--n] = '\0';
    size_t lead = strspn(s, " \n\t");
    memmove(s, s + lead, n - lead + 1);
}

/* Adds one object per row: columns 0 schema, 1 name, then table and def
 * as given (negative: none). */
static int add_objects(schema *out, dbshift *db, int kind, const char *sql, int table_col,
                       int def_col, bool squeeze)
{
    introspect_rows r = {0};
    int rc = introspect_query(&r, db, sql, NULL, 0);
    for (size_t i = 0; !rc && i < r.count; i++) {
        schema_object *o =
            schema_add(out, kind, introspect_cell(&r, i, 0), introspect_cell(&r, i, 1));
        if (!o) {
            rc = DBSHIFT_ENOMEM;
            break;
        }
        const char *table = table_col >= 0 ? introspect_cell(&r, i, (size_t)table_col) : NULL;
        if (table && !(o->table = xstrdup(table)))
            rc = DBSHIFT_ENOMEM;
        if (def_col >= 0 && introspect_cell(&r, i, (size_t)def_col)) {
            if (!(o->def = xstrdup(introspect_cell(&r, i, (size_t)def_col)))) {
                rc = DBSHIFT_ENOMEM;
            } else {
                trim(o->def);
                if (squeeze)
                    schema_squeeze(o->def);
            }
        }
    }
    introspect_rows_release(&r);
    return rc;
}

static int read_enums(schema *out, dbshift *db)
{
    introspect_rows r = {0};
    int rc = introspect_query(
        &r, db,
        "SELECT n.nspname, t.typname, e.enumlabel FROM pg_type t "
        "JOIN pg_namespace n ON n.oid = t.typnamespace "
        "JOIN pg_enum e ON e.enumtypid = t.oid "
        "WHERE " USER_NSP " AND " NOT_EXTENSION_MEMBER("t.oid") " ORDER BY 1, 2, e.enumsortorder",
        NULL, 0);
    schema_object *o = NULL;
    for (size_t i = 0; !rc && i < r.count; i++) {
        const char *nsp = introspect_cell(&r, i, 0), *name = introspect_cell(&r, i, 1);
        if (!o || strcmp(o->schema, nsp) || strcmp(o->name, name))
            o = schema_add(out, SCHEMA_ENUM, nsp, name);
        if (!o || schema_add_value(o, introspect_cell(&r, i, 2)))
            rc = DBSHIFT_ENOMEM;
    }
    introspect_rows_release(&r);
    return rc;
}

static int read_tables(schema *out, dbshift *db)
{
    introspect_rows r = {0};
    int rc = introspect_query(
        &r, db,
        "SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), "
        "a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
        "CASE WHEN a.attcollation <> t.typcollation THEN quote_ident(co.collname) END "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "JOIN pg_type t ON t.oid = a.atttypid "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "LEFT JOIN pg_collation co ON co.oid = a.attcollation "
        "WHERE c.relkind IN ('r', 'p') AND " USER_NSP
        " AND " NOT_EXTENSION_MEMBER("c.oid") " ORDER BY 1, 2, a.attnum",
        NULL, 0);
    schema_object *o = NULL;
    for (size_t i = 0; !rc && i < r.count; i++) {
        const char *nsp = introspect_cell(&r, i, 0), *name = introspect_cell(&r, i, 1);
        if (!o || strcmp(o->schema, nsp) || strcmp(o->name, name))
            o = schema_add(out, SCHEMA_TABLE, nsp, name);
        schema_column *c =
            o ? schema_add_column(o, introspect_cell(&r, i, 2), introspect_cell(&r, i, 3)) : NULL;
        if (!c) {
            rc = DBSHIFT_ENOMEM;
            break;
        }
        const char *expr = introspect_cell(&r, i, 5);
        const char *identity = introspect_cell(&r, i, 6);
        const char *generated = introspect_cell(&r, i, 7);
        c->not_null = !strcmp(introspect_cell(&r, i, 4), "t");
        if (identity && !strcmp(identity, "a"))
            c->generated = xstrdup("GENERATED ALWAYS AS IDENTITY");
        else if (identity && !strcmp(identity, "d"))
            c->generated = xstrdup("GENERATED BY DEFAULT AS IDENTITY");
        if (generated && !strcmp(generated, "s")) {
            buf b = BUF_INIT;
            buf_addf(&b, "GENERATED ALWAYS AS (%s) STORED", expr ? expr : "");
            c->generated = buf_detach(&b);
        } else
            c->def = xstrdup(expr);
        c->collation = xstrdup(introspect_cell(&r, i, 8));
    }
    introspect_rows_release(&r);
    if (rc)
        return rc;

    rc = introspect_query(&r, db,
                          "SELECT n.nspname, c.relname, con.conname, con.contype, "
                          "pg_get_constraintdef(con.oid) FROM pg_constraint con "
                          "JOIN pg_class c ON c.oid = con.conrelid "
                          "JOIN pg_namespace n ON n.oid = c.relnamespace "
                          "WHERE con.contype IN ('p', 'u', 'c', 'f', 'x') AND " USER_NSP
                          " AND " NOT_EXTENSION_MEMBER("c.oid") " ORDER BY 1, 2, 3",
                          NULL, 0);
    for (size_t i = 0; !rc && i < r.count; i++) {
        schema_object *t =
            schema_find(out, SCHEMA_TABLE, introspect_cell(&r, i, 0), introspect_cell(&r, i, 1));
        if (!t)
            continue;
        const char *type = introspect_cell(&r, i, 3);
        int ct = type[0] == 'p'   ? SCHEMA_PRIMARY
                 : type[0] == 'f' ? SCHEMA_FOREIGN
                 : type[0] == 'c' ? SCHEMA_CHECK
                                  : SCHEMA_UNIQUE;
        if (!schema_add_constraint(t, ct, introspect_cell(&r, i, 2), introspect_cell(&r, i, 4)))
            rc = DBSHIFT_ENOMEM;
    }
    introspect_rows_release(&r);
    return rc;
}

int introspect_postgres(schema *out, dbshift *db)
{
    int rc = add_objects(out, db, SCHEMA_NAMESPACE,
                         "SELECT '', n.nspname FROM pg_namespace n WHERE " USER_NSP
                         " AND n.nspname <> 'public' AND " NOT_EXTENSION_MEMBER("n.oid"),
                         -1, -1, false);
    if (!rc)
        rc = add_objects(out, db, SCHEMA_EXTENSION,
                         "SELECT n.nspname, e.extname FROM pg_extension e "
                         "JOIN pg_namespace n ON n.oid = e.extnamespace "
                         "WHERE e.extname <> 'plpgsql'",
                         -1, -1, false);
    if (!rc)
        rc = read_enums(out, db);
    if (!rc)
        rc = add_objects(
            out, db, SCHEMA_DOMAIN,
            "SELECT n.nspname, t.typname, 'AS ' || format_type(t.typbasetype, t.typtypmod) || "
            "CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END || "
            "coalesce(' DEFAULT ' || t.typdefault, '') || "
            "coalesce((SELECT string_agg(' CONSTRAINT ' || quote_ident(c.conname) || ' ' || "
            "pg_get_constraintdef(c.oid), '' ORDER BY c.conname) FROM pg_constraint c "
            "WHERE c.contypid = t.oid), '') "
            "FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE t.typtype = 'd' AND " USER_NSP " AND " NOT_EXTENSION_MEMBER("t.oid"),
            -1, 2, false);
    if (!rc)
        rc = add_objects(
            out, db, SCHEMA_SEQUENCE,
            "SELECT n.nspname, c.relname, (SELECT o.relname FROM pg_depend a "
            "JOIN pg_class o ON o.oid = a.refobjid WHERE a.objid = c.oid AND a.deptype = 'a' "
            "AND a.refclassid = 'pg_class'::regclass LIMIT 1), "
            "'AS ' || format_type(s.seqtypid, NULL) || "
            "' INCREMENT BY ' || s.seqincrement || ' MINVALUE ' || s.seqmin || "
            "' MAXVALUE ' || s.seqmax || ' START WITH ' || s.seqstart || ' CACHE ' || "
            "s.seqcache || CASE WHEN s.seqcycle THEN ' CYCLE' ELSE ' NO CYCLE' END "
            "FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE " USER_NSP
            " AND " NOT_EXTENSION_MEMBER("c.oid") " AND NOT EXISTS (SELECT 1 FROM pg_depend i "
                                                  "WHERE i.objid = c.oid AND i.deptype = 'i')",
            2, 3, false);
    if (!rc)
        rc = add_objects(out, db, SCHEMA_FUNCTION,
                         "SELECT n.nspname, p.proname || '(' || "
                         "pg_get_function_identity_arguments(p.oid) || ')', "
                         "pg_get_functiondef(p.oid) FROM pg_proc p "
                         "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.prokind = 'f' "
                         "AND " USER_NSP " AND " NOT_EXTENSION_MEMBER("p.oid"),
                         -1, 2, false);
    if (!rc)
        rc = add_objects(out, db, SCHEMA_PROCEDURE,
                         "SELECT n.nspname, p.proname || '(' || "
                         "pg_get_function_identity_arguments(p.oid) || ')', "
                         "pg_get_functiondef(p.oid) FROM pg_proc p "
                         "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.prokind = 'p' "
                         "AND " USER_NSP " AND " NOT_EXTENSION_MEMBER("p.oid"),
                         -1, 2, false);
    if (!rc)
        rc = read_tables(out, db);
    if (!rc)
        rc = add_objects(
            out, db, SCHEMA_INDEX,
            "SELECT n.nspname, ci.relname, ct.relname, "
            "pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class ci ON ci.oid = i.indexrelid "
            "JOIN pg_class ct ON ct.oid = i.indrelid "
            "JOIN pg_namespace n ON n.oid = ct.relnamespace WHERE " USER_NSP
            " AND " NOT_EXTENSION_MEMBER(
                "ct.oid") " AND NOT EXISTS (SELECT 1 FROM pg_constraint con "
                          "WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid "
                          "AND con.contype IN ('p', 'u', 'x'))",
            2, 3, false);
    if (!rc)
        rc =
            add_objects(out, db, SCHEMA_VIEW,
                        "SELECT n.nspname, c.relname, pg_get_viewdef(c.oid) FROM pg_class c "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE c.relkind = 'v' AND " USER_NSP " AND " NOT_EXTENSION_MEMBER("c.oid"),
                        -1, 2, true);
    if (!rc)
        rc =
            add_objects(out, db, SCHEMA_MATVIEW,
                        "SELECT n.nspname, c.relname, pg_get_viewdef(c.oid) FROM pg_class c "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE c.relkind = 'm' AND " USER_NSP " AND " NOT_EXTENSION_MEMBER("c.oid"),
                        -1, 2, true);
    if (!rc)
        rc = add_objects(out, db, SCHEMA_TRIGGER,
                         "SELECT n.nspname, t.tgname, c.relname, pg_get_triggerdef(t.oid) "
                         "FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                         "JOIN pg_namespace n ON n.oid = c.relnamespace "
                         "WHERE NOT t.tgisinternal AND " USER_NSP
                         " AND " NOT_EXTENSION_MEMBER("c.oid"),
                         2, 3, false);
    for (size_t i = 0; i < out->count; i++)
        if (out->objs[i].kind == SCHEMA_INDEX && out->objs[i].def)
            out->objs[i].unique = !strncmp(out->objs[i].def, "CREATE UNIQUE", 13);
    return rc;
}
