/*
 * split_mysql.c - splits MySQL/MariaDB text into statements the way the
 * mysql command-line client does, since migration files are written for it.
 *
 * The lexer reads whitespace and comments (# to end of line; "--" only when a
 * space or control character follows, as MySQL requires; / * ... * /), which
 * are skipped; '...' and "..." strings with backslash escapes and doubled
 * quotes; `...` identifiers with doubled backticks; words; and single bytes.
 * Executable comments (/ *! ... * /, / *!50003 ... * /, MariaDB's / *M! ... * /)
 * hold SQL, so they are one significant token: a ';' inside one never splits
 * and a statement made only of one (as mysqldump writes) is kept.
 *
 * Statements end at the current delimiter, ';' at first. A DELIMITER line met
 * where a statement would begin ("DELIMITER $$", "DELIMITER //", back with
 * "DELIMITER ;") changes it and is not itself a statement; like the client,
 * the delimiter is matched anywhere outside strings and comments, even inside
 * a word. CREATE PROCEDURE/TRIGGER bodies need DELIMITER in MySQL itself, so
 * without one a ';' inside BEGIN ... END splits, as the server would expect.
 */
#include "sql/split_internal.h"

#include "util/err.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

enum token {
    TK_SPACE,
    TK_SIGNIFICANT,
    TK_UNTERMINATED,
};

#define DELIMITER_MAX 16

typedef struct lexer {
    const char *s;
    size_t len;
    char delimiter[DELIMITER_MAX + 1];
    size_t delimiter_len;
} lexer;

static bool at_delimiter(const lexer *lx, size_t i)
{
    unsigned char c = (unsigned char)lx->s[i], first = (unsigned char)lx->delimiter[0];
    if (c != first && tolower(c) != tolower(first))
        return false;
    if (lx->len - i < lx->delimiter_len)
        return false;
    return strncasecmp(lx->s + i, lx->delimiter, lx->delimiter_len) == 0;
}

static enum token next_token(const lexer *lx, size_t *pos, const char **what, const char **closer)
{
    const char *s = lx->s;
    size_t len = lx->len;
    size_t i = *pos;
    size_t end = 0;
    switch ((enum sql_char_class)sql_split_char_class[(unsigned char)s[i]]) {
    case SQL_CC_SPACE:
        for (i++; i < len && sql_split_char_class[(unsigned char)s[i]] == SQL_CC_SPACE; i++)
            ;
        *pos = i;
        return TK_SPACE;
    case SQL_CC_WORD:
        /* The client matches the delimiter inside words too ("END$$"). */
        for (i++; i < len && sql_split_char_class[(unsigned char)s[i]] == SQL_CC_WORD &&
                  !at_delimiter(lx, i);
             i++)
            ;
        *pos = i;
        return TK_SIGNIFICANT;
    case SQL_CC_MINUS:
        if (i + 1 < len && s[i + 1] == '-' && (i + 2 == len || (unsigned char)s[i + 2] <= ' ')) {
            *pos = sql_split_skip_line(s, len, i);
            return TK_SPACE;
        }
        *pos = i + 1;
        return TK_SIGNIFICANT;
    case SQL_CC_HASH:
        *pos = sql_split_skip_line(s, len, i);
        return TK_SPACE;
    case SQL_CC_SLASH:
        if (i + 1 < len && s[i + 1] == '*') {
            bool executable = i + 2 < len && (s[i + 2] == '!' ||
                                              (s[i + 2] == 'M' && i + 3 < len && s[i + 3] == '!'));
            end = sql_split_skip_block_comment(s, len, i);
            if (end) {
                *pos = end;
                return executable ? TK_SIGNIFICANT : TK_SPACE;
            }
            *what = executable ? "executable comment" : "comment";
            *closer = "*/";
            return TK_UNTERMINATED;
        }
        *pos = i + 1;
        return TK_SIGNIFICANT;
    case SQL_CC_QUOTE:
        *what = "string literal";
        *closer = "'";
        end = sql_split_skip_quoted(s, len, i, '\'', true);
        break;
    case SQL_CC_DQUOTE:
        *what = "string literal";
        *closer = "\"";
        end = sql_split_skip_quoted(s, len, i, '"', true);
        break;
    case SQL_CC_BACKTICK:
        *what = "quoted identifier";
        *closer = "`";
        end = sql_split_skip_quoted(s, len, i, '`', false);
        break;
    case SQL_CC_LBRACKET: /* [...] quotes only in SQLite */
    case SQL_CC_SEMI:     /* ends a statement only as the delimiter */
    case SQL_CC_OTHER:
    default:
        *pos = i + 1;
        return TK_SIGNIFICANT;
    }
    if (!end)
        return TK_UNTERMINATED;
    *pos = end;
    return TK_SIGNIFICANT;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Recognises a DELIMITER line at s[start] (where a statement would begin).
 * Returns 1 and sets *next past the line when it is one, 0 when it is not,
 * or DBSHIFT_EPARSE for a DELIMITER line without a usable delimiter. */
static int delimiter_line(lexer *lx, size_t start, size_t *next, dbshift_error *err)
{
    const char *s = lx->s;
    size_t len = lx->len;
    if (len - start < 9 || strncasecmp(s + start, "delimiter", 9) != 0)
        return 0;
    size_t i = start + 9;
    if (i < len && !is_blank(s[i]) && s[i] != '\n')
        return 0; /* a longer word, e.g. delimiter_log */
    int line, column;
    sql_split_position(s, start, &line, &column);
    while (i < len && is_blank(s[i]))
        i++;
    size_t arg = i;
    while (i < len && !is_blank(s[i]) && s[i] != '\n')
        i++;
    size_t arg_len = i - arg;
    while (i < len && is_blank(s[i]))
        i++;
    const char *problem = NULL;
    if (arg_len == 0)
        problem = "names no delimiter";
    else if (arg_len > DELIMITER_MAX)
        problem = "sets a delimiter longer than 16 bytes";
    else if (memchr(s + arg, '\\', arg_len))
        problem = "sets a delimiter containing a backslash";
    else if (i < len && s[i] != '\n')
        problem = "has text after the delimiter";
    if (problem) {
        err_set(err, DBSHIFT_EPARSE, "DELIMITER line at line %d %s", line, problem);
        if (err) {
            err->line = line;
            err->column = column;
            err_hint(err, "write the directive alone on its line, e.g. \"DELIMITER $$\", and "
                          "\"DELIMITER ;\" after the routine");
        }
        return DBSHIFT_EPARSE;
    }
    memcpy(lx->delimiter, s + arg, arg_len);
    lx->delimiter[arg_len] = '\0';
    lx->delimiter_len = arg_len;
    *next = i < len ? i + 1 : len;
    return 1;
}

int sql_split_mysql(sql_split *out, const char *text, size_t len, dbshift_error *err)
{
    sql_split_builder b;
    sql_split_builder_init(&b, out, text, len);
    lexer lx = {.s = text, .len = len, .delimiter = ";", .delimiter_len = 1};
    bool in_statement = false;
    size_t stmt_start = 0, stmt_end = 0, pos = 0;
    int rc;
    while (pos < len) {
        size_t start = pos;
        if (at_delimiter(&lx, pos)) {
            pos += lx.delimiter_len;
            if (in_statement && (rc = sql_split_push(&b, stmt_start, stmt_end, err)) < 0)
                return rc;
            in_statement = false;
            continue;
        }
        if (!in_statement && (text[pos] == 'd' || text[pos] == 'D')) {
            rc = delimiter_line(&lx, pos, &pos, err);
            if (rc < 0)
                return rc;
            if (rc > 0)
                continue;
        }
        const char *what = NULL, *closer = NULL;
        enum token tk = next_token(&lx, &pos, &what, &closer);
        if (tk == TK_SPACE)
            continue;
        if (tk == TK_UNTERMINATED)
            return sql_split_unterminated(err, text, start, what, closer);
        if (!in_statement)
            stmt_start = start;
        in_statement = true;
        stmt_end = pos;
    }
    if (in_statement)
        return sql_split_push(&b, stmt_start, stmt_end, err);
    return 0;
}
