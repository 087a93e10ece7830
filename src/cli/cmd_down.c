/*
 * cmd_down.c - `dbshift down`: roll back applied migrations, the newest
 * first. The default is one step, because rolling back more than asked for
 * loses data; `--all` has to be spelled out.
 */
#include "cli.h"

int cmd_down(int argc, const char **argv, struct cli_context *ctx)
{
    dbshift_run_options opts;
    const char *to = NULL;
    bool all = false;
    bool no_backup = false;
    int npos;
    int rc;

    dbshift_run_options_init(&opts);
    const struct cli_option options[] = {
        {CLI_OPT_STRING, 0, "to", "V", &to, "roll back everything newer than version V (V stays)"},
        {CLI_OPT_BOOL, 0, "all", NULL, &all, "roll back every applied migration"},
        {CLI_OPT_BOOL, 0, "dry-run", NULL, &opts.dry_run,
         "print the plan and its SQL, change nothing"},
        {CLI_OPT_BOOL, 0, "no-backup", NULL, &no_backup, "SQLite: skip the automatic backup"},
        CLI_OPTION_END,
    };
    static const struct cli_command_help help = {
        "down [N | --to V | --all] [options]",
        "Roll back the newest applied migration, the N newest, or down to a version.",
        "Each migration's down section runs in its own transaction where the engine\n"
        "allows. A migration marked irreversible stops the rollback with an error.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos > 1)
        return cli_usage_error(ctx, "down takes at most one argument, the number of steps");
    if (npos == 1) {
        if (cli_parse_count(argv[1], &opts.steps) < 0 || opts.steps == 0)
            return cli_usage_error(ctx, "N must be a positive number of steps, not '%s'", argv[1]);
    }
    if ((npos == 1) + (to != NULL) + all > 1)
        return cli_usage_error(ctx, "give only one of N, --to V and --all");
    opts.to_version = to;
    opts.all = all;
    opts.no_backup = no_backup;
    return cli_open_and_run(ctx, &opts, dbshift_down, DBSHIFT_DOWN);
}
