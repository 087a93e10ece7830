/*
 * test_dynload.c - unit tests for src/driver/dynload.c, the loader that
 * opens libpq and libmariadb on first use. What a user without the library
 * sees (a message naming the library, a hint naming the package) is checked
 * both on the loader and through the real drivers' open(); and since this
 * program links the static library the way an embedding application does,
 * it also checks that neither client library is mapped until a driver
 * opens a connection, and that one is once it has.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dbshift/driver.h"
#include "driver/dynload.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether /proc/self/maps shows a file whose name contains name. */
static bool mapped(const char *name)
{
    FILE *f = fopen("/proc/self/maps", "r");
    assert_non_null(f);
    char line[4096];
    bool found = false;
    while (!found && fgets(line, sizeof(line), f))
        found = strstr(line, name) != NULL;
    fclose(f);
    return found;
}

/* --- the loader on its own ---------------------------------------------- */

static struct {
    __typeof__(strlen) *strlen;
    __typeof__(strchr) *strchr;
} libc_fns;

static const dynload_symbol libc_symbols[] = {
    {"strlen", &libc_fns.strlen},
    {"strchr", &libc_fns.strchr},
};

static void test_missing_library_is_named_with_its_package(void **state)
{
    (void)state;
    dynload_library lib = {
        .soname = "libdbshift-test-absent.so.9",
        .feature = "Widget support",
        .package = "libwidget9",
        .symbols = libc_symbols,
        .nsymbols = 2,
    };
    dbshift_error err = {0};
    assert_int_equal(dynload_require(&lib, &err), DBSHIFT_EUNSUPPORTED);
    assert_int_equal(err.code, DBSHIFT_EUNSUPPORTED);
    assert_non_null(strstr(err.message, "Widget support needs libdbshift-test-absent.so.9, "
                                        "which could not be loaded: "));
    /* dlerror()'s own words follow, so the reason is not lost. */
    assert_non_null(strstr(err.message, "cannot open shared object file"));
    assert_non_null(err.hint);
    assert_non_null(strstr(err.hint, "install the libwidget9 package"));
    assert_null(lib.handle);
    assert_null(libc_fns.strlen);
    dbshift_error_clear(&err);

    /* A failure is not remembered: the next call tries again. */
    assert_int_equal(dynload_require(&lib, &err), DBSHIFT_EUNSUPPORTED);
    dbshift_error_clear(&err);
    /* Callers that do not want the details may pass no error. */
    assert_int_equal(dynload_require(&lib, NULL), DBSHIFT_EUNSUPPORTED);
}

static void test_missing_symbol_is_named_and_nothing_half_loaded(void **state)
{
    (void)state;
    static struct {
        __typeof__(strlen) *strlen;
        void (*absent)(void);
    } fns;
    const dynload_symbol symbols[] = {
        {"strlen", &fns.strlen},
        {"dbshift_test_no_such_function", &fns.absent},
    };
    dynload_library lib = {
        .soname = "libc.so.6",
        .feature = "Widget support",
        .package = "libc6",
        .symbols = symbols,
        .nsymbols = 2,
    };
    dbshift_error err = {0};
    assert_int_equal(dynload_require(&lib, &err), DBSHIFT_EUNSUPPORTED);
    assert_non_null(strstr(err.message, "Widget support needs libc.so.6 with the function "
                                        "dbshift_test_no_such_function"));
    assert_non_null(strstr(err.hint, "install a newer libc6 package"));
    /* The symbol found before the missing one is not left behind. */
    assert_null(fns.strlen);
    assert_null(lib.handle);
    dbshift_error_clear(&err);
}

static void test_loads_once_and_calls_with_real_prototypes(void **state)
{
    (void)state;
    dynload_library lib = {
        .soname = "libc.so.6",
        .feature = "string support",
        .package = "libc6",
        .symbols = libc_symbols,
        .nsymbols = 2,
    };
    dbshift_error err = {0};
    assert_int_equal(dynload_require(&lib, &err), 0);
    assert_int_equal(err.code, 0);
    assert_non_null(lib.handle);
    assert_int_equal(libc_fns.strlen("dbshift"), 7);
    assert_string_equal(libc_fns.strchr("a=b", '='), "=b");
    void *handle = lib.handle;
    __typeof__(strlen) *first = libc_fns.strlen;
    assert_int_equal(dynload_require(&lib, &err), 0);
    assert_ptr_equal(lib.handle, handle);
    assert_ptr_equal(libc_fns.strlen, first);
}

/* Threads that race to the first use all come back with a full table. */
static struct {
    __typeof__(strlen) *strlen;
    __typeof__(strchr) *strchr;
} raced_fns;

static const dynload_symbol raced_symbols[] = {
    {"strlen", &raced_fns.strlen},
    {"strchr", &raced_fns.strchr},
};

static dynload_library raced_lib = {
    .soname = "libc.so.6",
    .feature = "string support",
    .package = "libc6",
    .symbols = raced_symbols,
    .nsymbols = 2,
};

static pthread_barrier_t start_line;

static void *race(void *arg)
{
    (void)arg;
    pthread_barrier_wait(&start_line);
    if (dynload_require(&raced_lib, NULL) != 0)
        return "load failed";
    if (!raced_fns.strlen || !raced_fns.strchr || raced_fns.strlen("abc") != 3)
        return "incomplete table";
    return NULL;
}

static void test_concurrent_first_use(void **state)
{
    (void)state;
    enum { NTHREADS = 8 };
    pthread_t threads[NTHREADS];
    assert_int_equal(pthread_barrier_init(&start_line, NULL, NTHREADS), 0);
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, race, NULL), 0);
    for (int i = 0; i < NTHREADS; i++) {
        void *result = NULL;
        assert_int_equal(pthread_join(threads[i], &result), 0);
        if (result)
            fail_msg("thread %d: %s", i, (const char *)result);
    }
    pthread_barrier_destroy(&start_line);
}

/* --- through the drivers ------------------------------------------------ */

static void test_client_libraries_not_mapped_before_use(void **state)
{
    (void)state;
    /* This program links libdbshift.a as an embedding application does. */
    assert_false(mapped("libpq.so"));
    assert_false(mapped("libmariadb.so"));
}

#ifdef DBSHIFT_FAULTS
static void check_driver_without_library(const dbshift_driver *drv, const char *url,
                                         const char *message, const char *package)
{
    dbshift_conn_params params = {url, NULL, "test_dynload", 1};
    dbshift_error err = {0};
    void *conn = (void *)&params;
    dynload_test_fail_loads(true);
    int rc = drv->open(&conn, &params, &err);
    dynload_test_fail_loads(false);
    assert_int_equal(rc, DBSHIFT_EUNSUPPORTED);
    assert_null(conn);
    assert_non_null(strstr(err.message, message));
    assert_non_null(strstr(err.hint, package));
    dbshift_error_clear(&err);
}

static void test_drivers_report_a_missing_library(void **state)
{
    (void)state;
    check_driver_without_library(&dbshift_driver_postgres, "postgres://u@127.0.0.1:1/none",
                                 "PostgreSQL support needs libpq.so", "libpq5");
    check_driver_without_library(&dbshift_driver_mysql, "mysql://u@127.0.0.1:1/none",
                                 "MySQL/MariaDB support needs libmariadb.so", "libmariadb3");
    assert_false(mapped("libpq.so"));
    assert_false(mapped("libmariadb.so"));
}
#endif

/* Port 1 on the loopback refuses at once: the library loads, the connect
 * fails as a connect, not as a load. */
static void check_driver_loads(const dbshift_driver *drv, const char *url, const char *library)
{
    dbshift_conn_params params = {url, NULL, "test_dynload", 1};
    dbshift_error err = {0};
    void *conn = NULL;
    int rc = drv->open(&conn, &params, &err);
    drv->close(conn);
    if (rc != DBSHIFT_ECONNECT)
        fail_msg("%s: expected a connection error, got %d: %s", url, rc,
                 err.message ? err.message : "");
    assert_null(strstr(err.message, "could not be loaded"));
    dbshift_error_clear(&err);
    assert_true(mapped(library));
}

static void test_drivers_load_their_library_on_open(void **state)
{
    (void)state;
    check_driver_loads(&dbshift_driver_postgres, "postgres://u@127.0.0.1:1/none", "libpq.so");
    assert_false(mapped("libmariadb.so"));
    check_driver_loads(&dbshift_driver_mysql, "mysql://u@127.0.0.1:1/none", "libmariadb.so");
}

int main(void)
{
    /* In this order: the mapping checks need the drivers' libraries not
     * loaded yet, and the last test loads them. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_libraries_not_mapped_before_use),
        cmocka_unit_test(test_missing_library_is_named_with_its_package),
        cmocka_unit_test(test_missing_symbol_is_named_and_nothing_half_loaded),
        cmocka_unit_test(test_loads_once_and_calls_with_real_prototypes),
        cmocka_unit_test(test_concurrent_first_use),
#ifdef DBSHIFT_FAULTS
        cmocka_unit_test(test_drivers_report_a_missing_library),
#endif
        cmocka_unit_test(test_drivers_load_their_library_on_open),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
