/*
 * dbshift.h - the public API of libdbshift, the only header an application
 * that embeds dbshift needs.
 *
 * Memory, stated once for the whole API:
 *  - what comes back through an out-parameter is the caller's, freed with the
 *    matching *_free function; every *_free(NULL) is a harmless no-op;
 *  - a pointer returned by a function is borrowed from its parent object and
 *    lives as long as that parent;
 *  - inputs (strings, option structs) are borrowed for the call only, except
 *    where a comment says the library keeps a copy.
 * On failure a function returns a negative DBSHIFT_E* code, leaves *out NULL
 * and leaks nothing; details are in dbshift_last_error(handle).
 *
 * Threads: one handle must not be used by two threads at once; separate
 * handles are independent.
 *
 * The library never prints and never exits: it reports through the event,
 * confirmation and environment callbacks given in dbshift_config.
 */
#ifndef DBSHIFT_H
#define DBSHIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DBSHIFT_VERSION "0.1.0"

/*
 * Error codes. Append only: a value once published never changes meaning.
 */
enum dbshift_code {
    DBSHIFT_OK = 0,
    DBSHIFT_ERROR = -1,          /* an error that fits no other code */
    DBSHIFT_ENOMEM = -2,         /* out of memory */
    DBSHIFT_EUSAGE = -3,         /* an argument or option is invalid */
    DBSHIFT_EIO = -4,            /* reading or writing a file failed */
    DBSHIFT_EPARSE = -5,         /* a migration file or its SQL is malformed */
    DBSHIFT_ECONNECT = -6,       /* the database could not be opened or reached */
    DBSHIFT_ESQL = -7,           /* the database rejected a statement */
    DBSHIFT_ELOCK = -8,          /* the migration lock was not acquired in time */
    DBSHIFT_ECHECKSUM = -9,      /* an applied file changed or disappeared */
    DBSHIFT_EOUTOFORDER = -10,   /* a pending migration is older than applied ones */
    DBSHIFT_EFAILED = -11,       /* a migration is marked failed: repair or resume first */
    DBSHIFT_EIRREVERSIBLE = -12, /* a rollback reached a migration with no down */
    DBSHIFT_EDECLINED = -13,     /* a confirmation was refused or could not be asked */
    DBSHIFT_ENOTFOUND = -14,     /* a named version, file or backup does not exist */
    DBSHIFT_EUNSUPPORTED = -15,  /* the engine or build cannot do this */
    DBSHIFT_ENEWER = -16,        /* the database was migrated by newer migrations */
    DBSHIFT_ELINT = -17,         /* lint found dangerous changes that were not allowed */
    DBSHIFT_EMANUAL = -18,       /* a manual step waits for `dbshift resolve` */
};

/*
 * Details of the last failure on a handle. Every string may be NULL except
 * message, which is set whenever code is non-zero.
 */
typedef struct dbshift_error {
    int code;            /* a DBSHIFT_E* value, 0 when there is no error */
    char sqlstate[6];    /* SQLSTATE from the server, "" when none */
    int native_code;     /* the engine's own error number, 0 when none */
    char *message;       /* what failed, lowercase, one line */
    char *detail;        /* further explanation from the server or library */
    char *hint;          /* what the user can do about it */
    char *file;          /* migration file the error is in */
    int line;            /* 1-based line in file, 0 when unknown */
    int column;          /* 1-based column in file, 0 when unknown */
    int statement_index; /* 1-based statement within the section, 0 when none */
    char *statement;     /* the failing statement (possibly shortened) */
} dbshift_error;

/* Frees the strings of an error and resets it; err itself is not freed. */
void dbshift_error_clear(dbshift_error *err);

/* Copies src into dst (dst is cleared first). Returns 0 or DBSHIFT_ENOMEM. */
int dbshift_error_copy(dbshift_error *dst, const dbshift_error *src);

/* A short, stable name for a code, e.g. "lock" for DBSHIFT_ELOCK. */
const char *dbshift_code_name(int code);

/* --- Events: progress and log lines ------------------------------------ */

enum dbshift_event_type {
    DBSHIFT_EV_LOG = 1,         /* a log line: level + message */
    DBSHIFT_EV_BACKUP,          /* a backup was written: path */
    DBSHIFT_EV_LOCK_WAIT,       /* waiting for the lock: message names the holder */
    DBSHIFT_EV_MIGRATION_START, /* about to run migration index/count */
    DBSHIFT_EV_STATEMENT,       /* statement_index/statement_count started */
    DBSHIFT_EV_MIGRATION_DONE,  /* finished: outcome, elapsed_ms, error on failure */
    DBSHIFT_EV_PLAN_SQL,        /* dry run: the SQL that would run, in sql; on
                                   Postgres, message (may be NULL) says which
                                   lock it takes on which existing table */
    DBSHIFT_EV_BACKUP_PROGRESS, /* bytes_done / bytes_total of a backup */
};

enum dbshift_log_level {
    DBSHIFT_LOG_DEBUG = 0,
    DBSHIFT_LOG_INFO = 1,
    DBSHIFT_LOG_WARN = 2,
};

enum dbshift_direction {
    DBSHIFT_UP = 1,
    DBSHIFT_DOWN = 2,
};

/* Outcome of one migration in a run. */
enum dbshift_outcome {
    DBSHIFT_OUTCOME_OK = 1,    /* applied or rolled back */
    DBSHIFT_OUTCOME_FAILED,    /* failed; see error */
    DBSHIFT_OUTCOME_PLANNED,   /* dry run: would have run */
    DBSHIFT_OUTCOME_REHEARSED, /* ran inside the rehearsal, rolled back */
    DBSHIFT_OUTCOME_SKIPPED,   /* not run because an earlier one failed */
};

typedef struct dbshift_event {
    int type;                   /* enum dbshift_event_type */
    int level;                  /* enum dbshift_log_level, for DBSHIFT_EV_LOG */
    const char *message;        /* human text, may be NULL */
    const char *path;           /* backup path, for DBSHIFT_EV_BACKUP */
    const char *version;        /* current migration's version */
    const char *name;           /* current migration's name */
    const char *file;           /* current migration's file */
    int direction;              /* enum dbshift_direction */
    size_t index;               /* 1-based migration index in this run */
    size_t count;               /* migrations in this run */
    size_t statement_index;     /* 1-based, for DBSHIFT_EV_STATEMENT */
    size_t statement_count;     /* statements in the current section */
    const char *sql;            /* statement text (DBSHIFT_EV_STATEMENT, _PLAN_SQL) */
    int outcome;                /* enum dbshift_outcome, for _MIGRATION_DONE */
    int64_t elapsed_ms;         /* for _MIGRATION_DONE */
    uint64_t bytes_done;        /* for _BACKUP_PROGRESS */
    uint64_t bytes_total;       /* for _BACKUP_PROGRESS */
    const dbshift_error *error; /* for a failed _MIGRATION_DONE, else NULL */
} dbshift_event;

/* Receives events; everything in ev is borrowed for the call only. */
typedef void (*dbshift_event_fn)(const dbshift_event *ev, void *payload);

/*
 * Asked before something that needs a human yes: a dangerous lint finding,
 * a `-- dbshift:confirm` step, a restore. Returns true for yes. When no
 * callback is set and assume_yes is false, the library refuses with
 * DBSHIFT_EDECLINED and never waits.
 */
typedef bool (*dbshift_confirm_fn)(const char *question, const char *details, void *payload);

/* Looks up an environment variable for templated migrations (goose ENVSUB);
 * returns NULL when unset. The library never calls getenv itself. */
typedef const char *(*dbshift_getenv_fn)(const char *name, void *payload);

/* --- Opening a target -------------------------------------------------- */

typedef struct dbshift_config {
    const char *url; /* sqlite:path, postgres://..., mysql://...; NULL: sqlite:dbshift.db */
    const char *migrations_dir; /* NULL: "migrations" */
    const char *table_prefix;   /* NULL: "dbshift" (tables <prefix>_migrations, <prefix>_log) */
    const char *schema;         /* Postgres schema of the history tables; NULL: public */
    const char *source_format;  /* NULL: detect; else "dbshift", "goose", "flyway", ... */
    const char *password;       /* overrides the URL's password (from --password-file) */
    int lock_wait_ms;           /* how long to wait for the lock; <0: default 30 s */
    int connect_timeout_s;      /* 0: default 10 s */
    const char *const *vars;    /* "name=value" placeholders for templated formats */
    size_t nvars;
    dbshift_event_fn on_event;
    dbshift_confirm_fn confirm;
    dbshift_getenv_fn get_env;
    void *payload;                           /* handed to every callback */
    bool assume_yes;                         /* answer yes to every confirmation */
    const struct dbshift_embedded *embedded; /* compiled-in migrations (`dbshift embed`),
                                   borrowed for the handle's life; NULL: the folder */
} dbshift_config;

/* Sets every field to its default (zero / NULL, lock_wait_ms -1). */
void dbshift_config_init(dbshift_config *cfg);

typedef struct dbshift dbshift;

/*
 * Opens a handle on a target. Nothing is connected or read yet: the first
 * operation connects. The handle keeps its own copy of every string in cfg.
 * On failure *out is NULL and err (if given) holds the reason.
 */
int dbshift_open(dbshift **out, const dbshift_config *cfg, dbshift_error *err);

/* Closes the connection, releases the lock if held, frees the handle. */
void dbshift_free(dbshift *db);

/* The last error on the handle; borrowed, valid until the next call. */
const dbshift_error *dbshift_last_error(const dbshift *db);

/* The URL with its password replaced by "***"; borrowed from the handle. */
const char *dbshift_redacted_url(const dbshift *db);

/* The engine name: "sqlite", "postgres" or "mysql"; borrowed. */
const char *dbshift_engine(const dbshift *db);

/* --- Status ------------------------------------------------------------ */

enum dbshift_state {
    DBSHIFT_STATE_APPLIED = 1,
    DBSHIFT_STATE_PENDING,
    DBSHIFT_STATE_FAILED,             /* a run failed part-way outside a transaction */
    DBSHIFT_STATE_CHANGED,            /* applied, but the file's checksum differs */
    DBSHIFT_STATE_MISSING,            /* applied, but its file is gone */
    DBSHIFT_STATE_OUT_OF_ORDER,       /* pending, older than the newest applied */
    DBSHIFT_STATE_REPEATABLE,         /* repeatable migration, up to date */
    DBSHIFT_STATE_REPEATABLE_PENDING, /* repeatable migration, new or changed */
    DBSHIFT_STATE_MANUAL,             /* waits for a manual step to be resolved */
    DBSHIFT_STATE_BASELINE,           /* marked applied by baseline or adopt */
};

/* The stable lowercase name of a state, as in JSON: "applied", "pending"... */
const char *dbshift_state_name(int state);

typedef struct dbshift_migration_status {
    const char *version; /* as written in the file name */
    const char *name;
    const char *file;             /* NULL for a missing migration */
    int state;                    /* enum dbshift_state */
    const char *applied_at;       /* UTC ISO-8601, NULL when not applied */
    int64_t execution_ms;         /* -1 when not applied */
    const char *checksum;         /* of the file now; NULL when missing */
    const char *applied_checksum; /* recorded when applied; NULL when not applied */
    bool repeatable;
    int statements_done; /* for a failed migration: statements that ran */
    const char *error;   /* for a failed migration: its error message */
} dbshift_migration_status;

typedef struct dbshift_status {
    const char *format; /* detected source format, e.g. "dbshift" */
    size_t nfiles;      /* migration files read */
    size_t count;
    dbshift_migration_status *migrations; /* in version order, missing ones included */
    size_t pending;                       /* pending + out of order + repeatable pending */
    size_t applied;
    size_t failed;
    size_t changed;
    size_t missing;
    const char *current_version; /* newest applied, NULL when none */
} dbshift_status;

/* Reads files and history; takes no lock and changes nothing. */
int dbshift_status_get(dbshift_status **out, dbshift *db);
void dbshift_status_free(dbshift_status *st);

/* --- Running migrations ------------------------------------------------ */

typedef struct dbshift_run_options {
    const char *to_version;  /* up: stop after it; down: roll back to it (it stays) */
    int steps;               /* down: how many to roll back (0 means 1) */
    bool all;                /* down: roll back everything */
    bool dry_run;            /* plan and emit DBSHIFT_EV_PLAN_SQL, change nothing */
    bool rehearse;           /* run in one transaction, then roll it back */
    bool single_transaction; /* all migrations in one transaction */
    bool allow_out_of_order;
    bool ignore_checksums;
    bool resume;              /* continue a failed migration from its failed statement */
    bool no_backup;           /* SQLite: skip the automatic backup */
    bool backup;              /* Postgres/MySQL: take a pg_dump/mariadb-dump first */
    int keep_backups;         /* SQLite backups kept; 0: default 5 */
    const char *lock_timeout; /* e.g. "5s", SET LOCAL lock_timeout per migration */
    const char *statement_timeout;
    const char *const *allow_rules; /* lint rules allowed without confirmation */
    size_t nallow_rules;
    bool skip_lint;                         /* do not lint pending migrations before up */
    const char *const *lint_disabled_rules; /* lint rules turned off (config [lint]) */
    size_t nlint_disabled_rules;
    const char *const *lint_level_overrides; /* "RULE=safe|careful|dangerous" */
    size_t nlint_level_overrides;
} dbshift_run_options;

void dbshift_run_options_init(dbshift_run_options *opts);

typedef struct dbshift_run_item {
    char *version;
    char *name;
    char *file;
    int direction; /* enum dbshift_direction */
    int outcome;   /* enum dbshift_outcome */
    int64_t execution_ms;
    int statements_done;
    int statement_count;
    bool transactional;  /* ran inside a transaction */
    dbshift_error error; /* code 0 unless outcome is FAILED */
} dbshift_run_item;

typedef struct dbshift_report {
    size_t count;
    dbshift_run_item *items;
    char *from_version; /* newest applied before the run, NULL when none */
    char *to_version;   /* newest applied after the run, NULL when none */
    char *backup_path;  /* backup written before the run, NULL when none */
    int64_t elapsed_ms;
} dbshift_report;

/*
 * Applies pending migrations (dbshift_up) or rolls back applied ones
 * (dbshift_down). A report is returned even when the run fails part-way
 * (then the return value is negative and the failing item says why), so
 * *out must be freed in both cases; it is NULL only when nothing was planned.
 */
int dbshift_up(dbshift_report **out, dbshift *db, const dbshift_run_options *opts);
int dbshift_down(dbshift_report **out, dbshift *db, const dbshift_run_options *opts);
/* Rolls back the newest applied migration and applies it again. */
int dbshift_redo(dbshift_report **out, dbshift *db, const dbshift_run_options *opts);
void dbshift_report_free(dbshift_report *rep);

/* --- History and repair ------------------------------------------------ */

typedef struct dbshift_log_entry {
    int64_t id;
    char *version;
    char *name;
    char *direction;  /* up, down, baseline, repair, adopt, resolve */
    char *started_at; /* UTC ISO-8601 */
    int64_t duration_ms;
    bool success;
    char *error;     /* NULL on success */
    char *statement; /* failing statement excerpt, NULL on success */
    char *file;
    int line;
    char *user;
    char *host;
    int64_t pid;
    int64_t lock_wait_ms; /* how long the run waited for the migration lock */
} dbshift_log_entry;

typedef struct dbshift_history {
    size_t count;
    dbshift_log_entry *entries; /* newest first */
} dbshift_history;

int dbshift_history_get(dbshift_history **out, dbshift *db, size_t limit);
void dbshift_history_free(dbshift_history *h);

/* Problems found by validation; each names a version and what is wrong. */
typedef struct dbshift_problem {
    char *version;
    char *name;
    char *file;
    int state; /* DBSHIFT_STATE_CHANGED, _MISSING or _FAILED */
    char *message;
} dbshift_problem;

typedef struct dbshift_problems {
    size_t count;
    dbshift_problem *items;
} dbshift_problems;

/* Compares applied checksums with the files. Returns 0 when all match,
 * DBSHIFT_ECHECKSUM when something differs (the list says what). */
int dbshift_validate(dbshift_problems **out, dbshift *db);
/* Accepts current checksums of changed files and clears failed marks,
 * logging each change. The list says what was repaired. */
int dbshift_repair(dbshift_problems **out, dbshift *db);
void dbshift_problems_free(dbshift_problems *p);

/* Marks every migration up to and including version as applied (baseline). */
int dbshift_baseline(dbshift *db, const char *version);

/* --- Backups ----------------------------------------------------------- */

/* Writes a backup of the target; *path_out receives its path (caller's). */
int dbshift_backup(char **path_out, dbshift *db);

typedef struct dbshift_backups {
    size_t count;
    char **paths; /* newest first */
} dbshift_backups;

/* Lists the SQLite backups kept beside the database file. */
int dbshift_backups_list(dbshift_backups **out, dbshift *db);
void dbshift_backups_free(dbshift_backups *b);

/* Restores the given backup (NULL: the newest) after confirmation; the
 * restored database is checked with integrity_check (SQLite). */
int dbshift_restore(dbshift *db, const char *path);

/* --- Lock ---------------------------------------------------------------- */

/* Describes who holds the migration lock in *holder_out (caller's), or sets
 * it NULL when the lock is free. */
int dbshift_lock_holder(char **holder_out, dbshift *db);

/* --- Lint ---------------------------------------------------------------- */

enum dbshift_lint_level {
    DBSHIFT_LINT_SAFE = 0,
    DBSHIFT_LINT_CAREFUL = 1,
    DBSHIFT_LINT_DANGEROUS = 2,
};

/* One lint finding; every string is owned by the findings list. */
typedef struct dbshift_finding {
    char *rule; /* stable code, e.g. "DS002" */
    char *name; /* stable rule name, e.g. "drop-column" */
    int level;  /* enum dbshift_lint_level, after config overrides */
    char *file;
    int line;          /* 1-based, in file */
    int column;        /* 1-based, in file */
    char *statement;   /* excerpt of the statement */
    char *message;     /* why it is risky, one sentence */
    char *suggestion;  /* the safer way, NULL when none */
    char *version;     /* migration version the finding is in */
    bool allowed;      /* suppressed by -- dbshift:allow, --allow or config */
    bool not_analysed; /* the statement could not be parsed (newer syntax) */
} dbshift_finding;

typedef struct dbshift_findings {
    size_t count;
    dbshift_finding *items; /* in file order */
    size_t dangerous;       /* not-allowed dangerous findings */
    size_t careful;         /* not-allowed careful findings */
} dbshift_findings;

typedef struct dbshift_lint_options {
    const char *const *files; /* lint these files (NULL: all migrations) */
    size_t nfiles;
    bool pending_only;              /* only migrations not applied yet (connects) */
    bool offline;                   /* never connect: existing tables come only from
                                       earlier migrations */
    const char *const *allow_rules; /* codes or names allowed (--allow) */
    size_t nallow_rules;
    const char *const *disabled_rules; /* codes or names turned off (config) */
    size_t ndisabled_rules;
    const char *const *level_overrides; /* "RULE=safe|careful|dangerous" (config) */
    size_t nlevel_overrides;
} dbshift_lint_options;

void dbshift_lint_options_init(dbshift_lint_options *opts);

/* Lints migrations. Returns 0 even when findings exist; the caller decides
 * from findings->dangerous. */
int dbshift_lint(dbshift_findings **out, dbshift *db, const dbshift_lint_options *opts);
void dbshift_findings_free(dbshift_findings *f);

/* --- Creating files -------------------------------------------------------- */

/* Creates a new native migration file in the migrations folder: timestamped
 * (UTC, YYYYMMDDHHMMSS) or, with sequential, the next zero-padded number.
 * *path_out receives the new file's path. */
int dbshift_new_migration(char **path_out, dbshift *db, const char *name, bool sequential);

/* Frees a string the library handed out. */
void dbshift_string_free(char *s);

/* --- Adopting another tool's history --------------------------------------- */

/* What dbshift_adopt recorded. */
typedef struct dbshift_adoption {
    char *tool;      /* "golang-migrate", "dbmate", "goose", "flyway", ... */
    char *table;     /* the tool's history table that was read (never changed) */
    size_t count;    /* migrations newly recorded in dbshift's history */
    char **versions; /* their versions (repeatable ones: names), in order */
    size_t already;  /* applied by the tool and already in dbshift's history */
    char *newest;    /* newest version the tool had applied, NULL when none */
} dbshift_adoption;

/* The tool names dbshift_adopt and dbshift_keep_history_of accept,
 * NULL-terminated; static. */
const char *const *dbshift_adopt_tools(void);

/*
 * Reads another tool's history table (tool NULL: the one table found;
 * two found is DBSHIFT_EUSAGE) and records every migration it applied in
 * dbshift's history, kind "baseline" with the current file's checksum, each
 * with a log row "adopt", all in one transaction. Nothing else changes: the
 * other table is only read. Refused, with nothing recorded: a dirty or
 * failed row (DBSHIFT_EFAILED), a version with no file here
 * (DBSHIFT_ENOTFOUND). Migrations already in dbshift's history are left as
 * they are (counted in already), so adopting twice is harmless.
 */
int dbshift_adopt(dbshift_adoption **out, dbshift *db, const char *tool);
void dbshift_adoption_free(dbshift_adoption *a);

/*
 * From now on, runs on this handle also keep tool's history table as the
 * tool would (created when missing; its row written or deleted in the same
 * transaction as each migration), for migration sets that read or alter
 * that table. tool NULL stops it. Supported: golang-migrate, dbmate, goose,
 * sql-migrate, diesel, pop; flyway and sqlx give DBSHIFT_EUNSUPPORTED.
 */
int dbshift_keep_history_of(dbshift *db, const char *tool);

/* --- Schema: dump, drift, diff, round-trip test ----------------------------- */
/* dbshift's own history tables are left out of every dump and comparison. */

/* One difference between an expected and an actual schema. */
typedef struct dbshift_schema_change {
    char *object;   /* "table public.users", "column public.users.email" */
    char *expected; /* its definition where expected; NULL: should not exist */
    char *actual;   /* its definition in the database; NULL: does not exist */
} dbshift_schema_change;

typedef struct dbshift_schema_diff {
    size_t count;
    dbshift_schema_change *items; /* in canonical object order */
} dbshift_schema_diff;

void dbshift_schema_diff_free(dbshift_schema_diff *d);

typedef struct dbshift_schema_options {
    const char *shadow_url;   /* an empty database to build on; NULL: a temporary one
                                 (SQLite: a temp file; else CREATE DATABASE on the
                                 target's server, dropped afterwards) */
    const char *desired_file; /* diff: SQL file describing the desired schema */
    const char *name;         /* diff: name of the migration to write */
    bool sequential;          /* diff: number the new file instead of a timestamp */
} dbshift_schema_options;

void dbshift_schema_options_init(dbshift_schema_options *opts);

/* Canonical, deterministic DDL of the live schema into *sql_out (caller's,
 * dbshift_string_free). Equal schemas give byte-identical text. */
int dbshift_dump(char **sql_out, dbshift *db);
/* Writes dbshift_dump's text to path (replaced atomically). */
int dbshift_dump_to_file(dbshift *db, const char *path);

/* Applies the migrations the target has applied to a shadow database and
 * compares the result with the target: *out lists each difference (empty
 * when none; expected = shadow, actual = target). */
int dbshift_drift(dbshift_schema_diff **out, dbshift *db, const dbshift_schema_options *opts);

/* Builds the migrations on one shadow and opts->desired_file on another,
 * generates the migration between them, checks that applying it to the
 * first yields exactly the second, and writes it as a new migration named
 * opts->name; *path_out gets its path, or NULL when nothing differs. */
int dbshift_diff(char **path_out, dbshift *db, const dbshift_schema_options *opts);

/* One migration's round trip in dbshift_test. */
typedef struct dbshift_test_step {
    char *version; /* "*" for the whole sequence down to zero and up */
    char *name;
    int outcome;               /* DBSHIFT_OUTCOME_OK, _FAILED or _SKIPPED (no down) */
    char *message;             /* why it failed or was skipped, NULL when ok */
    dbshift_schema_diff *diff; /* schema after down (actual) vs before up (expected) */
    int64_t elapsed_ms;
} dbshift_test_step;

typedef struct dbshift_test_report {
    size_t count;
    dbshift_test_step *steps;
    size_t failed;
    const char *first_failed; /* version of the first failed step, NULL when none */
} dbshift_test_report;

/* On a shadow database, for each migration: dump, up, dump, down, compare
 * with the dump before up, up again; then all down to zero and up again.
 * Returns 0 even when steps fail (see failed); negative when the test could
 * not run. */
int dbshift_test(dbshift_test_report **out, dbshift *db, const dbshift_schema_options *opts);
void dbshift_test_report_free(dbshift_test_report *r);

/* --- Embedding: compiled-in migrations, many targets ----------------------- */

/*
 * Migrations compiled into a program. `dbshift embed DIR -o FILE.c` writes a
 * static const dbshift_embedded holding every file of DIR byte for byte, and
 * what the generator read from them (versions, names, sections, checksums);
 * the application sets dbshift_config.embedded to it. The library reads the
 * files with the same readers as a folder, then checks that each migration's
 * checksum matches the one recorded: a set that disagrees (a hand-edited or
 * stale generated file) is refused with DBSHIFT_EPARSE. All of it is
 * borrowed: static data in practice.
 */
#define DBSHIFT_EMBEDDED_ABI 1

typedef struct dbshift_embedded_file {
    const char *path;    /* inside the folder, '/'-separated: "0001_init.sql",
                            "repeatable/views.sql", "2019-01-01_x/up.sql" */
    const char *content; /* the file's bytes, NUL-terminated after len */
    size_t len;
} dbshift_embedded_file;

typedef struct dbshift_embedded_migration {
    const char *version; /* "" for a repeatable migration */
    const char *name;
    const char *checksum; /* "sha256-lf:<hex>", as in the history table */
    bool repeatable;
    bool has_down;       /* the migration has a down section */
    bool no_transaction; /* its up section runs outside a transaction */
    const char *confirm; /* -- dbshift:confirm message, NULL when none */
    const char *manual;  /* -- dbshift:manual instructions, NULL when none */
} dbshift_embedded_migration;

typedef struct dbshift_embedded {
    int abi;            /* DBSHIFT_EMBEDDED_ABI of the generator */
    const char *format; /* the folder's format, e.g. "dbshift", "goose" */
    const char *origin; /* folder it was generated from, for messages */
    size_t nfiles;
    const dbshift_embedded_file *files; /* sorted by path */
    size_t nmigrations;
    const dbshift_embedded_migration *migrations; /* in version order */
} dbshift_embedded;

/*
 * The C source `dbshift embed` writes: every migration file of the handle's
 * migrations folder (normalized: LF line ends, no BOM) and what was read
 * from them, as `const dbshift_embedded <symbol>` (NULL: dbshift_migrations)
 * plus its extern declaration. The output depends only on the files, so it
 * is reproducible byte for byte; it compiles warning-free as C99 or later
 * with -Wall -Wextra -Wpedantic. Never connects. *out is the caller's,
 * freed with dbshift_string_free. DBSHIFT_EUSAGE for a symbol that is not a
 * C identifier.
 */
int dbshift_embed_generate(char **out, dbshift *db, const char *symbol);

/*
 * Records that the manual step of a migration (-- dbshift:manual) was done,
 * so the next `up` runs the migration; or, for a migration marked failed,
 * that a human finished it by hand (it becomes applied). Logged as
 * "resolve". DBSHIFT_ENOTFOUND when version is neither waiting nor failed.
 */
int dbshift_resolve(dbshift *db, const char *version);

/* --- Test hooks ------------------------------------------------------------ */
#ifdef DBSHIFT_FAULTS
/*
 * Arms one fault in the driver layer of db, for tests of failure handling;
 * only in builds with the CMake option DBSHIFT_FAULTS (never in a release).
 * spec is "statement:N" (the Nth migration statement this handle runs
 * fails), "history[:N]" (the Nth write of the history table fails) or
 * "commit[:N]" (the Nth commit fails, its transaction rolled back) or
 * "library" (the connect fails as it does without libpq or libmariadb
 * installed); the fault fires once. NULL or "" arms nothing. Connects the handle if it is
 * not connected yet. Returns 0, DBSHIFT_EUSAGE for a malformed spec or a
 * second fault, or the connection's error.
 */
int dbshift_test_fault(dbshift *db, const char *spec);
#endif

#ifdef __cplusplus
}
#endif

#endif /* DBSHIFT_H */
