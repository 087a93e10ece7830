/*
 * dynload.h - an engine's client library (libpq, libmariadb) opened with
 * dlopen() when a driver first connects, instead of being linked into every
 * program. A SQLite-only run, or an application embedding the library for
 * SQLite, then never maps those libraries and the score of others they pull
 * in (TLS, Kerberos, LDAP, SASL): several megabytes of resident memory and
 * milliseconds of start-up. Not part of any public contract.
 *
 * A driver describes its library once, as a static dynload_library whose
 * symbols point into a static struct of function pointers declared with the
 * real headers' prototypes (`__typeof__(PQexec) *PQexec;`), so every call
 * through the table is type-checked as a direct call would be.
 */
#ifndef DBSHIFT_DRIVER_DYNLOAD_H
#define DBSHIFT_DRIVER_DYNLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "dbshift.h"

/* One function to resolve: its exported name, and the address of the
 * function pointer that receives it. */
typedef struct dynload_symbol {
    const char *name;
    void *slot;
} dynload_symbol;

/* A library loaded on first use. The describing fields are the driver's;
 * handle belongs to dynload.c (NULL until a load succeeded). */
typedef struct dynload_library {
    const char *soname;  /* what dlopen() searches for, e.g. "libpq.so.5" */
    const char *feature; /* what needs it, for messages: "PostgreSQL support" */
    const char *package; /* the Debian/Ubuntu package that ships it: "libpq5" */
    const dynload_symbol *symbols;
    size_t nsymbols;
    void *handle;
} dynload_library;

/*
 * Makes sure lib is loaded and every one of its symbols resolved, loading
 * it on the first call in the process. Safe to call from several threads
 * at once: one of them loads, the others wait for the result. Returns 0 (the
 * slots are then set for the rest of the process) or DBSHIFT_EUNSUPPORTED
 * with a message naming the library and a hint naming its package (the
 * slots are then NULL). A failed load is tried again on the next call, so a
 * long-running application sees a library installed in the meantime.
 */
int dynload_require(dynload_library *lib, dbshift_error *err);

#ifdef DBSHIFT_FAULTS
/* Test builds only: while on, loads that have not succeeded yet look for a
 * file that does not exist, so tests can see what a user without the
 * library sees. A library already loaded stays loaded. */
void dynload_test_fail_loads(bool on);
#endif

#endif
