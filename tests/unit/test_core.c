/*
 * test_core.c - the core's pieces that need no server: opening a handle, and
 * the planner (states merged from files and history) on real SQLite files
 * in a temporary folder. URL parsing and redaction: test_url.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dbshift.h"

static void test_open_unknown_scheme(void **state)
{
    (void)state;
    dbshift_config cfg;
    dbshift_config_init(&cfg);
    cfg.url = "oracle://scott:tiger@h/db";
    dbshift *db = NULL;
    dbshift_error err = {0};
    assert_int_equal(dbshift_open(&db, &cfg, &err), DBSHIFT_EUSAGE);
    assert_null(db);
    assert_non_null(strstr(err.message, "unknown database URL scheme"));
    assert_null(strstr(err.message, "tiger"));
    dbshift_error_clear(&err);
}

/* --- planner, on a real SQLite file --------------------------------------- */

typedef struct fixture {
    char dir[64];
    char migrations[96];
    char url[128];
} fixture;

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    strcpy(fx->dir, "/tmp/dbshift-test-core.XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->migrations, sizeof(fx->migrations), "%s/migrations", fx->dir);
    mkdir(fx->migrations, 0700);
    snprintf(fx->url, sizeof(fx->url), "sqlite:%s/t.db", fx->dir);
    write_file(fx->migrations, "0001_a.sql",
               "-- dbshift:up\nCREATE TABLE a(x);\n-- dbshift:down\nDROP TABLE a;\n");
    write_file(fx->migrations, "0002_b.sql",
               "-- dbshift:up\nCREATE TABLE b(x);\n-- dbshift:down\nDROP TABLE b;\n");
    write_file(fx->migrations, "0003_c.sql",
               "-- dbshift:up\nCREATE TABLE c(x);\n-- dbshift:down\nDROP TABLE c;\n");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    char cmd[160];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    if (system(cmd) != 0)
        return -1;
    free(fx);
    return 0;
}

static dbshift *open_fx(fixture *fx)
{
    dbshift_config cfg;
    dbshift_config_init(&cfg);
    cfg.url = fx->url;
    cfg.migrations_dir = fx->migrations;
    dbshift *db = NULL;
    assert_int_equal(dbshift_open(&db, &cfg, NULL), 0);
    return db;
}

static int state_of(const dbshift_status *st, const char *version)
{
    for (size_t i = 0; i < st->count; i++)
        if (strcmp(st->migrations[i].version, version) == 0)
            return st->migrations[i].state;
    return 0;
}

static void test_plan_states(void **state)
{
    fixture *fx = *state;
    dbshift *db = open_fx(fx);
    dbshift_status *st = NULL;
    assert_int_equal(dbshift_status_get(&st, db), 0);
    assert_int_equal(st->pending, 3);
    assert_null(st->current_version);
    dbshift_status_free(st);

    dbshift_run_options o;
    dbshift_run_options_init(&o);
    o.to_version = "2";
    o.no_backup = true;
    dbshift_report *rep = NULL;
    assert_int_equal(dbshift_up(&rep, db, &o), 0);
    assert_int_equal(rep->count, 2);
    assert_string_equal(rep->to_version, "0002");
    dbshift_report_free(rep);
    dbshift_free(db);

    /* 0002 edited, 0001 deleted, a new 0000 below the newest applied */
    write_file(fx->migrations, "0002_b.sql",
               "-- dbshift:up\nCREATE TABLE b(x, y);\n-- dbshift:down\nDROP TABLE b;\n");
    char path[200];
    snprintf(path, sizeof(path), "%s/0001_a.sql", fx->migrations);
    unlink(path);
    write_file(fx->migrations, "0000_z.sql", "-- dbshift:up\nSELECT 1;\n");
    db = open_fx(fx);
    assert_int_equal(dbshift_status_get(&st, db), 0);
    assert_int_equal(state_of(st, "0001"), DBSHIFT_STATE_MISSING);
    assert_int_equal(state_of(st, "0002"), DBSHIFT_STATE_CHANGED);
    assert_int_equal(state_of(st, "0003"), DBSHIFT_STATE_PENDING);
    assert_int_equal(state_of(st, "0000"), DBSHIFT_STATE_OUT_OF_ORDER);
    assert_string_equal(st->migrations[0].version, "0000"); /* version order */
    assert_int_equal(st->changed, 1);
    assert_int_equal(st->missing, 1);
    assert_string_equal(st->current_version, "0002");
    dbshift_status_free(st);

    /* nothing runs while files changed: the database keeps its 2 rows */
    assert_int_equal(dbshift_up(&rep, db, &o), DBSHIFT_ECHECKSUM);
    dbshift_report_free(rep);
    dbshift_problems *pr = NULL;
    assert_int_equal(dbshift_validate(&pr, db), DBSHIFT_ECHECKSUM);
    assert_int_equal(pr->count, 2);
    dbshift_problems_free(pr);
    dbshift_free(db);
}

static void test_newer_database(void **state)
{
    fixture *fx = *state;
    dbshift *db = open_fx(fx);
    dbshift_run_options o;
    dbshift_run_options_init(&o);
    o.no_backup = true;
    dbshift_report *rep = NULL;
    assert_int_equal(dbshift_up(&rep, db, &o), 0);
    dbshift_report_free(rep);
    dbshift_free(db);
    char path[200];
    snprintf(path, sizeof(path), "%s/0003_c.sql", fx->migrations);
    unlink(path);
    db = open_fx(fx);
    assert_int_equal(dbshift_up(&rep, db, &o), DBSHIFT_ENEWER);
    assert_non_null(strstr(dbshift_last_error(db)->message, "newer version"));
    dbshift_report_free(rep);
    dbshift_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_unknown_scheme),
        cmocka_unit_test_setup_teardown(test_plan_states, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_database, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
