/*
 * lint.h - the safety linter's internal API: rules that spot migrations which
 * lose data, lock busy tables for long, or cannot run at all.
 *
 * The linter is pure: it reads a migration set already loaded in memory,
 * never connects and never does I/O. What it knows about the target comes
 * from a caller-supplied callback. Work is split in three:
 *  - a dialect front end turns each statement into neutral "actions" (create
 *    table, drop column, ...): lint_postgres.c on libpg_query's parse tree,
 *    lint_generic.c on dbshift's own tokens for SQLite and MySQL;
 *  - lint.c walks migrations in order, keeps track of what earlier migrations
 *    and the current one created, applies the rules to the actions and
 *    handles suppression and level overrides;
 *  - lint_rules.c holds the rule table (code, name, level, texts) as data.
 * src/core/lint_api.c turns a lint_result into the public dbshift_findings.
 */
#ifndef DBSHIFT_SQL_LINT_H
#define DBSHIFT_SQL_LINT_H

#include <stdbool.h>
#include <stddef.h>

#include "dbshift.h"
#include "source/migration.h"

/* --- Rules (lint_rules.c) ------------------------------------------------ */

/* Rule identifiers: indexes into the rule table. The codes they map to
 * (DS001...) are stable and documented in docs/lint.md; append only. */
enum lint_rule_id {
    LINT_DROP_TABLE = 0,
    LINT_DROP_COLUMN,
    LINT_DROP_SCHEMA,
    LINT_DROP_DATABASE,
    LINT_TRUNCATE,
    LINT_DELETE_WITHOUT_WHERE,
    LINT_UPDATE_WITHOUT_WHERE,
    LINT_RENAME_TABLE,
    LINT_RENAME_COLUMN,
    LINT_CHANGE_COLUMN_TYPE,
    LINT_ADD_NOT_NULL_COLUMN,
    LINT_VOLATILE_DEFAULT,
    LINT_SET_NOT_NULL,
    LINT_CREATE_INDEX,
    LINT_DROP_INDEX,
    LINT_FOREIGN_KEY,
    LINT_CHECK_CONSTRAINT,
    LINT_UNIQUE_CONSTRAINT,
    LINT_PRIMARY_KEY,
    LINT_VACUUM_FULL,
    LINT_CLUSTER,
    LINT_REINDEX,
    LINT_CONCURRENTLY_IN_TRANSACTION,
    LINT_MIXED_SCHEMA_AND_DATA,
    LINT_MISSING_DOWN,
    LINT_INCOMPLETE_DOWN,
    LINT_LOCK_TIMEOUT,
    LINT_PRAGMA_FOREIGN_KEYS,
    LINT_MYSQL_ALGORITHM,
    LINT_PASSWORD_LITERAL,
    LINT_NOT_ANALYSED,
    LINT_RULE_COUNT
};

typedef struct lint_rule {
    const char *code;       /* "DS002" */
    const char *name;       /* "drop-column" */
    int level;              /* default enum dbshift_lint_level */
    const char *message;    /* why it is risky, one sentence */
    const char *suggestion; /* the safe pattern */
} lint_rule;

/* The rule with identifier id (enum lint_rule_id); NULL when out of range. */
const lint_rule *lint_rule_get(int id);
/* The identifier of the rule whose code or name is text (case-insensitive),
 * or -1 when none. */
int lint_rule_lookup(const char *text);
/* "safe", "careful", "dangerous"; NULL for an unknown level. */
const char *lint_level_name(int level);
/* Parses a level name; returns the level or -1. */
int lint_level_parse(const char *text);

/* --- Configuration and results (lint.c) ---------------------------------- */

/* What the caller knows beyond the SQL. Every list is borrowed for the call;
 * entries are rule codes or names. */
typedef struct lint_config {
    const char *const *allow_rules; /* --allow: findings still reported, as allowed */
    size_t nallow_rules;
    const char *const *disabled_rules; /* never reported */
    size_t ndisabled_rules;
    const char *const *level_overrides; /* "RULE=safe|careful|dangerous" */
    size_t nlevel_overrides;
    bool lock_timeout; /* the run sets lock_timeout itself (--lock-timeout) */
} lint_config;

/* Zeroes every field. */
void lint_config_init(lint_config *cfg);

/* Findings in the order they were found (migration, section, statement).
 * Strings in items are owned by the result: the strings of one finding
 * share one malloc'd block, which starts at its rule. */
typedef struct lint_result {
    size_t count;
    size_t cap;
    dbshift_finding *items;
} lint_result;

void lint_result_init(lint_result *res);
/* Frees every finding and empties res. */
void lint_result_release(lint_result *res);
/* Frees the strings of one finding (not the finding itself): the block at
 * f->rule. */
void lint_finding_release(dbshift_finding *f);

/* Says whether a table exists in the target; schema is NULL when the SQL did
 * not name one. */
typedef bool (*lint_table_exists_fn)(const char *schema, const char *table, void *payload);

/*
 * Lints set->items[first..last) written in dialect (enum dbshift_dialect),
 * appending to out. Migrations before first are read only to learn which
 * tables they create. A table counts as existing unless the same migration
 * created it (DESIGN.md: the conservative reading); table_exists (may be
 * NULL, as offline) is consulted only to drop findings on `DROP ... IF
 * EXISTS` of a table that neither an earlier migration nor the target has.
 * Unparsable statements become not_analysed findings, never errors. Returns
 * 0, DBSHIFT_EUSAGE for an unknown rule or level in cfg, DBSHIFT_ENOMEM.
 */
int lint_migrations(lint_result *out, const migration_set *set, size_t first, size_t last,
                    int dialect, const lint_config *cfg, lint_table_exists_fn table_exists,
                    void *payload, dbshift_error *err);

/* --- Front ends (lint_postgres.c, lint_generic.c) ------------------------ */

/* What a statement does, in dialect-neutral terms. */
enum lint_action_kind {
    LINT_ACT_CREATE_TABLE = 1,
    LINT_ACT_DROP_TABLE,
    LINT_ACT_RENAME_TABLE, /* table -> name */
    LINT_ACT_ADD_COLUMN,   /* name: the column */
    LINT_ACT_DROP_COLUMN,
    LINT_ACT_RENAME_COLUMN, /* name -> new_name */
    LINT_ACT_ALTER_COLUMN_TYPE,
    LINT_ACT_SET_NOT_NULL,
    LINT_ACT_ADD_FOREIGN_KEY,
    LINT_ACT_ADD_CHECK,
    LINT_ACT_ADD_UNIQUE,
    LINT_ACT_ADD_PRIMARY_KEY,
    LINT_ACT_DROP_PRIMARY_KEY,
    LINT_ACT_CREATE_INDEX,  /* name: the index, may be NULL */
    LINT_ACT_DROP_INDEX,    /* name: the index; table NULL when not known */
    LINT_ACT_ALTER_TABLE,   /* once per ALTER TABLE statement */
    LINT_ACT_DROP_SCHEMA,   /* name: the schema */
    LINT_ACT_DROP_DATABASE, /* name: the database */
    LINT_ACT_TRUNCATE,
    LINT_ACT_DELETE,
    LINT_ACT_UPDATE,
    LINT_ACT_INSERT,
    LINT_ACT_VACUUM_FULL,
    LINT_ACT_CLUSTER,
    LINT_ACT_REINDEX,
    LINT_ACT_SET_LOCK_TIMEOUT,
    LINT_ACT_BEGIN,
    LINT_ACT_COMMIT,
    LINT_ACT_PRAGMA_FOREIGN_KEYS,
    LINT_ACT_PASSWORD_LITERAL,
    LINT_ACT_OTHER_DDL,     /* any other schema change (view, function, type...) */
    LINT_ACT_CREATE_SCHEMA, /* name: the schema */
};

/* Flags of an action. */
#define LINT_F_CONCURRENT 0x001u  /* CONCURRENTLY */
#define LINT_F_IF_EXISTS 0x002u   /* IF EXISTS */
#define LINT_F_NOT_VALID 0x004u   /* NOT VALID */
#define LINT_F_WHERE 0x008u       /* DELETE/UPDATE has a WHERE clause */
#define LINT_F_DEFAULT 0x010u     /* ADD COLUMN has a default (or is generated) */
#define LINT_F_VOLATILE 0x020u    /* ... and the default is volatile */
#define LINT_F_NOT_NULL 0x040u    /* ADD COLUMN is NOT NULL */
#define LINT_F_ALGORITHM 0x080u   /* MySQL ALTER TABLE names ALGORITHM= or LOCK= */
#define LINT_F_LOCKS_TABLE 0x100u /* takes an ACCESS EXCLUSIVE lock on table */
#define LINT_F_USING_INDEX 0x200u /* constraint added USING INDEX */
#define LINT_F_TIMEOUT_OFF 0x400u /* SET lock_timeout to 0 / DEFAULT */

typedef struct lint_action {
    int kind;       /* enum lint_action_kind */
    unsigned flags; /* LINT_F_* */
    char *schema;   /* may be NULL */
    char *table;    /* may be NULL */
    char *name;     /* column, index or new table name; may be NULL */
    char *new_name; /* for renames of columns */
} lint_action;

/* One statement of a section as a front end saw it. */
typedef struct lint_stmt {
    size_t offset; /* in the section's text */
    size_t len;
    int line;   /* 1-based line of offset in the section's text */
    int column; /* 1-based byte column */
    bool not_analysed;
    char *parse_error; /* why not analysed (malloc'd), NULL otherwise */
    size_t nactions;
    lint_action *actions;
} lint_stmt;

typedef struct lint_stmts {
    size_t count;
    size_t cap;
    lint_stmt *items;
} lint_stmts;

void lint_stmts_release(lint_stmts *s);
/* Frees the statements from index count on, keeping the first count. */
void lint_stmts_truncate(lint_stmts *s, size_t count);
/* Appends an empty statement; returns it, or NULL when out of memory. */
lint_stmt *lint_stmts_add(lint_stmts *s, size_t offset, size_t len);
/* Frees the actions of st from index from on (keeping the array). */
void lint_stmt_drop_actions(lint_stmt *st, size_t from);
/* Appends an action with copies of the strings (each may be NULL); returns
 * it or NULL when out of memory. */
lint_action *lint_stmt_add_action(lint_stmt *st, int kind, unsigned flags, const char *schema,
                                  const char *table, const char *name);
/* Fills line/column of every statement from its offset in text, and moves
 * offsets past leading whitespace and comments. Statements must be sorted. */
void lint_stmts_locate(lint_stmts *s, const char *text, size_t len);

/*
 * Reads one section (text is NUL-terminated, len bytes) into statements and
 * actions. Explicit boundaries (nbounds > 0) are used as given; otherwise the
 * text is split. Statements that cannot be read are marked not_analysed.
 * Returns 0 or DBSHIFT_ENOMEM.
 */
int lint_postgres_read(lint_stmts *out, const char *text, size_t len, size_t nbounds,
                       const size_t *offsets, const size_t *lens);
int lint_generic_read(lint_stmts *out, const char *text, size_t len, int dialect, size_t nbounds,
                      const size_t *offsets, const size_t *lens);

/* Converts one statement (len bytes) of SQLite or MySQL into actions on st;
 * exposed for tests. Returns 0 or DBSHIFT_ENOMEM. */
int lint_generic_statement(lint_stmt *st, const char *sql, size_t len, int dialect);

/* lint_postgres_read without the pre-pass (lint_postgres_scan.c): every
 * statement read from its JSON tree. The two must agree on every input;
 * exposed so that tests can hold them to it. */
int lint_postgres_read_trees(lint_stmts *out, const char *text, size_t len, size_t nbounds,
                             const size_t *offsets, const size_t *lens);

/* --- Postgres pre-pass (lint_postgres_scan.c) ---------------------------- */

/* What the leading words of one Postgres statement tell about it. */
enum lint_pg_shape {
    LINT_PG_EMPTY = 0,    /* only whitespace and comments */
    LINT_PG_TREE,         /* anything a rule judges: the parse tree must say */
    LINT_PG_NO_ACTION,    /* DO, SELECT */
    LINT_PG_OTHER_DDL,    /* CREATE VIEW/FUNCTION/..., ALTER VIEW/..., COMMENT ON, GRANT... */
    LINT_PG_CREATE_TABLE, /* schema (may be ""), table */
    LINT_PG_INSERT,       /* schema, table */
};

/* PostgreSQL's NAMEDATALEN: longer names are cut by the server, so a
 * statement naming one is left to the parse tree. */
#define LINT_PG_NAME_MAX 64

typedef struct lint_pg_shape_info {
    int shape; /* enum lint_pg_shape */
    char schema[LINT_PG_NAME_MAX];
    char table[LINT_PG_NAME_MAX];
} lint_pg_shape_info;

/* Offset of the ';' that ends the statement starting at pos in text (len
 * bytes), by Postgres' lexical rules; len when no ';' follows. A guess the
 * caller must confirm with the parser: see lint_postgres_scan.c. */
size_t lint_pg_statement_end(const char *text, size_t len, size_t pos);

/* Tells what the statement text (len bytes, its ';' left out) is, from its
 * leading words. Right only for text the parser accepts. Returns 0. */
int lint_pg_shape(lint_pg_shape_info *info, const char *text, size_t len);

#endif
