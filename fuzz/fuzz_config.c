/*
 * fuzz_config.c - libFuzzer target for the config file reader, which is the
 * CLI's (src/cli/config.c, built on inih): the input is written as a
 * dbshift.conf and resolved exactly as `dbshift --config FILE` would,
 * once for [default] and once with an environment selected. The CLI files
 * are compiled into the target (main() renamed), since the reader is not
 * part of the library. A crash, a leak or a hang is a bug. scripts/fuzz
 * runs it with -close_fd_mask=2: the reader's warnings are not the point.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void resolve(const char *env)
{
    struct cli_context ctx;
    cli_context_init(&ctx);
    ctx.flags.config = path;
    ctx.flags.env = env;
    (void)cli_resolve(&ctx);
    cli_context_release(&ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof(path), "%s", "/tmp/dbshift-fuzz-conf.XXXXXX");
        int fd = mkstemp(path);
        if (fd < 0)
            abort();
        close(fd);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    fclose(f);
    resolve(NULL);
    resolve("prod");
    return 0;
}
