/*
 * lock_levels.c - maps the lint front end's actions for one PostgreSQL
 * statement to the lock each touched table gets and the work done on its
 * rows (see lock_levels.h). One statement may hold several actions on one
 * table (ALTER TABLE with many subcommands): the table then gets the
 * strongest lock and the most work of them, as the server takes the
 * strongest lock any subcommand needs for the whole statement.
 */
#include "sql/lock_levels.h"

#include <stdlib.h>
#include <string.h>

#include "sql/lint.h"

const char *lock_mode_name(int mode)
{
    switch (mode) {
    case LOCK_MODE_ROW_EXCLUSIVE:
        return "ROW EXCLUSIVE";
    case LOCK_MODE_SHARE_UPDATE_EXCLUSIVE:
        return "SHARE UPDATE EXCLUSIVE";
    case LOCK_MODE_SHARE:
        return "SHARE";
    case LOCK_MODE_SHARE_ROW_EXCLUSIVE:
        return "SHARE ROW EXCLUSIVE";
    case LOCK_MODE_ACCESS_EXCLUSIVE:
        return "ACCESS EXCLUSIVE";
    default:
        return NULL;
    }
}

const char *lock_effect_name(int effect)
{
    switch (effect) {
    case LOCK_EFFECT_SCAN:
        return "scan";
    case LOCK_EFFECT_REWRITE:
        return "rewrite";
    default:
        return NULL;
    }
}

void lock_touches_release(lock_touches *t)
{
    for (size_t i = 0; i < t->count; i++) {
        free(t->items[i].schema);
        free(t->items[i].name);
    }
    free(t->items);
    t->count = 0;
    t->items = NULL;
}

/* The lock and work of one action; false for actions that touch no
 * existing table (creating one, SET, BEGIN...). */
static bool classify(const lint_action *a, int *mode, int *effect)
{
    unsigned f = a->flags;
    bool valid = !(f & LINT_F_NOT_VALID);
    *mode = LOCK_MODE_ACCESS_EXCLUSIVE;
    *effect = LOCK_EFFECT_NONE;
    switch (a->kind) {
    case LINT_ACT_ALTER_TABLE:
        /* Without LOCKS_TABLE every subcommand was one of the weaker forms:
         * a foreign key (raised to its own mode by that action), VALIDATE
         * CONSTRAINT or SET STATISTICS. */
        if (!(f & LINT_F_LOCKS_TABLE))
            *mode = LOCK_MODE_SHARE_UPDATE_EXCLUSIVE;
        return true;
    case LINT_ACT_DROP_TABLE:
    case LINT_ACT_RENAME_TABLE:
    case LINT_ACT_DROP_COLUMN:
    case LINT_ACT_RENAME_COLUMN:
    case LINT_ACT_DROP_PRIMARY_KEY:
    case LINT_ACT_TRUNCATE:
        return true;
    case LINT_ACT_ADD_COLUMN:
        /* Since PostgreSQL 11 a constant default is stored in the catalog;
         * a volatile one must be computed for every row. NOT NULL without a
         * default is checked against every row. */
        if (f & LINT_F_VOLATILE)
            *effect = LOCK_EFFECT_REWRITE;
        else if ((f & LINT_F_NOT_NULL) && !(f & LINT_F_DEFAULT))
            *effect = LOCK_EFFECT_SCAN;
        return true;
    case LINT_ACT_ALTER_COLUMN_TYPE:
        /* Binary-coercible changes (varchar(n) to text) skip the rewrite;
         * the parse tree does not say which types are, so assume it. */
        *effect = LOCK_EFFECT_REWRITE;
        return true;
    case LINT_ACT_SET_NOT_NULL:
        *effect = LOCK_EFFECT_SCAN;
        return true;
    case LINT_ACT_ADD_FOREIGN_KEY:
        *mode = LOCK_MODE_SHARE_ROW_EXCLUSIVE;
        *effect = valid ? LOCK_EFFECT_SCAN : LOCK_EFFECT_NONE;
        return true;
    case LINT_ACT_ADD_CHECK:
        *effect = valid ? LOCK_EFFECT_SCAN : LOCK_EFFECT_NONE;
        return true;
    case LINT_ACT_ADD_UNIQUE:
    case LINT_ACT_ADD_PRIMARY_KEY:
        /* USING INDEX adopts an index built beforehand: no index build. */
        *effect = (f & LINT_F_USING_INDEX) ? LOCK_EFFECT_NONE : LOCK_EFFECT_SCAN;
        return true;
    case LINT_ACT_CREATE_INDEX:
        *mode = (f & LINT_F_CONCURRENT) ? LOCK_MODE_SHARE_UPDATE_EXCLUSIVE : LOCK_MODE_SHARE;
        *effect = LOCK_EFFECT_SCAN;
        return true;
    case LINT_ACT_DROP_INDEX:
        if (f & LINT_F_CONCURRENT)
            *mode = LOCK_MODE_SHARE_UPDATE_EXCLUSIVE;
        return true;
    case LINT_ACT_REINDEX:
        *mode = (f & LINT_F_CONCURRENT) ? LOCK_MODE_SHARE_UPDATE_EXCLUSIVE : LOCK_MODE_SHARE;
        *effect = LOCK_EFFECT_SCAN;
        return true;
    case LINT_ACT_VACUUM_FULL:
    case LINT_ACT_CLUSTER:
        *effect = LOCK_EFFECT_REWRITE;
        return true;
    case LINT_ACT_DELETE:
    case LINT_ACT_UPDATE:
        *mode = LOCK_MODE_ROW_EXCLUSIVE;
        *effect = (f & LINT_F_WHERE) ? LOCK_EFFECT_NONE : LOCK_EFFECT_SCAN;
        return true;
    case LINT_ACT_INSERT:
        *mode = LOCK_MODE_ROW_EXCLUSIVE;
        return true;
    default:
        return false;
    }
}

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static char *copy(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* Adds or strengthens the entry for (schema, name). */
static int touch(lock_touches *out, size_t *cap, const char *schema, const char *name, int mode,
                 int effect)
{
    for (size_t i = 0; i < out->count; i++) {
        lock_touch *t = &out->items[i];
        if (same_text(t->schema, schema) && strcmp(t->name, name) == 0) {
            if (mode > t->mode)
                t->mode = mode;
            if (effect > t->effect)
                t->effect = effect;
            return 0;
        }
    }
    if (out->count == *cap) {
        size_t ncap = *cap ? *cap * 2 : 4;
        lock_touch *items = realloc(out->items, ncap * sizeof(*items));
        if (!items)
            return DBSHIFT_ENOMEM;
        out->items = items;
        *cap = ncap;
    }
    lock_touch *t = &out->items[out->count];
    t->schema = copy(schema);
    t->name = copy(name);
    t->mode = mode;
    t->effect = effect;
    if ((schema && !t->schema) || !t->name) {
        free(t->schema);
        free(t->name);
        return DBSHIFT_ENOMEM;
    }
    out->count++;
    return 0;
}

int lock_levels_analyse(lock_touches *out, const char *sql, size_t len)
{
    out->count = 0;
    out->items = NULL;
    /* The front end wants terminated text. */
    char *text = malloc(len + 1);
    if (!text)
        return DBSHIFT_ENOMEM;
    memcpy(text, sql, len);
    text[len] = '\0';
    size_t offset = 0, cap = 0;
    lint_stmts stmts = {0};
    int rc = lint_postgres_read(&stmts, text, len, 1, &offset, &len);
    for (size_t s = 0; rc == 0 && s < stmts.count; s++) {
        const lint_stmt *st = &stmts.items[s];
        for (size_t i = 0; rc == 0 && i < st->nactions; i++) {
            const lint_action *a = &st->actions[i];
            /* DROP INDEX knows only the index; the table is found from it. */
            const char *name = a->kind == LINT_ACT_DROP_INDEX ? a->name : a->table;
            int mode, effect;
            if (!name || !classify(a, &mode, &effect))
                continue;
            rc = touch(out, &cap, a->schema, name, mode, effect);
        }
    }
    lint_stmts_release(&stmts);
    free(text);
    if (rc)
        lock_touches_release(out);
    return rc;
}
