/*
 * render.c - the stable JSON shapes shared by several commands (errors and
 * run reports) and the one-line text summary of a run. docs/json.md is the
 * contract for everything built here: fields are only ever added, never
 * renamed or removed, and absent values are JSON null rather than missing.
 */
#include "cli.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>

/* A string or JSON null. */
static json_t *str_or_null(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

int cli_print_json(json_t *doc)
{
    char *text;

    if (!doc) {
        fprintf(stderr, "error: out of memory building JSON output\n");
        return CLI_EXIT_ERROR;
    }
    text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(doc);
    if (!text) {
        fprintf(stderr, "error: out of memory building JSON output\n");
        return CLI_EXIT_ERROR;
    }
    puts(text);
    free(text);
    fflush(stdout);
    return 0;
}

json_t *cli_json_error(const dbshift_error *err)
{
    json_t *o;
    int code;

    if (!err || !err->code)
        return json_null();
    code = err->code;
    o = json_object();
    json_object_set_new(o, "code", str_or_null(dbshift_code_name(code)));
    json_object_set_new(o, "message", str_or_null(err->message));
    json_object_set_new(o, "sqlstate", err->sqlstate[0] ? json_string(err->sqlstate) : json_null());
    json_object_set_new(o, "file", str_or_null(err->file));
    json_object_set_new(o, "line", err->line > 0 ? json_integer(err->line) : json_null());
    json_object_set_new(o, "column", err->column > 0 ? json_integer(err->column) : json_null());
    json_object_set_new(o, "statement", str_or_null(err->statement));
    json_object_set_new(o, "detail", str_or_null(err->detail));
    json_object_set_new(o, "hint", str_or_null(err->hint));
    json_object_set_new(o, "exit_code", json_integer(cli_exit_code(code)));
    return o;
}

static const char *outcome_name(int outcome)
{
    switch (outcome) {
    case DBSHIFT_OUTCOME_OK:
        return "ok";
    case DBSHIFT_OUTCOME_FAILED:
        return "failed";
    case DBSHIFT_OUTCOME_PLANNED:
        return "planned";
    case DBSHIFT_OUTCOME_REHEARSED:
        return "rehearsed";
    case DBSHIFT_OUTCOME_SKIPPED:
        return "skipped";
    default:
        return "unknown";
    }
}

json_t *cli_json_report(dbshift *db, const dbshift_report *rep)
{
    json_t *doc = json_object();
    json_t *list = json_array();

    json_object_set_new(doc, "database", str_or_null(db ? dbshift_redacted_url(db) : NULL));
    for (size_t i = 0; rep && i < rep->count; i++) {
        const dbshift_run_item *it = &rep->items[i];
        json_t *o = json_object();
        json_object_set_new(o, "version", str_or_null(it->version));
        json_object_set_new(o, "name", str_or_null(it->name));
        json_object_set_new(o, "file", str_or_null(it->file));
        json_object_set_new(o, "direction",
                            json_string(it->direction == DBSHIFT_DOWN ? "down" : "up"));
        json_object_set_new(o, "outcome", json_string(outcome_name(it->outcome)));
        json_object_set_new(o, "execution_ms", json_integer(it->execution_ms));
        json_object_set_new(o, "statements_done", json_integer(it->statements_done));
        json_object_set_new(o, "statement_count", json_integer(it->statement_count));
        json_object_set_new(o, "transactional", json_boolean(it->transactional));
        json_object_set_new(o, "error", cli_json_error(&it->error));
        json_array_append_new(list, o);
    }
    json_object_set_new(doc, "migrations", list);
    json_object_set_new(doc, "from", str_or_null(rep ? rep->from_version : NULL));
    json_object_set_new(doc, "to", str_or_null(rep ? rep->to_version : NULL));
    json_object_set_new(doc, "backup", str_or_null(rep ? rep->backup_path : NULL));
    json_object_set_new(doc, "elapsed_ms", json_integer(rep ? rep->elapsed_ms : 0));
    return doc;
}

const char *cli_database(dbshift *db)
{
    const char *url = db ? dbshift_redacted_url(db) : NULL;
    return url ? url : "(unknown)";
}

void cli_render_report_summary(struct cli_context *ctx, const dbshift_report *rep, int direction,
                               bool dry_run, bool rehearse)
{
    size_t ups = 0, downs = 0;
    const char *now;
    const char *before;

    cli_close_line(ctx);
    for (size_t i = 0; rep && i < rep->count; i++) {
        if (rep->items[i].outcome == DBSHIFT_OUTCOME_FAILED ||
            rep->items[i].outcome == DBSHIFT_OUTCOME_SKIPPED)
            continue;
        if (rep->items[i].direction == DBSHIFT_DOWN)
            downs++;
        else
            ups++;
    }
    now = rep && rep->to_version ? rep->to_version : "nothing applied";
    before = rep && rep->from_version ? rep->from_version : "nothing applied";
    if (!rep || rep->count == 0) {
        /* Without a report the current version is unknown: say less. */
        if (direction == DBSHIFT_DOWN)
            printf("nothing to roll back%s%s\n", rep ? " · at " : "", rep ? now : "");
        else
            printf("nothing to apply · up to date%s%s\n", rep ? " at " : "", rep ? now : "");
        return;
    }
    if (dry_run) {
        printf("%zu %s planned (dry run, nothing changed) · still at %s\n", ups + downs,
               ups + downs == 1 ? "migration" : "migrations", before);
        return;
    }
    if (rehearse) {
        printf("%zu rehearsed in %lld ms and rolled back · still at %s\n", ups + downs,
               (long long)rep->elapsed_ms, before);
        return;
    }
    if (ups && downs)
        printf("%zu rolled back and %zu applied", downs, ups);
    else if (downs)
        printf("%zu rolled back", downs);
    else
        printf("%zu applied", ups);
    printf(" in %lld ms · now at %s\n", (long long)rep->elapsed_ms, now);
}

/* --dump-schema: after a run that changed something, the schema file in the
 * repository is rewritten so schema changes show up in code review. */
static int refresh_schema_file(struct cli_context *ctx, dbshift *db, bool nothing_changed)
{
    if (!ctx->dump_schema || nothing_changed || !db)
        return CLI_EXIT_OK;
    int rc = dbshift_dump_to_file(db, ctx->dump_schema);
    if (rc < 0)
        return cli_fail(ctx, db, rc);
    if (!ctx->quiet && ctx->format == CLI_FORMAT_TEXT)
        printf("schema  %s\n", ctx->dump_schema);
    return CLI_EXIT_OK;
}

int cli_open_and_run(struct cli_context *ctx, dbshift_run_options *opts, cli_run_fn *run,
                     int direction)
{
    dbshift *db = NULL;
    dbshift_report *rep = NULL;
    int rc = cli_open(&db, ctx, true);
    if (rc)
        return rc;
    opts->keep_backups = ctx->keep_backups;
    rc = run(&rep, db, opts);
    rc = cli_finish_run(ctx, db, rep, rc, direction, opts->dry_run, false);
    dbshift_report_free(rep);
    dbshift_free(db);
    return rc;
}

int cli_mark_version(struct cli_context *ctx, const char *version,
                     int (*mark)(dbshift *db, const char *version), const char *json_key,
                     const char *text_lead, const char *text_tail)
{
    dbshift *db = NULL;
    int rc = cli_open(&db, ctx, true);
    if (rc)
        return rc;
    rc = mark(db, version);
    if (rc < 0) {
        rc = cli_fail(ctx, db, rc);
    } else if (ctx->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "database", json_string(cli_database(db)));
        json_object_set_new(doc, json_key, json_string(version));
        rc = cli_print_json(doc);
    } else {
        printf("%s %s: %s\n", text_lead, version, text_tail);
        rc = CLI_EXIT_OK;
    }
    dbshift_free(db);
    return rc;
}

int cli_finish_run(struct cli_context *ctx, dbshift *db, const dbshift_report *rep, int rc,
                   int direction, bool dry_run, bool rehearse)
{
    const dbshift_run_item *failed = NULL;
    const dbshift_error *err = NULL;
    dbshift_error fallback = {0};

    for (size_t i = 0; rep && i < rep->count; i++)
        if (rep->items[i].outcome == DBSHIFT_OUTCOME_FAILED) {
            failed = &rep->items[i];
            break;
        }
    if (rc < 0) {
        /* The failed item holds the error with its location; the handle holds
         * errors that came before or after any migration ran. */
        if (failed && failed->error.code)
            err = &failed->error;
        else if (db && dbshift_last_error(db)->code)
            err = dbshift_last_error(db);
        if (!err) {
            fallback.code = rc;
            fallback.message = (char *)dbshift_code_name(rc);
            err = &fallback;
        }
    }
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *doc = cli_json_report(db, rep);
        if (rc < 0)
            json_object_set_new(doc, "error", cli_json_error(err));
        int status = cli_print_json(doc);
        if (status)
            return status;
        if (rc < 0)
            return cli_exit_code(err->code);
        return refresh_schema_file(ctx, db, dry_run || rehearse);
    }
    if (rc < 0)
        return cli_report_error(ctx, err, failed);
    if (!ctx->quiet || !rep || rep->count)
        cli_render_report_summary(ctx, rep, direction, dry_run, rehearse);
    return refresh_schema_file(ctx, db, dry_run || rehearse);
}

json_t *cli_json_problems(dbshift *db, const dbshift_problems *problems)
{
    json_t *doc = json_object();
    json_t *list = json_array();

    json_object_set_new(doc, "database", str_or_null(db ? dbshift_redacted_url(db) : NULL));
    for (size_t i = 0; problems && i < problems->count; i++) {
        const dbshift_problem *p = &problems->items[i];
        const char *state = dbshift_state_name(p->state);
        json_t *o = json_object();
        json_object_set_new(o, "version", str_or_null(p->version));
        json_object_set_new(o, "name", str_or_null(p->name));
        json_object_set_new(o, "file", str_or_null(p->file));
        json_object_set_new(o, "state", str_or_null(state));
        json_object_set_new(o, "message", str_or_null(p->message));
        json_array_append_new(list, o);
    }
    json_object_set_new(doc, "problems", list);
    return doc;
}

void cli_render_problems(struct cli_context *ctx, const dbshift_problems *problems)
{
    for (size_t i = 0; problems && i < problems->count; i++) {
        const dbshift_problem *p = &problems->items[i];
        const char *state = dbshift_state_name(p->state);
        printf("%s%-8s%s %s_%s: %s\n", cli_color(ctx, stdout, "error"), state ? state : "problem",
               cli_color(ctx, stdout, "reset"), p->version ? p->version : "?",
               p->name ? p->name : "", p->message ? p->message : "");
        if (p->file)
            printf("         %s\n", p->file);
    }
}
