/*
 * progress.c - the progress display for long runs. On a terminal, one line
 * on stderr is redrawn in place: migrations done out of the total, a bar,
 * the elapsed time, the migration and statement running; a statement busy
 * for more than two seconds gets a spinner with its own elapsed time, so a
 * user can tell a slow UPDATE from a hung program. Off a terminal a bar
 * would fill a log with carriage returns, so a plain line is written every
 * few seconds instead, and only while something is running.
 *
 * The library reports only when something starts or ends, so a ticker
 * thread redraws between events. Both threads draw, hence one mutex around
 * the state and the output. The finished "apply ... ok" lines still come
 * from cli_on_event: the bar is cleared before any other output and drawn
 * again after it, and the "apply" label is not printed when a migration
 * starts (that would leave a half line under the bar) but whole when it ends.
 */
#include "progress.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define SPINNER_AFTER_MS 2000
#define PLAIN_EVERY_MS 5000
#define TICK_MS 125

struct cli_progress {
    struct cli_context *ctx;
    dbshift_config saved; /* the callbacks and payload to give back */
    bool bar;             /* redrawn line; false: plain lines */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t ticker;
    bool ticker_running;
    bool stopping;
    bool drawn;   /* a bar is on the screen */
    bool asking;  /* a confirmation prompt owns the terminal */
    bool in_stmt; /* a migration is running */
    size_t index; /* 1-based migration in the run */
    size_t count;
    size_t stmt_index, stmt_count;
    char label[160];
    char sql[160];
    int64_t run_start, mig_start, stmt_start, last_plain;
    unsigned spin;
};

int cli_progress_parse(const char *text, int *mode)
{
    static const char *const names[] = {"never", "auto", "always"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(text, names[i])) {
            *mode = i;
            return 0;
        }
    return -1;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int terminal_width(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col;
    return 80;
}

static void clock_text(char *out, size_t size, int64_t ms)
{
    /* Bounded parts (hours below 10,000) so the text always fits 16 bytes,
     * which the compiler can see too. */
    int64_t s = ms < 0 ? 0 : ms / 1000;
    unsigned hours = (unsigned)(s / 3600 % 10000), minutes = (unsigned)(s / 60 % 60),
             seconds = (unsigned)(s % 60);
    if (s >= 3600)
        snprintf(out, size, "%u:%02u:%02u", hours, minutes, seconds);
    else
        snprintf(out, size, "%02u:%02u", minutes, seconds);
}

/* One line of SQL for display: whitespace runs folded to one space. */
static void sql_excerpt(char *out, size_t size, const char *sql)
{
    size_t n = 0;
    bool space = false;
    for (const char *p = sql; p && *p && n + 1 < size; p++) {
        if (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
            space = n > 0;
            continue;
        }
        if (space && n + 2 < size)
            out[n++] = ' ';
        space = false;
        out[n++] = *p;
    }
    out[n] = '\0';
}

/* Fraction of the run done: whole migrations plus the statements of the
 * running one. */
static double done_fraction(const struct cli_progress *p)
{
    if (!p->count)
        return 0;
    double done = p->index ? (double)(p->index - 1) : 0;
    if (p->in_stmt && p->stmt_count)
        done += (double)(p->stmt_index ? p->stmt_index - 1 : 0) / (double)p->stmt_count;
    return done / (double)p->count;
}

static void clear_bar(struct cli_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        p->drawn = false;
    }
}

static void draw_bar(struct cli_progress *p)
{
    if (!p->in_stmt || p->asking)
        return;
    int64_t t = now_ms();
    char elapsed[16], stmt_elapsed[16];
    clock_text(elapsed, sizeof(elapsed), t - p->run_start);
    int width = terminal_width();
    char line[512];
    int cells = 20;
    int filled = (int)(done_fraction(p) * cells + 0.5);
    int n = snprintf(line, sizeof(line), "apply  %zu/%zu  [", p->index, p->count);
    /* Full and light blocks are three bytes each in UTF-8: count cells,
     * not bytes, when trimming to the width below. */
    for (int i = 0; i < cells && n + 4 < (int)sizeof(line); i++)
        n += snprintf(line + n, sizeof(line) - (size_t)n, "%s", i < filled ? "\u2588" : "\u2591");
    n += snprintf(line + n, sizeof(line) - (size_t)n, "]  %3d%%  %s  ",
                  (int)(done_fraction(p) * 100), elapsed);
    int visible = n - cells * 2; /* each block: 3 bytes, 1 column */
    if (t - p->stmt_start >= SPINNER_AFTER_MS) {
        static const char spinner[] = "|/-\\";
        clock_text(stmt_elapsed, sizeof(stmt_elapsed), t - p->stmt_start);
        int k = snprintf(line + n, sizeof(line) - (size_t)n, "%c %s  ", spinner[p->spin++ % 4],
                         stmt_elapsed);
        n += k;
        visible += k;
    }
    int k = snprintf(line + n, sizeof(line) - (size_t)n, "%s", p->label);
    n += k;
    visible += k;
    if (p->stmt_count > 1) {
        k = snprintf(line + n, sizeof(line) - (size_t)n, "  stmt %zu/%zu", p->stmt_index,
                     p->stmt_count);
        n += k;
        visible += k;
    }
    if (p->sql[0] && n + 3 < (int)sizeof(line)) {
        k = snprintf(line + n, sizeof(line) - (size_t)n, "  %s", p->sql);
        n = n + k >= (int)sizeof(line) ? (int)sizeof(line) - 1 : n + k;
        visible += k;
    }
    /* Never wrap: a wrapped line cannot be redrawn with a carriage return. */
    if (visible > width - 1)
        n -= visible - (width - 1);
    fprintf(stderr, "\r\033[K%.*s", n, line);
    fflush(stderr);
    p->drawn = true;
}

static void plain_line(struct cli_progress *p)
{
    int64_t t = now_ms();
    char elapsed[16], stmt_elapsed[16];
    clock_text(elapsed, sizeof(elapsed), t - p->run_start);
    clock_text(stmt_elapsed, sizeof(stmt_elapsed), t - p->stmt_start);
    /* An "apply ..." line waiting for its result is finished first; it is
     * printed again whole with the result. */
    cli_close_line(p->ctx);
    fprintf(stderr, "progress: %zu/%zu %s, statement %zu/%zu running for %s, %s elapsed\n",
            p->index, p->count, p->label, p->stmt_index, p->stmt_count, stmt_elapsed, elapsed);
    fflush(stderr);
    p->last_plain = t;
}

static void *tick(void *arg)
{
    struct cli_progress *p = arg;
    pthread_mutex_lock(&p->lock);
    while (!p->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&p->wake, &p->lock, &until);
        if (p->stopping || !p->in_stmt || p->asking)
            continue;
        if (p->bar)
            draw_bar(p);
        else if (now_ms() - p->last_plain >= PLAIN_EVERY_MS)
            plain_line(p);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static void on_event(const dbshift_event *ev, void *payload)
{
    struct cli_progress *p = payload;
    pthread_mutex_lock(&p->lock);
    int64_t t = now_ms();
    bool forward = true;
    switch (ev->type) {
    case DBSHIFT_EV_MIGRATION_START:
        if (!p->run_start)
            p->run_start = t;
        p->index = ev->index;
        p->count = ev->count;
        p->stmt_index = 0;
        p->stmt_count = ev->statement_count;
        p->mig_start = p->stmt_start = t;
        p->in_stmt = true;
        p->sql[0] = '\0';
        snprintf(p->label, sizeof(p->label), "%s_%s", ev->version ? ev->version : "?",
                 ev->name ? ev->name : "");
        /* Plain mode: the first line after a few seconds, not at once. */
        p->last_plain = t;
        forward = !p->bar || p->stopping;
        break;
    case DBSHIFT_EV_STATEMENT:
        p->stmt_index = ev->statement_index;
        p->stmt_count = ev->statement_count;
        p->stmt_start = t;
        sql_excerpt(p->sql, sizeof(p->sql), ev->sql);
        break;
    case DBSHIFT_EV_MIGRATION_DONE:
        p->in_stmt = false;
        break;
    default:
        break;
    }
    if (forward) {
        clear_bar(p);
        p->saved.on_event(ev, p->saved.payload);
    }
    if (p->bar && !p->stopping)
        draw_bar(p);
    pthread_mutex_unlock(&p->lock);
}

static bool on_confirm(const char *question, const char *details, void *payload)
{
    struct cli_progress *p = payload;
    pthread_mutex_lock(&p->lock);
    clear_bar(p);
    p->asking = true;
    pthread_mutex_unlock(&p->lock);
    /* Unlocked while a human thinks: the ticker only checks `asking`. */
    bool yes = p->saved.confirm ? p->saved.confirm(question, details, p->saved.payload) : false;
    pthread_mutex_lock(&p->lock);
    p->asking = false;
    p->stmt_start = now_ms();
    pthread_mutex_unlock(&p->lock);
    return yes;
}

static const char *on_getenv(const char *name, void *payload)
{
    struct cli_progress *p = payload;
    return p->saved.get_env ? p->saved.get_env(name, p->saved.payload) : NULL;
}

struct cli_progress *cli_progress_attach(struct cli_context *ctx, int mode)
{
    if (mode == CLI_PROGRESS_NEVER || ctx->format == CLI_FORMAT_JSON || ctx->quiet ||
        !ctx->config.on_event)
        return NULL;
    struct cli_progress *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    p->ctx = ctx;
    p->saved = ctx->config;
    p->bar = mode == CLI_PROGRESS_ALWAYS || isatty(STDERR_FILENO);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    p->run_start = 0;
    if (pthread_create(&p->ticker, NULL, tick, p) == 0)
        p->ticker_running = true;
    ctx->config.on_event = on_event;
    ctx->config.confirm = on_confirm;
    ctx->config.get_env = on_getenv;
    ctx->config.payload = p;
    return p;
}

void cli_progress_detach(struct cli_progress *p, struct cli_context *ctx)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = true;
    pthread_cond_signal(&p->wake);
    clear_bar(p);
    pthread_mutex_unlock(&p->lock);
    if (p->ticker_running)
        pthread_join(p->ticker, NULL);
    p->ticker_running = false;
    ctx->config.on_event = p->saved.on_event;
    ctx->config.confirm = p->saved.confirm;
    ctx->config.get_env = p->saved.get_env;
    ctx->config.payload = p->saved.payload;
}

void cli_progress_free(struct cli_progress *p)
{
    if (!p)
        return;
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
}
