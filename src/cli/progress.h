/*
 * progress.h - the progress display of `up` and `down`: a redrawn bar on a
 * terminal, plain lines every few seconds elsewhere. It sits between the
 * library's callbacks and the CLI's own (cli_on_event, cli_confirm), so the
 * ordinary "apply ... ok" lines stay exactly as they are without it.
 */
#ifndef DBSHIFT_CLI_PROGRESS_H
#define DBSHIFT_CLI_PROGRESS_H

#include "cli.h"

enum cli_progress_mode {
    CLI_PROGRESS_NEVER = 0,
    CLI_PROGRESS_AUTO,   /* a bar on a terminal, plain lines elsewhere */
    CLI_PROGRESS_ALWAYS, /* a bar even when stderr is not a terminal */
};

/* Parses "never", "auto" or "always". Returns 0 or -1. */
int cli_progress_parse(const char *text, int *mode);

struct cli_progress;

/*
 * Puts the display between the library and the CLI's callbacks in
 * ctx->config (call after cli_resolve, before the handle is opened).
 * Returns NULL, leaving ctx untouched, for CLI_PROGRESS_NEVER, in JSON or
 * quiet mode, or when out of memory.
 */
struct cli_progress *cli_progress_attach(struct cli_context *ctx, int mode);

/* Stops the ticker, clears the bar and gives ctx its own callbacks back;
 * a handle opened while attached still reaches the CLI's callbacks through
 * p, so free p only after that handle. NULL is harmless to both. */
void cli_progress_detach(struct cli_progress *p, struct cli_context *ctx);
void cli_progress_free(struct cli_progress *p);

#endif
