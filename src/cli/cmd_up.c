/*
 * cmd_up.c - `dbshift up`: apply pending migrations. The library plans,
 * lints, backs up, locks and runs; this file turns the command line into
 * dbshift_run_options and leaves the progress lines to the event callback,
 * so the user sees each migration as it happens rather than at the end.
 */
#include "cli.h"
#include "progress.h"
#include "targets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Postgres rejects "2m" but every engine's adapter takes milliseconds, so
 * durations are handed to the library as "<n>ms". */
static const char *as_ms(char *out, size_t size, int ms)
{
    if (ms < 0)
        return NULL;
    snprintf(out, size, "%dms", ms);
    return out;
}

int cmd_up(int argc, const char **argv, struct cli_context *ctx)
{
    dbshift_run_options opts;
    struct cli_list allow = {0};
    const char *to = NULL;
    int keep_backups = -1;
    int lock_timeout = -1;
    int statement_timeout = -1;
    char lock_text[32], statement_text[32];
    const char *progress_text = NULL;
    int progress_mode = CLI_PROGRESS_AUTO;
    struct cli_targets_options targets = {NULL, 1, false};
    struct cli_progress *progress = NULL;
    dbshift *db = NULL;
    dbshift_report *rep = NULL;
    int npos;
    int rc;

    dbshift_run_options_init(&opts);
    const struct cli_option options[] = {
        {CLI_OPT_STRING, 0, "to", "V", &to, "stop after version V"},
        {CLI_OPT_BOOL, 0, "dry-run", NULL, &opts.dry_run,
         "print the plan and its SQL, change nothing"},
        {CLI_OPT_BOOL, 0, "rehearse", NULL, &opts.rehearse,
         "run in one transaction, then roll back (PostgreSQL, SQLite)"},
        {CLI_OPT_BOOL, 0, "single-transaction", NULL, &opts.single_transaction,
         "apply all migrations in one transaction: all or nothing"},
        {CLI_OPT_BOOL, 0, "allow-out-of-order", NULL, &opts.allow_out_of_order,
         "apply pending files older than the newest applied one"},
        {CLI_OPT_BOOL, 0, "ignore-checksums", NULL, &opts.ignore_checksums,
         "run even when applied files changed"},
        {CLI_OPT_BOOL, 0, "resume", NULL, &opts.resume,
         "continue a failed migration from its failed statement"},
        {CLI_OPT_BOOL, 0, "no-backup", NULL, &opts.no_backup, "SQLite: skip the automatic backup"},
        {CLI_OPT_BOOL, 0, "backup", NULL, &opts.backup,
         "PostgreSQL/MySQL: take a pg_dump/mariadb-dump first"},
        {CLI_OPT_INT, 0, "keep-backups", "N", &keep_backups, "SQLite backups to keep (default 5)"},
        {CLI_OPT_DURATION, 0, "lock-timeout", "DURATION", &lock_timeout,
         "give up a statement waiting this long for a lock"},
        {CLI_OPT_DURATION, 0, "statement-timeout", "DURATION", &statement_timeout,
         "give up a statement that runs this long"},
        {CLI_OPT_LIST, 0, "allow", "RULE", &allow, "accept a dangerous lint finding (repeatable)"},
        {CLI_OPT_BOOL, 0, "skip-lint", NULL, &opts.skip_lint,
         "do not lint pending migrations first"},
        {CLI_OPT_STRING, 0, "progress", "WHEN", &progress_text,
         "progress bar: never, auto (on a terminal) or always"},
        {CLI_OPT_STRING, 0, "targets", "GLOB|FILE", &targets.spec,
         "run on every SQLite file matched, or every URL listed in FILE"},
        {CLI_OPT_INT, 0, "jobs", "N", &targets.jobs, "with --targets: run N targets at once"},
        {CLI_OPT_BOOL, 0, "fail-fast", NULL, &targets.fail_fast,
         "with --targets: start no more targets after a failure"},
        CLI_OPTION_END,
    };
    static const struct cli_command_help help = {
        "up [options]",
        "Apply pending migrations, each in its own transaction where the engine allows.",
        "Applied files are checked against their checksums first and pending ones are\n"
        "linted; dangerous changes need a yes on a terminal, --yes or --allow RULE.\n"
        "SQLite databases are backed up first (see `dbshift restore`).",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc) {
        cli_list_release(&allow);
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    }
    const char *misuse = NULL;
    if (npos > 0)
        misuse = "up takes no arguments (did you mean --to VERSION?)";
    else if (opts.dry_run && opts.rehearse)
        misuse = "--dry-run and --rehearse cannot be combined";
    else if (opts.backup && opts.no_backup)
        misuse = "--backup and --no-backup cannot be combined";
    else if (progress_text && cli_progress_parse(progress_text, &progress_mode) != 0)
        misuse = "--progress takes never, auto or always";
    else if (targets.spec && (opts.dry_run || opts.rehearse))
        /* The summary counts applied migrations; a plan per target is
         * `dbshift --url URL up --dry-run`. */
        misuse = "--targets cannot be combined with --dry-run or --rehearse";
    else if (!targets.spec && (targets.jobs != 1 || targets.fail_fast))
        misuse = "--jobs and --fail-fast go with --targets";
    if (misuse) {
        cli_list_release(&allow);
        return cli_usage_error(ctx, "%s", misuse);
    }
    rc = cli_resolve(ctx);
    if (rc) {
        cli_list_release(&allow);
        return rc;
    }
    if (!opts.dry_run && !targets.spec)
        progress = cli_progress_attach(ctx, progress_mode);
    if (!targets.spec) {
        rc = cli_open(&db, ctx, true);
        if (rc) {
            cli_progress_detach(progress, ctx);
            cli_progress_free(progress);
            cli_list_release(&allow);
            return rc;
        }
    }
    /* Rules allowed in the config file come first; --allow adds to them. */
    for (size_t i = 0; i < ctx->allow_rules.count; i++)
        cli_list_push(&allow, ctx->allow_rules.items[i]);
    opts.lint_disabled_rules = ctx->lint_disabled.items;
    opts.nlint_disabled_rules = ctx->lint_disabled.count;
    opts.lint_level_overrides = ctx->lint_levels.items;
    opts.nlint_level_overrides = ctx->lint_levels.count;
    opts.to_version = to;
    opts.keep_backups = keep_backups >= 0 ? keep_backups : ctx->keep_backups;
    opts.lock_timeout = as_ms(lock_text, sizeof(lock_text), lock_timeout);
    opts.statement_timeout = as_ms(statement_text, sizeof(statement_text), statement_timeout);
    opts.allow_rules = allow.items;
    opts.nallow_rules = allow.count;

    if (targets.spec) {
        rc = cli_up_targets(ctx, &targets, &opts);
        cli_list_release(&allow);
        return rc;
    }
    rc = dbshift_up(&rep, db, &opts);
    /* The bar goes before the summary or the error is printed. */
    cli_progress_detach(progress, ctx);
    rc = cli_finish_run(ctx, db, rep, rc, DBSHIFT_UP, opts.dry_run, opts.rehearse);
    dbshift_report_free(rep);
    dbshift_free(db);
    cli_progress_free(progress);
    cli_list_release(&allow);
    return rc;
}
