/*
 * split_internal.h - what the per-dialect splitters share: the growing
 * statement list with its line/column bookkeeping, the error they all
 * report for an unterminated construct, and the lexing of the quoted tokens
 * and comments whose rules the dialects agree on. Not part of any public
 * contract.
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

/*
 * Byte classes for the table-driven lexers (SQLite, MySQL): each class picks
 * how a lexer reads the token that begins with the byte. The table holds
 * every class either dialect needs; a lexer reads the ones its dialect gives
 * no meaning ('#' in SQLite, '[' in MySQL) as a single byte.
 */
enum sql_char_class {
    SQL_CC_OTHER,
    SQL_CC_SPACE,
    SQL_CC_WORD, /* letters, digits, _, $ and bytes >= 0x80 (UTF-8 names) */
    SQL_CC_MINUS,
    SQL_CC_SLASH,
    SQL_CC_HASH,
    SQL_CC_QUOTE,
    SQL_CC_DQUOTE,
    SQL_CC_BACKTICK,
    SQL_CC_LBRACKET,
    SQL_CC_SEMI,
};

extern const unsigned char sql_split_char_class[256];

/* Offset after the quote closing a quoted token that opens at s[i]: a
 * doubled quote stands for itself and, with backslash, a backslash escapes
 * the next byte. 0 when the text ends first (0 is never a real end: the
 * opening quote is there). */
size_t sql_split_skip_quoted(const char *s, size_t len, size_t i, char quote, bool backslash);

/* Offset after the newline that ends the line holding s[i], or len. */
size_t sql_split_skip_line(const char *s, size_t len, size_t i);

/* Offset after the "* /" closing a block comment that opens at s[i] (no
 * nesting, as in SQLite and MySQL); 0 when the text ends first. */
size_t sql_split_skip_block_comment(const char *s, size_t len, size_t i);

/* The per-dialect splitters; out is empty on entry and left empty (by the
 * dispatcher) on failure. */
int sql_split_sqlite(sql_split *out, const char *text, size_t len, dbshift_error *err);
int sql_split_mysql(sql_split *out, const char *text, size_t len, dbshift_error *err);
int sql_split_postgres(sql_split *out, const char *text, size_t len, dbshift_error *err);

#endif
