/*
 * cmd_lint.c - `dbshift lint`: placeholder until the lint command lands; the
 * lint engineer replaces this file and keeps the signature from cli.h.
 */
#include "cli.h"

#include <stdio.h>

int cmd_lint(int argc, const char **argv, struct cli_context *ctx)
{
    (void)argc;
    (void)argv;
    (void)ctx;
    fprintf(stderr, "lint: not available yet\n");
    return CLI_EXIT_ERROR;
}
