/*
 * cmd_backup.c - `dbshift backup`: write a backup of the target now (SQLite
 * online backup beside the file; pg_dump or mariadb-dump for servers) and
 * print where it went, so it can be handed to `dbshift restore` later.
 */
#include "cli.h"

#include <jansson.h>

int cmd_backup(int argc, const char **argv, struct cli_context *ctx)
{
    dbshift *db = NULL;
    char *path = NULL;
    int npos;
    int rc;
    const struct cli_option options[] = {CLI_OPTION_END};
    static const struct cli_command_help help = {
        "backup [options]",
        "Back up the database and print the backup's path.",
        "SQLite: an online copy beside the database file. PostgreSQL and MySQL: a dump\n"
        "taken with pg_dump or mariadb-dump.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos > 0)
        return cli_usage_error(ctx, "backup takes no arguments");
    rc = cli_open(&db, ctx, true);
    if (rc)
        return rc;
    rc = dbshift_backup(&path, db);
    if (rc < 0) {
        rc = cli_fail(ctx, db, rc);
        dbshift_free(db);
        return rc;
    }
    cli_close_line(ctx);
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "database", json_string(cli_database(db)));
        json_object_set_new(doc, "backup", path ? json_string(path) : json_null());
        rc = cli_print_json(doc);
    } else {
        printf("backup written: %s\n", path ? path : "(no path reported)");
        rc = CLI_EXIT_OK;
    }
    dbshift_string_free(path);
    dbshift_free(db);
    return rc;
}
