/*
 * lint_postgres.c - the lint front end for PostgreSQL: it reads statements
 * with libpg_query (the server's own grammar, so nothing is guessed) and
 * reads its JSON parse tree in place, without loading it, to describe each
 * statement as lint actions (lint.h).
 *
 * Speed matters here (lint runs before every `up`). The JSON tree costs
 * more than the parse, so a section is first cut at its ';' and each
 * statement's leading words are read (lint_postgres_scan.c): the statements
 * they fully describe (views, functions, CREATE TABLE name, INSERT INTO
 * name, ...) are only checked by the parser, all in one call, and the rest
 * go to one pg_query_parse call whose tree is read once. Only when the
 * parser rejects the section (newer syntax than Debian's PostgreSQL 15
 * grammar, or a plain error the server will report) is the section split
 * with the scanner and each statement parsed alone, so that one statement
 * the parser does not know becomes a "not analysed" finding while the rest
 * are still checked.
 */
#include "sql/lint.h"

#include "dbshift/driver.h"
#include "sql/split.h"
#include "util/array.h"
#include "util/err.h"

#include <pg_query.h>
#include <stddef.h>
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

/*
 * Reading the parse tree. libpg_query hands it over as JSON text, several
 * times the size of the SQL, and most of it is nodes no rule looks at
 * (column lists, VALUES rows, function bodies). Loading it into a document
 * (jansson) cost more than parsing the SQL, so nothing is loaded: a value is
 * a span of the text, a member is found by skimming its object, and only
 * the strings a rule reads are decoded, into the reader's scratch list.
 */
typedef struct span {
    const char *p;
    size_t n; /* 0: no value (a missing member) */
} span;

static const span no_value = {NULL, 0};

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r'))
        p++;
    return p;
}

/* p at '"': returns the position after the closing quote, or NULL. Escapes
 * are rare in the tree, so the quote is looked for with memchr and only
 * then checked for backslashes before it. */
static const char *skip_string(const char *p, const char *end)
{
    const char *start = p + 1;
    for (p = start; p < end; p++) {
        p = memchr(p, '"', (size_t)(end - p));
        if (!p)
            return NULL;
        size_t backslashes = 0;
        while (p - backslashes > start && p[-1 - (ptrdiff_t)backslashes] == '\\')
            backslashes++;
        if (backslashes % 2 == 0)
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
    /* Brackets inside strings do not count, so strings are jumped over. */
    int depth = 0;
    while (p < end) {
        char c = *p;
        if (c == '"') {
            p = skip_string(p, end);
            if (!p)
                return NULL;
            continue;
        }
        if (c == '{' || c == '[') {
            depth++;
        } else if (c == '}' || c == ']') {
            if (--depth == 0)
                return p + 1;
        }
        p++;
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

/* Compares a key or an unquoted value (true, an enum name) with lit. */
static bool span_is(span s, const char *lit)
{
    return strlen(lit) == s.n && memcmp(s.p, lit, s.n) == 0;
}

/* The member key of object obj; no_value when obj is not an object or has
 * no such member. Keys are field names, never escaped. */
static span jget(span obj, const char *key)
{
    if (obj.n == 0 || obj.p[0] != '{')
        return no_value;
    const char *p = obj.p + 1, *end = obj.p + obj.n;
    span k, v;
    while (next_member(&p, end, &k, &v)) {
        if (span_is(k, key))
            return v;
    }
    return no_value;
}

/* Steps through the elements of array arr; *pos is NULL before the first.
 * False at the end, or at once when arr is not an array. */
static bool jnext(span arr, const char **pos, span *item)
{
    if (arr.n == 0 || arr.p[0] != '[')
        return false;
    if (!*pos)
        *pos = arr.p + 1;
    return next_member(pos, arr.p + arr.n, NULL, item);
}

static span jfirst(span arr)
{
    const char *pos = NULL;
    span item;
    return jnext(arr, &pos, &item) ? item : no_value;
}

static bool jtrue(span obj, const char *key)
{
    return span_is(jget(obj, key), "true");
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The \uXXXX code at p (p + 4 <= end), or -1. */
static long hex4(const char *p, const char *end)
{
    if (end - p < 4)
        return -1;
    long code = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(p[i]);
        if (d < 0)
            return -1;
        code = code * 16 + d;
    }
    return code;
}

static char *put_utf8(char *o, unsigned long code)
{
    if (code < 0x80) {
        *o++ = (char)code;
    } else if (code < 0x800) {
        *o++ = (char)(0xC0 | (code >> 6));
        *o++ = (char)(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
        *o++ = (char)(0xE0 | (code >> 12));
        *o++ = (char)(0x80 | ((code >> 6) & 0x3F));
        *o++ = (char)(0x80 | (code & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (code >> 18));
        *o++ = (char)(0x80 | ((code >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((code >> 6) & 0x3F));
        *o++ = (char)(0x80 | (code & 0x3F));
    }
    return o;
}

/* Decodes the JSON string v (quotes included) into out, which has room for
 * v.n bytes: no escape decodes to more bytes than it is written with. */
static void jdecode(span v, char *out)
{
    const char *p = v.p + 1, *end = v.p + v.n - 1;
    char *o = out;
    while (p < end) {
        if (*p != '\\' || p + 1 >= end) {
            *o++ = *p++;
            continue;
        }
        char c = p[1];
        p += 2;
        switch (c) {
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u': {
            long code = hex4(p, end);
            if (code < 0) {
                *o++ = 'u';
                break;
            }
            p += 4;
            if (code >= 0xD800 && code <= 0xDBFF && end - p >= 6 && p[0] == '\\' && p[1] == 'u') {
                long low = hex4(p + 2, end);
                if (low >= 0xDC00 && low <= 0xDFFF) {
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    p += 6;
                }
            }
            o = put_utf8(o, (unsigned long)code);
            break;
        }
        default:
            *o++ = c;
            break;
        }
    }
    *o = '\0';
}

static bool jis_string(span v)
{
    return v.n >= 2 && v.p[0] == '"';
}

/* True when member key of obj is the string lit (a short enum or option
 * name: anything longer than the stack copy cannot be equal). */
static bool jis(span obj, const char *key, const char *lit)
{
    span v = jget(obj, key);
    char text[256];
    if (!jis_string(v) || v.n > sizeof(text))
        return false;
    jdecode(v, text);
    return strcmp(text, lit) == 0;
}

typedef struct pg_reader {
    lint_stmt *st;
    int nomem;
    /* Strings decoded for the current statement, freed after it. */
    char **strings;
    size_t nstrings;
    size_t cap;
} pg_reader;

static void reader_release(pg_reader *r)
{
    for (size_t i = 0; i < r->nstrings; i++)
        free(r->strings[i]);
    free(r->strings);
    r->strings = NULL;
    r->nstrings = r->cap = 0;
}

/* The string value v decoded, owned by the reader; NULL when v is not a
 * string (or out of memory, which r->nomem records). */
static const char *jstring(pg_reader *r, span v)
{
    if (!jis_string(v))
        return NULL;
    if (r->nstrings == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        char **grown = realloc(r->strings, cap * sizeof(*grown));
        if (!grown) {
            r->nomem = 1;
            return NULL;
        }
        r->strings = grown;
        r->cap = cap;
    }
    char *s = malloc(v.n);
    if (!s) {
        r->nomem = 1;
        return NULL;
    }
    jdecode(v, s);
    r->strings[r->nstrings++] = s;
    return s;
}

static const char *jstr(pg_reader *r, span obj, const char *key)
{
    return jstring(r, jget(obj, key));
}

/* The last String of a name list: [{"String":{"sval":"pg_catalog"}}, ...]. */
static const char *last_name(pg_reader *r, span list)
{
    const char *pos = NULL;
    span item, last = no_value;
    while (jnext(list, &pos, &item))
        last = item;
    return jstr(r, jget(last, "String"), "sval");
}

static lint_action *add(pg_reader *r, int kind, unsigned flags, span relation, const char *name)
{
    const char *schema = jstr(r, relation, "schemaname");
    const char *table = jstr(r, relation, "relname");
    lint_action *a = lint_stmt_add_action(r->st, kind, flags, schema, table, name);
    if (!a)
        r->nomem = 1;
    return a;
}

/* The body of a node written {"Type":{...}}. Such a wrapper holds that one
 * member, so the body starts right after the key and need not be skimmed
 * for; anything else is looked up as a member. */
static span unwrap(span node, const char *type)
{
    size_t n = strlen(type);
    if (node.n > n + 5 && node.p[0] == '{' && node.p[1] == '"' &&
        memcmp(node.p + 2, type, n) == 0 && node.p[n + 2] == '"' && node.p[n + 3] == ':' &&
        node.p[n + 4] == '{' && node.p[node.n - 1] == '}') {
        span body = {node.p + n + 4, node.n - n - 5};
        return body;
    }
    return jget(node, type);
}

/*
 * True when an expression calls a function not known to be stable. Every
 * FuncCall node inside it counts, however deep: the key "FuncCall" can only
 * stand in the text as a key, a quote inside a string being escaped, so
 * the text is searched for it instead of walking the nodes (a walk skims
 * each level once per level above it).
 */
static bool expr_volatile(pg_reader *r, span node)
{
    static const char key[] = "\"FuncCall\":";
    const size_t keylen = sizeof(key) - 1;
    const char *p = node.p, *end = node.p + node.n;
    while (node.n >= keylen && (size_t)(end - p) >= keylen) {
        const char *hit = memchr(p, 'F', (size_t)(end - p) - keylen + 2);
        if (!hit)
            break;
        p = hit + 1;
        if (hit == node.p || memcmp(hit - 1, key, keylen) != 0)
            continue;
        span call = {hit - 1 + keylen, (size_t)(end - (hit - 1 + keylen))};
        if (!in_list(stable_functions, last_name(r, jget(call, "funcname"))))
            return true;
    }
    return false;
}

/* The members of a Constraint node that rules look at, read in one pass. */
typedef struct constraint_info {
    span contype; /* an enum name, quoted: "CONSTR_FOREIGN" */
    span conname;
    span raw_expr;
    bool skip_validation; /* NOT VALID */
    bool indexname;       /* USING INDEX name */
} constraint_info;

static void read_constraint(span con, constraint_info *ci)
{
    memset(ci, 0, sizeof(*ci));
    if (con.n == 0 || con.p[0] != '{')
        return;
    const char *p = con.p + 1, *end = con.p + con.n;
    span key, value;
    while (next_member(&p, end, &key, &value)) {
        if (span_is(key, "contype"))
            ci->contype = value;
        else if (span_is(key, "conname"))
            ci->conname = value;
        else if (span_is(key, "raw_expr"))
            ci->raw_expr = value;
        else if (span_is(key, "skip_validation"))
            ci->skip_validation = span_is(value, "true");
        else if (span_is(key, "indexname"))
            ci->indexname = jis_string(value);
    }
}

/* A column definition (ADD COLUMN): the column, then the constraints
 * written inside it, whose flags go to the column's action. */
static void column_def(pg_reader *r, span coldef, span relation)
{
    const char *p = coldef.n && coldef.p[0] == '{' ? coldef.p + 1 : coldef.p;
    const char *end = coldef.p + coldef.n;
    span key, value, colname = no_value, type_name = no_value, constraints = no_value;
    while (coldef.n && next_member(&p, end, &key, &value)) {
        if (span_is(key, "colname") && colname.n == 0)
            colname = value;
        else if (span_is(key, "typeName") && type_name.n == 0)
            type_name = value;
        else if (span_is(key, "constraints") && constraints.n == 0)
            constraints = value;
    }
    size_t at_column = r->st->nactions;
    if (!add(r, LINT_ACT_ADD_COLUMN, 0, relation, jstring(r, colname)))
        return;
    unsigned flags = 0;
    if (in_list(serial_types, last_name(r, jget(type_name, "names"))))
        flags |= LINT_F_DEFAULT | LINT_F_VOLATILE;
    const char *pos = NULL;
    span item;
    while (jnext(constraints, &pos, &item)) {
        constraint_info ci;
        read_constraint(unwrap(item, "Constraint"), &ci);
        if (!jis_string(ci.contype))
            continue;
        if (span_is(ci.contype, "\"CONSTR_NOTNULL\"")) {
            flags |= LINT_F_NOT_NULL;
        } else if (span_is(ci.contype, "\"CONSTR_DEFAULT\"")) {
            flags |= LINT_F_DEFAULT;
            if (expr_volatile(r, ci.raw_expr))
                flags |= LINT_F_VOLATILE;
        } else if (span_is(ci.contype, "\"CONSTR_IDENTITY\"") ||
                   span_is(ci.contype, "\"CONSTR_GENERATED\"")) {
            flags |= LINT_F_DEFAULT | LINT_F_VOLATILE;
        } else if (span_is(ci.contype, "\"CONSTR_PRIMARY\"")) {
            add(r, LINT_ACT_ADD_PRIMARY_KEY, 0, relation, NULL);
        } else if (span_is(ci.contype, "\"CONSTR_UNIQUE\"")) {
            add(r, LINT_ACT_ADD_UNIQUE, 0, relation, NULL);
        } else if (span_is(ci.contype, "\"CONSTR_FOREIGN\"")) {
            add(r, LINT_ACT_ADD_FOREIGN_KEY, 0, relation, NULL);
        } else if (span_is(ci.contype, "\"CONSTR_CHECK\"")) {
            add(r, LINT_ACT_ADD_CHECK, 0, relation, NULL);
        }
    }
    if (!r->nomem)
        r->st->actions[at_column].flags |= flags;
}

/* ADD CONSTRAINT (a table constraint). */
static void add_constraint(pg_reader *r, const constraint_info *ci, span relation)
{
    if (!jis_string(ci->contype))
        return;
    unsigned flags = 0;
    if (ci->skip_validation)
        flags |= LINT_F_NOT_VALID;
    if (ci->indexname)
        flags |= LINT_F_USING_INDEX;
    int kind = 0;
    if (span_is(ci->contype, "\"CONSTR_FOREIGN\""))
        kind = LINT_ACT_ADD_FOREIGN_KEY;
    else if (span_is(ci->contype, "\"CONSTR_CHECK\""))
        kind = LINT_ACT_ADD_CHECK;
    else if (span_is(ci->contype, "\"CONSTR_UNIQUE\""))
        kind = LINT_ACT_ADD_UNIQUE;
    else if (span_is(ci->contype, "\"CONSTR_PRIMARY\""))
        kind = LINT_ACT_ADD_PRIMARY_KEY;
    if (kind)
        add(r, kind, flags, relation, jstring(r, ci->conname));
}

/* [schema, name] from a DropStmt object: {"List":{"items":[String...]}}. */
static void drop_object_name(pg_reader *r, span object, const char **schema, const char **name)
{
    span items = jget(jget(object, "List"), "items");
    const char *pos = NULL;
    span item, last = no_value, before = no_value;
    while (jnext(items, &pos, &item)) {
        before = last;
        last = item;
    }
    *schema = NULL;
    if (last.n == 0) {
        *name = jstr(r, jget(object, "String"), "sval");
        return;
    }
    *name = jstr(r, jget(last, "String"), "sval");
    if (before.n)
        *schema = jstr(r, jget(before, "String"), "sval");
}

static void drop(pg_reader *r, span body)
{
    unsigned flags = jtrue(body, "missing_ok") ? LINT_F_IF_EXISTS : 0;
    bool concurrent = jtrue(body, "concurrent");
    int kind = LINT_ACT_OTHER_DDL;
    if (jis(body, "removeType", "OBJECT_TABLE")) {
        kind = LINT_ACT_DROP_TABLE;
        flags |= LINT_F_LOCKS_TABLE;
    } else if (jis(body, "removeType", "OBJECT_INDEX")) {
        kind = LINT_ACT_DROP_INDEX;
        flags |= concurrent ? LINT_F_CONCURRENT : LINT_F_LOCKS_TABLE;
    } else if (jis(body, "removeType", "OBJECT_SCHEMA")) {
        kind = LINT_ACT_DROP_SCHEMA;
    }
    if (kind == LINT_ACT_OTHER_DDL) {
        add(r, kind, 0, no_value, NULL);
        return;
    }
    const char *pos = NULL;
    span object, objects = jget(body, "objects");
    while (jnext(objects, &pos, &object)) {
        const char *schema, *name;
        drop_object_name(r, object, &schema, &name);
        if (r->nomem)
            return;
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

static void each_relation(pg_reader *r, span list, const char *wrapper, int kind, unsigned flags)
{
    const char *pos = NULL;
    span item;
    while (jnext(list, &pos, &item)) {
        span rel = jget(item, wrapper);
        if (strcmp(wrapper, "VacuumRelation") == 0)
            rel = jget(rel, "relation");
        add(r, kind, flags, rel, NULL);
    }
}

static bool has_option(span options, const char *option)
{
    const char *pos = NULL;
    span item;
    while (jnext(options, &pos, &item)) {
        if (jis(jget(item, "DefElem"), "defname", option))
            return true;
    }
    return false;
}

static void role(pg_reader *r, span body)
{
    const char *pos = NULL;
    span item, options = jget(body, "options");
    while (jnext(options, &pos, &item)) {
        span def = jget(item, "DefElem");
        if (jis(def, "defname", "password") && jget(jget(def, "arg"), "String").n) {
            add(r, LINT_ACT_PASSWORD_LITERAL, 0, no_value, NULL);
            return;
        }
    }
}

static void set_variable(pg_reader *r, span body)
{
    if (!jis(body, "name", "lock_timeout"))
        return;
    unsigned flags = 0;
    if (!jis(body, "kind", "VAR_SET_VALUE")) {
        flags |= LINT_F_TIMEOUT_OFF;
    } else {
        span value = jget(jfirst(jget(body, "args")), "A_Const");
        span ival = jget(value, "ival");
        /* An omitted ival is 0 in libpg_query's JSON. */
        if (jis(jget(value, "sval"), "sval", "0") || (ival.n && !jget(ival, "ival").n))
            flags |= LINT_F_TIMEOUT_OFF;
    }
    add(r, LINT_ACT_SET_LOCK_TIMEOUT, flags, no_value, NULL);
}

/* Describes one parsed statement (its node type and body) as actions. */
static void read_node(pg_reader *r, const char *type, span body)
{
    span relation = jget(body, "relation");
    if (strcmp(type, "CreateStmt") == 0) {
        add(r, LINT_ACT_CREATE_TABLE, 0, relation, NULL);
    } else if (strcmp(type, "CreateTableAsStmt") == 0) {
        span into = jget(jget(body, "into"), "rel");
        if (jis(body, "objtype", "OBJECT_MATVIEW"))
            add(r, LINT_ACT_OTHER_DDL, 0, no_value, NULL);
        else
            add(r, LINT_ACT_CREATE_TABLE, 0, into, NULL);
    } else if (strcmp(type, "RenameStmt") == 0) {
        if (jis(body, "renameType", "OBJECT_TABLE")) {
            add(r, LINT_ACT_RENAME_TABLE, LINT_F_LOCKS_TABLE, relation, jstr(r, body, "newname"));
        } else if (jis(body, "renameType", "OBJECT_COLUMN") &&
                   jis(body, "relationType", "OBJECT_TABLE")) {
            lint_action *a = add(r, LINT_ACT_RENAME_COLUMN, LINT_F_LOCKS_TABLE, relation,
                                 jstr(r, body, "subname"));
            const char *new_name = jstr(r, body, "newname");
            if (a && new_name) {
                a->new_name = strdup(new_name);
                if (!a->new_name)
                    r->nomem = 1;
            }
        } else {
            add(r, LINT_ACT_OTHER_DDL, 0, no_value, NULL);
        }
    } else if (strcmp(type, "IndexStmt") == 0) {
        add(r, LINT_ACT_CREATE_INDEX, jtrue(body, "concurrent") ? LINT_F_CONCURRENT : 0, relation,
            jstr(r, body, "idxname"));
    } else if (strcmp(type, "DropStmt") == 0) {
        drop(r, body);
    } else if (strcmp(type, "DropdbStmt") == 0) {
        add(r, LINT_ACT_DROP_DATABASE, 0, no_value, jstr(r, body, "dbname"));
    } else if (strcmp(type, "CreateSchemaStmt") == 0) {
        add(r, LINT_ACT_CREATE_SCHEMA, 0, no_value, jstr(r, body, "schemaname"));
    } else if (strcmp(type, "TruncateStmt") == 0) {
        each_relation(r, jget(body, "relations"), "RangeVar", LINT_ACT_TRUNCATE,
                      LINT_F_LOCKS_TABLE);
    } else if (strcmp(type, "DeleteStmt") == 0 || strcmp(type, "UpdateStmt") == 0) {
        unsigned flags = jget(body, "whereClause").n ? LINT_F_WHERE : 0;
        add(r, type[0] == 'D' ? LINT_ACT_DELETE : LINT_ACT_UPDATE, flags, relation, NULL);
    } else if (strcmp(type, "InsertStmt") == 0 || strcmp(type, "MergeStmt") == 0) {
        add(r, LINT_ACT_INSERT, 0, relation, NULL);
    } else if (strcmp(type, "VacuumStmt") == 0) {
        if (jtrue(body, "is_vacuumcmd") && has_option(jget(body, "options"), "full")) {
            span rels = jget(body, "rels");
            if (jfirst(rels).n == 0)
                add(r, LINT_ACT_VACUUM_FULL, LINT_F_LOCKS_TABLE, no_value, NULL);
            else
                each_relation(r, rels, "VacuumRelation", LINT_ACT_VACUUM_FULL, LINT_F_LOCKS_TABLE);
        }
    } else if (strcmp(type, "ClusterStmt") == 0) {
        add(r, LINT_ACT_CLUSTER, LINT_F_LOCKS_TABLE, relation, NULL);
    } else if (strcmp(type, "ReindexStmt") == 0) {
        bool concurrent = has_option(jget(body, "params"), "concurrently");
        add(r, LINT_ACT_REINDEX, concurrent ? LINT_F_CONCURRENT : 0, relation, NULL);
    } else if (strcmp(type, "VariableSetStmt") == 0) {
        set_variable(r, body);
    } else if (strcmp(type, "TransactionStmt") == 0) {
        if (jis(body, "kind", "TRANS_STMT_BEGIN") || jis(body, "kind", "TRANS_STMT_START"))
            add(r, LINT_ACT_BEGIN, 0, no_value, NULL);
        else if (jis(body, "kind", "TRANS_STMT_COMMIT") || jis(body, "kind", "TRANS_STMT_ROLLBACK"))
            add(r, LINT_ACT_COMMIT, 0, no_value, NULL);
    } else if (strcmp(type, "CreateRoleStmt") == 0 || strcmp(type, "AlterRoleStmt") == 0) {
        role(r, body);
        add(r, LINT_ACT_OTHER_DDL, 0, no_value, NULL);
    } else if (!in_list(not_ddl, type)) {
        add(r, LINT_ACT_OTHER_DDL, 0, no_value, NULL);
    }
}

/* Bulk statements: only the relation (and WHERE) are needed, read in one
 * pass over the node's members. */
static void read_shallow(pg_reader *r, const char *type, span body)
{
    const char *p = body.p + 1, *end = body.p + body.n;
    span key, value, relation = no_value;
    unsigned flags = 0;
    while (next_member(&p, end, &key, &value)) {
        if (span_is(key, "relation") && relation.n == 0)
            relation = value;
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
}

/* CREATE INDEX: only the relation, the name and CONCURRENTLY are read; the
 * column and expression lists (most of the node) are only skimmed past. */
static void read_index(pg_reader *r, span body)
{
    const char *p = body.p + 1, *end = body.p + body.n;
    span key, value, relation = no_value, name = no_value;
    unsigned flags = 0;
    while (next_member(&p, end, &key, &value)) {
        if (span_is(key, "relation") && relation.n == 0)
            relation = value;
        else if (span_is(key, "idxname") && name.n == 0)
            name = value;
        else if (span_is(key, "concurrent") && span_is(value, "true"))
            flags |= LINT_F_CONCURRENT;
    }
    add(r, LINT_ACT_CREATE_INDEX, flags, relation, jstring(r, name));
}

/* Subcommands that take less than an ACCESS EXCLUSIVE lock; con is the
 * constraint an ADD CONSTRAINT adds. */
static bool weak_lock(const char *subtype, const constraint_info *con)
{
    if (strcmp(subtype, "AT_ValidateConstraint") == 0 || strcmp(subtype, "AT_SetStatistics") == 0 ||
        strcmp(subtype, "AT_ClusterOn") == 0 || strcmp(subtype, "AT_DropCluster") == 0)
        return true;
    if (strcmp(subtype, "AT_AddConstraint") == 0)
        return span_is(con->contype, "\"CONSTR_FOREIGN\"");
    return false;
}

/* One AlterTableCmd of an ALTER TABLE, its body starting at p ('{'): its
 * "def" node is read only for ADD COLUMN and ADD CONSTRAINT, the two that
 * rules look into. Returns the position after the body, NULL when the
 * text is not as libpg_query writes it. */
static const char *alter_command(pg_reader *r, const char *p, const char *end, span relation,
                                 bool *exclusive)
{
    span key, value, subtype_text = no_value, name_text = no_value, def = no_value;
    unsigned if_exists = 0;
    p++;
    while (next_member(&p, end, &key, &value)) {
        if (span_is(key, "subtype"))
            subtype_text = value;
        else if (span_is(key, "name"))
            name_text = value;
        else if (span_is(key, "def"))
            def = value;
        else if (span_is(key, "missing_ok") && span_is(value, "true"))
            if_exists = LINT_F_IF_EXISTS;
    }
    p = skip_ws(p, end);
    if (p >= end || *p != '}')
        return NULL;
    p++;
    /* Subtypes are enum names ("AT_AddColumn"): quoted, never escaped. */
    char subtype[64];
    if (subtype_text.n < 2 || subtype_text.n - 2 >= sizeof(subtype) || subtype_text.p[0] != '"')
        return p;
    memcpy(subtype, subtype_text.p + 1, subtype_text.n - 2);
    subtype[subtype_text.n - 2] = '\0';
    bool add_column = strcmp(subtype, "AT_AddColumn") == 0;
    bool add_con = strcmp(subtype, "AT_AddConstraint") == 0;
    constraint_info con;
    read_constraint(add_con ? unwrap(def, "Constraint") : no_value, &con);
    const char *name = jstring(r, name_text);
    if (!weak_lock(subtype, &con))
        *exclusive = true;
    if (add_column) {
        column_def(r, unwrap(def, "ColumnDef"), relation);
    } else if (strcmp(subtype, "AT_DropColumn") == 0) {
        add(r, LINT_ACT_DROP_COLUMN, if_exists, relation, name);
    } else if (strcmp(subtype, "AT_AlterColumnType") == 0) {
        add(r, LINT_ACT_ALTER_COLUMN_TYPE, 0, relation, name);
    } else if (strcmp(subtype, "AT_SetNotNull") == 0) {
        add(r, LINT_ACT_SET_NOT_NULL, 0, relation, name);
    } else if (add_con) {
        add_constraint(r, &con, relation);
    } else if (strcmp(subtype, "AT_DropConstraint") == 0) {
        size_t n = name ? strlen(name) : 0;
        if (n > 5 && strcmp(name + n - 5, "_pkey") == 0)
            add(r, LINT_ACT_DROP_PRIMARY_KEY, 0, relation, name);
    }
    return p;
}

/* The "cmds" array of an ALTER TABLE, starting at p ('['): each
 * {"AlterTableCmd":{...}} read where it stands. Returns the position after
 * the array, NULL when the text is not as libpg_query writes it. */
static const char *alter_commands(pg_reader *r, const char *p, const char *end, span relation,
                                  bool *exclusive)
{
    static const char wrapper[] = "{\"AlterTableCmd\":{";
    const size_t wrapper_len = sizeof(wrapper) - 1;
    for (p++; !r->nomem;) {
        p = skip_ws(p, end);
        if (p < end && *p == ',')
            p = skip_ws(p + 1, end);
        if (p < end && *p == ']')
            return p + 1;
        if ((size_t)(end - p) < wrapper_len || memcmp(p, wrapper, wrapper_len) != 0) {
            /* Not a subcommand: passed over, as a reader of nodes would. */
            p = skip_value(p, end);
            if (!p)
                return NULL;
            continue;
        }
        p = alter_command(r, p + wrapper_len - 1, end, relation, exclusive);
        if (!p)
            return NULL;
        p = skip_ws(p, end);
        if (p >= end || *p != '}')
            return NULL;
        p++;
    }
    return NULL;
}

/*
 * ALTER TABLE: the relation, the object type and each subcommand, in one
 * pass. The subcommands come before the object type in the tree, so they
 * are read as those of a table, and dropped again for an ALTER TABLE that
 * turns out to be of another object (libpg_query writes ALTER INDEX,
 * VIEW, SEQUENCE... as AlterTableStmt too).
 */
static void read_alter_table(pg_reader *r, span body)
{
    const char *p = body.p + 1, *end = body.p + body.n;
    span relation = no_value, cmds = no_value;
    bool table = true, exclusive = false, added = false;
    size_t at_alter = r->st->nactions;
    for (;;) {
        p = skip_ws(p, end);
        if (p < end && *p == ',')
            p = skip_ws(p + 1, end);
        const char *k = p < end && *p == '"' ? skip_string(p, end) : NULL;
        if (!k)
            break;
        span key = {p + 1, (size_t)(k - p) - 2};
        p = skip_ws(k, end);
        if (p >= end || *p != ':')
            break;
        p = skip_ws(p + 1, end);
        /* relation comes first in libpg_query's output; were it not, the
         * subcommands would be read after the loop. */
        if (span_is(key, "cmds") && !added && relation.n && p < end && *p == '[') {
            added = true;
            if (!add(r, LINT_ACT_ALTER_TABLE, 0, relation, NULL))
                return;
            p = alter_commands(r, p, end, relation, &exclusive);
            if (!p)
                break;
            continue;
        }
        const char *v = skip_value(p, end);
        if (!v)
            break;
        span value = {p, (size_t)(v - p)};
        p = v;
        if (span_is(key, "relation") && relation.n == 0 && !added)
            relation = value;
        else if (span_is(key, "cmds") && cmds.n == 0)
            cmds = value;
        else if (span_is(key, "objtype"))
            table = span_is(value, "\"OBJECT_TABLE\"");
    }
    if (r->nomem)
        return;
    if (!table) {
        lint_stmt_drop_actions(r->st, at_alter);
        add(r, LINT_ACT_OTHER_DDL, 0, no_value, NULL);
        return;
    }
    if (!added) {
        if (!add(r, LINT_ACT_ALTER_TABLE, 0, relation, NULL))
            return;
        if (cmds.n && cmds.p[0] == '[')
            alter_commands(r, cmds.p, cmds.p + cmds.n, relation, &exclusive);
        if (r->nomem)
            return;
    }
    if (exclusive)
        r->st->actions[at_alter].flags |= LINT_F_LOCKS_TABLE;
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
            add(r, LINT_ACT_OTHER_DDL, 0, no_value, NULL);
        return;
    }
    read_node(r, type, body);
}

/* One element of the tree's "stmts" array: {"stmt":{"Type":{...}},
 * "stmt_location":N,"stmt_len":M}, location and length left out when 0. */
typedef struct tree_stmt {
    long loc;
    long len;
    span type; /* the node's type name; NULL p when there is none */
    span body;
} tree_stmt;

/* The first statement of a parse tree {"version":N,"stmts":[...]}: going
 * straight to the array, each statement's bytes are skimmed once instead of
 * once per nesting level. *p is then where the next statement is read. */
static bool first_tree_stmt(const char **p, const char *tree, const char *end)
{
    const char *s = strstr(tree, "\"stmts\":");
    if (!s)
        return false;
    s = skip_ws(s + 8, end);
    if (s >= end || *s != '[')
        return false;
    *p = s + 1;
    return true;
}

static bool next_tree_stmt(const char **pos, const char *end, tree_stmt *ts)
{
    const char *p = skip_ws(*pos, end);
    if (p < end && *p == ',')
        p = skip_ws(p + 1, end);
    if (p >= end || *p != '{')
        return false;
    p++;
    span k, v;
    memset(ts, 0, sizeof(*ts));
    while (next_member(&p, end, &k, &v)) {
        if (span_is(k, "stmt_location")) {
            ts->loc = strtol(v.p, NULL, 10);
        } else if (span_is(k, "stmt_len")) {
            ts->len = strtol(v.p, NULL, 10);
        } else if (span_is(k, "stmt") && v.p[0] == '{') {
            const char *s = v.p + 1;
            if (!next_member(&s, v.p + v.n, &ts->type, &ts->body))
                ts->type.p = NULL;
        }
    }
    p = skip_ws(p, end);
    if (p < end && *p == '}')
        p++;
    *pos = p;
    return true;
}

/* Adds the actions of one tree statement to st. Returns 0 or
 * DBSHIFT_ENOMEM. */
static int read_tree_stmt(lint_stmt *st, const tree_stmt *ts)
{
    if (!ts->type.p || ts->body.n == 0 || ts->body.p[0] != '{')
        return 0;
    pg_reader r = {st, 0, NULL, 0, 0};
    read_statement(&r, ts->type, ts->body);
    reader_release(&r);
    return r.nomem ? DBSHIFT_ENOMEM : 0;
}

/* Adds the statements of a parse tree; base is where the parsed text starts
 * in the section, only (when set) the statement all of them belong to.
 * Returns 0 or DBSHIFT_ENOMEM. */
static int add_tree(lint_stmts *out, const char *tree, size_t base, size_t text_len,
                    lint_stmt *only)
{
    const char *end = tree + strlen(tree), *p;
    tree_stmt ts;
    if (!first_tree_stmt(&p, tree, end))
        return 0;
    while (next_tree_stmt(&p, end, &ts)) {
        lint_stmt *st = only;
        if (!st) {
            size_t offset = base + (size_t)(ts.loc > 0 ? ts.loc : 0);
            if (offset > text_len)
                offset = text_len;
            /* The last statement's length is 0: up to the end of the text. */
            size_t n = ts.len > 0 ? (size_t)ts.len : text_len - offset;
            st = lint_stmts_add(out, offset, n);
            if (!st)
                return DBSHIFT_ENOMEM;
        }
        int rc = read_tree_stmt(st, &ts);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The action of a statement the pre-pass recognised, the same the tree
 * path gives it. Returns 0 or DBSHIFT_ENOMEM. */
static int add_shaped(lint_stmt *st, const lint_pg_shape_info *info)
{
    int kind;
    switch (info->shape) {
    case LINT_PG_OTHER_DDL:
        return lint_stmt_add_action(st, LINT_ACT_OTHER_DDL, 0, NULL, NULL, NULL) ? 0
                                                                                 : DBSHIFT_ENOMEM;
    case LINT_PG_CREATE_TABLE:
        kind = LINT_ACT_CREATE_TABLE;
        break;
    case LINT_PG_INSERT:
        kind = LINT_ACT_INSERT;
        break;
    default:
        return 0;
    }
    const char *schema = info->schema[0] ? info->schema : NULL;
    const char *table = info->table[0] ? info->table : NULL;
    return lint_stmt_add_action(st, kind, 0, schema, table, NULL) ? 0 : DBSHIFT_ENOMEM;
}

/* Parses one statement alone (text[offset..offset+len)). With shapes, a
 * statement the pre-pass recognises is only checked by the parser, not
 * turned into a tree, when the parser finds exactly that one statement. */
static int read_one(lint_stmts *out, const char *text, size_t offset, size_t len, bool shapes)
{
    lint_stmt *st = lint_stmts_add(out, offset, len);
    if (!st)
        return DBSHIFT_ENOMEM;
    char *copy = strndup(text + offset, len);
    if (!copy)
        return DBSHIFT_ENOMEM;
    int rc = 0;
    lint_pg_shape_info info;
    info.shape = LINT_PG_TREE;
    if (shapes)
        rc = lint_pg_shape(&info, copy, strlen(copy));
    if (rc == 0 && info.shape != LINT_PG_TREE) {
        PgQuerySplitResult split = pg_query_split_with_parser(copy);
        bool done = true;
        if (split.error) {
            st->not_analysed = true;
            st->parse_error = xstrdup(split.error->message);
            if (!st->parse_error)
                rc = DBSHIFT_ENOMEM;
        } else if (split.n_stmts == (info.shape == LINT_PG_EMPTY ? 0 : 1)) {
            rc = add_shaped(st, &info);
        } else {
            done = false;
        }
        pg_query_free_split_result(split);
        if (done) {
            free(copy);
            return rc;
        }
    }
    if (rc < 0) {
        free(copy);
        return rc;
    }
    PgQueryParseResult res = pg_query_parse(copy);
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

/* A statement of the section as the pre-pass cut it. */
typedef struct piece {
    size_t offset; /* in the section: after the previous ';' */
    size_t len;    /* up to its own ';' or the end */
    size_t stmt;   /* its statement in out; unused when empty */
    lint_pg_shape_info info;
} piece;

typedef struct pieces {
    size_t count;
    size_t cap;
    piece *items;
} pieces;

static piece *pieces_add(pieces *ps)
{
    if (array_reserve(&ps->items, &ps->cap, ps->count + 1, sizeof(*ps->items)) != 0)
        return NULL;
    return &ps->items[ps->count++];
}

/* Joins the pieces whose shape is (tree) or is not (!tree) LINT_PG_TREE,
 * with ';' between them, into a new NUL-terminated text; at[k] receives
 * where piece k starts in it. NULL when out of memory. */
static char *join_pieces(const pieces *ps, const char *text, bool tree, size_t *at)
{
    size_t n = 0;
    for (size_t k = 0; k < ps->count; k++) {
        if ((ps->items[k].info.shape == LINT_PG_TREE) == tree)
            n += ps->items[k].len + 1;
    }
    char *joined = malloc(n + 1);
    if (!joined)
        return NULL;
    size_t o = 0;
    for (size_t k = 0; k < ps->count; k++) {
        const piece *pc = &ps->items[k];
        if ((pc->info.shape == LINT_PG_TREE) != tree)
            continue;
        if (o > 0)
            joined[o++] = ';';
        at[k] = o;
        memcpy(joined + o, text + pc->offset, pc->len);
        o += pc->len;
    }
    joined[o] = '\0';
    return joined;
}

/* The checked text: the parser must find the non-empty recognised pieces,
 * each where it was put. */
static bool check_shaped(const pieces *ps, const char *checked, const size_t *at)
{
    PgQuerySplitResult split = pg_query_split_with_parser(checked);
    bool ok = !split.error;
    int i = 0;
    for (size_t k = 0; ok && k < ps->count; k++) {
        const piece *pc = &ps->items[k];
        if (pc->info.shape == LINT_PG_TREE || pc->info.shape == LINT_PG_EMPTY)
            continue;
        ok = i < split.n_stmts && (size_t)split.stmts[i]->stmt_location == at[k] &&
             (size_t)split.stmts[i]->stmt_len == pc->len;
        i++;
    }
    ok = ok && i == split.n_stmts;
    pg_query_free_split_result(split);
    return ok;
}

/* What read_shaped and its helpers return when the section is to be read
 * the tree way instead (besides 0 and DBSHIFT_ENOMEM). */
#define READ_BY_TREES 1

/* The parsed text: its tree must hold the tree pieces, each where it was
 * put; their actions go to their statements. Returns 0, READ_BY_TREES or
 * DBSHIFT_ENOMEM. */
static int read_tree_pieces(lint_stmts *out, const pieces *ps, const char *parsed, const size_t *at)
{
    PgQueryParseResult res = pg_query_parse(parsed);
    if (res.error) {
        pg_query_free_parse_result(res);
        return READ_BY_TREES;
    }
    size_t parsed_len = strlen(parsed);
    const char *end = res.parse_tree + strlen(res.parse_tree), *p;
    tree_stmt ts;
    size_t k = 0;
    int rc = first_tree_stmt(&p, res.parse_tree, end) ? 0 : READ_BY_TREES;
    while (rc == 0 && next_tree_stmt(&p, end, &ts)) {
        while (k < ps->count && ps->items[k].info.shape != LINT_PG_TREE)
            k++;
        size_t n = k < ps->count && ts.len <= 0 ? parsed_len - at[k] : (size_t)ts.len;
        if (k == ps->count || ts.loc < 0 || (size_t)ts.loc != at[k] || n != ps->items[k].len)
            rc = READ_BY_TREES;
        else
            rc = read_tree_stmt(&out->items[ps->items[k++].stmt], &ts);
    }
    while (rc == 0 && k < ps->count && ps->items[k].info.shape != LINT_PG_TREE)
        k++;
    if (rc == 0 && k != ps->count)
        rc = READ_BY_TREES;
    pg_query_free_parse_result(res);
    return rc;
}

/* Checks the recognised pieces and, when there are others, reads those from
 * their tree. Returns 0, READ_BY_TREES or DBSHIFT_ENOMEM. */
static int check_and_parse(lint_stmts *out, const pieces *ps, const char *text, size_t ntree)
{
    size_t *at = malloc(ps->count * sizeof(*at));
    if (!at)
        return DBSHIFT_ENOMEM;
    int rc;
    if (ntree == 0) {
        /* All pieces recognised: joined, they are the section itself. */
        for (size_t k = 0; k < ps->count; k++)
            at[k] = ps->items[k].offset;
        rc = check_shaped(ps, text, at) ? 0 : READ_BY_TREES;
    } else {
        char *checked = join_pieces(ps, text, false, at);
        char *parsed = join_pieces(ps, text, true, at);
        if (!checked || !parsed)
            rc = DBSHIFT_ENOMEM;
        else if (!check_shaped(ps, checked, at))
            rc = READ_BY_TREES;
        else
            rc = read_tree_pieces(out, ps, parsed, at);
        free(checked);
        free(parsed);
    }
    free(at);
    return rc;
}

/*
 * The section read through the pre-pass. The text is cut at its ';' and
 * each piece's shape taken; the recognised pieces are joined (with ';'
 * between them, empty ones included) into one text that the parser only
 * checks, the others into one text it turns into a tree. The parser must
 * find in each text exactly the statements of the cut, at the same
 * offsets: then every cut was at a real ';', every piece parses alone as it
 * would in the section (statements are separate in Postgres' grammar), and
 * the tree of the section would have had the same statements with the same
 * ranges. Anything else (a syntax error, a cut the lexer got wrong, text
 * with a NUL byte) returns READ_BY_TREES with out as it was: the caller
 * reads the section the tree way, which reports errors statement by
 * statement. So does a section with nothing recognised, as there is
 * nothing to save. Returns 0, READ_BY_TREES or DBSHIFT_ENOMEM.
 */
static int read_shaped(lint_stmts *out, const char *text, size_t len)
{
    if (memchr(text, '\0', len))
        return READ_BY_TREES;
    pieces ps = {0, 0, NULL};
    size_t ntree = 0, nshaped = 0, first = out->count;
    int rc = 0;
    for (size_t pos = 0; rc == 0;) {
        size_t end = lint_pg_statement_end(text, len, pos);
        piece *pc = pieces_add(&ps);
        rc = pc ? lint_pg_shape(&pc->info, text + pos, end - pos) : DBSHIFT_ENOMEM;
        if (rc == 0) {
            pc->offset = pos;
            pc->len = end - pos;
            ntree += pc->info.shape == LINT_PG_TREE;
            nshaped += pc->info.shape != LINT_PG_TREE && pc->info.shape != LINT_PG_EMPTY;
        }
        if (rc == 0 && pc->info.shape != LINT_PG_EMPTY) {
            pc->stmt = out->count;
            if (!lint_stmts_add(out, pos, end - pos))
                rc = DBSHIFT_ENOMEM;
        }
        if (end >= len)
            break;
        pos = end + 1;
    }
    if (rc == 0 && nshaped == 0)
        rc = READ_BY_TREES;
    if (rc == 0)
        rc = check_and_parse(out, &ps, text, ntree);
    for (size_t k = 0; k < ps.count && rc == 0; k++) {
        const piece *pc = &ps.items[k];
        if (pc->info.shape != LINT_PG_TREE && pc->info.shape != LINT_PG_EMPTY)
            rc = add_shaped(&out->items[pc->stmt], &pc->info);
    }
    if (rc == READ_BY_TREES)
        lint_stmts_truncate(out, first);
    free(ps.items);
    return rc;
}

static int read_section(lint_stmts *out, const char *text, size_t len, size_t nbounds,
                        const size_t *offsets, const size_t *lens, bool shapes)
{
    int rc = 0;
    if (nbounds > 0) {
        for (size_t i = 0; i < nbounds && rc == 0; i++) {
            if (offsets[i] <= len && lens[i] <= len - offsets[i])
                rc = read_one(out, text, offsets[i], lens[i], shapes);
        }
        if (rc == 0)
            lint_stmts_locate(out, text, len);
        return rc;
    }
    if (shapes) {
        rc = read_shaped(out, text, len);
        if (rc == 0)
            lint_stmts_locate(out, text, len);
        if (rc != READ_BY_TREES)
            return rc;
        rc = 0;
    }
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
            rc = read_one(out, text, split.items[i].offset, split.items[i].len, shapes);
        sql_split_release(&split);
        dbshift_error_clear(&err);
    }
    if (rc == 0)
        lint_stmts_locate(out, text, len);
    return rc;
}

int lint_postgres_read(lint_stmts *out, const char *text, size_t len, size_t nbounds,
                       const size_t *offsets, const size_t *lens)
{
    return read_section(out, text, len, nbounds, offsets, lens, true);
}

int lint_postgres_read_trees(lint_stmts *out, const char *text, size_t len, size_t nbounds,
                             const size_t *offsets, const size_t *lens)
{
    return read_section(out, text, len, nbounds, offsets, lens, false);
}
