/*
 * cmd_embed.c - `dbshift embed DIR -o FILE.c [--symbol NAME]`: writes the C
 * source that compiles a migrations folder into a program (the library
 * generates it, see dbshift_embed_generate). The output file is replaced
 * only when its bytes change, so a build system that runs this on every
 * build does not recompile the program for nothing, and it is replaced by
 * rename so a failed run never leaves half a file for the compiler.
 */
#include "cli.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* True when path already holds exactly text. */
static bool same_content(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    bool same = true;
    char chunk[8192];
    size_t off = 0, n;
    while (same && (n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        same = off + n <= len && memcmp(chunk, text + off, n) == 0;
        off += n;
    }
    same = same && !ferror(f) && off == len;
    fclose(f);
    return same;
}

static int write_atomically(const char *path, const char *text, size_t len)
{
    size_t plen = strlen(path) + 16;
    char *tmp = malloc(plen);
    if (!tmp)
        return -1;
    snprintf(tmp, plen, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    int rc = f ? 0 : -1;
    if (f) {
        if (fwrite(text, 1, len, f) != len)
            rc = -1;
        if (fclose(f) != 0)
            rc = -1;
    }
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0) {
        int e = errno;
        remove(tmp);
        errno = e;
    }
    free(tmp);
    return rc;
}

int cmd_embed(int argc, const char **argv, struct cli_context *ctx)
{
    const char *output = NULL;
    const char *symbol = NULL;
    dbshift *db = NULL;
    char *text = NULL;
    int npos;
    int rc;
    const struct cli_option options[] = {
        {CLI_OPT_STRING, 'o', "output", "FILE", &output,
         "write the C source to FILE (required; - for stdout)"},
        {CLI_OPT_STRING, 0, "symbol", "NAME", &symbol,
         "name of the generated variable (default dbshift_migrations)"},
        CLI_OPTION_END,
    };
    static const struct cli_command_help help = {
        "embed [DIR] -o FILE [--symbol NAME]",
        "Generate C source that compiles the migrations of DIR into a program.",
        "DIR defaults to the migrations folder (--dir). The program declares\n"
        "`extern const dbshift_embedded NAME;` and sets dbshift_config.embedded = &NAME.\n"
        "The output depends only on the files: rerunning gives the same bytes.",
    };

    rc = cli_parse_options(argc, argv, options, &help, ctx, &npos);
    if (rc)
        return rc == CLI_PARSE_HELP ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    if (npos > 1)
        return cli_usage_error(ctx, "embed takes one folder, got %d arguments", npos);
    if (!output || !*output)
        return cli_usage_error(ctx, "embed needs -o FILE (or -o - for stdout)");
    if (npos == 1)
        ctx->flags.dir = argv[1];
    rc = cli_open(&db, ctx, false);
    if (rc)
        return rc;
    rc = dbshift_embed_generate(&text, db, symbol);
    if (rc < 0) {
        rc = cli_fail(ctx, db, rc);
        dbshift_free(db);
        return rc;
    }
    size_t len = strlen(text);
    bool to_stdout = !strcmp(output, "-");
    bool changed = true;
    if (to_stdout) {
        fwrite(text, 1, len, stdout);
    } else if (same_content(output, text, len)) {
        changed = false;
    } else if (write_atomically(output, text, len) != 0) {
        fprintf(stderr, "error: cannot write '%s': %s\n", output, strerror(errno));
        dbshift_string_free(text);
        dbshift_free(db);
        return CLI_EXIT_ERROR;
    }
    rc = CLI_EXIT_OK;
    if (ctx->format == CLI_FORMAT_JSON && !to_stdout) {
        json_t *doc = json_object();
        json_object_set_new(doc, "output", json_string(output));
        json_object_set_new(doc, "symbol", json_string(symbol ? symbol : "dbshift_migrations"));
        json_object_set_new(doc, "changed", json_boolean(changed));
        json_object_set_new(doc, "bytes", json_integer((json_int_t)len));
        rc = cli_print_json(doc);
    } else if (!to_stdout) {
        cli_note(ctx, "%s %s (%zu bytes)", changed ? "wrote" : "unchanged", output, len);
    }
    dbshift_string_free(text);
    dbshift_free(db);
    return rc;
}
