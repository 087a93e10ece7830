/*
 * cmd_validate.c - `dbshift validate`: compare every applied migration's
 * recorded checksum with its file today. A changed or missing file means
 * the database and the repository disagree about history, which `up` refuses
 * to build on; this command names each disagreement. Exit status 5 when any.
 */
#include "cli.h"

#include <jansson.h>

int cmd_validate(int argc, const char **argv, struct cli_context *ctx)
{
    dbshift *db = NULL;
    dbshift_problems *problems = NULL;
    int npos;
    int rc;
    int status;
    const struct cli_option options[] = {CLI_OPTION_END};
    static const struct cli_command_help help = {
        "validate [options]",
        "Check applied migrations against their files (checksums, missing files, failed runs).",
        "Exits with status 5 when a file changed after it ran or disappeared. Line endings\n"
        "do not count: a file checked out with CRLF has the same checksum.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos > 0)
        return cli_usage_error(ctx, "validate takes no arguments");
    rc = cli_open(&db, ctx, true);
    if (rc)
        return rc;
    rc = dbshift_validate(&problems, db);
    if (rc < 0 && rc != DBSHIFT_ECHECKSUM) {
        status = cli_fail(ctx, db, rc);
        dbshift_problems_free(problems);
        dbshift_free(db);
        return status;
    }
    status = cli_exit_code(rc);
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *doc = cli_json_problems(db, problems);
        json_object_set_new(doc, "ok", json_boolean(rc == 0));
        if (cli_print_json(doc))
            status = CLI_EXIT_ERROR;
    } else if (rc == 0) {
        printf("ok: every applied migration matches its file\n");
    } else {
        cli_render_problems(ctx, problems);
        fprintf(stderr,
                "%zu problem%s: put the original files back, or run `dbshift repair` to accept "
                "the files as they are now\n",
                problems ? problems->count : 0, problems && problems->count == 1 ? "" : "s");
    }
    dbshift_problems_free(problems);
    dbshift_free(db);
    return status;
}
