/*
 * lint_hook.h - the lint check `up` runs over pending migrations before it
 * changes anything.
 */
#ifndef DBSHIFT_CORE_LINT_HOOK_H
#define DBSHIFT_CORE_LINT_HOOK_H

#include "core/plan.h"

/* Lints the pending migrations among items; a dangerous finding that is
 * neither allowed nor confirmed stops the run with DBSHIFT_ELINT. */
int lint_hook_before_up(dbshift *db, const dbshift_run_options *opts, const plan_item *items,
                        size_t count);

#endif
