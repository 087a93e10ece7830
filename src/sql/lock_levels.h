/*
 * lock_levels.h - what a PostgreSQL statement does to the tables it touches:
 * the table-level lock it takes and whether it rewrites the table, reads it
 * all (a scan), or neither. `up --dry-run` shows this beside each statement,
 * with the table's size from the catalog, so an operator sees "ACCESS
 * EXCLUSIVE on orders (12 GB, ~80M rows), rewrite" before running it.
 *
 * Pure: the statement is read by the lint front end (lint_postgres.c on
 * libpg_query's parse tree); nothing is connected. Lock modes follow the
 * PostgreSQL 15 documentation ("Explicit Locking" and the ALTER TABLE page).
 */
#ifndef DBSHIFT_SQL_LOCK_LEVELS_H
#define DBSHIFT_SQL_LOCK_LEVELS_H

#include <stdbool.h>
#include <stddef.h>

/* Table lock modes, weakest first, so a larger value conflicts with more. */
enum lock_mode {
    LOCK_MODE_NONE = 0,
    LOCK_MODE_ROW_EXCLUSIVE,          /* INSERT, UPDATE, DELETE */
    LOCK_MODE_SHARE_UPDATE_EXCLUSIVE, /* CONCURRENTLY, VALIDATE CONSTRAINT */
    LOCK_MODE_SHARE,                  /* CREATE INDEX: blocks writes */
    LOCK_MODE_SHARE_ROW_EXCLUSIVE,    /* ADD FOREIGN KEY */
    LOCK_MODE_ACCESS_EXCLUSIVE,       /* most ALTER TABLE forms: blocks reads too */
};

/* What happens to the table's rows, least work first. */
enum lock_effect {
    LOCK_EFFECT_NONE = 0,
    LOCK_EFFECT_SCAN,    /* every row read (validation, index build) */
    LOCK_EFFECT_REWRITE, /* the table written anew */
};

typedef struct lock_touch {
    char *schema; /* as written, NULL when the statement named none */
    char *name;   /* the table, or for DROP/REINDEX INDEX the index */
    int mode;     /* enum lock_mode, the strongest the statement takes */
    int effect;   /* enum lock_effect, the most work it does */
} lock_touch;

/* Tables a statement touches, in the order it names them, one entry per
 * table. Strings are malloc'd and owned by the list. */
typedef struct lock_touches {
    size_t count;
    lock_touch *items;
} lock_touches;

/*
 * Analyses one PostgreSQL statement (sql, len bytes, need not be
 * terminated). A statement the parser rejects, or that touches no existing
 * table by name (CREATE TABLE, SET, functions...), gives an empty list.
 * Returns 0, or DBSHIFT_ENOMEM leaving out empty.
 */
int lock_levels_analyse(lock_touches *out, const char *sql, size_t len);

/* Frees the entries and empties t; harmless on an empty list. */
void lock_touches_release(lock_touches *t);

/* "ACCESS EXCLUSIVE", "SHARE"...; NULL for LOCK_MODE_NONE. */
const char *lock_mode_name(int mode);

/* "rewrite", "scan"; NULL for LOCK_EFFECT_NONE. */
const char *lock_effect_name(int effect);

#endif
