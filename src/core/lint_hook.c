/*
 * lint_hook.c - the lint check before `up` (see lint_hook.h).
 */
#include "core/lint_hook.h"

int lint_hook_before_up(dbshift *db, const dbshift_run_options *opts, const plan_item *items,
                        size_t count)
{
    (void)db;
    (void)opts;
    (void)items;
    (void)count;
    return 0;
}
