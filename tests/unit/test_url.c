/*
 * test_url.c - unit tests for src/core/url.c: engine selection by scheme,
 * SQLite paths, and above all password redaction, since a redacted URL is
 * what every message, log line and JSON document shows. Inputs found by
 * fuzz/fuzz_url.c that once leaked a password are kept here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/url.h"

static void check_redact(const char *url, const char *expected)
{
    char *got = url_redact(url);
    assert_non_null(got);
    assert_string_equal(got, expected);
    free(got);
}

static void test_redacts_url_passwords(void **state)
{
    (void)state;
    check_redact("postgres://app:secretpw@127.0.0.1:5432/db",
                 "postgres://app:***@127.0.0.1:5432/db");
    check_redact("mysql://root:p%40ss@localhost/app?ssl-mode=REQUIRED",
                 "mysql://root:***@localhost/app?ssl-mode=REQUIRED");
    check_redact("postgresql://u@h/d?password=secretpw&sslmode=disable",
                 "postgresql://u@h/d?password=***&sslmode=disable");
    check_redact("host=h password=secretpw dbname=d", "host=h password=*** dbname=d");
    check_redact("host=h password='se cret' dbname=d", "host=h password=*** dbname=d");
    check_redact("sqlite:app.db", "sqlite:app.db");
}

/* fuzz_url: a scheme with bytes a scheme may not have used to skip the
 * user:password@ redaction, so the "unknown scheme" error showed it. */
static void test_redacts_after_a_bad_scheme(void **state)
{
    (void)state;
    check_redact("ql\xff\xff\xff://u:pwsqtli@h:\xbe"
                 "9mqsql:/9",
                 "ql\xff\xff\xff://u:***@h:\xbe"
                 "9mqsql:/9");
    check_redact("no such://user:secretpw@host/x", "no such://user:***@host/x");
    check_redact("postgres://u:pa#ss@h/db", "postgres://u:***@h/db");
    check_redact("postgres://u:pa/ss@h/db?sslmode=disable",
                 "postgres://u:***@h/db?sslmode=disable");
    check_redact("ql://##uzz:zzzz00zzw@h:=x", "ql://##uzz:***@h:=x");
    check_redact("mmy111:sqliysql://t:tsecretpw@127secretpw30/ap/p",
                 "mmy111:sqliysql://t:***@127secretpw30/ap/p");
    check_redact("x y://u:secretpw@h/d password=other", "x y://u:***@h/d password=***");
    /* a password containing '@' must not leak its tail */
    check_redact("postgres://u:a@b@h/db", "postgres://u:***@h/db");
}

static void test_driver_by_scheme(void **state)
{
    (void)state;
    assert_ptr_equal(url_driver("sqlite:a.db"), &dbshift_driver_sqlite);
    assert_ptr_equal(url_driver("postgres://h/d"), &dbshift_driver_postgres);
    assert_ptr_equal(url_driver("POSTGRESQL://h/d"), &dbshift_driver_postgres);
    assert_ptr_equal(url_driver("mariadb://h/d"), &dbshift_driver_mysql);
    assert_ptr_equal(url_driver("host=h dbname=d"), &dbshift_driver_postgres);
    assert_ptr_equal(url_driver("SQLITE3:x.db"), &dbshift_driver_sqlite);
    assert_ptr_equal(url_driver("mysql://h/db"), &dbshift_driver_mysql);
    assert_null(url_driver("nosuch://h/d"));
    assert_null(url_driver("just-a-word"));
    assert_null(url_driver(""));
    assert_null(url_driver(NULL));
}

static void test_sqlite_path(void **state)
{
    (void)state;
    char *p = url_sqlite_path("sqlite:rel.db?mode=ro");
    assert_string_equal(p, "rel.db");
    free(p);
    p = url_sqlite_path("sqlite:///abs/app.db");
    assert_string_equal(p, "/abs/app.db");
    free(p);
    assert_null(url_sqlite_path("sqlite::memory:"));
    assert_null(url_sqlite_path("postgres://h/d"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_redacts_url_passwords),
        cmocka_unit_test(test_redacts_after_a_bad_scheme),
        cmocka_unit_test(test_driver_by_scheme),
        cmocka_unit_test(test_sqlite_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
