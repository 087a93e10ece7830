/*
 * adopt.h - what the runner needs from adopt.c to keep another tool's
 * history table in step with dbshift's own (--keep-history-of TOOL): some
 * migration sets alter or guard their former tool's table (harbor's 0030
 * ALTERs golang-migrate's schema_migrations, lemmy's 000017 puts a trigger on
 * diesel's __diesel_schema_migrations), so that table must exist and say
 * what the tool would have written, changed in the same transaction as the
 * migration itself.
 */
#ifndef DBSHIFT_CORE_ADOPT_H
#define DBSHIFT_CORE_ADOPT_H

#include "core/handle.h"
#include "core/history.h"

/* Most statements adopt_keep_stmts adds to one migration's batch. */
#define ADOPT_KEEP_MAX 2

/* Storage behind the statements of adopt_keep_stmts; release after the run. */
typedef struct adopt_keep_store {
    stmt_store s[ADOPT_KEEP_MAX];
} adopt_keep_store;

/* Creates the kept tool's table as the tool would when it is missing; does
 * nothing when no tool is kept. Run before any migration (it may be DDL). */
int adopt_keep_ensure(dbshift *db);

/* Fills out[0..n) with the statements that record m as applied (UP) or
 * rolled back (DOWN) in the kept tool's table and returns n (0 when no tool
 * is kept or m is repeatable). The statements point into *ks. */
size_t adopt_keep_stmts(dbshift *db, adopt_keep_store *ks, const migration *m, int direction,
                        dbshift_stmt *out);

/* Runs those statements on their own (after a migration that ran outside a
 * transaction). */
int adopt_keep_run(dbshift *db, const migration *m, int direction);

void adopt_keep_release(adopt_keep_store *ks);

#endif
