/*
 * dynload.c - loads a driver's client library with dlopen() on first use and
 * resolves its functions into the driver's table (see dynload.h for why).
 * One process-wide mutex serialises loads: they happen once per library and
 * process, on a connect that is about to cost a network round trip anyway,
 * so contention does not matter, and holding the lock while the slots are
 * written means a thread that returns from dynload_require always sees a
 * complete table. The library is opened RTLD_LOCAL, so its symbols (and
 * those of everything it pulls in) never interpose on the program's own,
 * and it is never closed once loaded: the driver's connections may outlive
 * any one handle.
 */
#include "driver/dynload.h"
#include "util/err.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

/* A resolved address is stored into a function pointer by copying its
 * bytes, which POSIX dlsym() guarantees to be meaningful; ISO C has no
 * conversion between the two kinds of pointer. */
_Static_assert(sizeof(void (*)(void)) == sizeof(void *),
               "function and object pointers must have the same size for dlsym");

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;

#ifdef DBSHIFT_FAULTS
static bool fail_loads;

void dynload_test_fail_loads(bool on)
{
    pthread_mutex_lock(&load_lock);
    fail_loads = on;
    pthread_mutex_unlock(&load_lock);
}
#endif

static void clear_slots(const dynload_library *lib)
{
    void *none = NULL;
    for (size_t i = 0; i < lib->nsymbols; i++)
        memcpy(lib->symbols[i].slot, &none, sizeof(none));
}

/* Called with load_lock held and lib not loaded. */
static int load(dynload_library *lib, dbshift_error *err)
{
    const char *file = lib->soname;
#ifdef DBSHIFT_FAULTS
    if (fail_loads)
        file = "libdbshift-test-missing.so.0";
#endif
    void *handle = dlopen(file, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        err_set(err, DBSHIFT_EUNSUPPORTED, "%s needs %s, which could not be loaded: %s",
                lib->feature, lib->soname, why ? why : "no reason given");
        err_hint(err, "install the %s package (or the one that provides %s on this system)",
                 lib->package, lib->soname);
        return DBSHIFT_EUNSUPPORTED;
    }
    for (size_t i = 0; i < lib->nsymbols; i++) {
        const dynload_symbol *sym = &lib->symbols[i];
        dlerror(); /* only a failure of this dlsym() may be reported below */
        void *addr = dlsym(handle, sym->name);
        if (!addr) {
            /* A function is never at address 0: NULL means not found. */
            const char *why = dlerror();
            err_set(err, DBSHIFT_EUNSUPPORTED,
                    "%s needs %s with the function %s, which the installed copy lacks: %s",
                    lib->feature, lib->soname, sym->name, why ? why : "symbol not found");
            err_hint(err,
                     "install a newer %s package: dbshift was built against a version "
                     "that has %s",
                     lib->package, sym->name);
            clear_slots(lib);
            dlclose(handle);
            return DBSHIFT_EUNSUPPORTED;
        }
        memcpy(sym->slot, &addr, sizeof(addr));
    }
    lib->handle = handle;
    return 0;
}

int dynload_require(dynload_library *lib, dbshift_error *err)
{
    if (!lib)
        return err_set(err, DBSHIFT_EUSAGE, "no library to load");
    pthread_mutex_lock(&load_lock);
    int rc = lib->handle ? 0 : load(lib, err);
    pthread_mutex_unlock(&load_lock);
    return rc;
}
