/*
 * cmd_baseline.c - `dbshift baseline --version V`: adopt an existing
 * database by recording every migration up to V as applied without running
 * it, so dbshift can take over a schema that was built some other way.
 */
#include "cli.h"

int cmd_baseline(int argc, const char **argv, struct cli_context *ctx)
{
    const char *version = NULL;
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
    return cli_mark_version(ctx, version, dbshift_baseline, "baseline", "baseline at",
                            "every migration up to it is marked applied");
}
