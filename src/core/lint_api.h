/*
 * lint_api.h - the bridge from the linter's internal result (src/sql/lint.h)
 * to the public dbshift_findings of include/dbshift.h.
 */
#ifndef DBSHIFT_CORE_LINT_API_H
#define DBSHIFT_CORE_LINT_API_H

#include "dbshift.h"
#include "sql/lint.h"

/*
 * Moves every finding of res into a new dbshift_findings (*out, freed with
 * dbshift_findings_free), counting the not-allowed dangerous and careful
 * ones. res is left empty either way. On DBSHIFT_ENOMEM *out is NULL.
 */
int lint_findings_from_result(dbshift_findings **out, lint_result *res);

/*
 * Fills a lint_config from public options: the allow list, disabled rules
 * and level overrides are borrowed from opts (which must outlive cfg);
 * lock_timeout says whether the run sets lock_timeout itself.
 */
void lint_config_from_options(lint_config *cfg, const dbshift_lint_options *opts,
                              bool lock_timeout);

#endif
