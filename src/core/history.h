/*
 * history.h - the history tables in the target database:
 * <prefix>_migrations (one row per applied migration) and <prefix>_log (one
 * row per attempt). All SQL here is portable apart from a few per-dialect
 * column types; every value is written with bound parameters.
 */
#ifndef DBSHIFT_CORE_HISTORY_H
#define DBSHIFT_CORE_HISTORY_H

#include <stdint.h>

#include "core/handle.h"
#include "util/buf.h"

/* status column values */
#define HISTORY_APPLIED "applied"
#define HISTORY_FAILED "failed"
#define HISTORY_MANUAL "manual"     /* waits for a manual step */
#define HISTORY_RESOLVED "resolved" /* manual step done; the SQL still to run */

/* kind column values */
#define HISTORY_VERSIONED "versioned"
#define HISTORY_REPEATABLE "repeatable"
#define HISTORY_BASELINE "baseline"

/* One row of the migrations table. Its strings are one allocation that
 * starts at version: read them, never free or replace one alone. */
typedef struct applied_row {
    char *version; /* for repeatable rows: the migration's name */
    char *name;
    char *kind;
    char *checksum;
    char *status;
    int statements_done;
    char *statement_hashes; /* comma-separated hashes of the statements done */
    char *error;
    char *applied_at;
    int64_t execution_ms;
} applied_row;

typedef struct applied_list {
    size_t count;
    applied_row *items;
} applied_list;

/* Sets db->q_migrations, db->q_log and db->lock_key from prefix/schema. */
int history_names_init(dbshift *db);

/* Creates the schema and tables when missing. */
int history_ensure(dbshift *db);

/* Reads every row of the migrations table (empty when it does not exist). */
int history_read(dbshift *db, applied_list *out);
void applied_list_release(applied_list *l);
applied_row *applied_find(const applied_list *l, const char *kind_group, const char *version);

/* One history row to write. */
typedef struct history_entry {
    const char *version;
    const char *name;
    const char *kind;
    const char *checksum;
    const char *status;
    int statements_done;
    const char *statement_hashes;
    const char *error;
    int64_t execution_ms; /* -1: let the database measure since BEGIN */
} history_entry;

/* One log row to write. */
typedef struct log_entry {
    const char *version;
    const char *name;
    const char *direction;
    const char *started_at;
    int64_t duration_ms; /* -1: let the database measure since BEGIN */
    bool success;
    const char *error;
    const char *sqlstate;
    const char *statement;
    const char *file;
    int line;
    int64_t lock_wait_ms;
} log_entry;

/*
 * Builders of parameterised statements for a batch. Each fills *sql and a
 * params array kept in *store (which owns the strings); the returned stmt
 * points into them, so store must outlive the batch.
 */
typedef struct stmt_store {
    buf sql;
    char *values[20];
    const char *params[20];
    size_t n;
} stmt_store;

void stmt_store_release(stmt_store *s);

void history_insert_stmt(dbshift *db, stmt_store *s, const history_entry *e, dbshift_stmt *out);
void history_delete_stmt(dbshift *db, stmt_store *s, const char *kind, const char *version,
                         dbshift_stmt *out);
void history_progress_stmt(dbshift *db, stmt_store *s, const char *kind, const char *version,
                           int statements_done, const char *hashes, dbshift_stmt *out);
void log_insert_stmt(dbshift *db, stmt_store *s, const log_entry *e, dbshift_stmt *out);

void history_status_stmt(dbshift *db, stmt_store *s, const char *kind, const char *version,
                         const char *status, const char *error, const char *checksum,
                         int64_t execution_ms, dbshift_stmt *out);

/* Runs one built statement on its own (autocommit). */
int history_run1(dbshift *db, const dbshift_stmt *st);

/* Writes a log row on its own. */
int history_log(dbshift *db, const log_entry *e);

/* Updates the result of a non-transactional migration's row. */
int history_set_status(dbshift *db, const char *kind, const char *version, const char *status,
                       const char *error, const char *checksum, int64_t execution_ms);

/* Reads the log, newest first, at most limit rows (0: all). */
int history_read_log(dbshift *db, dbshift_history **out, size_t limit);

#endif
