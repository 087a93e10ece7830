/*
 * cli.h - what every dbshift subcommand shares: the command signature, the
 * context built from global options, config file and environment, the
 * declarative option tables, and the output helpers. Subcommands live one
 * per file (cmd_<name>.c) and are dispatched from the table in main.c.
 *
 * A subcommand's life: parse its options with cli_parse_options (which also
 * accepts every global option, so `dbshift up --url X` and `dbshift --url X
 * up` mean the same), open the target with cli_open, call the library,
 * render text or JSON, and return cli_finish(ctx, code) so that the mapping
 * from library codes to exit statuses stays in one place.
 */
#ifndef DBSHIFT_CLI_H
#define DBSHIFT_CLI_H

#include "dbshift.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses of the program; documented in man/dbshift.1 and README.md. */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_ERROR = 1,      /* any error without a more specific status */
    CLI_EXIT_USAGE = 2,      /* bad command line or config file */
    CLI_EXIT_PENDING = 3,    /* status --exit-code: migrations are pending */
    CLI_EXIT_LOCK = 4,       /* the migration lock was not acquired */
    CLI_EXIT_VALIDATION = 5, /* applied files changed or went missing */
    CLI_EXIT_LINT = 6,       /* dangerous changes were not confirmed or allowed */
    CLI_EXIT_DRIFT = 7,      /* reserved: the schema drifted from the migrations */
};

enum cli_format {
    CLI_FORMAT_TEXT = 0,
    CLI_FORMAT_JSON = 1,
};

/* A growable list of borrowed strings (from argv or the config strings). */
struct cli_list {
    const char **items;
    size_t count;
    size_t cap;
};

int cli_list_push(struct cli_list *list, const char *item);
void cli_list_release(struct cli_list *list);

/*
 * Settings as given on the command line; NULL / -1 / false when not given,
 * so that resolution can tell "not given" from "given as the default".
 */
struct cli_flags {
    const char *url;
    const char *dir;
    const char *table;
    const char *schema;
    const char *config;
    const char *env;
    const char *password_file;
    const char *source_format;
    const char *keep_history_of;
    const char *dump_schema;
    const char *format;
    int lock_wait_ms; /* -1: not given */
    struct cli_list vars;
    bool quiet;
    bool verbose;
    bool no_color;
    bool yes;
};

/*
 * The shared context: filled by main.c and cli_resolve, handed to every
 * subcommand. Strings are owned by the context (freed by cli_context_release).
 */
struct cli_context {
    const char *program;    /* "dbshift" */
    const char *command;    /* the subcommand's name */
    struct cli_flags flags; /* raw global options */
    dbshift_config config;  /* resolved; valid after cli_resolve */
    int format;             /* enum cli_format */
    bool color_out;         /* colour on stdout */
    bool color_err;         /* colour on stderr */
    bool quiet;
    bool verbose;
    bool assume_yes;
    bool interactive;        /* stdin and stderr are terminals: may ask */
    bool url_defaulted;      /* no url from flag, env or config */
    const char *url_origin;  /* "--url", "DATABASE_URL", a config path, "default" */
    const char *config_path; /* config file read, NULL when none */
    /* From the config file, for lint and up (borrowed from owned storage). */
    struct cli_list lint_disabled; /* lint_disable = RULE, RULE */
    struct cli_list lint_levels;   /* lint_level = RULE=level, ... */
    struct cli_list allow_rules;   /* allow = RULE, RULE */
    int keep_backups;              /* keep_backups =; 0 when not set */
    const char *keep_history_of;   /* --keep-history-of / keep_history_of =, NULL: none */
    const char *dump_schema;       /* --dump-schema / dump_schema =: refreshed after up/down */
    /* Owned storage behind the pointers above. */
    struct cli_list owned;
    char *password;
    /* Output state for the event callback. */
    bool line_open;    /* an "apply ..." line waits for its result */
    bool plan_printed; /* dry run: the line was finished before its SQL */
    bool resolved;
};

/* The signature of every subcommand; argv[0] is the command name. Returns the
 * process exit status (enum cli_exit). */
typedef int cli_command_fn(int argc, const char **argv, struct cli_context *ctx);

cli_command_fn cmd_new, cmd_up, cmd_down, cmd_redo, cmd_status, cmd_history, cmd_validate,
    cmd_repair, cmd_baseline, cmd_backup, cmd_restore, cmd_lock, cmd_lint, cmd_adopt;
/* Embedding work: manual steps and compiled-in migrations. */
cli_command_fn cmd_resolve, cmd_embed;

/* --- Option tables (options.c) ------------------------------------------ */

enum cli_option_type {
    CLI_OPT_END = 0,
    CLI_OPT_BOOL,     /* value: bool*, set to true */
    CLI_OPT_STRING,   /* value: const char**, points into argv */
    CLI_OPT_INT,      /* value: int*, a non-negative integer */
    CLI_OPT_DURATION, /* value: int*, milliseconds; accepts 500ms, 5s, 2m, 1h */
    CLI_OPT_LIST,     /* value: struct cli_list*, repeatable */
};

struct cli_option {
    int type;              /* enum cli_option_type */
    char short_name;       /* 0 when none */
    const char *long_name; /* without the leading "--" */
    const char *arg_name;  /* shown in help, e.g. "V"; NULL for booleans */
    void *value;
    const char *help;
};

#define CLI_OPTION_END                                                                             \
    {                                                                                              \
        CLI_OPT_END, 0, NULL, NULL, NULL, NULL                                                     \
    }

/* What a subcommand tells the parser about itself, also used by --help. */
struct cli_command_help {
    const char *usage;       /* "up [options]" */
    const char *summary;     /* one line */
    const char *description; /* a paragraph, may be NULL */
};

enum {
    CLI_PARSE_HELP = 1, /* --help was printed: exit 0 */
};

/*
 * Parses argv[1..argc) against the command's options plus the global ones.
 * Positional arguments are moved to the front: *npositional receives their
 * count and argv[1..1+npositional) holds them. "--" ends options. Returns 0,
 * CLI_PARSE_HELP after printing help to stdout, or -1 after printing a usage
 * error to stderr.
 */
int cli_parse_options(int argc, const char **argv, const struct cli_option *options,
                      const struct cli_command_help *help, struct cli_context *ctx,
                      int *npositional);

/* Parses only global options from argv[1..), stopping at the first
 * non-option (the command name); *next receives its index. Returns 0 or -1. */
int cli_parse_global(int argc, const char **argv, struct cli_context *ctx, int *next);

/* Prints the option lists of one or two tables (more may be NULL) in one
 * aligned column, for --help. */
void cli_print_options(FILE *out, const struct cli_option *options, const struct cli_option *more);
/* The table of global options, for the top-level help. */
const struct cli_option *cli_global_options(struct cli_context *ctx);

/* Parses "500ms", "5s", "2m", "1h" or plain seconds into *ms. Returns 0 or -1. */
int cli_parse_duration(const char *text, int *ms);
/* Parses a non-negative decimal integer. Returns 0 or -1. */
int cli_parse_count(const char *text, int *out);

/* Reports a usage error for the current command and returns CLI_EXIT_USAGE. */
int cli_usage_error(struct cli_context *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* --- Context and configuration (config.c, main.c) ----------------------- */

void cli_context_init(struct cli_context *ctx);
void cli_context_release(struct cli_context *ctx);

/*
 * Resolves flags > environment > config file > defaults into ctx->config and
 * the output settings. Prints config-file problems itself. Returns 0 or an
 * exit status. Safe to call twice (the second call does nothing).
 */
int cli_resolve(struct cli_context *ctx);

/*
 * Resolves settings and opens the target. Announces the embedded default on
 * stderr when announce is true and no URL was given. Returns 0 or an exit
 * status (after printing the error).
 */
int cli_open(dbshift **out, struct cli_context *ctx, bool announce);

/* --- Output (output.c) --------------------------------------------------- */

/* The only place that maps DBSHIFT_E* codes to exit statuses. */
int cli_exit_code(int code);
/* The same for the lint command, where a refused confirmation (EDECLINED)
 * also means "dangerous findings not accepted": status 6. */
int cli_lint_exit_code(int code);

/* Colour escapes, or "" when colour is off for that stream. */
const char *cli_color(const struct cli_context *ctx, FILE *stream, const char *which);

/* Prints a note to stderr unless quiet ("using ...", "nothing to do"). */
void cli_note(struct cli_context *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "warning: ..." to stderr. */
void cli_warn(struct cli_context *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Renders a failure: in text mode "error: ..." with the source excerpt to
 * stderr; in JSON mode {"error": {...}} to stdout. item, when given, says how
 * far a migration got so the text can tell what state the database is in.
 * Returns the exit status for err->code.
 */
int cli_report_error(struct cli_context *ctx, const dbshift_error *err,
                     const dbshift_run_item *item);

/* Renders an error that happened on a handle (dbshift_last_error). */
int cli_fail(struct cli_context *ctx, dbshift *db, int code);

/* The event callback given to the library (payload: the cli_context). */
void cli_on_event(const dbshift_event *ev, void *payload);
/* The confirmation callback: asks on a terminal, refuses elsewhere. */
bool cli_confirm(const char *question, const char *details, void *payload);
/* The environment callback: getenv. */
const char *cli_getenv(const char *name, void *payload);

/* Closes an "apply ..." line left open by events (before other output). */
void cli_close_line(struct cli_context *ctx);

/* --- Rendering (render.c) ------------------------------------------------ */

struct json_t;

/* Prints a JSON document on stdout (consumes the reference). Returns 0 or
 * CLI_EXIT_ERROR when it could not be built. */
int cli_print_json(struct json_t *doc);
/* The error object of the JSON formats, or JSON null for no error. */
struct json_t *cli_json_error(const dbshift_error *err);
/* {"database", "migrations": [...], "from", "to", "backup"} for a run. */
struct json_t *cli_json_report(dbshift *db, const dbshift_report *rep);
/* Text summary of a run ("2 applied in 9 ms · now at V"). */
void cli_render_report_summary(struct cli_context *ctx, const dbshift_report *rep, int direction,
                               bool dry_run, bool rehearse);

/*
 * Finishes up/down/redo: prints the JSON report, or in text mode the summary
 * or the error of the failed migration. rc is what the library returned.
 * Returns the exit status.
 */
int cli_finish_run(struct cli_context *ctx, dbshift *db, const dbshift_report *rep, int rc,
                   int direction, bool dry_run, bool rehearse);

/* A library run (dbshift_down, dbshift_redo) as the commands without options
 * of their own about opening the target call it. */
typedef int cli_run_fn(dbshift_report **out, dbshift *db, const dbshift_run_options *opts);

/*
 * Opens the target, runs run with opts (keep_backups taken from the context)
 * and finishes as cli_finish_run does, for `direction`. Returns the exit
 * status.
 */
int cli_open_and_run(struct cli_context *ctx, dbshift_run_options *opts, cli_run_fn *run,
                     int direction);

/*
 * For commands that mark one migration version by hand (baseline, resolve):
 * opens the target and calls mark(db, version); prints {"database",
 * json_key: version} in JSON, or "text_lead VERSION: text_tail" in text.
 * Returns the exit status.
 */
int cli_mark_version(struct cli_context *ctx, const char *version,
                     int (*mark)(dbshift *db, const char *version), const char *json_key,
                     const char *text_lead, const char *text_tail);

/* {"database", "problems": [{"version", "name", "file", "state", "message"}]}. */
struct json_t *cli_json_problems(dbshift *db, const dbshift_problems *problems);
/* One line per problem: state, version_name, message, file. */
void cli_render_problems(struct cli_context *ctx, const dbshift_problems *problems);

/* Prints the redacted URL once, for commands that show the target. */
const char *cli_database(dbshift *db);

#endif
