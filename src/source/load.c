/*
 * load.c - reading a migrations folder: listing it, reading every candidate
 * file exactly once, validating and normalizing the bytes, deciding which
 * tool's format the folder is in (by file names first, then by marker
 * comments), handing the files to that format's reader, and finally sorting
 * the result and refusing duplicate versions. Also the small text helpers
 * the readers share, so each reader is only about its own format.
 */
#include "source/formats.h"
#include "util/array.h"
#include "util/err.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* --- shared helpers ------------------------------------------------------ */

int source_error(dbshift_error *err, const char *file, int line, const char *fmt, ...)
{
    if (!err)
        return DBSHIFT_EPARSE;
    buf b = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    buf_vaddf(&b, fmt, ap);
    va_end(ap);
    if (line > 0)
        buf_addf(&b, " in '%s' line %d", file, line);
    else if (file)
        buf_addf(&b, " in '%s'", file);
    err_set(err, DBSHIFT_EPARSE, "%s", buf_failed(&b) ? "malformed migration file" : b.ptr);
    buf_release(&b);
    err_set_field(&err->file, file);
    err->line = line;
    return DBSHIFT_EPARSE;
}

int source_nomem(dbshift_error *err)
{
    return err_set(err, DBSHIFT_ENOMEM, "out of memory while reading migrations");
}

/* Makes room for n migrations in all, so a folder's set is allocated once
 * at its final size instead of doubling past it (10,000 files would
 * otherwise hold room for 16,384). */
int source_reserve(migration_set *set, size_t n)
{
    if (n <= set->capacity)
        return 0;
    migration *items = realloc(set->items, n * sizeof(*items));
    if (!items)
        return DBSHIFT_ENOMEM;
    set->items = items;
    set->capacity = n;
    return 0;
}

migration *source_add(migration_set *set)
{
    if (set->count == set->capacity &&
        source_reserve(set, set->capacity ? set->capacity * 2 : 16) != 0)
        return NULL;
    migration *m = &set->items[set->count++];
    memset(m, 0, sizeof(*m));
    return m;
}

int source_numsql_names(migration *m, const source_file *f, dbshift_error *err)
{
    const char *base = f->base;
    size_t len = strlen(base) - 4; /* without ".sql" */
    size_t digits = strspn(base, "0123456789");
    m->version = xstrndup(base, digits);
    m->name = digits < len ? xstrndup(base + digits + 1, len - digits - 1) : xstrdup("");
    m->file = xstrdup(f->path);
    return (m->version && m->name && m->file) ? 0 : source_nomem(err);
}

int source_section_set(migration_section *sec, const source_file *file, const char *text,
                       size_t len, int first_line, dbshift_error *err)
{
    free(sec->sql);
    free(sec->file);
    sec->sql = xstrndup(text, len);
    sec->file = xstrdup(file->path);
    if (!sec->sql || !sec->file)
        return source_nomem(err);
    sec->present = true;
    sec->first_line = first_line;
    return 0;
}

size_t source_line_len(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return (size_t)((nl ? nl : end) - p);
}

const char *source_skip_blank(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    return p;
}

int source_transaction_options(bool *no_transaction, const char *p, const char *end, char sep,
                               const char *format, const char *file, int line, dbshift_error *err)
{
    for (;;) {
        p = source_skip_blank(p, end);
        if (p >= end)
            return 0;
        const char *w = p;
        while (p < end && *p != ' ' && *p != '\t')
            p++;
        size_t n = (size_t)(p - w);
        bool is_transaction = n > 12 && memcmp(w, "transaction", 11) == 0 && w[11] == sep;
        if (is_transaction && n == 17 && memcmp(w + 12, "false", 5) == 0)
            *no_transaction = true;
        else if (is_transaction && n == 16 && memcmp(w + 12, "true", 4) == 0)
            *no_transaction = false;
        else
            return source_error(err, file, line, "unknown %s option '%.*s'", format, (int)n, w);
    }
}

const char *source_word(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(end - p) < n || strncasecmp(p, word, n) != 0)
        return NULL;
    p += n;
    if (p < end && *p != ' ' && *p != '\t' && *p != '\r')
        return NULL;
    return p;
}

bool source_ends_statement(const char *line, size_t len)
{
    const char *p = line, *end = line + len;
    const char *last = NULL, *last_end = NULL;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++;
        if (p >= end)
            break;
        const char *w = p;
        while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
            p++;
        if (p - w >= 2 && w[0] == '-' && w[1] == '-')
            break;
        last = w;
        last_end = p;
    }
    return last && last_end[-1] == ';';
}

bool source_only_comments(const char *text, size_t len, int first_line, int *bad_line)
{
    const char *p = text, *end = text + len;
    int line = first_line;
    while (p < end) {
        char c = *p;
        if (c == '\n') {
            line++;
            p++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
            p++;
        } else if (c == '-' && p + 1 < end && p[1] == '-') {
            p += source_line_len(p, end);
        } else if (c == '/' && p + 1 < end && p[1] == '*') {
            p += 2;
            while (p < end && !(p[0] == '*' && p + 1 < end && p[1] == '/')) {
                line += *p == '\n';
                p++;
            }
            p = p < end ? p + 2 : end;
        } else {
            if (bad_line)
                *bad_line = line;
            return false;
        }
    }
    return true;
}

/* --- the set ------------------------------------------------------------- */

/* A section's file is often the migration's own file: then it shares that
 * string (see share_file_names) and only the migration frees it. */
static void section_release(migration_section *s, const char *main_file)
{
    free(s->sql);
    if (s->file != main_file)
        free(s->file);
    free(s->stmt_offsets);
    free(s->stmt_lens);
}

void migration_set_free(migration_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++) {
        migration *m = &set->items[i];
        section_release(&m->up, m->file);
        section_release(&m->down, m->file);
        free(m->version);
        free(m->name);
        free(m->file);
        free(m->checksum);
        free(m->confirm);
        free(m->manual);
    }
    free(set->items);
    free(set->format);
    free(set->dir);
    free(set);
}

migration *migration_set_find(const migration_set *set, const char *version)
{
    if (!set || !version)
        return NULL;
    /* Versioned migrations come first and are sorted: binary search them. */
    size_t lo = 0, hi = set->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const migration *m = &set->items[mid];
        int c = m->repeatable ? 1 : version_compare(m->version, version);
        if (c == 0)
            return &set->items[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int compare_migrations(const void *pa, const void *pb)
{
    const migration *a = pa, *b = pb;
    if (a->repeatable != b->repeatable)
        return a->repeatable ? 1 : -1;
    if (a->repeatable)
        return strcmp(a->name, b->name);
    int c = version_compare(a->version, b->version);
    return c ? c : strcmp(a->file, b->file);
}

/* --- listing and reading ------------------------------------------------- */

typedef struct file_list {
    source_file *items;
    size_t count, cap;
} file_list;

static void file_list_release(file_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        free(l->items[i].path); /* rel points into it */
        free(l->items[i].text);
    }
    free(l->items);
}

static char *join_path(const char *dir, const char *rel)
{
    size_t dlen = strlen(dir);
    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    buf b = BUF_INIT;
    buf_add(&b, dir, dlen);
    buf_addc(&b, '/');
    buf_adds(&b, rel);
    return buf_detach(&b);
}

static int list_add(file_list *l, const char *dir, const char *rel, int kind, dbshift_error *err)
{
    if (array_reserve(&l->items, &l->cap, l->count + 1, sizeof(*l->items)) != 0)
        return source_nomem(err);
    source_file *f = &l->items[l->count];
    memset(f, 0, sizeof(*f));
    /* One exact-size allocation holds "<dir>/<rel>", and rel points into
     * it: a folder of 10,000 files is listed before any is read, so each
     * spare byte and malloc header here is paid 10,000 times at once. */
    size_t dlen = strlen(dir), rlen = strlen(rel);
    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    f->path = malloc(dlen + 1 + rlen + 1);
    if (!f->path)
        return source_nomem(err);
    memcpy(f->path, dir, dlen);
    f->path[dlen] = '/';
    memcpy(f->path + dlen + 1, rel, rlen + 1);
    f->rel = f->path + dlen + 1;
    const char *slash = strrchr(f->rel, '/');
    f->base = slash ? slash + 1 : f->rel;
    f->kind = kind;
    l->count++;
    return 0;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The dialect suffixes popx knows; a generic .up.sql file has none. */
static bool is_popx_token(const char *s, size_t len)
{
    static const char *const tokens[] = {"postgres", "mysql",     "sqlite3",
                                         "sqlite",   "cockroach", "autocommit"};
    for (size_t i = 0; i < sizeof(tokens) / sizeof(tokens[0]); i++)
        if (strlen(tokens[i]) == len && memcmp(tokens[i], s, len) == 0)
            return true;
    return false;
}

/* Kind of a top-level *.sql file from its name; 0 when no reader takes it. */
static int classify_sql(const char *name)
{
    size_t len = strlen(name);
    if ((name[0] == 'V' || name[0] == 'U') && is_digit(name[1]) && strstr(name, "__"))
        return SOURCE_KIND_FLYWAY;
    if (strncmp(name, "R__", 3) == 0 && len > 7)
        return SOURCE_KIND_FLYWAY;
    size_t i = 0;
    while (is_digit(name[i]))
        i++;
    if (i == 0 || name[i] != '_')
        return 0;
    size_t stem;
    if (ends_with(name, len, ".up.sql"))
        stem = len - 7;
    else if (ends_with(name, len, ".down.sql"))
        stem = len - 9;
    else
        return SOURCE_KIND_NUMSQL;
    /* The token before .up.sql: "x.postgres.up.sql", "x.autocommit.up.sql". */
    size_t dot = stem;
    while (dot > i && name[dot - 1] != '.')
        dot--;
    if (dot > i + 1 && is_popx_token(name + dot, stem - dot))
        return SOURCE_KIND_POPX;
    return SOURCE_KIND_UPDOWN;
}

static bool entry_is_dir(const char *dir, const struct dirent *de, bool *is_file)
{
    *is_file = false;
#ifdef _DIRENT_HAVE_D_TYPE
    if (de->d_type == DT_DIR)
        return true;
    if (de->d_type == DT_REG) {
        *is_file = true;
        return false;
    }
#endif
    char *p = join_path(dir, de->d_name);
    struct stat st;
    bool d = false;
    if (p && stat(p, &st) == 0) {
        d = S_ISDIR(st.st_mode);
        *is_file = S_ISREG(st.st_mode);
    }
    free(p);
    return d;
}

static int io_error(dbshift_error *err, const char *what, const char *path)
{
    int e = errno;
    err_set(err, DBSHIFT_EIO, "cannot %s '%s': %s", what, path, strerror(e));
    if (err)
        err_set_field(&err->file, path);
    return DBSHIFT_EIO;
}

/* Lists dir/sub (sub may be "") adding what kind_of says to take. */
static int list_folder(file_list *l, const char *dir, const char *sub, int depth,
                       dbshift_error *err)
{
    char *path = *sub ? join_path(dir, sub) : xstrdup(dir);
    if (!path)
        return source_nomem(err);
    DIR *d = opendir(path);
    if (!d) {
        int rc = (depth == 0 && errno == ENOENT) ? 1 : io_error(err, "read folder", path);
        free(path);
        return rc;
    }
    int rc = 0;
    struct dirent *de;
    buf rel = BUF_INIT;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (name[0] == '.')
            continue;
        bool is_file;
        bool is_dir = entry_is_dir(path, de, &is_file);
        buf_clear(&rel);
        if (*sub) {
            buf_adds(&rel, sub);
            buf_addc(&rel, '/');
        }
        buf_adds(&rel, name);
        if (buf_failed(&rel)) {
            rc = source_nomem(err);
            break;
        }
        size_t len = strlen(name);
        if (depth == 0 && is_dir) {
            if (strcmp(name, "repeatable") == 0 || (is_digit(name[0]) && strchr(name, '_')) ||
                (name[0] == 'v' && is_digit(name[1]))) /* temporal's v1.5/ */
                rc = list_folder(l, dir, rel.ptr, 1, err);
            continue;
        }
        if (!is_file)
            continue;
        if (depth == 1) {
            if (strncmp(sub, "repeatable", 10) == 0) {
                if (ends_with(name, len, ".sql"))
                    rc = list_add(l, dir, rel.ptr, SOURCE_KIND_REPEATABLE, err);
            } else if (sub[0] == 'v' && is_digit(sub[1])) {
                if (!strcmp(name, "manifest.json") || ends_with(name, len, ".sql"))
                    rc = list_add(l, dir, rel.ptr, SOURCE_KIND_TEMPORAL, err);
            } else if (!strcmp(name, "up.sql") || !strcmp(name, "down.sql") ||
                       !strcmp(name, "metadata.toml")) {
                rc = list_add(l, dir, rel.ptr, SOURCE_KIND_DIESEL, err);
            }
            continue;
        }
        if (!ends_with(name, len, ".sql"))
            continue; /* notes, READMEs, Go files: not migrations */
        int kind = classify_sql(name);
        if (!kind) {
            char *full = join_path(dir, rel.ptr);
            err_set(err, DBSHIFT_EPARSE, "'%s' is not a migration file name any format accepts",
                    full ? full : rel.ptr);
            if (err) {
                err_set_field(&err->file, full ? full : rel.ptr);
                err_hint(err, "name it <version>_<name>.sql or move it out of the folder");
            }
            free(full);
            rc = DBSHIFT_EPARSE;
            break;
        }
        rc = list_add(l, dir, rel.ptr, kind, err);
    }
    buf_release(&rel);
    closedir(d);
    free(path);
    return rc;
}

/* Offset of the first byte that is not strict UTF-8 (no overlongs, no
 * surrogates, nothing above U+10FFFF, no NUL), or len. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c >= 0x01 && c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else {
            return i;
        }
        if (len - i <= n)
            return i;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k <= n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += n + 1;
    }
    return len;
}

static int normalize_text(source_file *f, dbshift_error *err);

static int read_file(source_file *f, int dirfd, dbshift_error *err)
{
    /* Relative to the folder's descriptor: with thousands of files the
     * kernel's path walk is a visible share of the load time. */
    int fd = openat(dirfd, f->rel, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return io_error(err, "open", f->path);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return io_error(err, "stat", f->path);
    }
    size_t cap = (size_t)st.st_size, len = 0;
    char *data = malloc(cap + 1);
    if (!data) {
        close(fd);
        return source_nomem(err);
    }
    for (;;) {
        if (len == cap) {
            /* The file grew after fstat: keep reading. */
            char *bigger = realloc(data, cap * 2 + 4096 + 1);
            if (!bigger) {
                free(data);
                close(fd);
                return source_nomem(err);
            }
            data = bigger;
            cap = cap * 2 + 4096;
        }
        ssize_t n = read(fd, data + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            free(data);
            close(fd);
            return io_error(err, "read", f->path);
        }
        if (n == 0)
            break;
        len += (size_t)n;
        /* Got the size fstat promised: skip the read that would confirm
         * the end, one system call per file. */
        if (len == (size_t)st.st_size)
            break;
    }
    close(fd);
    data[len] = '\0';
    f->text = data;
    f->len = len;
    return normalize_text(f, err);
}

/* Checks f->text is strict UTF-8 and normalizes it in place; shared by the
 * folder reader and compiled-in migrations, so both see identical bytes. */
static int normalize_text(source_file *f, dbshift_error *err)
{
    char *data = f->text;
    size_t len = f->len;
    size_t bad = utf8_invalid_at((const unsigned char *)data, len);
    if (bad < len) {
        int line = 1;
        for (size_t i = 0; i < bad; i++)
            line += data[i] == '\n';
        return source_error(err, f->path, line,
                            data[bad] ? "invalid UTF-8 (byte 0x%02x)" : "NUL byte (0x%02x)",
                            (unsigned char)data[bad]);
    }
    /* Fold CRLF so line ends, section texts and checksums agree on every
     * checkout; drop a BOM some editors write. */
    size_t start = (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) ? 3 : 0;
    size_t w = 0;
    for (size_t r = start; r < len; r++) {
        if (data[r] == '\r' && r + 1 < len && data[r + 1] == '\n')
            continue;
        data[w++] = data[r];
    }
    data[w] = '\0';
    f->len = w;
    return 0;
}

/* Which marker comments a <digits>_<name>.sql file carries. */
static int find_marker(const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        size_t n = source_line_len(p, end);
        const char *q = source_skip_blank(p, p + n);
        if (p + n - q >= 2 && q[0] == '-' && q[1] == '-') {
            const char *r = source_skip_blank(q + 2, p + n);
            size_t rest = (size_t)(p + n - r);
            if (rest >= 8 && memcmp(r, "dbshift:", 8) == 0)
                return SOURCE_MARK_DBSHIFT;
            if (rest >= 6 && strncasecmp(r, "+goose", 6) == 0)
                return SOURCE_MARK_GOOSE;
            if (rest >= 8 && memcmp(r, "migrate:", 8) == 0)
                return SOURCE_MARK_DBMATE;
            if (rest >= 8 && strncasecmp(r, "+migrate", 8) == 0)
                return SOURCE_MARK_SQL_MIGRATE;
        }
        p += n + 1;
    }
    return SOURCE_MARK_NONE;
}

/* --- formats and detection ----------------------------------------------- */

#define KIND(k) (1u << (k))

static const struct format {
    const char *name;
    source_reader_fn read;
    unsigned kinds; /* file kinds the reader takes */
} formats[] = {
    {"dbshift", native_read, KIND(SOURCE_KIND_NUMSQL) | KIND(SOURCE_KIND_REPEATABLE)},
    {"golang-migrate", golang_migrate_read, KIND(SOURCE_KIND_UPDOWN)},
    {"sqlx", golang_migrate_read, KIND(SOURCE_KIND_UPDOWN) | KIND(SOURCE_KIND_NUMSQL)},
    {"goose", goose_read, KIND(SOURCE_KIND_NUMSQL)},
    {"dbmate", dbmate_read, KIND(SOURCE_KIND_NUMSQL)},
    {"sql-migrate", sql_migrate_read, KIND(SOURCE_KIND_NUMSQL)},
    {"flyway", flyway_read, KIND(SOURCE_KIND_FLYWAY)},
    {"diesel", diesel_read, KIND(SOURCE_KIND_DIESEL)},
    {"popx", popx_read, KIND(SOURCE_KIND_UPDOWN) | KIND(SOURCE_KIND_POPX)},
    {"temporal", temporal_read, KIND(SOURCE_KIND_TEMPORAL)},
};
enum {
    F_DBSHIFT,
    F_GOLANG,
    F_SQLX,
    F_GOOSE,
    F_DBMATE,
    F_SQL_MIGRATE,
    F_FLYWAY,
    F_DIESEL,
    F_POPX,
    F_TEMPORAL
};
#define NFORMATS (sizeof(formats) / sizeof(formats[0]))

/* The format a file can only belong to, or -1 when it fits several. */
static int file_format(const source_file *f)
{
    switch (f->kind) {
    case SOURCE_KIND_NUMSQL:
        switch (f->marker) {
        case SOURCE_MARK_DBSHIFT:
            return F_DBSHIFT;
        case SOURCE_MARK_GOOSE:
            return F_GOOSE;
        case SOURCE_MARK_DBMATE:
            return F_DBMATE;
        case SOURCE_MARK_SQL_MIGRATE:
            return F_SQL_MIGRATE;
        default:
            return -1;
        }
    case SOURCE_KIND_REPEATABLE:
        return F_DBSHIFT;
    case SOURCE_KIND_POPX:
        return F_POPX;
    case SOURCE_KIND_FLYWAY:
        return F_FLYWAY;
    case SOURCE_KIND_DIESEL:
        return F_DIESEL;
    case SOURCE_KIND_TEMPORAL:
        return F_TEMPORAL;
    default:
        return -1;
    }
}

/* The name a flexible file would suggest on its own. */
static const char *flexible_name(const source_file *f)
{
    return f->kind == SOURCE_KIND_UPDOWN ? "golang-migrate" : "sqlx";
}

static int mixed_error(dbshift_error *err, const char *fa, const char *a, const char *fb,
                       const char *b)
{
    err_set(err, DBSHIFT_EPARSE, "the folder mixes migration formats: '%s' is %s but '%s' is %s",
            fa, a, fb, b);
    if (err) {
        err_set_field(&err->file, fb);
        err_hint(err, "keep one tool's migrations per folder, or pass the format explicitly");
    }
    return DBSHIFT_EPARSE;
}

/* Detection as the files arrive: the first file only one format takes
 * decides, and every later one must agree. */
typedef struct detection {
    const source_file *first[NFORMATS];
    int found; /* index in formats, -1 while undecided */
    bool unmarked, updown;
} detection;

static int detect_add(detection *d, const source_file *f, dbshift_error *err)
{
    int fmt = file_format(f);
    if (fmt < 0) {
        d->unmarked |= f->kind == SOURCE_KIND_NUMSQL;
        d->updown |= f->kind == SOURCE_KIND_UPDOWN;
        return 0;
    }
    if (!d->first[fmt])
        d->first[fmt] = f;
    if (d->found >= 0 && d->found != fmt)
        return mixed_error(err, d->first[d->found]->path, formats[d->found].name, f->path,
                           formats[fmt].name);
    d->found = fmt;
    return 0;
}

/* Whether the format decided so far takes a file of f's kind. */
static int detect_check_kind(const detection *d, const source_file *f, dbshift_error *err)
{
    if (formats[d->found].kinds & KIND(f->kind))
        return 0;
    return mixed_error(err, d->first[d->found]->path, formats[d->found].name, f->path,
                       flexible_name(f));
}

static int detect(int *out, const file_list *l, dbshift_error *err)
{
    detection d = {.found = -1};
    for (size_t i = 0; i < l->count; i++) {
        int rc = detect_add(&d, &l->items[i], err);
        if (rc)
            return rc;
    }
    if (d.found < 0) {
        *out = d.unmarked ? F_SQLX : d.updown ? F_GOLANG : F_DBSHIFT;
        return 0;
    }
    for (size_t i = 0; i < l->count; i++) {
        int rc = detect_check_kind(&d, &l->items[i], err);
        if (rc)
            return rc;
    }
    *out = d.found;
    return 0;
}

static int compare_files(const void *pa, const void *pb)
{
    const source_file *a = pa, *b = pb;
    return strcmp(a->rel, b->rel);
}

static int check_duplicates(const migration_set *set, dbshift_error *err)
{
    for (size_t i = 1; i < set->count; i++) {
        const migration *a = &set->items[i - 1], *b = &set->items[i];
        if (a->repeatable || b->repeatable)
            break;
        if (version_compare(a->version, b->version) == 0) {
            err_set(err, DBSHIFT_EPARSE, "duplicate migration version %s: '%s' and '%s'",
                    b->version, a->file, b->file);
            if (err) {
                err_set_field(&err->file, b->file);
                err_hint(err, "give one of them a new version");
            }
            return DBSHIFT_EPARSE;
        }
    }
    return 0;
}

/* Index in formats of a format name; -1 (with a usage error) when unknown. */
static int format_index(const char *name, dbshift_error *err)
{
    for (size_t i = 0; i < NFORMATS; i++)
        if (strcmp(name, formats[i].name) == 0)
            return (int)i;
    err_set(err, DBSHIFT_EUSAGE, "unknown migration format '%s'", name);
    err_hint(err, "use one of dbshift, golang-migrate, sqlx, goose, dbmate, "
                  "sql-migrate, flyway, diesel, popx, temporal");
    return -1;
}

static int finish_set(migration_set *set, file_list *l, int fmt, const source_options *opts,
                      dbshift_error *err);

/* A section read from the migration's own file shares that string with
 * it, so a folder of 10,000 migrations holds each path once. */
static void share_file_names(migration *m)
{
    migration_section *secs[] = {&m->up, &m->down};
    for (size_t k = 0; k < 2; k++) {
        migration_section *sec = secs[k];
        if (m->file && sec->file && sec->file != m->file && !strcmp(sec->file, m->file)) {
            free(sec->file);
            sec->file = m->file;
        }
    }
}

/* Status and validate need each migration's identity and checksum, never
 * its SQL: without it a large folder takes a fraction of the memory. */
static void drop_sql(migration *m)
{
    migration_section *secs[] = {&m->up, &m->down};
    for (size_t k = 0; k < 2; k++) {
        migration_section *sec = secs[k];
        free(sec->sql);
        free(sec->stmt_offsets);
        free(sec->stmt_lens);
        sec->sql = NULL;
        sec->stmt_offsets = NULL;
        sec->stmt_lens = NULL;
        sec->nstatements = 0;
    }
}

/* Tidies the migrations a reader appended from index from on. */
static void settle(migration_set *set, size_t from, const source_options *opts)
{
    for (size_t i = from; i < set->count; i++) {
        share_file_names(&set->items[i]);
        if (opts->metadata_only)
            drop_sql(&set->items[i]);
    }
    set->without_sql = opts->metadata_only;
}

/* Readers that make each migration from one file alone, so the loader can
 * hand files over as it reads them and drop each text at once instead of
 * holding the whole folder in memory. */
static bool reads_file_by_file(int fmt)
{
    return fmt == F_DBSHIFT || fmt == F_GOOSE || fmt == F_DBMATE || fmt == F_SQL_MIGRATE;
}

/* Hands files [from, to) to a file-by-file reader, one at a time. d is the
 * detection that chose fmt, NULL when the caller named the format. */
static int feed(migration_set *set, file_list *l, size_t from, size_t to, int fmt,
                const detection *d, const source_options *opts, dbshift_error *err)
{
    for (size_t k = from; k < to; k++) {
        source_file *f = &l->items[k];
        int rc;
        if (d)
            rc = detect_check_kind(d, f, err);
        else if (!(formats[fmt].kinds & KIND(f->kind)))
            rc = source_error(err, f->path, 0, "the file is not a %s migration", formats[fmt].name);
        else
            rc = 0;
        size_t before = set->count;
        if (rc == 0)
            rc = formats[fmt].read(set, f, 1, opts, err);
        settle(set, before, opts);
        free(f->text);
        f->text = NULL;
        if (rc)
            return rc;
    }
    return 0;
}

/* Sorting, the duplicate check and trimming, for every format alike. */
static int finalize_set(migration_set *set, dbshift_error *err)
{
    if (!set->count)
        return 0;
    /* Files are read in name order, which is usually version order
     * already: a linear check spares sorting 10,000 entries again. */
    size_t i = 1;
    while (i < set->count && compare_migrations(&set->items[i - 1], &set->items[i]) <= 0)
        i++;
    if (i < set->count)
        qsort(set->items, set->count, sizeof(*set->items), compare_migrations);
    int rc = check_duplicates(set, err);
    /* Files that made no migration (pairs, skipped dialects) leave room
     * unused in a set a handle may keep for its whole life. */
    if (rc == 0 && set->count < set->capacity) {
        migration *items = realloc(set->items, set->count * sizeof(*items));
        if (items) {
            set->items = items;
            set->capacity = set->count;
        }
    }
    return rc;
}

static int set_format(migration_set *set, int fmt, dbshift_error *err)
{
    set->format = xstrdup(formats[fmt].name);
    return set->format ? 0 : source_nomem(err);
}

int migration_set_load(migration_set **out, const char *dir, const source_options *opts,
                       dbshift_error *err)
{
    static const source_options no_options = {0};
    *out = NULL;
    if (!dir)
        return err_set(err, DBSHIFT_EUSAGE, "no migrations folder given");
    if (!opts)
        opts = &no_options;
    int fmt = -1;
    if (opts->format && (fmt = format_index(opts->format, err)) < 0)
        return DBSHIFT_EUSAGE;

    migration_set *set = calloc(1, sizeof(*set));
    if (!set)
        return source_nomem(err);
    set->dir = xstrdup(dir);
    file_list l = {0};
    int rc = set->dir ? 0 : source_nomem(err);
    if (rc == 0)
        rc = list_folder(&l, dir, "", 0, err);
    /* Files handed to a reader so far, and the format they were read as:
     * once the format is known and its reader goes file by file, each
     * file is read, parsed and dropped before the next is opened. */
    size_t fed = 0;
    int chosen = fmt;
    if (rc == 1) {
        rc = 0; /* no folder: nothing to migrate yet */
    } else if (rc == 0 && l.count) {
        qsort(l.items, l.count, sizeof(*l.items), compare_files);
        /* Every reader makes at most one migration per file. */
        if (source_reserve(set, l.count) != 0)
            rc = source_nomem(err);
        int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (rc == 0 && dirfd < 0)
            rc = io_error(err, "open folder", dir);
        detection d = {.found = -1};
        for (size_t i = 0; rc == 0 && i < l.count; i++) {
            source_file *f = &l.items[i];
            rc = read_file(f, dirfd, err);
            if (rc == 0 && f->kind == SOURCE_KIND_NUMSQL)
                f->marker = find_marker(f->text, f->len);
            if (rc == 0 && fmt < 0) {
                rc = detect_add(&d, f, err);
                chosen = d.found;
            }
            if (rc == 0 && chosen >= 0 && reads_file_by_file(chosen)) {
                rc = feed(set, &l, fed, i + 1, chosen, fmt < 0 ? &d : NULL, opts, err);
                fed = i + 1;
            }
        }
        if (dirfd >= 0)
            close(dirfd);
    }
    set->nfiles = l.count;
    if (rc == 0 && fed > 0) {
        rc = set_format(set, chosen, err);
        if (rc == 0)
            rc = finalize_set(set, err);
    } else if (rc == 0) {
        rc = finish_set(set, &l, fmt, opts, err);
    }
    file_list_release(&l);
    if (rc != 0) {
        migration_set_free(set);
        return rc;
    }
    *out = set;
    return 0;
}

/* Everything after the files are in memory (markers found): format
 * detection, the reader, sorting and the duplicate check. fmt is an index
 * in formats or -1. */
static int finish_set(migration_set *set, file_list *l, int fmt, const source_options *opts,
                      dbshift_error *err)
{
    int rc = 0;
    if (fmt < 0) {
        rc = detect(&fmt, l, err);
    } else {
        for (size_t i = 0; i < l->count; i++) {
            if (!(formats[fmt].kinds & KIND(l->items[i].kind))) {
                rc = source_error(err, l->items[i].path, 0, "the file is not a %s migration",
                                  formats[fmt].name);
                break;
            }
        }
    }
    if (rc == 0)
        rc = set_format(set, fmt, err);
    if (rc == 0 && l->count && source_reserve(set, l->count) != 0)
        rc = source_nomem(err);
    if (rc == 0 && l->count)
        rc = formats[fmt].read(set, l->items, l->count, opts, err);
    settle(set, 0, opts);
    if (rc == 0)
        rc = finalize_set(set, err);
    return rc;
}

/* --- files already in memory (compiled-in migrations) -------------------- */

/* What kind of file rel (a path inside the folder) is, following the same
 * rules as list_folder; 0 when a folder read would not have taken it. */
static int classify_rel(const char *rel)
{
    const char *slash = strchr(rel, '/');
    size_t len = strlen(rel);
    if (!slash)
        return ends_with(rel, len, ".sql") ? classify_sql(rel) : 0;
    if (strchr(slash + 1, '/'))
        return 0;
    if (strncmp(rel, "repeatable/", 11) == 0)
        return ends_with(rel, len, ".sql") ? SOURCE_KIND_REPEATABLE : 0;
    if (rel[0] == 'v' && is_digit(rel[1]))
        return !strcmp(slash + 1, "manifest.json") || ends_with(rel, len, ".sql")
                   ? SOURCE_KIND_TEMPORAL
                   : 0;
    if (!is_digit(rel[0]) || !memchr(rel, '_', (size_t)(slash - rel)))
        return 0;
    const char *base = slash + 1;
    if (!strcmp(base, "up.sql") || !strcmp(base, "down.sql") || !strcmp(base, "metadata.toml"))
        return SOURCE_KIND_DIESEL;
    return 0;
}

int source_load_memory(migration_set **out, const char *dir, const source_memory_file *files,
                       size_t nfiles, const char *format, const source_options *opts,
                       dbshift_error *err)
{
    static const source_options no_options = {0};
    *out = NULL;
    if (!opts)
        opts = &no_options;
    if (!format)
        format = opts->format;
    int fmt = -1;
    if (format && (fmt = format_index(format, err)) < 0)
        return DBSHIFT_EUSAGE;
    migration_set *set = calloc(1, sizeof(*set));
    if (!set)
        return source_nomem(err);
    file_list l = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < nfiles; i++) {
        int kind = classify_rel(files[i].rel);
        if (!kind) {
            rc = source_error(err, files[i].rel, 0,
                              "'%s' is not a migration file name any format accepts", files[i].rel);
            break;
        }
        rc = list_add(&l, dir, files[i].rel, kind, err);
        if (rc)
            break;
        source_file *f = &l.items[l.count - 1];
        f->text = malloc(files[i].len + 1);
        if (!f->text) {
            rc = source_nomem(err);
            break;
        }
        memcpy(f->text, files[i].text, files[i].len);
        f->text[files[i].len] = '\0';
        f->len = files[i].len;
        rc = normalize_text(f, err);
    }
    set->nfiles = l.count;
    if (rc == 0 && l.count)
        qsort(l.items, l.count, sizeof(*l.items), compare_files);
    for (size_t i = 0; rc == 0 && i < l.count; i++)
        if (l.items[i].kind == SOURCE_KIND_NUMSQL)
            l.items[i].marker = find_marker(l.items[i].text, l.items[i].len);
    if (rc == 0)
        rc = finish_set(set, &l, fmt, opts, err);
    file_list_release(&l);
    if (rc != 0) {
        migration_set_free(set);
        return rc;
    }
    *out = set;
    return 0;
}

int source_folder_files(source_memory_file **out, size_t *nout, const char *dir, dbshift_error *err)
{
    *out = NULL;
    *nout = 0;
    file_list l = {0};
    int rc = list_folder(&l, dir, "", 0, err);
    if (rc == 1)
        return 0; /* no folder: nothing to embed */
    if (rc == 0 && l.count) {
        qsort(l.items, l.count, sizeof(*l.items), compare_files);
        int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd < 0)
            rc = io_error(err, "open folder", dir);
        for (size_t i = 0; rc == 0 && i < l.count; i++)
            rc = read_file(&l.items[i], dirfd, err);
        if (dirfd >= 0)
            close(dirfd);
    }
    source_memory_file *files = NULL;
    if (rc == 0 && l.count && !(files = calloc(l.count, sizeof(*files))))
        rc = source_nomem(err);
    if (rc != 0) {
        file_list_release(&l);
        return rc;
    }
    /* Hand the texts over with a copy of each relative path. */
    for (size_t i = 0; rc == 0 && i < l.count; i++) {
        files[i].rel = xstrdup(l.items[i].rel);
        files[i].text = l.items[i].text;
        files[i].len = l.items[i].len;
        l.items[i].text = NULL;
        if (!files[i].rel)
            rc = source_nomem(err);
    }
    if (rc != 0) {
        source_memory_files_free(files, l.count);
        file_list_release(&l);
        return rc;
    }
    *out = files;
    *nout = l.count;
    file_list_release(&l);
    return 0;
}

void source_memory_files_free(source_memory_file *files, size_t nfiles)
{
    for (size_t i = 0; files && i < nfiles; i++) {
        free((char *)files[i].rel);
        free((char *)files[i].text);
    }
    free(files);
}
