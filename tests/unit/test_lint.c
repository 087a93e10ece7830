/*
 * test_lint.c - unit tests of the safety linter: for every rule a statement
 * that must trip it and one that must not, suppression and configuration,
 * the data-driven cases in tests/sql/lint/<dialect>/ (each NAME.sql beside
 * NAME.expected), and a crash-free pass over the real kratos Postgres
 * migrations in ../shared/corpora.
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
#include <sys/stat.h>

#include "core/lint_api.h"
#include "dbshift/driver.h"
#include "sql/lint.h"
#include "util/buf.h"

enum { PG = DBSHIFT_DIALECT_POSTGRES, SQ = DBSHIFT_DIALECT_SQLITE, MY = DBSHIFT_DIALECT_MYSQL };

/* A one-migration set over borrowed strings; down NULL means no down. */
static void make_migration(migration *m, const char *up, const char *down, bool no_transaction)
{
    memset(m, 0, sizeof(*m));
    m->version = (char *)"1";
    m->name = (char *)"test";
    m->file = (char *)"migrations/1_test.sql";
    m->up.present = true;
    m->up.sql = (char *)up;
    m->up.first_line = 2;
    m->up.no_transaction = no_transaction;
    if (down) {
        m->down.present = true;
        m->down.sql = (char *)down;
        m->down.first_line = 50;
        m->down.no_transaction = no_transaction;
    }
}

static lint_result run_cfg(int dialect, const char *up, const char *down, bool no_transaction,
                           const lint_config *cfg)
{
    migration m;
    make_migration(&m, up, down, no_transaction);
    migration_set set = {(char *)"dbshift", NULL, 1, 1, &m, 1, false};
    lint_result res;
    lint_result_init(&res);
    dbshift_error err;
    memset(&err, 0, sizeof(err));
    int rc = lint_migrations(&res, &set, 0, 1, dialect, cfg, NULL, NULL, &err);
    assert_int_equal(rc, 0);
    dbshift_error_clear(&err);
    return res;
}

static lint_result run(int dialect, const char *up, const char *down)
{
    return run_cfg(dialect, up, down, false, NULL);
}

/* How many findings of rule (code) the result holds. */
static int count(const lint_result *res, const char *code)
{
    int n = 0;
    for (size_t i = 0; i < res->count; i++) {
        if (strcmp(res->items[i].rule, code) == 0)
            n++;
    }
    return n;
}

static const dbshift_finding *find(const lint_result *res, const char *code)
{
    for (size_t i = 0; i < res->count; i++) {
        if (strcmp(res->items[i].rule, code) == 0)
            return &res->items[i];
    }
    return NULL;
}

/* Asserts that up (with a harmless down) trips code exactly `expect` times. */
static void check(int dialect, const char *up, const char *code, int expect)
{
    lint_result res = run(dialect, up, "SELECT 1");
    if (count(&res, code) != expect) {
        for (size_t i = 0; i < res.count; i++)
            print_error("  got %s at %d: %s\n", res.items[i].rule, res.items[i].line,
                        res.items[i].statement);
        fail_msg("%s: expected %d x %s in: %s", dialect == PG ? "pg" : "other", expect, code, up);
    }
    lint_result_release(&res);
}

static void test_destructive(void **state)
{
    (void)state;
    for (int d = 1; d <= 3; d++) {
        check(d, "DROP TABLE users", "DS001", 1);
        check(d, "CREATE TABLE t (id int); DROP TABLE t", "DS001", 0);
        check(d, "ALTER TABLE users DROP COLUMN legacy", "DS002", 1);
        check(d, "ALTER TABLE users ADD COLUMN legacy int", "DS002", 0);
        check(d, "TRUNCATE users", "DS005", 1);
        check(d, "DELETE FROM users", "DS006", 1);
        check(d, "DELETE FROM users WHERE id = 1", "DS006", 0);
        check(d, "UPDATE users SET a = 1", "DS007", 1);
        check(d, "UPDATE users SET a = (SELECT 1 WHERE true) WHERE id = 2", "DS007", 0);
        check(d, "UPDATE users SET a = (SELECT b FROM x WHERE x.id = 1)", "DS007", 1);
    }
    check(PG, "DROP SCHEMA legacy CASCADE", "DS003", 1);
    check(PG, "CREATE SCHEMA s; DROP SCHEMA s", "DS003", 0);
    check(MY, "DROP SCHEMA legacy", "DS003", 1);
    check(PG, "DROP DATABASE old", "DS004", 1);
    check(MY, "DROP DATABASE old", "DS004", 1);
    check(MY, "CREATE DATABASE fresh", "DS004", 0);
    check(PG, "WITH x AS (SELECT 1) DELETE FROM users", "DS006", 1);
    check(SQ, "WITH x AS (SELECT 1) DELETE FROM users WHERE id IN (SELECT * FROM x)", "DS006", 0);
    check(MY, "DELETE u FROM users u JOIN x ON x.id = u.id", "DS006", 1);
}

static void test_renames_and_types(void **state)
{
    (void)state;
    for (int d = 1; d <= 3; d++) {
        check(d, "ALTER TABLE users RENAME TO people", "DS008", 1);
        check(d, "CREATE TABLE tmp (id int); ALTER TABLE tmp RENAME TO fresh", "DS008", 0);
        check(d, "ALTER TABLE users RENAME COLUMN name TO full_name", "DS009", 1);
        check(d, "ALTER TABLE users ADD COLUMN n int; ALTER TABLE users RENAME COLUMN n TO m",
              "DS009", 0);
    }
    check(MY, "RENAME TABLE users TO people", "DS008", 1);
    check(MY, "ALTER TABLE users CHANGE name full_name varchar(10), ALGORITHM=INPLACE", "DS009", 1);
    check(PG, "ALTER TABLE users ALTER COLUMN id TYPE bigint", "DS010", 1);
    check(PG, "ALTER TABLE users ALTER COLUMN id SET DEFAULT 1", "DS010", 0);
    check(MY, "ALTER TABLE users MODIFY id bigint", "DS010", 1);
    check(MY, "ALTER TABLE users ALTER COLUMN id SET DEFAULT 1", "DS010", 0);
}

static void test_columns(void **state)
{
    (void)state;
    for (int d = 1; d <= 3; d++) {
        check(d, "ALTER TABLE users ADD COLUMN age int NOT NULL", "DS011", 1);
        check(d, "ALTER TABLE users ADD COLUMN age int NOT NULL DEFAULT 0", "DS011", 0);
        check(d, "CREATE TABLE t (id int); ALTER TABLE t ADD COLUMN age int NOT NULL", "DS011", 0);
    }
    check(PG, "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()", "DS012", 1);
    check(PG, "ALTER TABLE users ADD COLUMN id2 bigserial", "DS012", 1);
    check(PG, "ALTER TABLE users ADD COLUMN at timestamptz DEFAULT now()", "DS012", 0);
    check(PG, "ALTER TABLE users ADD COLUMN n int DEFAULT 0", "DS012", 0);
    check(PG, "ALTER TABLE users ALTER COLUMN email SET NOT NULL", "DS013", 1);
    check(PG, "ALTER TABLE users ADD CONSTRAINT e_nn CHECK (email IS NOT NULL) NOT VALID", "DS013",
          0);
}

static void test_indexes_and_constraints(void **state)
{
    (void)state;
    check(PG, "CREATE INDEX i ON users (email)", "DS014", 1);
    check(PG, "CREATE TABLE t (id int); CREATE INDEX i ON t (id)", "DS014", 0);
    check(SQ, "CREATE INDEX i ON users (email)", "DS014", 0);
    check(PG, "DROP INDEX users_email", "DS015", 1);
    check(PG, "DROP INDEX CONCURRENTLY users_email", "DS015", 0);
    check(PG, "ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id)", "DS016", 1);
    check(PG, "ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id) NOT VALID",
          "DS016", 0);
    check(PG, "ALTER TABLE o ADD CONSTRAINT c CHECK (n > 0)", "DS017", 1);
    check(PG, "ALTER TABLE o ADD CONSTRAINT c CHECK (n > 0) NOT VALID", "DS017", 0);
    check(PG, "ALTER TABLE o ADD CONSTRAINT u UNIQUE (email)", "DS018", 1);
    check(PG, "ALTER TABLE o ADD CONSTRAINT u UNIQUE USING INDEX o_email", "DS018", 0);
    check(PG, "ALTER TABLE o DROP CONSTRAINT o_pkey", "DS019", 1);
    check(PG, "ALTER TABLE o ADD PRIMARY KEY (id)", "DS019", 1);
    check(PG, "ALTER TABLE o ADD CONSTRAINT o_pkey PRIMARY KEY USING INDEX o_id", "DS019", 0);
    check(MY, "ALTER TABLE o DROP PRIMARY KEY, ALGORITHM=INPLACE", "DS019", 1);
    check(MY, "ALTER TABLE o DROP INDEX x, ALGORITHM=INPLACE", "DS019", 0);
}

static void test_maintenance(void **state)
{
    (void)state;
    check(PG, "VACUUM FULL users", "DS020", 1);
    check(PG, "VACUUM users", "DS020", 0);
    check(PG, "CLUSTER users USING users_pkey", "DS021", 1);
    check(PG, "ANALYZE users", "DS021", 0);
    check(PG, "REINDEX TABLE users", "DS022", 1);
    check(PG, "REINDEX TABLE CONCURRENTLY users", "DS022", 0);
}

static void test_concurrently_in_transaction(void **state)
{
    (void)state;
    const char *sql = "CREATE INDEX CONCURRENTLY i ON users (email)";
    lint_result res = run_cfg(PG, sql, "DROP INDEX CONCURRENTLY i", false, NULL);
    const dbshift_finding *f = find(&res, "DS023");
    assert_non_null(f);
    assert_int_equal(f->level, DBSHIFT_LINT_DANGEROUS);
    lint_result_release(&res);
    res = run_cfg(PG, sql, "DROP INDEX CONCURRENTLY i", true, NULL);
    assert_int_equal(count(&res, "DS023"), 0);
    assert_int_equal(count(&res, "DS014"), 0);
    lint_result_release(&res);
    /* An explicit BEGIN in a no-transaction migration opens one again. */
    res = run_cfg(PG, "BEGIN; CREATE INDEX CONCURRENTLY i ON users (email); COMMIT",
                  "DROP INDEX CONCURRENTLY i", true, NULL);
    assert_int_equal(count(&res, "DS023"), 1);
    lint_result_release(&res);
}

static void test_mixed_and_down(void **state)
{
    (void)state;
    check(PG, "ALTER TABLE users ADD COLUMN n int; UPDATE users SET n = 1 WHERE n IS NULL", "DS024",
          1);
    check(PG, "CREATE TABLE t (id int); INSERT INTO t VALUES (1)", "DS024", 0);
    check(SQ, "INSERT INTO users VALUES (1); UPDATE users SET a = 1 WHERE id = 1", "DS024", 0);

    lint_result res = run(SQ, "CREATE TABLE t (id int)", NULL);
    assert_int_equal(count(&res, "DS025"), 1);
    lint_result_release(&res);
    res = run(SQ, "CREATE TABLE t (id int)", "DROP TABLE t");
    assert_int_equal(count(&res, "DS025"), 0);
    assert_int_equal(count(&res, "DS026"), 0);
    /* Dropping what up created is what a down is for. */
    assert_int_equal(count(&res, "DS001"), 0);
    lint_result_release(&res);

    res = run(PG,
              "CREATE TABLE t (id int); ALTER TABLE users ADD COLUMN n int;\n"
              "CREATE INDEX CONCURRENTLY users_n ON users (n)",
              "DROP TABLE t");
    assert_int_equal(count(&res, "DS026"), 2);
    lint_result_release(&res);
    res = run(PG, "ALTER TABLE users ADD COLUMN n int; CREATE INDEX users_n ON users (n)",
              "DROP INDEX users_n; ALTER TABLE users DROP COLUMN n");
    assert_int_equal(count(&res, "DS026"), 0);
    assert_int_equal(count(&res, "DS002"), 0);
    assert_int_equal(count(&res, "DS015"), 0);
    lint_result_release(&res);
    /* Dropping anything else in a down is still a finding. */
    res = run(PG, "CREATE TABLE t (id int)", "DROP TABLE t; DROP TABLE users");
    assert_int_equal(count(&res, "DS001"), 1);
    assert_int_equal(res.items[0].line, 50);
    lint_result_release(&res);

    migration m;
    make_migration(&m, "CREATE TABLE t (id int)", NULL, false);
    m.irreversible = true;
    migration_set set = {(char *)"dbshift", NULL, 1, 1, &m, 1, false};
    lint_result_init(&res);
    assert_int_equal(lint_migrations(&res, &set, 0, 1, SQ, NULL, NULL, NULL, NULL), 0);
    assert_int_equal(count(&res, "DS025"), 0);
    lint_result_release(&res);
}

static void test_lock_timeout(void **state)
{
    (void)state;
    check(PG, "ALTER TABLE users ADD COLUMN n int", "DS027", 1);
    check(PG, "SET lock_timeout = '5s'; ALTER TABLE users ADD COLUMN n int", "DS027", 0);
    check(PG, "SET lock_timeout = 0; ALTER TABLE users ADD COLUMN n int", "DS027", 1);
    check(PG, "CREATE TABLE t (id int); ALTER TABLE t ADD COLUMN n int", "DS027", 0);
    check(PG, "ALTER TABLE users ADD COLUMN a int; ALTER TABLE users ADD COLUMN b int", "DS027", 1);
    lint_config cfg;
    lint_config_init(&cfg);
    cfg.lock_timeout = true;
    lint_result res = run_cfg(PG, "ALTER TABLE users ADD COLUMN n int", "SELECT 1", false, &cfg);
    assert_int_equal(count(&res, "DS027"), 0);
    lint_result_release(&res);
}

static void test_dialect_specific(void **state)
{
    (void)state;
    check(SQ, "PRAGMA foreign_keys = OFF", "DS028", 1);
    lint_result res = run_cfg(SQ, "PRAGMA foreign_keys = OFF", "SELECT 1", true, NULL);
    assert_int_equal(count(&res, "DS028"), 0);
    lint_result_release(&res);
    check(SQ, "PRAGMA journal_mode = WAL", "DS028", 0);

    check(MY, "ALTER TABLE users ADD COLUMN n int", "DS029", 1);
    check(MY, "ALTER TABLE users ADD COLUMN n int, ALGORITHM=INSTANT", "DS029", 0);
    check(MY, "ALTER TABLE users ADD COLUMN n int, LOCK=NONE", "DS029", 0);
    check(SQ, "ALTER TABLE users ADD COLUMN n int", "DS029", 0);

    check(PG, "CREATE ROLE app LOGIN PASSWORD 'secret'", "DS030", 1);
    check(PG, "ALTER USER app WITH PASSWORD 'secret'", "DS030", 1);
    check(PG, "CREATE ROLE app LOGIN", "DS030", 0);
    check(PG, "ALTER ROLE app PASSWORD NULL", "DS030", 0);
    check(MY, "CREATE USER 'app'@'%' IDENTIFIED BY 'secret'", "DS030", 1);
    check(MY, "CREATE USER 'app'@'%' IDENTIFIED WITH auth_socket", "DS030", 0);
}

static void test_not_analysed(void **state)
{
    (void)state;
    /* MERGE ... RETURNING is PostgreSQL 17 syntax the 15 grammar rejects. */
    lint_result res = run(PG,
                          "ALTER TABLE users ADD COLUMN n int;\n"
                          "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE "
                          "RETURNING merge_action();\n"
                          "DROP TABLE users;",
                          "SELECT 1");
    const dbshift_finding *f = find(&res, "DS031");
    assert_non_null(f);
    assert_true(f->not_analysed);
    assert_int_equal(f->level, DBSHIFT_LINT_SAFE);
    assert_int_equal(f->line, 3);
    /* The statements around it are still checked. */
    assert_int_equal(count(&res, "DS001"), 1);
    assert_int_equal(count(&res, "DS027"), 1);
    lint_result_release(&res);
    check(PG, "SELECT 1", "DS031", 0);
}

static void test_suppression_and_config(void **state)
{
    (void)state;
    lint_result res = run(PG,
                          "-- dbshift:allow DS001 the table is empty since v2\n"
                          "DROP TABLE legacy;\n"
                          "DROP TABLE other; -- dbshift:allow drop-table archived first\n"
                          "DROP TABLE third;",
                          "SELECT 1");
    assert_int_equal(count(&res, "DS001"), 3);
    int allowed = 0;
    for (size_t i = 0; i < res.count; i++) {
        if (strcmp(res.items[i].rule, "DS001") == 0 && res.items[i].allowed)
            allowed++;
    }
    assert_int_equal(allowed, 2);
    const dbshift_finding *f = find(&res, "DS001");
    /* The section starts on line 2 of the file; the statement on its line 2. */
    assert_int_equal(f->line, 3);
    assert_int_equal(f->column, 1);
    assert_string_equal(f->statement, "DROP TABLE legacy");
    assert_string_equal(f->version, "1");
    assert_string_equal(f->file, "migrations/1_test.sql");
    assert_non_null(f->suggestion);

    dbshift_findings *out = NULL;
    assert_int_equal(lint_findings_from_result(&out, &res), 0);
    assert_int_equal(res.count, 0);
    assert_int_equal(out->dangerous, 1);
    dbshift_findings_free(out);
    dbshift_findings_free(NULL);

    const char *disabled[] = {"lock-timeout"};
    const char *levels[] = {"DS001=careful"};
    const char *allow[] = {"DS002"};
    lint_config cfg;
    lint_config_init(&cfg);
    cfg.disabled_rules = disabled;
    cfg.ndisabled_rules = 1;
    cfg.level_overrides = levels;
    cfg.nlevel_overrides = 1;
    cfg.allow_rules = allow;
    cfg.nallow_rules = 1;
    res = run_cfg(PG, "DROP TABLE a; ALTER TABLE b DROP COLUMN c", "SELECT 1", false, &cfg);
    assert_int_equal(count(&res, "DS027"), 0);
    assert_int_equal(find(&res, "DS001")->level, DBSHIFT_LINT_CAREFUL);
    assert_true(find(&res, "DS002")->allowed);
    lint_result_release(&res);

    const char *bad[] = {"DS999"};
    cfg.allow_rules = bad;
    migration m;
    make_migration(&m, "SELECT 1", NULL, false);
    migration_set set = {(char *)"dbshift", NULL, 1, 1, &m, 1, false};
    lint_result_init(&res);
    dbshift_error err;
    memset(&err, 0, sizeof(err));
    assert_int_equal(lint_migrations(&res, &set, 0, 1, PG, &cfg, NULL, NULL, &err), DBSHIFT_EUSAGE);
    assert_non_null(strstr(err.message, "DS999"));
    dbshift_error_clear(&err);
    lint_result_release(&res);

    dbshift_lint_options opts;
    dbshift_lint_options_init(&opts);
    assert_null(opts.files);
    assert_false(opts.offline);
}

static bool no_table(const char *schema, const char *table, void *payload)
{
    (void)schema;
    (void)table;
    (void)payload;
    return false;
}

static void test_across_migrations(void **state)
{
    (void)state;
    migration ms[2];
    make_migration(&ms[0], "CREATE TABLE t (id int)", "DROP TABLE t", false);
    make_migration(&ms[1], "CREATE INDEX t_id ON t (id); DROP TABLE IF EXISTS ghost",
                   "DROP INDEX t_id", false);
    ms[1].version = (char *)"2";
    migration_set set = {(char *)"dbshift", NULL, 2, 2, ms, 2, false};
    lint_result res;
    lint_result_init(&res);
    /* Only the second is linted, but it sees the first created t. */
    assert_int_equal(lint_migrations(&res, &set, 1, 2, PG, NULL, no_table, NULL, NULL), 0);
    assert_int_equal(count(&res, "DS014"), 1);
    /* ghost exists nowhere: dropping it if it exists loses nothing. */
    assert_int_equal(count(&res, "DS001"), 0);
    for (size_t i = 0; i < res.count; i++)
        assert_string_equal(res.items[i].version, "2");
    lint_result_release(&res);

    /* SQLite's table rebuild (create, copy, drop, rename) is not a loss. */
    lint_result r2 = run(SQ,
                         "CREATE TABLE users_new (id int);\n"
                         "INSERT INTO users_new SELECT id FROM users;\n"
                         "DROP TABLE users;\n"
                         "ALTER TABLE users_new RENAME TO users;",
                         "SELECT 1");
    assert_int_equal(count(&r2, "DS001"), 0);
    assert_int_equal(count(&r2, "DS008"), 0);
    assert_int_equal(count(&r2, "DS026"), 0);
    lint_result_release(&r2);
}

/* --- Data-driven cases --------------------------------------------------- */

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    buf b = BUF_INIT;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_add(&b, chunk, n);
    fclose(f);
    return buf_detach(&b);
}

static const char *source_dir(void)
{
    const char *dir = getenv("DBSHIFT_SOURCE_DIR");
    return dir ? dir : ".";
}

/*
 * A case file holds `-- dbshift:up [transaction=false]`, the up SQL, and
 * optionally `-- dbshift:down` and the down SQL (or `-- dbshift:irreversible`
 * anywhere). Its .expected file lists one
 * finding per line as "CODE LINE" (+ " allowed"), in order.
 */
static void run_case(const char *path, int dialect)
{
    char *text = read_file(path);
    assert_non_null(text);
    char *up = strstr(text, "-- dbshift:up");
    assert_non_null(up);
    char *up_sql = strchr(up, '\n');
    assert_non_null(up_sql);
    *up_sql = '\0';
    bool no_transaction = strstr(up, "transaction=false") != NULL;
    *up_sql = '\n';
    up_sql++;
    int up_line = 1;
    for (char *p = text; p < up_sql; p++)
        up_line += *p == '\n';
    char *down = strstr(up_sql, "-- dbshift:down");
    int down_line = 0;
    if (down) {
        *down = '\0';
        down = strchr(down + 1, '\n');
        down = down ? down + 1 : (char *)"";
        down_line = 1;
        for (char *p = text; p < down; p++)
            down_line += *p == '\n';
    }
    migration m;
    make_migration(&m, up_sql, down, no_transaction);
    m.file = (char *)path;
    m.irreversible = strstr(up_sql, "-- dbshift:irreversible") != NULL;
    m.up.first_line = up_line;
    m.down.first_line = down_line;
    migration_set set = {(char *)"dbshift", NULL, 1, 1, &m, 1, false};
    lint_result res;
    lint_result_init(&res);
    assert_int_equal(lint_migrations(&res, &set, 0, 1, dialect, NULL, NULL, NULL, NULL), 0);

    buf got = BUF_INIT;
    for (size_t i = 0; i < res.count; i++)
        buf_addf(&got, "%s %d%s\n", res.items[i].rule, res.items[i].line,
                 res.items[i].allowed ? " allowed" : "");
    char expected_path[4096];
    snprintf(expected_path, sizeof(expected_path), "%.*s.expected", (int)(strlen(path) - 4), path);
    char *expected = read_file(expected_path);
    if (!expected || strcmp(expected, got.ptr) != 0) {
        fail_msg("%s:\nexpected:\n%sgot:\n%s", path, expected ? expected : "(no file)\n", got.ptr);
    }
    free(expected);
    buf_release(&got);
    lint_result_release(&res);
    free(text);
}

static void test_case_files(void **state)
{
    (void)state;
    static const struct {
        const char *dir;
        int dialect;
    } dirs[] = {{"postgres", PG}, {"sqlite", SQ}, {"mysql", MY}};
    int cases = 0;
    for (size_t k = 0; k < 3; k++) {
        char dir[4096];
        snprintf(dir, sizeof(dir), "%s/tests/sql/lint/%s", source_dir(), dirs[k].dir);
        DIR *d = opendir(dir);
        assert_non_null(d);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            size_t n = strlen(e->d_name);
            if (n < 5 || strcmp(e->d_name + n - 4, ".sql") != 0)
                continue;
            char path[8192];
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            run_case(path, dirs[k].dialect);
            cases++;
        }
        closedir(d);
    }
    assert_true(cases >= 6);
}

/* --- The kratos corpus ------------------------------------------------- */

static void test_kratos_corpus(void **state)
{
    (void)state;
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/../shared/corpora/kratos/persistence/sql/migrations/sql",
             source_dir());
    DIR *d = opendir(dir);
    if (!d) {
        snprintf(dir, sizeof(dir), "/work/shared/corpora/kratos/persistence/sql/migrations/sql");
        d = opendir(dir);
    }
    assert_non_null(d);
    size_t files = 0, findings = 0, not_analysed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        size_t n = strlen(name);
        /* Postgres up files: NAME.postgres.up.sql and dialect-less NAME.up.sql. */
        if (n < 8 || strcmp(name + n - 7, ".up.sql") != 0)
            continue;
        if (strstr(name, ".mysql.") || strstr(name, ".sqlite3.") || strstr(name, ".cockroach."))
            continue;
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        char *sql = read_file(path);
        assert_non_null(sql);
        migration m;
        make_migration(&m, sql, NULL, strstr(name, ".autocommit.") != NULL);
        m.file = path;
        m.up.first_line = 1;
        migration_set set = {(char *)"popx", NULL, 1, 1, &m, 1, false};
        lint_result res;
        lint_result_init(&res);
        assert_int_equal(lint_migrations(&res, &set, 0, 1, PG, NULL, NULL, NULL, NULL), 0);
        for (size_t i = 0; i < res.count; i++) {
            assert_non_null(res.items[i].rule);
            assert_non_null(res.items[i].message);
            assert_true(res.items[i].line >= 1);
            not_analysed += res.items[i].not_analysed;
        }
        findings += res.count;
        lint_result_release(&res);
        free(sql);
        files++;
    }
    closedir(d);
    assert_true(files >= 300);
    assert_true(findings > 0);
    /* Kratos targets PostgreSQL 15 and older: the parser knows all of it. */
    assert_int_equal(not_analysed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_destructive),
        cmocka_unit_test(test_renames_and_types),
        cmocka_unit_test(test_columns),
        cmocka_unit_test(test_indexes_and_constraints),
        cmocka_unit_test(test_maintenance),
        cmocka_unit_test(test_concurrently_in_transaction),
        cmocka_unit_test(test_mixed_and_down),
        cmocka_unit_test(test_lock_timeout),
        cmocka_unit_test(test_dialect_specific),
        cmocka_unit_test(test_not_analysed),
        cmocka_unit_test(test_suppression_and_config),
        cmocka_unit_test(test_across_migrations),
        cmocka_unit_test(test_case_files),
        cmocka_unit_test(test_kratos_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
