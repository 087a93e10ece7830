/*
 * handle.h - the dbshift handle's insides, shared by the core's files.
 *
 * A handle holds a copy of its configuration, the driver chosen by URL, the
 * connection (opened on first use), the migration set (read on first use)
 * and the last error. Every core entry point starts with handle_connect /
 * handle_load_source as it needs them.
 */
#ifndef DBSHIFT_CORE_HANDLE_H
#define DBSHIFT_CORE_HANDLE_H

#include "dbshift/driver.h"
#include "source/migration.h"

struct dbshift {
    /* configuration, owned copies */
    char *url;
    char *redacted_url;
    char *migrations_dir;
    char *table_prefix;
    char *schema;
    char *source_format;
    char *password;
    char **vars;
    size_t nvars;
    int lock_wait_ms;
    int connect_timeout_s;
    dbshift_event_fn on_event;
    dbshift_confirm_fn confirm;
    dbshift_getenv_fn get_env;
    void *payload;
    bool assume_yes;
    const dbshift_embedded *embedded; /* borrowed from the caller */

    const dbshift_driver *driver;
    void *conn;        /* NULL until connected */
    char *sqlite_path; /* file of a sqlite target, NULL otherwise */
    bool locked;
    char *lock_key;
    int server_version; /* Postgres server_version_num, 0 when unknown */

    /* history table names, quoted and qualified for SQL */
    char *q_migrations;
    char *q_log;

    /* adopt.c: another tool's history table kept in step, NULL: none */
    const struct adopt_tool *keep_history;

    migration_set *set; /* NULL until loaded */
    dbshift_error error;
};

int handle_connect(dbshift *db);
int handle_load_source(dbshift *db);
/* The same; with metadata_only, a set not loaded yet is read without its
 * SQL (status, validate), and a later handle_load_source reads it again. */
int handle_load_source_as(dbshift *db, bool metadata_only);
/* Reads db's migrations into *out, errors into err, writing nothing in db:
 * it may run while another thread uses db's connection. */
int handle_read_source(const dbshift *db, migration_set **out, bool metadata_only,
                       dbshift_error *err);

/* The connected Postgres server's server_version_num, asked once per
 * connection; 0 when unknown or not Postgres. */
int handle_server_version(dbshift *db);
/* Takes the migration lock (emitting a lock-wait event if it must wait). */
int handle_lock(dbshift *db);
void handle_unlock(dbshift *db);
/* Closes the connection of a SQLite file target that holds no lock, to free
 * its memory; the next operation reconnects. Other targets stay connected. */
void handle_release_idle_connection(dbshift *db);

/* Emits a log event at level. */
void handle_log(dbshift *db, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void handle_emit(dbshift *db, const dbshift_event *ev);
/* Asks the confirmation callback; false when none or assume_yes unset. */
bool handle_confirm(dbshift *db, const char *question, const char *details);

/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" into out. */
void handle_now(char out[32]);
/* Monotonic milliseconds. */
int64_t handle_clock_ms(void);

#endif
