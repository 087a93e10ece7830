/*
 * dbshift/driver.h - the interface every database engine implements.
 *
 * A driver is one constant struct of function pointers (a vtable), in the
 * manner of sqlite3_vfs: versioned, new slots only ever appended, so a driver
 * built for an older version keeps working. The core never calls a slot
 * directly but through the wrappers in src/core/conn.c, where argument checks
 * and test fault injection live.
 *
 * Conventions for every slot:
 *  - return 0 or a negative DBSHIFT_E* code; on failure fill *err (message,
 *    sqlstate, native code; the core adds file/line/statement);
 *  - strings handed in are borrowed for the call only;
 *  - a driver never prints, never exits, never reads the environment itself
 *    (libpq and libmariadb may, as they document: PGPASSFILE etc.);
 *  - SQL given to query() uses '?' placeholders; a driver whose engine wants
 *    another style ($1 for Postgres) rewrites them. The core never puts '?'
 *    inside literals of such SQL.
 */
#ifndef DBSHIFT_DRIVER_H
#define DBSHIFT_DRIVER_H

#include "../dbshift.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DBSHIFT_DRIVER_VERSION 1

/* SQL dialects the splitter and lint understand. */
enum dbshift_dialect {
    DBSHIFT_DIALECT_SQLITE = 1,
    DBSHIFT_DIALECT_POSTGRES = 2,
    DBSHIFT_DIALECT_MYSQL = 3,
};

/* Capability flags. */
#define DBSHIFT_CAP_TRANSACTIONAL_DDL 0x01u /* DDL can be rolled back */
#define DBSHIFT_CAP_ADVISORY_LOCK 0x02u     /* a lock that dies with the session */
#define DBSHIFT_CAP_SCHEMAS 0x04u           /* history tables can live in a schema */
#define DBSHIFT_CAP_ONLINE_BACKUP 0x08u     /* backup() works without external tools */
#define DBSHIFT_CAP_PIPELINE 0x10u          /* run() sends a batch in one round trip */

/* What open() gets besides the URL. */
typedef struct dbshift_conn_params {
    const char *url;              /* the full URL as the user gave it */
    const char *password;         /* overrides the URL's, NULL if none */
    const char *application_name; /* "dbshift <version> <host>:<pid>" */
    int connect_timeout_s;
} dbshift_conn_params;

/* One item of a batch given to run(). */
enum dbshift_stmt_kind {
    DBSHIFT_STMT_SQL = 0, /* sql (len bytes), with nparams text parameters */
    DBSHIFT_STMT_BEGIN,   /* start a transaction (sql ignored) */
    DBSHIFT_STMT_COMMIT,  /* commit it (sql ignored) */
};

typedef struct dbshift_stmt {
    int kind;        /* enum dbshift_stmt_kind */
    const char *sql; /* not necessarily NUL-terminated: use len */
    size_t len;
    const char *const *params; /* text values, NULL element = SQL NULL */
    size_t nparams;
} dbshift_stmt;

/* Row callback of query(): values are text (NULL for SQL NULL), borrowed for
 * the call. A non-zero return stops the query and is returned by query(). */
typedef int (*dbshift_row_fn)(void *payload, size_t ncols, const char *const *values);

/* A string the driver returns; the core frees it with free(). */
typedef struct dbshift_driver {
    int version;                /* DBSHIFT_DRIVER_VERSION the driver was built for */
    const char *name;           /* "sqlite", "postgres", "mysql" */
    const char *const *schemes; /* URL schemes it accepts, NULL-terminated */
    unsigned caps;              /* DBSHIFT_CAP_* */
    int dialect;                /* enum dbshift_dialect */

    /* Connects. *conn receives the driver's connection object. */
    int (*open)(void **conn, const dbshift_conn_params *params, dbshift_error *err);
    /* Disconnects and frees; conn may be NULL. Releases any lock held. */
    void (*close)(void *conn);

    /* Runs a script of one or more statements with no parameters and no
     * result (used for SET, DDL of the history tables, rehearsal control). */
    int (*exec)(void *conn, const char *sql, dbshift_error *err);

    /* Runs a query with '?' parameters (text), calling row() for each row. */
    int (*query)(void *conn, const char *sql, const char *const *params, size_t nparams,
                 dbshift_row_fn row, void *payload, dbshift_error *err);

    /*
     * Runs a batch in order and stops at the first failure, setting *failed
     * to its 0-based index (set to n when all succeeded). A transaction the
     * batch opened and did not commit is rolled back before returning on
     * failure, so the connection is always usable afterwards. A driver with
     * DBSHIFT_CAP_PIPELINE sends the whole batch in one round trip.
     */
    int (*run)(void *conn, const dbshift_stmt *stmts, size_t n, size_t *failed, dbshift_error *err);

    /* Transactions, for work that is not one batch. */
    int (*begin)(void *conn, dbshift_error *err);
    int (*commit)(void *conn, dbshift_error *err);
    int (*rollback)(void *conn, dbshift_error *err);

    /*
     * Takes the migration lock named key, waiting up to wait_ms. On timeout
     * returns DBSHIFT_ELOCK with a message naming the holder when known.
     * The lock dies with the connection (or process), never left stale.
     */
    int (*lock)(void *conn, const char *key, int wait_ms, dbshift_error *err);
    int (*unlock)(void *conn, const char *key, dbshift_error *err);
    /* Describes the holder of key in *holder (malloc'd), NULL when free. */
    int (*lock_holder)(void *conn, const char *key, char **holder, dbshift_error *err);

    /* Quotes an identifier for this engine into a malloc'd string. */
    char *(*quote_ident)(const char *ident);

    /* Whether a table exists: schema may be NULL (the default one). */
    int (*table_exists)(void *conn, const char *schema, const char *table, bool *exists,
                        dbshift_error *err);

    /* Writes a backup of the whole database to path (mode 0600). */
    int (*backup)(void *conn, const char *path, dbshift_event_fn progress, void *payload,
                  dbshift_error *err);
    /* Replaces the database's content with the backup at path. */
    int (*restore)(void *conn, const char *path, dbshift_error *err);

    /* A short description of the target for messages, without password
     * (malloc'd). */
    char *(*describe)(void *conn);
} dbshift_driver;

/* The built-in drivers. */
extern const dbshift_driver dbshift_driver_sqlite;
extern const dbshift_driver dbshift_driver_postgres;
extern const dbshift_driver dbshift_driver_mysql;

#ifdef __cplusplus
}
#endif

#endif /* DBSHIFT_DRIVER_H */
