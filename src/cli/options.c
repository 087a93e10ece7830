/*
 * options.c - the declarative option parser, in the manner of git's
 * parse-options: each subcommand describes its options once in a table, and
 * that table drives both parsing and the generated --help, so the two can
 * never disagree. Global options (--url, --dir, ...) are accepted by every
 * subcommand, before or after its name, and are listed under their own
 * heading in every help page.
 */
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_list_push(struct cli_list *list, const char *item)
{
    if (list->count == list->cap) {
        size_t cap = list->cap ? list->cap * 2 : 8;
        const char **items = realloc(list->items, cap * sizeof(*items));
        if (!items)
            return -1;
        list->items = items;
        list->cap = cap;
    }
    list->items[list->count++] = item;
    return 0;
}

void cli_list_release(struct cli_list *list)
{
    free(list->items);
    list->items = NULL;
    list->count = list->cap = 0;
}

int cli_parse_count(const char *text, int *out)
{
    char *end;
    long v;

    if (!text || !*text || *text == '-' || *text == '+')
        return -1;
    errno = 0;
    v = strtol(text, &end, 10);
    if (errno || *end || v < 0 || v > INT_MAX)
        return -1;
    *out = (int)v;
    return 0;
}

int cli_parse_duration(const char *text, int *ms)
{
    char *end;
    double v;
    double scale;

    if (!text || !*text || *text == '-' || *text == '+')
        return -1;
    errno = 0;
    v = strtod(text, &end);
    if (errno || end == text)
        return -1;
    if (!*end || !strcmp(end, "s"))
        scale = 1000;
    else if (!strcmp(end, "ms"))
        scale = 1;
    else if (!strcmp(end, "m") || !strcmp(end, "min"))
        scale = 60000;
    else if (!strcmp(end, "h"))
        scale = 3600000;
    else
        return -1;
    v *= scale;
    if (v < 0 || v > INT_MAX)
        return -1;
    *ms = (int)v;
    return 0;
}

static struct cli_option global_options[18];

const struct cli_option *cli_global_options(struct cli_context *ctx)
{
    struct cli_flags *f = &ctx->flags;
    const struct cli_option table[] = {
        {CLI_OPT_STRING, 0, "url", "URL", &f->url,
         "database URL (sqlite:FILE, postgres://..., mysql://...)"},
        {CLI_OPT_STRING, 0, "dir", "DIR", &f->dir, "migrations folder (default: migrations)"},
        {CLI_OPT_STRING, 0, "table", "PREFIX", &f->table,
         "history table prefix (default: dbshift)"},
        {CLI_OPT_STRING, 0, "schema", "NAME", &f->schema,
         "PostgreSQL schema of the history tables (default: public)"},
        {CLI_OPT_STRING, 0, "config", "FILE", &f->config,
         "config file (default: ./dbshift.conf when present)"},
        {CLI_OPT_STRING, 0, "env", "NAME", &f->env, "use [env.NAME] of the config file"},
        {CLI_OPT_STRING, 0, "password-file", "FILE", &f->password_file,
         "read the database password from FILE"},
        {CLI_OPT_STRING, 0, "source-format", "NAME", &f->source_format,
         "migration format (dbshift, goose, dbmate, flyway, ...; default: detect)"},
        {CLI_OPT_STRING, 0, "keep-history-of", "TOOL", &f->keep_history_of,
         "also keep TOOL's history table as TOOL would (golang-migrate, diesel, ...)"},
        {CLI_OPT_STRING, 0, "dump-schema", "FILE", &f->dump_schema,
         "after a successful up, down or redo, write the schema's DDL to FILE"},
        {CLI_OPT_LIST, 0, "var", "NAME=VALUE", &f->vars,
         "placeholder value for templated migrations (repeatable)"},
        {CLI_OPT_DURATION, 0, "lock-wait", "DURATION", &f->lock_wait_ms,
         "how long to wait for the migration lock (default: 30s)"},
        {CLI_OPT_STRING, 0, "format", "FORMAT", &f->format, "output format: text or json"},
        {CLI_OPT_BOOL, 'q', "quiet", NULL, &f->quiet, "print only errors and results"},
        {CLI_OPT_BOOL, 'v', "verbose", NULL, &f->verbose, "print more about what happens"},
        {CLI_OPT_BOOL, 0, "no-color", NULL, &f->no_color, "never colour the output"},
        {CLI_OPT_BOOL, 'y', "yes", NULL, &f->yes, "answer yes to every confirmation"},
        CLI_OPTION_END,
    };
    _Static_assert(sizeof(table) <= sizeof(global_options), "global option table too small");
    /* The pointers depend on ctx, so the table is rebuilt per call. */
    memcpy(global_options, table, sizeof(table));
    return global_options;
}

static const struct cli_option *find_long(const struct cli_option *opts, const char *name,
                                          size_t len)
{
    for (; opts && opts->type != CLI_OPT_END; opts++)
        if (strlen(opts->long_name) == len && !strncmp(opts->long_name, name, len))
            return opts;
    return NULL;
}

static const struct cli_option *find_short(const struct cli_option *opts, char c)
{
    for (; opts && opts->type != CLI_OPT_END; opts++)
        if (opts->short_name && opts->short_name == c)
            return opts;
    return NULL;
}

int cli_usage_error(struct cli_context *ctx, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%serror:%s ", cli_color(ctx, stderr, "error"),
            cli_color(ctx, stderr, "reset"));
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (ctx->command)
        fprintf(stderr, "\nrun `%s %s --help` for usage\n", ctx->program, ctx->command);
    else
        fprintf(stderr, "\nrun `%s --help` for usage\n", ctx->program);
    return CLI_EXIT_USAGE;
}

/* Stores one option's value; arg is NULL for booleans. */
static int store(struct cli_context *ctx, const struct cli_option *opt, const char *arg)
{
    switch (opt->type) {
    case CLI_OPT_BOOL:
        *(bool *)opt->value = true;
        return 0;
    case CLI_OPT_STRING:
        *(const char **)opt->value = arg;
        return 0;
    case CLI_OPT_INT:
        if (cli_parse_count(arg, (int *)opt->value) < 0) {
            cli_usage_error(ctx, "--%s needs a non-negative number, not '%s'", opt->long_name, arg);
            return -1;
        }
        return 0;
    case CLI_OPT_DURATION:
        if (cli_parse_duration(arg, (int *)opt->value) < 0) {
            cli_usage_error(ctx, "--%s needs a duration such as 500ms, 5s or 2m, not '%s'",
                            opt->long_name, arg);
            return -1;
        }
        return 0;
    case CLI_OPT_LIST:
        if (cli_list_push((struct cli_list *)opt->value, arg) < 0) {
            fprintf(stderr, "error: out of memory\n");
            return -1;
        }
        return 0;
    default:
        return -1;
    }
}

static void option_label(char *out, size_t size, const struct cli_option *opt)
{
    char shortpart[8] = "    ";

    if (opt->short_name)
        snprintf(shortpart, sizeof(shortpart), "-%c, ", opt->short_name);
    if (opt->arg_name)
        snprintf(out, size, "%s--%s %s", shortpart, opt->long_name, opt->arg_name);
    else
        snprintf(out, size, "%s--%s", shortpart, opt->long_name);
}

static size_t label_width(const struct cli_option *options, size_t width)
{
    char label[96];

    for (const struct cli_option *opt = options; opt && opt->type != CLI_OPT_END; opt++) {
        option_label(label, sizeof(label), opt);
        if (strlen(label) > width)
            width = strlen(label);
    }
    return width;
}

void cli_print_options(FILE *out, const struct cli_option *options, const struct cli_option *more)
{
    char label[96];
    size_t width = label_width(more, label_width(options, 0));

    /* Both tables share one column so their help texts line up. */
    for (const struct cli_option *opt = options; opt && opt->type != CLI_OPT_END; opt++) {
        option_label(label, sizeof(label), opt);
        fprintf(out, "  %-*s  %s\n", (int)width, label, opt->help);
    }
    for (const struct cli_option *opt = more; opt && opt->type != CLI_OPT_END; opt++) {
        option_label(label, sizeof(label), opt);
        fprintf(out, "  %-*s  %s\n", (int)width, label, opt->help);
    }
}

static bool help_flag;
static const struct cli_option help_option[] = {
    {CLI_OPT_BOOL, 'h', "help", NULL, &help_flag, "show this help"},
    CLI_OPTION_END,
};

static void print_help(struct cli_context *ctx, const struct cli_option *options,
                       const struct cli_command_help *help)
{
    printf("usage: %s %s\n\n%s\n", ctx->program, help->usage, help->summary);
    if (help->description)
        printf("\n%s\n", help->description);
    printf("\noptions:\n");
    cli_print_options(stdout, options, help_option);
    printf("\nglobal options (before or after the command):\n");
    cli_print_options(stdout, cli_global_options(ctx), NULL);
    printf("\nsee dbshift(1) for exit statuses, environment and files\n");
}

/*
 * Handles one argument that starts with '-'. Returns the number of extra
 * argv entries consumed (0 or 1), CLI_PARSE_HELP-style sentinel -2 for help,
 * or -1 on error.
 */
static int parse_one(struct cli_context *ctx, const struct cli_option *options,
                     const struct cli_option *globals, int argc, const char **argv, int i)
{
    const char *arg = argv[i];
    const struct cli_option *opt;
    const char *value = NULL;
    int used = 0;

    if (arg[1] == '-') {
        const char *name = arg + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);

        if (len == 4 && !strncmp(name, "help", 4))
            return -2;
        opt = find_long(options, name, len);
        if (!opt)
            opt = find_long(globals, name, len);
        if (!opt) {
            cli_usage_error(ctx, "unknown option '--%.*s'", (int)len, name);
            return -1;
        }
        if (opt->type == CLI_OPT_BOOL) {
            if (eq) {
                cli_usage_error(ctx, "--%s takes no value", opt->long_name);
                return -1;
            }
        } else if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[i + 1];
            used = 1;
        } else {
            cli_usage_error(ctx, "--%s needs a value (%s)", opt->long_name, opt->arg_name);
            return -1;
        }
    } else {
        /* Short options: only single letters, each alone (-q, -y, -h). */
        if (arg[1] == 'h' && !arg[2])
            return -2;
        opt = arg[2] ? NULL : find_short(options, arg[1]);
        if (!opt && !arg[2])
            opt = find_short(globals, arg[1]);
        if (!opt) {
            cli_usage_error(ctx, "unknown option '%s'", arg);
            return -1;
        }
        if (opt->type != CLI_OPT_BOOL) {
            if (i + 1 >= argc) {
                cli_usage_error(ctx, "-%c needs a value (%s)", opt->short_name, opt->arg_name);
                return -1;
            }
            value = argv[i + 1];
            used = 1;
        }
    }
    if (store(ctx, opt, value) < 0)
        return -1;
    return used;
}

int cli_parse_options(int argc, const char **argv, const struct cli_option *options,
                      const struct cli_command_help *help, struct cli_context *ctx,
                      int *npositional)
{
    const struct cli_option *globals = cli_global_options(ctx);
    int npos = 0;
    bool only_positional = false;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int used;

        /* A lone "-" is positional (it may name stdin). */
        if (only_positional || arg[0] != '-' || !arg[1]) {
            argv[1 + npos++] = arg;
            continue;
        }
        if (!strcmp(arg, "--")) {
            only_positional = true;
            continue;
        }
        used = parse_one(ctx, options, globals, argc, argv, i);
        if (used == -2) {
            print_help(ctx, options, help);
            return CLI_PARSE_HELP;
        }
        if (used < 0)
            return -1;
        i += used;
    }
    *npositional = npos;
    return 0;
}

int cli_parse_global(int argc, const char **argv, struct cli_context *ctx, int *next)
{
    const struct cli_option *globals = cli_global_options(ctx);
    int i;

    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int used;

        if (arg[0] != '-' || !arg[1])
            break;
        if (!strcmp(arg, "--")) {
            i++;
            break;
        }
        /* --help and --version belong to main; leave them for it. */
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h") || !strcmp(arg, "--version"))
            break;
        used = parse_one(ctx, NULL, globals, argc, argv, i);
        if (used < 0)
            return -1;
        i += used;
    }
    *next = i;
    return 0;
}
