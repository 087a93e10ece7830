/*
 * split_sqlite.c - splits SQLite text into statements with a table-driven
 * lexer, the way SQLite's own complete.c decides where a statement ends.
 *
 * Two tables drive it. sql_split_char_class (split.c, shared with the MySQL
 * lexer) maps every byte to a class, which picks how
 * the lexer reads one token: whitespace, "-- line" and "/ * block * /"
 * comments (skipped), '...' strings with '' escapes, "...", `...` (doubled
 * quote escapes) and [...] identifiers, words (letters, digits, _, $ and
 * every byte >= 0x80, so UTF-8 names are words), ';', and any other single
 * byte. A string, identifier or block comment that reaches the end of the
 * text is an error reported at the line and column where it began.
 *
 * Words are then classified as one of the few keywords that matter (EXPLAIN,
 * CREATE, TEMP/TEMPORARY, TRIGGER, END) or as OTHER, and the significant
 * tokens feed this state machine (rows are states, columns tokens):
 *
 *                 ;          OTHER    EXPLAIN  CREATE   TEMP     TRIGGER  END
 *   START       [empty]      NORMAL   EXPLAIN  CREATE   NORMAL   NORMAL   NORMAL
 *   NORMAL      end          NORMAL   NORMAL   NORMAL   NORMAL   NORMAL   NORMAL
 *   EXPLAIN     end          EXPLAIN  NORMAL   CREATE   NORMAL   NORMAL   NORMAL
 *   CREATE      end          NORMAL   NORMAL   NORMAL   CREATE   TRIGGER  NORMAL
 *   TRIGGER     TRIG_SEMI    TRIGGER  TRIGGER  TRIGGER  TRIGGER  TRIGGER  TRIGGER
 *   TRIG_SEMI   TRIG_SEMI    TRIGGER  TRIGGER  TRIGGER  TRIGGER  TRIGGER  TRIG_END
 *   TRIG_END    end          TRIGGER  TRIGGER  TRIGGER  TRIGGER  TRIGGER  TRIGGER
 *
 * "end" closes the statement (the ';' is not part of it) and returns to
 * START. EXPLAIN stays EXPLAIN over QUERY PLAN so EXPLAIN QUERY PLAN CREATE
 * TRIGGER still counts as a trigger. Inside CREATE [TEMP] TRIGGER only
 * "; END ;" closes the statement: the body's statements are separated by
 * ';', and END right after a ';' can only be the body's END, because no
 * statement allowed in a trigger begins with END. That is also why a CASE
 * ... END inside the body needs no counting: its END always follows an
 * expression, never a ';'. Text that ends without ';' still closes the last
 * statement.
 */
#include "sql/split_internal.h"

#include <string.h>
#include <strings.h>

/* Significant tokens, the columns of the state machine. */
enum token {
    TK_SEMI,
    TK_OTHER,
    TK_EXPLAIN,
    TK_CREATE,
    TK_TEMP,
    TK_TRIGGER,
    TK_END,
    TK_COUNT,
    /* not fed to the machine */
    TK_SPACE,
    TK_UNTERMINATED,
};

enum state {
    ST_START,
    ST_NORMAL,
    ST_EXPLAIN,
    ST_CREATE,
    ST_TRIGGER,
    ST_TRIG_SEMI,
    ST_TRIG_END,
    ST_COUNT,
    ST_DONE, /* the ';' closed the statement */
};

static const unsigned char transition[ST_COUNT][TK_COUNT] = {
    /*              ;             OTHER       EXPLAIN     CREATE      TEMP        TRIGGER     END */
    [ST_START] = {ST_DONE, ST_NORMAL, ST_EXPLAIN, ST_CREATE, ST_NORMAL, ST_NORMAL, ST_NORMAL},
    [ST_NORMAL] = {ST_DONE, ST_NORMAL, ST_NORMAL, ST_NORMAL, ST_NORMAL, ST_NORMAL, ST_NORMAL},
    [ST_EXPLAIN] = {ST_DONE, ST_EXPLAIN, ST_NORMAL, ST_CREATE, ST_NORMAL, ST_NORMAL, ST_NORMAL},
    [ST_CREATE] = {ST_DONE, ST_NORMAL, ST_NORMAL, ST_NORMAL, ST_CREATE, ST_TRIGGER, ST_NORMAL},
    [ST_TRIGGER] = {ST_TRIG_SEMI, ST_TRIGGER, ST_TRIGGER, ST_TRIGGER, ST_TRIGGER, ST_TRIGGER,
                    ST_TRIGGER},
    [ST_TRIG_SEMI] = {ST_TRIG_SEMI, ST_TRIGGER, ST_TRIGGER, ST_TRIGGER, ST_TRIGGER, ST_TRIGGER,
                      ST_TRIG_END},
    [ST_TRIG_END] = {ST_DONE, ST_TRIGGER, ST_TRIGGER, ST_TRIGGER, ST_TRIGGER, ST_TRIGGER,
                     ST_TRIGGER},
};

static enum token keyword(const char *word, size_t n)
{
    switch (n) {
    case 3:
        return strncasecmp(word, "end", 3) == 0 ? TK_END : TK_OTHER;
    case 4:
        return strncasecmp(word, "temp", 4) == 0 ? TK_TEMP : TK_OTHER;
    case 6:
        return strncasecmp(word, "create", 6) == 0 ? TK_CREATE : TK_OTHER;
    case 7:
        if (strncasecmp(word, "explain", 7) == 0)
            return TK_EXPLAIN;
        return strncasecmp(word, "trigger", 7) == 0 ? TK_TRIGGER : TK_OTHER;
    case 9:
        return strncasecmp(word, "temporary", 9) == 0 ? TK_TEMP : TK_OTHER;
    default:
        return TK_OTHER;
    }
}

/* Reads one token at s[*pos], advancing *pos past it. For an unterminated
 * construct *what and *closer describe it for the error message. */
static enum token next_token(const char *s, size_t len, size_t *pos, const char **what,
                             const char **closer)
{
    size_t i = *pos;
    size_t end;
    switch ((enum sql_char_class)sql_split_char_class[(unsigned char)s[i]]) {
    case SQL_CC_SPACE:
        for (i++; i < len && sql_split_char_class[(unsigned char)s[i]] == SQL_CC_SPACE; i++)
            ;
        *pos = i;
        return TK_SPACE;
    case SQL_CC_WORD:
        for (i++; i < len && sql_split_char_class[(unsigned char)s[i]] == SQL_CC_WORD; i++)
            ;
        end = *pos;
        *pos = i;
        return keyword(s + end, i - end);
    case SQL_CC_MINUS:
        if (i + 1 < len && s[i + 1] == '-') {
            *pos = sql_split_skip_line(s, len, i);
            return TK_SPACE;
        }
        *pos = i + 1;
        return TK_OTHER;
    case SQL_CC_SLASH:
        if (i + 1 < len && s[i + 1] == '*') {
            end = sql_split_skip_block_comment(s, len, i);
            if (end) {
                *pos = end;
                return TK_SPACE;
            }
            *what = "comment";
            *closer = "*/";
            return TK_UNTERMINATED;
        }
        *pos = i + 1;
        return TK_OTHER;
    case SQL_CC_QUOTE:
        *what = "string literal";
        *closer = "'";
        end = sql_split_skip_quoted(s, len, i, '\'', false);
        break;
    case SQL_CC_DQUOTE:
        *what = "quoted identifier";
        *closer = "\"";
        end = sql_split_skip_quoted(s, len, i, '"', false);
        break;
    case SQL_CC_BACKTICK:
        *what = "quoted identifier";
        *closer = "`";
        end = sql_split_skip_quoted(s, len, i, '`', false);
        break;
    case SQL_CC_LBRACKET: {
        const char *close = memchr(s + i, ']', len - i);
        *what = "bracketed identifier";
        *closer = "]";
        end = close ? (size_t)(close - s) + 1 : 0;
        break;
    }
    case SQL_CC_SEMI:
        *pos = i + 1;
        return TK_SEMI;
    case SQL_CC_HASH: /* a comment only in MySQL */
    case SQL_CC_OTHER:
    default:
        *pos = i + 1;
        return TK_OTHER;
    }
    if (!end)
        return TK_UNTERMINATED;
    *pos = end;
    return TK_OTHER;
}

int sql_split_sqlite(sql_split *out, const char *text, size_t len, dbshift_error *err)
{
    sql_split_builder b;
    sql_split_builder_init(&b, out, text, len);
    enum state state = ST_START;
    size_t stmt_start = 0, stmt_end = 0, pos = 0;
    while (pos < len) {
        size_t start = pos;
        const char *what = NULL, *closer = NULL;
        enum token tk = next_token(text, len, &pos, &what, &closer);
        if (tk == TK_SPACE)
            continue;
        if (tk == TK_UNTERMINATED)
            return sql_split_unterminated(err, text, start, what, closer);
        enum state next = transition[state][tk];
        if (next == ST_DONE) {
            if (state != ST_START) {
                int rc = sql_split_push(&b, stmt_start, stmt_end, err);
                if (rc < 0)
                    return rc;
            }
            state = ST_START;
            continue;
        }
        if (state == ST_START)
            stmt_start = start;
        stmt_end = pos;
        state = next;
    }
    if (state != ST_START)
        return sql_split_push(&b, stmt_start, stmt_end, err);
    return 0;
}
