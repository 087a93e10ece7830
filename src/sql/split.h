/*
 * split.h - splitting a migration section into statements, per dialect.
 *
 * SQLite and MySQL text is split by dbshift's own lexers (split_sqlite.c,
 * split_mysql.c); Postgres text by libpg_query (split_postgres.c), with its
 * scanner as the fall-back when the parser rejects the text (a newer server's
 * syntax must not be blocked: the server decides).
 *
 * Statements are described by offsets into the caller's text, which must
 * outlive the result. Leading whitespace and comments are not part of a
 * statement; the terminating ';' (or DELIMITER-set delimiter) is not either.
 * Text holding only whitespace and comments yields zero statements.
 */
#ifndef DBSHIFT_SQL_SPLIT_H
#define DBSHIFT_SQL_SPLIT_H

#include <stdbool.h>
#include <stddef.h>

#include "dbshift.h"

typedef struct sql_statement {
    size_t offset; /* first byte of the statement in the text */
    size_t len;    /* its length, without the delimiter */
    int line;      /* 1-based line of offset in the text */
    int column;    /* 1-based column (in bytes) of offset */
} sql_statement;

typedef struct sql_split {
    size_t count;
    sql_statement *items;
    /* Postgres only: the parser rejected the text and the scanner split it.
     * parse_error holds the parser's message (malloc'd), parse_error_line its
     * line in the text; the core decides whether that blocks the run. */
    char *parse_error;
    int parse_error_line;
} sql_split;

/*
 * Splits text (len bytes, need not be NUL-terminated) written in dialect
 * (enum dbshift_dialect). On failure (an unterminated string, quoted
 * identifier, comment or dollar quote; a bad DELIMITER line) returns
 * DBSHIFT_EPARSE with err->line/column set to where the unterminated
 * construct began, relative to the text; *out is then empty.
 */
int sql_split_text(sql_split *out, const char *text, size_t len, int dialect, dbshift_error *err);

/* Frees what sql_split_text allocated and empties s; s may be empty. */
void sql_split_release(sql_split *s);

#endif
