/*
 * split.c - the dialect dispatcher behind sql_split_text and the bookkeeping
 * every splitter shares: appending statements with their line and column,
 * and reporting where an unterminated string, identifier or comment began.
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
