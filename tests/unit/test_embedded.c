/*
 * test_embedded.c - migrations compiled into a program: they load through
 * the folder readers with the same checksums a folder gives, a set whose
 * recorded metadata disagrees with its files is refused before anything
 * runs, and a program older than its database refuses to touch it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbshift.h"
#include "source/memory.h"

static const char create_sql[] =
    "-- dbshift:up\nCREATE TABLE t (x);\n-- dbshift:down\nDROP TABLE t;\n";
static const char create_crlf[] =
    "-- dbshift:up\r\nCREATE TABLE t (x);\r\n-- dbshift:down\r\nDROP TABLE t;\r\n";
static const char add_sql[] = "-- dbshift:confirm \"adds u\"\n-- dbshift:up\nCREATE TABLE u (y);\n";

static char sum_create[80], sum_add[80];

static dbshift_embedded_file files[] = {
    {"0001_create.sql", create_sql, sizeof(create_sql) - 1},
    {"0002_add.sql", add_sql, sizeof(add_sql) - 1},
};
static dbshift_embedded_migration recorded[2];

static dbshift_embedded make_set(size_t n)
{
    checksum_lf(sum_create, create_sql, sizeof(create_sql) - 1);
    checksum_lf(sum_add, add_sql, sizeof(add_sql) - 1);
    recorded[0] =
        (dbshift_embedded_migration){"0001", "create", sum_create, false, true, false, NULL, NULL};
    recorded[1] =
        (dbshift_embedded_migration){"0002", "add", sum_add, false, false, false, "adds u", NULL};
    dbshift_embedded e = {DBSHIFT_EMBEDDED_ABI, "dbshift", "migrations", n, files, n, recorded};
    return e;
}

static void test_loads_like_a_folder(void **state)
{
    (void)state;
    dbshift_embedded e = make_set(2);
    migration_set *set = NULL;
    dbshift_error err = {0};
    assert_int_equal(migration_set_load_embedded(&set, &e, NULL, &err), 0);
    assert_int_equal(set->count, 2);
    assert_string_equal(set->format, "dbshift");
    assert_null(set->dir);
    assert_string_equal(set->items[0].version, "0001");
    assert_string_equal(set->items[0].file, "migrations/0001_create.sql");
    assert_true(set->items[0].down.present);
    assert_string_equal(set->items[1].confirm, "adds u");
    assert_string_equal(set->items[1].checksum, sum_add);
    migration_set_free(set);
}

static void test_crlf_gives_the_same_checksum(void **state)
{
    (void)state;
    dbshift_embedded e = make_set(1);
    dbshift_embedded_file crlf = {"0001_create.sql", create_crlf, sizeof(create_crlf) - 1};
    e.files = &crlf;
    migration_set *set = NULL;
    dbshift_error err = {0};
    assert_int_equal(migration_set_load_embedded(&set, &e, NULL, &err), 0);
    assert_string_equal(set->items[0].checksum, sum_create);
    migration_set_free(set);
}

static void test_refuses_mismatch(void **state)
{
    (void)state;
    dbshift_embedded e = make_set(2);
    recorded[1].checksum = sum_create;
    migration_set *set = NULL;
    dbshift_error err = {0};
    assert_int_equal(migration_set_load_embedded(&set, &e, NULL, &err), DBSHIFT_EPARSE);
    assert_null(set);
    assert_non_null(strstr(err.message, "checksum"));
    dbshift_error_clear(&err);

    e = make_set(2);
    e.nmigrations = 1;
    assert_int_equal(migration_set_load_embedded(&set, &e, NULL, &err), DBSHIFT_EPARSE);
    dbshift_error_clear(&err);

    e = make_set(2);
    recorded[0].version = "0009";
    assert_int_equal(migration_set_load_embedded(&set, &e, NULL, &err), DBSHIFT_EPARSE);
    dbshift_error_clear(&err);

    e = make_set(2);
    e.abi = DBSHIFT_EMBEDDED_ABI + 1;
    assert_int_equal(migration_set_load_embedded(&set, &e, NULL, &err), DBSHIFT_EUNSUPPORTED);
    dbshift_error_clear(&err);

    e = make_set(1);
    dbshift_embedded_file bad = {"notes.txt", "x", 1};
    e.files = &bad;
    assert_int_equal(migration_set_load_embedded(&set, &e, NULL, &err), DBSHIFT_EPARSE);
    dbshift_error_clear(&err);
}

/* Through the public API: apply with the program's set, then open with an
 * older program's (one migration fewer): refused, nothing changed. */
static void test_runs_and_refuses_newer(void **state)
{
    (void)state;
    char path[] = "/tmp/dbshift-embedded-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    char url[64];
    snprintf(url, sizeof(url), "sqlite:%s", path);

    dbshift_embedded e = make_set(2);
    dbshift_config cfg;
    dbshift_config_init(&cfg);
    cfg.url = url;
    cfg.embedded = &e;
    cfg.assume_yes = true;
    dbshift *db = NULL;
    assert_int_equal(dbshift_open(&db, &cfg, NULL), 0);
    dbshift_run_options opts;
    dbshift_run_options_init(&opts);
    opts.no_backup = true;
    dbshift_report *rep = NULL;
    assert_int_equal(dbshift_up(&rep, db, &opts), 0);
    assert_int_equal(rep->count, 2);
    assert_string_equal(rep->to_version, "0002");
    dbshift_report_free(rep);
    dbshift_free(db);

    dbshift_embedded older = make_set(1);
    cfg.embedded = &older;
    assert_int_equal(dbshift_open(&db, &cfg, NULL), 0);
    rep = NULL;
    assert_int_equal(dbshift_up(&rep, db, &opts), DBSHIFT_ENEWER);
    assert_non_null(strstr(dbshift_last_error(db)->message, "newer version"));
    dbshift_report_free(rep);
    dbshift_free(db);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loads_like_a_folder),
        cmocka_unit_test(test_crlf_gives_the_same_checksum),
        cmocka_unit_test(test_refuses_mismatch),
        cmocka_unit_test(test_runs_and_refuses_newer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
