/*
 * cmd_lock.c - `dbshift lock`: say whether the migration lock is held and by
 * whom, the first question when an `up` waits or gives up with exit 4.
 */
#include "cli.h"

#include <jansson.h>

int cmd_lock(int argc, const char **argv, struct cli_context *ctx)
{
    dbshift *db = NULL;
    char *holder = NULL;
    int npos;
    int rc;
    const struct cli_option options[] = {CLI_OPTION_END};
    static const struct cli_command_help help = {
        "lock [options]",
        "Show whether the migration lock is held, and by whom.",
        "The lock dies with the session that holds it, so a crashed run never leaves\n"
        "a stale lock behind.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos > 0)
        return cli_usage_error(ctx, "lock takes no arguments");
    rc = cli_open(&db, ctx, true);
    if (rc)
        return rc;
    rc = dbshift_lock_holder(&holder, db);
    if (rc < 0) {
        rc = cli_fail(ctx, db, rc);
        dbshift_free(db);
        return rc;
    }
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "database", json_string(cli_database(db)));
        json_object_set_new(doc, "held", json_boolean(holder != NULL));
        json_object_set_new(doc, "holder", holder ? json_string(holder) : json_null());
        rc = cli_print_json(doc);
    } else {
        if (holder)
            printf("lock held by %s\n", holder);
        else
            printf("lock is free\n");
        rc = CLI_EXIT_OK;
    }
    dbshift_string_free(holder);
    dbshift_free(db);
    return rc;
}
