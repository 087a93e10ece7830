/*
 * mysql.c - the MySQL/MariaDB driver, over libmariadb (MariaDB Connector/C).
 *
 * MySQL commits implicitly around every DDL statement, so this driver does
 * not claim transactional DDL: the core must not promise a rollback that the
 * server cannot give. Scripts go through the text protocol with multi
 * statements enabled (every result is drained so the connection stays in
 * sync); anything with parameters, and every query() that returns rows, goes
 * through server-side prepared statements, so values are never spliced into
 * SQL. The migration lock is GET_LOCK on a second connection of its own, so
 * a long DDL statement on the main connection never delays or confuses the
 * lock, and the lock dies with the process. Backups and restores run the
 * mariadb-dump / mariadb client programs; the password reaches them only
 * through the child's MYSQL_PWD, never through its command line.
 */
#include "dbshift/driver.h"
#include "driver/dynload.h"
#include "driver/tool.h"
#include "util/buf.h"
#include "util/err.h"

#include <mysql.h>
#include <mysqld_error.h>
#include <errmsg.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_PORT 3306
#define DEFAULT_CONNECT_TIMEOUT_S 10
/* GET_LOCK names longer than this are rejected by the server. */
#define LOCK_NAME_MAX 64
/* How much of a child tool's stderr ends up in an error message. */
#define CHILD_STDERR_MAX 4096

enum ssl_mode {
    SSL_MODE_DEFAULT = 0, /* as PREFERRED: TLS when the server offers it */
    SSL_MODE_DISABLED,
    SSL_MODE_PREFERRED,
    SSL_MODE_REQUIRED,
    SSL_MODE_VERIFY_CA,
    SSL_MODE_VERIFY_IDENTITY,
};

/* Where and how to connect, parsed from the URL once and kept so the lock
 * connection and the dump tools can reach the same server. */
typedef struct target {
    char *user;
    char *password;
    char *host;    /* NULL: the default local socket */
    unsigned port; /* 0 when none was given */
    char *database;
    char *socket;
    char *ssl_ca;
    int ssl_mode;   /* enum ssl_mode */
    char *sql_mode; /* ?sql-mode=: the session's sql_mode, NULL: the server's */
    unsigned connect_timeout_s;
    char *program_name;
} target;

typedef struct mysql_conn {
    MYSQL *db;
    MYSQL *lock_db; /* opened on the first lock(), NULL before */
    target t;
} mysql_conn;

static const char *const schemes[] = {"mysql", "mariadb", NULL};

/* Debian's soname; the build passes the one read from the libmariadb it
 * compiles against, so headers and loaded library agree. */
#ifndef DBSHIFT_LIBMARIADB_SONAME
#define DBSHIFT_LIBMARIADB_SONAME "libmariadb.so.3"
#endif

/* Every Connector/C function the driver calls, resolved when the first
 * connection is opened (driver/dynload.h): libmariadb is not linked, so a
 * process that never opens a mysql:// URL never maps it. Calls go through
 * libmariadb.mysql_name(). */
#define LIBMARIADB_FUNCTIONS(X)                                                                    \
    X(mysql_close)                                                                                 \
    X(mysql_errno)                                                                                 \
    X(mysql_error)                                                                                 \
    X(mysql_fetch_row)                                                                             \
    X(mysql_field_count)                                                                           \
    X(mysql_free_result)                                                                           \
    X(mysql_get_ssl_cipher)                                                                        \
    X(mysql_init)                                                                                  \
    X(mysql_more_results)                                                                          \
    X(mysql_next_result)                                                                           \
    X(mysql_num_fields)                                                                            \
    X(mysql_optionsv)                                                                              \
    X(mysql_real_connect)                                                                          \
    X(mysql_real_query)                                                                            \
    X(mysql_sqlstate)                                                                              \
    X(mysql_stmt_bind_param)                                                                       \
    X(mysql_stmt_bind_result)                                                                      \
    X(mysql_stmt_close)                                                                            \
    X(mysql_stmt_errno)                                                                            \
    X(mysql_stmt_error)                                                                            \
    X(mysql_stmt_execute)                                                                          \
    X(mysql_stmt_fetch)                                                                            \
    X(mysql_stmt_fetch_column)                                                                     \
    X(mysql_stmt_field_count)                                                                      \
    X(mysql_stmt_free_result)                                                                      \
    X(mysql_stmt_init)                                                                             \
    X(mysql_stmt_next_result)                                                                      \
    X(mysql_stmt_param_count)                                                                      \
    X(mysql_stmt_prepare)                                                                          \
    X(mysql_stmt_sqlstate)                                                                         \
    X(mysql_stmt_store_result)                                                                     \
    X(mysql_store_result)

#define LIBMARIADB_POINTER(name) __typeof__(name) *name;
static struct {
    LIBMARIADB_FUNCTIONS(LIBMARIADB_POINTER)
} libmariadb;

#define LIBMARIADB_SYMBOL(name) {#name, &libmariadb.name},
static const dynload_symbol libmariadb_symbols[] = {LIBMARIADB_FUNCTIONS(LIBMARIADB_SYMBOL)};

static dynload_library libmariadb_library = {
    .soname = DBSHIFT_LIBMARIADB_SONAME,
    .feature = "MySQL/MariaDB support",
    .package = "libmariadb3",
    .symbols = libmariadb_symbols,
    .nsymbols = sizeof(libmariadb_symbols) / sizeof(libmariadb_symbols[0]),
};

/* --- Errors ---------------------------------------------------------------- */

static int fail_mysql(dbshift_error *err, int code, MYSQL *m, const char *context)
{
    if (context)
        err_set(err, code, "%s: %s", context, libmariadb.mysql_error(m));
    else
        err_set(err, code, "%s", libmariadb.mysql_error(m));
    if (err) {
        err->native_code = (int)libmariadb.mysql_errno(m);
        snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", libmariadb.mysql_sqlstate(m));
    }
    return code;
}

static int fail_stmt(dbshift_error *err, MYSQL_STMT *st)
{
    err_set(err, DBSHIFT_ESQL, "%s", libmariadb.mysql_stmt_error(st));
    if (err) {
        err->native_code = (int)libmariadb.mysql_stmt_errno(st);
        snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", libmariadb.mysql_stmt_sqlstate(st));
    }
    return DBSHIFT_ESQL;
}

/* --- URL parsing ----------------------------------------------------------- */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes %XX escapes of s[0..len) into a new string; NULL with *bad set when
 * an escape is malformed or decodes to a NUL byte. */
static char *percent_decode(const char *s, size_t len, bool *bad)
{
    char *out = malloc(len + 1);
    size_t n = 0;
    *bad = false;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '%') {
            out[n++] = s[i];
            continue;
        }
        int hi = i + 1 < len ? hex_value(s[i + 1]) : -1;
        int lo = i + 2 < len ? hex_value(s[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            free(out);
            *bad = true;
            return NULL;
        }
        out[n++] = (char)(hi * 16 + lo);
        i += 2;
    }
    out[n] = '\0';
    return out;
}

static void target_release(target *t)
{
    if (t->password)
        explicit_bzero(t->password, strlen(t->password));
    free(t->user);
    free(t->password);
    free(t->host);
    free(t->database);
    free(t->socket);
    free(t->ssl_ca);
    free(t->sql_mode);
    free(t->program_name);
    memset(t, 0, sizeof(*t));
}

static int parse_ssl_mode(int *mode, const char *value)
{
    static const struct {
        const char *name;
        int mode;
    } modes[] = {
        {"DISABLED", SSL_MODE_DISABLED},
        {"PREFERRED", SSL_MODE_PREFERRED},
        {"REQUIRED", SSL_MODE_REQUIRED},
        {"VERIFY_CA", SSL_MODE_VERIFY_CA},
        {"VERIFY_IDENTITY", SSL_MODE_VERIFY_IDENTITY},
    };
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (strcasecmp(value, modes[i].name) == 0) {
            *mode = modes[i].mode;
            return 0;
        }
    }
    return -1;
}

/* Reads the "?name=value&..." part. Unknown names are refused: a misspelt
 * option silently ignored (ssl-mode!) would be worse than an error. */
static int parse_query(target *t, const char *q, size_t len, dbshift_error *err)
{
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && q[end] != '&')
            end++;
        const char *eq = memchr(q + i, '=', end - i);
        if (end == i) {
            i = end + 1;
            continue;
        }
        if (!eq)
            return err_set(err, DBSHIFT_EUSAGE, "invalid mysql url: option \"%.*s\" has no value",
                           (int)(end - i), q + i);
        size_t nlen = (size_t)(eq - (q + i));
        bool bad;
        char *value = percent_decode(eq + 1, (size_t)(q + end - (eq + 1)), &bad);
        if (!value)
            return bad ? err_set(err, DBSHIFT_EUSAGE,
                                 "invalid mysql url: bad %%-escape in option \"%.*s\"", (int)nlen,
                                 q + i)
                       : err_set(err, DBSHIFT_ENOMEM, "out of memory");
        int rc = 0;
        if (nlen == 6 && strncmp(q + i, "socket", 6) == 0) {
            free(t->socket);
            t->socket = value;
            value = NULL;
        } else if (nlen == 6 && strncmp(q + i, "ssl-ca", 6) == 0) {
            free(t->ssl_ca);
            t->ssl_ca = value;
            value = NULL;
        } else if (nlen == 8 && strncmp(q + i, "ssl-mode", 8) == 0) {
            if (parse_ssl_mode(&t->ssl_mode, value) != 0)
                rc = err_set(err, DBSHIFT_EUSAGE,
                             "invalid mysql url: unknown ssl-mode \"%s\"; use DISABLED, "
                             "PREFERRED, REQUIRED, VERIFY_CA or VERIFY_IDENTITY",
                             value);
        } else if (nlen == 8 && strncmp(q + i, "sql-mode", 8) == 0) {
            /* Spliced into SET SESSION: only mode names and commas. */
            if (value[strspn(value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_,")])
                rc = err_set(err, DBSHIFT_EUSAGE,
                             "invalid mysql url: sql-mode takes mode names separated by "
                             "commas, such as NO_ENGINE_SUBSTITUTION");
            free(t->sql_mode);
            t->sql_mode = value;
            value = NULL;
        } else {
            rc = err_set(err, DBSHIFT_EUSAGE,
                         "invalid mysql url: unknown option \"%.*s\"; known options are "
                         "socket, ssl-mode, ssl-ca and sql-mode",
                         (int)nlen, q + i);
        }
        free(value);
        if (rc)
            return rc;
        i = end + 1;
    }
    return 0;
}

/*
 * Parses mysql://user:password@host:port/database?options. Messages never
 * quote the userinfo part, which holds the password.
 */
static int parse_url(target *t, const char *url, dbshift_error *err)
{
    const char *sep = url ? strstr(url, "://") : NULL;
    if (!sep || !((sep - url == 5 && strncasecmp(url, "mysql", 5) == 0) ||
                  (sep - url == 7 && strncasecmp(url, "mariadb", 7) == 0)))
        return err_set(err, DBSHIFT_EUSAGE,
                       "invalid mysql url: it must start with mysql:// or mariadb://");
    const char *p = sep + 3;
    const char *end = p + strcspn(p, "/?#");
    if (*end == '#')
        return err_set(err, DBSHIFT_EUSAGE, "invalid mysql url: fragments (#) are not allowed");

    /* The userinfo ends at the last '@' of the authority: a raw '@' in a
     * password is common enough to tolerate. */
    const char *at = NULL;
    for (const char *c = p; c < end; c++)
        if (*c == '@')
            at = c;
    bool bad = false;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        size_t ulen = colon ? (size_t)(colon - p) : (size_t)(at - p);
        if (ulen > 0) {
            t->user = percent_decode(p, ulen, &bad);
            if (!t->user)
                goto decode_failed;
        }
        if (colon) {
            t->password = percent_decode(colon + 1, (size_t)(at - colon - 1), &bad);
            if (!t->password)
                goto decode_failed;
        }
        p = at + 1;
    }

    /* host[:port], the host possibly a bracketed IPv6 address */
    const char *host_end;
    const char *port_start = NULL;
    if (*p == '[') {
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (!close)
            return err_set(err, DBSHIFT_EUSAGE, "invalid mysql url: unterminated [ in host");
        t->host = xstrndup(p + 1, (size_t)(close - p - 1));
        host_end = close + 1;
        if (host_end < end && *host_end != ':')
            return err_set(err, DBSHIFT_EUSAGE, "invalid mysql url: text after ] in host");
        if (host_end < end)
            port_start = host_end + 1;
    } else {
        const char *colon = memchr(p, ':', (size_t)(end - p));
        host_end = colon ? colon : end;
        if (host_end > p) {
            t->host = percent_decode(p, (size_t)(host_end - p), &bad);
            if (!t->host)
                goto decode_failed;
        }
        if (colon)
            port_start = colon + 1;
    }
    if (port_start) {
        unsigned long port = 0;
        const char *c = port_start;
        if (c == end)
            return err_set(err, DBSHIFT_EUSAGE, "invalid mysql url: empty port");
        for (; c < end; c++) {
            if (*c < '0' || *c > '9' || port > 65535)
                return err_set(err, DBSHIFT_EUSAGE,
                               "invalid mysql url: port \"%.*s\" is not a number from 1 to "
                               "65535",
                               (int)(end - port_start), port_start);
            port = port * 10 + (unsigned long)(*c - '0');
        }
        if (port == 0 || port > 65535)
            return err_set(err, DBSHIFT_EUSAGE,
                           "invalid mysql url: port \"%.*s\" is not a number from 1 to 65535",
                           (int)(end - port_start), port_start);
        t->port = (unsigned)port;
    }

    p = end;
    if (*p == '/') {
        p++;
        const char *dend = p + strcspn(p, "?#");
        if (*dend == '#')
            return err_set(err, DBSHIFT_EUSAGE, "invalid mysql url: fragments (#) are not allowed");
        if (dend > p) {
            t->database = percent_decode(p, (size_t)(dend - p), &bad);
            if (!t->database)
                goto decode_failed;
        }
        p = dend;
    }
    if (*p == '?') {
        const char *q = p + 1;
        if (strchr(q, '#'))
            return err_set(err, DBSHIFT_EUSAGE, "invalid mysql url: fragments (#) are not allowed");
        int rc = parse_query(t, q, strlen(q), err);
        if (rc)
            return rc;
    }
    if (!t->database)
        return err_set(err, DBSHIFT_EUSAGE,
                       "invalid mysql url: no database name; write "
                       "mysql://user@host:port/DATABASE");
    if (!t->host && !t->socket)
        t->host = strdup("localhost");
    if (t->port == 0 && !t->socket)
        t->port = DEFAULT_PORT;
    return 0;

decode_failed:
    if (bad)
        return err_set(err, DBSHIFT_EUSAGE,
                       "invalid mysql url: a %%-escape is malformed (write %%XX with two hex "
                       "digits)");
    return err_set(err, DBSHIFT_ENOMEM, "out of memory");
}

/* --- Connecting ------------------------------------------------------------- */

static void describe_target(buf *b, const target *t)
{
    buf_adds(b, "mysql://");
    if (t->user) {
        buf_adds(b, t->user);
        buf_addc(b, '@');
    }
    if (t->host) {
        bool v6 = strchr(t->host, ':') != NULL;
        buf_addf(b, v6 ? "[%s]" : "%s", t->host);
    }
    if (t->port && !t->socket)
        buf_addf(b, ":%u", t->port);
    buf_addf(b, "/%s", t->database ? t->database : "");
    if (t->socket)
        buf_addf(b, "?socket=%s", t->socket);
}

static int connect_once(MYSQL **out, const target *t, bool want_tls, dbshift_error *err)
{
    MYSQL *m = libmariadb.mysql_init(NULL);
    if (!m)
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    unsigned timeout = t->connect_timeout_s;
    libmariadb.mysql_optionsv(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    libmariadb.mysql_optionsv(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    if (t->program_name)
        libmariadb.mysql_optionsv(m, MYSQL_OPT_CONNECT_ATTR_ADD, "program_name", t->program_name);
    char init[300];
    if (t->sql_mode && strlen(t->sql_mode) < sizeof(init) - 32) {
        /* A deployment's sql_mode (e.g. a project written for MySQL 8 on
         * MariaDB), set on every connection before anything runs. */
        snprintf(init, sizeof(init), "SET SESSION sql_mode = '%s'", t->sql_mode);
        libmariadb.mysql_optionsv(m, MYSQL_INIT_COMMAND, init);
    }
    if (t->socket && (!t->host || strcmp(t->host, "localhost") == 0)) {
        enum mysql_protocol_type proto = MYSQL_PROTOCOL_SOCKET;
        libmariadb.mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &proto);
    }
    if (want_tls) {
        my_bool on = 1;
        libmariadb.mysql_optionsv(m, MYSQL_OPT_SSL_ENFORCE, &on);
        /* Connector/C verifies the CA and the host name together, so
         * VERIFY_CA is as strict as VERIFY_IDENTITY here. */
        if (t->ssl_mode == SSL_MODE_VERIFY_CA || t->ssl_mode == SSL_MODE_VERIFY_IDENTITY)
            libmariadb.mysql_optionsv(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
        if (t->ssl_ca)
            libmariadb.mysql_optionsv(m, MYSQL_OPT_SSL_CA, t->ssl_ca);
    }
    if (!libmariadb.mysql_real_connect(m, t->host, t->user, t->password ? t->password : "",
                                       t->database, t->port, t->socket,
                                       CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS)) {
        buf what = BUF_INIT;
        buf_adds(&what, "cannot connect to ");
        describe_target(&what, t);
        fail_mysql(err, DBSHIFT_ECONNECT, m, what.ptr);
        buf_release(&what);
        libmariadb.mysql_close(m);
        return DBSHIFT_ECONNECT;
    }
    /* Connector/C 3.3 falls back to plain text when the server has no TLS
     * even with SSL_ENFORCE set: REQUIRED must be checked here. */
    if (want_tls && t->ssl_mode >= SSL_MODE_REQUIRED && !libmariadb.mysql_get_ssl_cipher(m)) {
        buf what = BUF_INIT;
        buf_adds(&what, "cannot connect to ");
        describe_target(&what, t);
        err_set(err, DBSHIFT_ECONNECT, "%s: ssl-mode=%s but the server does not support TLS",
                what.ptr, t->ssl_mode == SSL_MODE_REQUIRED ? "REQUIRED" : "VERIFY_*");
        err_hint(err, "enable TLS on the server, or use ssl-mode=PREFERRED on a trusted network");
        buf_release(&what);
        libmariadb.mysql_close(m);
        return DBSHIFT_ECONNECT;
    }
    *out = m;
    return 0;
}

static int connect_target(MYSQL **out, const target *t, dbshift_error *err)
{
    *out = NULL;
    switch (t->ssl_mode) {
    case SSL_MODE_DISABLED:
        return connect_once(out, t, false, err);
    case SSL_MODE_REQUIRED:
    case SSL_MODE_VERIFY_CA:
    case SSL_MODE_VERIFY_IDENTITY:
        return connect_once(out, t, true, err);
    default:
        break;
    }
    /* PREFERRED: a server without TLS is accepted, any other failure is
     * final (a wrong password must not be tried twice). */
    int rc = connect_once(out, t, true, err);
    if (rc == DBSHIFT_ECONNECT && err && err->native_code == CR_SSL_CONNECTION_ERROR)
        rc = connect_once(out, t, false, err);
    return rc;
}

static void mysql_driver_close(void *conn)
{
    mysql_conn *c = conn;
    if (!c)
        return;
    /* Closing the lock connection is what releases the lock. */
    if (c->lock_db)
        libmariadb.mysql_close(c->lock_db);
    if (c->db)
        libmariadb.mysql_close(c->db);
    target_release(&c->t);
    free(c);
}

static int mysql_driver_open(void **conn, const dbshift_conn_params *params, dbshift_error *err)
{
    *conn = NULL;
    /* Every other slot runs on a connection this made, so after the load. */
    int rc = dynload_require(&libmariadb_library, err);
    if (rc)
        return rc;
    mysql_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    rc = parse_url(&c->t, params->url, err);
    if (rc)
        goto failed;
    if (params->password) {
        if (c->t.password)
            explicit_bzero(c->t.password, strlen(c->t.password));
        free(c->t.password);
        c->t.password = strdup(params->password);
        if (!c->t.password) {
            rc = err_set(err, DBSHIFT_ENOMEM, "out of memory");
            goto failed;
        }
    }
    c->t.connect_timeout_s = params->connect_timeout_s > 0 ? (unsigned)params->connect_timeout_s
                                                           : DEFAULT_CONNECT_TIMEOUT_S;
    if (params->application_name) {
        c->t.program_name = strdup(params->application_name);
        if (!c->t.program_name) {
            rc = err_set(err, DBSHIFT_ENOMEM, "out of memory");
            goto failed;
        }
    }
    rc = connect_target(&c->db, &c->t, err);
    if (rc)
        goto failed;
    *conn = c;
    return 0;

failed:
    mysql_driver_close(c);
    return rc;
}

/* --- Running SQL ------------------------------------------------------------ */

/* Reads and drops every result of the last text-protocol command, so the
 * next command does not fail with "commands out of sync". */
static int drain_results(MYSQL *m, dbshift_error *err)
{
    int status;
    do {
        MYSQL_RES *res = libmariadb.mysql_store_result(m);
        if (res)
            libmariadb.mysql_free_result(res);
        else if (libmariadb.mysql_field_count(m) != 0)
            return fail_mysql(err, DBSHIFT_ESQL, m, NULL);
        status = libmariadb.mysql_next_result(m);
        if (status > 0)
            return fail_mysql(err, DBSHIFT_ESQL, m, NULL);
    } while (status == 0);
    return 0;
}

static int text_exec(MYSQL *m, const char *sql, size_t len, dbshift_error *err)
{
    if (libmariadb.mysql_real_query(m, sql, (unsigned long)len) != 0)
        return fail_mysql(err, DBSHIFT_ESQL, m, NULL);
    return drain_results(m, err);
}

/* A query without parameters that the server refuses to prepare (a few
 * administrative statements): rows through the text protocol, whose values
 * are NUL-terminated text already. */
static int text_query(MYSQL *m, const char *sql, size_t len, dbshift_row_fn row, void *payload,
                      dbshift_error *err)
{
    if (libmariadb.mysql_real_query(m, sql, (unsigned long)len) != 0)
        return fail_mysql(err, DBSHIFT_ESQL, m, NULL);
    MYSQL_RES *res = libmariadb.mysql_store_result(m);
    if (!res && libmariadb.mysql_field_count(m) != 0)
        return fail_mysql(err, DBSHIFT_ESQL, m, NULL);
    int rc = 0;
    if (res && row) {
        size_t ncols = libmariadb.mysql_num_fields(res);
        MYSQL_ROW r;
        while ((r = libmariadb.mysql_fetch_row(res)) != NULL) {
            rc = row(payload, ncols, (const char *const *)r);
            if (rc)
                break;
        }
    }
    if (res)
        libmariadb.mysql_free_result(res);
    /* A CALL also returns a status result; drop the rest either way. */
    while (libmariadb.mysql_more_results(m)) {
        if (libmariadb.mysql_next_result(m) > 0)
            return rc ? rc : fail_mysql(err, DBSHIFT_ESQL, m, NULL);
        res = libmariadb.mysql_store_result(m);
        if (res)
            libmariadb.mysql_free_result(res);
    }
    return rc;
}

typedef struct result_columns {
    size_t n;
    MYSQL_BIND *bind;
    char **data; /* each data[i] has bind[i].buffer_length + 1 bytes */
    unsigned long *lengths;
    my_bool *nulls;
    my_bool *errors;
    const char **values;
} result_columns;

static void columns_release(result_columns *rc)
{
    for (size_t i = 0; i < rc->n; i++)
        free(rc->data ? rc->data[i] : NULL);
    free(rc->bind);
    free(rc->data);
    free(rc->lengths);
    free(rc->nulls);
    free(rc->errors);
    free(rc->values);
    memset(rc, 0, sizeof(*rc));
}

static bool columns_init(result_columns *rc, size_t n)
{
    rc->n = n;
    rc->bind = calloc(n, sizeof(*rc->bind));
    rc->data = calloc(n, sizeof(*rc->data));
    rc->lengths = calloc(n, sizeof(*rc->lengths));
    rc->nulls = calloc(n, sizeof(*rc->nulls));
    rc->errors = calloc(n, sizeof(*rc->errors));
    rc->values = calloc(n, sizeof(*rc->values));
    if (!rc->bind || !rc->data || !rc->lengths || !rc->nulls || !rc->errors || !rc->values)
        return false;
    for (size_t i = 0; i < n; i++) {
        /* Most values are short; longer ones are fetched again at their
         * real size (see fetch_rows). */
        rc->data[i] = malloc(128);
        if (!rc->data[i])
            return false;
        rc->bind[i].buffer_type = MYSQL_TYPE_STRING;
        rc->bind[i].buffer = rc->data[i];
        rc->bind[i].buffer_length = 127;
        rc->bind[i].length = &rc->lengths[i];
        rc->bind[i].is_null = &rc->nulls[i];
        rc->bind[i].error = &rc->errors[i];
    }
    return true;
}

/* Fetches every row of the current result as text and hands it to row(). */
static int fetch_rows(MYSQL_STMT *st, result_columns *cols, dbshift_row_fn row, void *payload,
                      dbshift_error *err)
{
    if (libmariadb.mysql_stmt_bind_result(st, cols->bind))
        return fail_stmt(err, st);
    for (;;) {
        int r = libmariadb.mysql_stmt_fetch(st);
        if (r == MYSQL_NO_DATA)
            return 0;
        if (r == 1)
            return fail_stmt(err, st);
        if (r == MYSQL_DATA_TRUNCATED) {
            bool rebind = false;
            for (size_t i = 0; i < cols->n; i++) {
                if (cols->nulls[i] || cols->lengths[i] <= cols->bind[i].buffer_length)
                    continue;
                unsigned long need = cols->lengths[i];
                char *grown = realloc(cols->data[i], (size_t)need + 1);
                if (!grown)
                    return err_set(err, DBSHIFT_ENOMEM, "out of memory");
                cols->data[i] = grown;
                cols->bind[i].buffer = grown;
                cols->bind[i].buffer_length = need;
                if (libmariadb.mysql_stmt_fetch_column(st, &cols->bind[i], (unsigned)i, 0))
                    return fail_stmt(err, st);
                rebind = true;
            }
            if (rebind && libmariadb.mysql_stmt_bind_result(st, cols->bind))
                return fail_stmt(err, st);
        }
        for (size_t i = 0; i < cols->n; i++) {
            if (cols->nulls[i]) {
                cols->values[i] = NULL;
                continue;
            }
            unsigned long len = cols->lengths[i];
            if (len > cols->bind[i].buffer_length)
                len = cols->bind[i].buffer_length;
            cols->data[i][len] = '\0';
            cols->values[i] = cols->data[i];
        }
        int stop = row(payload, cols->n, cols->values);
        if (stop)
            return stop;
    }
}

/*
 * Runs sql as a prepared statement with text parameters (NULL element: SQL
 * NULL). Rows of the first result go to row() when it is given; every
 * result is consumed either way.
 */
static int stmt_run(MYSQL *m, const char *sql, size_t len, const char *const *params,
                    size_t nparams, dbshift_row_fn row, void *payload, dbshift_error *err)
{
    MYSQL_STMT *st = libmariadb.mysql_stmt_init(m);
    if (!st)
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    MYSQL_BIND *pb = NULL;
    result_columns cols = {0};
    int rc = 0;

    if (libmariadb.mysql_stmt_prepare(st, sql, (unsigned long)len)) {
        if (libmariadb.mysql_stmt_errno(st) == ER_UNSUPPORTED_PS && nparams == 0) {
            libmariadb.mysql_stmt_close(st);
            return text_query(m, sql, len, row, payload, err);
        }
        rc = fail_stmt(err, st);
        goto done;
    }
    unsigned long expected = libmariadb.mysql_stmt_param_count(st);
    if (expected != nparams) {
        rc = err_set(err, DBSHIFT_EUSAGE,
                     "statement has %lu ? placeholders but %zu parameters were given", expected,
                     nparams);
        goto done;
    }
    if (nparams) {
        pb = calloc(nparams, sizeof(*pb));
        if (!pb) {
            rc = err_set(err, DBSHIFT_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < nparams; i++) {
            if (!params[i]) {
                pb[i].buffer_type = MYSQL_TYPE_NULL;
                continue;
            }
            pb[i].buffer_type = MYSQL_TYPE_STRING;
            pb[i].buffer = (void *)params[i];
            pb[i].buffer_length = (unsigned long)strlen(params[i]);
        }
        if (libmariadb.mysql_stmt_bind_param(st, pb)) {
            rc = fail_stmt(err, st);
            goto done;
        }
    }
    if (libmariadb.mysql_stmt_execute(st)) {
        rc = fail_stmt(err, st);
        goto done;
    }
    bool first = true;
    for (;;) {
        unsigned ncols = libmariadb.mysql_stmt_field_count(st);
        if (ncols > 0) {
            if (libmariadb.mysql_stmt_store_result(st)) {
                rc = fail_stmt(err, st);
                goto done;
            }
            if (first && row) {
                if (!columns_init(&cols, ncols)) {
                    rc = err_set(err, DBSHIFT_ENOMEM, "out of memory");
                    goto done;
                }
                rc = fetch_rows(st, &cols, row, payload, err);
                columns_release(&cols);
                if (rc)
                    goto done;
            }
            libmariadb.mysql_stmt_free_result(st);
            first = false;
        }
        int next = libmariadb.mysql_stmt_next_result(st);
        if (next > 0) {
            rc = fail_stmt(err, st);
            goto done;
        }
        if (next != 0)
            break;
    }

done:
    columns_release(&cols);
    free(pb);
    libmariadb.mysql_stmt_close(st);
    return rc;
}

static int mysql_driver_exec(void *conn, const char *sql, dbshift_error *err)
{
    mysql_conn *c = conn;
    return text_exec(c->db, sql, strlen(sql), err);
}

static int mysql_driver_query(void *conn, const char *sql, const char *const *params,
                              size_t nparams, dbshift_row_fn row, void *payload, dbshift_error *err)
{
    mysql_conn *c = conn;
    return stmt_run(c->db, sql, strlen(sql), params, nparams, row, payload, err);
}

static int mysql_driver_begin(void *conn, dbshift_error *err)
{
    mysql_conn *c = conn;
    return text_exec(c->db, "START TRANSACTION", 17, err);
}

static int mysql_driver_commit(void *conn, dbshift_error *err)
{
    mysql_conn *c = conn;
    return text_exec(c->db, "COMMIT", 6, err);
}

static int mysql_driver_rollback(void *conn, dbshift_error *err)
{
    mysql_conn *c = conn;
    return text_exec(c->db, "ROLLBACK", 8, err);
}

static int mysql_driver_run(void *conn, const dbshift_stmt *stmts, size_t n, size_t *failed,
                            dbshift_error *err)
{
    mysql_conn *c = conn;
    bool opened = false;
    *failed = n;
    for (size_t i = 0; i < n; i++) {
        const dbshift_stmt *s = &stmts[i];
        int rc;
        switch (s->kind) {
        case DBSHIFT_STMT_BEGIN:
            rc = text_exec(c->db, "START TRANSACTION", 17, err);
            if (rc == 0)
                opened = true;
            break;
        case DBSHIFT_STMT_COMMIT:
            rc = text_exec(c->db, "COMMIT", 6, err);
            if (rc == 0)
                opened = false;
            break;
        case DBSHIFT_STMT_SQL:
            if (s->nparams > 0)
                rc = stmt_run(c->db, s->sql, s->len, s->params, s->nparams, NULL, NULL, err);
            else
                rc = text_exec(c->db, s->sql, s->len, err);
            break;
        default:
            rc = err_set(err, DBSHIFT_EUSAGE, "unknown batch item kind %d", s->kind);
            break;
        }
        if (rc == 0)
            continue;
        *failed = i;
        if (err)
            err->statement_index = (int)(i + 1);
        /* Only what the batch opened is ours to roll back; the server has
         * already committed any DDL that ran, which no rollback can undo. */
        if (opened && libmariadb.mysql_real_query(c->db, "ROLLBACK", 8) == 0)
            drain_results(c->db, NULL);
        return rc;
    }
    return 0;
}

/* --- Lock --------------------------------------------------------------------- */

/* The server-wide GET_LOCK name for key. Lock names are global to the server,
 * so the database name is part of it (two databases on one server must not
 * block each other); names past the server's 64 characters keep a readable
 * prefix and end with a hash of the whole. */
static char *lock_name(const mysql_conn *c, const char *key)
{
    buf b = BUF_INIT;
    buf_addf(&b, "%s/%s", c->t.database, key);
    if (buf_failed(&b)) {
        buf_release(&b);
        return NULL;
    }
    if (b.len > LOCK_NAME_MAX) {
        uint64_t h = 1469598103934665603ull; /* FNV-1a */
        for (size_t i = 0; i < b.len; i++) {
            h ^= (unsigned char)b.ptr[i];
            h *= 1099511628211ull;
        }
        char tail[18];
        snprintf(tail, sizeof(tail), "~%016llx", (unsigned long long)h);
        b.len = LOCK_NAME_MAX - 17;
        b.ptr[b.len] = '\0';
        buf_adds(&b, tail);
    }
    return buf_detach(&b);
}

static int first_value(void *payload, size_t ncols, const char *const *values)
{
    char **out = payload;
    if (ncols > 0 && values[0] && !*out) {
        *out = strdup(values[0]);
        if (!*out)
            return DBSHIFT_ENOMEM;
    }
    return 0;
}

static int holder_row(void *payload, size_t ncols, const char *const *values)
{
    buf *b = payload;
    if (ncols < 4)
        return 0;
    buf_addf(b, "connection %s (user %s from %s, holding for %s s)", values[0],
             values[1] ? values[1] : "?", values[2] ? values[2] : "?", values[3] ? values[3] : "?");
    return 0;
}

/* Describes who holds the lock called name, on connection m. */
static int describe_holder(char **holder, MYSQL *m, const char *name, dbshift_error *err)
{
    *holder = NULL;
    char *id = NULL;
    const char *params[] = {name};
    int rc = stmt_run(m, "SELECT IS_USED_LOCK(?)", 22, params, 1, first_value, &id, err);
    if (rc)
        return rc;
    if (!id)
        return 0;
    buf b = BUF_INIT;
    const char *idp[] = {id};
    rc = stmt_run(m,
                  "SELECT ID, USER, HOST, TIME FROM information_schema.PROCESSLIST "
                  "WHERE ID = ?",
                  strlen("SELECT ID, USER, HOST, TIME FROM information_schema.PROCESSLIST "
                         "WHERE ID = ?"),
                  idp, 1, holder_row, &b, err);
    if (rc == 0 && b.len == 0)
        buf_addf(&b, "connection %s", id); /* the PROCESS privilege hides others */
    free(id);
    if (rc) {
        buf_release(&b);
        return rc;
    }
    *holder = buf_detach(&b);
    if (!*holder)
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    return 0;
}

static int mysql_driver_lock(void *conn, const char *key, int wait_ms, dbshift_error *err)
{
    mysql_conn *c = conn;
    int rc;
    if (!c->lock_db) {
        rc = connect_target(&c->lock_db, &c->t, err);
        if (rc) {
            err_prefix(err, "cannot open the lock connection");
            return rc;
        }
        /* An idle session is killed after wait_timeout (8 h by default),
         * which would drop the lock in the middle of a long migration. */
        rc = text_exec(c->lock_db, "SET SESSION wait_timeout = 31536000", 35, err);
        if (rc) {
            libmariadb.mysql_close(c->lock_db);
            c->lock_db = NULL;
            return rc;
        }
    }
    char *name = lock_name(c, key);
    if (!name)
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    /* GET_LOCK takes fractional seconds on MariaDB; negative waits forever. */
    char timeout[32];
    if (wait_ms < 0)
        snprintf(timeout, sizeof(timeout), "-1");
    else
        snprintf(timeout, sizeof(timeout), "%d.%03d", wait_ms / 1000, wait_ms % 1000);
    const char *params[] = {name, timeout};
    char *got = NULL;
    rc = stmt_run(c->lock_db, "SELECT GET_LOCK(?, ?)", 21, params, 2, first_value, &got, err);
    if (rc == 0 && !got)
        rc = err_set(err, DBSHIFT_ESQL, "GET_LOCK(\"%s\") failed without a message", name);
    if (rc == 0 && strcmp(got, "1") != 0) {
        char *holder = NULL;
        dbshift_error ignored = {0};
        describe_holder(&holder, c->db, name, &ignored);
        dbshift_error_clear(&ignored);
        rc = err_set(err, DBSHIFT_ELOCK,
                     "migration lock \"%s\" not acquired within %d ms: held by %s", key, wait_ms,
                     holder ? holder : "another session");
        err_hint(err, "wait for the other run to finish, raise --lock-wait, or look at the holder "
                      "with `dbshift lock`");
        free(holder);
    }
    free(got);
    free(name);
    return rc;
}

static int mysql_driver_unlock(void *conn, const char *key, dbshift_error *err)
{
    mysql_conn *c = conn;
    if (!c->lock_db)
        return 0; /* never locked: nothing to release */
    char *name = lock_name(c, key);
    if (!name)
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    const char *params[] = {name};
    char *released = NULL;
    int rc =
        stmt_run(c->lock_db, "SELECT RELEASE_LOCK(?)", 22, params, 1, first_value, &released, err);
    /* "0": another session holds it; NULL: nobody does, already released. */
    if (rc == 0 && released && strcmp(released, "0") == 0)
        rc = err_set(err, DBSHIFT_ELOCK,
                     "cannot release migration lock \"%s\": another session holds it", key);
    free(released);
    free(name);
    return rc;
}

static int mysql_driver_lock_holder(void *conn, const char *key, char **holder, dbshift_error *err)
{
    mysql_conn *c = conn;
    *holder = NULL;
    char *name = lock_name(c, key);
    if (!name)
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    int rc = describe_holder(holder, c->db, name, err);
    free(name);
    return rc;
}

/* --- Introspection ------------------------------------------------------------ */

static char *mysql_driver_quote_ident(const char *ident)
{
    return buf_quoted(ident, '`');
}

static int mysql_driver_table_exists(void *conn, const char *schema, const char *table,
                                     bool *exists, dbshift_error *err)
{
    mysql_conn *c = conn;
    static const char sql[] = "SELECT 1 FROM information_schema.TABLES "
                              "WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?";
    const char *params[] = {schema, table};
    char *found = NULL;
    *exists = false;
    int rc = stmt_run(c->db, sql, sizeof(sql) - 1, params, 2, first_value, &found, err);
    if (rc == 0)
        *exists = found != NULL;
    free(found);
    return rc;
}

static char *mysql_driver_describe(void *conn)
{
    mysql_conn *c = conn;
    buf b = BUF_INIT;
    describe_target(&b, &c->t);
    if (buf_failed(&b)) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b);
}

/* --- Backup and restore through the client tools ------------------------------ */

/* argv of a client tool: connection options shared by dump and restore. */
typedef struct argv_list {
    size_t n;
    char *items[32];
} argv_list;

/* Appends the argument option + value. */
static bool argv_add(argv_list *a, const char *option, const char *value)
{
    if (a->n + 2 > sizeof(a->items) / sizeof(a->items[0]))
        return false;
    buf b = BUF_INIT;
    buf_adds(&b, option);
    buf_adds(&b, value);
    char *s = buf_detach(&b);
    if (!s)
        return false;
    a->items[a->n++] = s;
    a->items[a->n] = NULL;
    return true;
}

/* items[0], the tool name, is borrowed; the rest are owned. */
static void argv_release(argv_list *a)
{
    for (size_t i = 1; i < a->n; i++)
        free(a->items[i]);
    a->n = 0;
}

static bool argv_connection(argv_list *a, const target *t)
{
    char port[16];
    snprintf(port, sizeof(port), "%u", t->port);
    /* --no-defaults: option files would take precedence over MYSQL_PWD and
     * could point the tool at another server than the URL names. */
    bool ok = argv_add(a, "--no-defaults", "");
    if (t->socket && (!t->host || strcmp(t->host, "localhost") == 0)) {
        ok = ok && argv_add(a, "--socket=", t->socket) && argv_add(a, "--protocol=SOCKET", "");
    } else {
        ok = ok && argv_add(a, "--host=", t->host) && argv_add(a, "--port=", port) &&
             argv_add(a, "--protocol=TCP", "");
    }
    if (t->user)
        ok = ok && argv_add(a, "--user=", t->user);
    ok = ok && argv_add(a, "--default-character-set=utf8mb4", "");
    switch (t->ssl_mode) {
    case SSL_MODE_DISABLED:
        ok = ok && argv_add(a, "--skip-ssl", "");
        break;
    case SSL_MODE_REQUIRED:
        ok = ok && argv_add(a, "--ssl", "");
        break;
    case SSL_MODE_VERIFY_CA:
    case SSL_MODE_VERIFY_IDENTITY:
        ok = ok && argv_add(a, "--ssl", "") && argv_add(a, "--ssl-verify-server-cert", "");
        break;
    default:
        break;
    }
    if (t->ssl_ca)
        ok = ok && argv_add(a, "--ssl-ca=", t->ssl_ca);
    return ok;
}

static void report_progress(dbshift_event_fn progress, void *payload, int fd, uint64_t *last)
{
    struct stat st;
    if (!progress || fstat(fd, &st) != 0 || (uint64_t)st.st_size == *last)
        return;
    *last = (uint64_t)st.st_size;
    dbshift_event ev = {0};
    ev.type = DBSHIFT_EV_BACKUP_PROGRESS;
    ev.bytes_done = *last;
    progress(&ev, payload);
}

/*
 * Runs tool with argv, stdin from in_fd and stdout to out_fd (-1: inherit),
 * collecting its stderr into *errtext. Returns 0 when the tool exited 0,
 * DBSHIFT_ENOTFOUND when it could not be executed because it is not
 * installed, DBSHIFT_ERROR otherwise (*errtext says why).
 */
static int run_tool(char *const argv[], const driver_tool_env *env, int in_fd, int out_fd,
                    buf *errtext, dbshift_event_fn progress, void *payload)
{
    int errpipe[2];
    if (pipe(errpipe) != 0)
        return DBSHIFT_EIO;
    fcntl(errpipe[0], F_SETFD, FD_CLOEXEC);
    pid_t pid;
    int exec_errno;
    if (driver_tool_spawn(&pid, &exec_errno, argv, env, in_fd, out_fd, errpipe[1]) < 0) {
        int e = errno;
        close(errpipe[0]);
        close(errpipe[1]);
        errno = e;
        return DBSHIFT_EIO;
    }
    close(errpipe[1]);

    uint64_t last = 0;
    char chunk[512];
    struct pollfd pfd = {.fd = errpipe[0], .events = POLLIN};
    for (;;) {
        int ready = poll(&pfd, 1, 250);
        if (ready < 0 && errno == EINTR)
            continue;
        if (out_fd >= 0)
            report_progress(progress, payload, out_fd, &last);
        if (ready == 0)
            continue;
        ssize_t got = read(errpipe[0], chunk, sizeof(chunk));
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        if (errtext->len < CHILD_STDERR_MAX)
            buf_add(errtext, chunk, (size_t)got);
    }
    close(errpipe[0]);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (exec_errno) {
        if (exec_errno == ENOENT)
            return DBSHIFT_ENOTFOUND;
        buf_addf(errtext, "cannot run %s: %s", argv[0], strerror(exec_errno));
        return DBSHIFT_ERROR;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    while (errtext->len > 0 &&
           (errtext->ptr[errtext->len - 1] == '\n' || errtext->ptr[errtext->len - 1] == '\r'))
        errtext->ptr[--errtext->len] = '\0';
    if (errtext->len == 0) {
        if (WIFEXITED(status))
            buf_addf(errtext, "%s exited with status %d", argv[0], WEXITSTATUS(status));
        else
            buf_addf(errtext, "%s was killed by signal %d", argv[0], WTERMSIG(status));
    }
    return DBSHIFT_ERROR;
}

/* Tries each tool name in turn until one is installed. */
static int run_first_tool(const char *const tools[], argv_list *args, const target *t, int in_fd,
                          int out_fd, const char *what, dbshift_event_fn progress, void *payload,
                          dbshift_error *err)
{
    driver_tool_env env;
    if (driver_tool_env_init(&env, "MYSQL_PWD", t->password, false) < 0)
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    int rc = DBSHIFT_ENOTFOUND;
    buf errtext = BUF_INIT;
    for (size_t i = 0; tools[i] && rc == DBSHIFT_ENOTFOUND; i++) {
        args->items[0] = (char *)tools[i];
        buf_clear(&errtext);
        if (in_fd >= 0)
            lseek(in_fd, 0, SEEK_SET);
        rc = run_tool(args->items, &env, in_fd, out_fd, &errtext, progress, payload);
    }
    args->items[0] = NULL;
    driver_tool_env_release(&env);
    if (rc == DBSHIFT_ENOTFOUND) {
        err_set(err, DBSHIFT_EUNSUPPORTED, "cannot %s: neither %s nor %s is installed", what,
                tools[0], tools[1]);
        err_hint(err, "install the MariaDB client tools (Debian/Ubuntu: apt install "
                      "mariadb-client; Fedora: dnf install mariadb)");
        rc = DBSHIFT_EUNSUPPORTED;
    } else if (rc == DBSHIFT_EIO) {
        err_set(err, DBSHIFT_EIO, "cannot %s: cannot start a process: %s", what, strerror(errno));
    } else if (rc != 0) {
        err_set(err, DBSHIFT_ERROR, "cannot %s: %s", what, errtext.ptr);
    }
    buf_release(&errtext);
    return rc;
}

static int mysql_driver_backup(void *conn, const char *path, dbshift_event_fn progress,
                               void *payload, dbshift_error *err)
{
    mysql_conn *c = conn;
    static const char *const tools[] = {"mariadb-dump", "mysqldump", NULL};
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_set(err, DBSHIFT_EIO, "cannot create backup \"%s\": %s", path, strerror(errno));
    /* An existing file keeps its mode through O_CREAT: tighten it. */
    if (fchmod(fd, 0600) != 0) {
        int e = errno;
        close(fd);
        return err_set(err, DBSHIFT_EIO, "cannot restrict backup \"%s\" to mode 0600: %s", path,
                       strerror(e));
    }
    argv_list args = {0};
    args.items[args.n++] = NULL; /* the tool name, set per attempt */
    bool ok = argv_connection(&args, &c->t) && argv_add(&args, "--single-transaction", "") &&
              argv_add(&args, "--routines", "") && argv_add(&args, "--triggers", "") &&
              argv_add(&args, "--events", "") && argv_add(&args, "--no-tablespaces", "") &&
              argv_add(&args, "--hex-blob", "") && argv_add(&args, "--", "") &&
              argv_add(&args, "", c->t.database);
    int rc;
    if (!ok) {
        rc = err_set(err, DBSHIFT_ENOMEM, "out of memory");
    } else {
        buf what = BUF_INIT;
        buf_addf(&what, "back up database \"%s\"", c->t.database);
        rc = run_first_tool(tools, &args, &c->t, -1, fd, what.ptr, progress, payload, err);
        buf_release(&what);
    }
    if (rc == 0 && fsync(fd) != 0)
        rc = err_set(err, DBSHIFT_EIO, "cannot write backup \"%s\": %s", path, strerror(errno));
    if (rc == 0) {
        uint64_t last = 0;
        report_progress(progress, payload, fd, &last);
    }
    if (close(fd) != 0 && rc == 0)
        rc = err_set(err, DBSHIFT_EIO, "cannot write backup \"%s\": %s", path, strerror(errno));
    argv_release(&args);
    /* A partial dump must never pass for a backup. */
    if (rc)
        unlink(path);
    return rc;
}

/* Collects "DROP ..." statements for everything in the database. */
static int drop_row(void *payload, size_t ncols, const char *const *values)
{
    buf *b = payload;
    if (ncols < 2 || !values[0] || !values[1])
        return 0;
    char *name = mysql_driver_quote_ident(values[1]);
    if (!name)
        return DBSHIFT_ENOMEM;
    buf_addf(b, "DROP %s IF EXISTS %s;\n", values[0], name);
    free(name);
    return 0;
}

/* Empties the database so that the restore replaces its content instead of
 * merging with objects created after the backup was taken. */
static int empty_database(mysql_conn *c, dbshift_error *err)
{
    static const char sql[] =
        "SELECT CASE TABLE_TYPE WHEN 'VIEW' THEN 'VIEW' WHEN 'SEQUENCE' THEN 'SEQUENCE' "
        "ELSE 'TABLE' END, TABLE_NAME FROM information_schema.TABLES "
        "WHERE TABLE_SCHEMA = DATABASE() "
        "UNION ALL SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES "
        "WHERE ROUTINE_SCHEMA = DATABASE() "
        "UNION ALL SELECT 'EVENT', EVENT_NAME FROM information_schema.EVENTS "
        "WHERE EVENT_SCHEMA = DATABASE()";
    buf drops = BUF_INIT;
    buf_adds(&drops, "SET @dbshift_fk = @@FOREIGN_KEY_CHECKS; SET FOREIGN_KEY_CHECKS = 0;\n");
    int rc = text_query(c->db, sql, sizeof(sql) - 1, drop_row, &drops, err);
    if (rc == DBSHIFT_ENOMEM || (rc == 0 && buf_failed(&drops)))
        rc = err_set(err, DBSHIFT_ENOMEM, "out of memory");
    buf_adds(&drops, "SET FOREIGN_KEY_CHECKS = @dbshift_fk;");
    if (rc == 0)
        rc = text_exec(c->db, drops.ptr, drops.len, err);
    buf_release(&drops);
    return rc;
}

static int mysql_driver_restore(void *conn, const char *path, dbshift_error *err)
{
    mysql_conn *c = conn;
    static const char *const tools[] = {"mariadb", "mysql", NULL};
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(err, errno == ENOENT ? DBSHIFT_ENOTFOUND : DBSHIFT_EIO,
                       "cannot open backup \"%s\": %s", path, strerror(errno));
    /* Check the file before anything is dropped. */
    char head[64] = {0};
    ssize_t got = read(fd, head, sizeof(head) - 1);
    if (got <= 0 || (strstr(head, "MariaDB dump") == NULL && strstr(head, "MySQL dump") == NULL)) {
        close(fd);
        return err_set(err, DBSHIFT_EUSAGE,
                       "\"%s\" is not a mariadb-dump or mysqldump file; nothing was changed", path);
    }
    argv_list args = {0};
    args.items[args.n++] = NULL;
    bool ok = argv_connection(&args, &c->t) && argv_add(&args, "--batch", "") &&
              argv_add(&args, "--database=", c->t.database);
    int rc;
    if (!ok) {
        rc = err_set(err, DBSHIFT_ENOMEM, "out of memory");
    } else {
        rc = empty_database(c, err);
        if (rc) {
            err_prefix(err, "cannot restore \"%s\": emptying the database failed", path);
        } else {
            buf what = BUF_INIT;
            buf_addf(&what, "restore \"%s\" into database \"%s\"", path, c->t.database);
            rc = run_first_tool(tools, &args, &c->t, fd, -1, what.ptr, NULL, NULL, err);
            buf_release(&what);
        }
    }
    close(fd);
    argv_release(&args);
    return rc;
}

const dbshift_driver dbshift_driver_mysql = {
    .version = DBSHIFT_DRIVER_VERSION,
    .name = "mysql",
    .schemes = schemes,
    .caps = DBSHIFT_CAP_ADVISORY_LOCK,
    .dialect = DBSHIFT_DIALECT_MYSQL,
    .open = mysql_driver_open,
    .close = mysql_driver_close,
    .exec = mysql_driver_exec,
    .query = mysql_driver_query,
    .run = mysql_driver_run,
    .begin = mysql_driver_begin,
    .commit = mysql_driver_commit,
    .rollback = mysql_driver_rollback,
    .lock = mysql_driver_lock,
    .unlock = mysql_driver_unlock,
    .lock_holder = mysql_driver_lock_holder,
    .quote_ident = mysql_driver_quote_ident,
    .table_exists = mysql_driver_table_exists,
    .backup = mysql_driver_backup,
    .restore = mysql_driver_restore,
    .describe = mysql_driver_describe,
};
