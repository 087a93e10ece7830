/*
 * new_file.c - `dbshift new`: creating a native migration file, named by
 * UTC timestamp or by the next sequence number.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/handle.h"
#include "util/buf.h"
#include "util/err.h"

/* The next sequence number after the highest leading number in dir, with
 * the width of the widest one seen (at least 4). */
static void next_sequence(const char *dir, buf *out)
{
    DIR *d = opendir(dir);
    unsigned long long max = 0;
    int width = 4;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        int n = 0;
        while (isdigit((unsigned char)e->d_name[n]))
            n++;
        if (n == 0 || n > 18)
            continue;
        unsigned long long v = strtoull(e->d_name, NULL, 10);
        if (v > max)
            max = v;
        if (n > width)
            width = n;
    }
    if (d)
        closedir(d);
    buf_addf(out, "%0*llu", width, max + 1);
}

static int mkdir_p(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return -1;
    for (char *p = copy + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
                free(copy);
                return -1;
            }
            *p = '/';
        }
    }
    int rc = mkdir(copy, 0777) != 0 && errno != EEXIST ? -1 : 0;
    free(copy);
    return rc;
}

int dbshift_new_migration(char **path_out, dbshift *db, const char *name, bool sequential)
{
    *path_out = NULL;
    dbshift_error_clear(&db->error);
    if (!name || !*name)
        return err_set(&db->error, DBSHIFT_EUSAGE, "a migration needs a name");
    buf slug = BUF_INIT;
    for (const char *p = name; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (isalnum(c) || c == '_' || c >= 0x80)
            buf_addc(&slug, (char)(c < 0x80 ? tolower(c) : c));
        else if (slug.len && slug.ptr[slug.len - 1] != '_')
            buf_addc(&slug, '_');
    }
    while (slug.len && slug.ptr[slug.len - 1] == '_')
        slug.ptr[--slug.len] = '\0';
    if (slug.len == 0) {
        buf_release(&slug);
        return err_set(&db->error, DBSHIFT_EUSAGE, "migration name '%s' has no letters or digits",
                       name);
    }
    if (mkdir_p(db->migrations_dir) != 0) {
        buf_release(&slug);
        return err_set(&db->error, DBSHIFT_EIO, "cannot create folder '%s': %s", db->migrations_dir,
                       strerror(errno));
    }
    buf version = BUF_INIT;
    if (sequential) {
        next_sequence(db->migrations_dir, &version);
    } else {
        char stamp[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(stamp, sizeof(stamp), "%Y%m%d%H%M%S", &tm);
        buf_adds(&version, stamp);
    }
    buf path = BUF_INIT;
    buf_addf(&path, "%s/%s_%s.sql", db->migrations_dir, version.ptr, slug.ptr);
    int rc = 0;
    int fd = buf_failed(&path) ? -1 : open(path.ptr, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) {
        rc = err_set(&db->error, DBSHIFT_EIO, "cannot create '%s': %s", path.ptr, strerror(errno));
    } else {
        buf body = BUF_INIT;
        buf_addf(&body,
                 "-- %s\n"
                 "-- dbshift:up\n"
                 "\n"
                 "-- dbshift:down\n",
                 name);
        if (write(fd, body.ptr, body.len) != (ssize_t)body.len)
            rc = err_set(&db->error, DBSHIFT_EIO, "cannot write '%s': %s", path.ptr,
                         strerror(errno));
        close(fd);
        buf_release(&body);
    }
    buf_release(&slug);
    buf_release(&version);
    if (rc) {
        buf_release(&path);
        return rc;
    }
    *path_out = buf_detach(&path);
    return 0;
}
