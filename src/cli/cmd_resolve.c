/*
 * cmd_resolve.c - `dbshift resolve VERSION`: a human says the manual step of
 * a migration (-- dbshift:manual) is done, or that they finished a failed
 * migration by hand, so the next `up` can go on. It is its own command,
 * never a flag of up, so that the record of who confirmed what is a
 * deliberate act that shows in `dbshift history`.
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>

int cmd_resolve(int argc, const char **argv, struct cli_context *ctx)
{
    dbshift *db = NULL;
    int npos;
    int rc;
    const struct cli_option options[] = {
        CLI_OPTION_END,
    };
    static const struct cli_command_help help = {
        "resolve VERSION [options]",
        "Record that a migration's manual step was done, or a failed one finished by hand.",
        "A migration with -- dbshift:manual stops `up` until its step is resolved; a\n"
        "migration marked failed becomes applied. Either way it is logged as \"resolve\".",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos != 1)
        return cli_usage_error(ctx, "resolve needs exactly one VERSION");
    const char *version = argv[1];
    rc = cli_open(&db, ctx, true);
    if (rc)
        return rc;
    rc = dbshift_resolve(db, version);
    if (rc < 0) {
        rc = cli_fail(ctx, db, rc);
        dbshift_free(db);
        return rc;
    }
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "database", json_string(cli_database(db)));
        json_object_set_new(doc, "resolved", json_string(version));
        rc = cli_print_json(doc);
    } else {
        printf("resolved %s: run `dbshift up` to continue\n", version);
        rc = CLI_EXIT_OK;
    }
    dbshift_free(db);
    return rc;
}
