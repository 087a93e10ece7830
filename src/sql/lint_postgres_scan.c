/*
 * lint_postgres_scan.c - the Postgres front end's pre-pass: it cuts a
 * section at its ';' by Postgres' lexical rules and tells, from the leading
 * words of each statement, whether the statement is of a kind no rule looks
 * into: a view, function, trigger, type or other object no rule judges, a
 * comment, a grant, DO or SELECT, an INSERT (data) or a CREATE TABLE (whose
 * name later statements need). Everything a rule judges (indexes, drops,
 * renames, ALTER TABLE, UPDATE and DELETE, ...) is read from libpg_query's
 * parse tree, as is anything this file does not recognise.
 *
 * Why: turning a statement into libpg_query's JSON tree and skimming that
 * tree costs more than parsing it, and most of the text of real migrations
 * (view and function bodies, column lists, VALUES rows) is text no rule
 * reads. lint_postgres.c still has every statement parsed by libpg_query,
 * so a syntax error is found exactly as before; only the JSON is skipped
 * for the statements this file recognises. lint_postgres.c also checks the
 * parser's statement boundaries against this file's cut and reads every
 * section the slow way when they differ.
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
static void skip_create_modifiers(cursor *c)
{
    while (accept(c, "TEMP") || accept(c, "TEMPORARY") || accept(c, "LOCAL") ||
           accept(c, "GLOBAL") || accept(c, "UNLOGGED") || accept(c, "RECURSIVE"))
        ;
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
    skip_create_modifiers(c);
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
    return LINT_PG_TREE;
}

/* After ALTER: objects no rule judges; a table is left to the tree. */
static int alter_shape(cursor *c)
{
    if (accept(c, "MATERIALIZED"))
        return is_word(c, "VIEW") ? LINT_PG_OTHER_DDL : LINT_PG_TREE;
    if (is_word(c, "TYPE") || is_word(c, "INDEX") || is_word(c, "VIEW") || is_word(c, "SEQUENCE") ||
        is_word(c, "FUNCTION") || is_word(c, "PROCEDURE") || is_word(c, "TRIGGER") ||
        is_word(c, "DOMAIN") || is_word(c, "SCHEMA") || is_word(c, "EXTENSION") ||
        is_word(c, "POLICY"))
        return LINT_PG_OTHER_DDL;
    return LINT_PG_TREE;
}

static int shape_of(cursor *c, lint_pg_shape_info *info)
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
        return alter_shape(c);
    /* SELECT ... INTO too: the raw tree keeps it a SelectStmt. */
    if (is_word(c, "DO") || is_word(c, "SELECT"))
        return LINT_PG_NO_ACTION;
    if (accept(c, "INSERT"))
        return accept(c, "INTO") && take_qualified_name(c, info) ? LINT_PG_INSERT : LINT_PG_TREE;
    return LINT_PG_TREE;
}

int lint_pg_shape(lint_pg_shape_info *info, const char *text, size_t len)
{
    memset(info, 0, sizeof(*info));
    cursor c = {text, len, 0, {TOK_END, 0, 0}};
    advance(&c);
    int shape = shape_of(&c, info);
    if (shape != LINT_PG_CREATE_TABLE && shape != LINT_PG_INSERT) {
        /* Leave no half-read names behind. */
        memset(info, 0, sizeof(*info));
    }
    info->shape = shape;
    return 0;
}
