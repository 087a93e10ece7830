/*
 * main.c - the dbshift program's entry point and its command table. Global
 * options may come before the command name (they are parsed here) or after
 * it (each command's parser accepts them too). The table is data, so the
 * top-level help, `dbshift help CMD` and dispatch all read the same list.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct cli_command {
    const char *name;
    cli_command_fn *fn;
    const char *summary;
};

/* The schema commands (cmd_dump.c, cmd_drift.c, cmd_diff.c, cmd_test.c). */
cli_command_fn cmd_dump, cmd_drift, cmd_diff, cmd_test;

static const struct cli_command commands[] = {
    {"new", cmd_new, "create a new migration file"},
    {"up", cmd_up, "apply pending migrations"},
    {"down", cmd_down, "roll back applied migrations"},
    {"redo", cmd_redo, "roll back the newest migration and apply it again"},
    {"status", cmd_status, "show every migration and its state"},
    {"history", cmd_history, "show the log of every run"},
    {"validate", cmd_validate, "check applied migrations against their files"},
    {"repair", cmd_repair, "accept changed files and clear failed marks"},
    {"baseline", cmd_baseline, "mark migrations up to a version as applied"},
    {"adopt", cmd_adopt, "record another tool's applied migrations as applied"},
    {"lint", cmd_lint, "check migrations for dangerous changes"},
    {"backup", cmd_backup, "back up the database"},
    {"restore", cmd_restore, "restore a backup"},
    {"lock", cmd_lock, "show who holds the migration lock"},
    {"resolve", cmd_resolve, "record a manual step as done"},
    {"embed", cmd_embed, "generate C source with the migrations built in"},
    {"dump", cmd_dump, "print the canonical DDL of the live schema"},
    {"drift", cmd_drift, "compare the live schema with what the migrations build"},
    {"diff", cmd_diff, "generate a migration towards a desired schema"},
    {"test", cmd_test, "check that every down migration undoes its up"},
};

static const struct cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static bool unused_flag;
/* Only for the help listing: main handles these two itself. */
static const struct cli_option main_options[] = {
    {CLI_OPT_BOOL, 'h', "help", NULL, &unused_flag, "show this help"},
    {CLI_OPT_BOOL, 0, "version", NULL, &unused_flag, "show the version"},
    CLI_OPTION_END,
};

static void print_main_help(struct cli_context *ctx, FILE *out)
{
    fprintf(out, "usage: %s [global options] <command> [options] [args]\n\n", ctx->program);
    fprintf(out,
            "dbshift %s - versioned schema migrations for SQLite, PostgreSQL and "
            "MySQL/MariaDB\n\ncommands:\n",
            DBSHIFT_VERSION);
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nglobal options (before or after the command):\n");
    cli_print_options(out, cli_global_options(ctx), main_options);
    fprintf(out, "\nrun `%s <command> --help` for a command's options; see dbshift(1)\n",
            ctx->program);
}

/* Colour and prompting depend on terminals and NO_COLOR, decided once. */
static void detect_terminal(struct cli_context *ctx)
{
    const char *no_color = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    bool allowed = !(no_color && *no_color) && !(term && !strcmp(term, "dumb"));

    ctx->color_out = allowed && isatty(STDOUT_FILENO);
    ctx->color_err = allowed && isatty(STDERR_FILENO);
    ctx->interactive = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
}

/* Line buffering costs one write() per line: a status of 10,000 rows into a
 * file spent a fifth of its time there. It is kept where the order of lines
 * shows: on a terminal, and when stdout and stderr are one file or pipe
 * (`dbshift up 2>&1 | tee log`), so notes on stderr stay between the lines
 * they belong to. Elsewhere stdout is fully buffered; the run's event
 * printer flushes each finished line itself, so a reader of a pipe still
 * sees progress as it happens. */
static int stdout_mode(void)
{
    struct stat out, err;

    if (isatty(STDOUT_FILENO))
        return _IOLBF;
    if (fstat(STDOUT_FILENO, &out) == 0 && fstat(STDERR_FILENO, &err) == 0 &&
        out.st_dev == err.st_dev && out.st_ino == err.st_ino)
        return _IOLBF;
    return _IOFBF;
}

int main(int argc, char **argv)
{
    struct cli_context ctx;
    const struct cli_command *cmd;
    const char **args = (const char **)argv;
    int next;
    int status;

    setvbuf(stdout, NULL, stdout_mode(), 0);
    cli_context_init(&ctx);
    detect_terminal(&ctx);
    if (cli_parse_global(argc, args, &ctx, &next) < 0) {
        cli_context_release(&ctx);
        return CLI_EXIT_USAGE;
    }
    if (next >= argc) {
        print_main_help(&ctx, stderr);
        cli_context_release(&ctx);
        return CLI_EXIT_USAGE;
    }
    if (!strcmp(args[next], "--help") || !strcmp(args[next], "-h")) {
        print_main_help(&ctx, stdout);
        cli_context_release(&ctx);
        return CLI_EXIT_OK;
    }
    if (!strcmp(args[next], "--version") || !strcmp(args[next], "version")) {
        printf("dbshift %s\n", DBSHIFT_VERSION);
        cli_context_release(&ctx);
        return CLI_EXIT_OK;
    }
    if (!strcmp(args[next], "help")) {
        /* `dbshift help up` is `dbshift up --help`. */
        if (next + 1 < argc && (cmd = find_command(args[next + 1]))) {
            const char *help_argv[] = {cmd->name, "--help", NULL};
            ctx.command = cmd->name;
            status = cmd->fn(2, help_argv, &ctx);
        } else if (next + 1 < argc) {
            ctx.command = NULL;
            status = cli_usage_error(&ctx, "unknown command '%s'", args[next + 1]);
        } else {
            print_main_help(&ctx, stdout);
            status = CLI_EXIT_OK;
        }
        cli_context_release(&ctx);
        return status;
    }
    cmd = find_command(args[next]);
    if (!cmd) {
        status = cli_usage_error(&ctx, "unknown command '%s'", args[next]);
        cli_context_release(&ctx);
        return status;
    }
    ctx.command = cmd->name;
    status = cmd->fn(argc - next, args + next, &ctx);
    cli_close_line(&ctx);
    fflush(stdout);
    cli_context_release(&ctx);
    return status;
}
