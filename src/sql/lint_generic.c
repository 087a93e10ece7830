/*
 * lint_generic.c - the lint front end for SQLite and MySQL/MariaDB: it
 * recognises what a statement does from its tokens (tokens.h) and describes
 * it as lint actions (lint.h). There is no full grammar here on purpose: the
 * rules only need the statement's verb, the table, and a few clause keywords,
 * and a recogniser that skips what it does not understand never blocks a
 * migration the server would accept. Anything unrecognised yields no action,
 * which makes no finding.
 */
#include "sql/lint.h"

#include "dbshift/driver.h"
#include "sql/split.h"
#include "sql/tokens.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

/* A cursor over one statement's tokens. */
typedef struct cursor {
    const sql_token *tok;
    size_t n;
    size_t i;
    const char *text;
    int dialect;
    lint_stmt *st;
    int nomem;
} cursor;

static bool at(const cursor *c, size_t k, const char *word)
{
    return c->i + k < c->n && sql_token_is(&c->tok[c->i + k], c->text, word);
}

static bool accept(cursor *c, const char *word)
{
    if (!at(c, 0, word))
        return false;
    c->i++;
    return true;
}

/* Accepts the words (NULL-terminated list) only when all of them follow. */
static bool accept_seq(cursor *c, const char *const *words)
{
    size_t k = 0;
    for (; words[k]; k++) {
        if (!at(c, k, words[k]))
            return false;
    }
    c->i += k;
    return true;
}

static const char *const if_exists[] = {"IF", "EXISTS", NULL};
static const char *const if_not_exists[] = {"IF", "NOT", "EXISTS", NULL};
static const char *const or_replace[] = {"OR", "REPLACE", NULL};

static bool punct_at(const cursor *c, size_t k, char ch)
{
    return c->i + k < c->n && c->tok[c->i + k].kind == SQL_TOK_PUNCT &&
           c->text[c->tok[c->i + k].offset] == ch;
}

static bool is_name(const cursor *c, size_t k)
{
    if (c->i + k >= c->n)
        return false;
    int kind = c->tok[c->i + k].kind;
    return kind == SQL_TOK_WORD || kind == SQL_TOK_IDENT ||
           (kind == SQL_TOK_STRING && c->dialect == DBSHIFT_DIALECT_SQLITE);
}

/* Reads [schema.]name at the cursor; *schema may come back NULL. Returns
 * false (and reads nothing) when there is no name. */
static bool read_name(cursor *c, char **schema, char **name)
{
    *schema = NULL;
    *name = NULL;
    if (!is_name(c, 0))
        return false;
    char *first = sql_token_name(&c->tok[c->i], c->text);
    c->i++;
    if (punct_at(c, 0, '.') && is_name(c, 1)) {
        *schema = first;
        *name = sql_token_name(&c->tok[c->i + 1], c->text);
        c->i += 2;
    } else {
        *name = first;
    }
    if (!first || !*name) {
        free(*schema);
        free(*name);
        *schema = *name = NULL;
        c->nomem = 1;
        return false;
    }
    return true;
}

static lint_action *add(cursor *c, int kind, unsigned flags, const char *schema, const char *table,
                        const char *name)
{
    lint_action *a = lint_stmt_add_action(c->st, kind, flags, schema, table, name);
    if (!a)
        c->nomem = 1;
    return a;
}

/* Index just past the matching ')' of the '(' at index i (or n). */
static size_t skip_parens(const cursor *c, size_t i)
{
    int depth = 0;
    for (; i < c->n; i++) {
        if (c->tok[i].kind != SQL_TOK_PUNCT)
            continue;
        char ch = c->text[c->tok[i].offset];
        if (ch == '(')
            depth++;
        else if (ch == ')' && --depth <= 0)
            return i + 1;
    }
    return c->n;
}

/* First index in [from, to) at parenthesis depth 0 holding word, or to. */
static size_t find_top(const cursor *c, size_t from, size_t to, const char *word)
{
    for (size_t i = from; i < to; i++) {
        if (c->tok[i].kind == SQL_TOK_PUNCT && c->text[c->tok[i].offset] == '(') {
            i = skip_parens(c, i) - 1;
            continue;
        }
        if (sql_token_is(&c->tok[i], c->text, word))
            return i;
    }
    return to;
}

static bool has_top(const cursor *c, size_t from, size_t to, const char *word)
{
    return find_top(c, from, to, word) < to;
}

/* End of the comma-separated clause starting at from (index of ',' or n). */
static size_t clause_end(const cursor *c, size_t from)
{
    for (size_t i = from; i < c->n; i++) {
        if (c->tok[i].kind != SQL_TOK_PUNCT)
            continue;
        char ch = c->text[c->tok[i].offset];
        if (ch == '(')
            i = skip_parens(c, i) - 1;
        else if (ch == ',' || ch == ';')
            return i;
    }
    return c->n;
}

/* Inline constraints and NOT NULL/DEFAULT of a column definition in [from, to). */
static unsigned column_flags(cursor *c, size_t from, size_t to, const char *schema,
                             const char *table)
{
    unsigned flags = 0;
    for (size_t i = from; i < to; i++) {
        const sql_token *t = &c->tok[i];
        if (t->kind == SQL_TOK_PUNCT && c->text[t->offset] == '(') {
            i = skip_parens(c, i) - 1;
            continue;
        }
        if (sql_token_is(t, c->text, "NOT") && i + 1 < to &&
            sql_token_is(&c->tok[i + 1], c->text, "NULL"))
            flags |= LINT_F_NOT_NULL;
        else if (sql_token_is(t, c->text, "DEFAULT") ||
                 sql_token_is(t, c->text, "AUTO_INCREMENT") ||
                 sql_token_is(t, c->text, "AUTOINCREMENT") ||
                 sql_token_is(t, c->text, "GENERATED") || sql_token_is(t, c->text, "AS"))
            flags |= LINT_F_DEFAULT;
        else if (sql_token_is(t, c->text, "PRIMARY"))
            add(c, LINT_ACT_ADD_PRIMARY_KEY, 0, schema, table, NULL);
        else if (sql_token_is(t, c->text, "UNIQUE"))
            add(c, LINT_ACT_ADD_UNIQUE, 0, schema, table, NULL);
        else if (sql_token_is(t, c->text, "REFERENCES"))
            add(c, LINT_ACT_ADD_FOREIGN_KEY, 0, schema, table, NULL);
        else if (sql_token_is(t, c->text, "CHECK"))
            add(c, LINT_ACT_ADD_CHECK, 0, schema, table, NULL);
    }
    return flags;
}

static void add_column(cursor *c, size_t to, const char *schema, const char *table)
{
    if (!is_name(c, 0))
        return;
    char *col = sql_token_name(&c->tok[c->i], c->text);
    if (!col) {
        c->nomem = 1;
        return;
    }
    size_t at_action = c->st->nactions;
    if (add(c, LINT_ACT_ADD_COLUMN, 0, schema, table, col)) {
        unsigned flags = column_flags(c, c->i + 1, to, schema, table);
        c->st->actions[at_action].flags |= flags;
    }
    free(col);
}

/* ADD ... in an ALTER TABLE clause [c->i, to). */
static void alter_add(cursor *c, size_t to, const char *schema, const char *table)
{
    accept(c, "COLUMN");
    if (accept(c, "CONSTRAINT")) {
        if (!at(c, 0, "PRIMARY") && !at(c, 0, "UNIQUE") && !at(c, 0, "FOREIGN") &&
            !at(c, 0, "CHECK") && is_name(c, 0))
            c->i++;
    }
    if (at(c, 0, "PRIMARY")) {
        add(c, LINT_ACT_ADD_PRIMARY_KEY, 0, schema, table, NULL);
    } else if (at(c, 0, "UNIQUE")) {
        add(c, LINT_ACT_ADD_UNIQUE, 0, schema, table, NULL);
    } else if (at(c, 0, "FOREIGN")) {
        add(c, LINT_ACT_ADD_FOREIGN_KEY, 0, schema, table, NULL);
    } else if (at(c, 0, "CHECK")) {
        add(c, LINT_ACT_ADD_CHECK, 0, schema, table, NULL);
    } else if (at(c, 0, "INDEX") || at(c, 0, "KEY") || at(c, 0, "FULLTEXT") ||
               at(c, 0, "SPATIAL")) {
        c->i++;
        accept(c, "INDEX");
        accept(c, "KEY");
        char *name =
            is_name(c, 0) && !punct_at(c, 0, '(') ? sql_token_name(&c->tok[c->i], c->text) : NULL;
        add(c, LINT_ACT_CREATE_INDEX, 0, schema, table, name);
        free(name);
    } else if (punct_at(c, 0, '(')) {
        /* MySQL: ADD (col def, col def). */
        size_t close = skip_parens(c, c->i);
        c->i++;
        while (c->i < close && !c->nomem) {
            size_t end = clause_end(c, c->i);
            if (end > close - 1)
                end = close - 1;
            add_column(c, end, schema, table);
            c->i = end + 1;
        }
    } else {
        accept_seq(c, if_not_exists);
        add_column(c, to, schema, table);
    }
}

static void alter_drop(cursor *c, const char *schema, const char *table)
{
    if (at(c, 0, "PRIMARY")) {
        add(c, LINT_ACT_DROP_PRIMARY_KEY, 0, schema, table, NULL);
        return;
    }
    if (accept(c, "INDEX") || accept(c, "KEY")) {
        char *name = is_name(c, 0) ? sql_token_name(&c->tok[c->i], c->text) : NULL;
        add(c, LINT_ACT_DROP_INDEX, 0, schema, table, name);
        free(name);
        return;
    }
    if (at(c, 0, "FOREIGN") || at(c, 0, "CONSTRAINT") || at(c, 0, "CHECK") || at(c, 0, "PARTITION"))
        return;
    accept(c, "COLUMN");
    unsigned flags = 0;
    if (accept_seq(c, if_exists))
        flags |= LINT_F_IF_EXISTS;
    if (!is_name(c, 0))
        return;
    char *col = sql_token_name(&c->tok[c->i], c->text);
    if (!col) {
        c->nomem = 1;
        return;
    }
    add(c, LINT_ACT_DROP_COLUMN, flags, schema, table, col);
    free(col);
}

static void alter_rename(cursor *c, const char *schema, const char *table)
{
    if (at(c, 0, "INDEX") || at(c, 0, "KEY"))
        return;
    if (accept(c, "COLUMN") || (is_name(c, 0) && at(c, 1, "TO") && !at(c, 0, "TO"))) {
        if (!is_name(c, 0) || !at(c, 1, "TO") || !is_name(c, 2))
            return;
        char *from = sql_token_name(&c->tok[c->i], c->text);
        char *to = sql_token_name(&c->tok[c->i + 2], c->text);
        lint_action *a = from && to ? add(c, LINT_ACT_RENAME_COLUMN, 0, schema, table, from) : NULL;
        if (a)
            a->new_name = to;
        else
            free(to);
        if (!from || !to)
            c->nomem = 1;
        free(from);
        return;
    }
    if (!accept(c, "TO"))
        accept(c, "AS");
    char *to_schema, *to;
    if (read_name(c, &to_schema, &to))
        add(c, LINT_ACT_RENAME_TABLE, 0, schema, table, to);
    free(to_schema);
    free(to);
}

/* MySQL CHANGE old new def / MODIFY col def. */
static void alter_redefine(cursor *c, size_t to, bool change, const char *schema, const char *table)
{
    accept(c, "COLUMN");
    if (!is_name(c, 0))
        return;
    char *col = sql_token_name(&c->tok[c->i], c->text);
    if (!col) {
        c->nomem = 1;
        return;
    }
    if (change && is_name(c, 1)) {
        char *to_col = sql_token_name(&c->tok[c->i + 1], c->text);
        if (!to_col) {
            c->nomem = 1;
        } else if (strcmp(col, to_col) != 0) {
            lint_action *a = add(c, LINT_ACT_RENAME_COLUMN, 0, schema, table, col);
            if (a) {
                a->new_name = to_col;
                to_col = NULL;
            }
        }
        free(to_col);
    }
    (void)to;
    add(c, LINT_ACT_ALTER_COLUMN_TYPE, 0, schema, table, col);
    free(col);
}

static void alter_table(cursor *c)
{
    accept(c, "ONLINE");
    accept(c, "IGNORE");
    accept(c, "TABLE");
    accept_seq(c, if_exists);
    char *schema, *table;
    if (!read_name(c, &schema, &table))
        return;
    unsigned flags = 0;
    if (has_top(c, c->i, c->n, "ALGORITHM") || has_top(c, c->i, c->n, "LOCK"))
        flags |= LINT_F_ALGORITHM;
    add(c, LINT_ACT_ALTER_TABLE, flags, schema, table, NULL);
    while (c->i < c->n && !c->nomem) {
        size_t end = clause_end(c, c->i);
        if (accept(c, "ADD"))
            alter_add(c, end, schema, table);
        else if (accept(c, "DROP"))
            alter_drop(c, schema, table);
        else if (accept(c, "RENAME"))
            alter_rename(c, schema, table);
        else if (accept(c, "CHANGE"))
            alter_redefine(c, end, true, schema, table);
        else if (accept(c, "MODIFY"))
            alter_redefine(c, end, false, schema, table);
        c->i = end + 1;
    }
    free(schema);
    free(table);
}

static void create(cursor *c)
{
    accept_seq(c, or_replace);
    if (!accept(c, "TEMP"))
        accept(c, "TEMPORARY");
    if (accept(c, "TABLE")) {
        accept_seq(c, if_not_exists);
        char *schema, *table;
        if (read_name(c, &schema, &table))
            add(c, LINT_ACT_CREATE_TABLE, 0, schema, table, NULL);
        free(schema);
        free(table);
        return;
    }
    if (!accept(c, "UNIQUE") && !accept(c, "FULLTEXT"))
        accept(c, "SPATIAL");
    if (accept(c, "INDEX")) {
        accept_seq(c, if_not_exists);
        char *index = NULL;
        if (!at(c, 0, "ON") && is_name(c, 0)) {
            char *ischema;
            read_name(c, &ischema, &index);
            free(ischema);
        }
        size_t on = find_top(c, c->i, c->n, "ON");
        c->i = on + 1;
        char *schema, *table;
        if (on < c->n && read_name(c, &schema, &table)) {
            unsigned flags = 0;
            if (has_top(c, c->i, c->n, "ALGORITHM") || has_top(c, c->i, c->n, "LOCK"))
                flags |= LINT_F_ALGORITHM;
            add(c, LINT_ACT_CREATE_INDEX, flags, schema, table, index);
            free(schema);
            free(table);
        }
        free(index);
        return;
    }
    if (accept(c, "SCHEMA") || accept(c, "DATABASE")) {
        accept_seq(c, if_not_exists);
        char *schema, *name;
        if (read_name(c, &schema, &name))
            add(c, LINT_ACT_CREATE_SCHEMA, 0, NULL, NULL, name);
        free(schema);
        free(name);
        return;
    }
    add(c, LINT_ACT_OTHER_DDL, 0, NULL, NULL, NULL);
}

static void drop(cursor *c)
{
    accept(c, "TEMPORARY");
    int kind = 0;
    if (accept(c, "TABLE"))
        kind = LINT_ACT_DROP_TABLE;
    else if (accept(c, "INDEX"))
        kind = LINT_ACT_DROP_INDEX;
    else if (accept(c, "SCHEMA"))
        kind = LINT_ACT_DROP_SCHEMA;
    else if (accept(c, "DATABASE"))
        kind = LINT_ACT_DROP_DATABASE;
    if (!kind) {
        add(c, LINT_ACT_OTHER_DDL, 0, NULL, NULL, NULL);
        return;
    }
    unsigned flags = 0;
    if (accept_seq(c, if_exists))
        flags |= LINT_F_IF_EXISTS;
    while (c->i < c->n && !c->nomem) {
        char *schema, *name;
        if (!read_name(c, &schema, &name))
            break;
        if (kind == LINT_ACT_DROP_TABLE) {
            add(c, kind, flags, schema, name, NULL);
        } else if (kind == LINT_ACT_DROP_INDEX) {
            /* MySQL names the table: DROP INDEX i ON t. */
            char *tschema = NULL, *table = NULL;
            if (accept(c, "ON"))
                read_name(c, &tschema, &table);
            add(c, kind, flags, tschema, table, name);
            free(tschema);
            free(table);
        } else {
            add(c, kind, flags, NULL, NULL, name);
        }
        free(schema);
        free(name);
        if (!punct_at(c, 0, ','))
            break;
        c->i++;
    }
}

/* A statement whose target table follows FROM/INTO/the verb at the cursor. */
static void data_change(cursor *c, int kind)
{
    static const char *const modifiers[] = {"LOW_PRIORITY", "QUICK", "IGNORE", "DELAYED",
                                            "HIGH_PRIORITY"};
    size_t start = c->i;
    if (accept(c, "OR") && c->i < c->n)
        c->i++; /* OR REPLACE / OR IGNORE ... */
    for (size_t k = 0; k < sizeof(modifiers) / sizeof(modifiers[0]); k++)
        accept(c, modifiers[k]);
    if (kind == LINT_ACT_DELETE) {
        size_t from = find_top(c, c->i, c->n, "FROM");
        c->i = from < c->n ? from + 1 : c->i;
    } else if (kind == LINT_ACT_INSERT) {
        accept(c, "INTO");
    }
    char *schema, *table;
    if (!read_name(c, &schema, &table))
        return;
    unsigned flags = has_top(c, start, c->n, "WHERE") ? LINT_F_WHERE : 0;
    add(c, kind, flags, schema, table, NULL);
    free(schema);
    free(table);
}

/* MySQL user statements: IDENTIFIED [WITH plugin] BY 'literal'. */
static void user_password(cursor *c)
{
    for (size_t i = c->i; i + 1 < c->n; i++) {
        if (sql_token_is(&c->tok[i], c->text, "BY") && c->tok[i + 1].kind == SQL_TOK_STRING) {
            add(c, LINT_ACT_PASSWORD_LITERAL, 0, NULL, NULL, NULL);
            return;
        }
    }
}

static void rename_tables(cursor *c)
{
    accept(c, "TABLE");
    while (c->i < c->n && !c->nomem) {
        char *schema, *table, *to_schema, *to;
        if (!read_name(c, &schema, &table))
            break;
        if (accept(c, "TO") && read_name(c, &to_schema, &to)) {
            add(c, LINT_ACT_RENAME_TABLE, 0, schema, table, to);
            free(to_schema);
            free(to);
        }
        free(schema);
        free(table);
        if (!punct_at(c, 0, ','))
            break;
        c->i++;
    }
}

static void dispatch(cursor *c)
{
    if (accept(c, "WITH")) {
        /* The CTE bodies are in parentheses: the verb is the first top-level
         * DELETE, UPDATE or INSERT after them. */
        static const char *const verbs[] = {"DELETE", "UPDATE", "INSERT", "REPLACE"};
        size_t best = c->n;
        for (size_t k = 0; k < 4; k++) {
            size_t at_verb = find_top(c, c->i, c->n, verbs[k]);
            if (at_verb < best)
                best = at_verb;
        }
        if (best == c->n)
            return;
        c->i = best;
    }
    if (accept(c, "CREATE")) {
        if (at(c, 0, "USER")) {
            user_password(c);
            add(c, LINT_ACT_OTHER_DDL, 0, NULL, NULL, NULL);
        } else {
            create(c);
        }
    } else if (accept(c, "ALTER")) {
        if (at(c, 0, "USER")) {
            user_password(c);
        } else if (at(c, 0, "TABLE") || at(c, 1, "TABLE") || at(c, 2, "TABLE")) {
            alter_table(c);
        } else {
            add(c, LINT_ACT_OTHER_DDL, 0, NULL, NULL, NULL);
        }
    } else if (accept(c, "DROP")) {
        drop(c);
    } else if (accept(c, "RENAME")) {
        rename_tables(c);
    } else if (accept(c, "TRUNCATE")) {
        accept(c, "TABLE");
        char *schema, *table;
        if (read_name(c, &schema, &table))
            add(c, LINT_ACT_TRUNCATE, 0, schema, table, NULL);
        free(schema);
        free(table);
    } else if (accept(c, "DELETE")) {
        data_change(c, LINT_ACT_DELETE);
    } else if (accept(c, "UPDATE")) {
        data_change(c, LINT_ACT_UPDATE);
    } else if (accept(c, "INSERT") || accept(c, "REPLACE")) {
        data_change(c, LINT_ACT_INSERT);
    } else if (accept(c, "PRAGMA")) {
        char *schema, *name;
        if (read_name(c, &schema, &name) && strcmp(name, "foreign_keys") == 0)
            add(c, LINT_ACT_PRAGMA_FOREIGN_KEYS, 0, NULL, NULL, NULL);
        free(schema);
        free(name);
    } else if (at(c, 0, "BEGIN") || (at(c, 0, "START") && at(c, 1, "TRANSACTION"))) {
        add(c, LINT_ACT_BEGIN, 0, NULL, NULL, NULL);
    } else if (at(c, 0, "COMMIT") || at(c, 0, "END") ||
               (at(c, 0, "ROLLBACK") && !has_top(c, c->i, c->n, "TO"))) {
        add(c, LINT_ACT_COMMIT, 0, NULL, NULL, NULL);
    } else if (accept(c, "GRANT")) {
        user_password(c);
    } else if (at(c, 0, "SET") && at(c, 1, "PASSWORD")) {
        for (size_t i = c->i; i < c->n; i++) {
            if (c->tok[i].kind == SQL_TOK_STRING) {
                add(c, LINT_ACT_PASSWORD_LITERAL, 0, NULL, NULL, NULL);
                break;
            }
        }
    }
}

int lint_generic_statement(lint_stmt *st, const char *sql, size_t len, int dialect)
{
    sql_tokens tokens;
    memset(&tokens, 0, sizeof(tokens));
    if (sql_tokens_scan(&tokens, sql, len, dialect) < 0) {
        sql_tokens_release(&tokens);
        return DBSHIFT_ENOMEM;
    }
    cursor c = {tokens.items, tokens.count, 0, sql, dialect, st, 0};
    dispatch(&c);
    sql_tokens_release(&tokens);
    return c.nomem ? DBSHIFT_ENOMEM : 0;
}

int lint_generic_read(lint_stmts *out, const char *text, size_t len, int dialect, size_t nbounds,
                      const size_t *offsets, const size_t *lens)
{
    if (nbounds > 0) {
        for (size_t i = 0; i < nbounds; i++) {
            if (offsets[i] > len || lens[i] > len - offsets[i])
                continue;
            if (!lint_stmts_add(out, offsets[i], lens[i]))
                return DBSHIFT_ENOMEM;
        }
    } else {
        sql_split split;
        dbshift_error err;
        memset(&split, 0, sizeof(split));
        memset(&err, 0, sizeof(err));
        int rc = sql_split_text(&split, text, len, dialect, &err);
        if (rc == DBSHIFT_ENOMEM) {
            dbshift_error_clear(&err);
            return rc;
        }
        if (rc < 0) {
            /* The runner will refuse this section with the splitter's error;
             * lint says it could not look inside. */
            lint_stmt *st = lint_stmts_add(out, 0, len);
            if (!st) {
                dbshift_error_clear(&err);
                return DBSHIFT_ENOMEM;
            }
            st->not_analysed = true;
            st->parse_error = xstrdup(err.message ? err.message : "the text could not be split");
            dbshift_error_clear(&err);
            lint_stmts_locate(out, text, len);
            return st->parse_error ? 0 : DBSHIFT_ENOMEM;
        }
        for (size_t i = 0; i < split.count; i++) {
            if (!lint_stmts_add(out, split.items[i].offset, split.items[i].len)) {
                sql_split_release(&split);
                return DBSHIFT_ENOMEM;
            }
        }
        sql_split_release(&split);
    }
    lint_stmts_locate(out, text, len);
    for (size_t i = 0; i < out->count; i++) {
        lint_stmt *st = &out->items[i];
        int rc = lint_generic_statement(st, text + st->offset, st->len, dialect);
        if (rc < 0)
            return rc;
    }
    return 0;
}
