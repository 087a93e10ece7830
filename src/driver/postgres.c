/*
 * postgres.c - the PostgreSQL driver: every slot of dbshift_driver on top of
 * libpq. The connection string is handed to libpq untouched (expand_dbname)
 * so sslmode, .pgpass, PGPASSFILE and the PG* environment behave exactly as
 * they do for psql. A transactional batch goes out in libpq pipeline mode, so
 * a whole migration - BEGIN, its statements, the history rows, COMMIT - costs
 * one round trip; batches that must commit statement by statement (CREATE
 * INDEX CONCURRENTLY) use the simple query protocol item by item. The
 * migration lock is a session-level advisory lock, which the server drops
 * when the session ends, so a crashed run never leaves it behind. Backups
 * run pg_dump / pg_restore as child processes, with the password passed in
 * the child's environment only.
 */
#include "dbshift/driver.h"
#include "driver/dynload.h"
#include "driver/tool.h"
#include "util/buf.h"
#include "util/err.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Debian's soname; the build passes the one read from the libpq it
 * compiles against, so headers and loaded library agree. */
#ifndef DBSHIFT_LIBPQ_SONAME
#define DBSHIFT_LIBPQ_SONAME "libpq.so.5"
#endif

/* Every libpq function the driver calls, resolved when the first connection
 * is opened (driver/dynload.h): libpq is not linked, so a process that never
 * opens a postgres:// URL never maps it. Calls go through libpq.PQname(). */
#define LIBPQ_FUNCTIONS(X)                                                                         \
    X(PQclear)                                                                                     \
    X(PQconnectdbParams)                                                                           \
    X(PQconninfo)                                                                                  \
    X(PQconninfoFree)                                                                              \
    X(PQconninfoParse)                                                                             \
    X(PQdb)                                                                                        \
    X(PQenterPipelineMode)                                                                         \
    X(PQerrorMessage)                                                                              \
    X(PQescapeIdentifier)                                                                          \
    X(PQexecParams)                                                                                \
    X(PQexitPipelineMode)                                                                          \
    X(PQfinish)                                                                                    \
    X(PQfreemem)                                                                                   \
    X(PQgetCopyData)                                                                               \
    X(PQgetResult)                                                                                 \
    X(PQgetisnull)                                                                                 \
    X(PQgetvalue)                                                                                  \
    X(PQhost)                                                                                      \
    X(PQnfields)                                                                                   \
    X(PQntuples)                                                                                   \
    X(PQpass)                                                                                      \
    X(PQpipelineSync)                                                                              \
    X(PQport)                                                                                      \
    X(PQputCopyEnd)                                                                                \
    X(PQresultErrorField)                                                                          \
    X(PQresultErrorMessage)                                                                        \
    X(PQresultStatus)                                                                              \
    X(PQsendQuery)                                                                                 \
    X(PQsendQueryParams)                                                                           \
    X(PQsetNoticeReceiver)                                                                         \
    X(PQstatus)                                                                                    \
    X(PQtransactionStatus)                                                                         \
    X(PQuser)

#define LIBPQ_POINTER(name) __typeof__(name) *name;
static struct {
    LIBPQ_FUNCTIONS(LIBPQ_POINTER)
} libpq;

#define LIBPQ_SYMBOL(name) {#name, &libpq.name},
static const dynload_symbol libpq_symbols[] = {LIBPQ_FUNCTIONS(LIBPQ_SYMBOL)};

static dynload_library libpq_library = {
    .soname = DBSHIFT_LIBPQ_SONAME,
    .feature = "PostgreSQL support",
    .package = "libpq5",
    .symbols = libpq_symbols,
    .nsymbols = sizeof(libpq_symbols) / sizeof(libpq_symbols[0]),
};

/* The driver's connection object. */
typedef struct pg_conn {
    PGconn *pg;
    /* Passwords that must never show in a message: the one given in the
     * params and the one inside the URL (both as written and decoded). */
    char *secrets[3];
    /* Advisory lock keys this session holds; the server counts re-entrant
     * acquisitions, so a second lock() of a held key must not take it again. */
    int64_t *held;
    size_t nheld;
} pg_conn;

/* --- messages ---------------------------------------------------------- */

/* Replaces every occurrence of each secret in s by "***", in place in a
 * new string; libpq's messages do not normally carry the password, but a
 * message built from a malformed URL could, and a leak is not repairable. */
static char *redact(const pg_conn *c, const char *s)
{
    buf b = BUF_INIT;
    const char *p = s ? s : "";
    while (*p) {
        size_t skip = 0;
        for (size_t i = 0; i < sizeof(c->secrets) / sizeof(c->secrets[0]); i++) {
            const char *sec = c->secrets[i];
            size_t n = sec ? strlen(sec) : 0;
            if (n && strncmp(p, sec, n) == 0) {
                skip = n;
                break;
            }
        }
        if (skip) {
            buf_adds(&b, "***");
            p += skip;
        } else {
            buf_addc(&b, *p++);
        }
    }
    return buf_detach(&b);
}

/* libpq's messages are multi-line ("...failed: FATAL:  ...\n"); ours are one
 * line, so newlines become "; " and runs of blanks collapse. */
static char *one_line(const pg_conn *c, const char *msg)
{
    char *r = redact(c, msg);
    if (!r)
        return NULL;
    buf b = BUF_INIT;
    bool space = false;
    for (const char *p = r; *p; p++) {
        if (*p == '\n' || *p == '\r') {
            while (b.len && b.ptr[b.len - 1] == ' ')
                b.ptr[--b.len] = '\0';
            if (p[1] && p[1] != '\n')
                buf_adds(&b, "; ");
            space = true;
        } else if (*p == ' ' || *p == '\t') {
            if (!space && b.len)
                buf_addc(&b, ' ');
            space = true;
        } else {
            buf_addc(&b, *p);
            space = false;
        }
    }
    free(r);
    while (b.len && (b.ptr[b.len - 1] == ' ' || b.ptr[b.len - 1] == ';'))
        b.ptr[--b.len] = '\0';
    return buf_detach(&b);
}

/* Fills err from a failed result, or from the connection when there is no
 * result (out of memory, connection lost). */
static int set_pg_error(pg_conn *c, const PGresult *res, dbshift_error *err)
{
    const char *primary = res ? libpq.PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    int code = DBSHIFT_ESQL;
    if (libpq.PQstatus(c->pg) == CONNECTION_BAD)
        code = DBSHIFT_ECONNECT;
    char *msg = NULL;
    if (primary)
        msg = redact(c, primary);
    else
        msg = one_line(c, res ? libpq.PQresultErrorMessage(res) : libpq.PQerrorMessage(c->pg));
    if (msg && !*msg) {
        free(msg);
        msg = NULL;
    }
    err_set(err, code, "%s", msg ? msg : "the server reported an error without a message");
    free(msg);
    if (!err || !res)
        return code;
    const char *state = libpq.PQresultErrorField(res, PG_DIAG_SQLSTATE);
    if (state)
        snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
    const char *detail = libpq.PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
    if (detail) {
        char *d = redact(c, detail);
        err_set_field(&err->detail, d);
        free(d);
    }
    const char *hint = libpq.PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
    if (hint)
        err_set_field(&err->hint, hint);
    const char *pos = libpq.PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
    if (pos)
        err->column = atoi(pos);
    return code;
}

/* Whether a result is a success; an empty statement (only comments) is. */
static bool result_ok(const PGresult *res)
{
    switch (libpq.PQresultStatus(res)) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_EMPTY_QUERY:
    case PGRES_SINGLE_TUPLE:
        return true;
    default:
        return false;
    }
}

/*
 * Collects every result of what was sent, so the connection is idle after.
 * COPY ... FROM STDIN has no data source here: it is ended with an error
 * instead of leaving the connection stuck waiting for rows. Returns 0 or the
 * first failure.
 */
static int finish_results(pg_conn *c, PGresult *res, dbshift_error *err)
{
    int rc = 0;
    while (res) {
        ExecStatusType st = libpq.PQresultStatus(res);
        if (st == PGRES_COPY_IN) {
            libpq.PQputCopyEnd(c->pg, "COPY FROM STDIN is not supported by dbshift");
        } else if (st == PGRES_COPY_OUT) {
            char *row = NULL;
            while (libpq.PQgetCopyData(c->pg, &row, 0) > 0)
                libpq.PQfreemem(row);
        } else if (!result_ok(res) && rc == 0) {
            rc = set_pg_error(c, res, err);
        }
        libpq.PQclear(res);
        res = libpq.PQgetResult(c->pg);
    }
    return rc;
}

/* Runs one script of statements through the simple query protocol. */
static int simple_exec(pg_conn *c, const char *sql, dbshift_error *err)
{
    if (!libpq.PQsendQuery(c->pg, sql))
        return set_pg_error(c, NULL, err);
    return finish_results(c, libpq.PQgetResult(c->pg), err);
}

/* Ignores NOTICEs and WARNINGs: libpq's default receiver prints them on
 * stderr, and the library never prints. */
static void ignore_notice(void *arg, const PGresult *res)
{
    (void)arg;
    (void)res;
}

/* --- open / close / describe ------------------------------------------ */

/* Remembers the password written in the URL (decoded by libpq, and also as
 * written, percent-encoding included) so that messages can be redacted. */
static void remember_url_password(pg_conn *c, const char *url)
{
    PQconninfoOption *opts = libpq.PQconninfoParse(url, NULL);
    if (!opts)
        return;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
            c->secrets[1] = xstrdup(o->val);
    }
    libpq.PQconninfoFree(opts);
    /* The raw form: what lies between "user:" and the last '@' of a URI's
     * authority. */
    const char *scheme = strstr(url, "://");
    if (!scheme)
        return;
    const char *auth = scheme + 3;
    size_t alen = strcspn(auth, "/?");
    const char *at = NULL;
    for (size_t i = 0; i < alen; i++)
        if (auth[i] == '@')
            at = auth + i;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon && at > colon + 1)
        c->secrets[2] = xstrndup(colon + 1, (size_t)(at - colon - 1));
}

static void pg_close(void *conn)
{
    pg_conn *c = conn;
    if (!c)
        return;
    if (c->pg)
        libpq.PQfinish(c->pg);
    for (size_t i = 0; i < sizeof(c->secrets) / sizeof(c->secrets[0]); i++) {
        if (c->secrets[i]) {
            memset(c->secrets[i], 0, strlen(c->secrets[i]));
            free(c->secrets[i]);
        }
    }
    free(c->held);
    free(c);
}

/* Appends s percent-encoded where a URI would need it. */
static void add_uri_part(buf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            strchr("-._~", ch))
            buf_addc(b, (char)ch);
        else
            buf_addf(b, "%%%02X", ch);
    }
}

static char *pg_describe(void *conn)
{
    pg_conn *c = conn;
    if (!c || !c->pg)
        return xstrdup("postgres://");
    const char *user = libpq.PQuser(c->pg), *host = libpq.PQhost(c->pg),
               *port = libpq.PQport(c->pg), *db = libpq.PQdb(c->pg);
    buf b = BUF_INIT;
    buf_adds(&b, "postgres://");
    if (user && *user) {
        add_uri_part(&b, user);
        buf_addc(&b, '@');
    }
    if (host && *host)
        add_uri_part(&b, host);
    if (port && *port)
        buf_addf(&b, ":%s", port);
    buf_addc(&b, '/');
    if (db && *db)
        add_uri_part(&b, db);
    return buf_detach(&b);
}

static int pg_open(void **out, const dbshift_conn_params *params, dbshift_error *err)
{
    *out = NULL;
    /* Every other slot runs on a connection this made, so after the load. */
    int rc = dynload_require(&libpq_library, err);
    if (rc)
        return rc;
    if (!params || !params->url)
        return err_set(err, DBSHIFT_EUSAGE, "no postgres connection string given");
    pg_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    if (params->password && *params->password)
        c->secrets[0] = xstrdup(params->password);
    remember_url_password(c, params->url);

    /* Entries before "dbname" can be overridden by the URL (a user's own
     * application_name or connect_timeout wins); the explicit password
     * comes after it because it overrides the URL's. */
    const char *keys[6], *vals[6];
    size_t k = 0;
    char timeout[16];
    snprintf(timeout, sizeof(timeout), "%d",
             params->connect_timeout_s > 0 ? params->connect_timeout_s : 10);
    keys[k] = "connect_timeout";
    vals[k++] = timeout;
    if (params->application_name) {
        keys[k] = "application_name";
        vals[k++] = params->application_name;
    }
    keys[k] = "dbname";
    vals[k++] = params->url;
    if (params->password && *params->password) {
        keys[k] = "password";
        vals[k++] = params->password;
    }
    keys[k] = NULL;
    vals[k] = NULL;

    c->pg = libpq.PQconnectdbParams(keys, vals, 1);
    if (!c->pg) {
        pg_close(c);
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    }
    if (libpq.PQstatus(c->pg) != CONNECTION_OK) {
        char *msg = one_line(c, libpq.PQerrorMessage(c->pg));
        char *where = pg_describe(c);
        char *w = redact(c, where);
        err_set(err, DBSHIFT_ECONNECT, "cannot connect to %s: %s", w ? w : "postgres",
                msg ? msg : "unknown error");
        free(w);
        free(where);
        free(msg);
        pg_close(c);
        return DBSHIFT_ECONNECT;
    }
    /* Notices are dropped here rather than by SET client_min_messages:
     * that cost every connection a round trip (a fifth of a status). */
    libpq.PQsetNoticeReceiver(c->pg, ignore_notice, NULL);
    *out = c;
    return 0;
}

/* --- exec / query ------------------------------------------------------ */

static bool ident_char(unsigned char ch)
{
    return ch == '_' || ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
           (ch >= '0' && ch <= '9') || ch == '$';
}

/* Length of a dollar-quote delimiter ($tag$) starting at p, or 0. */
static size_t dollar_tag(const char *p, const char *end)
{
    const char *q = p + 1;
    if (q < end && (*q >= '0' && *q <= '9'))
        return 0; /* $1 is a parameter, not a quote */
    while (q < end && *q != '$' && ident_char((unsigned char)*q))
        q++;
    if (q < end && *q == '$')
        return (size_t)(q - p + 1);
    return 0;
}

/*
 * Copies len bytes of sql into a NUL-terminated string, turning each '?'
 * outside literals, quoted identifiers, dollar quotes and comments into $n.
 * *count receives the number of placeholders. NULL when out of memory.
 */
static char *rewrite_placeholders(const char *sql, size_t len, size_t *count)
{
    buf b = BUF_INIT;
    const char *p = sql, *end = sql + len;
    size_t n = 0;
    buf_grow(&b, len + 16);
    while (p < end) {
        const char *start = p;
        unsigned char prev = p > sql ? (unsigned char)p[-1] : ' ';
        if (*p == '\'') {
            bool backslash = (p > sql && (p[-1] == 'E' || p[-1] == 'e') &&
                              (p - 1 == sql || !ident_char((unsigned char)p[-2])));
            p++;
            while (p < end) {
                if (backslash && *p == '\\' && p + 1 < end) {
                    p += 2;
                } else if (*p == '\'') {
                    p++;
                    if (p < end && *p == '\'')
                        p++;
                    else
                        break;
                } else {
                    p++;
                }
            }
        } else if (*p == '"') {
            p++;
            while (p < end) {
                if (*p++ == '"') {
                    if (p < end && *p == '"')
                        p++;
                    else
                        break;
                }
            }
        } else if (*p == '-' && p + 1 < end && p[1] == '-') {
            while (p < end && *p != '\n')
                p++;
        } else if (*p == '/' && p + 1 < end && p[1] == '*') {
            int depth = 0;
            while (p < end) {
                if (*p == '/' && p + 1 < end && p[1] == '*') {
                    depth++;
                    p += 2;
                } else if (*p == '*' && p + 1 < end && p[1] == '/') {
                    p += 2;
                    if (--depth == 0)
                        break;
                } else {
                    p++;
                }
            }
        } else if (*p == '$' && !ident_char(prev) && dollar_tag(p, end)) {
            size_t tl = dollar_tag(p, end);
            const char *tag = p;
            p += tl;
            while (p < end && !((size_t)(end - p) >= tl && memcmp(p, tag, tl) == 0))
                p++;
            p = p < end ? p + tl : end;
        } else if (*p == '?') {
            buf_addf(&b, "$%zu", ++n);
            p++;
            continue;
        } else {
            p++;
        }
        buf_add(&b, start, (size_t)(p - start));
    }
    *count = n;
    if (buf_failed(&b)) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b);
}

static int pg_exec(void *conn, const char *sql, dbshift_error *err)
{
    return simple_exec(conn, sql, err);
}

/* Sends one parameterised statement (given with '?' placeholders) and
 * returns its result, or NULL with err filled. */
static PGresult *exec_params(pg_conn *c, const char *sql, size_t len, const char *const *params,
                             size_t nparams, dbshift_error *err)
{
    size_t count = 0;
    char *text = rewrite_placeholders(sql, len, &count);
    if (!text) {
        err_set(err, DBSHIFT_ENOMEM, "out of memory");
        return NULL;
    }
    if (count && count != nparams) {
        err_set(err, DBSHIFT_EUSAGE, "query has %zu placeholders but %zu parameters were given",
                count, nparams);
        free(text);
        return NULL;
    }
    PGresult *res = libpq.PQexecParams(c->pg, text, (int)nparams, NULL, params, NULL, NULL, 0);
    free(text);
    if (!res)
        set_pg_error(c, NULL, err);
    return res;
}

static int pg_query(void *conn, const char *sql, const char *const *params, size_t nparams,
                    dbshift_row_fn row, void *payload, dbshift_error *err)
{
    pg_conn *c = conn;
    PGresult *res = exec_params(c, sql, strlen(sql), params, nparams, err);
    if (!res)
        return err && err->code ? err->code : DBSHIFT_ESQL;
    if (!result_ok(res)) {
        int rc = set_pg_error(c, res, err);
        libpq.PQclear(res);
        return rc;
    }
    int ncols = libpq.PQnfields(res), nrows = libpq.PQntuples(res);
    int rc = 0;
    if (row && nrows > 0 && ncols > 0) {
        const char **values = calloc((size_t)ncols, sizeof(*values));
        if (!values) {
            libpq.PQclear(res);
            return err_set(err, DBSHIFT_ENOMEM, "out of memory");
        }
        for (int r = 0; r < nrows && rc == 0; r++) {
            for (int f = 0; f < ncols; f++)
                values[f] = libpq.PQgetisnull(res, r, f) ? NULL : libpq.PQgetvalue(res, r, f);
            rc = row(payload, (size_t)ncols, values);
        }
        free(values);
    }
    libpq.PQclear(res);
    return rc;
}

/* --- transactions and batches ----------------------------------------- */

static int pg_begin(void *conn, dbshift_error *err)
{
    return simple_exec(conn, "BEGIN", err);
}

static int pg_commit(void *conn, dbshift_error *err)
{
    return simple_exec(conn, "COMMIT", err);
}

static int pg_rollback(void *conn, dbshift_error *err)
{
    return simple_exec(conn, "ROLLBACK", err);
}

/* Whether the items before index upto leave a transaction opened by the
 * batch itself (a BEGIN with no COMMIT after it). */
static bool batch_opened_transaction(const dbshift_stmt *stmts, size_t upto)
{
    bool open = false;
    for (size_t i = 0; i < upto; i++) {
        if (stmts[i].kind == DBSHIFT_STMT_BEGIN)
            open = true;
        else if (stmts[i].kind == DBSHIFT_STMT_COMMIT)
            open = false;
    }
    return open;
}

/* After a failure: ends the transaction the batch opened, keeping the first
 * error in err (a failed rollback only matters if the connection broke, and
 * then the server has rolled back anyway). */
static void rollback_after_failure(pg_conn *c, const dbshift_stmt *stmts, size_t failed)
{
    PGTransactionStatusType ts = libpq.PQtransactionStatus(c->pg);
    bool in_tx = ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR;
    if (in_tx && batch_opened_transaction(stmts, failed + 1)) {
        dbshift_error ignored = {0};
        simple_exec(c, "ROLLBACK", &ignored);
        dbshift_error_clear(&ignored);
    }
}

/* The SQL of one batch item as a NUL-terminated string, placeholders
 * rewritten only for items with parameters: a migration's own statements go
 * as written, since '?' is also a Postgres operator (jsonb ? key). */
static char *item_sql(const dbshift_stmt *s, dbshift_error *err)
{
    const char *fixed = s->kind == DBSHIFT_STMT_BEGIN    ? "BEGIN"
                        : s->kind == DBSHIFT_STMT_COMMIT ? "COMMIT"
                                                         : NULL;
    char *text = NULL;
    if (fixed) {
        text = xstrdup(fixed);
    } else if (s->nparams) {
        size_t count = 0;
        text = rewrite_placeholders(s->sql, s->len, &count);
        if (text && count != s->nparams) {
            free(text);
            err_set(err, DBSHIFT_EUSAGE,
                    "statement has %zu placeholders but %zu parameters were given", count,
                    s->nparams);
            return NULL;
        }
    } else {
        text = xstrndup(s->sql ? s->sql : "", s->sql ? s->len : 0);
    }
    if (!text)
        err_set(err, DBSHIFT_ENOMEM, "out of memory");
    return text;
}

/* Records a failure of item i in err. */
static void mark_failed(size_t *failed, size_t i, dbshift_error *err)
{
    *failed = i;
    if (err)
        err->statement_index = (int)(i + 1);
}

/* Runs a batch item by item: each statement is its own round trip and, out
 * of a transaction, commits by itself, as CREATE INDEX CONCURRENTLY needs. */
static int run_each(pg_conn *c, const dbshift_stmt *stmts, size_t n, size_t *failed,
                    dbshift_error *err)
{
    for (size_t i = 0; i < n; i++) {
        char *text = item_sql(&stmts[i], err);
        int rc;
        if (!text) {
            rc = err && err->code ? err->code : DBSHIFT_ENOMEM;
        } else if (stmts[i].kind == DBSHIFT_STMT_SQL && stmts[i].nparams) {
            PGresult *res = libpq.PQexecParams(c->pg, text, (int)stmts[i].nparams, NULL,
                                               stmts[i].params, NULL, NULL, 0);
            rc = finish_results(c, res, err);
            if (!res && rc == 0)
                rc = set_pg_error(c, NULL, err);
        } else {
            rc = simple_exec(c, text, err);
        }
        free(text);
        if (rc) {
            mark_failed(failed, i, err);
            rollback_after_failure(c, stmts, i);
            return rc;
        }
    }
    *failed = n;
    return 0;
}

/*
 * Runs a BEGIN ... COMMIT batch in pipeline mode: every item is queued, one
 * Sync flushes them, and the results are read afterwards, so the batch costs
 * a single round trip. After the first error the server skips the rest until
 * the Sync (PGRES_PIPELINE_ABORTED) and leaves the explicit transaction
 * aborted, which is then rolled back.
 */
static int run_pipeline(pg_conn *c, const dbshift_stmt *stmts, size_t n, size_t *failed,
                        dbshift_error *err)
{
    if (libpq.PQenterPipelineMode(c->pg) != 1)
        return set_pg_error(c, NULL, err);
    int rc = 0;
    size_t sent = 0;
    for (; sent < n; sent++) {
        char *text = item_sql(&stmts[sent], err);
        if (!text) {
            rc = err && err->code ? err->code : DBSHIFT_ENOMEM;
            break;
        }
        const dbshift_stmt *s = &stmts[sent];
        int nparams = s->kind == DBSHIFT_STMT_SQL ? (int)s->nparams : 0;
        int ok = libpq.PQsendQueryParams(c->pg, text, nparams, NULL, nparams ? s->params : NULL,
                                         NULL, NULL, 0);
        free(text);
        if (!ok) {
            rc = set_pg_error(c, NULL, err);
            break;
        }
    }
    size_t first_bad = rc ? sent : n;
    if (libpq.PQpipelineSync(c->pg) != 1 && rc == 0) {
        rc = set_pg_error(c, NULL, err);
        first_bad = 0;
    }

    /* Each item yields its result(s) then NULL; the Sync yields
     * PGRES_PIPELINE_SYNC. Two NULLs in a row mean nothing more will come
     * (the connection broke). */
    size_t idx = 0;
    bool last_null = false;
    for (;;) {
        PGresult *res = libpq.PQgetResult(c->pg);
        if (!res) {
            if (last_null || libpq.PQstatus(c->pg) == CONNECTION_BAD)
                break;
            last_null = true;
            idx++;
            continue;
        }
        last_null = false;
        ExecStatusType st = libpq.PQresultStatus(res);
        if (st == PGRES_PIPELINE_SYNC) {
            libpq.PQclear(res);
            break;
        }
        if (st == PGRES_COPY_IN) {
            libpq.PQputCopyEnd(c->pg, "COPY FROM STDIN is not supported by dbshift");
        } else if (st != PGRES_PIPELINE_ABORTED && !result_ok(res) && rc == 0) {
            rc = set_pg_error(c, res, err);
            first_bad = idx < n ? idx : n - 1;
        }
        libpq.PQclear(res);
    }
    if (libpq.PQexitPipelineMode(c->pg) != 1) {
        PGresult *res;
        while ((res = libpq.PQgetResult(c->pg)))
            libpq.PQclear(res);
        libpq.PQexitPipelineMode(c->pg);
    }
    if (rc == 0 && libpq.PQstatus(c->pg) == CONNECTION_BAD) {
        rc = set_pg_error(c, NULL, err);
        first_bad = idx < n ? idx : n - 1;
    }
    if (rc) {
        mark_failed(failed, first_bad, err);
        rollback_after_failure(c, stmts, first_bad);
        return rc;
    }
    *failed = n;
    return 0;
}

/* Whether a statement is a COPY: its data would have to travel in the
 * middle of the pipeline, where the server would read the next queued
 * queries as COPY data and break the connection. */
static bool is_copy(const dbshift_stmt *s)
{
    const char *p = s->sql, *end = s->sql ? s->sql + s->len : NULL;
    while (p && p < end) {
        if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '(') {
            p++;
        } else if (*p == '-' && p + 1 < end && p[1] == '-') {
            while (p < end && *p != '\n')
                p++;
        } else if (*p == '/' && p + 1 < end && p[1] == '*') {
            const char *close = NULL;
            for (const char *q = p + 2; q + 1 < end && !close; q++)
                if (q[0] == '*' && q[1] == '/')
                    close = q + 2;
            p = close ? close : end;
        } else {
            return end - p >= 4 && strncasecmp(p, "copy", 4) == 0 &&
                   (end - p == 4 || !ident_char((unsigned char)p[4]));
        }
    }
    return false;
}

static int pg_run(void *conn, const dbshift_stmt *stmts, size_t n, size_t *failed,
                  dbshift_error *err)
{
    pg_conn *c = conn;
    *failed = 0;
    if (n == 0)
        return 0;
    /* Only work inside a transaction is pipelined: outside one the server
     * would run the queued statements as one implicit transaction, which
     * CREATE INDEX CONCURRENTLY and VACUUM refuse. That is a batch that is
     * one transaction, or a batch inside the caller's own (rehearsal,
     * --single-transaction) that neither begins nor ends one. */
    bool has_copy = false;
    for (size_t i = 0; i < n && !has_copy; i++)
        has_copy = stmts[i].kind == DBSHIFT_STMT_SQL && is_copy(&stmts[i]);
    if (has_copy)
        return run_each(c, stmts, n, failed, err);
    if (n >= 2 && stmts[0].kind == DBSHIFT_STMT_BEGIN && stmts[n - 1].kind == DBSHIFT_STMT_COMMIT)
        return run_pipeline(c, stmts, n, failed, err);
    if (libpq.PQtransactionStatus(c->pg) == PQTRANS_INTRANS) {
        bool plain = true;
        for (size_t i = 0; i < n && plain; i++)
            plain = stmts[i].kind == DBSHIFT_STMT_SQL;
        if (plain)
            return run_pipeline(c, stmts, n, failed, err);
    }
    return run_each(c, stmts, n, failed, err);
}

/* --- advisory lock ----------------------------------------------------- */

/* The lock's 64-bit number: the first 8 bytes of SHA-256(key), so every
 * dbshift, whatever its version, maps a key to the same number. */
static int64_t lock_number(const char *key)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    uint64_t v = 0;
    if (EVP_Digest(key, strlen(key), md, &mdlen, EVP_sha256(), NULL) == 1 && mdlen >= 8) {
        for (int i = 0; i < 8; i++)
            v = (v << 8) | md[i];
    } else {
        /* FNV-1a: only if libcrypto cannot hash, still stable per key. */
        v = 14695981039346656037u;
        for (const char *p = key; *p; p++)
            v = (v ^ (unsigned char)*p) * 1099511628211u;
    }
    return (int64_t)v;
}

static bool lock_held(const pg_conn *c, int64_t num)
{
    for (size_t i = 0; i < c->nheld; i++)
        if (c->held[i] == num)
            return true;
    return false;
}

/* Collects the first row of a query into strings. */
typedef struct first_row {
    char *values[8];
    size_t ncols;
    bool found;
} first_row;

static int keep_first_row(void *payload, size_t ncols, const char *const *values)
{
    first_row *fr = payload;
    if (fr->found)
        return 0;
    fr->found = true;
    fr->ncols = ncols < 8 ? ncols : 8;
    for (size_t i = 0; i < fr->ncols; i++)
        fr->values[i] = xstrdup(values[i]);
    return 0;
}

static void first_row_release(first_row *fr)
{
    for (size_t i = 0; i < fr->ncols; i++)
        free(fr->values[i]);
    memset(fr, 0, sizeof(*fr));
}

/* pg_locks shows a bigint advisory key as classid (high 32 bits) and objid
 * (low 32 bits) with objsubid 1. The session's start is the best "since"
 * there is: the server does not record when a granted lock was taken. */
static const char holder_sql[] =
    "SELECT l.pid::text, a.application_name, "
    "coalesce(host(a.client_addr), CASE WHEN a.pid IS NULL THEN NULL ELSE 'local socket' END), "
    "a.usename, "
    "to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), "
    "extract(epoch FROM now() - a.backend_start)::bigint::text, a.state "
    "FROM pg_catalog.pg_locks l LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
    "AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = "
    "current_database()) "
    "AND l.classid::bigint = ?::bigint AND l.objid::bigint = ?::bigint "
    "ORDER BY l.pid LIMIT 1";

static int describe_holder(pg_conn *c, int64_t num, char **holder, dbshift_error *err)
{
    *holder = NULL;
    uint64_t u = (uint64_t)num;
    char hi[24], lo[24];
    snprintf(hi, sizeof(hi), "%" PRIu64, u >> 32);
    snprintf(lo, sizeof(lo), "%" PRIu64, u & 0xffffffffu);
    const char *params[2] = {hi, lo};
    first_row fr = {0};
    int rc = pg_query(c, holder_sql, params, 2, keep_first_row, &fr, err);
    if (rc || !fr.found) {
        first_row_release(&fr);
        return rc;
    }
    char **v = fr.values;
    buf b = BUF_INIT;
    buf_addf(&b, "pid %s", v[0] ? v[0] : "?");
    if (v[1] && *v[1])
        buf_addf(&b, " (application \"%s\")", v[1]);
    if (v[3])
        buf_addf(&b, ", user \"%s\"", v[3]);
    if (v[2])
        buf_addf(&b, ", client %s", v[2]);
    if (v[4])
        buf_addf(&b, ", connected since %s (%ss ago)", v[4], v[5] ? v[5] : "?");
    if (v[6])
        buf_addf(&b, ", %s", v[6]);
    if (!v[1] && !v[3])
        buf_adds(&b, " (details hidden: the role lacks pg_read_all_stats)");
    first_row_release(&fr);
    *holder = buf_detach(&b);
    return *holder ? 0 : err_set(err, DBSHIFT_ENOMEM, "out of memory");
}

static int read_bool(void *payload, size_t ncols, const char *const *values)
{
    *(bool *)payload = ncols > 0 && values[0] && values[0][0] == 't';
    return 0;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int pg_lock(void *conn, const char *key, int wait_ms, dbshift_error *err)
{
    pg_conn *c = conn;
    int64_t num = lock_number(key);
    if (lock_held(c, num))
        return 0;
    char numtext[24];
    snprintf(numtext, sizeof(numtext), "%" PRId64, num);
    const char *params[1] = {numtext};
    int64_t start = now_ms(), deadline = start + (wait_ms > 0 ? wait_ms : 0);
    int64_t interval = 50;
    for (;;) {
        bool got = false;
        int rc = pg_query(c, "SELECT pg_catalog.pg_try_advisory_lock(?::bigint)", params, 1,
                          read_bool, &got, err);
        if (rc)
            return rc;
        if (got) {
            int64_t *h = realloc(c->held, (c->nheld + 1) * sizeof(*h));
            if (!h) {
                dbshift_error ignored = {0};
                pg_query(c, "SELECT pg_catalog.pg_advisory_unlock(?::bigint)", params, 1, NULL,
                         NULL, &ignored);
                dbshift_error_clear(&ignored);
                return err_set(err, DBSHIFT_ENOMEM, "out of memory");
            }
            c->held = h;
            c->held[c->nheld++] = num;
            return 0;
        }
        int64_t now = now_ms();
        if (now >= deadline)
            break;
        sleep_ms(deadline - now < interval ? deadline - now : interval);
        if (interval < 100)
            interval += 25;
    }
    char *holder = NULL;
    dbshift_error ignored = {0};
    describe_holder(c, num, &holder, &ignored);
    dbshift_error_clear(&ignored);
    err_set(err, DBSHIFT_ELOCK, "migration lock \"%s\" is held by %s; gave up after %d ms", key,
            holder ? holder : "another session (it has just been released)",
            wait_ms > 0 ? wait_ms : 0);
    err_hint(err, "wait for the other run to finish or raise --lock-wait; a lock whose holder "
                  "crashed is released by the server when its session ends");
    free(holder);
    return DBSHIFT_ELOCK;
}

static int pg_unlock(void *conn, const char *key, dbshift_error *err)
{
    pg_conn *c = conn;
    int64_t num = lock_number(key);
    size_t i = 0;
    while (i < c->nheld && c->held[i] != num)
        i++;
    /* Unlocking what this session does not hold is harmless; asking the
     * server would only earn a WARNING. */
    if (i == c->nheld)
        return 0;
    char numtext[24];
    snprintf(numtext, sizeof(numtext), "%" PRId64, num);
    const char *params[1] = {numtext};
    bool released = false;
    int rc = pg_query(c, "SELECT pg_catalog.pg_advisory_unlock(?::bigint)", params, 1, read_bool,
                      &released, err);
    if (rc)
        return rc;
    c->held[i] = c->held[--c->nheld];
    return 0;
}

static int pg_lock_holder(void *conn, const char *key, char **holder, dbshift_error *err)
{
    return describe_holder(conn, lock_number(key), holder, err);
}

/* --- introspection ----------------------------------------------------- */

static char *pg_quote_ident(const char *ident)
{
    return buf_quoted(ident, '"');
}

static int pg_table_exists(void *conn, const char *schema, const char *table, bool *exists,
                           dbshift_error *err)
{
    *exists = false;
    const char *params[2] = {schema, table};
    return pg_query(conn,
                    "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c "
                    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = coalesce(?, current_schema()) AND c.relname = ? "
                    "AND c.relkind IN ('r', 'p', 'v', 'm', 'f'))",
                    params, 2, read_bool, exists, err);
}

/* --- backup / restore through pg_dump and pg_restore ------------------- */

/* A conninfo string for the child with everything this connection uses
 * except secrets, values quoted as libpq's conninfo syntax wants. */
static char *child_conninfo(pg_conn *c)
{
    PQconninfoOption *opts = libpq.PQconninfo(c->pg);
    if (!opts)
        return NULL;
    buf b = BUF_INIT;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val || !*o->val || strcmp(o->keyword, "password") == 0 ||
            strcmp(o->keyword, "sslpassword") == 0)
            continue;
        if (b.len)
            buf_addc(&b, ' ');
        buf_addf(&b, "%s='", o->keyword);
        for (const char *p = o->val; *p; p++) {
            if (*p == '\'' || *p == '\\')
                buf_addc(&b, '\\');
            buf_addc(&b, *p);
        }
        buf_addc(&b, '\'');
    }
    libpq.PQconninfoFree(opts);
    if (buf_failed(&b)) {
        buf_release(&b);
        return NULL;
    }
    return buf_detach(&b);
}

/*
 * Runs tool with argv and the connection's credentials, waits for it, and
 * turns a failure into err with the tool's own last words. While it runs,
 * progress receives the growing size of watch (when both are given).
 */
static int run_tool(pg_conn *c, const char *tool, char *const argv[], const char *watch,
                    dbshift_event_fn progress, void *payload, dbshift_error *err)
{
    /* PGPASSWORD only when this connection used a password: otherwise the
     * tool finds one where libpq found ours (.pgpass, PGPASSWORD). */
    const char *pw = libpq.PQpass(c->pg);
    driver_tool_env env;
    if (driver_tool_env_init(&env, "PGPASSWORD", pw && *pw ? pw : NULL, true) < 0)
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    int rc = 0;
    int outpipe[2] = {-1, -1};
    int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
    pid_t pid;
    int exec_errno;
    if (pipe(outpipe) != 0) {
        rc = err_set(err, DBSHIFT_EIO, "cannot run %s: %s", tool, strerror(errno));
        goto done;
    }
    fcntl(outpipe[0], F_SETFD, FD_CLOEXEC);
    if (driver_tool_spawn(&pid, &exec_errno, argv, &env, devnull, outpipe[1], outpipe[1]) < 0) {
        rc = err_set(err, DBSHIFT_EIO, "cannot run %s: %s", tool, strerror(errno));
        goto done;
    }
    close(outpipe[1]);
    outpipe[1] = -1;

    /* Keep the tail of what the tool says: its error is on the last lines. */
    buf out = BUF_INIT;
    off_t last_size = -1;
    for (;;) {
        struct pollfd pfd = {outpipe[0], POLLIN, 0};
        int pr = poll(&pfd, 1, 250);
        if (pr < 0 && errno != EINTR)
            break;
        if (pr > 0) {
            char chunk[4096];
            ssize_t r = read(outpipe[0], chunk, sizeof(chunk));
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            if (out.len > 16384) {
                memmove(out.ptr, out.ptr + out.len - 8192, 8192);
                out.len = 8192;
                out.ptr[out.len] = '\0';
            }
            buf_add(&out, chunk, (size_t)r);
        } else if (pr == 0 && progress && watch) {
            struct stat st;
            if (stat(watch, &st) == 0 && st.st_size != last_size) {
                last_size = st.st_size;
                dbshift_event ev = {0};
                ev.type = DBSHIFT_EV_BACKUP_PROGRESS;
                ev.path = watch;
                ev.bytes_done = (uint64_t)st.st_size;
                progress(&ev, payload);
            }
        }
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (exec_errno == ENOENT) {
        rc = err_set(err, DBSHIFT_EUNSUPPORTED, "cannot run \"%s\": it is not installed", tool);
        err_hint(err,
                 "install the PostgreSQL client tools (Debian/Ubuntu: apt-get install "
                 "postgresql-client) so that %s is on PATH",
                 tool);
    } else if (exec_errno) {
        rc = err_set(err, DBSHIFT_EIO, "cannot run \"%s\": %s", tool, strerror(exec_errno));
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char *said = one_line(c, out.ptr);
        if (WIFEXITED(status))
            rc = err_set(err, DBSHIFT_ERROR, "%s failed with exit code %d%s%s", tool,
                         WEXITSTATUS(status), said && *said ? ": " : "", said ? said : "");
        else
            rc = err_set(err, DBSHIFT_ERROR, "%s was killed by signal %d%s%s", tool,
                         WTERMSIG(status), said && *said ? ": " : "", said ? said : "");
        free(said);
    }
    buf_release(&out);
done:
    for (int i = 0; i < 2; i++) {
        if (outpipe[i] >= 0)
            close(outpipe[i]);
    }
    if (devnull >= 0)
        close(devnull);
    driver_tool_env_release(&env);
    return rc;
}

/* Builds "--opt=value" into a malloc'd string. */
static char *option(const char *opt, const char *value)
{
    buf b = BUF_INIT;
    buf_addf(&b, "%s=%s", opt, value);
    return buf_detach(&b);
}

static int pg_backup(void *conn, const char *path, dbshift_event_fn progress, void *payload,
                     dbshift_error *err)
{
    pg_conn *c = conn;
    /* Create the file ourselves first: pg_dump keeps the mode of an existing
     * file, and an old backup lying there may have been readable by others. */
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_set(err, DBSHIFT_EIO, "cannot create backup \"%s\": %s", path, strerror(errno));
    if (fchmod(fd, 0600) != 0) {
        int e = errno;
        close(fd);
        return err_set(err, DBSHIFT_EIO, "cannot restrict backup \"%s\" to its owner: %s", path,
                       strerror(e));
    }
    close(fd);
    char *conninfo = child_conninfo(c);
    char *file = option("--file", path);
    char *dbname = conninfo ? option("--dbname", conninfo) : NULL;
    int rc;
    if (!file || !dbname) {
        rc = err_set(err, DBSHIFT_ENOMEM, "out of memory");
    } else {
        char *argv[] = {"pg_dump", "--format=custom", "--no-password", file, dbname, NULL};
        rc = run_tool(c, "pg_dump", argv, path, progress, payload, err);
    }
    free(conninfo);
    free(file);
    free(dbname);
    if (rc) {
        unlink(path); /* a partial dump must not pass for a backup */
        err_prefix(err, "backup to \"%s\" failed", path);
        return rc;
    }
    struct stat st;
    if (progress && stat(path, &st) == 0) {
        dbshift_event ev = {0};
        ev.type = DBSHIFT_EV_BACKUP_PROGRESS;
        ev.path = path;
        ev.bytes_done = ev.bytes_total = (uint64_t)st.st_size;
        progress(&ev, payload);
    }
    return 0;
}

/* Collects "DROP SCHEMA ... CASCADE;" for every schema a user made. */
typedef struct drop_list {
    PGconn *pg;
    buf sql;
} drop_list;

static int schema_row(void *payload, size_t ncols, const char *const *values)
{
    drop_list *d = payload;
    if (ncols < 1 || !values[0])
        return 0;
    char *q = libpq.PQescapeIdentifier(d->pg, values[0], strlen(values[0]));
    if (!q)
        return DBSHIFT_ENOMEM;
    buf_addf(&d->sql, "DROP SCHEMA %s CASCADE;\n", q);
    libpq.PQfreemem(q);
    return 0;
}

/* Writes text to a new 0600 temp file; *path_out receives its name. */
static int write_temp(char **path_out, const char *text, dbshift_error *err)
{
    char tmpl[] = "/tmp/dbshift-restore-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0)
        return err_set(err, DBSHIFT_EIO, "cannot create a temporary file: %s", strerror(errno));
    size_t len = strlen(text);
    bool ok = write(fd, text, len) == (ssize_t)len;
    close(fd);
    if (!ok) {
        unlink(tmpl);
        return err_set(err, DBSHIFT_EIO, "cannot write a temporary file: %s", strerror(errno));
    }
    *path_out = strdup(tmpl);
    if (!*path_out) {
        unlink(tmpl);
        return err_set(err, DBSHIFT_ENOMEM, "out of memory");
    }
    return 0;
}

/*
 * Makes the database hold exactly what the backup holds. pg_restore --clean
 * only drops what the dump contains, so tables created after the backup
 * would survive and disagree with the restored history. Instead every
 * user schema is dropped and the dump replayed, all in one transaction run
 * by psql (the dump's COPY data needs a client that streams it): a restore
 * that fails half-way leaves the database as it was.
 */
static int pg_restore(void *conn, const char *path, dbshift_error *err)
{
    pg_conn *c = conn;
    if (access(path, R_OK) != 0)
        return err_set(err, errno == ENOENT ? DBSHIFT_ENOTFOUND : DBSHIFT_EIO,
                       "cannot read backup \"%s\": %s", path, strerror(errno));
    drop_list drops = {c->pg, BUF_INIT};
    buf *prelude = &drops.sql;
    int rc = pg_query(c,
                      "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
                      "AND nspname <> 'information_schema' ORDER BY nspname",
                      NULL, 0, schema_row, &drops, err);
    if (rc == DBSHIFT_ENOMEM) /* from schema_row, which has no err to fill */
        rc = err_set(err, DBSHIFT_ENOMEM, "out of memory");
    /* pg_dump does not recreate public (the database makes it); we must.
     * PUBLIC keeps the usage it has on a new database. */
    buf_adds(prelude, "CREATE SCHEMA IF NOT EXISTS public;\n"
                      "GRANT USAGE ON SCHEMA public TO PUBLIC;\n");
    char *prelude_path = NULL, *script_path = NULL;
    char *conninfo = NULL, *dbname = NULL, *outfile = NULL;
    if (rc == 0 && buf_failed(prelude))
        rc = err_set(err, DBSHIFT_ENOMEM, "out of memory");
    if (rc == 0)
        rc = write_temp(&prelude_path, prelude->ptr, err);
    if (rc == 0)
        rc = write_temp(&script_path, "", err);
    if (rc == 0) {
        outfile = option("--file", script_path);
        char *argv[] = {"pg_restore", "--no-owner", outfile, (char *)path, NULL};
        rc = outfile ? run_tool(c, "pg_restore", argv, NULL, NULL, NULL, err)
                     : err_set(err, DBSHIFT_ENOMEM, "out of memory");
    }
    if (rc == 0) {
        conninfo = child_conninfo(c);
        dbname = conninfo ? option("--dbname", conninfo) : NULL;
        if (!dbname)
            rc = err_set(err, DBSHIFT_ENOMEM, "out of memory");
    }
    if (rc == 0) {
        char *argv[] = {"psql",   "--no-psqlrc",     "--quiet",       "--single-transaction",
                        "--set",  "ON_ERROR_STOP=1", "--no-password", dbname,
                        "--file", prelude_path,      "--file",        script_path,
                        NULL};
        rc = run_tool(c, "psql", argv, NULL, NULL, NULL, err);
    }
    if (prelude_path)
        unlink(prelude_path);
    if (script_path)
        unlink(script_path);
    free(prelude_path);
    free(script_path);
    free(outfile);
    free(conninfo);
    free(dbname);
    buf_release(prelude);
    if (rc)
        err_prefix(err, "restore from \"%s\" failed; the database was left as it was", path);
    return rc;
}

/* --- the driver -------------------------------------------------------- */

static const char *const pg_schemes[] = {"postgres", "postgresql", NULL};

const dbshift_driver dbshift_driver_postgres = {
    .version = DBSHIFT_DRIVER_VERSION,
    .name = "postgres",
    .schemes = pg_schemes,
    .caps = DBSHIFT_CAP_TRANSACTIONAL_DDL | DBSHIFT_CAP_ADVISORY_LOCK | DBSHIFT_CAP_SCHEMAS |
            DBSHIFT_CAP_PIPELINE,
    .dialect = DBSHIFT_DIALECT_POSTGRES,
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .query = pg_query,
    .run = pg_run,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .lock = pg_lock,
    .unlock = pg_unlock,
    .lock_holder = pg_lock_holder,
    .quote_ident = pg_quote_ident,
    .table_exists = pg_table_exists,
    .backup = pg_backup,
    .restore = pg_restore,
    .describe = pg_describe,
};
