/*
 * split_internal.h - what the per-dialect splitters share: the growing
 * statement list with its line/column bookkeeping, and the error they all
 * report for an unterminated construct. Not part of any public contract.
 */
#ifndef DBSHIFT_SQL_SPLIT_INTERNAL_H
#define DBSHIFT_SQL_SPLIT_INTERNAL_H

#include "sql/split.h"

/*
 * Appends statements to a sql_split. Statements arrive in text order, so the
 * line counter only ever moves forward and the whole split stays linear.
 */
typedef struct sql_split_builder {
    sql_split *out;
    size_t cap;
    const char *text;
    size_t len;
    size_t scanned; /* bytes already counted into line/line_start */
    int line;       /* line of byte `scanned` */
    size_t line_start;
} sql_split_builder;

void sql_split_builder_init(sql_split_builder *b, sql_split *out, const char *text, size_t len);

/* Appends the statement text[start, end). Returns 0 or DBSHIFT_ENOMEM. */
int sql_split_push(sql_split_builder *b, size_t start, size_t end, dbshift_error *err);

/* Line and column (1-based, column in bytes) of offset in text. */
void sql_split_position(const char *text, size_t offset, int *line, int *column);

/* Reports an unterminated construct (what: "string literal", ...) that
 * begins at offset: DBSHIFT_EPARSE with err->line/column set. */
int sql_split_unterminated(dbshift_error *err, const char *text, size_t offset, const char *what,
                           const char *closer);

/* The per-dialect splitters; out is empty on entry and left empty (by the
 * dispatcher) on failure. */
int sql_split_sqlite(sql_split *out, const char *text, size_t len, dbshift_error *err);
int sql_split_mysql(sql_split *out, const char *text, size_t len, dbshift_error *err);
int sql_split_postgres(sql_split *out, const char *text, size_t len, dbshift_error *err);

#endif
