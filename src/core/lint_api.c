/*
 * lint_api.c - the public lint types' life cycle (dbshift_lint_options_init,
 * dbshift_findings_free) and the hand-over from the linter's internal result
 * to them. dbshift_lint itself lives with the handle, which knows how to
 * load migrations and ask the target which tables exist.
 */
#include "core/lint_api.h"

#include "util/err.h"

#include <stdlib.h>
#include <string.h>

void dbshift_lint_options_init(dbshift_lint_options *opts)
{
    if (opts)
        memset(opts, 0, sizeof(*opts));
}

void dbshift_findings_free(dbshift_findings *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->count; i++)
        lint_finding_release(&f->items[i]);
    free(f->items);
    free(f);
}

int lint_findings_from_result(dbshift_findings **out, lint_result *res)
{
    *out = NULL;
    dbshift_findings *f = calloc(1, sizeof(*f));
    if (!f) {
        lint_result_release(res);
        return DBSHIFT_ENOMEM;
    }
    /* The arrays have the same element type: the result's array is handed
     * over as it is, trimmed to its length. */
    f->items = res->items;
    f->count = res->count;
    if (f->count > 0 && res->cap > f->count) {
        dbshift_finding *trimmed = realloc(f->items, f->count * sizeof(*trimmed));
        if (trimmed)
            f->items = trimmed;
    }
    if (f->count == 0) {
        free(f->items);
        f->items = NULL;
    }
    res->items = NULL;
    res->count = res->cap = 0;
    for (size_t i = 0; i < f->count; i++) {
        const dbshift_finding *x = &f->items[i];
        if (x->allowed)
            continue;
        if (x->level == DBSHIFT_LINT_DANGEROUS)
            f->dangerous++;
        else if (x->level == DBSHIFT_LINT_CAREFUL)
            f->careful++;
    }
    *out = f;
    return 0;
}

void lint_config_from_options(lint_config *cfg, const dbshift_lint_options *opts, bool lock_timeout)
{
    lint_config_init(cfg);
    cfg->lock_timeout = lock_timeout;
    if (!opts)
        return;
    cfg->allow_rules = opts->allow_rules;
    cfg->nallow_rules = opts->nallow_rules;
    cfg->disabled_rules = opts->disabled_rules;
    cfg->ndisabled_rules = opts->ndisabled_rules;
    cfg->level_overrides = opts->level_overrides;
    cfg->nlevel_overrides = opts->nlevel_overrides;
}
