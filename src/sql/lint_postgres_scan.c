/*
 * lint_postgres_scan.c - the Postgres front end's pre-pass: it cuts a
 * section at its ';' by Postgres' lexical rules and tells, from the leading
 * words of each statement, what the statement does when those words are
 * enough (a view, a function, CREATE TABLE name ...).
 *
 * Why: turning a statement into libpg_query's JSON tree and skimming that
 * tree costs more than parsing it, and most of the text of real migrations
 * (view and function bodies, column lists, VALUES rows) is text no rule
 * reads. lint_postgres.c still has every statement parsed by libpg_query,
 * so a syntax error is found exactly as before; only the JSON is skipped
 * for the statements this file recognises. Nothing here has to be right for
 * the findings to be right: lint_postgres.c checks the parser's statement
 * boundaries against this file's cut and reads every section the slow way
 * when they differ. Being wrong only costs time.
 *
 * The lexer knows what can hide a ';' or a keyword: whitespace, -- and
 * nested block comments, '...' strings (E'...' with backslash escapes),
 * "..." identifiers, $tag$...$tag$ dollar quotes, and words (letters,
 * digits, _, $ and bytes >= 0x80, as the server's scanner reads them).
 */
#include "sql/lint.h"

#include <stdint.h>
#include <string.h>

enum tok_kind {
    TOK_END = 0, /* end of the statement */
    TOK_WORD,    /* keyword or bare identifier */
    TOK_QIDENT,  /* "quoted identifier" */
    TOK_STRING,  /* any string constant, dollar quotes included */
    TOK_NUMBER,
    TOK_SEMI,
    TOK_PUNCT, /* one byte of anything else */
};

typedef struct tok {
    int kind;
    size_t offset;
    size_t len;
} tok;

static bool ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool ident_cont(unsigned char c)
{
    return ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

/* Past the quote closing a run opened at s[i]; a doubled quote stays
 * inside, and with backslash (E'...') a backslash escapes the next byte.
 * len when the text ends first. */
static size_t skip_quoted(const char *s, size_t len, size_t i, char quote, bool backslash)
{
    size_t j = i + 1;
    while (j < len) {
        if (!backslash) {
            const char *q = memchr(s + j, quote, len - j);
            if (!q)
                return len;
            j = (size_t)(q - s);
        } else if (s[j] == '\\') {
            j += 2;
            continue;
        } else if (s[j] != quote) {
            j++;
            continue;
        }
        if (j + 1 < len && s[j + 1] == quote) {
            j += 2;
            continue;
        }
        return j + 1;
    }
    return len;
}

/* The length of the $tag$ opening a dollar quote at s[i], or 0 when s[i]
 * opens none (a parameter $1, or a lone $). */
static size_t dollar_tag(const char *s, size_t len, size_t i)
{
    size_t j = i + 1;
    if (j < len && ident_start((unsigned char)s[j])) {
        for (j++; j < len && ident_cont((unsigned char)s[j]) && s[j] != '$'; j++)
            ;
    }
    return j < len && s[j] == '$' ? j + 1 - i : 0;
}

/* Past the tag closing the dollar quote whose tag (tag_len bytes) opens at
 * s[i]; len when the text ends first. */
static size_t skip_dollar(const char *s, size_t len, size_t i, size_t tag_len)
{
    size_t k = i + tag_len;
    while (k + tag_len <= len) {
        const char *d = memchr(s + k, '$', len - k);
        if (!d)
            return len;
        k = (size_t)(d - s);
        if (k + tag_len <= len && memcmp(s + k, s + i, tag_len) == 0)
            return k + tag_len;
        k++;
    }
    return len;
}

/* Past whitespace and comments from i (an unterminated block comment runs
 * to the end, as it would swallow the rest for the server too). */
static size_t skip_space(const char *s, size_t len, size_t i)
{
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            i++;
        } else if (c == '-' && i + 1 < len && s[i + 1] == '-') {
            /* The server ends a -- comment at \n or \r. */
            for (i += 2; i < len && s[i] != '\n' && s[i] != '\r'; i++)
                ;
        } else if (c == '/' && i + 1 < len && s[i + 1] == '*') {
            int depth = 1;
            for (i += 2; i < len && depth > 0; i++) {
                if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
                    depth++;
                    i++;
                } else if (s[i] == '*' && i + 1 < len && s[i + 1] == '/') {
                    depth--;
                    i++;
                }
            }
        } else {
            break;
        }
    }
    return i;
}

/* Reads the token at or after *pos in s[0..len). */
static tok next_tok(const char *s, size_t len, size_t *pos)
{
    size_t i = skip_space(s, len, *pos);
    tok t = {TOK_END, i, 0};
    if (i >= len) {
        *pos = len;
        return t;
    }
    unsigned char c = (unsigned char)s[i];
    size_t end = i + 1;
    if (ident_start(c)) {
        while (end < len && ident_cont((unsigned char)s[end]))
            end++;
        t.kind = TOK_WORD;
        /* E'...': the one string form where a backslash escapes. */
        if (end == i + 1 && (c == 'e' || c == 'E') && end < len && s[end] == '\'') {
            t.kind = TOK_STRING;
            end = skip_quoted(s, len, end, '\'', true);
        }
    } else if (c >= '0' && c <= '9') {
        while (end < len && ((s[end] >= '0' && s[end] <= '9') || s[end] == '.'))
            end++;
        t.kind = TOK_NUMBER;
    } else if (c == '\'') {
        t.kind = TOK_STRING;
        end = skip_quoted(s, len, i, '\'', false);
    } else if (c == '"') {
        t.kind = TOK_QIDENT;
        end = skip_quoted(s, len, i, '"', false);
    } else if (c == '$') {
        size_t tag_len = dollar_tag(s, len, i);
        if (tag_len > 0) {
            t.kind = TOK_STRING;
            end = skip_dollar(s, len, i, tag_len);
        } else {
            while (end < len && s[end] >= '0' && s[end] <= '9')
                end++;
            t.kind = TOK_NUMBER;
        }
    } else {
        t.kind = c == ';' ? TOK_SEMI : TOK_PUNCT;
    }
    t.len = end - i;
    *pos = end;
    return t;
}

/* Bytes that may begin something a ';' can hide in, or the ';' itself. */
static const unsigned char cut_special[256] = {
    ['\''] = 1, ['"'] = 1, ['$'] = 1, ['-'] = 1, ['/'] = 1, [';'] = 1,
};

/* The cut is on the path of every statement, so it does not build tokens:
 * it runs over ordinary bytes and looks back one or two bytes to tell E'...'
 * from '...' and a dollar quote from a $ inside a word. */
size_t lint_pg_statement_end(const char *text, size_t len, size_t pos)
{
    const char *s = text;
    size_t i = pos;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (!cut_special[c]) {
            i++;
            continue;
        }
        if (c == ';')
            return i;
        if (c == '\'') {
            bool escapes = i > 0 && (s[i - 1] == 'e' || s[i - 1] == 'E') &&
                           (i < 2 || !ident_cont((unsigned char)s[i - 2]));
            i = skip_quoted(s, len, i, '\'', escapes);
        } else if (c == '"') {
            i = skip_quoted(s, len, i, '"', false);
        } else if (c == '$') {
            size_t tag_len =
                i > 0 && ident_cont((unsigned char)s[i - 1]) ? 0 : dollar_tag(s, len, i);
            i = tag_len ? skip_dollar(s, len, i, tag_len) : i + 1;
        } else if (i + 1 < len &&
                   ((c == '-' && s[i + 1] == '-') || (c == '/' && s[i + 1] == '*'))) {
            i = skip_space(s, len, i);
        } else {
            i++;
        }
    }
    return len;
}

/* --- Recognising statements ------------------------------------------- */

/* A statement's tokens, read on demand. */
typedef struct cursor {
    const char *s;
    size_t len;
    size_t pos;
    tok cur;
} cursor;

static void advance(cursor *c)
{
    c->cur = next_tok(c->s, c->len, &c->pos);
}

/* True when the current token is the bare word kw (uppercase ASCII). */
static bool is_word(const cursor *c, const char *kw)
{
    if (c->cur.kind != TOK_WORD)
        return false;
    const char *w = c->s + c->cur.offset;
    size_t n = c->cur.len;
    for (size_t i = 0; i < n; i++) {
        char ch = w[i];
        if (ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        if (kw[i] != ch)
            return false;
    }
    return kw[n] == '\0';
}

static bool accept(cursor *c, const char *kw)
{
    if (!is_word(c, kw))
        return false;
    advance(c);
    return true;
}

static bool is_punct(const cursor *c, char p)
{
    return c->cur.kind == TOK_PUNCT && c->s[c->cur.offset] == p;
}

/*
 * The name the current token stands for, as the server's scanner makes it:
 * a bare word lowercased (ASCII only, as in a UTF-8 database; keywords are
 * ASCII), a quoted identifier with its doubled quotes folded. False when
 * the token is no name or one this file leaves to the parser: a name of
 * LINT_PG_NAME_MAX bytes or more (the server truncates it, with a notice)
 * or U&"..." with its escapes.
 */
static bool take_name(cursor *c, char out[LINT_PG_NAME_MAX])
{
    const char *w = c->s + c->cur.offset;
    size_t n = c->cur.len, k = 0;
    if (c->cur.kind == TOK_WORD) {
        if (n >= LINT_PG_NAME_MAX)
            return false;
        if (n == 1 && (w[0] == 'u' || w[0] == 'U') && c->cur.offset + 1 < c->len &&
            c->s[c->cur.offset + 1] == '&')
            return false;
        for (; k < n; k++)
            out[k] = (char)(w[k] >= 'A' && w[k] <= 'Z' ? w[k] - 'A' + 'a' : w[k]);
    } else if (c->cur.kind == TOK_QIDENT) {
        if (n < 3 || w[n - 1] != '"')
            return false;
        for (size_t j = 1; j + 1 < n; j++) {
            if (k + 1 >= LINT_PG_NAME_MAX)
                return false;
            out[k++] = w[j];
            if (w[j] == '"')
                j++;
        }
    } else {
        return false;
    }
    out[k] = '\0';
    advance(c);
    return true;
}

/* [schema .] name into info's schema and table; a name of three parts
 * (catalog.schema.name) is left to the parser. */
static bool take_qualified_name(cursor *c, lint_pg_shape_info *info)
{
    if (!take_name(c, info->table))
        return false;
    if (!is_punct(c, '.'))
        return true;
    advance(c);
    memcpy(info->schema, info->table, sizeof(info->schema));
    if (!take_name(c, info->table))
        return false;
    return !is_punct(c, '.');
}

/* UPDATE and DELETE: the relation (ONLY name, ONLY (name), name) and
 * whether a WHERE clause follows. A WHERE inside parentheses belongs to a
 * subquery; one outside can only be the statement's own, WHERE being a
 * reserved word that no alias or bare column can take. */
static bool take_target(cursor *c, lint_pg_shape_info *info)
{
    bool paren = false;
    if (accept(c, "ONLY") && is_punct(c, '(')) {
        paren = true;
        advance(c);
    }
    if (!take_qualified_name(c, info))
        return false;
    if (paren) {
        if (!is_punct(c, ')'))
            return false;
        advance(c);
    }
    int depth = 0;
    for (; c->cur.kind != TOK_END; advance(c)) {
        if (c->cur.kind == TOK_SEMI)
            return false;
        if (is_punct(c, '(') || is_punct(c, '['))
            depth++;
        else if (is_punct(c, ')') || is_punct(c, ']'))
            depth--;
        else if (depth == 0 && is_word(c, "WHERE"))
            info->flags |= LINT_F_WHERE;
    }
    return true;
}

/* CREATE [UNIQUE] INDEX [CONCURRENTLY] [[IF NOT EXISTS] name] ON [ONLY] [(]
 * relation, after CREATE. */
static bool take_index(cursor *c, lint_pg_shape_info *info)
{
    accept(c, "UNIQUE");
    if (!accept(c, "INDEX"))
        return false;
    if (accept(c, "CONCURRENTLY"))
        info->flags |= LINT_F_CONCURRENT;
    if (is_word(c, "IF")) {
        /* An index may be called "if": only IF NOT EXISTS is the clause. */
        cursor look = *c;
        advance(&look);
        if (accept(&look, "NOT") && accept(&look, "EXISTS")) {
            *c = look;
            if (!take_name(c, info->name))
                return false;
        }
    }
    if (!is_word(c, "ON") && !take_name(c, info->name))
        return false;
    if (!accept(c, "ON"))
        return false;
    bool paren = false;
    if (accept(c, "ONLY") && is_punct(c, '(')) {
        paren = true;
        advance(c);
    }
    if (!take_qualified_name(c, info))
        return false;
    return !paren || is_punct(c, ')');
}

/* CREATE [temp words] TABLE [IF NOT EXISTS] name, after the temp words:
 * CreateStmt and CREATE TABLE ... AS both create the named table. */
static bool take_table(cursor *c, lint_pg_shape_info *info)
{
    if (!accept(c, "TABLE"))
        return false;
    if (is_word(c, "IF")) {
        cursor look = *c;
        advance(&look);
        if (accept(&look, "NOT") && accept(&look, "EXISTS"))
            *c = look;
    }
    return take_qualified_name(c, info);
}

/* Words CREATE may be followed by before the object type, as in CREATE OR
 * REPLACE TEMP RECURSIVE VIEW or CREATE GLOBAL TEMPORARY TABLE. */
static bool skip_create_modifiers(cursor *c)
{
    bool any = false;
    while (accept(c, "TEMP") || accept(c, "TEMPORARY") || accept(c, "LOCAL") ||
           accept(c, "GLOBAL") || accept(c, "UNLOGGED") || accept(c, "RECURSIVE"))
        any = true;
    return any;
}

/* Object types whose every statement form is one schema change that no
 * rule looks into (the tree path's type_only list and the statements it
 * reads only as "other DDL"). */
static int create_shape(cursor *c, lint_pg_shape_info *info)
{
    bool or_replace = false;
    if (is_word(c, "OR")) {
        advance(c);
        if (!accept(c, "REPLACE"))
            return LINT_PG_TREE;
        or_replace = true;
    }
    bool modified = skip_create_modifiers(c);
    if (is_word(c, "VIEW") || is_word(c, "FUNCTION") || is_word(c, "PROCEDURE") ||
        is_word(c, "TRIGGER") || is_word(c, "EXTENSION") || is_word(c, "TYPE") ||
        is_word(c, "SEQUENCE") || is_word(c, "DOMAIN") || is_word(c, "POLICY"))
        return LINT_PG_OTHER_DDL;
    if (accept(c, "MATERIALIZED"))
        return is_word(c, "VIEW") ? LINT_PG_OTHER_DDL : LINT_PG_TREE;
    if (accept(c, "CONSTRAINT"))
        return is_word(c, "TRIGGER") ? LINT_PG_OTHER_DDL : LINT_PG_TREE;
    if (or_replace)
        return LINT_PG_TREE;
    if (is_word(c, "TABLE"))
        return take_table(c, info) ? LINT_PG_CREATE_TABLE : LINT_PG_TREE;
    if (!modified && (is_word(c, "UNIQUE") || is_word(c, "INDEX")))
        return take_index(c, info) ? LINT_PG_CREATE_INDEX : LINT_PG_TREE;
    return LINT_PG_TREE;
}

/* [IF EXISTS]: IF is an unreserved word (a table may be called "if"), so
 * only IF followed by EXISTS is the clause. */
static void take_if_exists(cursor *c, lint_pg_shape_info *info)
{
    if (!is_word(c, "IF"))
        return;
    cursor look = *c;
    advance(&look);
    if (accept(&look, "EXISTS")) {
        *c = look;
        info->flags |= LINT_F_IF_EXISTS;
    }
}

/* The end of a DROP: [CASCADE | RESTRICT] and nothing else (a list of
 * names is left to the parser). */
static bool drop_ends(cursor *c)
{
    if (!accept(c, "CASCADE"))
        accept(c, "RESTRICT");
    return c->cur.kind == TOK_END;
}

/* After DROP: a table, an index or a schema, one name each; every other
 * object type but a database is one change no rule looks into. */
static int drop_shape(cursor *c, lint_pg_shape_info *info)
{
    int shape;
    if (accept(c, "TABLE")) {
        shape = LINT_PG_DROP_TABLE;
    } else if (accept(c, "INDEX")) {
        shape = LINT_PG_DROP_INDEX;
        if (accept(c, "CONCURRENTLY"))
            info->flags |= LINT_F_CONCURRENT;
    } else if (accept(c, "SCHEMA")) {
        take_if_exists(c, info);
        return take_name(c, info->name) && drop_ends(c) ? LINT_PG_DROP_SCHEMA : LINT_PG_TREE;
    } else {
        return is_word(c, "DATABASE") ? LINT_PG_TREE : LINT_PG_OTHER_DDL;
    }
    take_if_exists(c, info);
    if (!take_qualified_name(c, info) || !drop_ends(c))
        return LINT_PG_TREE;
    if (shape == LINT_PG_DROP_INDEX) {
        memcpy(info->name, info->table, sizeof(info->name));
        info->table[0] = '\0';
    }
    return shape;
}

/* --- ALTER TABLE subcommands --------------------------------------------
 *
 * The subcommands read here are the ones whose actions their words tell:
 * DROP [COLUMN], DROP CONSTRAINT, ALTER [COLUMN] ... TYPE / SET NOT NULL /
 * DROP NOT NULL / SET or DROP DEFAULT, VALIDATE CONSTRAINT, ADD of a table
 * constraint, and ADD COLUMN when its DEFAULT, if any, is a constant or a
 * call this file knows (the rules ask whether a default is volatile, which
 * for any other expression only the tree can tell). Every other form leaves
 * the statement to the tree.
 */

/* Where the actions go: nowhere while the statement is only recognised. */
typedef struct alter_out {
    lint_stmt *st;
    const lint_pg_shape_info *info; /* the table */
    bool exclusive;                 /* a subcommand takes an ACCESS EXCLUSIVE lock */
    bool nomem;
} alter_out;

static void emit(alter_out *o, int kind, unsigned flags, const char *name)
{
    if (!o->st || o->nomem)
        return;
    const char *schema = o->info->schema[0] ? o->info->schema : NULL;
    if (!lint_stmt_add_action(o->st, kind, flags, schema, o->info->table, name))
        o->nomem = true;
}

static bool accept_if_exists(cursor *c)
{
    lint_pg_shape_info ignored;
    ignored.flags = 0;
    take_if_exists(c, &ignored);
    return ignored.flags != 0;
}

/* Passes over the rest of a subcommand: up to the ',' that ends it at depth
 * 0, or the end. Notes NOT VALID at depth 0 (an expression that could hold
 * the words is in parentheses). False on unbalanced brackets. */
static bool skip_command_rest(cursor *c, bool *not_valid)
{
    int depth = 0;
    bool after_not = false;
    for (; c->cur.kind != TOK_END; advance(c)) {
        if (c->cur.kind == TOK_SEMI)
            return false;
        if (is_punct(c, '(') || is_punct(c, '[')) {
            depth++;
        } else if (is_punct(c, ')') || is_punct(c, ']')) {
            if (--depth < 0)
                return false;
        } else if (depth == 0 && is_punct(c, ',')) {
            break;
        } else if (depth == 0 && after_not && is_word(c, "VALID")) {
            *not_valid = true;
        }
        after_not = depth == 0 && is_word(c, "NOT");
    }
    return depth == 0;
}

/* ADD [CONSTRAINT name] CHECK | UNIQUE | PRIMARY KEY | FOREIGN KEY ..., after
 * ADD. */
static bool add_table_constraint(cursor *c, alter_out *o)
{
    char name[LINT_PG_NAME_MAX];
    bool named = accept(c, "CONSTRAINT");
    if (named && !take_name(c, name))
        return false;
    int kind;
    if (accept(c, "CHECK"))
        kind = LINT_ACT_ADD_CHECK;
    else if (accept(c, "UNIQUE"))
        kind = LINT_ACT_ADD_UNIQUE;
    else if (accept(c, "PRIMARY") && accept(c, "KEY"))
        kind = LINT_ACT_ADD_PRIMARY_KEY;
    else if (accept(c, "FOREIGN") && accept(c, "KEY"))
        kind = LINT_ACT_ADD_FOREIGN_KEY;
    else
        return false;
    unsigned flags = 0;
    if (kind == LINT_ACT_ADD_UNIQUE || kind == LINT_ACT_ADD_PRIMARY_KEY) {
        /* UNIQUE USING INDEX name adopts an index; USING INDEX TABLESPACE
         * (after the column list) only places the new one. */
        cursor look = *c;
        if (accept(&look, "USING") && accept(&look, "INDEX") && !is_word(&look, "TABLESPACE"))
            flags |= LINT_F_USING_INDEX;
    }
    bool not_valid = false;
    if (!skip_command_rest(c, &not_valid))
        return false;
    if (not_valid)
        flags |= LINT_F_NOT_VALID;
    /* A foreign key takes a SHARE ROW EXCLUSIVE lock, the rest more. */
    if (kind != LINT_ACT_ADD_FOREIGN_KEY)
        o->exclusive = true;
    emit(o, kind, flags, named ? name : NULL);
    return true;
}

/* ALTER [COLUMN] name ..., after ALTER. */
static bool alter_column(cursor *c, alter_out *o)
{
    char name[LINT_PG_NAME_MAX];
    if (is_word(c, "CONSTRAINT"))
        return false;
    accept(c, "COLUMN");
    if (!take_name(c, name))
        return false;
    o->exclusive = true;
    bool set = accept(c, "SET");
    if (accept(c, "TYPE") || (set && accept(c, "DATA") && accept(c, "TYPE"))) {
        emit(o, LINT_ACT_ALTER_COLUMN_TYPE, 0, name);
        return skip_command_rest(c, NULL);
    }
    if (set && accept(c, "NOT")) {
        if (!accept(c, "NULL"))
            return false;
        emit(o, LINT_ACT_SET_NOT_NULL, 0, name);
        return true;
    }
    if (set)
        return accept(c, "DEFAULT") && skip_command_rest(c, NULL);
    if (!accept(c, "DROP"))
        return false;
    return accept(c, "DEFAULT") || (accept(c, "NOT") && accept(c, "NULL"));
}

/* Skips a parenthesised list at the current '(' (brackets inside it
 * counted too). */
static bool skip_parens(cursor *c)
{
    if (!is_punct(c, '('))
        return false;
    int depth = 0;
    for (; c->cur.kind != TOK_END && c->cur.kind != TOK_SEMI; advance(c)) {
        if (is_punct(c, '(') || is_punct(c, '['))
            depth++;
        else if ((is_punct(c, ')') || is_punct(c, ']')) && --depth == 0)
            break;
    }
    if (depth != 0)
        return false;
    advance(c);
    return true;
}

/* name [. name ...], as after REFERENCES or COLLATE. */
static bool skip_dotted_name(cursor *c, char last[LINT_PG_NAME_MAX])
{
    if (!take_name(c, last))
        return false;
    while (is_punct(c, '.')) {
        advance(c);
        if (!take_name(c, last))
            return false;
    }
    return true;
}

/* The words that may follow a column's type and end it, or end a DEFAULT
 * expression: column constraints and qualifiers. All are reserved words in
 * PostgreSQL but GENERATED, which a type can only be called as a whole. */
static bool is_column_qual(const cursor *c)
{
    static const char *const quals[] = {
        "NOT",   "NULL",    "DEFAULT",   "CONSTRAINT", "PRIMARY",   "UNIQUE", "REFERENCES",
        "CHECK", "COLLATE", "GENERATED", "DEFERRABLE", "INITIALLY", NULL};
    for (size_t i = 0; quals[i]; i++) {
        if (is_word(c, quals[i]))
            return true;
    }
    return false;
}

/* A type, from here to the first column qualifier, ',' or end at depth 0
 * (a word after a '.' is part of a name). */
static bool skip_type(cursor *c)
{
    int depth = 0;
    bool first = true, after_dot = false;
    for (; c->cur.kind != TOK_END; advance(c)) {
        if (c->cur.kind == TOK_SEMI)
            return false;
        if (depth == 0 && !first && !after_dot && (is_punct(c, ',') || is_column_qual(c)))
            break;
        if (is_punct(c, '(') || is_punct(c, '['))
            depth++;
        else if ((is_punct(c, ')') || is_punct(c, ']')) && --depth < 0)
            return false;
        after_dot = is_punct(c, '.');
        first = false;
    }
    return !first && depth == 0;
}

/* The serial pseudo-types: the tree path reads them as volatile defaults. */
static bool is_serial(const char *name)
{
    static const char *const serials[] = {"serial",      "serial4", "bigserial", "serial8",
                                          "smallserial", "serial2", NULL};
    for (size_t i = 0; serials[i]; i++) {
        if (strcmp(serials[i], name) == 0)
            return true;
    }
    return false;
}

/* Functions a DEFAULT may call without arguments here: names that are no
 * keyword, so the call is a plain FuncCall of that name. The first three
 * are on the tree path's list of stable functions. */
static const char *const default_calls[] = {
    "NOW",    "STATEMENT_TIMESTAMP", "TRANSACTION_TIMESTAMP", "CLOCK_TIMESTAMP",
    "RANDOM", "GEN_RANDOM_UUID",     "UUID_GENERATE_V4",      NULL};

/*
 * A DEFAULT's expression when it has one of the forms read here: a constant
 * (signed, or cast with ::), a CURRENT_TIMESTAMP-like value, or a call
 * without arguments of one of default_calls. Only a call can make it
 * volatile (a FuncCall the tree path does not know as stable).
 */
static bool skip_default(cursor *c, bool *is_volatile)
{
    if (is_punct(c, '-') || is_punct(c, '+'))
        advance(c);
    if (c->cur.kind == TOK_NUMBER || c->cur.kind == TOK_STRING || is_word(c, "TRUE") ||
        is_word(c, "FALSE") || is_word(c, "NULL") || is_word(c, "CURRENT_TIMESTAMP") ||
        is_word(c, "CURRENT_DATE") || is_word(c, "LOCALTIMESTAMP")) {
        advance(c);
    } else {
        size_t i = 0;
        while (default_calls[i] && !is_word(c, default_calls[i]))
            i++;
        if (!default_calls[i])
            return false;
        *is_volatile = i >= 3;
        advance(c);
        if (!is_punct(c, '('))
            return false;
        advance(c);
        if (!is_punct(c, ')'))
            return false;
        advance(c);
    }
    while (is_punct(c, ':')) {
        advance(c);
        if (!is_punct(c, ':'))
            return false;
        advance(c);
        if (!skip_type(c))
            return false;
    }
    return c->cur.kind == TOK_END || is_punct(c, ',') || is_column_qual(c);
}

/* REFERENCES table [(columns)] [MATCH ...] [ON DELETE | ON UPDATE action]...,
 * after REFERENCES. */
static bool skip_references(cursor *c)
{
    char last[LINT_PG_NAME_MAX];
    if (!skip_dotted_name(c, last))
        return false;
    if (is_punct(c, '(') && !skip_parens(c))
        return false;
    for (;;) {
        if (accept(c, "MATCH")) {
            if (!accept(c, "FULL") && !accept(c, "PARTIAL") && !accept(c, "SIMPLE"))
                return false;
        } else if (accept(c, "ON")) {
            if (!accept(c, "DELETE") && !accept(c, "UPDATE"))
                return false;
            if (accept(c, "NO")) {
                if (!accept(c, "ACTION"))
                    return false;
            } else if (accept(c, "SET")) {
                if (!accept(c, "NULL") && !accept(c, "DEFAULT"))
                    return false;
                if (is_punct(c, '(') && !skip_parens(c))
                    return false;
            } else if (!accept(c, "RESTRICT") && !accept(c, "CASCADE")) {
                return false;
            }
        } else {
            return true;
        }
    }
}

/* [WITH (...)] [USING INDEX TABLESPACE name] after a column's UNIQUE or
 * PRIMARY KEY. */
static bool skip_index_options(cursor *c)
{
    char name[LINT_PG_NAME_MAX];
    if (accept(c, "WITH") && !skip_parens(c))
        return false;
    if (accept(c, "USING"))
        return accept(c, "INDEX") && accept(c, "TABLESPACE") && take_name(c, name);
    return true;
}

/* The constraints and qualifiers after a column's type; *flags gathers what
 * goes on the column's action, the constraints become actions. */
static bool column_quals(cursor *c, alter_out *o, unsigned *flags)
{
    char name[LINT_PG_NAME_MAX];
    while (c->cur.kind != TOK_END && !is_punct(c, ',')) {
        if (accept(c, "CONSTRAINT")) {
            if (!take_name(c, name))
                return false;
        } else if (accept(c, "NOT")) {
            if (accept(c, "NULL"))
                *flags |= LINT_F_NOT_NULL;
            else if (!accept(c, "DEFERRABLE"))
                return false;
        } else if (accept(c, "NULL") || accept(c, "DEFERRABLE")) {
            continue;
        } else if (accept(c, "INITIALLY")) {
            if (!accept(c, "DEFERRED") && !accept(c, "IMMEDIATE"))
                return false;
        } else if (accept(c, "DEFAULT")) {
            bool is_volatile = false;
            if (!skip_default(c, &is_volatile))
                return false;
            *flags |= LINT_F_DEFAULT | (is_volatile ? LINT_F_VOLATILE : 0);
        } else if (accept(c, "GENERATED")) {
            /* GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY [(...)], or
             * GENERATED ALWAYS AS (expression) STORED. */
            if (!accept(c, "ALWAYS") && !(accept(c, "BY") && accept(c, "DEFAULT")))
                return false;
            if (!accept(c, "AS"))
                return false;
            if (accept(c, "IDENTITY")) {
                if (is_punct(c, '(') && !skip_parens(c))
                    return false;
            } else if (!skip_parens(c) || !accept(c, "STORED")) {
                return false;
            }
            *flags |= LINT_F_DEFAULT | LINT_F_VOLATILE;
        } else if (accept(c, "PRIMARY")) {
            if (!accept(c, "KEY") || !skip_index_options(c))
                return false;
            emit(o, LINT_ACT_ADD_PRIMARY_KEY, 0, NULL);
        } else if (accept(c, "UNIQUE")) {
            if (accept(c, "NULLS")) {
                accept(c, "NOT");
                if (!accept(c, "DISTINCT"))
                    return false;
            }
            if (!skip_index_options(c))
                return false;
            emit(o, LINT_ACT_ADD_UNIQUE, 0, NULL);
        } else if (accept(c, "CHECK")) {
            if (!skip_parens(c))
                return false;
            if (accept(c, "NO") && !accept(c, "INHERIT"))
                return false;
            emit(o, LINT_ACT_ADD_CHECK, 0, NULL);
        } else if (accept(c, "REFERENCES")) {
            if (!skip_references(c))
                return false;
            emit(o, LINT_ACT_ADD_FOREIGN_KEY, 0, NULL);
        } else if (accept(c, "COLLATE")) {
            if (!skip_dotted_name(c, name))
                return false;
        } else {
            return false;
        }
    }
    return true;
}

/* ADD [COLUMN] [IF NOT EXISTS] name type [constraints], after ADD. */
static bool add_column(cursor *c, alter_out *o)
{
    char name[LINT_PG_NAME_MAX], type[LINT_PG_NAME_MAX];
    accept(c, "COLUMN");
    if (is_word(c, "IF")) {
        /* A column may be called "if": only IF NOT EXISTS is the clause. */
        cursor look = *c;
        advance(&look);
        if (accept(&look, "NOT") && accept(&look, "EXISTS"))
            *c = look;
    }
    if (!take_name(c, name) || is_word(c, "SETOF"))
        return false;
    /* The type's name (its last part) tells a serial column. */
    cursor look = *c;
    bool serial = (look.cur.kind == TOK_WORD || look.cur.kind == TOK_QIDENT) &&
                  skip_dotted_name(&look, type) && is_serial(type);
    if (!skip_type(c))
        return false;
    o->exclusive = true;
    size_t at_column = o->st ? o->st->nactions : 0;
    emit(o, LINT_ACT_ADD_COLUMN, 0, name);
    unsigned flags = serial ? LINT_F_DEFAULT | LINT_F_VOLATILE : 0;
    if (!column_quals(c, o, &flags))
        return false;
    if (o->st && !o->nomem)
        o->st->actions[at_column].flags |= flags;
    return true;
}

/* One subcommand; false when it is not one of the forms read here. */
static bool alter_command(cursor *c, alter_out *o)
{
    char name[LINT_PG_NAME_MAX];
    if (accept(c, "DROP")) {
        o->exclusive = true;
        bool constraint = accept(c, "CONSTRAINT");
        if (!constraint)
            accept(c, "COLUMN");
        unsigned flags = accept_if_exists(c) ? LINT_F_IF_EXISTS : 0;
        if (!take_name(c, name))
            return false;
        if (!accept(c, "CASCADE"))
            accept(c, "RESTRICT");
        if (!constraint) {
            emit(o, LINT_ACT_DROP_COLUMN, flags, name);
        } else {
            size_t n = strlen(name);
            if (n > 5 && strcmp(name + n - 5, "_pkey") == 0)
                emit(o, LINT_ACT_DROP_PRIMARY_KEY, 0, name);
        }
        return true;
    }
    if (accept(c, "ALTER"))
        return alter_column(c, o);
    /* VALIDATE CONSTRAINT takes a SHARE UPDATE EXCLUSIVE lock only. */
    if (accept(c, "VALIDATE"))
        return accept(c, "CONSTRAINT") && take_name(c, name);
    if (accept(c, "ADD")) {
        if (is_word(c, "CONSTRAINT") || is_word(c, "CHECK") || is_word(c, "UNIQUE") ||
            is_word(c, "PRIMARY") || is_word(c, "FOREIGN"))
            return add_table_constraint(c, o);
        /* EXCLUDE is no reserved word: a column may be called so. */
        return !is_word(c, "EXCLUDE") && add_column(c, o);
    }
    return false;
}

/* The subcommands of an ALTER TABLE whose table info names, with st set
 * their actions too (ALTER TABLE first, locking when one of them does).
 * Returns 1 when all of them are read here, 0 when not, -1 when out of
 * memory. */
static int alter_commands(cursor *c, const lint_pg_shape_info *info, lint_stmt *st)
{
    alter_out o = {st, info, false, false};
    size_t at_alter = st ? st->nactions : 0;
    emit(&o, LINT_ACT_ALTER_TABLE, 0, NULL);
    for (;;) {
        if (!alter_command(c, &o))
            return 0;
        if (c->cur.kind == TOK_END)
            break;
        if (!is_punct(c, ','))
            return 0;
        advance(c);
    }
    if (o.nomem)
        return -1;
    if (st && o.exclusive)
        st->actions[at_alter].flags |= LINT_F_LOCKS_TABLE;
    return 1;
}

/* After ALTER TABLE: the two renames (ALTER TABLE ... RENAME TO name,
 * ALTER TABLE ... RENAME [COLUMN] a TO b), RENAME CONSTRAINT, and the
 * subcommands above. */
static int alter_table_shape(cursor *c, lint_pg_shape_info *info, lint_stmt *st)
{
    take_if_exists(c, info);
    info->flags = 0; /* an ALTER TABLE's actions do not say IF EXISTS */
    bool paren = false;
    if (accept(c, "ONLY") && is_punct(c, '(')) {
        paren = true;
        advance(c);
    }
    if (!take_qualified_name(c, info))
        return LINT_PG_TREE;
    if (paren) {
        if (!is_punct(c, ')'))
            return LINT_PG_TREE;
        advance(c);
    } else if (is_punct(c, '*')) {
        advance(c);
    }
    if (!accept(c, "RENAME")) {
        int rc = alter_commands(c, info, st);
        return rc < 0 ? -1 : rc ? LINT_PG_ALTER_TABLE : LINT_PG_TREE;
    }
    if (accept(c, "CONSTRAINT"))
        return LINT_PG_OTHER_DDL;
    if (accept(c, "TO"))
        return take_name(c, info->name) && c->cur.kind == TOK_END ? LINT_PG_RENAME_TABLE
                                                                  : LINT_PG_TREE;
    accept(c, "COLUMN");
    if (!take_name(c, info->name) || !accept(c, "TO") || !take_name(c, info->new_name))
        return LINT_PG_TREE;
    return c->cur.kind == TOK_END ? LINT_PG_RENAME_COLUMN : LINT_PG_TREE;
}

/* After ALTER: object types every ALTER of which the tree path reads as
 * other DDL (ALTER TYPE: enum values, attributes, owner, schema, renames;
 * ALTER INDEX, VIEW or SEQUENCE: their own ALTER TABLE forms and renames). */
static int alter_shape(cursor *c, lint_pg_shape_info *info, lint_stmt *st)
{
    if (accept(c, "TABLE"))
        return alter_table_shape(c, info, st);
    if (accept(c, "MATERIALIZED"))
        return is_word(c, "VIEW") ? LINT_PG_OTHER_DDL : LINT_PG_TREE;
    if (is_word(c, "TYPE") || is_word(c, "INDEX") || is_word(c, "VIEW") || is_word(c, "SEQUENCE") ||
        is_word(c, "FUNCTION") || is_word(c, "PROCEDURE") || is_word(c, "TRIGGER") ||
        is_word(c, "DOMAIN") || is_word(c, "SCHEMA") || is_word(c, "EXTENSION") ||
        is_word(c, "POLICY"))
        return LINT_PG_OTHER_DDL;
    return LINT_PG_TREE;
}

static int shape_of(cursor *c, lint_pg_shape_info *info, lint_stmt *st)
{
    if (c->cur.kind == TOK_END)
        return LINT_PG_EMPTY;
    if (accept(c, "CREATE"))
        return create_shape(c, info);
    if (accept(c, "COMMENT"))
        return is_word(c, "ON") ? LINT_PG_OTHER_DDL : LINT_PG_TREE;
    if (is_word(c, "GRANT") || is_word(c, "REVOKE"))
        return LINT_PG_OTHER_DDL;
    if (accept(c, "ALTER"))
        return alter_shape(c, info, st);
    if (accept(c, "DROP"))
        return drop_shape(c, info);
    /* SELECT ... INTO too: the raw tree keeps it a SelectStmt. */
    if (is_word(c, "DO") || is_word(c, "SELECT"))
        return LINT_PG_NO_ACTION;
    if (accept(c, "INSERT"))
        return accept(c, "INTO") && take_qualified_name(c, info) ? LINT_PG_INSERT : LINT_PG_TREE;
    if (accept(c, "UPDATE"))
        return take_target(c, info) ? LINT_PG_UPDATE : LINT_PG_TREE;
    if (accept(c, "DELETE"))
        return accept(c, "FROM") && take_target(c, info) ? LINT_PG_DELETE : LINT_PG_TREE;
    return LINT_PG_TREE;
}

int lint_pg_shape(lint_pg_shape_info *info, lint_stmt *st, const char *text, size_t len)
{
    memset(info, 0, sizeof(*info));
    cursor c = {text, len, 0, {TOK_END, 0, 0}};
    size_t had = st ? st->nactions : 0;
    advance(&c);
    int shape = shape_of(&c, info, st);
    if (st && shape != LINT_PG_ALTER_TABLE)
        lint_stmt_drop_actions(st, had);
    if (shape == LINT_PG_TREE || shape == LINT_PG_NO_ACTION || shape == LINT_PG_OTHER_DDL ||
        shape == LINT_PG_ALTER_TABLE || shape < 0) {
        /* Leave no half-read names behind. */
        memset(info, 0, sizeof(*info));
    }
    info->shape = shape < 0 ? LINT_PG_TREE : shape;
    return shape < 0 ? DBSHIFT_ENOMEM : 0;
}
