/*
 * output.c - how dbshift talks to a person: progress lines as library events
 * arrive, notes and warnings, the confirmation prompt, and errors rendered
 * with the failing source line and a caret, followed by what state the
 * database is in and what to do next. It is also the one place where library
 * codes become exit statuses. Colour is used only on a terminal, and never
 * with NO_COLOR or --no-color.
 */
#include "cli.h"

#include <jansson.h>

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Width of "<version>_<name>" plus its dots in progress lines. */
#define LABEL_WIDTH 44

int cli_exit_code(int code)
{
    switch (code) {
    case DBSHIFT_OK:
        return CLI_EXIT_OK;
    case DBSHIFT_EUSAGE:
        return CLI_EXIT_USAGE;
    case DBSHIFT_ELOCK:
        return CLI_EXIT_LOCK;
    case DBSHIFT_ECHECKSUM:
        return CLI_EXIT_VALIDATION;
    case DBSHIFT_ELINT:
        return CLI_EXIT_LINT;
    default:
        return CLI_EXIT_ERROR;
    }
}

int cli_lint_exit_code(int code)
{
    return code == DBSHIFT_EDECLINED ? CLI_EXIT_LINT : cli_exit_code(code);
}

const char *cli_color(const struct cli_context *ctx, FILE *stream, const char *which)
{
    bool on = stream == stderr ? ctx->color_err : ctx->color_out;

    if (!on || ctx->flags.no_color)
        return "";
    if (!strcmp(which, "error") || !strcmp(which, "failed"))
        return "\033[1;31m";
    if (!strcmp(which, "ok"))
        return "\033[32m";
    if (!strcmp(which, "warn"))
        return "\033[33m";
    if (!strcmp(which, "dim"))
        return "\033[2m";
    if (!strcmp(which, "bold"))
        return "\033[1m";
    if (!strcmp(which, "reset"))
        return "\033[0m";
    return "";
}

void cli_close_line(struct cli_context *ctx)
{
    if (ctx->line_open) {
        fputc('\n', stdout);
        fflush(stdout);
        ctx->line_open = false;
    }
}

void cli_note(struct cli_context *ctx, const char *fmt, ...)
{
    va_list ap;

    if (ctx->quiet)
        return;
    cli_close_line(ctx);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_warn(struct cli_context *ctx, const char *fmt, ...)
{
    va_list ap;

    cli_close_line(ctx);
    fprintf(stderr, "%swarning:%s ", cli_color(ctx, stderr, "warn"),
            cli_color(ctx, stderr, "reset"));
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Reads line number `line` of path into out; false when it cannot. */
static bool source_line(const char *path, int line, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    int n = 1;
    int c;
    size_t len = 0;

    if (!f)
        return false;
    while (n < line && (c = fgetc(f)) != EOF)
        if (c == '\n')
            n++;
    if (n != line) {
        fclose(f);
        return false;
    }
    while ((c = fgetc(f)) != EOF && c != '\n' && len + 1 < size)
        out[len++] = c == '\t' ? ' ' : (char)c;
    fclose(f);
    if (len && out[len - 1] == '\r')
        len--;
    out[len] = '\0';
    return true;
}

/*
 * The identifier an error message is about: the text in its first pair of
 * double quotes ("column \"nope\" does not exist"), else its last word
 * ("no such column: nope"). Empty when there is none.
 */
static void message_subject(const char *message, char *out, size_t size)
{
    const char *start = strchr(message, '"');
    const char *end = start ? strchr(start + 1, '"') : NULL;
    size_t len;

    out[0] = '\0';
    if (start && end) {
        start++;
    } else {
        end = message + strlen(message);
        start = end;
        while (start > message &&
               (isalnum((unsigned char)start[-1]) || start[-1] == '_' || start[-1] == '.'))
            start--;
        if (start == message || start[-1] != ' ')
            return;
    }
    len = (size_t)(end - start);
    if (len == 0 || len >= size)
        return;
    memcpy(out, start, len);
    out[len] = '\0';
}

/* Finds word, as a whole identifier, in text; returns its 0-based offset or -1. */
static long find_word(const char *text, const char *word)
{
    size_t n = strlen(word);

    for (const char *p = strstr(text, word); p; p = strstr(p + 1, word)) {
        bool left = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
        bool right = !(isalnum((unsigned char)p[n]) || p[n] == '_');
        if (left && right)
            return (long)(p - text);
    }
    return -1;
}

/*
 * Prints the " --> file:line:col" block with the source line and a caret.
 * SQLite and MySQL report no position, so the library points at the start
 * of the statement; then the caret goes to the word the message names when
 * that word appears in the statement, which is what a person looks for.
 */
static void print_location(struct cli_context *ctx, const dbshift_error *err)
{
    char text[1024];
    char number[16];
    char subject[128];
    int line = err->line;
    int column = err->column;
    int width;

    if (!err->file)
        return;
    if (line <= 0) {
        fprintf(stderr, "  --> %s\n", err->file);
        return;
    }
    if (column <= 1 && err->message) {
        message_subject(err->message, subject, sizeof(subject));
        for (int l = line; subject[0] && l < line + 40; l++) {
            long at;
            if (!source_line(err->file, l, text, sizeof(text)))
                break;
            if ((at = find_word(text, subject)) >= 0) {
                line = l;
                column = (int)at + 1;
                break;
            }
            if (strchr(text, ';'))
                break; /* the statement ended without naming it */
        }
    }
    if (column > 0)
        fprintf(stderr, "  --> %s:%d:%d\n", err->file, line, column);
    else
        fprintf(stderr, "  --> %s:%d\n", err->file, line);
    if (!source_line(err->file, line, text, sizeof(text)))
        return;
    width = snprintf(number, sizeof(number), "%d", line);
    fprintf(stderr, "%*s |\n", width + 1, "");
    fprintf(stderr, " %s | %s\n", number, text);
    if (column > 0 && (size_t)column <= strlen(text) + 1) {
        /* Underline the word the error points at, or one character. */
        size_t start = (size_t)column - 1;
        size_t end = start;
        while (text[end] && (isalnum((unsigned char)text[end]) || text[end] == '_'))
            end++;
        if (end == start)
            end = start + 1;
        fprintf(stderr, "%*s | %*s%s", width + 1, "", (int)start, "",
                cli_color(ctx, stderr, "error"));
        for (size_t i = start; i < end; i++)
            fputc('^', stderr);
        fprintf(stderr, "%s\n", cli_color(ctx, stderr, "reset"));
    }
}

/* What to do next, for codes where the library's hint may be missing. */
static const char *default_hint(const struct cli_context *ctx, int code)
{
    switch (code) {
    case DBSHIFT_ELOCK:
        return "another dbshift run holds the lock: wait for it, see `dbshift lock`, or raise "
               "--lock-wait";
    case DBSHIFT_ECHECKSUM:
        return "run `dbshift validate` for details; `dbshift repair` accepts the files as they "
               "are now";
    case DBSHIFT_EFAILED:
        return "fix the cause and run `dbshift up --resume`, or run `dbshift repair` to clear "
               "the failed mark";
    case DBSHIFT_EOUTOFORDER:
        return "pass --allow-out-of-order to apply it anyway";
    case DBSHIFT_ELINT:
        return "review the findings; pass --allow RULE for each one you accept, or --yes";
    case DBSHIFT_EDECLINED:
        /* On a terminal the person just said no: nothing to add. */
        return ctx->interactive ? NULL : "no terminal to ask on: pass --yes to confirm";
    case DBSHIFT_EIRREVERSIBLE:
        return "this migration has no down section; restore a backup instead (`dbshift "
               "restore`)";
    default:
        return NULL;
    }
}

/* The state the database was left in, after a failed migration. */
static void print_aftermath(const dbshift_run_item *item)
{
    if (item->transactional) {
        fprintf(stderr,
                "the migration ran in a transaction and was rolled back: the database is "
                "as it was before it.\nFix the file and run `dbshift %s` again.\n",
                item->direction == DBSHIFT_DOWN ? "down" : "up");
        return;
    }
    fprintf(
        stderr,
        "the migration ran outside a transaction: %d of %d statements ran and it is "
        "marked failed.\nFix the cause and run `dbshift up --resume` to continue from the "
        "failed statement,\nor undo the statements that ran by hand and run `dbshift repair`.\n",
        item->statements_done, item->statement_count);
}

int cli_report_error(struct cli_context *ctx, const dbshift_error *err,
                     const dbshift_run_item *item)
{
    int code = err && err->code ? err->code : DBSHIFT_ERROR;
    const char *message = err && err->message ? err->message : dbshift_code_name(code);
    const char *hint;

    cli_close_line(ctx);
    if (ctx->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_object_set_new(doc, "error", cli_json_error(err));
        cli_print_json(doc);
        return cli_exit_code(code);
    }
    fprintf(stderr, "%serror:%s %s", cli_color(ctx, stderr, "error"),
            cli_color(ctx, stderr, "reset"), message ? message : "unknown error");
    if (err && err->sqlstate[0])
        fprintf(stderr, " (SQLSTATE %s)", err->sqlstate);
    fputc('\n', stderr);
    if (!err)
        return cli_exit_code(code);
    print_location(ctx, err);
    if (err->statement && (!err->file || err->line <= 0))
        fprintf(stderr, "  statement: %s\n", err->statement);
    if (err->detail)
        fprintf(stderr, "detail: %s\n", err->detail);
    hint = err->hint ? err->hint : default_hint(ctx, code);
    /* For a failed migration the aftermath says what the library's hint
     * says, from the run item, so the hint is not repeated. */
    if (item && item->outcome == DBSHIFT_OUTCOME_FAILED) {
        print_aftermath(item);
    } else if (hint) {
        fprintf(stderr, "hint: %s\n", hint);
    }
    return cli_exit_code(code);
}

int cli_fail(struct cli_context *ctx, dbshift *db, int code)
{
    const dbshift_error *err = db ? dbshift_last_error(db) : NULL;
    dbshift_error fallback = {0};

    if (!err || !err->code) {
        fallback.code = code;
        fallback.message = (char *)dbshift_code_name(code);
        err = &fallback;
    }
    return cli_report_error(ctx, err, NULL);
}

static const char *verb(const dbshift_event *ev)
{
    return ev->direction == DBSHIFT_DOWN ? "revert" : "apply";
}

static void print_label(const dbshift_event *ev)
{
    char label[256];
    int len;

    len = snprintf(label, sizeof(label), "%s_%s", ev->version ? ev->version : "?",
                   ev->name ? ev->name : "");
    printf("%-7s %s ", verb(ev), label);
    for (int i = len; i < LABEL_WIDTH || i < len + 3; i++)
        fputc('.', stdout);
    /* The result follows after one space (see migration_done). */
}

static void migration_done(struct cli_context *ctx, const dbshift_event *ev)
{
    const char *word;
    const char *color;

    /* Output in between (a warning, SQL) closed the line: start it again. */
    if (!ctx->line_open)
        print_label(ev);
    fputc(' ', stdout);
    switch (ev->outcome) {
    case DBSHIFT_OUTCOME_OK:
        word = "ok";
        color = "ok";
        break;
    case DBSHIFT_OUTCOME_PLANNED:
        word = "planned";
        color = "dim";
        break;
    case DBSHIFT_OUTCOME_REHEARSED:
        word = "rehearsed";
        color = "ok";
        break;
    case DBSHIFT_OUTCOME_SKIPPED:
        word = "skipped";
        color = "dim";
        break;
    default:
        printf("%sFAILED%s after %lld ms\n", cli_color(ctx, stdout, "failed"),
               cli_color(ctx, stdout, "reset"), (long long)ev->elapsed_ms);
        ctx->line_open = false;
        fflush(stdout);
        return;
    }
    if (ev->outcome == DBSHIFT_OUTCOME_PLANNED || ev->outcome == DBSHIFT_OUTCOME_SKIPPED)
        printf("%s%s%s\n", cli_color(ctx, stdout, color), word, cli_color(ctx, stdout, "reset"));
    else
        printf("%s%s%s %4lld ms\n", cli_color(ctx, stdout, color), word,
               cli_color(ctx, stdout, "reset"), (long long)ev->elapsed_ms);
    ctx->line_open = false;
    fflush(stdout);
}

void cli_on_event(const dbshift_event *ev, void *payload)
{
    struct cli_context *ctx = payload;

    /* JSON mode: one document at the end, and warnings on stderr only. */
    if (ctx->format == CLI_FORMAT_JSON) {
        if (ev->type == DBSHIFT_EV_LOG && ev->level >= DBSHIFT_LOG_WARN && ev->message)
            cli_warn(ctx, "%s", ev->message);
        return;
    }
    switch (ev->type) {
    case DBSHIFT_EV_LOG:
        if (!ev->message)
            break;
        if (ev->level >= DBSHIFT_LOG_WARN)
            cli_warn(ctx, "%s", ev->message);
        else if (ev->level == DBSHIFT_LOG_INFO || ctx->verbose)
            cli_note(ctx, "%s", ev->message);
        break;
    case DBSHIFT_EV_BACKUP:
        if (!ctx->quiet) {
            cli_close_line(ctx);
            printf("%-7s %s\n", "backup", ev->path ? ev->path : "");
            fflush(stdout);
        }
        break;
    case DBSHIFT_EV_LOCK_WAIT:
        cli_note(ctx, "waiting for the migration lock%s%s", ev->message ? ": " : "",
                 ev->message ? ev->message : "");
        break;
    case DBSHIFT_EV_MIGRATION_START:
        if (ctx->quiet)
            break;
        cli_close_line(ctx);
        print_label(ev);
        ctx->line_open = true;
        fflush(stdout);
        break;
    case DBSHIFT_EV_STATEMENT:
        if (ctx->verbose && ev->sql) {
            cli_close_line(ctx);
            fprintf(stderr, "  statement %zu/%zu\n", ev->statement_index, ev->statement_count);
        }
        break;
    case DBSHIFT_EV_MIGRATION_DONE:
        if (ctx->plan_printed && ev->outcome == DBSHIFT_OUTCOME_PLANNED) {
            ctx->plan_printed = false;
            break;
        }
        ctx->plan_printed = false;
        if (ctx->quiet && ev->outcome != DBSHIFT_OUTCOME_FAILED)
            break;
        migration_done(ctx, ev);
        break;
    case DBSHIFT_EV_PLAN_SQL:
        if (ev->sql) {
            /* Only dry runs send SQL: finish the line first, SQL below it. */
            if (ctx->line_open) {
                printf(" %splanned%s\n", cli_color(ctx, stdout, "dim"),
                       cli_color(ctx, stdout, "reset"));
                ctx->line_open = false;
                ctx->plan_printed = true;
            }
            cli_close_line(ctx);
            /* Indented so the plan stays readable between the lines around it. */
            for (const char *p = ev->sql; *p;) {
                size_t n = strcspn(p, "\n");
                printf("    %s%.*s%s\n", cli_color(ctx, stdout, "dim"), (int)n, p,
                       cli_color(ctx, stdout, "reset"));
                p += n;
                if (*p)
                    p++;
            }
            /* Postgres sends what the statement locks, one table a line. */
            for (const char *p = ev->message; p && *p;) {
                size_t n = strcspn(p, "\n");
                printf("    %slock%s  %.*s\n", cli_color(ctx, stdout, "warn"),
                       cli_color(ctx, stdout, "reset"), (int)n, p);
                p += n;
                if (*p)
                    p++;
            }
            fflush(stdout);
        }
        break;
    default:
        /* Backup progress and future event types are not shown. */
        break;
    }
}

bool cli_confirm(const char *question, const char *details, void *payload)
{
    struct cli_context *ctx = payload;
    char answer[64];

    cli_close_line(ctx);
    /* stdout may be fully buffered (a pipe): what the question is about
     * must be out before the question. */
    fflush(stdout);
    /* Off a terminal nobody is asked: the error that follows carries the
     * details, and printing them here too showed every finding twice. */
    if (details && *details && (ctx->interactive || ctx->assume_yes)) {
        fputs(details, stderr);
        if (details[strlen(details) - 1] != '\n')
            fputc('\n', stderr);
    }
    if (ctx->assume_yes)
        return true;
    if (!ctx->interactive) {
        fprintf(stderr, "%s: cannot ask without a terminal\n",
                question ? question : "confirmation needed");
        return false;
    }
    fprintf(stderr, "%s [y/N] ", question ? question : "continue?");
    fflush(stderr);
    if (!fgets(answer, sizeof(answer), stdin))
        return false;
    return answer[0] == 'y' || answer[0] == 'Y';
}
