/*
 * split_postgres.c - splits PostgreSQL text into statements with libpg_query,
 * so the split agrees with the server's own grammar.
 *
 * pg_query_split_with_parser gives exact statement ranges. When the parser
 * rejects the text (syntax newer than the PostgreSQL 15 grammar Debian's
 * libpg_query knows, or a plain mistake the server will report better), the
 * scanner's split is used instead and the parser's message is kept in the
 * result. libpg_query's ranges begin with the whitespace and comments before
 * a statement, and its scanner split silently drops a statement that does
 * not begin with a keyword and cuts BEGIN ATOMIC bodies at their ';'. So the
 * ranges are used only to tell which ';' are not terminators (the ones
 * inside a range, as in CREATE RULE ... (SELECT 1; SELECT 2)); a small lexer
 * of our own then walks the whole text once, cutting at every other ';',
 * trimming comments and whitespace off both ends of each statement, and
 * (behind the scanner only) keeping CREATE FUNCTION ... BEGIN ATOMIC ... END
 * whole. The same lexer finds where an unterminated string, quoted
 * identifier, comment or dollar quote began when libpg_query fails on one.
 */
#include "sql/split_internal.h"

#include "util/err.h"

#include <pg_query.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum pg_token {
    PT_SPACE, /* whitespace and comments */
    PT_SEMI,
    PT_WORD,
    PT_OTHER,
    PT_UNTERMINATED,
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static bool is_ident_char(unsigned char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

/* A dollar quote opening at s[i] ($$ or $tag$): offset after its closing
 * tag, 0 when unterminated; *is_quote is false when s[i] starts no dollar
 * quote (a parameter $1, or a lone $). */
static size_t skip_dollar(const char *s, size_t len, size_t i, bool *is_quote)
{
    size_t j = i + 1;
    *is_quote = false;
    if (j < len && is_ident_start((unsigned char)s[j])) {
        for (j++; j < len && is_ident_char((unsigned char)s[j]) && s[j] != '$'; j++)
            ;
    }
    if (j >= len || s[j] != '$')
        return 0;
    *is_quote = true;
    size_t tag_len = j + 1 - i;
    for (size_t k = j + 1; k + tag_len <= len; k++) {
        const char *d = memchr(s + k, '$', len - k);
        if (!d)
            return 0;
        k = (size_t)(d - s);
        if (k + tag_len <= len && memcmp(s + k, s + i, tag_len) == 0)
            return k + tag_len;
    }
    return 0;
}

static enum pg_token next_token(const char *s, size_t len, size_t *pos, const char **what,
                                const char **closer)
{
    size_t i = *pos, end = 0;
    unsigned char c = (unsigned char)s[i];
    if (is_space((char)c)) {
        for (i++; i < len && is_space(s[i]); i++)
            ;
        *pos = i;
        return PT_SPACE;
    }
    if (c == '-' && i + 1 < len && s[i + 1] == '-') {
        for (i += 2; i < len && s[i] != '\n' && s[i] != '\r'; i++)
            ;
        *pos = i;
        return PT_SPACE;
    }
    if (c == '/' && i + 1 < len && s[i + 1] == '*') {
        /* Postgres comments nest. */
        int depth = 1;
        for (i += 2; i < len; i++) {
            if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
                depth++;
                i++;
            } else if (s[i] == '*' && i + 1 < len && s[i + 1] == '/') {
                i++;
                if (--depth == 0) {
                    *pos = i + 1;
                    return PT_SPACE;
                }
            }
        }
        *what = "comment";
        *closer = "*/";
        return PT_UNTERMINATED;
    }
    if (is_ident_start(c)) {
        for (i++; i < len && is_ident_char((unsigned char)s[i]); i++)
            ;
        if (i - *pos == 1 && (c == 'e' || c == 'E') && i < len && s[i] == '\'') {
            *what = "string literal";
            *closer = "'";
            end = sql_split_skip_quoted(s, len, i, '\'', true);
            if (!end)
                return PT_UNTERMINATED;
            *pos = end;
            return PT_OTHER;
        }
        *pos = i;
        return PT_WORD;
    }
    switch (c) {
    case ';':
        *pos = i + 1;
        return PT_SEMI;
    case '\'':
        *what = "string literal";
        *closer = "'";
        end = sql_split_skip_quoted(s, len, i, '\'', false);
        break;
    case '"':
        *what = "quoted identifier";
        *closer = "\"";
        end = sql_split_skip_quoted(s, len, i, '"', false);
        break;
    case '$': {
        bool is_quote;
        end = skip_dollar(s, len, i, &is_quote);
        if (!is_quote) {
            for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
                ;
            *pos = i;
            return PT_OTHER;
        }
        *what = "dollar-quoted string";
        *closer = "dollar quote";
        break;
    }
    default:
        if (c >= '0' && c <= '9') {
            for (i++; i < len && is_ident_char((unsigned char)s[i]) && s[i] != '$'; i++)
                ;
            *pos = i;
            return PT_OTHER;
        }
        *pos = i + 1;
        return PT_OTHER;
    }
    if (!end)
        return PT_UNTERMINATED;
    *pos = end;
    return PT_OTHER;
}

/*
 * Tracks CREATE [OR REPLACE] FUNCTION|PROCEDURE ... BEGIN ATOMIC ... END the
 * way psql does: inside such a statement BEGIN and CASE open a block, END
 * closes one, and a ';' inside a block does not end the statement.
 */
typedef struct routine_tracker {
    int words;
    bool create;
    bool routine;
    int depth;
} routine_tracker;

static bool word_is(const char *w, size_t n, const char *kw)
{
    return strlen(kw) == n && strncasecmp(w, kw, n) == 0;
}

static void track_word(routine_tracker *t, const char *w, size_t n)
{
    t->words++;
    if (t->words == 1) {
        t->create = word_is(w, n, "create");
    } else if (t->create && !t->routine && t->words <= 4) {
        t->routine = word_is(w, n, "function") || word_is(w, n, "procedure");
    } else if (t->routine) {
        if (word_is(w, n, "begin") || word_is(w, n, "case"))
            t->depth++;
        else if (word_is(w, n, "end") && t->depth > 0)
            t->depth--;
    }
}

/* Byte offset of the 1-based character position pos (libpg_query counts
 * characters of the UTF-8 text, as the server does). */
static size_t char_to_byte(const char *s, size_t len, int pos)
{
    int chars = 0;
    for (size_t i = 0; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && ++chars == pos)
            return i;
    }
    return len;
}

/* End of libpg_query's range i; a length of 0 means "to the end". */
static size_t range_end(const PgQuerySplitResult *r, int i, size_t len)
{
    const PgQuerySplitStmt *st = r->stmts[i];
    return st->stmt_len > 0 ? (size_t)st->stmt_location + (size_t)st->stmt_len : len;
}

/* Walks the text once, cutting at every ';' outside libpg_query's ranges
 * (and, with track_routines, outside BEGIN ATOMIC blocks). */
static int cut(sql_split *out, const char *text, size_t len, const PgQuerySplitResult *r,
               bool track_routines, dbshift_error *err)
{
    sql_split_builder b;
    sql_split_builder_init(&b, out, text, len);
    routine_tracker tracker = {0};
    bool in_statement = false;
    size_t stmt_start = 0, stmt_end = 0, pos = 0;
    int next_range = 0;
    while (pos < len) {
        size_t start = pos;
        const char *what = NULL, *closer = NULL;
        enum pg_token tk = next_token(text, len, &pos, &what, &closer);
        if (tk == PT_SPACE)
            continue;
        if (tk == PT_UNTERMINATED) {
            /* libpg_query accepted it, so our lexer is the one confused:
             * keep the rest as part of the statement rather than lose it. */
            pos = len;
            tk = PT_OTHER;
        }
        if (tk == PT_SEMI) {
            while (next_range < r->n_stmts && range_end(r, next_range, len) <= start)
                next_range++;
            bool inside =
                next_range < r->n_stmts && (size_t)r->stmts[next_range]->stmt_location <= start;
            if (!inside && tracker.depth == 0) {
                if (in_statement) {
                    int rc = sql_split_push(&b, stmt_start, stmt_end, err);
                    if (rc < 0)
                        return rc;
                }
                in_statement = false;
                memset(&tracker, 0, sizeof(tracker));
                continue;
            }
        } else if (tk == PT_WORD && track_routines) {
            track_word(&tracker, text + start, pos - start);
        }
        if (!in_statement)
            stmt_start = start;
        in_statement = true;
        stmt_end = pos;
    }
    if (in_statement)
        return sql_split_push(&b, stmt_start, stmt_end, err);
    return 0;
}

/* Both the parser and the scanner failed: report the unterminated construct
 * our lexer finds, or else the scanner's own message and position. */
static int scan_failed(const char *text, size_t len, const PgQueryError *e, dbshift_error *err)
{
    size_t pos = 0;
    while (pos < len) {
        size_t start = pos;
        const char *what = NULL, *closer = NULL;
        if (next_token(text, len, &pos, &what, &closer) == PT_UNTERMINATED)
            return sql_split_unterminated(err, text, start, what, closer);
    }
    int line = 0, column = 0;
    if (e->cursorpos > 0)
        sql_split_position(text, char_to_byte(text, len, e->cursorpos), &line, &column);
    err_set(err, DBSHIFT_EPARSE, "cannot split SQL: %s (line %d, column %d)", e->message, line,
            column);
    if (err) {
        err->line = line;
        err->column = column;
    }
    return DBSHIFT_EPARSE;
}

int sql_split_postgres(sql_split *out, const char *text, size_t len, dbshift_error *err)
{
    const char *nul = memchr(text, '\0', len);
    if (nul) {
        int line, column;
        sql_split_position(text, (size_t)(nul - text), &line, &column);
        err_set(err, DBSHIFT_EPARSE, "SQL text contains a NUL byte at line %d, column %d", line,
                column);
        if (err) {
            err->line = line;
            err->column = column;
        }
        return DBSHIFT_EPARSE;
    }
    /* libpg_query wants a C string; the caller's text need not be one. */
    char *copy = malloc(len + 1);
    if (!copy)
        return err_set(err, DBSHIFT_ENOMEM, "out of memory while splitting statements");
    memcpy(copy, text, len);
    copy[len] = '\0';

    int rc;
    PgQuerySplitResult r = pg_query_split_with_parser(copy);
    if (!r.error) {
        rc = cut(out, text, len, &r, false, err);
        pg_query_free_split_result(r);
        free(copy);
        return rc;
    }
    char *message = strdup(r.error->message ? r.error->message : "syntax error");
    int line = 0, column = 0;
    if (r.error->cursorpos > 0)
        sql_split_position(text, char_to_byte(text, len, r.error->cursorpos), &line, &column);
    pg_query_free_split_result(r);

    r = pg_query_split_with_scanner(copy);
    if (r.error)
        rc = scan_failed(text, len, r.error, err);
    else if (!message)
        rc = err_set(err, DBSHIFT_ENOMEM, "out of memory while splitting statements");
    else
        rc = cut(out, text, len, &r, true, err);
    pg_query_free_split_result(r);
    free(copy);
    if (rc < 0) {
        free(message);
        return rc;
    }
    out->parse_error = message;
    out->parse_error_line = line;
    return 0;
}
