/*
 * fuzz_source.c - libFuzzer target for the migration file readers. The
 * first input byte picks a format (and so a file name the reader accepts);
 * the rest becomes that file's content in a private temp folder, read with
 * migration_set_load with the format forced and once more detected. Every
 * input must be read or refused with an error; a crash, a leak or a read
 * migration without a version is a bug.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dbshift/driver.h"
#include "source/migration.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct format_case {
    const char *format;
    const char *subdir; /* diesel keeps each migration in a folder */
    const char *file;
    const char *second; /* a companion file given the same content, or NULL */
} format_case;

static const format_case cases[] = {
    {"dbshift", NULL, "0001_fuzz.sql", NULL},
    {"goose", NULL, "0001_fuzz.sql", NULL},
    {"dbmate", NULL, "20260101000000_fuzz.sql", NULL},
    {"sql-migrate", NULL, "1_fuzz.sql", NULL},
    {"golang-migrate", NULL, "1_fuzz.up.sql", "1_fuzz.down.sql"},
    {"sqlx", NULL, "1_fuzz.sql", NULL},
    {"flyway", NULL, "V1__fuzz.sql", NULL},
    {"diesel", "2026-01-01-000000_fuzz", "up.sql", "down.sql"},
};

static char dir[64];

static void path_of(char *out, size_t n, const format_case *c, const char *file)
{
    if (c->subdir)
        snprintf(out, n, "%s/%s/%s", dir, c->subdir, file);
    else
        snprintf(out, n, "%s/%s", dir, file);
}

static void write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
}

static void load(const char *format)
{
    migration_set *set = NULL;
    dbshift_error err = {0};
    source_options opts = {0};
    opts.format = format;
    opts.dialect = DBSHIFT_DIALECT_POSTGRES;
    int rc = migration_set_load(&set, dir, &opts, &err);
    if (rc == 0) {
        for (size_t i = 0; i < set->count; i++)
            if (!set->items[i].repeatable && !set->items[i].version)
                abort();
    } else if (set || !err.message) {
        abort();
    }
    migration_set_free(set);
    dbshift_error_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof(dir), "%s", "/tmp/dbshift-fuzz-source.XXXXXX");
        if (!mkdtemp(dir))
            abort();
    }
    if (size < 1)
        return 0;
    const format_case *c = &cases[data[0] % (sizeof(cases) / sizeof(cases[0]))];
    data++;
    size--;
    char path[256], second[256], sub[256];
    if (c->subdir) {
        snprintf(sub, sizeof(sub), "%s/%s", dir, c->subdir);
        mkdir(sub, 0700);
    }
    path_of(path, sizeof(path), c, c->file);
    write_file(path, data, size);
    if (c->second) {
        path_of(second, sizeof(second), c, c->second);
        write_file(second, data, size);
    }
    load(c->format);
    load(NULL);
    unlink(path);
    if (c->second)
        unlink(second);
    if (c->subdir)
        rmdir(sub);
    return 0;
}
