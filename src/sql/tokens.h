/*
 * tokens.h - a small SQL token scanner for the SQLite and MySQL lint rules.
 *
 * It reads one statement (already split) into words, quoted identifiers,
 * strings, numbers and punctuation, dropping whitespace and comments, so a
 * rule can ask "is the third token the keyword INDEX" without caring about
 * layout. It never fails on odd input: an unterminated string or comment
 * simply runs to the end of the text.
 */
#ifndef DBSHIFT_SQL_TOKENS_H
#define DBSHIFT_SQL_TOKENS_H

#include <stdbool.h>
#include <stddef.h>

enum sql_token_kind {
    SQL_TOK_WORD = 1, /* keyword or bare identifier */
    SQL_TOK_IDENT,    /* quoted identifier: "x", `x`, [x] */
    SQL_TOK_STRING,   /* 'x' (and "x" in MySQL) */
    SQL_TOK_NUMBER,
    SQL_TOK_PUNCT, /* one character: ( ) , ; . = and the rest */
};

typedef struct sql_token {
    int kind;      /* enum sql_token_kind */
    size_t offset; /* in the text, quotes included */
    size_t len;
} sql_token;

typedef struct sql_tokens {
    size_t count;
    size_t cap;
    sql_token *items;
} sql_tokens;

/* Scans text (len bytes) in dialect (enum dbshift_dialect), appending to out
 * (which it empties first). Returns 0 or DBSHIFT_ENOMEM. */
int sql_tokens_scan(sql_tokens *out, const char *text, size_t len, int dialect);
void sql_tokens_release(sql_tokens *t);

/* True when tok is a bare word spelled word, compared case-insensitively;
 * word is uppercase ASCII. */
bool sql_token_is(const sql_token *tok, const char *text, const char *word);

/* The name a token stands for: unquoted (doubled quotes folded) and, for bare
 * words, lowercased. malloc'd; NULL when out of memory. */
char *sql_token_name(const sql_token *tok, const char *text);

#endif
