/*
 * tokens.c - the token scanner behind the SQLite and MySQL lint rules (see
 * tokens.h). One pass, one state at a time, decided by the first character:
 *   space             skipped
 *   -- (and MySQL #)  comment to the end of the line, skipped
 *   / *               comment to the closing * /, skipped
 *   ' (MySQL also ")  string; a doubled quote stays inside, and MySQL's
 *                     backslash escapes the next character
 *   " ` [             quoted identifier (doubled closing quote stays inside)
 *   letter _ $ 8-bit  word: letters, digits, _ and $ (and UTF-8 bytes)
 *   digit             number: digits, letters and dots (1e5, 0x1F, 1.5)
 *   anything else     one punctuation character
 * Statements are split elsewhere (split.h); this only needs to be right
 * inside one statement.
 */
#include "sql/tokens.h"

#include "dbshift.h"
#include "dbshift/driver.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool is_word_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

static int push(sql_tokens *t, int kind, size_t offset, size_t len)
{
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        sql_token *items = realloc(t->items, cap * sizeof(*items));
        if (!items)
            return DBSHIFT_ENOMEM;
        t->items = items;
        t->cap = cap;
    }
    t->items[t->count++] = (sql_token){kind, offset, len};
    return 0;
}

/* End of a quoted run that opened at text[i] and closes with quote. */
static size_t quoted_end(const char *text, size_t i, size_t len, char quote, bool backslash)
{
    size_t j = i + 1;
    while (j < len) {
        if (backslash && text[j] == '\\') {
            j += 2;
            continue;
        }
        if (text[j] == quote) {
            if (j + 1 < len && text[j + 1] == quote) {
                j += 2;
                continue;
            }
            return j + 1;
        }
        j++;
    }
    return len;
}

int sql_tokens_scan(sql_tokens *out, const char *text, size_t len, int dialect)
{
    bool mysql = dialect == DBSHIFT_DIALECT_MYSQL;
    out->count = 0;
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        size_t end;
        int kind;
        if (isspace(c)) {
            i++;
            continue;
        }
        if ((c == '-' && i + 1 < len && text[i + 1] == '-') || (mysql && c == '#')) {
            while (i < len && text[i] != '\n')
                i++;
            continue;
        }
        if (c == '/' && i + 1 < len && text[i + 1] == '*') {
            const char *close = NULL;
            for (size_t j = i + 2; j + 1 < len; j++) {
                if (text[j] == '*' && text[j + 1] == '/') {
                    close = text + j + 2;
                    break;
                }
            }
            i = close ? (size_t)(close - text) : len;
            continue;
        }
        if (c == '\'' || (mysql && c == '"')) {
            kind = SQL_TOK_STRING;
            end = quoted_end(text, i, len, (char)c, mysql);
        } else if (c == '"' || c == '`') {
            kind = SQL_TOK_IDENT;
            end = quoted_end(text, i, len, (char)c, false);
        } else if (c == '[' && !mysql) {
            kind = SQL_TOK_IDENT;
            const char *close = memchr(text + i, ']', len - i);
            end = close ? (size_t)(close - text) + 1 : len;
        } else if (isdigit(c)) {
            kind = SQL_TOK_NUMBER;
            end = i + 1;
            while (end < len && (isalnum((unsigned char)text[end]) || text[end] == '.'))
                end++;
        } else if (is_word_char(c)) {
            kind = SQL_TOK_WORD;
            end = i + 1;
            while (end < len && is_word_char((unsigned char)text[end]))
                end++;
        } else {
            kind = SQL_TOK_PUNCT;
            end = i + 1;
        }
        if (push(out, kind, i, end - i) < 0)
            return DBSHIFT_ENOMEM;
        i = end;
    }
    return 0;
}

void sql_tokens_release(sql_tokens *t)
{
    free(t->items);
    memset(t, 0, sizeof(*t));
}

bool sql_token_is(const sql_token *tok, const char *text, const char *word)
{
    if (tok->kind != SQL_TOK_WORD)
        return false;
    size_t n = strlen(word);
    if (tok->len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (toupper((unsigned char)text[tok->offset + i]) != word[i])
            return false;
    }
    return true;
}

char *sql_token_name(const sql_token *tok, const char *text)
{
    const char *s = text + tok->offset;
    size_t n = tok->len;
    char *name = malloc(n + 1);
    if (!name)
        return NULL;
    if (tok->kind == SQL_TOK_IDENT || tok->kind == SQL_TOK_STRING) {
        char open = s[0];
        char close = open == '[' ? ']' : open;
        size_t k = 0;
        size_t last = n > 1 && s[n - 1] == close ? n - 1 : n;
        for (size_t j = 1; j < last; j++) {
            name[k++] = s[j];
            if (s[j] == close && j + 1 < last && s[j + 1] == close)
                j++;
        }
        name[k] = '\0';
        return name;
    }
    for (size_t j = 0; j < n; j++)
        name[j] = (char)tolower((unsigned char)s[j]);
    name[n] = '\0';
    return name;
}
