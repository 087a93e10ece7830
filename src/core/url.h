/*
 * url.h - recognising a target URL's engine, redacting its password, and
 * finding a SQLite URL's file path.
 */
#ifndef DBSHIFT_CORE_URL_H
#define DBSHIFT_CORE_URL_H

#include "dbshift/driver.h"

/* The driver for url by its scheme; keyword/value strings ("host=... dbname=...")
 * go to Postgres. NULL when the scheme is unknown. */
const dbshift_driver *url_driver(const char *url);

/* A malloc'd copy of url with any password replaced by "***" (user:pw@ in
 * URLs, password=... in keyword/value strings, ?password= in queries). */
char *url_redact(const char *url);

/* The file path of a sqlite: URL (malloc'd), NULL for :memory: or a
 * non-SQLite URL. sqlite:rel.db, sqlite:/abs.db, sqlite:///abs.db and
 * sqlite://rel.db are accepted; a ?query is dropped. */
char *url_sqlite_path(const char *url);

#endif
