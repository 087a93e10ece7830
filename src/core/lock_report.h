/*
 * lock_report.h - what a PostgreSQL statement of a dry run does to the
 * existing tables it touches, with their size from the catalog.
 */
#ifndef DBSHIFT_CORE_LOCK_REPORT_H
#define DBSHIFT_CORE_LOCK_REPORT_H

#include <stddef.h>

#include "dbshift.h"

/*
 * One line per existing table the statement (sql, len bytes) touches, e.g.
 * "ACCESS EXCLUSIVE on orders (12 GB, ~80M rows), rewrite", lines joined by
 * '\n'. Returns malloc'd text, or NULL when there is nothing to say: not a
 * connected Postgres target, no existing table touched, or a failure (the
 * report is advice, so failures are not errors). db->error is untouched.
 */
char *lock_report_describe(dbshift *db, const char *sql, size_t len);

#endif
