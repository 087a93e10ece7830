/*
 * lint_hook.c - running the linter from the library: dbshift_lint (the
 * `lint` command) and the check `up` makes before it changes anything.
 *
 * The linter itself (src/sql/lint*.c) is pure; this file gives it the
 * migrations and, when a connection is wanted, a way to ask the target
 * whether a table exists. A dangerous finding in pending migrations stops
 * `up` unless it is allowed (--allow, -- dbshift:allow) or confirmed.
 */
#include "core/lint_hook.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/lint_api.h"
#include "core/lock_report.h"
#include "sql/lint.h"
#include "util/buf.h"
#include "util/err.h"

static bool target_has_table(const char *schema, const char *table, void *payload)
{
    dbshift *db = payload;
    bool exists = false;
    if (!db->conn)
        return false;
    if (db->driver->table_exists(db->conn, schema, table, &exists, NULL) != 0)
        return false;
    return exists;
}

static bool file_selected(const migration *m, const dbshift_lint_options *opts)
{
    if (!opts->nfiles)
        return true;
    for (size_t i = 0; i < opts->nfiles; i++) {
        const char *f = opts->files[i];
        if (!f)
            continue;
        const char *files[] = {m->file, m->up.file, m->down.file};
        for (size_t k = 0; k < 3; k++) {
            const char *mf = files[k];
            if (!mf)
                continue;
            size_t fl = strlen(f), ml = strlen(mf);
            /* "migrations/0001_x.sql" matches "./migrations/0001_x.sql" and
             * an absolute path ending the same way. */
            if (strcmp(mf, f) == 0 ||
                (fl > ml && strcmp(f + fl - ml, mf) == 0 && f[fl - ml - 1] == '/') ||
                (ml > fl && strcmp(mf + ml - fl, f) == 0 && mf[ml - fl - 1] == '/'))
                return true;
        }
    }
    return false;
}

static bool pending_state(int state)
{
    return state == DBSHIFT_STATE_PENDING || state == DBSHIFT_STATE_OUT_OF_ORDER ||
           state == DBSHIFT_STATE_REPEATABLE_PENDING;
}

/* Lints the migrations whose index is marked in wanted. */
static int lint_selected(dbshift *db, const bool *wanted, const lint_config *cfg, lint_result *res)
{
    migration_set *set = db->set;
    size_t i = 0;
    while (i < set->count) {
        if (!wanted[i]) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < set->count && wanted[j])
            j++;
        int rc = lint_migrations(res, set, i, j, db->driver->dialect, cfg,
                                 db->conn ? target_has_table : NULL, db, &db->error);
        if (rc)
            return rc;
        i = j;
    }
    return 0;
}

int dbshift_lint(dbshift_findings **out, dbshift *db, const dbshift_lint_options *opts)
{
    *out = NULL;
    dbshift_error_clear(&db->error);
    dbshift_lint_options defaults;
    if (!opts) {
        dbshift_lint_options_init(&defaults);
        opts = &defaults;
    }
    int rc = handle_load_source(db);
    if (rc)
        return rc;
    /* Connecting is optional unless pending migrations are asked for: a
     * SQLite file that does not exist yet is not created just to lint. */
    bool want_conn = !opts->offline &&
                     (opts->pending_only || !db->sqlite_path || access(db->sqlite_path, F_OK) == 0);
    if (want_conn) {
        rc = handle_connect(db);
        if (rc && opts->pending_only)
            return rc;
        if (rc) {
            handle_log(db, DBSHIFT_LOG_INFO, "linting offline: %s", db->error.message);
            dbshift_error_clear(&db->error);
        }
    }
    migration_set *set = db->set;
    bool *wanted = calloc(set->count + 1, sizeof(bool));
    if (!wanted)
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    for (size_t i = 0; i < set->count; i++)
        wanted[i] = file_selected(&set->items[i], opts);
    if (opts->pending_only) {
        plan p;
        rc = plan_build(db, &p);
        if (rc) {
            free(wanted);
            return rc;
        }
        for (size_t i = 0; i < set->count; i++) {
            bool pending = false;
            for (size_t k = 0; k < p.count; k++)
                if (p.items[k].m == &set->items[i])
                    pending = pending_state(p.items[k].state);
            wanted[i] = wanted[i] && pending;
        }
        plan_release(&p);
    }
    lint_config cfg;
    lint_config_from_options(&cfg, opts, false);
    lint_result res;
    lint_result_init(&res);
    rc = lint_selected(db, wanted, &cfg, &res);
    free(wanted);
    if (rc == 0)
        rc = lint_findings_from_result(out, &res);
    lint_result_release(&res);
    if (rc && !db->error.code)
        err_set(&db->error, rc, "lint failed");
    return rc;
}

int lint_hook_before_up(dbshift *db, const dbshift_run_options *opts, const plan_item *items,
                        size_t count)
{
    migration_set *set = db->set;
    bool *wanted = calloc(set->count + 1, sizeof(bool));
    if (!wanted)
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    for (size_t k = 0; k < count; k++) {
        if (!items[k].m || !pending_state(items[k].state))
            continue;
        if (opts->to_version && !items[k].m->repeatable &&
            version_compare(items[k].m->version, opts->to_version) > 0)
            continue;
        wanted[items[k].m - set->items] = true;
    }
    dbshift_lint_options lo;
    dbshift_lint_options_init(&lo);
    lo.allow_rules = opts->allow_rules;
    lo.nallow_rules = opts->nallow_rules;
    lo.disabled_rules = opts->lint_disabled_rules;
    lo.ndisabled_rules = opts->nlint_disabled_rules;
    lo.level_overrides = opts->lint_level_overrides;
    lo.nlevel_overrides = opts->nlint_level_overrides;
    lint_config cfg;
    lint_config_from_options(&cfg, &lo, opts->lock_timeout != NULL);
    lint_result res;
    lint_result_init(&res);
    int rc = lint_selected(db, wanted, &cfg, &res);
    free(wanted);
    dbshift_findings *f = NULL;
    if (rc == 0)
        rc = lint_findings_from_result(&f, &res);
    lint_result_release(&res);
    if (rc || f->dangerous == 0) {
        dbshift_findings_free(f);
        return rc;
    }
    buf details = BUF_INIT;
    buf rules = BUF_INIT;
    for (size_t i = 0; i < f->count; i++) {
        dbshift_finding *x = &f->items[i];
        if (x->allowed || x->level != DBSHIFT_LINT_DANGEROUS)
            continue;
        buf_addf(&details, "%s:%d  %s %s  %s\n    %s\n", x->file, x->line, x->rule, x->name,
                 x->statement ? x->statement : "", x->message ? x->message : "");
        if (x->suggestion)
            buf_addf(&details, "    safer: %s\n", x->suggestion);
        /* Postgres: what it locks and how big that is (UX.md's "A dangerous
         * change"); NULL when the excerpt was shortened or nothing exists. */
        char *locks =
            x->statement ? lock_report_describe(db, x->statement, strlen(x->statement)) : NULL;
        for (const char *p = locks; p && *p;) {
            size_t n = strcspn(p, "\n");
            buf_addf(&details, "    lock: %.*s\n", (int)n, p);
            p += n + (p[n] ? 1 : 0);
        }
        free(locks);
        if (!strstr(rules.ptr, x->rule))
            buf_addf(&rules, "%s--allow %s", rules.len ? " " : "", x->rule);
    }
    buf question = BUF_INIT;
    buf_addf(&question, "apply %zu dangerous change%s?", f->dangerous,
             f->dangerous == 1 ? "" : "s");
    if (opts->dry_run) {
        /* A dry run changes nothing, and is how an operator looks at a
         * dangerous change (with its locks) before deciding: show the
         * findings instead of asking or refusing. */
        handle_log(db, DBSHIFT_LOG_WARN,
                   "%zu dangerous change%s; a real run needs a yes, %s or --yes\n%s", f->dangerous,
                   f->dangerous == 1 ? "" : "s", rules.ptr, details.ptr);
    } else if (!handle_confirm(db, question.ptr, details.ptr)) {
        rc = err_set(&db->error, DBSHIFT_ELINT,
                     "lint found %zu dangerous change%s in pending migrations; nothing was run",
                     f->dangerous, f->dangerous == 1 ? "" : "s");
        err_set_field(&db->error.detail, details.ptr);
        err_hint(&db->error,
                 "review them with `dbshift lint --pending`; to run anyway pass %s "
                 "or --yes",
                 rules.ptr);
    }
    buf_release(&question);
    buf_release(&details);
    buf_release(&rules);
    dbshift_findings_free(f);
    return rc;
}
