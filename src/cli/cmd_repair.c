/*
 * cmd_repair.c - `dbshift repair`: accept the current checksums of changed
 * files and clear failed marks, each change logged in the history. It is the
 * deliberate way out after validate or a failed non-transactional run, so it
 * asks first on a terminal (or needs --yes) when there is anything to repair.
 */
#include "cli.h"

#include <jansson.h>

int cmd_repair(int argc, const char **argv, struct cli_context *ctx)
{
    dbshift *db = NULL;
    dbshift_problems *found = NULL;
    dbshift_problems *repaired = NULL;
    int npos;
    int rc;
    int status = CLI_EXIT_OK;
    const struct cli_option options[] = {CLI_OPTION_END};
    static const struct cli_command_help help = {
        "repair [options]",
        "Accept the current checksums of changed files and clear failed marks.",
        "Use it after you made sure the database matches the files: repair changes only\n"
        "the history, never the schema. Asks for confirmation unless --yes is given.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos > 0)
        return cli_usage_error(ctx, "repair takes no arguments");
    rc = cli_open(&db, ctx, true);
    if (rc)
        return rc;

    /* Show what would change before asking, so the yes is an informed one. */
    rc = dbshift_validate(&found, db);
    if (rc < 0 && rc != DBSHIFT_ECHECKSUM) {
        status = cli_fail(ctx, db, rc);
        goto out;
    }
    if (found && found->count > 0 && ctx->format == CLI_FORMAT_TEXT)
        cli_render_problems(ctx, found);
    if (found && found->count > 0 &&
        !cli_confirm("repair the history for these migrations?", NULL, ctx)) {
        dbshift_error declined = {0};
        declined.code = DBSHIFT_EDECLINED;
        declined.message = (char *)"repair was not confirmed; nothing was changed";
        status = cli_report_error(ctx, &declined, NULL);
        goto out;
    }
    rc = dbshift_repair(&repaired, db);
    if (rc < 0) {
        status = cli_fail(ctx, db, rc);
        goto out;
    }
    if (ctx->format == CLI_FORMAT_JSON) {
        status = cli_print_json(cli_json_problems(db, repaired));
    } else if (!repaired || repaired->count == 0) {
        printf("nothing to repair: history and files agree\n");
    } else {
        printf("repaired %zu migration%s; the history now matches the files\n", repaired->count,
               repaired->count == 1 ? "" : "s");
    }
out:
    dbshift_problems_free(found);
    dbshift_problems_free(repaired);
    dbshift_free(db);
    return status;
}
