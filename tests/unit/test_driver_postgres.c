/*
 * test_driver_postgres.c - the PostgreSQL driver against a real server. The
 * server's admin URL comes from DBSHIFT_TEST_PG_URL (scripts/test-servers
 * sets it); the test makes its own database and role, works in them and
 * drops them. Round trips are counted by a small TCP relay placed between
 * the driver and the server: each time the client speaks after the server
 * has spoken is one round trip, which is what a pipelined batch must keep
 * to one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dbshift/driver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const dbshift_driver *drv = &dbshift_driver_postgres;

static PGconn *admin;   /* on the admin URL, for CREATE/DROP DATABASE */
static char dbname[64]; /* the test's own database */
static char role[64];   /* a role with a password, for the password tests */
static const char role_pw[] = "Right-Pw-4711";
static char *db_conninfo; /* keyword form, to the test database */
static char *db_uri;      /* URI form, to the test database */
static char server_host[512];
static char server_port[16];

/* --- helpers ----------------------------------------------------------- */

static void add_kv(char *out, size_t cap, const char *key, const char *val)
{
    size_t len = strlen(out);
    int n = snprintf(out + len, cap - len, "%s%s='", len ? " " : "", key);
    len += (size_t)n;
    for (const char *p = val; *p && len + 3 < cap; p++) {
        if (*p == '\'' || *p == '\\')
            out[len++] = '\\';
        out[len++] = *p;
    }
    out[len++] = '\'';
    out[len] = '\0';
}

/* The admin URL's options as a keyword conninfo, with some replaced. */
static char *conninfo_with(const char *const *over, size_t nover)
{
    const char *url = getenv("DBSHIFT_TEST_PG_URL");
    PQconninfoOption *opts = PQconninfoParse(url, NULL);
    assert_non_null(opts);
    char *out = calloc(1, 8192);
    assert_non_null(out);
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        const char *val = o->val;
        for (size_t i = 0; i + 1 < nover; i += 2)
            if (strcmp(over[i], o->keyword) == 0)
                val = over[i + 1];
        if (val && *val)
            add_kv(out, 8192, o->keyword, val);
    }
    PQconninfoFree(opts);
    return out;
}

static void uri_part(char *out, size_t cap, const char *s)
{
    size_t len = strlen(out);
    for (const unsigned char *p = (const unsigned char *)s; *p && len + 4 < cap; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            out[len++] = (char)*p;
        else
            len += (size_t)snprintf(out + len, cap - len, "%%%02X", *p);
    }
    out[len] = '\0';
}

static void *open_conn(const char *url, const char *password, const char *app)
{
    dbshift_conn_params p = {url, password, app, 5};
    dbshift_error err = {0};
    void *conn = NULL;
    int rc = drv->open(&conn, &p, &err);
    if (rc)
        fail_msg("open failed: %s", err.message);
    dbshift_error_clear(&err);
    return conn;
}

static void exec_ok(void *conn, const char *sql)
{
    dbshift_error err = {0};
    int rc = drv->exec(conn, sql, &err);
    if (rc)
        fail_msg("exec of \"%s\" failed: %s", sql, err.message);
    dbshift_error_clear(&err);
}

/* Collects query rows as "a|b|NULL" lines. */
typedef struct rows {
    char text[4096];
    int n;
} rows;

static int collect(void *payload, size_t ncols, const char *const *values)
{
    rows *r = payload;
    size_t len = strlen(r->text);
    for (size_t i = 0; i < ncols; i++)
        len += (size_t)snprintf(r->text + len, sizeof(r->text) - len, "%s%s", i ? "|" : "",
                                values[i] ? values[i] : "NULL");
    snprintf(r->text + len, sizeof(r->text) - len, "\n");
    r->n++;
    return 0;
}

static rows query_ok(void *conn, const char *sql, const char *const *params, size_t n)
{
    rows r = {{0}, 0};
    dbshift_error err = {0};
    int rc = drv->query(conn, sql, params, n, collect, &r, &err);
    if (rc)
        fail_msg("query \"%s\" failed: %s", sql, err.message);
    dbshift_error_clear(&err);
    return r;
}

static dbshift_stmt sql_item(const char *sql)
{
    dbshift_stmt s = {DBSHIFT_STMT_SQL, sql, strlen(sql), NULL, 0};
    return s;
}

static dbshift_stmt kind_item(int kind)
{
    dbshift_stmt s = {kind, NULL, 0, NULL, 0};
    return s;
}

/* --- a relay that counts round trips ----------------------------------- */

typedef struct relay {
    int listen_fd;
    int port;
    pthread_t thread;
    atomic_int turns; /* client-to-server bursts that followed a server reply */
} relay;

static int connect_server(void)
{
    if (server_host[0] == '/') {
        struct sockaddr_un sa = {0};
        sa.sun_family = AF_UNIX;
        char path[600];
        snprintf(path, sizeof(path), "%s/.s.PGSQL.%s", server_host, server_port);
        if (strlen(path) >= sizeof(sa.sun_path))
            return -1;
        memcpy(sa.sun_path, path, strlen(path) + 1);
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
            return fd;
        if (fd >= 0)
            close(fd);
        return -1;
    }
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)atoi(server_port));
    if (inet_pton(AF_INET, strcmp(server_host, "localhost") == 0 ? "127.0.0.1" : server_host,
                  &sa.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
        return fd;
    if (fd >= 0)
        close(fd);
    return -1;
}

static void *relay_main(void *arg)
{
    relay *r = arg;
    int client = accept(r->listen_fd, NULL, NULL);
    if (client < 0)
        return NULL;
    int server = connect_server();
    if (server < 0) {
        close(client);
        return NULL;
    }
    int last = 0; /* 1: client spoke last, 2: server did */
    char chunk[65536];
    for (;;) {
        struct pollfd pfd[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
        if (poll(pfd, 2, 30000) <= 0)
            break;
        int from = (pfd[0].revents & (POLLIN | POLLHUP)) ? 0 : 1;
        int src = from == 0 ? client : server, dst = from == 0 ? server : client;
        ssize_t n = read(src, chunk, sizeof(chunk));
        if (n <= 0)
            break;
        if (from == 0 && last != 1)
            atomic_fetch_add(&r->turns, 1);
        last = from == 0 ? 1 : 2;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(dst, chunk + off, (size_t)(n - off));
            if (w <= 0)
                goto out;
            off += w;
        }
    }
out:
    close(client);
    close(server);
    return NULL;
}

static void relay_start(relay *r)
{
    memset(r, 0, sizeof(*r));
    r->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(r->listen_fd >= 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(r->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    assert_int_equal(listen(r->listen_fd, 1), 0);
    socklen_t len = sizeof(sa);
    assert_int_equal(getsockname(r->listen_fd, (struct sockaddr *)&sa, &len), 0);
    r->port = ntohs(sa.sin_port);
    assert_int_equal(pthread_create(&r->thread, NULL, relay_main, r), 0);
}

/* Opens the driver through the relay. */
static void *relay_open(relay *r)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", r->port);
    const char *over[] = {"host", "127.0.0.1", "hostaddr", "", "port", port, "dbname", dbname};
    char *ci = conninfo_with(over, 8);
    void *conn = open_conn(ci, NULL, "dbshift-test-relay");
    free(ci);
    return conn;
}

static void relay_stop(relay *r)
{
    pthread_join(r->thread, NULL);
    close(r->listen_fd);
}

/* --- setup ------------------------------------------------------------- */

static void admin_exec(const char *sql)
{
    PGresult *res = PQexec(admin, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fail_msg("admin statement \"%s\" failed: %s", sql, PQerrorMessage(admin));
    PQclear(res);
}

static int group_setup(void **state)
{
    (void)state;
    const char *url = getenv("DBSHIFT_TEST_PG_URL");
    if (!url || !*url) {
        print_error("DBSHIFT_TEST_PG_URL is not set: this test needs a real PostgreSQL server "
                    "(run scripts/test-servers, or export "
                    "DBSHIFT_TEST_PG_URL=postgres://USER:PW@127.0.0.1:PORT/postgres)\n");
        return -1;
    }
    admin = PQconnectdb(url);
    if (PQstatus(admin) != CONNECTION_OK) {
        print_error("cannot connect to DBSHIFT_TEST_PG_URL: %s\n", PQerrorMessage(admin));
        return -1;
    }
    snprintf(server_host, sizeof(server_host), "%s", PQhost(admin));
    snprintf(server_port, sizeof(server_port), "%s", PQport(admin));
    srand((unsigned)time(NULL) ^ (unsigned)getpid());
    snprintf(dbname, sizeof(dbname), "dbshift_t_%d_%d", (int)getpid(), rand() % 100000);
    snprintf(role, sizeof(role), "dbshift_r_%d_%d", (int)getpid(), rand() % 100000);
    char sql[512];
    PQclear(PQexec(admin, "SET client_min_messages = warning"));
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE template0", dbname);
    admin_exec(sql);
    snprintf(sql, sizeof(sql), "CREATE ROLE %s LOGIN PASSWORD '%s'", role, role_pw);
    admin_exec(sql);

    const char *over[] = {"dbname", dbname};
    db_conninfo = conninfo_with(over, 2);
    db_uri = calloc(1, 4096);
    strcpy(db_uri, "postgresql://");
    uri_part(db_uri, 4096, PQuser(admin));
    if (PQpass(admin) && *PQpass(admin)) {
        strcat(db_uri, ":");
        uri_part(db_uri, 4096, PQpass(admin));
    }
    strcat(db_uri, "@");
    uri_part(db_uri, 4096, server_host);
    strcat(db_uri, ":");
    strcat(db_uri, server_port);
    strcat(db_uri, "/");
    strcat(db_uri, dbname);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    if (!admin)
        return 0;
    char sql[512];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", dbname);
    PQclear(PQexec(admin, sql));
    snprintf(sql, sizeof(sql), "DROP ROLE IF EXISTS %s", role);
    PQclear(PQexec(admin, sql));
    PQfinish(admin);
    free(db_conninfo);
    free(db_uri);
    return 0;
}

/* --- tests ------------------------------------------------------------- */

static void test_driver_table(void **state)
{
    (void)state;
    assert_int_equal(drv->version, DBSHIFT_DRIVER_VERSION);
    assert_string_equal(drv->name, "postgres");
    assert_string_equal(drv->schemes[0], "postgres");
    assert_string_equal(drv->schemes[1], "postgresql");
    assert_null(drv->schemes[2]);
    assert_int_equal(drv->caps, DBSHIFT_CAP_TRANSACTIONAL_DDL | DBSHIFT_CAP_ADVISORY_LOCK |
                                    DBSHIFT_CAP_SCHEMAS | DBSHIFT_CAP_PIPELINE);
    assert_int_equal(drv->dialect, DBSHIFT_DIALECT_POSTGRES);
}

/* A connection attempt that must fail with ECONNECT, never showing pw. */
static void expect_connect_failure(const char *url, const char *password, const char *pw)
{
    dbshift_conn_params p = {url, password, "dbshift-test", 3};
    dbshift_error err = {0};
    void *conn = (void *)1;
    int rc = drv->open(&conn, &p, &err);
    assert_int_equal(rc, DBSHIFT_ECONNECT);
    assert_int_equal(err.code, DBSHIFT_ECONNECT);
    assert_null(conn);
    assert_non_null(err.message);
    assert_null(strstr(err.message, pw));
    assert_null(strchr(err.message, '\n'));
    dbshift_error_clear(&err);
}

static void test_open(void **state)
{
    (void)state;
    void *a = open_conn(db_conninfo, NULL, "dbshift-test");
    void *b = open_conn(db_uri, NULL, "dbshift-test");
    char *desc = drv->describe(b);
    assert_non_null(desc);
    assert_true(strncmp(desc, "postgres://", 11) == 0);
    assert_non_null(strstr(desc, dbname));
    if (PQpass(admin) && *PQpass(admin))
        assert_null(strstr(desc, PQpass(admin)));
    free(desc);
    /* The session is left as the server set it up: the driver drops
     * notices itself instead of spending a round trip on a SET. */
    rows r = query_ok(a,
                      "SELECT current_setting('client_min_messages'), "
                      "current_setting('application_name')",
                      NULL, 0);
    assert_string_equal(r.text, "notice|dbshift-test\n");
    drv->close(a);
    drv->close(b);
    drv->close(NULL);

    /* The role's password given apart from the URL overrides a wrong one
     * written in it. */
    char uri[1024];
    snprintf(uri, sizeof(uri), "postgres://%s:Wr0ng-Pw-987@", role);
    uri_part(uri, sizeof(uri), server_host);
    snprintf(uri + strlen(uri), sizeof(uri) - strlen(uri), ":%s/%s", server_port, dbname);
    void *c = open_conn(uri, role_pw, "dbshift-test");
    r = query_ok(c, "SELECT current_user", NULL, 0);
    assert_non_null(strstr(r.text, role));
    drv->close(c);

    /* A wrong password: refused where the server checks passwords. */
    dbshift_conn_params p = {uri, NULL, "dbshift-test", 3};
    dbshift_error err = {0};
    void *d = NULL;
    int rc = drv->open(&d, &p, &err);
    if (rc == 0) {
        print_message("note: the server trusts this client, so a wrong password is accepted\n");
        drv->close(d);
    } else {
        assert_int_equal(rc, DBSHIFT_ECONNECT);
        assert_null(strstr(err.message, "Wr0ng-Pw-987"));
        assert_non_null(strstr(err.message, "password"));
    }
    dbshift_error_clear(&err);

    /* Failures any server gives, each with a password that must not leak. */
    snprintf(uri, sizeof(uri), "postgres://no_such_role_x:S3cret-Leak-1@");
    uri_part(uri, sizeof(uri), server_host);
    snprintf(uri + strlen(uri), sizeof(uri) - strlen(uri), ":%s/%s", server_port, dbname);
    expect_connect_failure(uri, NULL, "S3cret-Leak-1");
    const char *over[] = {"dbname", "no_such_database_x", "password", "S3cret-Leak-2"};
    char *ci = conninfo_with(over, 4);
    expect_connect_failure(ci, NULL, "S3cret-Leak-2");
    free(ci);
    expect_connect_failure("postgres://u:S3cret-Leak-3@127.0.0.1:1/x", "S3cret-Leak-4",
                           "S3cret-Leak-");
    expect_connect_failure("postgres://u:S3cret-Leak-5@127.0.0.1:1/x?bogus_option=1", NULL,
                           "S3cret-Leak-5");
}

static void test_exec_and_query(void **state)
{
    (void)state;
    void *c = open_conn(db_conninfo, NULL, "dbshift-test");
    exec_ok(c, "CREATE TABLE q1 (a int, b text); INSERT INTO q1 VALUES (1, 'one'), (2, NULL);"
               "INSERT INTO q1 VALUES (3, 'it''s ?')");
    const char *p1[] = {"2", NULL};
    rows r = query_ok(c, "SELECT a, b FROM q1 WHERE a = ? AND b IS NOT DISTINCT FROM ?", p1, 2);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.text, "2|NULL\n");
    /* '?' inside literals, identifiers, comments and dollar quotes stays. */
    const char *p2[] = {"x"};
    r = query_ok(c,
                 "SELECT '?' || ?::text || $$?$$ || $t$'?'$t$ AS \"?\" /* ? */ -- ?\n"
                 ", E'\\'?'",
                 p2, 1);
    assert_string_equal(r.text, "?x?'?'|'?\n");
    r = query_ok(c, "SELECT b FROM q1 WHERE a = 3", NULL, 0);
    assert_string_equal(r.text, "it's ?\n");

    dbshift_error err = {0};
    assert_int_equal(drv->query(c, "SELECT * FROM no_such_table", NULL, 0, collect, &r, &err),
                     DBSHIFT_ESQL);
    assert_string_equal(err.sqlstate, "42P01");
    assert_int_equal(err.column, 15);
    assert_non_null(strstr(err.message, "no_such_table"));
    dbshift_error_clear(&err);
    const char *p3[] = {"1"};
    assert_int_equal(drv->query(c, "SELECT ?, ?", p3, 1, collect, &r, &err), DBSHIFT_EUSAGE);
    dbshift_error_clear(&err);
    assert_int_equal(drv->exec(c, "CREATE TABLE q1 (a int)", &err), DBSHIFT_ESQL);
    assert_string_equal(err.sqlstate, "42P07");
    dbshift_error_clear(&err);
    /* No row callback: the rows are simply not looked at. */
    assert_int_equal(drv->query(c, "SELECT 1", NULL, 0, NULL, NULL, &err), 0);

    /* Transactions outside batches. */
    assert_int_equal(drv->begin(c, &err), 0);
    exec_ok(c, "INSERT INTO q1 VALUES (9, 'rolled back')");
    assert_int_equal(drv->rollback(c, &err), 0);
    assert_int_equal(drv->begin(c, &err), 0);
    exec_ok(c, "INSERT INTO q1 VALUES (10, 'kept')");
    assert_int_equal(drv->commit(c, &err), 0);
    r = query_ok(c, "SELECT a FROM q1 WHERE a >= 9", NULL, 0);
    assert_string_equal(r.text, "10\n");
    drv->close(c);
}

static int stop_after_one(void *payload, size_t ncols, const char *const *values)
{
    (void)ncols;
    (void)values;
    ++*(int *)payload;
    return 42;
}

static void test_query_stops(void **state)
{
    (void)state;
    void *c = open_conn(db_conninfo, NULL, "dbshift-test");
    int seen = 0;
    dbshift_error err = {0};
    assert_int_equal(
        drv->query(c, "SELECT generate_series(1, 5)", NULL, 0, stop_after_one, &seen, &err), 42);
    assert_int_equal(seen, 1);
    drv->close(c);
}

static void test_run_transaction_one_round_trip(void **state)
{
    (void)state;
    relay rl;
    relay_start(&rl);
    void *c = relay_open(&rl);
    exec_ok(c, "CREATE TABLE hist (version text, name text, note text)");
    const char *hp[] = {"1", "create r1", NULL};
    const char *hist_sql = "INSERT INTO hist (version, name, note) VALUES (?, ?, ?)";
    dbshift_stmt items[] = {
        kind_item(DBSHIFT_STMT_BEGIN),
        sql_item("CREATE TABLE r1 (id int PRIMARY KEY, doc jsonb)"),
        sql_item("INSERT INTO r1 VALUES (1, '{\"a\": 1}'), (2, '{\"b\": 2}')"),
        /* a statement that returns rows, and the jsonb ? operator, which
         * must not be taken for a placeholder in a migration's own SQL */
        sql_item("SELECT id FROM r1 WHERE doc ? 'a'"),
        {DBSHIFT_STMT_SQL, hist_sql, strlen(hist_sql), hp, 3},
        sql_item("-- only a comment"),
        kind_item(DBSHIFT_STMT_COMMIT),
    };
    size_t n = sizeof(items) / sizeof(items[0]);
    size_t failed = 99;
    dbshift_error err = {0};
    int before = atomic_load(&rl.turns);
    int rc = drv->run(c, items, n, &failed, &err);
    if (rc)
        fail_msg("run failed at %zu: %s", failed, err.message);
    int trips = atomic_load(&rl.turns) - before;
    assert_int_equal(failed, n);
    assert_int_equal(trips, 1);
    rows r = query_ok(c, "SELECT count(*) FROM r1", NULL, 0);
    assert_string_equal(r.text, "2\n");
    r = query_ok(c, "SELECT version, name, note FROM hist", NULL, 0);
    assert_string_equal(r.text, "1|create r1|NULL\n");
    /* A large batch whose statements also return many rows: the server's
     * replies fill the socket while the batch is still being sent, which
     * must not deadlock. */
    enum { NBIG = 2002 };
    dbshift_stmt *big = calloc(NBIG, sizeof(*big));
    assert_non_null(big);
    big[0] = kind_item(DBSHIFT_STMT_BEGIN);
    for (size_t i = 1; i + 1 < NBIG; i++)
        big[i] = sql_item(i % 2 ? "SELECT repeat('x', 100), g FROM generate_series(1, 2000) g"
                                : "INSERT INTO r1 SELECT coalesce(max(id), 0) + 1 FROM r1");
    big[NBIG - 1] = kind_item(DBSHIFT_STMT_COMMIT);
    rc = drv->run(c, big, NBIG, &failed, &err);
    if (rc)
        fail_msg("large run failed at %zu: %s", failed, err.message);
    assert_int_equal(failed, NBIG);
    free(big);
    r = query_ok(c, "SELECT count(*) FROM r1", NULL, 0);
    assert_string_equal(r.text, "1002\n");

    /* An empty batch does nothing and fails nothing. */
    assert_int_equal(drv->run(c, items, 0, &failed, &err), 0);
    assert_int_equal(failed, 0);
    drv->close(c);
    relay_stop(&rl);
}

static void test_run_transaction_failure_rolls_back(void **state)
{
    (void)state;
    relay rl;
    relay_start(&rl);
    void *c = relay_open(&rl);
    dbshift_stmt items[] = {
        kind_item(DBSHIFT_STMT_BEGIN),        sql_item("CREATE TABLE f1 (a int)"),
        sql_item("SELECT nosuchcol FROM f1"), sql_item("CREATE TABLE f2 (a int)"),
        kind_item(DBSHIFT_STMT_COMMIT),
    };
    size_t failed = 99;
    dbshift_error err = {0};
    int before = atomic_load(&rl.turns);
    assert_int_equal(drv->run(c, items, 5, &failed, &err), DBSHIFT_ESQL);
    int trips = atomic_load(&rl.turns) - before;
    assert_int_equal(failed, 2);
    assert_int_equal(err.code, DBSHIFT_ESQL);
    assert_string_equal(err.sqlstate, "42703");
    assert_int_equal(err.column, 8);
    assert_int_equal(err.statement_index, 3);
    assert_non_null(strstr(err.message, "nosuchcol"));
    assert_true(trips <= 2); /* the batch, then its ROLLBACK */
    dbshift_error_clear(&err);
    bool exists = true;
    assert_int_equal(drv->table_exists(c, NULL, "f1", &exists, &err), 0);
    assert_false(exists);
    assert_int_equal(drv->table_exists(c, NULL, "f2", &exists, &err), 0);
    assert_false(exists);
    /* The connection is out of the transaction and usable: what it does
     * next commits by itself and outlives the session. */
    exec_ok(c, "CREATE TABLE after_failure (a int)");
    drv->close(c);
    relay_stop(&rl);
    c = open_conn(db_conninfo, NULL, "dbshift-test");
    assert_int_equal(drv->table_exists(c, NULL, "after_failure", &exists, &err), 0);
    assert_true(exists);

    /* A failing COMMIT (a deferred constraint) is the failing item. */
    exec_ok(c, "CREATE TABLE d1 (a int UNIQUE DEFERRABLE INITIALLY DEFERRED)");
    dbshift_stmt dup[] = {
        kind_item(DBSHIFT_STMT_BEGIN),
        sql_item("INSERT INTO d1 VALUES (1), (1)"),
        kind_item(DBSHIFT_STMT_COMMIT),
    };
    assert_int_equal(drv->run(c, dup, 3, &failed, &err), DBSHIFT_ESQL);
    assert_int_equal(failed, 2);
    assert_string_equal(err.sqlstate, "23505");
    dbshift_error_clear(&err);
    rows r = query_ok(c, "SELECT count(*) FROM d1", NULL, 0);
    assert_string_equal(r.text, "0\n");
    drv->close(c);
}

/* COPY ... FROM STDIN has no data here: it must fail, not hang. */
static void test_copy_from_stdin_fails(void **state)
{
    (void)state;
    void *c = open_conn(db_conninfo, NULL, "dbshift-test");
    exec_ok(c, "CREATE TABLE cp (a int)");
    dbshift_error err = {0};
    assert_true(drv->exec(c, "COPY cp FROM STDIN", &err) < 0);
    assert_non_null(err.message);
    dbshift_error_clear(&err);
    dbshift_stmt items[] = {
        kind_item(DBSHIFT_STMT_BEGIN),
        sql_item("INSERT INTO cp VALUES (1)"),
        sql_item("COPY cp FROM STDIN"),
        kind_item(DBSHIFT_STMT_COMMIT),
    };
    size_t failed = 99;
    assert_true(drv->run(c, items, 4, &failed, &err) < 0);
    assert_int_equal(failed, 2);
    dbshift_error_clear(&err);
    dbshift_stmt plain[] = {sql_item("COPY cp FROM STDIN")};
    assert_true(drv->run(c, plain, 1, &failed, &err) < 0);
    assert_int_equal(failed, 0);
    dbshift_error_clear(&err);
    rows r = query_ok(c, "SELECT count(*) FROM cp", NULL, 0);
    assert_string_equal(r.text, "0\n");
    /* COPY TO STDOUT in a batch: its rows are read and dropped. */
    dbshift_stmt out[] = {
        kind_item(DBSHIFT_STMT_BEGIN),
        sql_item("INSERT INTO cp VALUES (1)"),
        sql_item("/* export */ copy cp TO STDOUT"),
        kind_item(DBSHIFT_STMT_COMMIT),
    };
    int rc = drv->run(c, out, 4, &failed, &err);
    if (rc)
        fail_msg("run with COPY TO STDOUT failed at %zu: %s", failed, err.message);
    r = query_ok(c, "SELECT count(*) FROM cp", NULL, 0);
    assert_string_equal(r.text, "1\n");
    drv->close(c);
}

/* Inside the caller's transaction (rehearsal, --single-transaction) a
 * batch is pipelined too, and a failure leaves that transaction to the
 * caller. */
static void test_run_inside_caller_transaction(void **state)
{
    (void)state;
    relay rl;
    relay_start(&rl);
    void *c = relay_open(&rl);
    dbshift_error err = {0};
    assert_int_equal(drv->begin(c, &err), 0);
    dbshift_stmt items[] = {
        sql_item("CREATE TABLE o1 (a int)"),
        sql_item("INSERT INTO o1 VALUES (1)"),
        sql_item("CREATE TABLE o2 (a int)"),
    };
    size_t failed = 99;
    int before = atomic_load(&rl.turns);
    int rc = drv->run(c, items, 3, &failed, &err);
    if (rc)
        fail_msg("run failed at %zu: %s", failed, err.message);
    assert_int_equal(atomic_load(&rl.turns) - before, 1);
    assert_int_equal(failed, 3);
    dbshift_stmt bad[] = {
        sql_item("INSERT INTO o1 VALUES (2)"),
        sql_item("INSERT INTO o1 VALUES ('two')"),
    };
    assert_int_equal(drv->run(c, bad, 2, &failed, &err), DBSHIFT_ESQL);
    assert_int_equal(failed, 1);
    assert_string_equal(err.sqlstate, "22P02");
    dbshift_error_clear(&err);
    /* Still the caller's (aborted) transaction: statements are refused
     * until the caller rolls back. */
    assert_int_equal(drv->exec(c, "SELECT 1", &err), DBSHIFT_ESQL);
    assert_string_equal(err.sqlstate, "25P02");
    dbshift_error_clear(&err);
    assert_int_equal(drv->rollback(c, &err), 0);
    bool exists = true;
    assert_int_equal(drv->table_exists(c, NULL, "o1", &exists, &err), 0);
    assert_false(exists);
    drv->close(c);
    relay_stop(&rl);
}

static void test_run_without_transaction(void **state)
{
    (void)state;
    void *c = open_conn(db_conninfo, NULL, "dbshift-test");
    dbshift_stmt items[] = {
        sql_item("CREATE TABLE n1 (a int)"),
        sql_item("CREATE INDEX CONCURRENTLY n1_a ON n1 (a)"),
        sql_item("VACUUM n1"),
    };
    size_t failed = 99;
    dbshift_error err = {0};
    int rc = drv->run(c, items, 3, &failed, &err);
    if (rc)
        fail_msg("run failed at %zu: %s", failed, err.message);
    assert_int_equal(failed, 3);
    rows r = query_ok(c, "SELECT indexname FROM pg_indexes WHERE tablename = 'n1'", NULL, 0);
    assert_string_equal(r.text, "n1_a\n");

    /* Each statement commits by itself: the first stays after the second
     * fails. */
    dbshift_stmt bad[] = {
        sql_item("CREATE TABLE n2 (a int)"),
        sql_item("SELECT b FROM n2"),
        sql_item("CREATE TABLE n3 (a int)"),
    };
    assert_int_equal(drv->run(c, bad, 3, &failed, &err), DBSHIFT_ESQL);
    assert_int_equal(failed, 1);
    assert_int_equal(err.statement_index, 2);
    assert_string_equal(err.sqlstate, "42703");
    assert_int_equal(err.column, 8);
    dbshift_error_clear(&err);
    bool exists = false;
    assert_int_equal(drv->table_exists(c, NULL, "n2", &exists, &err), 0);
    assert_true(exists);
    assert_int_equal(drv->table_exists(c, NULL, "n3", &exists, &err), 0);
    assert_false(exists);
    drv->close(c);
}

static void test_run_dollar_quotes_and_do(void **state)
{
    (void)state;
    void *c = open_conn(db_conninfo, NULL, "dbshift-test");
    dbshift_stmt items[] = {
        kind_item(DBSHIFT_STMT_BEGIN),
        sql_item("CREATE FUNCTION answer(x int) RETURNS int LANGUAGE plpgsql AS $body$\n"
                 "BEGIN\n  -- a ; inside\n  RETURN x + 41; -- ?\nEND;\n$body$"),
        sql_item("CREATE TABLE dq (v text)"),
        sql_item("DO $$\nBEGIN\n  RAISE NOTICE 'hello; world';\n"
                 "  INSERT INTO dq VALUES ('$x$; ?');\nEND\n$$"),
        kind_item(DBSHIFT_STMT_COMMIT),
    };
    size_t failed = 99;
    dbshift_error err = {0};
    int rc = drv->run(c, items, 5, &failed, &err);
    if (rc)
        fail_msg("run failed at %zu: %s", failed, err.message);
    rows r = query_ok(c, "SELECT answer(1), (SELECT v FROM dq)", NULL, 0);
    assert_string_equal(r.text, "42|$x$; ?\n");

    /* An error inside a DO block is reported for that item. */
    dbshift_stmt bad[] = {
        kind_item(DBSHIFT_STMT_BEGIN),
        sql_item("DO $$ BEGIN RAISE EXCEPTION 'stop here' USING HINT = 'fix it'; END $$"),
        kind_item(DBSHIFT_STMT_COMMIT),
    };
    assert_int_equal(drv->run(c, bad, 3, &failed, &err), DBSHIFT_ESQL);
    assert_int_equal(failed, 1);
    assert_string_equal(err.message, "stop here");
    assert_string_equal(err.hint, "fix it");
    assert_string_equal(err.sqlstate, "P0001");
    dbshift_error_clear(&err);
    drv->close(c);
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_advisory_lock(void **state)
{
    (void)state;
    void *a = open_conn(db_conninfo, NULL, "dbshift-test-holder");
    void *b = open_conn(db_conninfo, NULL, "dbshift-test-waiter");
    dbshift_error err = {0};
    assert_int_equal(drv->lock(a, "dbshift:main", 0, &err), 0);
    assert_int_equal(drv->lock(a, "dbshift:main", 0, &err), 0); /* already ours */

    int64_t t0 = mono_ms();
    assert_int_equal(drv->lock(b, "dbshift:main", 300, &err), DBSHIFT_ELOCK);
    int64_t waited = mono_ms() - t0;
    assert_true(waited >= 300);
    assert_true(waited < 2300);
    assert_int_equal(err.code, DBSHIFT_ELOCK);
    assert_non_null(strstr(err.message, "dbshift-test-holder"));
    assert_non_null(strstr(err.message, "pid "));
    assert_non_null(strstr(err.message, "since "));
    dbshift_error_clear(&err);

    /* Another key is independent. */
    assert_int_equal(drv->lock(b, "dbshift:other", 0, &err), 0);

    char *holder = NULL;
    assert_int_equal(drv->lock_holder(b, "dbshift:main", &holder, &err), 0);
    assert_non_null(holder);
    assert_non_null(strstr(holder, "dbshift-test-holder"));
    free(holder);

    /* Taken twice, released once: free, since the driver does not stack. */
    assert_int_equal(drv->unlock(a, "dbshift:main", &err), 0);
    holder = (char *)1;
    assert_int_equal(drv->lock_holder(b, "dbshift:main", &holder, &err), 0);
    assert_null(holder);
    assert_int_equal(drv->unlock(a, "dbshift:main", &err), 0); /* harmless */
    assert_int_equal(drv->lock(b, "dbshift:main", 1000, &err), 0);

    /* A lock dies with its session. */
    drv->close(b);
    assert_int_equal(drv->lock(a, "dbshift:main", 2000, &err), 0);
    assert_int_equal(drv->lock(a, "dbshift:other", 2000, &err), 0);
    drv->close(a);
}

static void test_table_exists_and_quote(void **state)
{
    (void)state;
    void *c = open_conn(db_conninfo, NULL, "dbshift-test");
    char *q = drv->quote_ident("we\"ird name");
    assert_string_equal(q, "\"we\"\"ird name\"");
    char sql[256];
    snprintf(sql, sizeof(sql), "CREATE SCHEMA s1; CREATE TABLE s1.%s (a int)", q);
    free(q);
    exec_ok(c, sql);
    q = drv->quote_ident("");
    assert_string_equal(q, "\"\"");
    free(q);
    exec_ok(c, "CREATE TABLE pub_t (a int)");
    dbshift_error err = {0};
    bool e = false;
    assert_int_equal(drv->table_exists(c, "s1", "we\"ird name", &e, &err), 0);
    assert_true(e);
    assert_int_equal(drv->table_exists(c, NULL, "we\"ird name", &e, &err), 0);
    assert_false(e);
    assert_int_equal(drv->table_exists(c, NULL, "pub_t", &e, &err), 0);
    assert_true(e);
    assert_int_equal(drv->table_exists(c, "public", "pub_t", &e, &err), 0);
    assert_true(e);
    assert_int_equal(drv->table_exists(c, "s1", "pub_t", &e, &err), 0);
    assert_false(e);
    exec_ok(c, "SET search_path = s1");
    assert_int_equal(drv->table_exists(c, NULL, "we\"ird name", &e, &err), 0);
    assert_true(e);
    drv->close(c);
}

typedef struct progress_seen {
    int events;
    uint64_t last_total;
} progress_seen;

static void on_progress(const dbshift_event *ev, void *payload)
{
    progress_seen *p = payload;
    assert_int_equal(ev->type, DBSHIFT_EV_BACKUP_PROGRESS);
    p->events++;
    p->last_total = ev->bytes_total;
}

static void test_backup_restore(void **state)
{
    (void)state;
    void *c = open_conn(db_conninfo, NULL, "dbshift-test");
    exec_ok(c, "CREATE TABLE bk (a int); INSERT INTO bk VALUES (1), (2)");
    char path[256];
    snprintf(path, sizeof(path), "/tmp/dbshift-test-%d.dump", (int)getpid());
    FILE *f = fopen(path, "w"); /* an old file, readable by others */
    assert_non_null(f);
    fputs("old", f);
    fclose(f);
    chmod(path, 0644);

    dbshift_error err = {0};
    progress_seen ps = {0, 0};
    int rc = drv->backup(c, path, on_progress, &ps, &err);
    if (rc)
        fail_msg("backup failed: %s", err.message);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_true(st.st_size > 100);
    assert_true(ps.events >= 1);
    assert_int_equal(ps.last_total, (uint64_t)st.st_size);

    exec_ok(c, "DROP TABLE bk; CREATE TABLE after_backup (a int)");
    rc = drv->restore(c, path, &err);
    if (rc)
        fail_msg("restore failed: %s", err.message);
    rows r = query_ok(c, "SELECT a FROM bk ORDER BY a", NULL, 0);
    assert_string_equal(r.text, "1\n2\n");

    /* Errors: a missing backup, a folder that does not exist, no pg_dump. */
    assert_int_equal(drv->restore(c, "/nonexistent/x.dump", &err), DBSHIFT_ENOTFOUND);
    dbshift_error_clear(&err);
    assert_int_equal(drv->backup(c, "/nonexistent/x.dump", NULL, NULL, &err), DBSHIFT_EIO);
    dbshift_error_clear(&err);
    char *old_path = strdup(getenv("PATH"));
    setenv("PATH", "/nonexistent", 1);
    rc = drv->backup(c, path, NULL, NULL, &err);
    setenv("PATH", old_path, 1);
    free(old_path);
    assert_int_equal(rc, DBSHIFT_EUNSUPPORTED);
    assert_non_null(strstr(err.hint, "postgresql-client"));
    dbshift_error_clear(&err);
    assert_int_equal(access(path, F_OK), -1); /* no half backup left */

    /* A corrupt backup fails cleanly and changes nothing. */
    f = fopen(path, "w");
    fputs("not a dump", f);
    fclose(f);
    assert_int_equal(drv->restore(c, path, &err), DBSHIFT_ERROR);
    assert_non_null(strstr(err.message, "pg_restore"));
    dbshift_error_clear(&err);
    r = query_ok(c, "SELECT count(*) FROM bk", NULL, 0);
    assert_string_equal(r.text, "2\n");
    unlink(path);
    drv->close(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_driver_table),
        cmocka_unit_test(test_open),
        cmocka_unit_test(test_exec_and_query),
        cmocka_unit_test(test_query_stops),
        cmocka_unit_test(test_run_transaction_one_round_trip),
        cmocka_unit_test(test_run_transaction_failure_rolls_back),
        cmocka_unit_test(test_copy_from_stdin_fails),
        cmocka_unit_test(test_run_inside_caller_transaction),
        cmocka_unit_test(test_run_without_transaction),
        cmocka_unit_test(test_run_dollar_quotes_and_do),
        cmocka_unit_test(test_advisory_lock),
        cmocka_unit_test(test_table_exists_and_quote),
        cmocka_unit_test(test_backup_restore),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
