/*
 * formats.h - private seam between the folder loader (load.c) and the
 * per-format readers. The loader lists the folder, reads every candidate
 * file once into a source_file (UTF-8 checked, CRLF folded to LF, BOM
 * dropped), decides the format, then hands the files to one reader, which
 * appends migrations to the set with source_add. Sorting and the duplicate
 * check happen afterwards in the loader, for every format alike.
 */
#ifndef DBSHIFT_SOURCE_FORMATS_H
#define DBSHIFT_SOURCE_FORMATS_H

#include <stdbool.h>
#include <stddef.h>

#include "source/migration.h"
#include "util/buf.h"

/* What a file name says a file can be. */
enum source_kind {
    SOURCE_KIND_NUMSQL = 1, /* <digits>_<name>.sql: native, goose, dbmate, ... */
    SOURCE_KIND_UPDOWN,     /* <digits>_<name>.up.sql / .down.sql */
    SOURCE_KIND_POPX,       /* <digits>_<name>.<dialect>[.autocommit].up.sql */
    SOURCE_KIND_FLYWAY,     /* V<v>__<d>.sql, U<v>__<d>.sql, R__<d>.sql */
    SOURCE_KIND_DIESEL,     /* <version>_<name>/up.sql, down.sql, metadata.toml */
    SOURCE_KIND_REPEATABLE, /* repeatable/<name>.sql of the native format */
    SOURCE_KIND_TEMPORAL,   /* v<major>.<minor>/manifest.json and the .sql files beside it */
};

/* Marker comments found in a SOURCE_KIND_NUMSQL file. */
enum source_marker {
    SOURCE_MARK_NONE = 0,
    SOURCE_MARK_DBSHIFT,
    SOURCE_MARK_GOOSE,
    SOURCE_MARK_DBMATE,
    SOURCE_MARK_SQL_MIGRATE,
};

typedef struct source_file {
    char *path;       /* as shown to users: "<dir>/<rel>" */
    char *rel;        /* path inside the folder, e.g. "2019-02-26_x/up.sql" */
    const char *base; /* last component of rel */
    char *text;       /* normalized content, NUL-terminated */
    size_t len;
    int kind;   /* enum source_kind */
    int marker; /* enum source_marker, for SOURCE_KIND_NUMSQL */
} source_file;

/* A reader: turns the files it is given into migrations appended to set. */
typedef int (*source_reader_fn)(migration_set *set, source_file *files, size_t nfiles,
                                const source_options *opts, dbshift_error *err);

int native_read(migration_set *set, source_file *files, size_t nfiles, const source_options *opts,
                dbshift_error *err);
int goose_read(migration_set *set, source_file *files, size_t nfiles, const source_options *opts,
               dbshift_error *err);
int sql_migrate_read(migration_set *set, source_file *files, size_t nfiles,
                     const source_options *opts, dbshift_error *err);
int dbmate_read(migration_set *set, source_file *files, size_t nfiles, const source_options *opts,
                dbshift_error *err);
int golang_migrate_read(migration_set *set, source_file *files, size_t nfiles,
                        const source_options *opts, dbshift_error *err);
int flyway_read(migration_set *set, source_file *files, size_t nfiles, const source_options *opts,
                dbshift_error *err);
int diesel_read(migration_set *set, source_file *files, size_t nfiles, const source_options *opts,
                dbshift_error *err);
int popx_read(migration_set *set, source_file *files, size_t nfiles, const source_options *opts,
              dbshift_error *err);
int temporal_read(migration_set *set, source_file *files, size_t nfiles, const source_options *opts,
                  dbshift_error *err);

/* One file handed over in memory: its path inside the folder and bytes. */
typedef struct source_memory_file {
    const char *rel;
    const char *text;
    size_t len;
} source_memory_file;

/* Reads files already in memory exactly as migration_set_load reads a
 * folder (same checks, normalization, detection and readers); dir prefixes
 * the paths shown to users; format NULL uses opts->format or detects. The
 * set's dir stays NULL. */
int source_load_memory(migration_set **out, const char *dir, const source_memory_file *files,
                       size_t nfiles, const char *format, const source_options *opts,
                       dbshift_error *err);

/* Lists and reads dir as migration_set_load does (same files, validated and
 * normalized); *out receives *nout files whose rel and text are owned, to
 * be freed with source_memory_files_free. A missing folder yields none. */
int source_folder_files(source_memory_file **out, size_t *nout, const char *dir,
                        dbshift_error *err);
void source_memory_files_free(source_memory_file *files, size_t nfiles);

/* --- helpers shared by the readers (load.c) ------------------------------ */

/* Appends a zeroed migration to set; NULL when memory runs out. */
/* Makes room for n migrations in all; 0 or DBSHIFT_ENOMEM. */
int source_reserve(migration_set *set, size_t n);
migration *source_add(migration_set *set);
/* Fills sec with a copy of text[0..len) from file, starting at first_line. */
int source_section_set(migration_section *sec, const source_file *file, const char *text,
                       size_t len, int first_line, dbshift_error *err);
/* Sets a parse error that names file and line (line 0: no line). */
int source_error(dbshift_error *err, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sets version, name and file of m from a <digits>_<name>.sql file. */
int source_numsql_names(migration *m, const source_file *f, dbshift_error *err);
/* Out-of-memory error. */
int source_nomem(dbshift_error *err);
/* True when text holds nothing but blanks and SQL comments (-- and / * * /);
 * otherwise false with *bad_line set to the first line holding something
 * else (counted from first_line). */
bool source_only_comments(const char *text, size_t len, int first_line, int *bad_line);
/* Length of the line starting at p (up to '\n' or end). */
size_t source_line_len(const char *p, const char *end);
/* Skips spaces and tabs. */
const char *source_skip_blank(const char *p, const char *end);
/* Reads the options after a section marker, where only transaction
 * <sep> true|false exists (native: '=', dbmate: ':'); anything else is an
 * "unknown <format> option" error at file:line. */
int source_transaction_options(bool *no_transaction, const char *p, const char *end, char sep,
                               const char *format, const char *file, int line, dbshift_error *err);
/* Case-insensitive test that [p, end) starts with word followed by a blank
 * or the end; returns the position after word or NULL. */
const char *source_word(const char *p, const char *end, const char *word);
/* True when a Go-style trimmed line ends a statement: the last word before
 * any "--" word ends with ';' (goose and sql-migrate). */
bool source_ends_statement(const char *line, size_t len);

/* --- formats with one file per direction (pairs.c) ----------------------- */

/* One file of a migration that keeps up and down in separate files. */
typedef struct source_piece {
    const source_file *file;
    char *version; /* owned; as written in the file name */
    char *name;    /* owned */
    bool down;
    bool no_transaction;
    int rank; /* of the files for one version and direction the highest
               * rank wins (popx: dialect file over generic); a tie clashes */
} source_piece;

/* Turns a file's text into a section's SQL (templating); NULL copies it. */
typedef int (*source_render_fn)(buf *out, const source_file *f, const source_options *opts,
                                dbshift_error *err);

/* Groups pieces by version into migrations appended to set, frees the
 * pieces' strings. A down without an up is skipped when skip_orphans (popx:
 * it belongs to a version only other dialects have), an error otherwise. */
int source_pair(migration_set *set, source_piece *pieces, size_t npieces, bool skip_orphans,
                source_render_fn render, const source_options *opts, dbshift_error *err);
void source_pieces_free(source_piece *pieces, size_t npieces);

/* --- checksums (checksum.c) ---------------------------------------------- */

/* "sha256-lf:<hex>" of up, followed by "\n" and down when down is not NULL.
 * Both are already normalized (the loader folded CRLF), so no folding here. */
int checksum_files(char **out, const char *up, size_t uplen, const char *down, size_t downlen);

/* --- templating (template.c) --------------------------------------------- */

/* The value of "name=value" in opts->vars for name[0..len); NULL if unset. */
const char *template_var(const source_options *opts, const char *name, size_t len);
/* goose ENVSUB: ${VAR}, ${VAR:-default}, ${VAR-default}, $VAR, $$ -> $, from
 * opts->get_env; unset variables become empty, as goose does. */
void template_envsub(buf *out, const char *line, size_t len, const source_options *opts);
/* Flyway ${name} placeholders from opts->vars (and ${flyway:filename}); an
 * unset placeholder is an error naming file and line. */
int template_flyway(buf *out, const char *text, size_t len, const source_options *opts,
                    const char *file, const char *filename, int first_line, dbshift_error *err);
/* Go templates as popx renders them: {{ index .Options "Key" }} and
 * {{ .Options.Key }} from opts->vars; anything else is an error naming file
 * and line. */
int template_go(buf *out, const char *text, size_t len, const source_options *opts,
                const char *file, int first_line, dbshift_error *err);

#endif
