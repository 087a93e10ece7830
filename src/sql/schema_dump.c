/*
 * schema_dump.c - SQL from the schema model: the canonical dump of one model
 * (schema_dump) and the migration that turns one model into another
 * (schema_migration), in the model's dialect.
 *
 * The dump is deterministic because the model is sorted and every text in
 * it is the engine's own canonical spelling; it carries no dates, counters
 * or database names. Foreign keys are added after every table exists
 * (except on SQLite, which cannot add them later and does not check the
 * target at creation), so the dump replays whatever order the tables were
 * created in and whatever cycles their references form.
 *
 * A migration is built in dependency order: what goes away is dropped
 * first (triggers, views, indexes, foreign keys, then tables and types),
 * then new types and functions, tables, indexes, foreign keys, views and
 * triggers are created. SQLite's ALTER TABLE can only add columns, so any
 * other change to a table is the documented rebuild: create the new shape
 * under a temporary name, copy the common columns, drop the old table and
 * rename; its indexes, and every view and trigger (which the rename checks),
 * are created again afterwards.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dbshift/driver.h"
#include "sql/schema.h"
#include "util/err.h"

static const char *const reserved[] = {
    "all",      "alter",  "and",        "as",     "asc",   "between", "by",     "case",
    "check",    "column", "constraint", "create", "cross", "default", "delete", "desc",
    "distinct", "drop",   "each",       "else",   "end",   "exists",  "for",    "foreign",
    "from",     "grant",  "group",      "having", "in",    "index",   "inner",  "insert",
    "into",     "is",     "join",       "key",    "left",  "like",    "limit",  "not",
    "null",     "offset", "on",         "or",     "order", "primary", "range",  "references",
    "right",    "row",    "rows",       "select", "set",   "table",   "then",   "to",
    "union",    "unique", "update",     "user",   "using", "values",  "when",   "where",
    "window",   "with",
};

static bool needs_quotes(int dialect, const char *ident)
{
    if (!ident[0] || isdigit((unsigned char)ident[0]))
        return true;
    for (const char *p = ident; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        bool ok = ch == '_' || isdigit(ch) || (ch >= 'a' && ch <= 'z') ||
                  (dialect == DBSHIFT_DIALECT_MYSQL && ch >= 'A' && ch <= 'Z');
        if (!ok)
            return true;
    }
    for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
        if (!strcasecmp(ident, reserved[i]))
            return true;
    return false;
}

void schema_quote(buf *b, int dialect, const char *ident)
{
    if (!needs_quotes(dialect, ident)) {
        buf_adds(b, ident);
        return;
    }
    char q = dialect == DBSHIFT_DIALECT_MYSQL ? '`' : '"';
    buf_addc(b, q);
    for (const char *p = ident; *p; p++) {
        if (*p == q)
            buf_addc(b, q);
        buf_addc(b, *p);
    }
    buf_addc(b, q);
}

void schema_qualified(buf *b, int dialect, const char *nsp, const char *name)
{
    if (dialect == DBSHIFT_DIALECT_POSTGRES && nsp && nsp[0]) {
        schema_quote(b, dialect, nsp);
        buf_addc(b, '.');
    }
    schema_quote(b, dialect, name);
}

/* Expression-generated columns are written before NOT NULL; identity and
 * auto-increment after the default, where each engine expects them. */
static bool generated_expression(const char *g)
{
    return g && (!strncmp(g, "GENERATED ALWAYS AS (", 21) || !strncmp(g, "AS (", 4));
}

void schema_column_text(buf *b, int dialect, const schema_column *c)
{
    schema_quote(b, dialect, c->name);
    if (c->type[0])
        buf_addf(b, " %s", c->type);
    if (c->collation)
        buf_addf(b, " COLLATE %s", c->collation);
    if (generated_expression(c->generated))
        buf_addf(b, " %s", c->generated);
    if (c->not_null)
        buf_adds(b, " NOT NULL");
    if (c->def)
        buf_addf(b, " DEFAULT %s", c->def);
    if (c->generated && !generated_expression(c->generated))
        buf_addf(b, " %s", c->generated);
}

void schema_constraint_text(buf *b, int dialect, const schema_constraint *c)
{
    bool mysql_primary = dialect == DBSHIFT_DIALECT_MYSQL && c->type == SCHEMA_PRIMARY;
    if (c->name && !mysql_primary) {
        buf_adds(b, "CONSTRAINT ");
        schema_quote(b, dialect, c->name);
        buf_addc(b, ' ');
    }
    buf_adds(b, c->def);
}

static bool is_function(const schema_object *o)
{
    return o->kind == SCHEMA_FUNCTION || o->kind == SCHEMA_PROCEDURE;
}

/* Postgres functions are named with their argument types ("f(integer)"),
 * which is what DROP FUNCTION needs and overloads tell apart by. */
static void object_name(buf *b, int dialect, const schema_object *o)
{
    if (is_function(o) && dialect == DBSHIFT_DIALECT_POSTGRES) {
        schema_quote(b, dialect, o->schema);
        buf_addf(b, ".%s", o->name);
        return;
    }
    schema_qualified(b, dialect, o->schema, o->name);
}

/* A statement whose body holds semicolons needs DELIMITER on MySQL. */
static void end_body(buf *b, int dialect)
{
    if (dialect == DBSHIFT_DIALECT_MYSQL)
        buf_adds(b, "//\nDELIMITER ;\n");
    else
        buf_adds(b, ";\n");
}

static void begin_body(buf *b, int dialect)
{
    if (dialect == DBSHIFT_DIALECT_MYSQL)
        buf_adds(b, "DELIMITER //\n");
}

static void table_create(buf *b, int dialect, const schema_object *t, const char *as_name,
                         bool with_foreign)
{
    bool first = true;
    buf_adds(b, "CREATE TABLE ");
    if (as_name)
        schema_qualified(b, dialect, t->schema, as_name);
    else
        schema_qualified(b, dialect, t->schema, t->name);
    buf_adds(b, " (");
    for (size_t i = 0; i < t->ncols; i++) {
        buf_adds(b, first ? "\n    " : ",\n    ");
        schema_column_text(b, dialect, &t->cols[i]);
        first = false;
    }
    for (size_t i = 0; i < t->ncons; i++) {
        if (t->cons[i].type == SCHEMA_FOREIGN && !with_foreign)
            continue;
        buf_adds(b, first ? "\n    " : ",\n    ");
        schema_constraint_text(b, dialect, &t->cons[i]);
        first = false;
    }
    buf_adds(b, "\n);\n");
}

static void add_foreign(buf *b, int dialect, const schema_object *t, const schema_constraint *c)
{
    buf_adds(b, "ALTER TABLE ");
    schema_qualified(b, dialect, t->schema, t->name);
    buf_adds(b, " ADD ");
    schema_constraint_text(b, dialect, c);
    buf_adds(b, ";\n");
}

static void drop_foreign(buf *b, int dialect, const schema_object *t, const schema_constraint *c)
{
    buf_adds(b, "ALTER TABLE ");
    schema_qualified(b, dialect, t->schema, t->name);
    buf_adds(b, dialect == DBSHIFT_DIALECT_MYSQL ? " DROP FOREIGN KEY " : " DROP CONSTRAINT ");
    schema_quote(b, dialect, c->name ? c->name : "");
    buf_adds(b, ";\n");
}

/* The statement that creates o (tables without their foreign keys except
 * on SQLite). */
static void object_create(buf *b, int dialect, const schema_object *o)
{
    switch (o->kind) {
    case SCHEMA_NAMESPACE:
        buf_adds(b, "CREATE SCHEMA ");
        schema_quote(b, dialect, o->name);
        buf_adds(b, ";\n");
        break;
    case SCHEMA_EXTENSION:
        buf_adds(b, "CREATE EXTENSION IF NOT EXISTS ");
        schema_quote(b, dialect, o->name);
        if (o->schema[0]) {
            buf_adds(b, " WITH SCHEMA ");
            schema_quote(b, dialect, o->schema);
        }
        buf_adds(b, ";\n");
        break;
    case SCHEMA_ENUM:
        buf_adds(b, "CREATE TYPE ");
        schema_qualified(b, dialect, o->schema, o->name);
        buf_adds(b, " AS ENUM (");
        for (size_t i = 0; i < o->nvalues; i++) {
            buf_adds(b, i ? ", '" : "'");
            for (const char *p = o->values[i]; *p; p++) {
                if (*p == '\'')
                    buf_addc(b, '\'');
                buf_addc(b, *p);
            }
            buf_addc(b, '\'');
        }
        buf_adds(b, ");\n");
        break;
    case SCHEMA_DOMAIN:
        buf_adds(b, "CREATE DOMAIN ");
        schema_qualified(b, dialect, o->schema, o->name);
        buf_addf(b, " %s;\n", o->def ? o->def : "");
        break;
    case SCHEMA_SEQUENCE:
        buf_adds(b, "CREATE SEQUENCE ");
        schema_qualified(b, dialect, o->schema, o->name);
        buf_addf(b, "%s%s;\n", o->def && o->def[0] ? " " : "", o->def ? o->def : "");
        break;
    case SCHEMA_FUNCTION:
    case SCHEMA_PROCEDURE:
    case SCHEMA_TRIGGER:
        if (o->kind == SCHEMA_TRIGGER && dialect != DBSHIFT_DIALECT_MYSQL) {
            buf_addf(b, "%s;\n", o->def ? o->def : "");
            break;
        }
        begin_body(b, dialect);
        buf_adds(b, o->def ? o->def : "");
        end_body(b, dialect);
        break;
    case SCHEMA_TABLE:
        table_create(b, dialect, o, NULL, dialect == DBSHIFT_DIALECT_SQLITE);
        break;
    case SCHEMA_INDEX:
        buf_addf(b, "%s;\n", o->def ? o->def : "");
        break;
    case SCHEMA_VIEW:
    case SCHEMA_MATVIEW:
        buf_adds(b, o->kind == SCHEMA_VIEW ? "CREATE VIEW " : "CREATE MATERIALIZED VIEW ");
        schema_qualified(b, dialect, o->schema, o->name);
        buf_addf(b, " AS %s;\n", o->def ? o->def : "");
        break;
    default:
        break;
    }
}

static void object_drop(buf *b, int dialect, const schema_object *o)
{
    static const char *const verbs[SCHEMA_KIND_COUNT] = {
        [SCHEMA_NAMESPACE] = "SCHEMA",
        [SCHEMA_EXTENSION] = "EXTENSION",
        [SCHEMA_ENUM] = "TYPE",
        [SCHEMA_DOMAIN] = "DOMAIN",
        [SCHEMA_SEQUENCE] = "SEQUENCE",
        [SCHEMA_FUNCTION] = "FUNCTION",
        [SCHEMA_PROCEDURE] = "PROCEDURE",
        [SCHEMA_TABLE] = "TABLE",
        [SCHEMA_INDEX] = "INDEX",
        [SCHEMA_VIEW] = "VIEW",
        [SCHEMA_MATVIEW] = "MATERIALIZED VIEW",
        [SCHEMA_TRIGGER] = "TRIGGER",
    };
    buf_addf(b, "DROP %s ", verbs[o->kind]);
    if (o->kind == SCHEMA_NAMESPACE || o->kind == SCHEMA_EXTENSION)
        schema_quote(b, dialect, o->name);
    else if (o->kind == SCHEMA_TRIGGER && dialect == DBSHIFT_DIALECT_POSTGRES) {
        schema_quote(b, dialect, o->name);
        buf_adds(b, " ON ");
        schema_qualified(b, dialect, o->schema, o->table);
    } else
        object_name(b, dialect, o);
    if (o->kind == SCHEMA_INDEX && dialect == DBSHIFT_DIALECT_MYSQL) {
        buf_adds(b, " ON ");
        schema_quote(b, dialect, o->table);
    }
    buf_adds(b, ";\n");
}

int schema_dump(buf *out, const schema *s)
{
    static const char *const names[] = {"", "sqlite", "postgres", "mysql"};
    int dialect = s->dialect;
    int kind = 0;
    buf_addf(out, "-- dbshift schema dump (%s)\n",
             dialect >= 1 && dialect <= 3 ? names[dialect] : "unknown");
    for (size_t i = 0; i < s->count; i++) {
        const schema_object *o = &s->objs[i];
        if (o->kind != kind) {
            buf_adds(out, "\n");
            kind = o->kind;
        }
        object_create(out, dialect, o);
    }
    if (dialect != DBSHIFT_DIALECT_SQLITE) {
        bool any = false;
        for (size_t i = 0; i < s->count; i++) {
            const schema_object *o = &s->objs[i];
            for (size_t j = 0; o->kind == SCHEMA_TABLE && j < o->ncons; j++) {
                if (o->cons[j].type != SCHEMA_FOREIGN)
                    continue;
                if (!any)
                    buf_adds(out, "\n");
                any = true;
                add_foreign(out, dialect, o, &o->cons[j]);
            }
        }
    }
    return buf_failed(out) ? DBSHIFT_ENOMEM : 0;
}

/* --- Migrations -------------------------------------------------------- */

static bool same_str(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return !strcmp(a, b);
}

static bool same_object(const schema_object *a, const schema_object *b)
{
    if (!same_str(a->def, b->def) || !same_str(a->table, b->table) || a->unique != b->unique ||
        a->nvalues != b->nvalues)
        return false;
    for (size_t i = 0; i < a->nvalues; i++)
        if (strcmp(a->values[i], b->values[i]))
            return false;
    return true;
}

static const schema_column *find_column(const schema_object *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (!strcmp(t->cols[i].name, name))
            return &t->cols[i];
    return NULL;
}

static const schema_constraint *find_constraint(const schema_object *t, int type, const char *name,
                                                const char *def)
{
    for (size_t i = 0; i < t->ncons; i++) {
        const schema_constraint *c = &t->cons[i];
        if (c->type != type)
            continue;
        if (name ? same_str(c->name, name) : (!c->name && !strcmp(c->def, def)))
            return c;
    }
    return NULL;
}

static bool same_column(const schema_column *a, const schema_column *b)
{
    return !strcmp(a->type, b->type) && a->not_null == b->not_null && same_str(a->def, b->def) &&
           same_str(a->generated, b->generated) && same_str(a->collation, b->collation);
}

static bool same_constraints(const schema_object *a, const schema_object *b, bool foreign)
{
    size_t na = 0, nb = 0;
    for (size_t i = 0; i < a->ncons; i++) {
        const schema_constraint *c = &a->cons[i];
        if ((c->type == SCHEMA_FOREIGN) != foreign)
            continue;
        na++;
        const schema_constraint *o = find_constraint(b, c->type, c->name, c->def);
        if (!o || strcmp(o->def, c->def))
            return false;
    }
    for (size_t i = 0; i < b->ncons; i++)
        if ((b->cons[i].type == SCHEMA_FOREIGN) == foreign)
            nb++;
    return na == nb;
}

static bool same_table(const schema_object *a, const schema_object *b)
{
    if (a->ncols != b->ncols || !same_constraints(a, b, false) || !same_constraints(a, b, true))
        return false;
    for (size_t i = 0; i < a->ncols; i++)
        if (strcmp(a->cols[i].name, b->cols[i].name) || !same_column(&a->cols[i], &b->cols[i]))
            return false;
    return true;
}

/* SQLite can ALTER TABLE ADD COLUMN only a plain column with a constant
 * default (a NOT NULL one needs a non-NULL default). */
static bool sqlite_addable(const schema_column *c)
{
    if (c->generated && strncmp(c->generated, "AS (", 4) && strncmp(c->generated, "GENERATED", 9))
        return false;
    if (c->generated && strstr(c->generated, "STORED"))
        return false;
    if (c->not_null && (!c->def || !strcasecmp(c->def, "NULL")))
        return false;
    if (c->def && (c->def[0] == '(' || !strncasecmp(c->def, "CURRENT_", 8)))
        return false;
    return true;
}

/* Whether SQLite can make this change by adding columns at the end. */
static bool sqlite_only_adds(const schema_object *from, const schema_object *to)
{
    if (to->ncols < from->ncols || !same_constraints(from, to, false) ||
        !same_constraints(from, to, true))
        return false;
    for (size_t i = 0; i < from->ncols; i++)
        if (strcmp(from->cols[i].name, to->cols[i].name) ||
            !same_column(&from->cols[i], &to->cols[i]))
            return false;
    for (size_t i = from->ncols; i < to->ncols; i++)
        if (!sqlite_addable(&to->cols[i]))
            return false;
    return true;
}

typedef struct gen {
    buf *out;
    int dialect;
    const schema *from;
    const schema *to;
    char **rebuilt; /* SQLite tables rebuilt: their indexes are created again */
    size_t nrebuilt;
    bool failed;
} gen;

static bool was_rebuilt(const gen *g, const char *table)
{
    for (size_t i = 0; i < g->nrebuilt; i++)
        if (!strcmp(g->rebuilt[i], table))
            return true;
    return false;
}

static void alter_prefix(gen *g, const schema_object *t)
{
    buf_adds(g->out, "ALTER TABLE ");
    schema_qualified(g->out, g->dialect, t->schema, t->name);
    buf_addc(g->out, ' ');
}

static void comment_renames(gen *g, const schema_object *from, const schema_object *to)
{
    for (size_t i = 0; i < from->ncols; i++) {
        const schema_column *fc = &from->cols[i];
        if (find_column(to, fc->name))
            continue;
        for (size_t j = 0; j < to->ncols; j++) {
            const schema_column *tc = &to->cols[j];
            if (find_column(from, tc->name) || strcmp(fc->type, tc->type))
                continue;
            buf_addf(g->out,
                     "-- note: column %s.%s is dropped and %s.%s added with the same type.\n"
                     "-- If this is a rename, replace the drop and the add with:\n--   ",
                     to->name, fc->name, to->name, tc->name);
            alter_prefix(g, to);
            buf_adds(g->out, "RENAME COLUMN ");
            schema_quote(g->out, g->dialect, fc->name);
            buf_adds(g->out, " TO ");
            schema_quote(g->out, g->dialect, tc->name);
            buf_adds(g->out, ";\n-- (this migration as written loses the column's data)\n");
        }
    }
}

static void sqlite_rebuild(gen *g, const schema_object *from, const schema_object *to)
{
    buf tmp = BUF_INIT;
    buf cols = BUF_INIT;
    buf_addf(&tmp, "%s__dbshift_new", to->name);
    comment_renames(g, from, to);
    buf_adds(g->out, "-- note: SQLite cannot ALTER this change: rebuild the table\n");
    table_create(g->out, g->dialect, to, tmp.ptr, true);
    for (size_t i = 0; i < to->ncols; i++) {
        const schema_column *tc = &to->cols[i];
        if (!find_column(from, tc->name) || (tc->generated && strstr(tc->generated, "AS (")))
            continue;
        if (cols.len)
            buf_adds(&cols, ", ");
        schema_quote(&cols, g->dialect, tc->name);
    }
    if (cols.len) {
        buf_adds(g->out, "INSERT INTO ");
        schema_quote(g->out, g->dialect, tmp.ptr);
        buf_addf(g->out, " (%s) SELECT %s FROM ", cols.ptr, cols.ptr);
        schema_quote(g->out, g->dialect, from->name);
        buf_adds(g->out, ";\n");
    }
    buf_adds(g->out, "DROP TABLE ");
    schema_quote(g->out, g->dialect, from->name);
    buf_adds(g->out, ";\nALTER TABLE ");
    schema_quote(g->out, g->dialect, tmp.ptr);
    buf_adds(g->out, " RENAME TO ");
    schema_quote(g->out, g->dialect, to->name);
    buf_adds(g->out, ";\n");
    char **r = realloc(g->rebuilt, (g->nrebuilt + 1) * sizeof(*r));
    if (r) {
        g->rebuilt = r;
        g->rebuilt[g->nrebuilt++] = to->name;
    } else
        g->failed = true;
    if (buf_failed(&tmp) || buf_failed(&cols))
        g->failed = true;
    buf_release(&tmp);
    buf_release(&cols);
}

static void postgres_alter_column(gen *g, const schema_object *t, const schema_column *fc,
                                  const schema_column *tc)
{
    buf *o = g->out;
    int d = g->dialect;
#define ALTER_COLUMN()                                                                             \
    do {                                                                                           \
        alter_prefix(g, t);                                                                        \
        buf_adds(o, "ALTER COLUMN ");                                                              \
        schema_quote(o, d, tc->name);                                                              \
    } while (0)
    if (generated_expression(fc->generated) || generated_expression(tc->generated)) {
        alter_prefix(g, t);
        buf_adds(o, "DROP COLUMN ");
        schema_quote(o, d, fc->name);
        buf_adds(o, ";\n");
        alter_prefix(g, t);
        buf_adds(o, "ADD COLUMN ");
        schema_column_text(o, d, tc);
        buf_adds(o, ";\n");
        return;
    }
    bool retype = strcmp(fc->type, tc->type) || !same_str(fc->collation, tc->collation);
    bool redefault = !same_str(fc->def, tc->def);
    if (fc->def && (redefault || retype)) {
        ALTER_COLUMN();
        buf_adds(o, " DROP DEFAULT;\n");
    }
    if (fc->generated && !same_str(fc->generated, tc->generated)) {
        ALTER_COLUMN();
        buf_adds(o, " DROP IDENTITY;\n");
    }
    if (retype) {
        ALTER_COLUMN();
        buf_addf(o, " TYPE %s", tc->type);
        if (tc->collation)
            buf_addf(o, " COLLATE %s", tc->collation);
        buf_adds(o, " USING ");
        schema_quote(o, d, tc->name);
        buf_addf(o, "::%s;\n", tc->type);
    }
    if (fc->not_null != tc->not_null) {
        ALTER_COLUMN();
        buf_adds(o, tc->not_null ? " SET NOT NULL;\n" : " DROP NOT NULL;\n");
    }
    if (tc->def && (redefault || retype)) {
        ALTER_COLUMN();
        buf_addf(o, " SET DEFAULT %s;\n", tc->def);
    }
    if (tc->generated && !same_str(fc->generated, tc->generated)) {
        ALTER_COLUMN();
        buf_addf(o, " ADD %s;\n", tc->generated);
    }
#undef ALTER_COLUMN
}

/* Changes a table in place (Postgres, MySQL) or by adding columns or a
 * rebuild (SQLite). Foreign keys are handled by the caller. */
static void alter_table(gen *g, const schema_object *from, const schema_object *to)
{
    buf *o = g->out;
    int d = g->dialect;
    if (d == DBSHIFT_DIALECT_SQLITE) {
        if (!sqlite_only_adds(from, to)) {
            sqlite_rebuild(g, from, to);
            return;
        }
        for (size_t i = from->ncols; i < to->ncols; i++) {
            alter_prefix(g, to);
            buf_adds(o, "ADD COLUMN ");
            schema_column_text(o, d, &to->cols[i]);
            buf_adds(o, ";\n");
        }
        return;
    }
    comment_renames(g, from, to);
    /* constraints that go or change, before the columns they use */
    for (size_t i = 0; i < from->ncons; i++) {
        const schema_constraint *fc = &from->cons[i];
        if (fc->type == SCHEMA_FOREIGN)
            continue;
        const schema_constraint *tc = find_constraint(to, fc->type, fc->name, fc->def);
        if (tc && !strcmp(tc->def, fc->def))
            continue;
        alter_prefix(g, from);
        if (d == DBSHIFT_DIALECT_MYSQL && fc->type == SCHEMA_PRIMARY)
            buf_adds(o, "DROP PRIMARY KEY;\n");
        else {
            buf_adds(o, "DROP CONSTRAINT ");
            schema_quote(o, d, fc->name ? fc->name : "");
            buf_adds(o, ";\n");
        }
    }
    for (size_t i = 0; i < from->ncols; i++) {
        if (find_column(to, from->cols[i].name))
            continue;
        alter_prefix(g, from);
        buf_adds(o, "DROP COLUMN ");
        schema_quote(o, d, from->cols[i].name);
        buf_adds(o, ";\n");
    }
    for (size_t i = 0; i < to->ncols; i++) {
        const schema_column *tc = &to->cols[i];
        const schema_column *fc = find_column(from, tc->name);
        if (!fc) {
            alter_prefix(g, to);
            buf_adds(o, "ADD COLUMN ");
            schema_column_text(o, d, tc);
            /* MySQL can put the column where the desired schema has it */
            if (d == DBSHIFT_DIALECT_MYSQL && i == 0)
                buf_adds(o, " FIRST");
            else if (d == DBSHIFT_DIALECT_MYSQL) {
                buf_adds(o, " AFTER ");
                schema_quote(o, d, to->cols[i - 1].name);
            }
            buf_adds(o, ";\n");
        } else if (!same_column(fc, tc)) {
            if (d == DBSHIFT_DIALECT_MYSQL) {
                alter_prefix(g, to);
                buf_adds(o, "MODIFY COLUMN ");
                schema_column_text(o, d, tc);
                buf_adds(o, ";\n");
            } else
                postgres_alter_column(g, to, fc, tc);
        }
    }
    for (size_t i = 0; i < to->ncons; i++) {
        const schema_constraint *tc = &to->cons[i];
        if (tc->type == SCHEMA_FOREIGN)
            continue;
        const schema_constraint *fc = find_constraint(from, tc->type, tc->name, tc->def);
        if (fc && !strcmp(tc->def, fc->def))
            continue;
        alter_prefix(g, to);
        buf_adds(o, "ADD ");
        schema_constraint_text(o, d, tc);
        buf_adds(o, ";\n");
    }
}

/* Postgres enums: values only added become ALTER TYPE ... ADD VALUE; any
 * other change re-creates the type and converts the columns using it. */
static void alter_enum(gen *g, const schema_object *from, const schema_object *to)
{
    buf *o = g->out;
    int d = g->dialect;
    size_t k = 0;
    for (size_t i = 0; i < to->nvalues && k < from->nvalues; i++)
        if (!strcmp(to->values[i], from->values[k]))
            k++;
    if (k == from->nvalues) {
        for (size_t i = 0; i < to->nvalues; i++) {
            bool known = false;
            for (size_t j = 0; j < from->nvalues && !known; j++)
                known = !strcmp(from->values[j], to->values[i]);
            if (known)
                continue;
            buf_adds(o, "ALTER TYPE ");
            schema_qualified(o, d, to->schema, to->name);
            buf_addf(o, " ADD VALUE '%s'", to->values[i]);
            if (i > 0)
                buf_addf(o, " AFTER '%s'", to->values[i - 1]);
            else if (from->nvalues)
                buf_addf(o, " BEFORE '%s'", from->values[0]);
            buf_adds(o, ";\n");
        }
        return;
    }
    buf old = BUF_INIT;
    buf_addf(&old, "%s__dbshift_old", to->name);
    buf_adds(o, "-- note: enum values are removed or reordered: the type is re-created and\n"
                "-- every column using it converted (fails if a row holds a removed value)\n");
    buf_adds(o, "ALTER TYPE ");
    schema_qualified(o, d, to->schema, to->name);
    buf_adds(o, " RENAME TO ");
    schema_quote(o, d, old.ptr);
    buf_adds(o, ";\n");
    object_create(o, d, to);
    for (size_t i = 0; i < g->to->count; i++) {
        const schema_object *t = &g->to->objs[i];
        for (size_t j = 0; t->kind == SCHEMA_TABLE && j < t->ncols; j++) {
            const schema_column *c = &t->cols[j];
            const char *type = c->type;
            const char *dot = strchr(type, '.');
            if (strcmp(type, to->name) && !(dot && !strcmp(dot + 1, to->name)))
                continue;
            if (c->def) {
                alter_prefix(g, t);
                buf_adds(o, "ALTER COLUMN ");
                schema_quote(o, d, c->name);
                buf_adds(o, " DROP DEFAULT;\n");
            }
            alter_prefix(g, t);
            buf_adds(o, "ALTER COLUMN ");
            schema_quote(o, d, c->name);
            buf_addf(o, " TYPE %s USING ", c->type);
            schema_quote(o, d, c->name);
            buf_addf(o, "::text::%s;\n", c->type);
            if (c->def) {
                alter_prefix(g, t);
                buf_adds(o, "ALTER COLUMN ");
                schema_quote(o, d, c->name);
                buf_addf(o, " SET DEFAULT %s;\n", c->def);
            }
        }
    }
    buf_adds(o, "DROP TYPE ");
    schema_qualified(o, d, to->schema, old.ptr);
    buf_adds(o, ";\n");
    if (buf_failed(&old))
        g->failed = true;
    buf_release(&old);
}

/* Whether o (of g->from) goes away or changes; *counterpart gets its twin. */
static bool changed_or_gone(const gen *g, const schema_object *o, const schema_object **twin)
{
    const schema_object *t = schema_find(g->to, o->kind, o->schema, o->name);
    if (twin)
        *twin = t;
    if (!t)
        return true;
    if (o->kind == SCHEMA_TABLE)
        return !same_table(o, t);
    return !same_object(o, t);
}

static bool any_rebuild(const gen *g)
{
    if (g->dialect != DBSHIFT_DIALECT_SQLITE)
        return false;
    for (size_t i = 0; i < g->from->count; i++) {
        const schema_object *o = &g->from->objs[i], *t;
        if (o->kind == SCHEMA_TABLE && changed_or_gone(g, o, &t) && t && !sqlite_only_adds(o, t))
            return true;
    }
    return false;
}

static void generate(gen *g)
{
    const schema *from = g->from, *to = g->to;
    buf *o = g->out;
    int d = g->dialect;
    bool rebuild = any_rebuild(g);

    /* 1. drop what goes away or changes, dependants first; foreign keys
     * before the indexes MySQL keeps for them */
    for (size_t i = 0; d != DBSHIFT_DIALECT_SQLITE && i < from->count; i++) {
        const schema_object *f = &from->objs[i];
        const schema_object *t = schema_find(to, SCHEMA_TABLE, f->schema, f->name);
        for (size_t j = 0; f->kind == SCHEMA_TABLE && j < f->ncons; j++) {
            const schema_constraint *c = &f->cons[j];
            if (c->type != SCHEMA_FOREIGN)
                continue;
            const schema_constraint *tc = t ? find_constraint(t, c->type, c->name, c->def) : NULL;
            if (!tc || strcmp(tc->def, c->def))
                drop_foreign(o, d, f, c);
        }
    }
    static const int drop_order[] = {SCHEMA_TRIGGER, SCHEMA_MATVIEW, SCHEMA_VIEW, SCHEMA_INDEX};
    for (size_t k = 0; k < sizeof(drop_order) / sizeof(drop_order[0]); k++) {
        for (size_t i = 0; i < from->count; i++) {
            const schema_object *f = &from->objs[i], *t;
            if (f->kind != drop_order[k])
                continue;
            bool gone = changed_or_gone(g, f, &t);
            /* SQLite's rename checks every view and trigger: drop them all */
            bool all = rebuild && (f->kind == SCHEMA_VIEW || f->kind == SCHEMA_TRIGGER);
            if (!gone && !all)
                continue;
            /* MySQL keys an index by its table, in the schema field */
            if (f->kind == SCHEMA_INDEX && f->table &&
                !schema_find(to, SCHEMA_TABLE, d == DBSHIFT_DIALECT_MYSQL ? "" : f->schema,
                             f->table))
                continue; /* goes with its table */
            object_drop(o, d, f);
        }
    }
    for (size_t i = 0; i < from->count; i++) {
        const schema_object *f = &from->objs[i];
        if (is_function(f) && changed_or_gone(g, f, NULL))
            object_drop(o, d, f);
    }

    /* 2. new namespaces, extensions, types, sequences, functions */
    static const int create_early[] = {SCHEMA_NAMESPACE, SCHEMA_EXTENSION, SCHEMA_ENUM,
                                       SCHEMA_DOMAIN,    SCHEMA_SEQUENCE,  SCHEMA_FUNCTION,
                                       SCHEMA_PROCEDURE};
    for (size_t k = 0; k < sizeof(create_early) / sizeof(create_early[0]); k++) {
        for (size_t i = 0; i < to->count; i++) {
            const schema_object *t = &to->objs[i];
            if (t->kind != create_early[k])
                continue;
            const schema_object *f = schema_find(from, t->kind, t->schema, t->name);
            if (f && same_object(f, t))
                continue;
            if (!f || is_function(t)) {
                object_create(o, d, t);
            } else if (t->kind == SCHEMA_ENUM) {
                alter_enum(g, f, t);
            } else if (t->kind == SCHEMA_SEQUENCE) {
                buf_adds(o, "ALTER SEQUENCE ");
                schema_qualified(o, d, t->schema, t->name);
                buf_addf(o, " %s;\n", t->def ? t->def : "");
            } else {
                buf_addf(o, "-- note: %s %s changed; it is dropped and created again\n",
                         schema_kind_name(t->kind), t->name);
                object_drop(o, d, f);
                object_create(o, d, t);
            }
        }
    }

    /* 3. tables */
    for (size_t i = 0; i < to->count; i++) {
        const schema_object *t = &to->objs[i];
        if (t->kind != SCHEMA_TABLE)
            continue;
        const schema_object *f = schema_find(from, SCHEMA_TABLE, t->schema, t->name);
        if (!f)
            object_create(o, d, t);
        else if (!same_table(f, t))
            alter_table(g, f, t);
    }
    for (size_t i = 0; i < from->count; i++) {
        const schema_object *f = &from->objs[i];
        if (f->kind != SCHEMA_TABLE || schema_find(to, SCHEMA_TABLE, f->schema, f->name))
            continue;
        for (size_t j = 0; j < to->count; j++) {
            const schema_object *t = &to->objs[j];
            if (t->kind != SCHEMA_TABLE || schema_find(from, SCHEMA_TABLE, t->schema, t->name) ||
                t->ncols != f->ncols)
                continue;
            bool same = true;
            for (size_t c = 0; c < t->ncols && same; c++)
                same = same_column(&t->cols[c], &f->cols[c]);
            if (same)
                buf_addf(o,
                         "-- note: table %s is dropped and %s created with the same columns:\n"
                         "-- if this is a rename, use ALTER TABLE ... RENAME TO instead, which "
                         "keeps the rows\n",
                         f->name, t->name);
        }
        object_drop(o, d, f);
    }
    /* types and the like only once nothing uses them */
    static const int drop_late[] = {SCHEMA_SEQUENCE, SCHEMA_DOMAIN, SCHEMA_ENUM, SCHEMA_EXTENSION,
                                    SCHEMA_NAMESPACE};
    for (size_t k = 0; k < sizeof(drop_late) / sizeof(drop_late[0]); k++)
        for (size_t i = 0; i < from->count; i++) {
            const schema_object *f = &from->objs[i];
            if (f->kind == drop_late[k] && !schema_find(to, f->kind, f->schema, f->name))
                object_drop(o, d, f);
        }

    /* 4. indexes, foreign keys, views, triggers */
    static const int create_late[] = {SCHEMA_INDEX, SCHEMA_VIEW, SCHEMA_MATVIEW, SCHEMA_TRIGGER};
    for (size_t k = 0; k < sizeof(create_late) / sizeof(create_late[0]); k++) {
        if (create_late[k] == SCHEMA_VIEW && d != DBSHIFT_DIALECT_SQLITE) {
            for (size_t i = 0; i < to->count; i++) {
                const schema_object *t = &to->objs[i];
                const schema_object *f = schema_find(from, SCHEMA_TABLE, t->schema, t->name);
                for (size_t j = 0; t->kind == SCHEMA_TABLE && j < t->ncons; j++) {
                    const schema_constraint *c = &t->cons[j];
                    if (c->type != SCHEMA_FOREIGN)
                        continue;
                    const schema_constraint *fc =
                        f ? find_constraint(f, c->type, c->name, c->def) : NULL;
                    if (!fc || strcmp(fc->def, c->def))
                        add_foreign(o, d, t, c);
                }
            }
        }
        for (size_t i = 0; i < to->count; i++) {
            const schema_object *t = &to->objs[i];
            if (t->kind != create_late[k])
                continue;
            const schema_object *f = schema_find(from, t->kind, t->schema, t->name);
            bool again = (t->kind == SCHEMA_INDEX && t->table && was_rebuilt(g, t->table)) ||
                         (rebuild && (t->kind == SCHEMA_VIEW || t->kind == SCHEMA_TRIGGER)) ||
                         (t->kind == SCHEMA_TRIGGER && t->table && was_rebuilt(g, t->table));
            if (f && same_object(f, t) && !again)
                continue;
            object_create(o, d, t);
        }
    }
}

int schema_migration(buf *up, buf *down, const schema *from, const schema *to)
{
    gen g = {up, from->dialect, from, to, NULL, 0, false};
    generate(&g);
    free(g.rebuilt);
    bool failed = g.failed;
    gen r = {down, from->dialect, to, from, NULL, 0, false};
    generate(&r);
    free(r.rebuilt);
    failed = failed || r.failed;
    return failed || buf_failed(up) || buf_failed(down) ? DBSHIFT_ENOMEM : 0;
}
