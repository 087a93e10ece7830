/*
 * cmd_status.c - `dbshift status`: one row per migration, files and history
 * merged, with an arrow note on the rows that need attention (changed,
 * failed, missing, out of order) and a last line that says what to do next.
 * It takes no lock and changes nothing, so it is safe to run at any time.
 */
#include "cli.h"

#include <jansson.h>

#include <string.h>

static const char *state_name(int state)
{
    const char *name = dbshift_state_name(state);
    return name ? name : "unknown";
}

static json_t *str_or_null(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

static int print_status_json(dbshift *db, const dbshift_status *st)
{
    json_t *doc = json_object();
    json_t *list = json_array();

    json_object_set_new(doc, "database", str_or_null(dbshift_redacted_url(db)));
    json_object_set_new(doc, "format", str_or_null(st->format));
    for (size_t i = 0; i < st->count; i++) {
        const dbshift_migration_status *m = &st->migrations[i];
        json_t *o = json_object();
        json_object_set_new(o, "version", str_or_null(m->version));
        json_object_set_new(o, "name", str_or_null(m->name));
        json_object_set_new(o, "file", str_or_null(m->file));
        json_object_set_new(o, "state", json_string(state_name(m->state)));
        json_object_set_new(o, "applied_at", str_or_null(m->applied_at));
        json_object_set_new(o, "execution_ms",
                            m->execution_ms >= 0 ? json_integer(m->execution_ms) : json_null());
        json_object_set_new(o, "checksum", str_or_null(m->checksum));
        json_object_set_new(o, "applied_checksum", str_or_null(m->applied_checksum));
        json_object_set_new(o, "repeatable", json_boolean(m->repeatable));
        json_object_set_new(o, "error", str_or_null(m->error));
        json_array_append_new(list, o);
    }
    json_object_set_new(doc, "migrations", list);
    json_object_set_new(doc, "pending", json_integer((json_int_t)st->pending));
    json_object_set_new(doc, "current_version", str_or_null(st->current_version));
    json_object_set_new(doc, "applied", json_integer((json_int_t)st->applied));
    json_object_set_new(doc, "failed", json_integer((json_int_t)st->failed));
    json_object_set_new(doc, "changed", json_integer((json_int_t)st->changed));
    json_object_set_new(doc, "missing", json_integer((json_int_t)st->missing));
    json_object_set_new(doc, "files", json_integer((json_int_t)st->nfiles));
    return cli_print_json(doc);
}

static const char *state_color(int state)
{
    switch (state) {
    case DBSHIFT_STATE_APPLIED:
    case DBSHIFT_STATE_REPEATABLE:
    case DBSHIFT_STATE_BASELINE:
        return "ok";
    case DBSHIFT_STATE_FAILED:
    case DBSHIFT_STATE_CHANGED:
    case DBSHIFT_STATE_MISSING:
        return "error";
    case DBSHIFT_STATE_PENDING:
    case DBSHIFT_STATE_REPEATABLE_PENDING:
        return "bold";
    default:
        return "warn";
    }
}

/* The arrow note of a row, or NULL when the row needs no explanation. */
static const char *row_note(const dbshift_migration_status *m, char *out, size_t size)
{
    switch (m->state) {
    case DBSHIFT_STATE_CHANGED:
        return "← file edited after it ran";
    case DBSHIFT_STATE_MISSING:
        return "← applied, but its file is gone";
    case DBSHIFT_STATE_OUT_OF_ORDER:
        return "← older than the newest applied; up needs --allow-out-of-order";
    case DBSHIFT_STATE_MANUAL:
        return "← waits for a manual step";
    case DBSHIFT_STATE_FAILED:
        snprintf(out, size, "← failed after %d statements: %s", m->statements_done,
                 m->error ? m->error : "see `dbshift history`");
        return out;
    default:
        return NULL;
    }
}

static void print_status_text(struct cli_context *ctx, dbshift *db, const dbshift_status *st)
{
    int vw = (int)strlen("version"), nw = (int)strlen("name"), sw = (int)strlen("state");
    char note[512];
    const char *sep = "";

    printf("database  %s   (format: %s, %zu file%s)\n", cli_database(db),
           st->format ? st->format : "none", st->nfiles, st->nfiles == 1 ? "" : "s");
    if (st->count == 0) {
        printf("no migrations in '%s' yet: create one with `dbshift new NAME`\n",
               ctx->config.migrations_dir);
        return;
    }
    for (size_t i = 0; i < st->count; i++) {
        const dbshift_migration_status *m = &st->migrations[i];
        int l;
        if (m->version && (l = (int)strlen(m->version)) > vw)
            vw = l;
        if (m->name && (l = (int)strlen(m->name)) > nw)
            nw = l;
        if ((l = (int)strlen(state_name(m->state))) > sw)
            sw = l;
    }
    printf("%s%-*s   %-*s   %-*s   %-16s   %6s%s\n", cli_color(ctx, stdout, "bold"), vw, "version",
           nw, "name", sw, "state", "applied", "took", cli_color(ctx, stdout, "reset"));
    for (size_t i = 0; i < st->count; i++) {
        const dbshift_migration_status *m = &st->migrations[i];
        const char *state = state_name(m->state);
        const char *why = row_note(m, note, sizeof(note));
        char applied[20] = "";
        char took[24] = "";

        if (m->applied_at) {
            /* "2026-01-02T10:11:12Z" shown as "2026-01-02 10:11". */
            snprintf(applied, sizeof(applied), "%.16s", m->applied_at);
            if (applied[10] == 'T')
                applied[10] = ' ';
        }
        if (m->execution_ms >= 0 && m->applied_at)
            snprintf(took, sizeof(took), "%lld ms", (long long)m->execution_ms);
        /* Rows that were never applied stop after the state: no trailing blanks. */
        printf("%-*s   %-*s   %s%-*s%s", vw, m->version ? m->version : "", nw,
               m->name ? m->name : "", cli_color(ctx, stdout, state_color(m->state)),
               applied[0] || why ? sw : 0, state, cli_color(ctx, stdout, "reset"));
        if (applied[0] || why)
            printf("   %-16s   %6s", applied, took);
        if (why)
            printf("   %s", why);
        printf("\n");
    }
    if (st->pending) {
        printf("%zu pending", st->pending);
        sep = " · ";
    }
    if (st->failed) {
        printf("%s%zu failed", sep, st->failed);
        sep = " · ";
    }
    if (st->changed) {
        printf("%s%zu changed", sep, st->changed);
        sep = " · ";
    }
    if (st->missing) {
        printf("%s%zu missing", sep, st->missing);
        sep = " · ";
    }
    if (st->failed)
        printf(": fix it and run `dbshift up --resume`, or `dbshift repair`\n");
    else if (st->changed || st->missing)
        printf(": run `dbshift validate` for details\n");
    else if (st->pending)
        printf(": run `dbshift up` to apply\n");
    else
        printf("up to date at %s\n", st->current_version ? st->current_version : "nothing");
}

int cmd_status(int argc, const char **argv, struct cli_context *ctx)
{
    bool exit_code = false;
    dbshift *db = NULL;
    dbshift_status *st = NULL;
    int npos;
    int rc;
    const struct cli_option options[] = {
        {CLI_OPT_BOOL, 0, "exit-code", NULL, &exit_code,
         "exit with status 3 when migrations are pending"},
        CLI_OPTION_END,
    };
    static const struct cli_command_help help = {
        "status [--exit-code] [options]",
        "Show every migration, applied or not, with its state.",
        "States: applied, pending, failed, changed, missing, out_of_order, repeatable,\n"
        "repeatable_pending, manual, baseline. Nothing is locked or changed.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos > 0)
        return cli_usage_error(ctx, "status takes no arguments");
    rc = cli_open(&db, ctx, true);
    if (rc)
        return rc;
    rc = dbshift_status_get(&st, db);
    if (rc < 0) {
        rc = cli_fail(ctx, db, rc);
        dbshift_free(db);
        return rc;
    }
    if (ctx->format == CLI_FORMAT_JSON)
        rc = print_status_json(db, st);
    else {
        print_status_text(ctx, db, st);
        rc = CLI_EXIT_OK;
    }
    if (rc == CLI_EXIT_OK && exit_code && st->pending > 0)
        rc = CLI_EXIT_PENDING;
    dbshift_status_free(st);
    dbshift_free(db);
    return rc;
}
