/*
 * targets.c - running `up` on many databases at once. An operator with a
 * thousand tenant databases, or an application vendor with a folder of
 * user workspaces, wants one command that upgrades them all and a table at
 * the end saying which are done; one bad database must not hold the others
 * back (unless --fail-fast), and running the command again must simply
 * carry on, which is what `up` already does per target.
 *
 * Every target gets its own handle, hence its own connection, lock and
 * backup, so targets share nothing but the options. With --jobs N, N
 * worker threads take the next target from a shared counter; separate
 * handles are independent (see dbshift.h), so no library state is shared.
 * The per-migration lines of a single run would interleave between
 * threads, so each target reports one line when it finishes instead, and
 * errors are printed whole under a mutex.
 */
#include "targets.h"

#include <glob.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum target_result {
    RESULT_PENDING = 0,
    RESULT_UPGRADED,
    RESULT_CURRENT,
    RESULT_FAILED,
    RESULT_SKIPPED, /* not started: --fail-fast after an earlier failure */
};

struct target {
    char *url;   /* owned */
    char *shown; /* what the table shows: the path, or the redacted URL */
    int result;
    char *from, *to, *backup;
    size_t applied;
    int64_t ms;
    dbshift_error error;
};

struct fleet {
    struct cli_context *ctx;
    const dbshift_run_options *opts;
    const struct cli_targets_options *topts;
    struct target *items;
    size_t count;
    size_t next;
    bool stop;
    pthread_mutex_t lock; /* next, stop, and the terminal */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* A glob like 'workspaces/ *.db' (without the space) also matches the files SQLite and dbshift keep
 * beside a database: only real SQLite files count, never a backup. */
static bool is_sqlite_file(const char *path)
{
    if (ends_with(path, ".bak") || ends_with(path, ".lock") || ends_with(path, "-journal") ||
        ends_with(path, "-wal") || ends_with(path, "-shm"))
        return false;
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    char head[16];
    size_t n = fread(head, 1, sizeof(head), f);
    fclose(f);
    /* An empty file is a new SQLite database as far as SQLite is concerned. */
    return n == 0 || (n == 16 && !memcmp(head, "SQLite format 3", 16));
}

static int add_target(struct fleet *fl, size_t *cap, const char *url, const char *shown)
{
    if (fl->count == *cap) {
        size_t want = *cap ? *cap * 2 : 16;
        struct target *items = realloc(fl->items, want * sizeof(*items));
        if (!items)
            return -1;
        fl->items = items;
        *cap = want;
    }
    struct target *t = &fl->items[fl->count];
    memset(t, 0, sizeof(*t));
    t->url = strdup(url);
    t->shown = strdup(shown);
    if (!t->url || !t->shown) {
        free(t->url);
        free(t->shown);
        return -1;
    }
    fl->count++;
    return 0;
}

/* The URL with any password replaced by "***", for the table even when the
 * handle could not be opened (the library redacts it once it is). */
static char *redact(const char *url)
{
    const char *scheme = strstr(url, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;
    if (!at || !colon || colon > at)
        return strdup(url);
    size_t head = (size_t)(colon - url) + 1;
    size_t len = head + 3 + strlen(at) + 1;
    char *out = malloc(len);
    if (out)
        snprintf(out, len, "%.*s***%s", (int)head, url, at);
    return out;
}

/* Reads a list file: one URL per line, blank lines and # comments skipped;
 * a bare path is a SQLite file. Whether a line is shown redacted is decided
 * by the library when the handle opens. */
static int read_list(struct fleet *fl, size_t *cap, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char *line = NULL;
    size_t size = 0;
    ssize_t n;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &size, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
            line[--n] = '\0';
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '#')
            continue;
        if (strstr(s, "://") || !strncmp(s, "sqlite:", 7)) {
            char *shown = redact(s);
            rc = shown ? add_target(fl, cap, s, shown) : -1;
            free(shown);
        } else {
            size_t len = strlen(s) + 8;
            char *url = malloc(len);
            if (!url) {
                rc = -1;
                break;
            }
            snprintf(url, len, "sqlite:%s", s);
            rc = add_target(fl, cap, url, s);
            free(url);
        }
    }
    free(line);
    fclose(f);
    return rc;
}

static int collect(struct fleet *fl, const char *spec)
{
    size_t cap = 0;
    bool pattern = strpbrk(spec, "*?[") != NULL;
    if (!pattern && !is_sqlite_file(spec)) {
        if (read_list(fl, &cap, spec) != 0) {
            fprintf(stderr, "error: cannot read the target list '%s'\n", spec);
            return CLI_EXIT_USAGE;
        }
        return 0;
    }
    glob_t g;
    int grc = glob(spec, 0, NULL, &g);
    if (grc != 0 && grc != GLOB_NOMATCH) {
        fprintf(stderr, "error: cannot expand '%s'\n", spec);
        return CLI_EXIT_ERROR;
    }
    for (size_t i = 0; grc == 0 && i < g.gl_pathc; i++) {
        const char *path = g.gl_pathv[i];
        if (!is_sqlite_file(path))
            continue;
        size_t len = strlen(path) + 8;
        char *url = malloc(len);
        if (!url || (snprintf(url, len, "sqlite:%s", path), add_target(fl, &cap, url, path))) {
            free(url);
            globfree(&g);
            return CLI_EXIT_ERROR;
        }
        free(url);
    }
    if (grc == 0)
        globfree(&g);
    return 0;
}

/* Confirmations of one target: with one job on a terminal the person is
 * asked (naming the target); in parallel nobody could tell which target a
 * prompt is about, so only --yes answers. */
struct job {
    struct fleet *fl;
    struct target *t;
};

static bool job_confirm(const char *question, const char *details, void *payload)
{
    struct job *j = payload;
    struct cli_context *ctx = j->fl->ctx;
    if (j->fl->topts->jobs > 1 || !ctx->interactive)
        return false;
    pthread_mutex_lock(&j->fl->lock);
    fprintf(stderr, "%s:\n", j->t->shown);
    bool yes = cli_confirm(question, details, ctx);
    pthread_mutex_unlock(&j->fl->lock);
    return yes;
}

static void job_event(const dbshift_event *ev, void *payload)
{
    struct job *j = payload;
    /* Warnings still matter per target; the rest is summed up in the table. */
    if (ev->type == DBSHIFT_EV_LOG && ev->level >= DBSHIFT_LOG_WARN && ev->message) {
        pthread_mutex_lock(&j->fl->lock);
        fprintf(stderr, "warning: %s: %s\n", j->t->shown, ev->message);
        pthread_mutex_unlock(&j->fl->lock);
    }
}

static const char *job_getenv(const char *name, void *payload)
{
    struct job *j = payload;
    return cli_getenv(name, j->fl->ctx);
}

static const char *result_word(int result)
{
    switch (result) {
    case RESULT_UPGRADED:
        return "ok";
    case RESULT_CURRENT:
        return "current";
    case RESULT_FAILED:
        return "FAILED";
    case RESULT_SKIPPED:
        return "skipped";
    default:
        return "?";
    }
}

static void run_target(struct fleet *fl, struct target *t)
{
    struct job j = {fl, t};
    dbshift_config cfg = fl->ctx->config;
    cfg.url = t->url;
    cfg.on_event = job_event;
    cfg.confirm = job_confirm;
    cfg.get_env = job_getenv;
    cfg.payload = &j;
    int64_t t0 = now_ms();
    dbshift *db = NULL;
    dbshift_report *rep = NULL;
    int rc = dbshift_open(&db, &cfg, &t->error);
    if (rc == 0) {
        free(t->shown);
        t->shown = strdup(strncmp(t->url, "sqlite:", 7) ? dbshift_redacted_url(db) : t->url + 7);
        rc = dbshift_up(&rep, db, fl->opts);
        if (rc < 0) {
            const dbshift_error *e = dbshift_last_error(db);
            for (size_t i = 0; rep && i < rep->count; i++)
                if (rep->items[i].outcome == DBSHIFT_OUTCOME_FAILED && rep->items[i].error.code)
                    e = &rep->items[i].error;
            dbshift_error_copy(&t->error, e);
            if (!t->error.code)
                t->error.code = rc;
        }
    }
    if (rep) {
        t->from = dup_or_null(rep->from_version);
        t->to = dup_or_null(rep->to_version);
        t->backup = dup_or_null(rep->backup_path);
        for (size_t i = 0; i < rep->count; i++)
            t->applied += rep->items[i].outcome == DBSHIFT_OUTCOME_OK;
    } else if (db && rc == 0) {
        /* Nothing was planned: the table still says where it stands. */
        dbshift_status *st = NULL;
        if (dbshift_status_get(&st, db) == 0 && st->current_version) {
            t->from = strdup(st->current_version);
            t->to = strdup(st->current_version);
        }
        dbshift_status_free(st);
    }
    t->ms = now_ms() - t0;
    t->result = rc < 0 ? RESULT_FAILED : t->applied ? RESULT_UPGRADED : RESULT_CURRENT;
    dbshift_report_free(rep);
    dbshift_free(db);
}

static void report_done(struct fleet *fl, const struct target *t)
{
    struct cli_context *ctx = fl->ctx;
    if (ctx->format == CLI_FORMAT_JSON || ctx->quiet)
        return;
    if (t->result == RESULT_FAILED) {
        fprintf(stderr, "%s:\n", t->shown);
        cli_report_error(ctx, &t->error, NULL);
    } else {
        printf("%-7s %s %s → %s (%zu applied, %lld ms)\n", result_word(t->result), t->shown,
               t->from ? t->from : "-", t->to ? t->to : "-", t->applied, (long long)t->ms);
        fflush(stdout);
    }
}

static void *worker(void *arg)
{
    struct fleet *fl = arg;
    for (;;) {
        pthread_mutex_lock(&fl->lock);
        if (fl->next >= fl->count || fl->stop) {
            pthread_mutex_unlock(&fl->lock);
            return NULL;
        }
        struct target *t = &fl->items[fl->next++];
        pthread_mutex_unlock(&fl->lock);
        run_target(fl, t);
        pthread_mutex_lock(&fl->lock);
        if (t->result == RESULT_FAILED && fl->topts->fail_fast)
            fl->stop = true;
        report_done(fl, t);
        pthread_mutex_unlock(&fl->lock);
    }
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int print_summary(struct fleet *fl)
{
    size_t upgraded = 0, current = 0, failed = 0, skipped = 0;
    for (size_t i = 0; i < fl->count; i++) {
        upgraded += fl->items[i].result == RESULT_UPGRADED;
        current += fl->items[i].result == RESULT_CURRENT;
        failed += fl->items[i].result == RESULT_FAILED;
        skipped += fl->items[i].result == RESULT_SKIPPED;
    }
    struct cli_context *ctx = fl->ctx;
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_t *list = json_array();
        for (size_t i = 0; i < fl->count; i++) {
            const struct target *t = &fl->items[i];
            json_t *o = json_object();
            json_object_set_new(o, "target", json_string(t->shown));
            json_object_set_new(o, "from", str_or_null(t->from));
            json_object_set_new(o, "to", str_or_null(t->to));
            json_object_set_new(o, "outcome",
                                json_string(t->result == RESULT_UPGRADED  ? "upgraded"
                                            : t->result == RESULT_CURRENT ? "current"
                                            : t->result == RESULT_FAILED  ? "failed"
                                                                          : "skipped"));
            json_object_set_new(o, "applied", json_integer((json_int_t)t->applied));
            json_object_set_new(o, "execution_ms", json_integer((json_int_t)t->ms));
            json_object_set_new(o, "backup", str_or_null(t->backup));
            json_object_set_new(
                o, "error", t->result == RESULT_FAILED ? cli_json_error(&t->error) : json_null());
            json_array_append_new(list, o);
        }
        json_object_set_new(doc, "targets", list);
        json_object_set_new(doc, "upgraded", json_integer((json_int_t)upgraded));
        json_object_set_new(doc, "current", json_integer((json_int_t)current));
        json_object_set_new(doc, "failed", json_integer((json_int_t)failed));
        json_object_set_new(doc, "skipped", json_integer((json_int_t)skipped));
        int rc = cli_print_json(doc);
        if (rc)
            return rc;
    } else {
        int w = 6;
        for (size_t i = 0; i < fl->count; i++) {
            int n = (int)strlen(fl->items[i].shown);
            w = n > w ? n : w;
        }
        int vw = 4;
        for (size_t i = 0; i < fl->count; i++) {
            const struct target *t = &fl->items[i];
            int a = t->from ? (int)strlen(t->from) : 1, b = t->to ? (int)strlen(t->to) : 1;
            vw = a > vw ? a : vw;
            vw = b > vw ? b : vw;
        }
        printf("\n%-*s  %-*s  %-*s  %-8s  %8s\n", w, "target", vw, "from", vw, "to", "result",
               "took");
        for (size_t i = 0; i < fl->count; i++) {
            const struct target *t = &fl->items[i];
            char took[32] = "";
            if (t->result != RESULT_SKIPPED)
                snprintf(took, sizeof(took), "%lld ms", (long long)t->ms);
            printf("%-*s  %-*s  %-*s  %-8s  %8s%s\n", w, t->shown, vw, t->from ? t->from : "-", vw,
                   t->to ? t->to : "-", result_word(t->result), took,
                   t->result == RESULT_FAILED ? "   (see above)" : "");
        }
        printf("%zu target%s: %zu upgraded, %zu current, %zu failed", fl->count,
               fl->count == 1 ? "" : "s", upgraded, current, failed);
        if (skipped)
            printf(", %zu skipped", skipped);
        printf("%s\n", failed || skipped ? " — rerun to continue" : "");
    }
    for (size_t i = 0; i < fl->count; i++)
        if (fl->items[i].result == RESULT_FAILED)
            return cli_exit_code(fl->items[i].error.code);
    return skipped ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

int cli_up_targets(struct cli_context *ctx, const struct cli_targets_options *topts,
                   const dbshift_run_options *opts)
{
    struct fleet fl = {0};
    fl.ctx = ctx;
    fl.opts = opts;
    fl.topts = topts;
    pthread_mutex_init(&fl.lock, NULL);
    int rc = collect(&fl, topts->spec);
    if (rc == 0 && fl.count == 0) {
        fprintf(stderr, "error: no targets: '%s' matches no SQLite file and lists no URL\n",
                topts->spec);
        rc = CLI_EXIT_USAGE;
    }
    if (rc == 0) {
        size_t jobs = topts->jobs > 1 ? (size_t)topts->jobs : 1;
        if (jobs > fl.count)
            jobs = fl.count;
        pthread_t *threads = calloc(jobs, sizeof(*threads));
        size_t started = 0;
        /* The calling thread is a worker too, so --jobs 1 needs no thread. */
        for (size_t i = 1; threads && i < jobs; i++)
            if (pthread_create(&threads[i], NULL, worker, &fl) == 0)
                started = i;
        worker(&fl);
        for (size_t i = 1; i <= started; i++)
            pthread_join(threads[i], NULL);
        free(threads);
        for (size_t i = 0; i < fl.count; i++)
            if (fl.items[i].result == RESULT_PENDING)
                fl.items[i].result = RESULT_SKIPPED;
        rc = print_summary(&fl);
    }
    for (size_t i = 0; i < fl.count; i++) {
        struct target *t = &fl.items[i];
        free(t->url);
        free(t->shown);
        free(t->from);
        free(t->to);
        free(t->backup);
        dbshift_error_clear(&t->error);
    }
    free(fl.items);
    pthread_mutex_destroy(&fl.lock);
    return rc;
}
