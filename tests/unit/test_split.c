/*
 * test_split.c - the statement splitters: every case under tests/sql/<dialect>
 * (a .sql file beside its .expected statements, separated by "-- ----"
 * lines; a first line "-- error: LINE:COL" expects DBSHIFT_EPARSE there and
 * "-- parse-error: LINE" expects the Postgres scanner fall-back), then the
 * edge cases that are easier to state in C: empty text, positions with CRLF
 * and UTF-8, text that is not NUL-terminated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dbshift/driver.h"
#include "sql/split.h"

static char *read_whole(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *data = malloc(cap);
    assert_non_null(data);
    size_t got;
    while ((got = fread(data + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            data = realloc(data, cap);
            assert_non_null(data);
        }
    }
    fclose(f);
    data[n] = '\0';
    *len = n;
    return data;
}

/* Line and column of offset, counted independently of the splitter. */
static void position_of(const char *text, size_t offset, int *line, int *column)
{
    *line = 1;
    *column = 1;
    for (size_t i = 0; i < offset; i++) {
        if (text[i] == '\n') {
            (*line)++;
            *column = 1;
        } else {
            (*column)++;
        }
    }
}

/* Runs one data case; returns the number of mismatches (each printed). */
static int run_case(const char *dir, const char *name, int dialect)
{
    char path[8192]; /* room for dir (4096) + name (1024) + suffix */
    size_t sql_len, exp_len;
    snprintf(path, sizeof(path), "%s/%s.sql", dir, name);
    char *sql = read_whole(path, &sql_len);
    snprintf(path, sizeof(path), "%s/%s.expected", dir, name);
    char *expected = read_whole(path, &exp_len);
    if (!sql || !expected) {
        print_error("%s/%s: cannot read the .sql or .expected file\n", dir, name);
        free(sql);
        free(expected);
        return 1;
    }
    int failures = 0;
    sql_split s;
    dbshift_error err = {0};
    int rc = sql_split_text(&s, sql, sql_len, dialect, &err);

    const char *body = expected;
    int want_line, want_column;
    if (sscanf(expected, "-- error: %d:%d", &want_line, &want_column) == 2) {
        if (rc != DBSHIFT_EPARSE || err.line != want_line || err.column != want_column ||
            s.count != 0 || s.items != NULL) {
            print_error("%s: want EPARSE at %d:%d, got rc %d at %d:%d (%s)\n", name, want_line,
                        want_column, rc, err.line, err.column, err.message ? err.message : "");
            failures++;
        }
        goto done;
    }
    if (rc != 0) {
        print_error("%s: split failed: %s\n", name, err.message ? err.message : "?");
        failures++;
        goto done;
    }
    int want_parse_line = 0;
    if (sscanf(expected, "-- parse-error: %d", &want_parse_line) == 1) {
        body = strchr(expected, '\n') + 1;
        if (!s.parse_error || s.parse_error_line != want_parse_line) {
            print_error("%s: want a parse error on line %d, got %s on line %d\n", name,
                        want_parse_line, s.parse_error ? s.parse_error : "none",
                        s.parse_error_line);
            failures++;
        }
    } else if (s.parse_error) {
        print_error("%s: unexpected parse error: %s\n", name, s.parse_error);
        failures++;
    }

    /* Walk the expected blocks and the statements side by side. */
    size_t index = 0;
    const char *p = body;
    const char *end = expected + exp_len;
    while (p < end) {
        const char *sep = strstr(p, "\n-- ----\n");
        const char *block_end = sep ? sep : end;
        if (!sep && block_end > p && block_end[-1] == '\n')
            block_end--;
        size_t want_len = (size_t)(block_end - p);
        if (index >= s.count) {
            print_error("%s: statement %zu missing, want [%.*s]\n", name, index + 1, (int)want_len,
                        p);
            failures++;
        } else {
            const sql_statement *st = &s.items[index];
            int line, column;
            position_of(sql, st->offset, &line, &column);
            if (st->len != want_len || memcmp(sql + st->offset, p, want_len) != 0) {
                print_error("%s: statement %zu is [%.*s], want [%.*s]\n", name, index + 1,
                            (int)st->len, sql + st->offset, (int)want_len, p);
                failures++;
            } else if (st->line != line || st->column != column) {
                print_error("%s: statement %zu at %d:%d, want %d:%d\n", name, index + 1, st->line,
                            st->column, line, column);
                failures++;
            }
        }
        index++;
        p = sep ? sep + strlen("\n-- ----\n") : end;
    }
    if (index != s.count) {
        print_error("%s: %zu statements, want %zu\n", name, s.count, index);
        failures++;
    }
done:
    sql_split_release(&s);
    dbshift_error_clear(&err);
    free(sql);
    free(expected);
    return failures;
}

static void run_dialect_cases(const char *folder, int dialect)
{
    const char *source = getenv("DBSHIFT_SOURCE_DIR");
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/tests/sql/%s", source ? source : ".", folder);
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s (is DBSHIFT_SOURCE_DIR set?)", dir);
    int cases = 0, failures = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".sql") != 0)
            continue;
        char name[1024];
        snprintf(name, sizeof(name), "%.*s", (int)(n - 4), e->d_name);
        failures += run_case(dir, name, dialect);
        cases++;
    }
    closedir(d);
    assert_true(cases >= 15);
    assert_int_equal(failures, 0);
}

static void test_sqlite_cases(void **state)
{
    (void)state;
    run_dialect_cases("sqlite", DBSHIFT_DIALECT_SQLITE);
}

static void test_mysql_cases(void **state)
{
    (void)state;
    run_dialect_cases("mysql", DBSHIFT_DIALECT_MYSQL);
}

static void test_postgres_cases(void **state)
{
    (void)state;
    run_dialect_cases("postgres", DBSHIFT_DIALECT_POSTGRES);
}

static const int all_dialects[] = {DBSHIFT_DIALECT_SQLITE, DBSHIFT_DIALECT_MYSQL,
                                   DBSHIFT_DIALECT_POSTGRES};

static void test_empty_text(void **state)
{
    (void)state;
    const char *texts[] = {"", "   \n\t\n", "-- only a comment", "/* a */ -- b\n", ";", " ; ;; "};
    for (size_t d = 0; d < 3; d++) {
        for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
            sql_split s;
            dbshift_error err = {0};
            assert_int_equal(sql_split_text(&s, texts[i], strlen(texts[i]), all_dialects[d], &err),
                             0);
            assert_int_equal(s.count, 0);
            assert_null(s.parse_error);
            sql_split_release(&s);
        }
        sql_split s;
        assert_int_equal(sql_split_text(&s, NULL, 0, all_dialects[d], NULL), 0);
        assert_int_equal(s.count, 0);
        sql_split_release(&s);
        sql_split_release(&s); /* harmless on an emptied result */
    }
}

static void test_crlf_positions(void **state)
{
    (void)state;
    const char *text = "-- head\r\nSELECT 1;\r\n\r\n  SELECT\r\n 2\r\n";
    for (size_t d = 0; d < 3; d++) {
        sql_split s;
        dbshift_error err = {0};
        assert_int_equal(sql_split_text(&s, text, strlen(text), all_dialects[d], &err), 0);
        assert_int_equal(s.count, 2);
        assert_int_equal(s.items[0].line, 2);
        assert_int_equal(s.items[0].column, 1);
        assert_int_equal(s.items[0].len, strlen("SELECT 1"));
        assert_int_equal(s.items[1].line, 4);
        assert_int_equal(s.items[1].column, 3);
        /* The trailing \r is whitespace, not statement text. */
        assert_memory_equal(text + s.items[1].offset, "SELECT\r\n 2", s.items[1].len);
        assert_int_equal(s.items[1].len, strlen("SELECT\r\n 2"));
        sql_split_release(&s);
    }
}

static void test_utf8_columns_are_bytes(void **state)
{
    (void)state;
    const char *text = "SELECT 'é;ü'; SELECT '✓';\nSELECT 1";
    for (size_t d = 0; d < 3; d++) {
        sql_split s;
        assert_int_equal(sql_split_text(&s, text, strlen(text), all_dialects[d], NULL), 0);
        assert_int_equal(s.count, 3);
        assert_int_equal(s.items[1].line, 1);
        assert_int_equal(s.items[1].column, 17); /* 1 + 16 bytes: é and ü are two each */
        assert_int_equal(s.items[2].line, 2);
        assert_int_equal(s.items[2].len, 8);
        sql_split_release(&s);
    }
}

static void test_text_not_nul_terminated(void **state)
{
    (void)state;
    /* Only the first len bytes belong to the text. */
    const char text[] = "SELECT 1; SELECT 2; 'unterminated";
    size_t len = strlen("SELECT 1; SELECT 2");
    for (size_t d = 0; d < 3; d++) {
        sql_split s;
        assert_int_equal(sql_split_text(&s, text, len, all_dialects[d], NULL), 0);
        assert_int_equal(s.count, 2);
        assert_int_equal(s.items[1].offset, 10);
        assert_int_equal(s.items[1].len, 8);
        sql_split_release(&s);
    }
}

static void test_error_positions(void **state)
{
    (void)state;
    struct {
        int dialect;
        const char *text;
        int line, column;
    } cases[] = {
        {DBSHIFT_DIALECT_SQLITE, "SELECT 1;\r\n  \"abc", 2, 3},
        {DBSHIFT_DIALECT_SQLITE, "SELECT `x", 1, 8},
        {DBSHIFT_DIALECT_SQLITE, "SELECT 'é' /* é", 1, 13},
        {DBSHIFT_DIALECT_MYSQL, "SELECT \"a\\\"", 1, 8},
        {DBSHIFT_DIALECT_MYSQL, "\n\n/* x", 3, 1},
        {DBSHIFT_DIALECT_MYSQL, "SELECT 1;\nDELIMITER $$ junk\n", 2, 1},
        {DBSHIFT_DIALECT_POSTGRES, "SELECT 1;\n\"abc", 2, 1},
        {DBSHIFT_DIALECT_POSTGRES, "SELECT $a$ x $b$", 1, 8},
        {DBSHIFT_DIALECT_POSTGRES, "SELECT 'é', 'x", 1, 14},
        {DBSHIFT_DIALECT_POSTGRES, "SELECT 1\0;", 1, 9},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sql_split s;
        dbshift_error err = {0};
        size_t len = strlen(cases[i].text);
        if (i == sizeof(cases) / sizeof(cases[0]) - 1)
            len = 10; /* the embedded NUL */
        assert_int_equal(sql_split_text(&s, cases[i].text, len, cases[i].dialect, &err),
                         DBSHIFT_EPARSE);
        assert_int_equal(err.code, DBSHIFT_EPARSE);
        assert_int_equal(err.line, cases[i].line);
        assert_int_equal(err.column, cases[i].column);
        assert_non_null(err.message);
        assert_int_equal(s.count, 0);
        assert_null(s.items);
        dbshift_error_clear(&err);
    }
}

static void test_unknown_dialect(void **state)
{
    (void)state;
    sql_split s;
    dbshift_error err = {0};
    assert_int_equal(sql_split_text(&s, "SELECT 1", 8, 99, &err), DBSHIFT_EUSAGE);
    assert_int_equal(s.count, 0);
    dbshift_error_clear(&err);
}

static void test_many_statements(void **state)
{
    (void)state;
    /* Enough statements to grow the list several times. */
    size_t n = 5000;
    char *text = malloc(n * 12 + 1);
    assert_non_null(text);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "SELECT %zu;\n", i % 1000);
    for (size_t d = 0; d < 3; d++) {
        sql_split s;
        assert_int_equal(sql_split_text(&s, text, len, all_dialects[d], NULL), 0);
        assert_int_equal(s.count, n);
        assert_int_equal(s.items[n - 1].line, (int)n);
        assert_int_equal(s.items[n - 1].column, 1);
        sql_split_release(&s);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite_cases),
        cmocka_unit_test(test_mysql_cases),
        cmocka_unit_test(test_postgres_cases),
        cmocka_unit_test(test_empty_text),
        cmocka_unit_test(test_crlf_positions),
        cmocka_unit_test(test_utf8_columns_are_bytes),
        cmocka_unit_test(test_text_not_nul_terminated),
        cmocka_unit_test(test_error_positions),
        cmocka_unit_test(test_unknown_dialect),
        cmocka_unit_test(test_many_statements),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
