/*
 * lint_postgres.c - the lint front end for PostgreSQL: it reads statements
 * with libpg_query (the server's own grammar, so nothing is guessed) and
 * walks the JSON parse tree with jansson to describe each statement as lint
 * actions (lint.h).
 *
 * Speed matters here (lint runs before every `up`): a section is parsed in
 * one pg_query_parse call and each statement's node is read once. Only when
 * the parser rejects the section (newer syntax than Debian's PostgreSQL 15
 * grammar, or a plain error the server will report) is the section split
 * with the scanner and each statement parsed alone, so that one statement
 * the parser does not know becomes a "not analysed" finding while the rest
 * are still checked.
 */
#include "sql/lint.h"

#include "dbshift/driver.h"
#include "sql/split.h"
#include "util/err.h"

#include <jansson.h>
#include <pg_query.h>
#include <stdlib.h>
#include <string.h>

/* Functions whose value does not change per row: a default calling only
 * these (or no function) lets Postgres 11+ add the column without a rewrite.
 * Anything else, user functions included, is taken as volatile. */
static const char *const stable_functions[] = {"now",
                                               "transaction_timestamp",
                                               "statement_timestamp",
                                               "current_setting",
                                               "lower",
                                               "upper",
                                               "btrim",
                                               "trim",
                                               "ltrim",
                                               "rtrim",
                                               "concat",
                                               "concat_ws",
                                               "coalesce",
                                               "nullif",
                                               "greatest",
                                               "least",
                                               "to_json",
                                               "to_jsonb",
                                               "json_build_object",
                                               "jsonb_build_object",
                                               "json_build_array",
                                               "jsonb_build_array",
                                               "array_to_json",
                                               "length",
                                               "substring",
                                               "replace",
                                               "md5",
                                               "abs",
                                               "round",
                                               "floor",
                                               "ceil",
                                               "date_trunc",
                                               "make_interval",
                                               "make_date",
                                               "to_char",
                                               "to_date",
                                               "to_timestamp",
                                               "timezone",
                                               "format",
                                               "jsonb",
                                               "json",
                                               "array",
                                               "int4",
                                               "int8",
                                               "text",
                                               "bool",
                                               "numeric",
                                               "uuid",
                                               NULL};

static const char *const serial_types[] = {"serial",      "serial4", "bigserial", "serial8",
                                           "smallserial", "serial2", NULL};

/* Statements that change data or session state, not the schema. */
static const char *const not_ddl[] = {"SelectStmt",
                                      "InsertStmt",
                                      "UpdateStmt",
                                      "DeleteStmt",
                                      "MergeStmt",
                                      "VariableSetStmt",
                                      "VariableShowStmt",
                                      "TransactionStmt",
                                      "DoStmt",
                                      "CallStmt",
                                      "ExplainStmt",
                                      "CopyStmt",
                                      "LockStmt",
                                      "NotifyStmt",
                                      "ListenStmt",
                                      "UnlistenStmt",
                                      "VacuumStmt",
                                      "CheckPointStmt",
                                      "DiscardStmt",
                                      "PrepareStmt",
                                      "ExecuteStmt",
                                      "DeallocateStmt",
                                      "DeclareCursorStmt",
                                      "FetchStmt",
                                      "ClosePortalStmt",
                                      "ConstraintsSetStmt",
                                      "LoadStmt",
                                      "ClusterStmt",
                                      "ReindexStmt",
                                      "RefreshMatViewStmt",
                                      NULL};

static bool in_list(const char *const *list, const char *s)
{
    if (!s)
        return false;
    for (size_t i = 0; list[i]; i++) {
        if (strcmp(list[i], s) == 0)
            return true;
    }
    return false;
}

static const char *jstr(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static bool jtrue(const json_t *obj, const char *key)
{
    return json_is_true(json_object_get(obj, key));
}

static bool jis(const json_t *obj, const char *key, const char *value)
{
    const char *s = jstr(obj, key);
    return s && strcmp(s, value) == 0;
}

/* The last String of a name list: [{"String":{"sval":"pg_catalog"}}, ...]. */
static const char *last_name(const json_t *list)
{
    size_t n = json_array_size(list);
    if (n == 0)
        return NULL;
    const json_t *s = json_object_get(json_array_get(list, n - 1), "String");
    return jstr(s, "sval");
}

typedef struct pg_reader {
    lint_stmt *st;
    int nomem;
} pg_reader;

static lint_action *add(pg_reader *r, int kind, unsigned flags, const json_t *relation,
                        const char *name)
{
    const char *schema = relation ? jstr(relation, "schemaname") : NULL;
    const char *table = relation ? jstr(relation, "relname") : NULL;
    lint_action *a = lint_stmt_add_action(r->st, kind, flags, schema, table, name);
    if (!a)
        r->nomem = 1;
    return a;
}

/* True when an expression calls a function not known to be stable. */
static bool expr_volatile(const json_t *node)
{
    if (json_is_array(node)) {
        size_t i;
        json_t *v;
        json_array_foreach(node, i, v)
        {
            if (expr_volatile(v))
                return true;
        }
        return false;
    }
    if (!json_is_object(node))
        return false;
    const json_t *call = json_object_get(node, "FuncCall");
    if (call && !in_list(stable_functions, last_name(json_object_get(call, "funcname"))))
        return true;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)node, key, v)
    {
        if (expr_volatile(v))
            return true;
    }
    return false;
}

/* Constraints written inside a column definition. */
static void column_constraints(pg_reader *r, const json_t *coldef, const json_t *relation,
                               unsigned *flags)
{
    const char *type = last_name(json_object_get(json_object_get(coldef, "typeName"), "names"));
    if (in_list(serial_types, type))
        *flags |= LINT_F_DEFAULT | LINT_F_VOLATILE;
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(coldef, "constraints"), i, item)
    {
        const json_t *con = json_object_get(item, "Constraint");
        const char *contype = jstr(con, "contype");
        if (!contype)
            continue;
        if (strcmp(contype, "CONSTR_NOTNULL") == 0) {
            *flags |= LINT_F_NOT_NULL;
        } else if (strcmp(contype, "CONSTR_DEFAULT") == 0) {
            *flags |= LINT_F_DEFAULT;
            if (expr_volatile(json_object_get(con, "raw_expr")))
                *flags |= LINT_F_VOLATILE;
        } else if (strcmp(contype, "CONSTR_IDENTITY") == 0 ||
                   strcmp(contype, "CONSTR_GENERATED") == 0) {
            *flags |= LINT_F_DEFAULT | LINT_F_VOLATILE;
        } else if (strcmp(contype, "CONSTR_PRIMARY") == 0) {
            add(r, LINT_ACT_ADD_PRIMARY_KEY, 0, relation, NULL);
        } else if (strcmp(contype, "CONSTR_UNIQUE") == 0) {
            add(r, LINT_ACT_ADD_UNIQUE, 0, relation, NULL);
        } else if (strcmp(contype, "CONSTR_FOREIGN") == 0) {
            add(r, LINT_ACT_ADD_FOREIGN_KEY, 0, relation, NULL);
        } else if (strcmp(contype, "CONSTR_CHECK") == 0) {
            add(r, LINT_ACT_ADD_CHECK, 0, relation, NULL);
        }
    }
}

static void add_constraint(pg_reader *r, const json_t *con, const json_t *relation)
{
    const char *contype = jstr(con, "contype");
    if (!contype)
        return;
    unsigned flags = 0;
    if (jtrue(con, "skip_validation"))
        flags |= LINT_F_NOT_VALID;
    if (jstr(con, "indexname"))
        flags |= LINT_F_USING_INDEX;
    int kind = 0;
    if (strcmp(contype, "CONSTR_FOREIGN") == 0)
        kind = LINT_ACT_ADD_FOREIGN_KEY;
    else if (strcmp(contype, "CONSTR_CHECK") == 0)
        kind = LINT_ACT_ADD_CHECK;
    else if (strcmp(contype, "CONSTR_UNIQUE") == 0)
        kind = LINT_ACT_ADD_UNIQUE;
    else if (strcmp(contype, "CONSTR_PRIMARY") == 0)
        kind = LINT_ACT_ADD_PRIMARY_KEY;
    if (kind)
        add(r, kind, flags, relation, jstr(con, "conname"));
}

/* Does this ALTER TABLE subcommand take less than ACCESS EXCLUSIVE? */
/* [schema, name] from a DropStmt object: {"List":{"items":[String...]}}. */
static void drop_object_name(const json_t *object, const char **schema, const char **name)
{
    const json_t *items = json_object_get(json_object_get(object, "List"), "items");
    size_t n = json_array_size(items);
    *schema = NULL;
    *name = NULL;
    if (n == 0) {
        *name = jstr(json_object_get(object, "String"), "sval");
        return;
    }
    *name = jstr(json_object_get(json_array_get(items, n - 1), "String"), "sval");
    if (n >= 2)
        *schema = jstr(json_object_get(json_array_get(items, n - 2), "String"), "sval");
}

static void drop(pg_reader *r, const json_t *body)
{
    const char *type = jstr(body, "removeType");
    unsigned flags = jtrue(body, "missing_ok") ? LINT_F_IF_EXISTS : 0;
    bool concurrent = jtrue(body, "concurrent");
    int kind = LINT_ACT_OTHER_DDL;
    if (type && strcmp(type, "OBJECT_TABLE") == 0) {
        kind = LINT_ACT_DROP_TABLE;
        flags |= LINT_F_LOCKS_TABLE;
    } else if (type && strcmp(type, "OBJECT_INDEX") == 0) {
        kind = LINT_ACT_DROP_INDEX;
        flags |= concurrent ? LINT_F_CONCURRENT : LINT_F_LOCKS_TABLE;
    } else if (type && strcmp(type, "OBJECT_SCHEMA") == 0) {
        kind = LINT_ACT_DROP_SCHEMA;
    }
    if (kind == LINT_ACT_OTHER_DDL) {
        add(r, kind, 0, NULL, NULL);
        return;
    }
    size_t i;
    json_t *object;
    json_array_foreach(json_object_get(body, "objects"), i, object)
    {
        const char *schema, *name;
        drop_object_name(object, &schema, &name);
        lint_action *a;
        if (kind == LINT_ACT_DROP_TABLE)
            a = lint_stmt_add_action(r->st, kind, flags, schema, name, NULL);
        else
            a = lint_stmt_add_action(r->st, kind, flags, schema, NULL, name);
        if (!a) {
            r->nomem = 1;
            return;
        }
    }
}

static void each_relation(pg_reader *r, const json_t *list, const char *wrapper, int kind,
                          unsigned flags)
{
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item)
    {
        const json_t *rel = json_object_get(item, wrapper);
        if (strcmp(wrapper, "VacuumRelation") == 0)
            rel = json_object_get(rel, "relation");
        add(r, kind, flags, rel, NULL);
    }
}

static bool has_option(const json_t *options, const char *option)
{
    size_t i;
    json_t *item;
    json_array_foreach(options, i, item)
    {
        if (jis(json_object_get(item, "DefElem"), "defname", option))
            return true;
    }
    return false;
}

static void role(pg_reader *r, const json_t *body)
{
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(body, "options"), i, item)
    {
        const json_t *def = json_object_get(item, "DefElem");
        if (jis(def, "defname", "password") &&
            json_object_get(json_object_get(def, "arg"), "String")) {
            add(r, LINT_ACT_PASSWORD_LITERAL, 0, NULL, NULL);
            return;
        }
    }
}

static void set_variable(pg_reader *r, const json_t *body)
{
    if (!jis(body, "name", "lock_timeout"))
        return;
    unsigned flags = 0;
    if (!jis(body, "kind", "VAR_SET_VALUE")) {
        flags |= LINT_F_TIMEOUT_OFF;
    } else {
        const json_t *value =
            json_object_get(json_array_get(json_object_get(body, "args"), 0), "A_Const");
        const char *text = jstr(json_object_get(value, "sval"), "sval");
        const json_t *ival = json_object_get(value, "ival");
        /* An omitted ival is 0 in libpg_query's JSON. */
        if ((text && strcmp(text, "0") == 0) || (ival && !json_object_get(ival, "ival")))
            flags |= LINT_F_TIMEOUT_OFF;
    }
    add(r, LINT_ACT_SET_LOCK_TIMEOUT, flags, NULL, NULL);
}

/* Describes one parsed statement (its node type and body) as actions. */
static void read_node(pg_reader *r, const char *type, const json_t *body)
{
    const json_t *relation = json_object_get(body, "relation");
    if (strcmp(type, "CreateStmt") == 0) {
        add(r, LINT_ACT_CREATE_TABLE, 0, relation, NULL);
    } else if (strcmp(type, "CreateTableAsStmt") == 0) {
        const json_t *into = json_object_get(json_object_get(body, "into"), "rel");
        if (jis(body, "objtype", "OBJECT_MATVIEW"))
            add(r, LINT_ACT_OTHER_DDL, 0, NULL, NULL);
        else
            add(r, LINT_ACT_CREATE_TABLE, 0, into, NULL);
    } else if (strcmp(type, "RenameStmt") == 0) {
        const char *what = jstr(body, "renameType");
        if (what && strcmp(what, "OBJECT_TABLE") == 0)
            add(r, LINT_ACT_RENAME_TABLE, LINT_F_LOCKS_TABLE, relation, jstr(body, "newname"));
        else if (what && strcmp(what, "OBJECT_COLUMN") == 0 &&
                 jis(body, "relationType", "OBJECT_TABLE")) {
            lint_action *a =
                add(r, LINT_ACT_RENAME_COLUMN, LINT_F_LOCKS_TABLE, relation, jstr(body, "subname"));
            if (a && jstr(body, "newname")) {
                a->new_name = strdup(jstr(body, "newname"));
                if (!a->new_name)
                    r->nomem = 1;
            }
        } else {
            add(r, LINT_ACT_OTHER_DDL, 0, NULL, NULL);
        }
    } else if (strcmp(type, "IndexStmt") == 0) {
        add(r, LINT_ACT_CREATE_INDEX, jtrue(body, "concurrent") ? LINT_F_CONCURRENT : 0, relation,
            jstr(body, "idxname"));
    } else if (strcmp(type, "DropStmt") == 0) {
        drop(r, body);
    } else if (strcmp(type, "DropdbStmt") == 0) {
        add(r, LINT_ACT_DROP_DATABASE, 0, NULL, jstr(body, "dbname"));
    } else if (strcmp(type, "CreateSchemaStmt") == 0) {
        add(r, LINT_ACT_CREATE_SCHEMA, 0, NULL, jstr(body, "schemaname"));
    } else if (strcmp(type, "TruncateStmt") == 0) {
        each_relation(r, json_object_get(body, "relations"), "RangeVar", LINT_ACT_TRUNCATE,
                      LINT_F_LOCKS_TABLE);
    } else if (strcmp(type, "DeleteStmt") == 0 || strcmp(type, "UpdateStmt") == 0) {
        unsigned flags = json_object_get(body, "whereClause") ? LINT_F_WHERE : 0;
        add(r, type[0] == 'D' ? LINT_ACT_DELETE : LINT_ACT_UPDATE, flags, relation, NULL);
    } else if (strcmp(type, "InsertStmt") == 0 || strcmp(type, "MergeStmt") == 0) {
        add(r, LINT_ACT_INSERT, 0, relation, NULL);
    } else if (strcmp(type, "VacuumStmt") == 0) {
        if (jtrue(body, "is_vacuumcmd") && has_option(json_object_get(body, "options"), "full")) {
            const json_t *rels = json_object_get(body, "rels");
            if (json_array_size(rels) == 0)
                add(r, LINT_ACT_VACUUM_FULL, LINT_F_LOCKS_TABLE, NULL, NULL);
            else
                each_relation(r, rels, "VacuumRelation", LINT_ACT_VACUUM_FULL, LINT_F_LOCKS_TABLE);
        }
    } else if (strcmp(type, "ClusterStmt") == 0) {
        add(r, LINT_ACT_CLUSTER, LINT_F_LOCKS_TABLE, relation, NULL);
    } else if (strcmp(type, "ReindexStmt") == 0) {
        bool concurrent = has_option(json_object_get(body, "params"), "concurrently");
        add(r, LINT_ACT_REINDEX, concurrent ? LINT_F_CONCURRENT : 0, relation, NULL);
    } else if (strcmp(type, "VariableSetStmt") == 0) {
        set_variable(r, body);
    } else if (strcmp(type, "TransactionStmt") == 0) {
        const char *kind = jstr(body, "kind");
        if (kind &&
            (strcmp(kind, "TRANS_STMT_BEGIN") == 0 || strcmp(kind, "TRANS_STMT_START") == 0))
            add(r, LINT_ACT_BEGIN, 0, NULL, NULL);
        else if (kind && (strcmp(kind, "TRANS_STMT_COMMIT") == 0 ||
                          strcmp(kind, "TRANS_STMT_ROLLBACK") == 0))
            add(r, LINT_ACT_COMMIT, 0, NULL, NULL);
    } else if (strcmp(type, "CreateRoleStmt") == 0 || strcmp(type, "AlterRoleStmt") == 0) {
        role(r, body);
        add(r, LINT_ACT_OTHER_DDL, 0, NULL, NULL);
    } else if (!in_list(not_ddl, type)) {
        add(r, LINT_ACT_OTHER_DDL, 0, NULL, NULL);
    }
}

/*
 * Reading the parse tree. Loading the whole JSON document with jansson costs
 * three times as much as parsing the SQL, and most of it is spent on nodes no
 * rule looks at (column lists, VALUES rows, function bodies). So the document
 * is skimmed here: each statement's node type is read from the text, and only
 * the bodies of statement types whose details matter are loaded; for the bulk
 * types (CREATE TABLE, INSERT, UPDATE, DELETE) only the relation is.
 */
typedef struct span {
    const char *p;
    size_t n;
} span;

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
        p++;
    return p;
}

/* p at '"': returns the position after the closing quote, or NULL. */
static const char *skip_string(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* Returns the position after the JSON value at p, or NULL when malformed. */
static const char *skip_value(const char *p, const char *end)
{
    p = skip_ws(p, end);
    if (p >= end)
        return NULL;
    if (*p == '"')
        return skip_string(p, end);
    if (*p != '{' && *p != '[') {
        while (p < end && *p != ',' && *p != '}' && *p != ']')
            p++;
        return p;
    }
    int depth = 0;
    for (; p < end; p++) {
        if (*p == '"') {
            p = skip_string(p, end);
            if (!p)
                return NULL;
            p--;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if (*p == '}' || *p == ']') {
            if (--depth == 0)
                return p + 1;
        }
    }
    return NULL;
}

/* Reads the next "key": value member of an object or element of an array
 * (key NULL) starting at *pos (after '{', '[' or a ','). False at the end. */
static bool next_member(const char **pos, const char *end, span *key, span *value)
{
    const char *p = skip_ws(*pos, end);
    if (p < end && *p == ',')
        p = skip_ws(p + 1, end);
    if (p >= end || *p == '}' || *p == ']')
        return false;
    if (key) {
        const char *k = skip_string(p, end);
        if (*p != '"' || !k)
            return false;
        key->p = p + 1;
        key->n = (size_t)(k - p) - 2;
        p = skip_ws(k, end);
        if (p >= end || *p != ':')
            return false;
        p = skip_ws(p + 1, end);
    }
    const char *v = skip_value(p, end);
    if (!v)
        return false;
    value->p = p;
    value->n = (size_t)(v - p);
    *pos = v;
    return true;
}

static bool span_is(span s, const char *lit)
{
    return strlen(lit) == s.n && memcmp(s.p, lit, s.n) == 0;
}

/* Bulk statements: only the relation (and WHERE) are needed. */
static void read_shallow(pg_reader *r, const char *type, span body)
{
    const char *p = body.p + 1, *end = body.p + body.n;
    span key, value;
    json_t *relation = NULL;
    unsigned flags = 0;
    while (next_member(&p, end, &key, &value)) {
        if (span_is(key, "relation") && !relation)
            relation = json_loadb(value.p, value.n, 0, NULL);
        else if (span_is(key, "whereClause"))
            flags |= LINT_F_WHERE;
    }
    int kind = strcmp(type, "CreateStmt") == 0   ? LINT_ACT_CREATE_TABLE
               : strcmp(type, "DeleteStmt") == 0 ? LINT_ACT_DELETE
               : strcmp(type, "UpdateStmt") == 0 ? LINT_ACT_UPDATE
                                                 : LINT_ACT_INSERT;
    if (kind == LINT_ACT_CREATE_TABLE || kind == LINT_ACT_INSERT)
        flags = 0;
    add(r, kind, flags, relation, NULL);
    json_decref(relation);
}

/* CREATE INDEX: only the relation, the name and CONCURRENTLY are read, so
 * the column and expression lists (most of the node) are skimmed past; the
 * index nodes were the second largest share of what jansson loaded. */
static void read_index(pg_reader *r, span body)
{
    const char *p = body.p + 1, *end = body.p + body.n;
    span key, value;
    json_t *relation = NULL, *name = NULL;
    unsigned flags = 0;
    while (next_member(&p, end, &key, &value)) {
        if (span_is(key, "relation") && !relation)
            relation = json_loadb(value.p, value.n, 0, NULL);
        else if (span_is(key, "idxname") && !name)
            name = json_loadb(value.p, value.n, JSON_DECODE_ANY, NULL);
        else if (span_is(key, "concurrent") && span_is(value, "true"))
            flags |= LINT_F_CONCURRENT;
    }
    add(r, LINT_ACT_CREATE_INDEX, flags, relation, json_string_value(name));
    json_decref(relation);
    json_decref(name);
}

/* Subcommands that take less than an ACCESS EXCLUSIVE lock; def is the
 * command's "def" node (NULL when it has none). */
static bool weak_lock(const char *subtype, const json_t *def)
{
    if (strcmp(subtype, "AT_ValidateConstraint") == 0 || strcmp(subtype, "AT_SetStatistics") == 0 ||
        strcmp(subtype, "AT_ClusterOn") == 0 || strcmp(subtype, "AT_DropCluster") == 0)
        return true;
    if (strcmp(subtype, "AT_AddConstraint") == 0)
        return jis(json_object_get(def, "Constraint"), "contype", "CONSTR_FOREIGN");
    return false;
}

/* One {"AlterTableCmd": {...}} of an ALTER TABLE. Its "def" node is loaded
 * only for ADD COLUMN and ADD CONSTRAINT, the two that rules look into. */
static void alter_command(pg_reader *r, span cmd, const json_t *relation, bool *exclusive)
{
    const char *p = cmd.p + 1, *end = cmd.p + cmd.n;
    span key, value, subtype_text = {NULL, 0}, name_text = {NULL, 0}, def_text = {NULL, 0};
    unsigned if_exists = 0;
    while (next_member(&p, end, &key, &value)) {
        if (span_is(key, "subtype"))
            subtype_text = value;
        else if (span_is(key, "name"))
            name_text = value;
        else if (span_is(key, "def"))
            def_text = value;
        else if (span_is(key, "missing_ok") && span_is(value, "true"))
            if_exists = LINT_F_IF_EXISTS;
    }
    /* Subtypes are enum names ("AT_AddColumn"): quoted, never escaped. */
    char subtype[64];
    if (subtype_text.n < 2 || subtype_text.n - 2 >= sizeof(subtype) || subtype_text.p[0] != '"')
        return;
    memcpy(subtype, subtype_text.p + 1, subtype_text.n - 2);
    subtype[subtype_text.n - 2] = '\0';
    bool add_column = strcmp(subtype, "AT_AddColumn") == 0;
    bool add_con = strcmp(subtype, "AT_AddConstraint") == 0;
    json_t *def = NULL, *name_json = NULL;
    if ((add_column || add_con) && def_text.p &&
        !(def = json_loadb(def_text.p, def_text.n, 0, NULL))) {
        r->nomem = 1;
        return;
    }
    if (name_text.p)
        name_json = json_loadb(name_text.p, name_text.n, JSON_DECODE_ANY, NULL);
    const char *name = json_string_value(name_json);
    if (!weak_lock(subtype, def))
        *exclusive = true;
    if (add_column) {
        const json_t *coldef = json_object_get(def, "ColumnDef");
        unsigned flags = 0;
        size_t at_column = r->st->nactions;
        if (add(r, LINT_ACT_ADD_COLUMN, 0, relation, jstr(coldef, "colname"))) {
            column_constraints(r, coldef, relation, &flags);
            r->st->actions[at_column].flags |= flags;
        }
    } else if (strcmp(subtype, "AT_DropColumn") == 0) {
        add(r, LINT_ACT_DROP_COLUMN, if_exists, relation, name);
    } else if (strcmp(subtype, "AT_AlterColumnType") == 0) {
        add(r, LINT_ACT_ALTER_COLUMN_TYPE, 0, relation, name);
    } else if (strcmp(subtype, "AT_SetNotNull") == 0) {
        add(r, LINT_ACT_SET_NOT_NULL, 0, relation, name);
    } else if (add_con) {
        add_constraint(r, json_object_get(def, "Constraint"), relation);
    } else if (strcmp(subtype, "AT_DropConstraint") == 0) {
        size_t n = name ? strlen(name) : 0;
        if (n > 5 && strcmp(name + n - 5, "_pkey") == 0)
            add(r, LINT_ACT_DROP_PRIMARY_KEY, 0, relation, name);
    }
    json_decref(def);
    json_decref(name_json);
}

/* ALTER TABLE, skimmed: loading the whole node with jansson (column types,
 * expressions of every subcommand) was most of what lint spent on it. */
static void read_alter_table(pg_reader *r, span body)
{
    const char *p = body.p + 1, *end = body.p + body.n;
    span key, value, cmds = {NULL, 0};
    json_t *relation = NULL;
    bool table = true;
    while (next_member(&p, end, &key, &value)) {
        if (span_is(key, "relation") && !relation)
            relation = json_loadb(value.p, value.n, 0, NULL);
        else if (span_is(key, "cmds"))
            cmds = value;
        else if (span_is(key, "objtype"))
            table = span_is(value, "\"OBJECT_TABLE\"");
    }
    if (!table) {
        add(r, LINT_ACT_OTHER_DDL, 0, NULL, NULL);
        json_decref(relation);
        return;
    }
    size_t at_alter = r->st->nactions;
    bool exclusive = false;
    if (add(r, LINT_ACT_ALTER_TABLE, 0, relation, NULL) && cmds.p && cmds.p[0] == '[') {
        const char *c = cmds.p + 1, *cend = cmds.p + cmds.n;
        span item;
        while (!r->nomem && next_member(&c, cend, NULL, &item)) {
            const char *q = item.p + 1;
            span wrapper, cmd;
            if (item.p[0] == '{' && next_member(&q, item.p + item.n, &wrapper, &cmd) &&
                span_is(wrapper, "AlterTableCmd") && cmd.p[0] == '{')
                alter_command(r, cmd, relation, &exclusive);
        }
        if (exclusive && !r->nomem)
            r->st->actions[at_alter].flags |= LINT_F_LOCKS_TABLE;
    }
    json_decref(relation);
}

/* Statement types that carry nothing a rule reads beyond their type. */
static const char *const type_only[] = {
    "SelectStmt",    "ViewStmt",       "CreateFunctionStmt",    "DoStmt",
    "CommentStmt",   "GrantStmt",      "CreateTrigStmt",        "CreateExtensionStmt",
    "CreateSeqStmt", "AlterSeqStmt",   "CompositeTypeStmt",     "CreateEnumStmt",
    "AlterEnumStmt", "DefineStmt",     "CreatePolicyStmt",      "CreateDomainStmt",
    "RuleStmt",      "AlterOwnerStmt", "AlterObjectSchemaStmt", NULL};

static void read_statement(pg_reader *r, span type_key, span body)
{
    char type[64];
    if (type_key.n >= sizeof(type))
        return;
    memcpy(type, type_key.p, type_key.n);
    type[type_key.n] = '\0';
    if (strcmp(type, "CreateStmt") == 0 || strcmp(type, "InsertStmt") == 0 ||
        strcmp(type, "UpdateStmt") == 0 || strcmp(type, "DeleteStmt") == 0) {
        read_shallow(r, type, body);
        return;
    }
    if (strcmp(type, "IndexStmt") == 0) {
        read_index(r, body);
        return;
    }
    if (strcmp(type, "AlterTableStmt") == 0) {
        read_alter_table(r, body);
        return;
    }
    if (in_list(type_only, type)) {
        if (!in_list(not_ddl, type))
            add(r, LINT_ACT_OTHER_DDL, 0, NULL, NULL);
        return;
    }
    json_t *node = json_loadb(body.p, body.n, 0, NULL);
    if (!node) {
        r->nomem = 1;
        return;
    }
    read_node(r, type, node);
    json_decref(node);
}

/* Adds the statements of a parse tree; base is where the parsed text starts
 * in the section, only (when set) the statement all of them belong to.
 * Returns 0 or DBSHIFT_ENOMEM. */
static int add_tree(lint_stmts *out, const char *tree, size_t base, size_t text_len,
                    lint_stmt *only)
{
    const char *end = tree + strlen(tree);
    /* {"version":N,"stmts":[...]}: go straight to the array, so that each
     * statement's bytes are skimmed once instead of once per nesting level. */
    const char *p = strstr(tree, "\"stmts\":");
    if (!p)
        return 0;
    p = skip_ws(p + 8, end);
    if (p >= end || *p != '[')
        return 0;
    p++;
    for (;;) {
        p = skip_ws(p, end);
        if (p < end && *p == ',')
            p = skip_ws(p + 1, end);
        if (p >= end || *p != '{')
            break;
        p++;
        span k, v, type = {NULL, 0}, body = {NULL, 0};
        long loc = 0, len = 0;
        while (next_member(&p, end, &k, &v)) {
            if (span_is(k, "stmt_location")) {
                loc = strtol(v.p, NULL, 10);
            } else if (span_is(k, "stmt_len")) {
                len = strtol(v.p, NULL, 10);
            } else if (span_is(k, "stmt") && v.p[0] == '{') {
                const char *s = v.p + 1;
                if (!next_member(&s, v.p + v.n, &type, &body))
                    type.p = NULL;
            }
        }
        p = skip_ws(p, end);
        if (p < end && *p == '}')
            p++;
        lint_stmt *st = only;
        if (!st) {
            size_t offset = base + (size_t)(loc > 0 ? loc : 0);
            if (offset > text_len)
                offset = text_len;
            /* The last statement's length is 0: up to the end of the text. */
            size_t n = len > 0 ? (size_t)len : text_len - offset;
            st = lint_stmts_add(out, offset, n);
            if (!st)
                return DBSHIFT_ENOMEM;
        }
        if (!type.p || body.n == 0 || body.p[0] != '{')
            continue;
        pg_reader r = {st, 0};
        read_statement(&r, type, body);
        if (r.nomem)
            return DBSHIFT_ENOMEM;
    }
    return 0;
}

/* Parses one statement alone (text[offset..offset+len)). */
static int read_one(lint_stmts *out, const char *text, size_t offset, size_t len)
{
    lint_stmt *st = lint_stmts_add(out, offset, len);
    if (!st)
        return DBSHIFT_ENOMEM;
    char *copy = strndup(text + offset, len);
    if (!copy)
        return DBSHIFT_ENOMEM;
    PgQueryParseResult res = pg_query_parse(copy);
    int rc = 0;
    if (res.error) {
        st->not_analysed = true;
        st->parse_error = xstrdup(res.error->message);
        if (!st->parse_error)
            rc = DBSHIFT_ENOMEM;
    } else {
        rc = add_tree(out, res.parse_tree, offset, offset + len, st);
    }
    pg_query_free_parse_result(res);
    free(copy);
    return rc;
}

int lint_postgres_read(lint_stmts *out, const char *text, size_t len, size_t nbounds,
                       const size_t *offsets, const size_t *lens)
{
    int rc = 0;
    if (nbounds > 0) {
        for (size_t i = 0; i < nbounds && rc == 0; i++) {
            if (offsets[i] <= len && lens[i] <= len - offsets[i])
                rc = read_one(out, text, offsets[i], lens[i]);
        }
    } else {
        PgQueryParseResult res = pg_query_parse(text);
        if (!res.error) {
            rc = add_tree(out, res.parse_tree, 0, len, NULL);
            pg_query_free_parse_result(res);
        } else {
            pg_query_free_parse_result(res);
            sql_split split;
            dbshift_error err;
            memset(&split, 0, sizeof(split));
            memset(&err, 0, sizeof(err));
            rc = sql_split_text(&split, text, len, DBSHIFT_DIALECT_POSTGRES, &err);
            if (rc == DBSHIFT_ENOMEM) {
                dbshift_error_clear(&err);
                return rc;
            }
            if (rc < 0) {
                lint_stmt *st = lint_stmts_add(out, 0, len);
                rc = st ? 0 : DBSHIFT_ENOMEM;
                if (st) {
                    st->not_analysed = true;
                    st->parse_error =
                        xstrdup(err.message ? err.message : "the text could not be split");
                    if (!st->parse_error)
                        rc = DBSHIFT_ENOMEM;
                }
            }
            for (size_t i = 0; i < split.count && rc == 0; i++)
                rc = read_one(out, text, split.items[i].offset, split.items[i].len);
            sql_split_release(&split);
            dbshift_error_clear(&err);
        }
    }
    if (rc == 0)
        lint_stmts_locate(out, text, len);
    return rc;
}
