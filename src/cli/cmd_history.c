/*
 * cmd_history.c - `dbshift history`: the log of every attempt, newest first,
 * including failed ones, so a person can see what ran, when, by whom and why
 * it failed without opening the history table by hand.
 */
#include "cli.h"

#include <jansson.h>

#include <stdint.h>
#include <string.h>

static json_t *str_or_null(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

static int print_history_json(dbshift *db, const dbshift_history *h)
{
    json_t *doc = json_object();
    json_t *list = json_array();

    json_object_set_new(doc, "database", str_or_null(dbshift_redacted_url(db)));
    for (size_t i = 0; i < h->count; i++) {
        const dbshift_log_entry *e = &h->entries[i];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(e->id));
        json_object_set_new(o, "version", str_or_null(e->version));
        json_object_set_new(o, "name", str_or_null(e->name));
        json_object_set_new(o, "direction", str_or_null(e->direction));
        json_object_set_new(o, "started_at", str_or_null(e->started_at));
        json_object_set_new(o, "duration_ms", json_integer(e->duration_ms));
        json_object_set_new(o, "success", json_boolean(e->success));
        json_object_set_new(o, "error", str_or_null(e->error));
        json_object_set_new(o, "statement", str_or_null(e->statement));
        json_object_set_new(o, "file", str_or_null(e->file));
        json_object_set_new(o, "line", e->line > 0 ? json_integer(e->line) : json_null());
        json_object_set_new(o, "user", str_or_null(e->user));
        json_object_set_new(o, "host", str_or_null(e->host));
        json_object_set_new(o, "pid", e->pid > 0 ? json_integer(e->pid) : json_null());
        json_object_set_new(o, "lock_wait_ms", json_integer(e->lock_wait_ms));
        json_array_append_new(list, o);
    }
    json_object_set_new(doc, "entries", list);
    return cli_print_json(doc);
}

static void print_history_text(struct cli_context *ctx, dbshift *db, const dbshift_history *h)
{
    int vw = (int)strlen("version"), nw = (int)strlen("name");

    printf("database  %s\n", cli_database(db));
    if (h->count == 0) {
        printf("no runs recorded yet\n");
        return;
    }
    for (size_t i = 0; i < h->count; i++) {
        int l;
        if (h->entries[i].version && (l = (int)strlen(h->entries[i].version)) > vw)
            vw = l;
        if (h->entries[i].name && (l = (int)strlen(h->entries[i].name)) > nw)
            nw = l;
    }
    printf("%s%-16s   %-9s   %-*s   %-*s   %8s   %s%s\n", cli_color(ctx, stdout, "bold"), "when",
           "direction", vw, "version", nw, "name", "took", "result",
           cli_color(ctx, stdout, "reset"));
    for (size_t i = 0; i < h->count; i++) {
        const dbshift_log_entry *e = &h->entries[i];
        char when[20] = "";
        char took[24];

        if (e->started_at) {
            snprintf(when, sizeof(when), "%.16s", e->started_at);
            if (when[10] == 'T')
                when[10] = ' ';
        }
        snprintf(took, sizeof(took), "%lld ms", (long long)e->duration_ms);
        printf("%-16s   %-9s   %-*s   %-*s   %8s   ", when, e->direction ? e->direction : "", vw,
               e->version ? e->version : "", nw, e->name ? e->name : "", took);
        if (e->success)
            printf("%sok%s", cli_color(ctx, stdout, "ok"), cli_color(ctx, stdout, "reset"));
        else
            printf("%sfailed%s: %s", cli_color(ctx, stdout, "failed"),
                   cli_color(ctx, stdout, "reset"), e->error ? e->error : "unknown error");
        /* Concurrent runs queue on the lock; the wait explains a slow run. */
        if (e->lock_wait_ms > 0)
            printf("   waited %lld ms for the lock", (long long)e->lock_wait_ms);
        if (ctx->verbose && (e->user || e->host))
            printf("   by %s@%s pid %lld", e->user ? e->user : "?", e->host ? e->host : "?",
                   (long long)e->pid);
        printf("\n");
    }
}

int cmd_history(int argc, const char **argv, struct cli_context *ctx)
{
    int limit = 20;
    dbshift *db = NULL;
    dbshift_history *h = NULL;
    int npos;
    int rc;
    const struct cli_option options[] = {
        {CLI_OPT_INT, 0, "limit", "N", &limit, "show the N newest entries (default 20, 0: all)"},
        CLI_OPTION_END,
    };
    static const struct cli_command_help help = {
        "history [--limit N] [options]",
        "Show the log of every migration attempt, newest first, failed ones included.",
        "With --verbose each line also says who ran it, from which host and process.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos > 0)
        return cli_usage_error(ctx, "history takes no arguments");
    rc = cli_open(&db, ctx, true);
    if (rc)
        return rc;
    /* --limit 0 means all; ask for that explicitly rather than rely on 0. */
    rc = dbshift_history_get(&h, db, limit > 0 ? (size_t)limit : SIZE_MAX);
    if (rc < 0) {
        rc = cli_fail(ctx, db, rc);
        dbshift_free(db);
        return rc;
    }
    if (ctx->format == CLI_FORMAT_JSON) {
        rc = print_history_json(db, h);
    } else {
        print_history_text(ctx, db, h);
        rc = CLI_EXIT_OK;
    }
    dbshift_history_free(h);
    dbshift_free(db);
    return rc;
}
