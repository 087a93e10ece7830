/*
 * cmd_restore.c - `dbshift restore [FILE]`: bring back a backup. It first
 * lists the backups kept beside the database, newest first, so the person
 * confirming knows what the choice was; then the library asks for
 * confirmation (through the CLI's prompt) and restores. `--list` only lists.
 */
#include "cli.h"

#include <jansson.h>

int cmd_restore(int argc, const char **argv, struct cli_context *ctx)
{
    bool list_only = false;
    dbshift *db = NULL;
    dbshift_backups *backups = NULL;
    const char *file = NULL;
    int npos;
    int rc;
    int status = CLI_EXIT_OK;
    const struct cli_option options[] = {
        {CLI_OPT_BOOL, 0, "list", NULL, &list_only, "only list the backups, newest first"},
        CLI_OPTION_END,
    };
    static const struct cli_command_help help = {
        "restore [FILE] [--list] [options]",
        "Restore a backup: FILE, or the newest one when no FILE is given.",
        "Lists the backups first, then asks for confirmation (on a terminal) or needs\n"
        "--yes. The restored SQLite database is checked with integrity_check.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos > 1)
        return cli_usage_error(ctx, "restore takes at most one FILE");
    if (npos == 1)
        file = argv[1];
    if (list_only && file)
        return cli_usage_error(ctx, "--list takes no FILE");
    rc = cli_open(&db, ctx, true);
    if (rc)
        return rc;

    rc = dbshift_backups_list(&backups, db);
    if (rc < 0 && !file) {
        status = cli_fail(ctx, db, rc);
        goto out;
    }
    if (list_only || ctx->format == CLI_FORMAT_TEXT) {
        if (ctx->format == CLI_FORMAT_JSON) {
            json_t *doc = json_object();
            json_t *paths = json_array();
            for (size_t i = 0; backups && i < backups->count; i++)
                json_array_append_new(paths, json_string(backups->paths[i]));
            json_object_set_new(doc, "database", json_string(cli_database(db)));
            json_object_set_new(doc, "backups", paths);
            status = cli_print_json(doc);
            goto out;
        }
        if (!backups || backups->count == 0) {
            printf("no backups of %s%s\n", cli_database(db),
                   file ? "" : ": `dbshift backup` writes one");
        } else {
            printf("backups of %s, newest first:\n", cli_database(db));
            for (size_t i = 0; i < backups->count; i++)
                printf("  %s%s\n", backups->paths[i],
                       !file && i == 0 && !list_only ? "   ← will be restored" : "");
        }
        if (list_only)
            goto out;
    }
    if (!file && (!backups || backups->count == 0)) {
        dbshift_error none = {0};
        none.code = DBSHIFT_ENOTFOUND;
        none.message = (char *)"there is no backup to restore";
        status = cli_report_error(ctx, &none, NULL);
        goto out;
    }
    rc = dbshift_restore(db, file);
    if (rc < 0) {
        status = cli_fail(ctx, db, rc);
        goto out;
    }
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "database", json_string(cli_database(db)));
        json_object_set_new(doc, "restored", json_string(file ? file : backups->paths[0]));
        status = cli_print_json(doc);
    } else {
        printf("restored %s\n", file ? file : backups->paths[0]);
    }
out:
    dbshift_backups_free(backups);
    dbshift_free(db);
    return status;
}
