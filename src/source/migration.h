/*
 * migration.h - the migration model every source format is read into, and
 * the entry points that read a folder (or embedded migrations) into it.
 *
 * A migration set is sorted: versioned migrations by version (compared as
 * numbers part by part, of any length), then repeatable ones by name. The
 * set owns every string in it.
 */
#ifndef DBSHIFT_SOURCE_MIGRATION_H
#define DBSHIFT_SOURCE_MIGRATION_H

#include <stdbool.h>
#include <stddef.h>

#include "dbshift.h"

/* One direction of a migration. */
typedef struct migration_section {
    bool present;        /* the file has this section (an empty one counts) */
    char *sql;           /* the SQL, NUL-terminated, after any templating */
    char *file;          /* file the SQL comes from (up and down may differ) */
    int first_line;      /* 1-based line in file where sql starts */
    bool no_transaction; /* run statement by statement outside a transaction */
    /* Explicit statement boundaries from the file (goose/sql-migrate
     * StatementBegin/End blocks): when nstatements > 0 the core runs exactly
     * these instead of splitting sql. Offsets are into sql. */
    size_t nstatements;
    size_t *stmt_offsets;
    size_t *stmt_lens;
} migration_section;

typedef struct migration {
    char *version;     /* as written in the file name, e.g. "20261121093000", "1.2" */
    char *name;        /* description part of the file name */
    char *file;        /* main file (the up file), relative to the working dir */
    bool repeatable;   /* re-applied whenever its checksum changes */
    bool irreversible; /* -- dbshift:irreversible: rollback refuses */
    migration_section up;
    migration_section down;
    char *checksum; /* "sha256-lf:<64 hex>" of the normalized file(s) */
    char *confirm;  /* -- dbshift:confirm "message", NULL if none */
    char *manual;   /* -- dbshift:manual "instructions", NULL if none */
} migration;

typedef struct migration_set {
    char *format;  /* "dbshift", "golang-migrate", "goose", ... */
    char *dir;     /* folder read, NULL for embedded */
    size_t nfiles; /* files read */
    size_t count;
    migration *items;
    size_t capacity;  /* items allocated */
    bool without_sql; /* read with metadata_only: every section's sql is NULL */
} migration_set;

typedef struct source_options {
    const char *format;      /* NULL: detect */
    int dialect;             /* enum dbshift_dialect of the target (popx, etc.) */
    const char *const *vars; /* "name=value" for Flyway ${name} and templates */
    size_t nvars;
    dbshift_getenv_fn get_env; /* goose ENVSUB */
    void *payload;
    /* Keep each migration's identity, markers and checksum but not its SQL
     * (sections stay present, sql NULL): what status and validate need. */
    bool metadata_only;
} source_options;

/*
 * Reads every migration in dir. A folder that does not exist yields an
 * empty set (format "dbshift"). Errors (DBSHIFT_EPARSE, DBSHIFT_EIO) name
 * the file and line in err: duplicate versions, a file with no up section,
 * an unknown directive, a non-UTF-8 file, a folder mixing formats.
 */
int migration_set_load(migration_set **out, const char *dir, const source_options *opts,
                       dbshift_error *err);

void migration_set_free(migration_set *set);

/* Compares versions as numbers part by part ("1.10" > "1.9", 20-digit
 * versions exact); returns <0, 0, >0. */
int version_compare(const char *a, const char *b);

/* Finds a versioned migration by version (compared with version_compare);
 * NULL when absent. */
migration *migration_set_find(const migration_set *set, const char *version);

/* SHA-256 of data with CRLF folded to LF, as "sha256-lf:<hex>" in out
 * (at least 75 bytes). */
void checksum_lf(char out[80], const void *data, size_t len);

/* SHA-256 of data (OpenSSL); all zero bytes if OpenSSL fails. */
void sha256_digest(unsigned char out[32], const void *data, size_t len);

#endif
