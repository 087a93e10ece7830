/*
 * cmd_lint.c - `dbshift lint`: checks migrations for changes that lose data,
 * lock busy tables or cannot run, and renders the findings for a person
 * (text), a program (json), GitHub code scanning (sarif) or GitHub Actions
 * annotations (github). The exit status lets CI fail on a chosen level.
 * Like every command it uses only the public API (dbshift_lint).
 */
#include "cli.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum lint_format { FORMAT_TEXT, FORMAT_JSON, FORMAT_SARIF, FORMAT_GITHUB };

static const char *level_name(int level)
{
    switch (level) {
    case DBSHIFT_LINT_DANGEROUS:
        return "dangerous";
    case DBSHIFT_LINT_CAREFUL:
        return "careful";
    default:
        return "safe";
    }
}

static json_t *str_or_null(const char *s)
{
    json_t *v = s ? json_string(s) : NULL;
    return v ? v : json_null();
}

static int print_json(const dbshift_findings *f)
{
    json_t *doc = json_object();
    json_t *list = json_array();
    for (size_t i = 0; i < f->count; i++) {
        const dbshift_finding *x = &f->items[i];
        json_t *o = json_object();
        json_object_set_new(o, "rule", str_or_null(x->rule));
        json_object_set_new(o, "name", str_or_null(x->name));
        json_object_set_new(o, "level", json_string(level_name(x->level)));
        json_object_set_new(o, "file", str_or_null(x->file));
        json_object_set_new(o, "line", json_integer(x->line));
        json_object_set_new(o, "column", json_integer(x->column));
        json_object_set_new(o, "statement", str_or_null(x->statement));
        json_object_set_new(o, "message", str_or_null(x->message));
        json_object_set_new(o, "suggestion", str_or_null(x->suggestion));
        json_object_set_new(o, "version", str_or_null(x->version));
        json_object_set_new(o, "allowed", json_boolean(x->allowed));
        json_object_set_new(o, "not_analysed", json_boolean(x->not_analysed));
        json_array_append_new(list, o);
    }
    json_object_set_new(doc, "findings", list);
    json_object_set_new(doc, "dangerous", json_integer((json_int_t)f->dangerous));
    json_object_set_new(doc, "careful", json_integer((json_int_t)f->careful));
    return cli_print_json(doc);
}

static const char *sarif_level(int level)
{
    switch (level) {
    case DBSHIFT_LINT_DANGEROUS:
        return "error";
    case DBSHIFT_LINT_CAREFUL:
        return "warning";
    default:
        return "note";
    }
}

/* SARIF 2.1.0 as GitHub code scanning reads it: the rules seen, then one
 * result per finding; allowed findings carry an in-source suppression. */
static int print_sarif(const dbshift_findings *f)
{
    json_t *rules = json_array();
    json_t *results = json_array();
    json_t *index = json_object(); /* rule id -> position in rules */
    for (size_t i = 0; i < f->count; i++) {
        const dbshift_finding *x = &f->items[i];
        const char *id = x->rule ? x->rule : "DS000";
        json_t *at = json_object_get(index, id);
        if (!at) {
            json_t *rule = json_object();
            json_object_set_new(rule, "id", json_string(id));
            json_object_set_new(rule, "name", str_or_null(x->name));
            json_object_set_new(rule, "shortDescription",
                                json_pack("{s:s}", "text", x->message ? x->message : id));
            json_object_set_new(
                rule, "help",
                json_pack("{s:s}", "text", x->suggestion ? x->suggestion : "see docs/lint.md"));
            json_object_set_new(rule, "defaultConfiguration",
                                json_pack("{s:s}", "level", sarif_level(x->level)));
            at = json_integer((json_int_t)json_array_size(rules));
            json_object_set_new(index, id, at);
            json_array_append_new(rules, rule);
        }
        char text[2048];
        snprintf(text, sizeof(text), "%s%s%s", x->message ? x->message : id,
                 x->suggestion ? "; safer: " : "", x->suggestion ? x->suggestion : "");
        json_t *region = json_pack("{s:i, s:i}", "startLine", x->line > 0 ? x->line : 1,
                                   "startColumn", x->column > 0 ? x->column : 1);
        if (x->statement && x->statement[0])
            json_object_set_new(region, "snippet", json_pack("{s:s}", "text", x->statement));
        json_t *location = json_pack("{s:{s:{s:s}, s:o}}", "physicalLocation", "artifactLocation",
                                     "uri", x->file ? x->file : "", "region", region);
        json_t *result = json_pack("{s:s, s:I, s:s, s:{s:s}, s:[o]}", "ruleId", id, "ruleIndex",
                                   json_integer_value(at), "level", sarif_level(x->level),
                                   "message", "text", text, "locations", location);
        if (result && x->allowed)
            json_object_set_new(result, "suppressions", json_pack("[{s:s}]", "kind", "inSource"));
        if (result)
            json_array_append_new(results, result);
    }
    json_decref(index);
    json_t *doc =
        json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:s, s:o}}, s:o}]}", "$schema",
                  "https://json.schemastore.org/sarif-2.1.0.json", "version", "2.1.0", "runs",
                  "tool", "driver", "name", "dbshift", "version", DBSHIFT_VERSION, "informationUri",
                  "https://github.com/dbshift/dbshift/blob/main/docs/lint.md", "rules", rules,
                  "results", results);
    return cli_print_json(doc);
}

/* GitHub workflow commands: data escapes %, CR, LF; properties also : and ,. */
static void print_escaped(const char *s, bool property)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '%':
            fputs("%25", stdout);
            break;
        case '\r':
            fputs("%0D", stdout);
            break;
        case '\n':
            fputs("%0A", stdout);
            break;
        case ':':
            fputs(property ? "%3A" : ":", stdout);
            break;
        case ',':
            fputs(property ? "%2C" : ",", stdout);
            break;
        default:
            putchar(*s);
        }
    }
}

static void print_github(const dbshift_findings *f)
{
    for (size_t i = 0; i < f->count; i++) {
        const dbshift_finding *x = &f->items[i];
        const char *command = x->allowed                           ? "notice"
                              : x->level == DBSHIFT_LINT_DANGEROUS ? "error"
                              : x->level == DBSHIFT_LINT_CAREFUL   ? "warning"
                                                                   : "notice";
        printf("::%s file=", command);
        print_escaped(x->file, true);
        printf(",line=%d,col=%d,title=", x->line, x->column);
        print_escaped(x->rule, true);
        putchar(' ');
        print_escaped(x->name, true);
        fputs("::", stdout);
        print_escaped(x->message, false);
        if (x->suggestion) {
            fputs(" (safer: ", stdout);
            print_escaped(x->suggestion, false);
            putchar(')');
        }
        putchar('\n');
    }
}

static void print_text(struct cli_context *ctx, const dbshift_findings *f)
{
    const char *last_file = NULL;
    size_t safe = 0, allowed = 0;
    for (size_t i = 0; i < f->count; i++) {
        const dbshift_finding *x = &f->items[i];
        const char *file = x->file ? x->file : "(unknown file)";
        if (!last_file || strcmp(last_file, file) != 0) {
            printf("%slint%s  %s\n", cli_color(ctx, stdout, "bold"),
                   cli_color(ctx, stdout, "reset"), file);
            last_file = file;
        }
        const char *color = x->allowed                           ? "dim"
                            : x->level == DBSHIFT_LINT_DANGEROUS ? "error"
                            : x->level == DBSHIFT_LINT_CAREFUL   ? "warn"
                                                                 : "dim";
        printf("  %s %s%-9s%s  line %-4d %s%s\n", x->rule, cli_color(ctx, stdout, color),
               level_name(x->level), cli_color(ctx, stdout, "reset"), x->line,
               x->statement ? x->statement : "", x->allowed ? "   (allowed)" : "");
        printf("        %s\n", x->message ? x->message : "");
        if (x->suggestion)
            printf("        safer: %s\n", x->suggestion);
        if (x->allowed)
            allowed++;
        else if (x->level == DBSHIFT_LINT_SAFE)
            safe++;
    }
    if (f->count == 0)
        printf("lint: no findings\n");
    else
        printf("%zu dangerous, %zu careful, %zu safe, %zu allowed\n", f->dangerous, f->careful,
               safe, allowed);
}

/* Appends the strings of a cli_list to another. */
static int append_all(struct cli_list *to, const struct cli_list *from)
{
    for (size_t i = 0; i < from->count; i++) {
        if (cli_list_push(to, from->items[i]) < 0)
            return -1;
    }
    return 0;
}

int cmd_lint(int argc, const char **argv, struct cli_context *ctx)
{
    bool pending = false, offline = false;
    const char *fail_on = NULL;
    struct cli_list allow = {0}, allow_all = {0};
    dbshift *db = NULL;
    dbshift_findings *findings = NULL;
    int npos, rc;
    const struct cli_option options[] = {
        {CLI_OPT_BOOL, 0, "pending", NULL, &pending,
         "lint only migrations not applied yet (connects to the target)"},
        {CLI_OPT_BOOL, 0, "offline", NULL, &offline,
         "never connect: existing tables come only from earlier migrations"},
        {CLI_OPT_STRING, 0, "fail-on", "LEVEL", &fail_on,
         "exit 6 on findings at this level or above: careful or dangerous (default)"},
        {CLI_OPT_LIST, 0, "allow", "RULE", &allow,
         "accept findings of this rule (code or name); repeatable"},
        CLI_OPTION_END,
    };
    static const struct cli_command_help help = {
        "lint [FILE...] [--pending] [--format text|json|sarif|github] "
        "[--fail-on careful|dangerous] [--allow RULE]",
        "Check migrations for changes that lose data, lock tables or cannot run.",
        "Without FILE, every migration is checked. Suppress one finding with a comment\n"
        "`-- dbshift:allow RULE reason` on or above the statement. Exit status 6 when a\n"
        "finding at the --fail-on level is not allowed. Rules: docs/lint.md.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;

    /* sarif and github are lint's own formats: take them before the shared
     * resolution, which knows only text and json. */
    int format = FORMAT_TEXT;
    if (ctx->flags.format && strcmp(ctx->flags.format, "sarif") == 0) {
        format = FORMAT_SARIF;
        ctx->flags.format = NULL;
    } else if (ctx->flags.format && strcmp(ctx->flags.format, "github") == 0) {
        format = FORMAT_GITHUB;
        ctx->flags.format = NULL;
    }
    int fail_level = DBSHIFT_LINT_DANGEROUS;
    if (fail_on && strcmp(fail_on, "careful") == 0)
        fail_level = DBSHIFT_LINT_CAREFUL;
    else if (fail_on && strcmp(fail_on, "dangerous") != 0) {
        cli_list_release(&allow);
        return cli_usage_error(ctx, "--fail-on must be careful or dangerous, not '%s'", fail_on);
    }
    if (pending && offline) {
        cli_list_release(&allow);
        return cli_usage_error(ctx, "--pending needs the database: drop --offline");
    }

    rc = cli_open(&db, ctx, false);
    if (rc) {
        cli_list_release(&allow);
        return rc;
    }
    if (format == FORMAT_TEXT && ctx->format == CLI_FORMAT_JSON)
        format = FORMAT_JSON;

    if (append_all(&allow_all, &ctx->allow_rules) < 0 || append_all(&allow_all, &allow) < 0) {
        fprintf(stderr, "error: out of memory\n");
        rc = CLI_EXIT_ERROR;
        goto done;
    }
    dbshift_lint_options opts;
    dbshift_lint_options_init(&opts);
    opts.files = npos > 0 ? argv + 1 : NULL;
    opts.nfiles = (size_t)npos;
    opts.pending_only = pending;
    opts.offline = offline;
    opts.allow_rules = allow_all.items;
    opts.nallow_rules = allow_all.count;
    opts.disabled_rules = ctx->lint_disabled.items;
    opts.ndisabled_rules = ctx->lint_disabled.count;
    opts.level_overrides = ctx->lint_levels.items;
    opts.nlevel_overrides = ctx->lint_levels.count;

    rc = dbshift_lint(&findings, db, &opts);
    if (rc < 0) {
        rc = cli_fail(ctx, db, rc);
        goto done;
    }
    switch (format) {
    case FORMAT_JSON:
        rc = print_json(findings);
        break;
    case FORMAT_SARIF:
        rc = print_sarif(findings);
        break;
    case FORMAT_GITHUB:
        print_github(findings);
        rc = CLI_EXIT_OK;
        break;
    default:
        print_text(ctx, findings);
        rc = CLI_EXIT_OK;
    }
    if (rc == CLI_EXIT_OK) {
        size_t failing = findings->dangerous;
        if (fail_level == DBSHIFT_LINT_CAREFUL)
            failing += findings->careful;
        if (failing > 0) {
            rc = CLI_EXIT_LINT;
            if (format == FORMAT_TEXT)
                fprintf(stderr,
                        "%zu finding%s at level %s or above: fix %s, or accept with "
                        "`-- dbshift:allow RULE reason` or --allow RULE\n",
                        failing, failing == 1 ? "" : "s", level_name(fail_level),
                        failing == 1 ? "it" : "them");
        }
    }
done:
    dbshift_findings_free(findings);
    dbshift_free(db);
    cli_list_release(&allow_all);
    cli_list_release(&allow);
    return rc;
}
