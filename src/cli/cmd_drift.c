/*
 * cmd_drift.c - `dbshift drift`: has someone changed the database by hand?
 * The library rebuilds the schema the applied migrations should have given
 * on a shadow database and compares it with the live one; every difference
 * is printed as object, expected and actual, and the exit status is 7 so CI
 * can fail on drift.
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>

cli_command_fn cmd_drift;

static json_t *json_text(const char *s)
{
    return s ? json_string(s) : json_null();
}

int cmd_drift(int argc, const char **argv, struct cli_context *ctx)
{
    dbshift_schema_options opts;
    dbshift_schema_diff *diff = NULL;
    dbshift *db = NULL;
    int npos;
    int rc;

    dbshift_schema_options_init(&opts);
    const struct cli_option options[] = {
        {CLI_OPT_STRING, 0, "shadow-url", "URL", &opts.shadow_url,
         "empty database to rebuild the expected schema in (default: a temporary one)"},
        CLI_OPTION_END,
    };
    static const struct cli_command_help help = {
        "drift [--shadow-url URL] [options]",
        "Compare the live schema with what the applied migrations should have built.",
        "The applied migrations are run on a shadow database (SQLite: a temporary file;\n"
        "PostgreSQL/MariaDB: a temporary database on the same server, or --shadow-url).\n"
        "Exits with status 7 when the schemas differ.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos > 0)
        return cli_usage_error(ctx, "drift takes no arguments");
    rc = cli_open(&db, ctx, true);
    if (rc)
        return rc;
    rc = dbshift_drift(&diff, db, &opts);
    if (rc) {
        int status = cli_fail(ctx, db, rc);
        dbshift_free(db);
        return status;
    }
    int status = diff->count ? CLI_EXIT_DRIFT : CLI_EXIT_OK;
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_t *list = json_array();
        json_object_set_new(doc, "database", json_string(cli_database(db)));
        json_object_set_new(doc, "drift", json_boolean(diff->count > 0));
        for (size_t i = 0; i < diff->count; i++) {
            json_t *d = json_object();
            json_object_set_new(d, "object", json_string(diff->items[i].object));
            json_object_set_new(d, "expected", json_text(diff->items[i].expected));
            json_object_set_new(d, "actual", json_text(diff->items[i].actual));
            json_array_append_new(list, d);
        }
        json_object_set_new(doc, "differences", list);
        if (cli_print_json(doc))
            status = CLI_EXIT_ERROR;
    } else if (!diff->count) {
        printf("ok: the schema matches the applied migrations\n");
    } else {
        for (size_t i = 0; i < diff->count; i++) {
            const dbshift_schema_change *c = &diff->items[i];
            printf("%s\n  expected: %s\n  actual:   %s\n", c->object,
                   c->expected ? c->expected : "(absent)", c->actual ? c->actual : "(absent)");
        }
        fprintf(stderr,
                "%zu difference%s: the database drifted from its migrations; write a migration "
                "for the change or undo it\n",
                diff->count, diff->count == 1 ? "" : "s");
    }
    dbshift_schema_diff_free(diff);
    dbshift_free(db);
    return status;
}
