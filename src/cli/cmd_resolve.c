/*
 * cmd_resolve.c - `dbshift resolve VERSION`: a human says the manual step of
 * a migration (-- dbshift:manual) is done, or that they finished a failed
 * migration by hand, so the next `up` can go on. It is its own command,
 * never a flag of up, so that the record of who confirmed what is a
 * deliberate act that shows in `dbshift history`.
 */
#include "cli.h"

#include <stdio.h>

int cmd_resolve(int argc, const char **argv, struct cli_context *ctx)
{
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
    return cli_mark_version(ctx, version, dbshift_resolve, "resolved", "resolved",
                            "run `dbshift up` to continue");
}
