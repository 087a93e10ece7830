/*
 * introspect.h - reading a live database's catalog into the schema model
 * (src/sql/schema.h), one reader per engine, each using only the driver's
 * query() slot. The readers leave dbshift's own history tables out and
 * return the model sorted.
 */
#ifndef DBSHIFT_CORE_INTROSPECT_H
#define DBSHIFT_CORE_INTROSPECT_H

#include "core/handle.h"
#include "sql/schema.h"

/* Rows of a query's result, every value a malloc'd string or NULL. */
typedef struct introspect_rows {
    size_t count;
    size_t ncols;
    char **cells; /* count * ncols values, row by row */
} introspect_rows;

/* Runs sql (with '?' text parameters) on db's connection and keeps every
 * row. On failure the handle's error says why. */
int introspect_query(introspect_rows *out, dbshift *db, const char *sql, const char *const *params,
                     size_t nparams);
void introspect_rows_release(introspect_rows *r);
/* Value of row i, column j (NULL for SQL NULL). */
const char *introspect_cell(const introspect_rows *r, size_t i, size_t j);

int introspect_sqlite(schema *out, dbshift *db);
int introspect_postgres(schema *out, dbshift *db);
int introspect_mysql(schema *out, dbshift *db);

/* Connects, reads the catalog with the engine's reader, drops the history
 * tables and sorts. */
int introspect_schema(schema *out, dbshift *db);

#endif
