/*
 * cmd_dump.c - `dbshift dump`: print or write the canonical DDL of the live
 * schema. Kept in the repository (like dbmate's schema file), the dump makes
 * every schema change visible in code review; it is deterministic, so an
 * unchanged database never produces a diff.
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

cli_command_fn cmd_dump;

int cmd_dump(int argc, const char **argv, struct cli_context *ctx)
{
    const char *out = NULL;
    dbshift *db = NULL;
    char *sql = NULL;
    int npos;
    int rc;
    const struct cli_option options[] = {
        {CLI_OPT_STRING, 'o', "out", "FILE", &out, "write the dump to FILE instead of stdout"},
        CLI_OPTION_END,
    };
    static const struct cli_command_help help = {
        "dump [--out FILE] [options]",
        "Print the canonical, deterministic DDL of the live schema.",
        "Objects come in a fixed order whatever order they were created in, so the same\n"
        "schema always gives byte-identical output. dbshift's history tables are left out.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos > 0)
        return cli_usage_error(ctx, "dump takes no arguments (did you mean --out %s?)", argv[1]);
    rc = cli_open(&db, ctx, true);
    if (rc)
        return rc;
    rc = out ? dbshift_dump_to_file(db, out) : dbshift_dump(&sql, db);
    if (rc) {
        int status = cli_fail(ctx, db, rc);
        dbshift_free(db);
        return status;
    }
    int status = CLI_EXIT_OK;
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "database", json_string(cli_database(db)));
        if (out)
            json_object_set_new(doc, "file", json_string(out));
        else
            json_object_set_new(doc, "schema", json_string(sql));
        if (cli_print_json(doc))
            status = CLI_EXIT_ERROR;
    } else if (out) {
        cli_note(ctx, "schema of %s written to %s", cli_database(db), out);
    } else {
        fputs(sql, stdout);
    }
    dbshift_string_free(sql);
    dbshift_free(db);
    return status;
}
