/*
 * targets.h - `dbshift up --targets GLOB|FILE`: one plan run on many
 * databases (tenant databases, an application's per-user SQLite files).
 */
#ifndef DBSHIFT_CLI_TARGETS_H
#define DBSHIFT_CLI_TARGETS_H

#include "cli.h"

struct cli_targets_options {
    const char *spec; /* a glob of SQLite files, or a file listing URLs */
    int jobs;         /* targets run at once; <= 1: one after another */
    bool fail_fast;   /* stop starting targets after the first failure */
};

/*
 * Runs dbshift_up with opts on every target, each with its own handle (so
 * its own connection, lock and backup), and prints a line per finished
 * target, then the summary table (text) or one JSON document. ctx must be
 * resolved. Returns the exit status: 0 when no target failed, else the
 * status of the first failure in target order.
 */
int cli_up_targets(struct cli_context *ctx, const struct cli_targets_options *topts,
                   const dbshift_run_options *opts);

#endif
