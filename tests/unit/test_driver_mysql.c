/*
 * test_driver_mysql.c - the MySQL/MariaDB driver against a real server.
 *
 * DBSHIFT_TEST_MYSQL_URL names an account that may create databases
 * (scripts/test-servers provides it). The suite creates a fresh database,
 * works only inside it and drops it at the end. Without the variable the
 * suite fails: a driver test that skips proves nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dbshift/driver.h"

static const dbshift_driver *drv = &dbshift_driver_mysql;

static char *admin_url; /* as given */
static char *test_url;  /* the same account, our fresh database */
static char test_db[64];

/* --- URL helpers -------------------------------------------------------------- */

static char *concat(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

/* Splits url into the userinfo ("user:pw", still encoded) and the rest after
 * the '@' ("host:port/db?opts"). */
static void split_url(const char *url, char **userinfo, char **rest)
{
    const char *p = strstr(url, "://") + 3;
    const char *end = p + strcspn(p, "/?");
    const char *at = NULL;
    for (const char *c = p; c < end; c++)
        if (*c == '@')
            at = c;
    *userinfo = at ? strndup(p, (size_t)(at - p)) : strdup("");
    *rest = strdup(at ? at + 1 : p);
}

/* url with its database replaced by db (options kept). */
static char *with_database(const char *url, const char *db)
{
    const char *p = strstr(url, "://") + 3;
    const char *end = p + strcspn(p, "/?");
    const char *query = strchr(end, '?');
    char *head = strndup(url, (size_t)(end - url));
    char *path = concat("/", db, "");
    char *out = concat(head, path, query ? query : "");
    free(head);
    free(path);
    return out;
}

/* url with its password replaced by pw (already encoded). */
static char *with_password(const char *url, const char *pw)
{
    char *ui, *rest;
    split_url(url, &ui, &rest);
    char *colon = strchr(ui, ':');
    if (colon)
        *colon = '\0';
    char *user = concat("mysql://", ui, ":");
    char *out = concat(user, pw, "");
    char *full = concat(out, "@", rest);
    free(ui);
    free(rest);
    free(user);
    free(out);
    return full;
}

/* The decoded user name of url. */
static char *user_of(const char *url)
{
    char *ui, *rest;
    split_url(url, &ui, &rest);
    char *colon = strchr(ui, ':');
    if (colon)
        *colon = '\0';
    free(rest);
    return ui;
}

/* The decoded password of url. */
static char *password_of(const char *url)
{
    char *ui, *rest;
    split_url(url, &ui, &rest);
    free(rest);
    char *colon = strchr(ui, ':');
    const char *src = colon ? colon + 1 : "";
    char *out = calloc(strlen(src) + 1, 1);
    size_t n = 0;
    for (size_t i = 0; src[i]; i++) {
        unsigned v;
        if (src[i] == '%' && sscanf(src + i + 1, "%2x", &v) == 1) {
            out[n++] = (char)v;
            i += 2;
        } else {
            out[n++] = src[i];
        }
    }
    free(ui);
    return out;
}

static void *open_url(const char *url)
{
    dbshift_conn_params params = {.url = url, .connect_timeout_s = 5};
    dbshift_error err = {0};
    void *conn = NULL;
    int rc = drv->open(&conn, &params, &err);
    if (rc != 0)
        fail_msg("cannot open %s: %s", url, err.message);
    dbshift_error_clear(&err);
    return conn;
}

static void exec_ok(void *conn, const char *sql)
{
    dbshift_error err = {0};
    int rc = drv->exec(conn, sql, &err);
    if (rc != 0)
        fail_msg("exec failed: %s\nSQL: %s", err.message, sql);
    dbshift_error_clear(&err);
}

/* Collects the first column of every row, "NULL" for SQL NULL, joined by
 * '|'. */
typedef struct rows {
    char text[4096];
    size_t count;
    size_t ncols;
} rows;

static int collect(void *payload, size_t ncols, const char *const *values)
{
    rows *r = payload;
    size_t used = strlen(r->text);
    snprintf(r->text + used, sizeof(r->text) - used, "%s%s", r->count ? "|" : "",
             values[0] ? values[0] : "NULL");
    r->count++;
    r->ncols = ncols;
    return 0;
}

static rows query_rows(void *conn, const char *sql, const char *const *params, size_t n)
{
    rows r = {{0}, 0, 0};
    dbshift_error err = {0};
    int rc = drv->query(conn, sql, params, n, collect, &r, &err);
    if (rc != 0)
        fail_msg("query failed: %s\nSQL: %s", err.message, sql);
    dbshift_error_clear(&err);
    return r;
}

static long count_of(void *conn, const char *table)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM %s", table);
    rows r = query_rows(conn, sql, NULL, 0);
    assert_int_equal(r.count, 1);
    return strtol(r.text, NULL, 10);
}

static long ms_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* --- Suite setup ---------------------------------------------------------------- */

static int suite_setup(void **state)
{
    (void)state;
    const char *url = getenv("DBSHIFT_TEST_MYSQL_URL");
    if (!url || !*url) {
        fprintf(stderr, "DBSHIFT_TEST_MYSQL_URL is not set: start the test servers with "
                        "scripts/test-servers and export the URL it prints "
                        "(mysql://user:pw@127.0.0.1:PORT/mysql)\n");
        return -1;
    }
    admin_url = strdup(url);
    snprintf(test_db, sizeof(test_db), "dbshift_test_%ld_%ld", (long)getpid(), (long)time(NULL));
    dbshift_conn_params params = {.url = admin_url, .connect_timeout_s = 5};
    dbshift_error err = {0};
    void *admin = NULL;
    if (drv->open(&admin, &params, &err) != 0) {
        fprintf(stderr, "cannot connect with DBSHIFT_TEST_MYSQL_URL: %s\n", err.message);
        dbshift_error_clear(&err);
        return -1;
    }
    char sql[128];
    snprintf(sql, sizeof(sql), "CREATE DATABASE `%s` CHARACTER SET utf8mb4", test_db);
    int rc = drv->exec(admin, sql, &err);
    if (rc != 0)
        fprintf(stderr, "cannot create the test database: %s\n", err.message);
    dbshift_error_clear(&err);
    drv->close(admin);
    test_url = with_database(admin_url, test_db);
    return rc == 0 ? 0 : -1;
}

static int suite_teardown(void **state)
{
    (void)state;
    if (admin_url && test_db[0]) {
        dbshift_conn_params params = {.url = admin_url, .connect_timeout_s = 5};
        dbshift_error err = {0};
        void *admin = NULL;
        if (drv->open(&admin, &params, &err) == 0) {
            char sql[128];
            snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS `%s`", test_db);
            drv->exec(admin, sql, &err);
            drv->close(admin);
        }
        dbshift_error_clear(&err);
    }
    free(admin_url);
    free(test_url);
    return 0;
}

/* --- Tests ------------------------------------------------------------------------ */

static void test_driver_shape(void **state)
{
    (void)state;
    assert_int_equal(drv->version, DBSHIFT_DRIVER_VERSION);
    assert_string_equal(drv->name, "mysql");
    assert_string_equal(drv->schemes[0], "mysql");
    assert_string_equal(drv->schemes[1], "mariadb");
    assert_null(drv->schemes[2]);
    assert_int_equal(drv->caps, DBSHIFT_CAP_ADVISORY_LOCK);
    assert_int_equal(drv->dialect, DBSHIFT_DIALECT_MYSQL);
}

static void test_open_good_and_describe(void **state)
{
    (void)state;
    void *conn = open_url(test_url);
    rows r = query_rows(conn, "SELECT DATABASE()", NULL, 0);
    assert_string_equal(r.text, test_db);
    r = query_rows(conn, "SELECT @@character_set_client", NULL, 0);
    assert_string_equal(r.text, "utf8mb4");

    char *desc = drv->describe(conn);
    assert_non_null(desc);
    assert_true(strncmp(desc, "mysql://", 8) == 0);
    assert_non_null(strstr(desc, test_db));
    char *ui, *rest;
    split_url(test_url, &ui, &rest);
    char *colon = strchr(ui, ':');
    if (colon && colon[1])
        assert_null(strstr(desc, colon + 1));
    free(ui);
    free(rest);
    free(desc);
    drv->close(conn);

    /* mariadb:// is the same driver */
    char *maria = concat("mariadb", strstr(test_url, "://"), "");
    conn = open_url(maria);
    drv->close(conn);
    free(maria);
}

static void test_open_bad_password(void **state)
{
    (void)state;
    const char *secret = "Wr0ng-Secret-4711";
    char *url = with_password(test_url, secret);
    dbshift_conn_params params = {.url = url, .connect_timeout_s = 5};
    dbshift_error err = {0};
    void *conn = (void *)1;
    assert_int_equal(drv->open(&conn, &params, &err), DBSHIFT_ECONNECT);
    assert_null(conn);
    assert_int_equal(err.code, DBSHIFT_ECONNECT);
    assert_non_null(err.message);
    assert_null(strstr(err.message, secret));
    assert_non_null(strstr(err.message, "Access denied"));
    assert_int_not_equal(err.native_code, 0);
    dbshift_error_clear(&err);

    /* params->password wins over the URL's, both ways */
    params.url = test_url;
    params.password = secret;
    assert_int_equal(drv->open(&conn, &params, &err), DBSHIFT_ECONNECT);
    assert_null(strstr(err.message, secret));
    dbshift_error_clear(&err);
    char *real = password_of(test_url);
    params.url = url;
    params.password = real;
    assert_int_equal(drv->open(&conn, &params, &err), 0);
    assert_non_null(conn);
    drv->close(conn);
    free(real);
    free(url);
}

static void test_open_bad_urls(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "mysql://u:pw@127.0.0.1:99999/db",      /* port out of range */
        "mysql://u:pw@127.0.0.1:12x/db",        /* port not a number */
        "mysql://u:pw@127.0.0.1:3306/",         /* no database */
        "mysql://u:p%zzw@127.0.0.1/db",         /* broken escape */
        "mysql://u:pw@127.0.0.1/db?sslmode=on", /* unknown option */
        "mysql://u:pw@127.0.0.1/db?ssl-mode=SOMETIMES",
        "postgres://u:pw@127.0.0.1/db",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        dbshift_conn_params params = {.url = bad[i], .connect_timeout_s = 2};
        dbshift_error err = {0};
        void *conn = NULL;
        int rc = drv->open(&conn, &params, &err);
        if (rc != DBSHIFT_EUSAGE)
            fail_msg("%s: expected a usage error, got %d (%s)", bad[i], rc,
                     err.message ? err.message : "");
        assert_null(conn);
        assert_null(strstr(err.message, ":pw"));
        assert_null(strstr(err.message, "p%zzw"));
        dbshift_error_clear(&err);
    }

    /* Nothing listens there: a connection error, not a usage error. */
    dbshift_conn_params params = {.url = "mysql://u:pw@127.0.0.1:1/db", .connect_timeout_s = 2};
    dbshift_error err = {0};
    void *conn = NULL;
    assert_int_equal(drv->open(&conn, &params, &err), DBSHIFT_ECONNECT);
    assert_null(strstr(err.message, ":pw"));
    dbshift_error_clear(&err);

    /* ssl-mode=REQUIRED is honoured whatever the server offers */
    conn = open_url(test_url);
    rows tls = query_rows(conn, "SELECT @@have_ssl", NULL, 0);
    drv->close(conn);
    char *required = concat(test_url, strchr(test_url, '?') ? "&" : "?", "ssl-mode=REQUIRED");
    params.url = required;
    int rc = drv->open(&conn, &params, &err);
    if (strcmp(tls.text, "YES") == 0) {
        assert_int_equal(rc, 0);
        drv->close(conn);
    } else {
        assert_int_equal(rc, DBSHIFT_ECONNECT);
        assert_non_null(strstr(err.message, "TLS"));
    }
    dbshift_error_clear(&err);
    free(required);

    /* ssl-mode=DISABLED is accepted */
    char *encoded = concat(test_url, strchr(test_url, '?') ? "&" : "?", "ssl-mode=DISABLED");
    conn = open_url(encoded);
    drv->close(conn);
    free(encoded);
}

static void test_socket_url(void **state)
{
    (void)state;
    void *conn = open_url(test_url);
    rows r = query_rows(conn, "SELECT @@socket", NULL, 0);
    drv->close(conn);
    assert_int_equal(r.count, 1);
    assert_true(r.text[0] == '/');

    char *ui, *rest;
    split_url(test_url, &ui, &rest);
    char *head = concat("mysql://", ui, "@/");
    char *mid = concat(head, test_db, "?socket=");
    char *url = concat(mid, r.text, "");
    conn = open_url(url);
    rows h = query_rows(conn, "SELECT DATABASE()", NULL, 0);
    assert_string_equal(h.text, test_db);
    char *desc = drv->describe(conn);
    assert_non_null(strstr(desc, "socket="));
    free(desc);
    drv->close(conn);
    free(ui);
    free(rest);
    free(head);
    free(mid);
    free(url);
}

static void test_exec_multi_statement(void **state)
{
    (void)state;
    void *conn = open_url(test_url);
    exec_ok(conn, "CREATE TABLE ex (id INT PRIMARY KEY, name VARCHAR(20));\n"
                  "INSERT INTO ex VALUES (1, 'one');\n"
                  "SELECT * FROM ex;\n"
                  "INSERT INTO ex VALUES (2, 'two; still a string');");
    assert_int_equal(count_of(conn, "ex"), 2);

    dbshift_error err = {0};
    int rc =
        drv->exec(conn, "INSERT INTO ex VALUES (3, 'x'); INSERT INTO no_such VALUES (1)", &err);
    assert_int_equal(rc, DBSHIFT_ESQL);
    assert_int_equal(err.native_code, 1146);
    assert_string_equal(err.sqlstate, "42S02");
    assert_non_null(strstr(err.message, "no_such"));
    dbshift_error_clear(&err);
    /* the connection is still in sync and usable */
    assert_int_equal(count_of(conn, "ex"), 3);
    drv->close(conn);
}

static int stop_after_one(void *payload, size_t ncols, const char *const *values)
{
    (void)ncols;
    (void)values;
    (*(int *)payload)++;
    return 42;
}

static void test_query_params(void **state)
{
    (void)state;
    void *conn = open_url(test_url);
    exec_ok(conn, "CREATE TABLE qp (id INT PRIMARY KEY, name TEXT NULL, n DECIMAL(10,2))");
    char long_text[3000];
    memset(long_text, 'x', sizeof(long_text) - 1);
    long_text[sizeof(long_text) - 1] = '\0';
    const char *p1[] = {"1", "it's \"quoted\" \\ ?", "3.50"};
    const char *p2[] = {"2", NULL, NULL};
    const char *p3[] = {"3", long_text, "-1"};
    query_rows(conn, "INSERT INTO qp VALUES (?, ?, ?)", p1, 3);
    query_rows(conn, "INSERT INTO qp VALUES (?, ?, ?)", p2, 3);
    query_rows(conn, "INSERT INTO qp VALUES (?, ?, ?)", p3, 3);

    const char *id1[] = {"1"};
    rows r = query_rows(conn, "SELECT name FROM qp WHERE id = ?", id1, 1);
    assert_string_equal(r.text, "it's \"quoted\" \\ ?");
    r = query_rows(conn, "SELECT n FROM qp ORDER BY id", NULL, 0);
    assert_string_equal(r.text, "3.50|NULL|-1.00");
    r = query_rows(conn, "SELECT id FROM qp WHERE name IS NULL", NULL, 0);
    assert_string_equal(r.text, "2");
    const char *id3[] = {"3"};
    r = query_rows(conn, "SELECT CHAR_LENGTH(name), name = REPEAT('x', 2999) FROM qp WHERE id = ?",
                   id3, 1);
    assert_string_equal(r.text, "2999");
    /* a long value comes back whole */
    rows big = {{0}, 0, 0};
    dbshift_error err = {0};
    assert_int_equal(
        drv->query(conn, "SELECT name FROM qp WHERE id = ?", id3, 1, collect, &big, &err), 0);
    assert_int_equal(strlen(big.text), 2999);
    assert_true(strspn(big.text, "x") == strlen(big.text));

    /* a NULL parameter is SQL NULL, not the string "NULL" */
    const char *nullp[] = {NULL};
    r = query_rows(conn, "SELECT ? IS NULL", nullp, 1);
    assert_string_equal(r.text, "1");

    /* a wrong parameter count is the caller's mistake */
    assert_int_equal(drv->query(conn, "SELECT ? + ?", id1, 1, collect, &r, &err), DBSHIFT_EUSAGE);
    dbshift_error_clear(&err);

    /* the row callback's non-zero return stops and is returned */
    int calls = 0;
    assert_int_equal(drv->query(conn, "SELECT id FROM qp", NULL, 0, stop_after_one, &calls, &err),
                     42);
    assert_int_equal(calls, 1);
    /* and the connection is fine afterwards */
    assert_int_equal(count_of(conn, "qp"), 3);

    /* a server error carries native code and sqlstate */
    assert_int_equal(
        drv->query(conn, "SELECT * FROM qp_missing WHERE id = ?", id1, 1, collect, &r, &err),
        DBSHIFT_ESQL);
    assert_int_equal(err.native_code, 1146);
    assert_string_equal(err.sqlstate, "42S02");
    dbshift_error_clear(&err);
    drv->close(conn);
}

static dbshift_stmt sql_item(const char *sql)
{
    dbshift_stmt s = {DBSHIFT_STMT_SQL, sql, strlen(sql), NULL, 0};
    return s;
}

static void test_run_dml_rolled_back(void **state)
{
    (void)state;
    void *conn = open_url(test_url);
    exec_ok(conn, "CREATE TABLE rd (id INT PRIMARY KEY, v VARCHAR(10)) ENGINE=InnoDB");
    const char *params[] = {"2", NULL};
    dbshift_stmt batch[] = {
        {DBSHIFT_STMT_BEGIN, NULL, 0, NULL, 0},
        sql_item("INSERT INTO rd VALUES (1, 'a')"),
        {DBSHIFT_STMT_SQL, "INSERT INTO rd VALUES (?, ?)", 28, params, 2},
        sql_item("INSERT INTO rd VALUES (1, 'duplicate')"),
        {DBSHIFT_STMT_COMMIT, NULL, 0, NULL, 0},
    };
    size_t failed = 99;
    dbshift_error err = {0};
    assert_int_equal(drv->run(conn, batch, 5, &failed, &err), DBSHIFT_ESQL);
    assert_int_equal(failed, 3);
    assert_int_equal(err.statement_index, 4);
    assert_int_equal(err.native_code, 1062);
    assert_string_equal(err.sqlstate, "23000");
    dbshift_error_clear(&err);
    assert_int_equal(count_of(conn, "rd"), 0);

    /* a clean batch commits everything */
    batch[3] = sql_item("INSERT INTO rd VALUES (3, 'c')");
    assert_int_equal(drv->run(conn, batch, 5, &failed, &err), 0);
    assert_int_equal(failed, 5);
    assert_int_equal(count_of(conn, "rd"), 3);

    /* explicit transactions */
    assert_int_equal(drv->begin(conn, &err), 0);
    exec_ok(conn, "DELETE FROM rd");
    assert_int_equal(drv->rollback(conn, &err), 0);
    assert_int_equal(count_of(conn, "rd"), 3);
    assert_int_equal(drv->begin(conn, &err), 0);
    exec_ok(conn, "DELETE FROM rd WHERE id = 3");
    assert_int_equal(drv->commit(conn, &err), 0);
    assert_int_equal(count_of(conn, "rd"), 2);
    drv->close(conn);
}

static void test_run_ddl_commits_implicitly(void **state)
{
    (void)state;
    void *conn = open_url(test_url);
    dbshift_stmt batch[] = {
        {DBSHIFT_STMT_BEGIN, NULL, 0, NULL, 0},         sql_item("CREATE TABLE ddl_a (id INT)"),
        sql_item("INSERT INTO ddl_missing VALUES (1)"), sql_item("CREATE TABLE ddl_b (id INT)"),
        {DBSHIFT_STMT_COMMIT, NULL, 0, NULL, 0},
    };
    size_t failed = 0;
    dbshift_error err = {0};
    assert_int_equal(drv->run(conn, batch, 5, &failed, &err), DBSHIFT_ESQL);
    assert_int_equal(failed, 2);
    assert_int_equal(err.statement_index, 3);
    dbshift_error_clear(&err);
    /* MySQL committed the CREATE TABLE before the failure: no rollback can
     * undo it, which is why the driver does not claim transactional DDL. */
    bool exists = false;
    assert_int_equal(drv->table_exists(conn, NULL, "ddl_a", &exists, &err), 0);
    assert_true(exists);
    assert_int_equal(drv->table_exists(conn, NULL, "ddl_b", &exists, &err), 0);
    assert_false(exists);
    drv->close(conn);
}

static void test_lock(void **state)
{
    (void)state;
    void *a = open_url(test_url);
    void *b = open_url(test_url);
    dbshift_error err = {0};
    char *holder = NULL;

    assert_int_equal(drv->lock_holder(b, "migrations", &holder, &err), 0);
    assert_null(holder);
    assert_int_equal(drv->lock(a, "migrations", 1000, &err), 0);

    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    assert_int_equal(drv->lock(b, "migrations", 600, &err), DBSHIFT_ELOCK);
    long waited = ms_since(&start);
    assert_true(waited >= 500);
    assert_true(waited < 3000);
    char *user = user_of(test_url);
    assert_non_null(strstr(err.message, "connection "));
    assert_non_null(strstr(err.message, user));
    assert_non_null(err.hint);
    dbshift_error_clear(&err);

    /* a long DDL on a's main connection does not touch the lock */
    exec_ok(a, "CREATE TABLE lock_side (id INT)");

    assert_int_equal(drv->lock_holder(b, "migrations", &holder, &err), 0);
    assert_non_null(holder);
    assert_non_null(strstr(holder, user));
    free(holder);

    /* sub-second waits */
    clock_gettime(CLOCK_MONOTONIC, &start);
    assert_int_equal(drv->lock(b, "migrations", 200, &err), DBSHIFT_ELOCK);
    waited = ms_since(&start);
    assert_true(waited >= 150 && waited < 1500);
    dbshift_error_clear(&err);

    assert_int_equal(drv->unlock(a, "migrations", &err), 0);
    assert_int_equal(drv->lock_holder(b, "migrations", &holder, &err), 0);
    assert_null(holder);
    assert_int_equal(drv->lock(b, "migrations", 0, &err), 0);
    /* a cannot release what b holds */
    assert_int_equal(drv->unlock(a, "migrations", &err), DBSHIFT_ELOCK);
    dbshift_error_clear(&err);

    /* closing the connection releases the lock */
    drv->close(b);
    b = open_url(test_url);
    assert_int_equal(drv->lock(b, "migrations", 2000, &err), 0);
    assert_int_equal(drv->unlock(b, "migrations", &err), 0);

    /* keys past the server's 64 characters work, and stay distinct */
    char long_key[200];
    memset(long_key, 'k', sizeof(long_key) - 1);
    long_key[sizeof(long_key) - 1] = '\0';
    char other_key[200];
    memcpy(other_key, long_key, sizeof(other_key));
    other_key[190] = 'z';
    assert_int_equal(drv->lock(a, long_key, 0, &err), 0);
    assert_int_equal(drv->lock(b, other_key, 0, &err), 0);
    assert_int_equal(drv->lock(b, long_key, 0, &err), DBSHIFT_ELOCK);
    dbshift_error_clear(&err);
    assert_int_equal(drv->unlock(a, long_key, &err), 0);
    assert_int_equal(drv->unlock(b, other_key, &err), 0);

    free(user);
    drv->close(a);
    drv->close(b);
}

static void test_quote_ident_and_table_exists(void **state)
{
    (void)state;
    char *q = drv->quote_ident("we`ird name");
    assert_string_equal(q, "`we``ird name`");
    void *conn = open_url(test_url);
    char sql[128];
    snprintf(sql, sizeof(sql), "CREATE TABLE %s (id INT)", q);
    exec_ok(conn, sql);
    free(q);

    dbshift_error err = {0};
    bool exists = false;
    assert_int_equal(drv->table_exists(conn, NULL, "we`ird name", &exists, &err), 0);
    assert_true(exists);
    assert_int_equal(drv->table_exists(conn, test_db, "we`ird name", &exists, &err), 0);
    assert_true(exists);
    assert_int_equal(drv->table_exists(conn, NULL, "nope", &exists, &err), 0);
    assert_false(exists);
    assert_int_equal(drv->table_exists(conn, "mysql", "we`ird name", &exists, &err), 0);
    assert_false(exists);
    drv->close(conn);
}

static void test_procedure_and_trigger(void **state)
{
    (void)state;
    void *conn = open_url(test_url);
    exec_ok(conn, "CREATE TABLE pt (id INT PRIMARY KEY, label VARCHAR(40))");
    dbshift_stmt batch[] = {
        sql_item("CREATE PROCEDURE pt_fill(IN n INT)\n"
                 "BEGIN\n"
                 "  DECLARE i INT DEFAULT 0;\n"
                 "  WHILE i < n DO\n"
                 "    SET i = i + 1;\n"
                 "    INSERT INTO pt (id) VALUES (i);\n"
                 "  END WHILE;\n"
                 "END"),
        sql_item("CREATE TRIGGER pt_label BEFORE INSERT ON pt FOR EACH ROW\n"
                 "BEGIN\n"
                 "  IF NEW.label IS NULL THEN\n"
                 "    SET NEW.label = CONCAT('row ', NEW.id);\n"
                 "  END IF;\n"
                 "END"),
        sql_item("CALL pt_fill(3)"),
    };
    size_t failed = 0;
    dbshift_error err = {0};
    int rc = drv->run(conn, batch, 3, &failed, &err);
    if (rc)
        fail_msg("run failed at %zu: %s", failed, err.message);
    rows r = query_rows(conn, "SELECT label FROM pt ORDER BY id", NULL, 0);
    assert_string_equal(r.text, "row 1|row 2|row 3");

    /* the same through exec(), as part of a multi-statement script */
    exec_ok(conn, "CREATE FUNCTION pt_twice(x INT) RETURNS INT DETERMINISTIC\n"
                  "BEGIN\n  RETURN x * 2;\nEND;\n"
                  "DELETE FROM pt; CALL pt_fill(2);");
    r = query_rows(conn, "SELECT pt_twice(COUNT(*)) FROM pt", NULL, 0);
    assert_string_equal(r.text, "4");
    drv->close(conn);
}

static int count_events(const dbshift_event *ev, void *payload)
{
    (void)ev;
    (*(int *)payload)++;
    return 0;
}

static void progress_cb(const dbshift_event *ev, void *payload)
{
    if (ev->type == DBSHIFT_EV_BACKUP_PROGRESS)
        count_events(ev, payload);
}

static void test_backup_restore(void **state)
{
    (void)state;
    void *conn = open_url(test_url);
    exec_ok(conn, "CREATE TABLE bk (id INT PRIMARY KEY, data BLOB, note TEXT);\n"
                  "INSERT INTO bk VALUES (1, X'00FF10', 'caf\xc3\xa9'), (2, NULL, 'two');\n"
                  "CREATE VIEW bk_view AS SELECT id FROM bk;\n"
                  "CREATE PROCEDURE bk_proc() BEGIN SELECT 1; END;\n"
                  "CREATE TRIGGER bk_trig BEFORE INSERT ON bk FOR EACH ROW\n"
                  "BEGIN SET NEW.note = UPPER(NEW.note); END;");

    char path[] = "/tmp/dbshift-mysql-backup-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    chmod(path, 0644); /* backup() must tighten an existing file */
    int events = 0;
    dbshift_error err = {0};
    int rc = drv->backup(conn, path, progress_cb, &events, &err);
    if (rc)
        fail_msg("backup failed: %s", err.message);
    assert_true(events >= 1);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_true(st.st_size > 0);

    /* change everything after the backup */
    exec_ok(conn, "INSERT INTO bk VALUES (3, NULL, 'three');\n"
                  "UPDATE bk SET note = 'changed' WHERE id = 1;\n"
                  "CREATE TABLE bk_after (id INT);\n"
                  "DROP PROCEDURE bk_proc;");

    rc = drv->restore(conn, path, &err);
    if (rc)
        fail_msg("restore failed: %s", err.message);
    assert_int_equal(count_of(conn, "bk"), 2);
    rows r = query_rows(conn, "SELECT HEX(data) FROM bk ORDER BY id", NULL, 0);
    assert_string_equal(r.text, "00FF10|NULL");
    r = query_rows(conn, "SELECT note FROM bk ORDER BY id", NULL, 0);
    assert_string_equal(r.text, "caf\xc3\xa9|two");
    bool exists = true;
    assert_int_equal(drv->table_exists(conn, NULL, "bk_after", &exists, &err), 0);
    assert_false(exists);
    assert_int_equal(count_of(conn, "bk_view"), 2);
    exec_ok(conn, "CALL bk_proc()");
    exec_ok(conn, "INSERT INTO bk VALUES (4, NULL, 'lower')");
    r = query_rows(conn, "SELECT note FROM bk WHERE id = 4", NULL, 0);
    assert_string_equal(r.text, "LOWER");

    /* a file that is not a dump is refused before anything is dropped */
    char junk[] = "/tmp/dbshift-mysql-junk-XXXXXX";
    fd = mkstemp(junk);
    assert_true(fd >= 0);
    assert_true(write(fd, "DROP TABLE bk;\n", 15) == 15);
    close(fd);
    assert_int_equal(drv->restore(conn, junk, &err), DBSHIFT_EUSAGE);
    dbshift_error_clear(&err);
    assert_int_equal(count_of(conn, "bk"), 3);
    assert_int_equal(drv->restore(conn, "/nonexistent/backup.sql", &err), DBSHIFT_ENOTFOUND);
    dbshift_error_clear(&err);

    unlink(junk);
    unlink(path);
    drv->close(conn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_driver_shape),
        cmocka_unit_test(test_open_good_and_describe),
        cmocka_unit_test(test_open_bad_password),
        cmocka_unit_test(test_open_bad_urls),
        cmocka_unit_test(test_socket_url),
        cmocka_unit_test(test_exec_multi_statement),
        cmocka_unit_test(test_query_params),
        cmocka_unit_test(test_run_dml_rolled_back),
        cmocka_unit_test(test_run_ddl_commits_implicitly),
        cmocka_unit_test(test_lock),
        cmocka_unit_test(test_quote_ident_and_table_exists),
        cmocka_unit_test(test_procedure_and_trigger),
        cmocka_unit_test(test_backup_restore),
    };
    return cmocka_run_group_tests(tests, suite_setup, suite_teardown);
}
