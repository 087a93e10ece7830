/*
 * plan.h - what the files and the history say together: every migration
 * with its state, in order (versioned by version, missing ones in their
 * place, then repeatable ones by name). Status, validate, up and down all
 * start from this one picture.
 */
#ifndef DBSHIFT_CORE_PLAN_H
#define DBSHIFT_CORE_PLAN_H

#include "core/handle.h"
#include "core/history.h"

typedef struct plan_item {
    migration *m;     /* NULL for a missing migration */
    applied_row *row; /* NULL when not applied */
    int state;        /* enum dbshift_state */
} plan_item;

typedef struct plan {
    size_t count;
    plan_item *items;
    applied_list applied;
    const char *newest_applied; /* versioned, borrowed from applied; NULL when none */
    const char *newest_known;   /* newest versioned file, NULL when none */
} plan;

/* Connects, reads the source and the history, and builds the picture. */
int plan_build(dbshift *db, plan *out);
/* The same; read_only (status, validate) closes a SQLite file's connection
 * after the history is read and reads the migrations without their SQL. */
int plan_build_ex(dbshift *db, plan *out, bool read_only);
void plan_release(plan *p);

/* A short explanation of a problem state, for messages. */
const char *plan_state_note(int state);

#endif
