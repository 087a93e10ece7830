/*
 * schema.h - the neutral schema model: what a database's schema is, read
 * from the live catalog of any engine (src/core/introspect_*.c), compared
 * (schema_model.c), written out as canonical DDL and turned into the SQL
 * that changes one model into another (schema_dump.c).
 *
 * A schema is a flat list of objects. Each object is named by its kind,
 * schema (Postgres namespace; "" on SQLite and MySQL, where only the one
 * database is read) and name; tables carry their columns and constraints,
 * indexes and triggers name their table. Every text field holds the
 * engine's own canonical text (pg_get_viewdef, COLUMN_TYPE, ...), so two
 * databases of one engine compare by plain string equality. After
 * schema_sort the order is deterministic: by kind, then schema, then name;
 * a table's constraints by kind then name (its columns keep their position,
 * which is part of the table).
 */
#ifndef DBSHIFT_SQL_SCHEMA_H
#define DBSHIFT_SQL_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "dbshift.h"
#include "util/buf.h"

/* Object kinds, in the order a dump creates them. */
enum schema_kind {
    SCHEMA_NAMESPACE = 1, /* Postgres schema other than public */
    SCHEMA_EXTENSION,     /* def: extension name's schema; Postgres */
    SCHEMA_ENUM,          /* values: labels in order; Postgres */
    SCHEMA_DOMAIN,        /* def: "AS type [NOT NULL] [DEFAULT x] [CHECK ...]" */
    SCHEMA_SEQUENCE,      /* def: the options clause */
    SCHEMA_FUNCTION,      /* def: the whole CREATE statement */
    SCHEMA_PROCEDURE,     /* def: the whole CREATE statement */
    SCHEMA_TABLE,         /* cols, cons */
    SCHEMA_INDEX,         /* table; def: the whole CREATE INDEX statement */
    SCHEMA_VIEW,          /* def: the query */
    SCHEMA_MATVIEW,       /* def: the query; Postgres */
    SCHEMA_TRIGGER,       /* table; def: the whole CREATE TRIGGER statement */
    SCHEMA_KIND_COUNT
};

enum schema_constraint_type {
    SCHEMA_PRIMARY = 1,
    SCHEMA_UNIQUE,
    SCHEMA_CHECK,
    SCHEMA_FOREIGN,
};

typedef struct schema_column {
    char *name;
    char *type; /* as the engine spells it: "character varying(20)" */
    bool not_null;
    char *def;       /* default expression, NULL when none */
    char *generated; /* "GENERATED ALWAYS AS IDENTITY", "GENERATED ALWAYS AS (x) STORED",
                        "AUTO_INCREMENT"...; NULL when none */
    char *collation; /* NULL: the default */
} schema_column;

typedef struct schema_constraint {
    int type;   /* enum schema_constraint_type */
    char *name; /* NULL when the engine names none (SQLite) */
    char *def;  /* "PRIMARY KEY (a, b)", "CHECK (x > 0)",
                   "FOREIGN KEY (a) REFERENCES t (b) ON DELETE CASCADE" */
} schema_constraint;

typedef struct schema_object {
    int kind; /* enum schema_kind */
    char *schema;
    char *name;
    char *table; /* index, trigger: its table; sequence: the table owning it */
    char *def;
    bool unique;   /* index */
    char **values; /* enum labels */
    size_t nvalues;
    schema_column *cols;
    size_t ncols;
    schema_constraint *cons;
    size_t ncons;
} schema_object;

typedef struct schema {
    int dialect; /* enum dbshift_dialect */
    size_t count;
    schema_object *objs;
} schema;

/* One difference between an expected and an actual schema. */
typedef struct schema_change {
    char *object;   /* "table public.users", "column public.users.email" */
    char *expected; /* canonical text in the expected schema, NULL: absent */
    char *actual;   /* canonical text in the actual schema, NULL: absent */
} schema_change;

typedef struct schema_changes {
    size_t count;
    schema_change *items;
} schema_changes;

void schema_init(schema *s, int dialect);
void schema_release(schema *s);

/* Appends an object (zeroed but for kind/schema/name) and returns it, NULL on
 * out of memory. The pointer is valid until the next append. */
schema_object *schema_add(schema *s, int kind, const char *nsp, const char *name);
schema_column *schema_add_column(schema_object *o, const char *name, const char *type);
schema_constraint *schema_add_constraint(schema_object *o, int type, const char *name,
                                         const char *def);
int schema_add_value(schema_object *o, const char *value);
/* Finds an object by kind, schema and name; NULL when absent. */
schema_object *schema_find(const schema *s, int kind, const char *nsp, const char *name);
/* Removes the object at index, keeping the others' order. */
void schema_remove(schema *s, size_t index);
/* Drops every table named in names and whatever belongs to it. */
void schema_exclude_tables(schema *s, const char *const *names, size_t n);

/* Sorts objects and constraints into the canonical order. */
void schema_sort(schema *s);

/* The lowercase name of a kind, as in messages: "table", "materialized view". */
const char *schema_kind_name(int kind);

/* Collapses runs of white space to one blank and trims both ends (in place),
 * leaving quoted text alone. */
void schema_squeeze(char *text);

/* Compares expected with actual (both sorted); *out lists every difference.
 * Returns 0 or DBSHIFT_ENOMEM. */
int schema_compare(schema_changes *out, const schema *expected, const schema *actual);
void schema_changes_release(schema_changes *c);

/* One line of a column, as in CREATE TABLE: "email text NOT NULL DEFAULT ''" */
void schema_column_text(buf *b, int dialect, const schema_column *c);
/* A constraint clause, "CONSTRAINT name PRIMARY KEY (id)" (no name: no prefix). */
void schema_constraint_text(buf *b, int dialect, const schema_constraint *c);
/* An identifier quoted for dialect. */
void schema_quote(buf *b, int dialect, const char *ident);
/* schema.name (Postgres) or name, quoted. */
void schema_qualified(buf *b, int dialect, const char *nsp, const char *name);

/* Canonical DDL that creates s from nothing; byte-identical for equal
 * models. */
int schema_dump(buf *out, const schema *s);

/*
 * SQL that turns model from into model to (both sorted, same dialect):
 * *up gets the forward statements, *down the reverse ones. Ambiguous
 * changes (a column dropped and another of the same type added: a rename?)
 * get a comment asking the author to decide. On SQLite a table whose
 * change ALTER TABLE cannot express is rebuilt (create new, copy, drop,
 * rename). Returns 0 or DBSHIFT_ENOMEM.
 */
int schema_migration(buf *up, buf *down, const schema *from, const schema *to);

#endif
