/*
 * cmd_test.c - `dbshift test`: prove that every down migration undoes its
 * up. On a shadow database each migration is applied, rolled back and
 * applied again with the schema compared each way, then the whole sequence
 * goes down to zero and up again. The first migration whose down does not
 * restore the schema is named with the difference. `--format junit` (or
 * --junit FILE beside the text) gives CI a JUnit XML report.
 */
#include "cli.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

cli_command_fn cmd_test;

static void xml_text(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

static void diff_lines(FILE *out, const dbshift_schema_diff *d, const char *indent, bool xml)
{
    for (size_t i = 0; d && i < d->count; i++) {
        const dbshift_schema_change *c = &d->items[i];
        fprintf(out, "%s", indent);
        if (xml) {
            xml_text(out, c->object);
            fputs("\n  before up:  ", out);
            xml_text(out, c->expected ? c->expected : "(absent)");
            fputs("\n  after down: ", out);
            xml_text(out, c->actual ? c->actual : "(absent)");
            fputs("\n", out);
        } else
            fprintf(out, "%s\n%s  expected: %s\n%s  actual:   %s\n", c->object, indent,
                    c->expected ? c->expected : "(absent)", indent,
                    c->actual ? c->actual : "(absent)");
    }
}

static void write_junit(FILE *out, const dbshift_test_report *r, const char *database)
{
    size_t skipped = 0;
    for (size_t i = 0; i < r->count; i++)
        skipped += r->steps[i].outcome == DBSHIFT_OUTCOME_SKIPPED;
    fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(out,
            "<testsuite name=\"dbshift test\" tests=\"%zu\" failures=\"%zu\" skipped=\"%zu\">\n",
            r->count, r->failed, skipped);
    for (size_t i = 0; i < r->count; i++) {
        const dbshift_test_step *st = &r->steps[i];
        fputs("  <testcase classname=\"", out);
        xml_text(out, database);
        fputs("\" name=\"", out);
        xml_text(out, st->version);
        fputs(" ", out);
        xml_text(out, st->name);
        fprintf(out, "\" time=\"%.3f\"", (double)st->elapsed_ms / 1000.0);
        if (st->outcome == DBSHIFT_OUTCOME_OK) {
            fputs("/>\n", out);
            continue;
        }
        fputs(">\n", out);
        if (st->outcome == DBSHIFT_OUTCOME_SKIPPED) {
            fputs("    <skipped message=\"", out);
            xml_text(out, st->message);
            fputs("\"/>\n", out);
        } else {
            fputs("    <failure message=\"", out);
            xml_text(out, st->message);
            fputs("\">", out);
            diff_lines(out, st->diff, "", true);
            fputs("</failure>\n", out);
        }
        fputs("  </testcase>\n", out);
    }
    fputs("</testsuite>\n", out);
}

static json_t *json_text(const char *s)
{
    return s ? json_string(s) : json_null();
}

static const char *outcome_name(int outcome)
{
    return outcome == DBSHIFT_OUTCOME_OK        ? "ok"
           : outcome == DBSHIFT_OUTCOME_SKIPPED ? "skipped"
                                                : "failed";
}

int cmd_test(int argc, const char **argv, struct cli_context *ctx)
{
    dbshift_schema_options opts;
    dbshift_test_report *r = NULL;
    dbshift *db = NULL;
    const char *junit_file = NULL;
    bool junit = false;
    int npos;
    int rc;

    dbshift_schema_options_init(&opts);
    const struct cli_option options[] = {
        {CLI_OPT_STRING, 0, "shadow-url", "URL", &opts.shadow_url,
         "empty database to test on (default: a temporary one)"},
        {CLI_OPT_STRING, 0, "junit", "FILE", &junit_file, "also write a JUnit XML report to FILE"},
        CLI_OPTION_END,
    };
    static const struct cli_command_help help = {
        "test [--shadow-url URL] [--junit FILE] [options]",
        "Check on a shadow database that every down migration undoes its up.",
        "For each migration: up, down, compare the schema with the one before, up again;\n"
        "then everything down to zero and up again. Exits with status 1 when a down does\n"
        "not restore the schema. --format junit prints a JUnit XML report.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos > 0)
        return cli_usage_error(ctx, "test takes no arguments");
    if (ctx->flags.format && !strcmp(ctx->flags.format, "junit")) {
        junit = true;
        ctx->flags.format = "text";
    }
    rc = cli_open(&db, ctx, true);
    if (rc)
        return rc;
    rc = dbshift_test(&r, db, &opts);
    if (rc) {
        int status = cli_fail(ctx, db, rc);
        dbshift_free(db);
        return status;
    }
    int status = r->failed ? CLI_EXIT_ERROR : CLI_EXIT_OK;
    if (junit_file) {
        FILE *f = fopen(junit_file, "w");
        if (!f) {
            fprintf(stderr, "error: cannot write '%s'\n", junit_file);
            status = CLI_EXIT_ERROR;
        } else {
            write_junit(f, r, cli_database(db));
            if (fclose(f))
                status = CLI_EXIT_ERROR;
        }
    }
    if (junit) {
        write_junit(stdout, r, cli_database(db));
    } else if (ctx->format == CLI_FORMAT_JSON) {
        json_t *doc = json_object();
        json_t *list = json_array();
        json_object_set_new(doc, "database", json_string(cli_database(db)));
        json_object_set_new(doc, "ok", json_boolean(r->failed == 0));
        json_object_set_new(doc, "first_failed", json_text(r->first_failed));
        for (size_t i = 0; i < r->count; i++) {
            const dbshift_test_step *st = &r->steps[i];
            json_t *s = json_object();
            json_t *diffs = json_array();
            json_object_set_new(s, "version", json_string(st->version));
            json_object_set_new(s, "name", json_text(st->name));
            json_object_set_new(s, "outcome", json_string(outcome_name(st->outcome)));
            json_object_set_new(s, "message", json_text(st->message));
            json_object_set_new(s, "execution_ms", json_integer(st->elapsed_ms));
            for (size_t j = 0; st->diff && j < st->diff->count; j++) {
                json_t *d = json_object();
                json_object_set_new(d, "object", json_string(st->diff->items[j].object));
                json_object_set_new(d, "expected", json_text(st->diff->items[j].expected));
                json_object_set_new(d, "actual", json_text(st->diff->items[j].actual));
                json_array_append_new(diffs, d);
            }
            json_object_set_new(s, "differences", diffs);
            json_array_append_new(list, s);
        }
        json_object_set_new(doc, "migrations", list);
        if (cli_print_json(doc))
            status = CLI_EXIT_ERROR;
    } else {
        for (size_t i = 0; i < r->count; i++) {
            const dbshift_test_step *st = &r->steps[i];
            printf("%-7s %s %s%s%s\n", outcome_name(st->outcome), st->version, st->name,
                   st->message ? ": " : "", st->message ? st->message : "");
            diff_lines(stdout, st->diff, "        ", false);
        }
        if (r->failed)
            fprintf(stderr, "%zu failed; first: %s\n", r->failed, r->first_failed);
        else
            printf("ok: every down migration restores the schema\n");
    }
    dbshift_test_report_free(r);
    dbshift_free(db);
    return status;
}
