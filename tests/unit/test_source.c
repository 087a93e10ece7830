/*
 * test_source.c - migration discovery and every format reader, run on the
 * fixture folders in tests/fixtures/source (one per format and one per
 * error) and on the real-world corpora in ../shared/corpora, whose counts
 * are known from the tools that own them.
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

#include "dbshift/driver.h"
#include "source/migration.h"

static char path_buf[4096];

static const char *source_dir(void)
{
    const char *d = getenv("DBSHIFT_SOURCE_DIR");
    return d && *d ? d : ".";
}

static const char *fixture(const char *name)
{
    snprintf(path_buf, sizeof(path_buf), "%s/tests/fixtures/source/%s", source_dir(), name);
    return path_buf;
}

static const char *corpus(const char *rel)
{
    snprintf(path_buf, sizeof(path_buf), "%s/../shared/corpora/%s", source_dir(), rel);
    return path_buf;
}

static migration_set *load_ok(const char *dir, const source_options *opts)
{
    migration_set *set = NULL;
    dbshift_error err = {0};
    int rc = migration_set_load(&set, dir, opts, &err);
    if (rc != 0)
        fail_msg("loading %s failed: %s", dir, err.message);
    assert_non_null(set);
    dbshift_error_clear(&err);
    return set;
}

/* Loads a fixture that must fail, and checks the code, that the message
 * and err.file name the file, and the line. */
static void expect_error(const char *name, const source_options *opts, int code,
                         const char *file_part, int line, const char *message_part)
{
    migration_set *set = (migration_set *)1;
    dbshift_error err = {0};
    int rc = migration_set_load(&set, fixture(name), opts, &err);
    assert_int_equal(rc, code);
    assert_null(set);
    assert_int_equal(err.code, code);
    assert_non_null(err.message);
    if (file_part) {
        assert_non_null(err.file);
        assert_non_null(strstr(err.file, file_part));
        assert_non_null(strstr(err.message, file_part));
    }
    if (err.line != line)
        fail_msg("%s: line %d, want %d: %s", name, err.line, line, err.message);
    if (message_part && !strstr(err.message, message_part))
        fail_msg("message '%s' lacks '%s'", err.message, message_part);
    dbshift_error_clear(&err);
}

/* Statement i of an explicitly split section, as a string to compare. */
static char stmt_buf[4096];
static const char *stmt(const migration_section *sec, size_t i)
{
    assert_true(i < sec->nstatements);
    assert_true(sec->stmt_offsets[i] + sec->stmt_lens[i] <= strlen(sec->sql));
    snprintf(stmt_buf, sizeof(stmt_buf), "%.*s", (int)sec->stmt_lens[i],
             sec->sql + sec->stmt_offsets[i]);
    return stmt_buf;
}

static void expect_checksum_of(const migration *m, const char *text)
{
    char want[80];
    checksum_lf(want, text, strlen(text));
    assert_string_equal(m->checksum, want);
}

/* --- native ---------------------------------------------------------------- */

static void test_native(void **state)
{
    (void)state;
    migration_set *set = load_ok(fixture("native"), NULL);
    assert_string_equal(set->format, "dbshift");
    assert_int_equal(set->count, 5);
    assert_int_equal(set->nfiles, 5); /* notes.txt and README.md are not read */

    migration *m = &set->items[0];
    assert_string_equal(m->version, "001");
    assert_string_equal(m->name, "create_users");
    assert_non_null(strstr(m->file, "native/001_create_users.sql"));
    assert_true(m->up.present);
    assert_string_equal(m->up.sql,
                        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n");
    assert_int_equal(m->up.first_line, 6);
    assert_string_equal(m->up.file, m->file);
    assert_false(m->up.no_transaction);
    assert_int_equal(m->up.nstatements, 0);
    assert_string_equal(m->down.sql, "DROP TABLE users;\n");
    assert_int_equal(m->down.first_line, 8);
    assert_false(m->irreversible);
    assert_null(m->confirm);
    assert_int_equal(strlen(m->checksum), 74);
    assert_memory_equal(m->checksum, "sha256-lf:", 10);

    m = &set->items[1];
    assert_string_equal(m->version, "002");
    assert_string_equal(m->confirm, "rewrites every row of users");
    assert_string_equal(m->manual, "restart the workers afterwards");
    assert_true(m->up.no_transaction);
    assert_true(m->down.no_transaction);
    /* the lint suppression stays in the SQL for lint to read */
    assert_non_null(strstr(m->up.sql, "-- dbshift:allow add-index-non-concurrently"));
    assert_int_equal(m->up.first_line, 4);

    m = &set->items[2];
    assert_string_equal(m->version, "0010");
    assert_true(m->irreversible);
    assert_false(m->down.present);

    assert_true(set->items[3].repeatable);
    assert_null(set->items[3].version);
    assert_string_equal(set->items[3].name, "a_function");
    assert_string_equal(set->items[4].name, "users_view");
    assert_string_equal(set->items[4].up.sql,
                        "CREATE VIEW IF NOT EXISTS active_users AS SELECT * FROM users;\n");

    assert_ptr_equal(migration_set_find(set, "10"), &set->items[2]);
    assert_ptr_equal(migration_set_find(set, "1"), &set->items[0]);
    assert_null(migration_set_find(set, "3"));
    migration_set_free(set);
}

static void test_crlf_checksum_equals_lf(void **state)
{
    (void)state;
    migration_set *crlf = load_ok(fixture("crlf"), NULL);
    migration_set *lf = load_ok(fixture("lf"), NULL);
    assert_string_equal(crlf->items[0].checksum, lf->items[0].checksum);
    assert_string_equal(crlf->items[0].up.sql, "CREATE TABLE t (x INT);\n");
    assert_null(strchr(crlf->items[0].down.sql, '\r'));
    /* checksum_lf over the raw CRLF bytes folds them the same way */
    const char raw[] = "-- dbshift:up\r\nCREATE TABLE t (x INT);\r\n-- dbshift:down\r\n"
                       "DROP TABLE t;\r\n";
    char sum[80];
    checksum_lf(sum, raw, sizeof(raw) - 1);
    assert_string_equal(sum, lf->items[0].checksum);
    /* a lone CR is content, not a line end */
    char lone[80];
    checksum_lf(lone, "a\rb", 3);
    checksum_lf(sum, "a\nb", 3);
    assert_string_not_equal(lone, sum);
    migration_set_free(crlf);
    migration_set_free(lf);
}

static void test_missing_folder_is_empty(void **state)
{
    (void)state;
    migration_set *set = load_ok(fixture("no-such-folder"), NULL);
    assert_string_equal(set->format, "dbshift");
    assert_int_equal(set->count, 0);
    assert_null(migration_set_find(set, "1"));
    migration_set_free(set);
}

/* --- goose and sql-migrate ------------------------------------------------- */

static const char *fake_env(const char *name, void *payload)
{
    (void)payload;
    return strcmp(name, "APP_ROLE") == 0 ? "app" : NULL;
}

static void test_goose(void **state)
{
    (void)state;
    source_options opts = {.get_env = fake_env};
    migration_set *set = load_ok(fixture("goose"), &opts);
    assert_string_equal(set->format, "goose");
    assert_int_equal(set->count, 3);

    migration *m = &set->items[0];
    assert_string_equal(m->version, "00001");
    assert_true(m->up.no_transaction);
    assert_true(m->down.no_transaction);
    assert_int_equal(m->up.nstatements, 0); /* no blocks: the core splits it */
    assert_int_equal(m->up.first_line, 3);

    m = &set->items[1];
    assert_false(m->up.no_transaction);
    assert_int_equal(m->up.nstatements, 4);
    assert_string_equal(stmt(&m->up, 0), "CREATE TABLE t (id int);");
    assert_string_equal(stmt(&m->up, 1), "INSERT INTO t VALUES (1),\n  (2); -- trailing comment");
    assert_string_equal(stmt(&m->up, 2), "CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n"
                                         "  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql;");
    assert_string_equal(stmt(&m->up, 3), "SELECT f();");
    assert_int_equal(m->down.nstatements, 2);
    assert_string_equal(stmt(&m->down, 0), "DROP FUNCTION f();");
    assert_string_equal(stmt(&m->down, 1), "DROP TABLE t;");

    m = &set->items[2];
    assert_non_null(strstr(m->up.sql, "CREATE ROLE app LOGIN;\n"));
    assert_non_null(strstr(m->up.sql, "GRANT SELECT ON t TO app;\n"));
    assert_non_null(strstr(m->up.sql, "SELECT '${APP_ROLE}';")); /* after ENVSUB OFF */
    assert_false(m->down.present);
    migration_set_free(set);
}

static void test_sql_migrate(void **state)
{
    (void)state;
    migration_set *set = load_ok(fixture("sql_migrate"), NULL);
    assert_string_equal(set->format, "sql-migrate");
    assert_int_equal(set->count, 2);
    migration *m = &set->items[0];
    assert_true(m->up.no_transaction);
    assert_false(m->down.no_transaction);
    assert_int_equal(m->up.nstatements, 2);
    assert_string_equal(stmt(&m->up, 0), "CREATE TABLE people (id int);");
    assert_string_equal(stmt(&m->up, 1),
                        "CREATE FUNCTION g() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;");
    assert_int_equal(m->down.nstatements, 0);
    assert_string_equal(set->items[1].name, "more");
    migration_set_free(set);
}

/* --- dbmate, golang-migrate, sqlx ------------------------------------------ */

static void test_dbmate(void **state)
{
    (void)state;
    migration_set *set = load_ok(fixture("dbmate"), NULL);
    assert_string_equal(set->format, "dbmate");
    assert_int_equal(set->count, 2);
    assert_string_equal(set->items[0].version, "20200101120000");
    assert_string_equal(set->items[0].up.sql, "CREATE TABLE things (id int);\n\n");
    assert_string_equal(set->items[0].down.sql, "DROP TABLE things;\n");
    assert_false(set->items[0].up.no_transaction);
    assert_true(set->items[1].up.no_transaction);
    assert_true(set->items[1].down.no_transaction);
    migration_set_free(set);
}

static void test_golang_migrate(void **state)
{
    (void)state;
    migration_set *set = load_ok(fixture("golang_migrate"), NULL);
    assert_string_equal(set->format, "golang-migrate");
    assert_int_equal(set->count, 2);
    migration *m = &set->items[0];
    assert_string_equal(m->version, "1");
    assert_string_equal(m->name, "create_a");
    assert_non_null(strstr(m->up.file, "1_create_a.up.sql"));
    assert_non_null(strstr(m->down.file, "1_create_a.down.sql"));
    assert_int_equal(m->up.first_line, 1);
    expect_checksum_of(m, "CREATE TABLE a (id int);\n\nDROP TABLE a;\n");
    m = &set->items[1];
    assert_string_equal(m->version, "0015");
    assert_string_equal(m->name, "1.2.0_schema");
    assert_false(m->down.present);
    assert_string_equal(m->up.sql, "CREATE TABLE b (id int);"); /* no final newline */
    expect_checksum_of(m, "CREATE TABLE b (id int);");
    migration_set_free(set);
}

static void test_sqlx(void **state)
{
    (void)state;
    migration_set *set = load_ok(fixture("sqlx"), NULL);
    assert_string_equal(set->format, "sqlx");
    assert_int_equal(set->count, 3);
    assert_false(set->items[0].down.present);
    assert_true(set->items[1].down.present);
    assert_false(set->items[1].up.no_transaction);
    assert_true(set->items[2].up.no_transaction);
    migration_set_free(set);
}

/* --- Flyway, diesel, popx --------------------------------------------------- */

static void test_flyway(void **state)
{
    (void)state;
    const char *vars[] = {"schema=wrong", "schema=app"};
    source_options opts = {.vars = vars, .nvars = 2};
    migration_set *set = load_ok(fixture("flyway"), &opts);
    assert_string_equal(set->format, "flyway");
    assert_int_equal(set->count, 5);
    assert_string_equal(set->items[0].version, "1");
    assert_string_equal(set->items[0].name, "Create users");
    assert_string_equal(set->items[0].up.sql, "CREATE TABLE app.users (id int);\n");
    assert_string_equal(set->items[1].version, "1.1");
    assert_string_equal(set->items[1].name, "Add c");
    assert_true(set->items[1].down.present);
    assert_non_null(strstr(set->items[1].down.file, "U1_1__Add_c.sql"));
    assert_string_equal(set->items[2].version, "1.9");
    assert_string_equal(set->items[3].version, "1.10");
    migration *r = &set->items[4];
    assert_true(r->repeatable);
    assert_string_equal(r->name, "Views");
    assert_non_null(strstr(r->up.sql, "-- file R__Views.sql\n"));
    migration_set_free(set);
}

static void test_diesel(void **state)
{
    (void)state;
    migration_set *set = load_ok(fixture("diesel"), NULL);
    assert_string_equal(set->format, "diesel");
    assert_int_equal(set->count, 3);
    assert_string_equal(set->items[0].version, "00000000000000");
    assert_string_equal(set->items[0].name, "diesel_initial_setup");
    assert_string_equal(set->items[1].version, "2019-02-26-002946");
    assert_string_equal(set->items[1].name, "create_user");
    assert_non_null(strstr(set->items[1].down.file, "2019-02-26-002946_create_user/down.sql"));
    assert_false(set->items[1].up.no_transaction);
    assert_string_equal(set->items[2].version, "2025-08-01-000017-0000");
    assert_true(set->items[2].up.no_transaction); /* metadata.toml */
    assert_true(set->items[2].down.no_transaction);
    expect_checksum_of(&set->items[1], "CREATE TABLE user_ (id int);\n\nDROP TABLE user_;\n");
    migration_set_free(set);
}

static void test_popx_postgres(void **state)
{
    (void)state;
    const char *vars[] = {"Namespace=auth"};
    source_options opts = {.dialect = DBSHIFT_DIALECT_POSTGRES, .vars = vars, .nvars = 1};
    migration_set *set = load_ok(fixture("popx"), &opts);
    assert_string_equal(set->format, "popx");
    assert_int_equal(set->count, 4); /* the sqlite3-only version is skipped */
    migration *m = &set->items[0];
    assert_string_equal(m->version, "20200101000000000001");
    assert_string_equal(m->name, "networks");
    assert_string_equal(m->up.sql, "CREATE TABLE pg (id int);\n"); /* dialect file wins */
    assert_string_equal(m->down.sql, "DROP TABLE generic;\n");     /* only a generic down */
    expect_checksum_of(m, "CREATE TABLE pg (id int);\n\nDROP TABLE generic;\n");
    m = &set->items[1];
    assert_string_equal(m->version, "20200101000000000003");
    assert_true(m->up.no_transaction);
    assert_true(m->down.no_transaction);
    assert_non_null(strstr(m->up.sql, "CONCURRENTLY"));
    m = &set->items[2];
    assert_true(m->up.present); /* comments only: recorded, runs nothing */
    assert_string_equal(m->up.sql, "");
    assert_true(m->down.present);
    m = &set->items[3];
    assert_string_equal(m->up.sql, "CREATE SCHEMA IF NOT EXISTS auth;\n"
                                   "CREATE TABLE auth.users (id int);");
    migration_set_free(set);
}

static void test_popx_other_dialects(void **state)
{
    (void)state;
    const char *vars[] = {"Namespace=auth"};
    source_options opts = {.dialect = DBSHIFT_DIALECT_SQLITE, .vars = vars, .nvars = 1};
    migration_set *set = load_ok(fixture("popx"), &opts);
    assert_int_equal(set->count, 5);
    assert_string_equal(set->items[0].up.sql, "CREATE TABLE generic (id int);\n");
    assert_string_equal(set->items[1].up.sql, "CREATE TABLE lite (id int);\n");
    assert_false(set->items[2].up.no_transaction); /* the generic index file */
    migration_set_free(set);
    opts.dialect = DBSHIFT_DIALECT_MYSQL;
    set = load_ok(fixture("popx"), &opts);
    assert_int_equal(set->count, 4);
    assert_string_equal(set->items[0].up.sql, "CREATE TABLE generic (id int);\n");
    migration_set_free(set);
}

/* --- errors ---------------------------------------------------------------- */

static void test_errors(void **state)
{
    (void)state;
    expect_error("err_duplicate", NULL, DBSHIFT_EPARSE, "1_second.sql", 0, "001_first.sql");
    expect_error("err_no_up", NULL, DBSHIFT_EPARSE, "001_a.sql", 0, "no -- dbshift:up");
    expect_error("err_unknown_directive", NULL, DBSHIFT_EPARSE, "001_a.sql", 3, "-- dbshift:upp");
    expect_error("err_non_utf8", NULL, DBSHIFT_EPARSE, "001_a.sql", 4, "UTF-8");
    expect_error("err_mixed", NULL, DBSHIFT_EPARSE, "002_b.sql", 0, "001_a.sql");
    expect_error("err_unknown_sql", NULL, DBSHIFT_EPARSE, "schema.sql", 0, "schema.sql");
    expect_error("err_flyway_unset", NULL, DBSHIFT_EPARSE, "V1__a.sql", 2, "${missing}");
    expect_error("err_unknown_option", NULL, DBSHIFT_EPARSE, "001_a.sql", 1, "transaction=maybe");
    expect_error("err_sql_before_up", NULL, DBSHIFT_EPARSE, "001_a.sql", 2, "before");
    expect_error("err_irreversible_down", NULL, DBSHIFT_EPARSE, "001_a.sql", 4, "irreversible");
    expect_error("err_goose_block", NULL, DBSHIFT_EPARSE, "001_a.sql", 2, "StatementBegin");
    source_options pg = {.dialect = DBSHIFT_DIALECT_POSTGRES};
    expect_error("err_popx_template", &pg, DBSHIFT_EPARSE, "1_a.postgres.up.sql", 2, "{{ .Foo }}");
    /* a known template with no value names the option to set */
    expect_error("popx", &pg, DBSHIFT_EPARSE, "20200101000000000005_ns.up.sql", 1, "Namespace");
}

static void test_format_override(void **state)
{
    (void)state;
    source_options opts = {.format = "dbmate"};
    expect_error("goose", &opts, DBSHIFT_EPARSE, "00001_basic.sql", 0, "migrate:up");
    opts.format = "diesel";
    expect_error("native", &opts, DBSHIFT_EPARSE, "native/0010_drop_legacy.sql", 0, "diesel");
    opts.format = "liquibase";
    expect_error("native", &opts, DBSHIFT_EUSAGE, NULL, 0, "liquibase");
    opts.format = "sqlx";
    migration_set *set = load_ok(fixture("golang_migrate"), &opts);
    assert_string_equal(set->format, "sqlx");
    assert_int_equal(set->count, 2);
    migration_set_free(set);
}

/* --- scale ----------------------------------------------------------------- */

static void test_ten_thousand_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/dbshift-source-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    for (int i = 1; i <= 10000; i++) {
        snprintf(path, sizeof(path), "%s/%05d_m%d.sql", dir, i, i);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "-- dbshift:up\nCREATE TABLE t%d (id int);\n-- dbshift:down\nDROP TABLE t%d;\n",
                i, i);
        fclose(f);
    }
    migration_set *set = load_ok(dir, NULL);
    assert_int_equal(set->count, 10000);
    assert_string_equal(set->items[9999].version, "10000");
    assert_ptr_equal(migration_set_find(set, "777"), &set->items[776]);
    migration_set_free(set);
    for (int i = 1; i <= 10000; i++) {
        snprintf(path, sizeof(path), "%s/%05d_m%d.sql", dir, i, i);
        unlink(path);
    }
    rmdir(dir);
}

/* --- real-world corpora ---------------------------------------------------- */

static size_t corpus_count(const char *rel, int dialect, const char *format)
{
    const char *vars[] = {"Namespace=auth"};
    source_options opts = {.dialect = dialect, .vars = vars, .nvars = 1};
    migration_set *set = load_ok(corpus(rel), &opts);
    assert_string_equal(set->format, format);
    for (size_t i = 1; i < set->count; i++)
        assert_true(version_compare(set->items[i - 1].version, set->items[i].version) < 0);
    size_t n = set->count;
    migration_set_free(set);
    return n;
}

static void test_corpora(void **state)
{
    (void)state;
    const char *kratos = "kratos/persistence/sql/migrations/sql";
    assert_int_equal(corpus_count(kratos, DBSHIFT_DIALECT_POSTGRES, "popx"), 346);
    assert_int_equal(corpus_count(kratos, DBSHIFT_DIALECT_SQLITE, "popx"), 694);
    assert_int_equal(corpus_count(kratos, DBSHIFT_DIALECT_MYSQL, "popx"), 352);
    assert_int_equal(corpus_count("lemmy/migrations", DBSHIFT_DIALECT_POSTGRES, "diesel"), 342);
    assert_int_equal(corpus_count("harbor/make/migrations/postgresql", DBSHIFT_DIALECT_POSTGRES,
                                  "golang-migrate"),
                     39);
    assert_int_equal(corpus_count("supabase-auth/migrations", DBSHIFT_DIALECT_POSTGRES, "popx"),
                     70);

    /* supabase's templates are rendered; kratos' autocommit files are kept
     * outside a transaction */
    source_options opts = {.dialect = DBSHIFT_DIALECT_POSTGRES};
    const char *vars[] = {"Namespace=auth"};
    opts.vars = vars;
    opts.nvars = 1;
    migration_set *set = load_ok(corpus("supabase-auth/migrations"), &opts);
    assert_string_equal(set->items[0].version, "00");
    assert_null(strstr(set->items[0].up.sql, "{{"));
    assert_non_null(strstr(set->items[0].up.sql, "auth.users"));
    migration_set_free(set);
    set = load_ok(corpus(kratos), &opts);
    size_t autocommit = 0;
    for (size_t i = 0; i < set->count; i++)
        autocommit += set->items[i].up.no_transaction;
    assert_true(autocommit >= 2);
    migration_set_free(set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_native),
        cmocka_unit_test(test_crlf_checksum_equals_lf),
        cmocka_unit_test(test_missing_folder_is_empty),
        cmocka_unit_test(test_goose),
        cmocka_unit_test(test_sql_migrate),
        cmocka_unit_test(test_dbmate),
        cmocka_unit_test(test_golang_migrate),
        cmocka_unit_test(test_sqlx),
        cmocka_unit_test(test_flyway),
        cmocka_unit_test(test_diesel),
        cmocka_unit_test(test_popx_postgres),
        cmocka_unit_test(test_popx_other_dialects),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_format_override),
        cmocka_unit_test(test_ten_thousand_files),
        cmocka_unit_test(test_corpora),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
