/*
 * cmd_adopt.c - `dbshift adopt [--from TOOL]`: take over the history of the
 * tool a team used before (golang-migrate, goose, Flyway, ...) so that
 * switching to dbshift runs nothing again. The library does the reading and
 * recording; this file only parses the options and renders the result.
 */
#include "cli.h"

#include <jansson.h>

int cmd_adopt(int argc, const char **argv, struct cli_context *ctx)
{
    const char *from = NULL;
    dbshift *db = NULL;
    dbshift_adoption *a = NULL;
    int npos;
    int rc;
    const struct cli_option options[] = {
        {CLI_OPT_STRING, 0, "from", "TOOL", &from,
         "the tool whose history to adopt: golang-migrate, dbmate, goose, flyway, sql-migrate, "
         "diesel, sqlx, pop (default: the one whose table exists)"},
        CLI_OPTION_END,
    };
    static const struct cli_command_help help = {
        "adopt [--from TOOL] [options]",
        "Record what another migration tool applied as applied in dbshift's history.",
        "Reads the tool's history table (never changing it) and records each migration it "
        "applied, with the current file's checksum, in one transaction; nothing is run. A "
        "dirty or failed row, or an applied version with no file here, is refused.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos > 0)
        return cli_usage_error(ctx, "adopt takes no arguments (use --from %s)", argv[1]);
    rc = cli_open(&db, ctx, true);
    if (rc)
        return rc;
    rc = dbshift_adopt(&a, db, from);
    if (rc < 0) {
        rc = cli_fail(ctx, db, rc);
        dbshift_free(db);
        return rc;
    }
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_t *list = json_array();
        for (size_t i = 0; i < a->count; i++)
            json_array_append_new(list, json_string(a->versions[i]));
        json_object_set_new(doc, "database", json_string(cli_database(db)));
        json_object_set_new(doc, "tool", json_string(a->tool));
        json_object_set_new(doc, "table", json_string(a->table));
        json_object_set_new(doc, "adopted", list);
        json_object_set_new(doc, "already", json_integer((json_int_t)a->already));
        json_object_set_new(doc, "newest", a->newest ? json_string(a->newest) : json_null());
        rc = cli_print_json(doc);
    } else {
        printf("adopted %zu migration(s) from %s (%s)", a->count, a->tool, a->table);
        if (a->newest)
            printf(", newest %s", a->newest);
        if (a->already)
            printf("; %zu were already in dbshift's history", a->already);
        printf("\n");
        rc = CLI_EXIT_OK;
    }
    dbshift_adoption_free(a);
    dbshift_free(db);
    return rc;
}
