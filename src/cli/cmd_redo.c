/*
 * cmd_redo.c - `dbshift redo`: roll back the newest applied migration and
 * apply it again, the loop a developer runs while writing a migration.
 */
#include "cli.h"

int cmd_redo(int argc, const char **argv, struct cli_context *ctx)
{
    dbshift_run_options opts;
    int npos;
    int rc;

    dbshift_run_options_init(&opts);
    const struct cli_option options[] = {
        {CLI_OPT_BOOL, 0, "dry-run", NULL, &opts.dry_run,
         "print the plan and its SQL, change nothing"},
        {CLI_OPT_BOOL, 0, "no-backup", NULL, &opts.no_backup, "SQLite: skip the automatic backup"},
        CLI_OPTION_END,
    };
    static const struct cli_command_help help = {
        "redo [options]",
        "Roll back the newest applied migration and apply it again.",
        NULL,
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos > 0)
        return cli_usage_error(ctx, "redo takes no arguments");
    return cli_open_and_run(ctx, &opts, dbshift_redo, DBSHIFT_UP);
}
