/*
 * cmd_diff.c - `dbshift diff --to desired.sql NAME`: write the migration
 * that takes the schema the migrations build to the one desired.sql
 * describes, with its down section. The library checks the result on shadow
 * databases before writing it; this file then lints the new file so a
 * dangerous generated step (a dropped column) is flagged before review.
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>

cli_command_fn cmd_diff;

int cmd_diff(int argc, const char **argv, struct cli_context *ctx)
{
    dbshift_schema_options opts;
    dbshift *db = NULL;
    char *path = NULL;
    dbshift_findings *findings = NULL;
    int npos;
    int rc;

    dbshift_schema_options_init(&opts);
    const struct cli_option options[] = {
        {CLI_OPT_STRING, 0, "to", "FILE", &opts.desired_file, "SQL file with the desired schema"},
        {CLI_OPT_STRING, 0, "shadow-url", "URL", &opts.shadow_url,
         "empty database to build the migrations in (default: a temporary one)"},
        {CLI_OPT_BOOL, 0, "sequential", NULL, &opts.sequential,
         "number the new file instead of a timestamp"},
        CLI_OPTION_END,
    };
    static const struct cli_command_help help = {
        "diff --to FILE [options] NAME",
        "Generate a migration from the migrations' schema to the one FILE describes.",
        "Both schemas are built on shadow databases and compared; the new migration is\n"
        "applied to the first shadow and must yield exactly the second before it is\n"
        "written. Ambiguous changes (a possible rename) get a comment to decide on.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (!opts.desired_file)
        return cli_usage_error(ctx, "diff needs --to FILE, the desired schema");
    if (npos != 1)
        return cli_usage_error(ctx, "diff needs exactly one NAME for the new migration");
    opts.name = argv[1];
    rc = cli_open(&db, ctx, true);
    if (rc)
        return rc;
    rc = dbshift_diff(&path, db, &opts);
    if (rc) {
        int status = cli_fail(ctx, db, rc);
        dbshift_free(db);
        return status;
    }
    if (path) {
        dbshift_lint_options lo;
        const char *files[] = {path};
        dbshift_lint_options_init(&lo);
        lo.files = files;
        lo.nfiles = 1;
        lo.offline = true;
        if (dbshift_lint(&findings, db, &lo) < 0)
            findings = NULL; /* the file is written; lint is advice */
    }
    int status = CLI_EXIT_OK;
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_t *list = json_array();
        json_object_set_new(doc, "database", json_string(cli_database(db)));
        json_object_set_new(doc, "file", path ? json_string(path) : json_null());
        for (size_t i = 0; findings && i < findings->count; i++) {
            json_t *f = json_object();
            json_object_set_new(f, "rule", json_string(findings->items[i].rule));
            json_object_set_new(f, "name", json_string(findings->items[i].name));
            json_object_set_new(f, "line", json_integer(findings->items[i].line));
            json_object_set_new(f, "message", json_string(findings->items[i].message));
            json_array_append_new(list, f);
        }
        json_object_set_new(doc, "findings", list);
        if (cli_print_json(doc))
            status = CLI_EXIT_ERROR;
    } else if (!path) {
        printf("nothing to do: the migrations already build the desired schema\n");
    } else {
        printf("created %s\n", path);
        for (size_t i = 0; findings && i < findings->count; i++)
            fprintf(stderr, "lint: %s:%d: %s %s: %s\n", path, findings->items[i].line,
                    findings->items[i].rule, findings->items[i].name, findings->items[i].message);
    }
    dbshift_findings_free(findings);
    dbshift_string_free(path);
    dbshift_free(db);
    return status;
}
