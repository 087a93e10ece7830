/*
 * cmd_baseline.c - `dbshift baseline --version V`: adopt an existing
 * database by recording every migration up to V as applied without running
 * it, so dbshift can take over a schema that was built some other way.
 */
#include "cli.h"

#include <jansson.h>

int cmd_baseline(int argc, const char **argv, struct cli_context *ctx)
{
    const char *version = NULL;
    dbshift *db = NULL;
    int npos;
    int rc;
    const struct cli_option options[] = {
        {CLI_OPT_STRING, 0, "version", "V", &version,
         "mark every migration up to and including V as applied (required)"},
        CLI_OPTION_END,
    };
    static const struct cli_command_help help = {
        "baseline --version V [options]",
        "Mark every migration up to and including V as applied, without running it.",
        "For a database whose schema already exists: later migrations run as usual.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos > 0)
        return cli_usage_error(ctx, "baseline takes no arguments (use --version %s)", argv[1]);
    if (!version || !*version)
        return cli_usage_error(ctx, "baseline needs --version V");
    rc = cli_open(&db, ctx, true);
    if (rc)
        return rc;
    rc = dbshift_baseline(db, version);
    if (rc < 0) {
        rc = cli_fail(ctx, db, rc);
        dbshift_free(db);
        return rc;
    }
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "database", json_string(cli_database(db)));
        json_object_set_new(doc, "baseline", json_string(version));
        rc = cli_print_json(doc);
    } else {
        printf("baseline at %s: every migration up to it is marked applied\n", version);
        rc = CLI_EXIT_OK;
    }
    dbshift_free(db);
    return rc;
}
