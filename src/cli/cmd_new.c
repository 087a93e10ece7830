/*
 * cmd_new.c - `dbshift new NAME`: create a native migration file with empty
 * up and down sections, named with a UTC timestamp or, with --sequential,
 * the next number. The name is checked here so that a typo such as a space
 * gives a usage error instead of an odd file name.
 */
#include "cli.h"

#include <jansson.h>

#include <ctype.h>

static bool valid_name(const char *name)
{
    if (!*name)
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return false;
    return true;
}

int cmd_new(int argc, const char **argv, struct cli_context *ctx)
{
    bool sequential = false;
    dbshift *db = NULL;
    char *path = NULL;
    int npos;
    int rc;
    const struct cli_option options[] = {
        {CLI_OPT_BOOL, 0, "sequential", NULL, &sequential,
         "number the file 0001, 0002, ... instead of a UTC timestamp"},
        CLI_OPTION_END,
    };
    static const struct cli_command_help help = {
        "new NAME [--sequential] [options]",
        "Create a new migration file in the migrations folder.",
        "NAME may hold letters, digits, '_' and '-'. The file has a `-- dbshift:up`\n"
        "section and a `-- dbshift:down` section to fill in.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos != 1)
        return cli_usage_error(ctx, "new needs exactly one NAME");
    if (!valid_name(argv[1]))
        return cli_usage_error(ctx, "'%s' is not a valid name: use letters, digits, '_' and '-'",
                               argv[1]);
    /* No database is touched, so the default URL is not worth announcing. */
    rc = cli_open(&db, ctx, false);
    if (rc)
        return rc;
    rc = dbshift_new_migration(&path, db, argv[1], sequential);
    if (rc < 0) {
        rc = cli_fail(ctx, db, rc);
        dbshift_free(db);
        return rc;
    }
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "file", path ? json_string(path) : json_null());
        rc = cli_print_json(doc);
    } else {
        printf("created %s\n", path ? path : "(no path reported)");
        rc = CLI_EXIT_OK;
    }
    dbshift_string_free(path);
    dbshift_free(db);
    return rc;
}
