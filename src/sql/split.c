/*
 * split.c - the dialect dispatcher behind sql_split_text and the bookkeeping
 * every splitter shares: appending statements with their line and column,
 * reporting where an unterminated string, identifier or comment began, and
 * skipping the quoted tokens and comments the dialects read alike.
 */
#include "sql/split_internal.h"

#include "dbshift/driver.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

void sql_split_builder_init(sql_split_builder *b, sql_split *out, const char *text, size_t len)
{
    b->out = out;
    b->cap = 0;
    b->text = text;
    b->len = len;
    b->scanned = 0;
    b->line = 1;
    b->line_start = 0;
}

int sql_split_push(sql_split_builder *b, size_t start, size_t end, dbshift_error *err)
{
    sql_split *out = b->out;
    if (out->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        sql_statement *items = realloc(out->items, cap * sizeof(*items));
        if (!items)
            return err_set(err, DBSHIFT_ENOMEM, "out of memory while splitting statements");
        out->items = items;
        b->cap = cap;
    }
    /* Statements come in order, so counting newlines from where the last
     * one stopped keeps the total work proportional to the text. */
    if (start < b->scanned) {
        b->scanned = 0;
        b->line = 1;
        b->line_start = 0;
    }
    const char *p = b->text + b->scanned;
    const char *stop = b->text + start;
    while (p < stop) {
        const char *nl = memchr(p, '\n', (size_t)(stop - p));
        if (!nl)
            break;
        b->line++;
        b->line_start = (size_t)(nl - b->text) + 1;
        p = nl + 1;
    }
    b->scanned = start;
    sql_statement *st = &out->items[out->count++];
    st->offset = start;
    st->len = end - start;
    st->line = b->line;
    st->column = (int)(start - b->line_start) + 1;
    return 0;
}

void sql_split_position(const char *text, size_t offset, int *line, int *column)
{
    int n = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < offset; i++) {
        if (text[i] == '\n') {
            n++;
            line_start = i + 1;
        }
    }
    *line = n;
    *column = (int)(offset - line_start) + 1;
}

int sql_split_unterminated(dbshift_error *err, const char *text, size_t offset, const char *what,
                           const char *closer)
{
    int line, column;
    sql_split_position(text, offset, &line, &column);
    err_set(err, DBSHIFT_EPARSE, "unterminated %s starting at line %d, column %d", what, line,
            column);
    if (err) {
        err->line = line;
        err->column = column;
        err_hint(err, "add the closing %s", closer);
    }
    return DBSHIFT_EPARSE;
}

#define O SQL_CC_OTHER
#define S SQL_CC_SPACE
#define W SQL_CC_WORD
#define W16 W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W
/* Rows of 16 bytes; clang-format would put one entry a line. */
// clang-format off
const unsigned char sql_split_char_class[256] = {
    /* 0x00 */ O, O, O, O, O, O, O, O, O, S, S, S, S, S, O, O,
    /* 0x10 */ O, O, O, O, O, O, O, O, O, O, O, O, O, O, O, O,
    /* 0x20 */ S, O, SQL_CC_DQUOTE, SQL_CC_HASH, W, O, O, SQL_CC_QUOTE,
               O, O, O, O, O, SQL_CC_MINUS, O, SQL_CC_SLASH,
    /* 0x30 */ W, W, W, W, W, W, W, W, W, W, O, SQL_CC_SEMI, O, O, O, O,
    /* 0x40 */ O, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
    /* 0x50 */ W, W, W, W, W, W, W, W, W, W, W, SQL_CC_LBRACKET, O, O, O, W,
    /* 0x60 */ SQL_CC_BACKTICK, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W,
    /* 0x70 */ W, W, W, W, W, W, W, W, W, W, W, O, O, O, O, O,
    /* 0x80 */ W16, W16, W16, W16, W16, W16, W16, W16,
};
// clang-format on
#undef O
#undef S
#undef W
#undef W16

size_t sql_split_skip_quoted(const char *s, size_t len, size_t i, char quote, bool backslash)
{
    for (i++; i < len; i++) {
        if (backslash && s[i] == '\\') {
            i++;
            continue;
        }
        if (s[i] != quote)
            continue;
        if (i + 1 < len && s[i + 1] == quote) {
            i++;
            continue;
        }
        return i + 1;
    }
    return 0;
}

size_t sql_split_skip_line(const char *s, size_t len, size_t i)
{
    const char *nl = memchr(s + i, '\n', len - i);
    return nl ? (size_t)(nl - s) + 1 : len;
}

size_t sql_split_skip_block_comment(const char *s, size_t len, size_t i)
{
    for (size_t end = i + 2; end + 1 < len; end++) {
        if (s[end] == '*' && s[end + 1] == '/')
            return end + 2;
    }
    return 0;
}

int sql_split_text(sql_split *out, const char *text, size_t len, int dialect, dbshift_error *err)
{
    memset(out, 0, sizeof(*out));
    if (!text && len)
        return err_set(err, DBSHIFT_EUSAGE, "no text to split");
    if (!text)
        text = "";
    int rc;
    switch (dialect) {
    case DBSHIFT_DIALECT_SQLITE:
        rc = sql_split_sqlite(out, text, len, err);
        break;
    case DBSHIFT_DIALECT_POSTGRES:
        rc = sql_split_postgres(out, text, len, err);
        break;
    case DBSHIFT_DIALECT_MYSQL:
        rc = sql_split_mysql(out, text, len, err);
        break;
    default:
        return err_set(err, DBSHIFT_EUSAGE, "unknown SQL dialect %d", dialect);
    }
    if (rc < 0)
        sql_split_release(out);
    return rc;
}

void sql_split_release(sql_split *s)
{
    if (!s)
        return;
    free(s->items);
    free(s->parse_error);
    memset(s, 0, sizeof(*s));
}
