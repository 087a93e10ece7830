/*
 * goose.c - readers of the two formats that mark sections with annotation
 * comments and group statements with StatementBegin/StatementEnd: goose
 * (`-- +goose Up`, NO TRANSACTION, ENVSUB) and sql-migrate (`-- +migrate Up
 * [notransaction]`). They share one line-by-line parser. When a section
 * uses StatementBegin blocks, the file decides the statement boundaries the
 * way the tool itself would, so every statement of that section is
 * recorded as an explicit range; otherwise the core splits it with the
 * dialect's own splitter.
 */
#include "source/formats.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

typedef struct style {
    const char *tool;   /* "goose" / "migrate", for messages */
    const char *prefix; /* the annotation word: "+goose" / "+migrate" */
    bool goose;         /* NO TRANSACTION and ENVSUB exist */
} style;

typedef struct builder {
    buf sql;
    size_t *offsets, *lens;
    size_t count, cap;
    bool present, has_block, no_transaction;
    int first_line;
    bool pending; /* a statement outside blocks has started */
    size_t pending_start, pending_end;
} builder;

static void builder_release(builder *b)
{
    buf_release(&b->sql);
    free(b->offsets);
    free(b->lens);
}

static bool push_statement(builder *b, size_t start, size_t end)
{
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 8;
        size_t *o = realloc(b->offsets, cap * sizeof(*o));
        if (!o)
            return false;
        b->offsets = o;
        size_t *l = realloc(b->lens, cap * sizeof(*l));
        if (!l)
            return false;
        b->lens = l;
        b->cap = cap;
    }
    b->offsets[b->count] = start;
    b->lens[b->count] = end - start;
    b->count++;
    return true;
}

static bool flush_pending(builder *b)
{
    if (!b->pending)
        return true;
    b->pending = false;
    return push_statement(b, b->pending_start, b->pending_end);
}

/* Moves the built text into the migration's section. */
static int finish(builder *b, migration_section *sec, const source_file *f, dbshift_error *err)
{
    if (!b->present)
        return 0;
    if (!flush_pending(b) || buf_failed(&b->sql))
        return source_nomem(err);
    free(sec->sql);
    free(sec->file);
    sec->sql = buf_detach(&b->sql);
    sec->file = xstrdup(f->path);
    if (!sec->sql || !sec->file)
        return source_nomem(err);
    sec->present = true;
    sec->first_line = b->first_line;
    sec->no_transaction = b->no_transaction;
    if (b->has_block) {
        sec->nstatements = b->count;
        sec->stmt_offsets = b->offsets;
        sec->stmt_lens = b->lens;
        b->offsets = b->lens = NULL;
    }
    return 0;
}

static bool is_comment(const char *p, const char *end)
{
    return end - p >= 2 && p[0] == '-' && p[1] == '-';
}

/* The annotation command of a line ("Up", "StatementBegin", ...) or NULL. */
static const char *annotation(const style *st, const char *p, const char *end)
{
    p = source_skip_blank(p, end);
    if (!is_comment(p, end))
        return NULL;
    p = source_skip_blank(p + 2, end);
    const char *q = source_word(p, end, st->prefix);
    return q ? source_skip_blank(q, end) : NULL;
}

static bool command_is(const char *cmd, const char *end, const char *word)
{
    size_t n = strlen(word);
    return (size_t)(end - cmd) == n && strncasecmp(cmd, word, n) == 0;
}

static int parse_file(migration *m, const source_file *f, const style *st,
                      const source_options *opts, dbshift_error *err)
{
    builder up = {.sql = BUF_INIT}, down = {.sql = BUF_INIT};
    builder *cur = NULL;
    bool in_block = false, envsub = false, no_transaction = false;
    int block_line = 0, rc = 0;
    size_t block_start = 0;
    const char *p = f->text, *end = f->text + f->len;
    for (int line = 1; p < end && rc == 0; line++) {
        size_t n = source_line_len(p, end);
        const char *eol = p + n, *next = eol < end ? eol + 1 : end;
        const char *cmd = annotation(st, p, eol);
        const char *cend = eol;
        while (cmd && cend > cmd && (cend[-1] == ' ' || cend[-1] == '\t' || cend[-1] == '\r'))
            cend--;
        if (cmd) {
            const char *arg;
            if ((arg = source_word(cmd, cend, "Up")) || (arg = source_word(cmd, cend, "Down"))) {
                bool is_up = arg - cmd == 2;
                builder *b = is_up ? &up : &down;
                if (in_block) {
                    rc = source_error(err, f->path, block_line,
                                      "-- %s StatementBegin without StatementEnd", st->prefix);
                    break;
                }
                if (b->present) {
                    rc = source_error(err, f->path, line, "second -- %s %s section", st->prefix,
                                      is_up ? "Up" : "Down");
                    break;
                }
                arg = source_skip_blank(arg, cend);
                if (!st->goose && command_is(arg, cend, "notransaction"))
                    b->no_transaction = true;
                else if (arg != cend) {
                    rc = source_error(err, f->path, line, "unknown option '%.*s'",
                                      (int)(cend - arg), arg);
                    break;
                }
                if (cur && !flush_pending(cur)) {
                    rc = source_nomem(err);
                    break;
                }
                b->present = true;
                b->first_line = line + 1;
                cur = b;
                p = next;
                continue;
            }
            if (command_is(cmd, cend, "StatementBegin")) {
                if (!cur || in_block) {
                    rc = source_error(err, f->path, line,
                                      cur ? "nested -- %s StatementBegin"
                                          : "-- %s StatementBegin outside an Up or Down section",
                                      st->prefix);
                    break;
                }
                if (!flush_pending(cur)) {
                    rc = source_nomem(err);
                    break;
                }
                in_block = true;
                block_line = line;
                buf_add(&cur->sql, p, (size_t)(next - p));
                block_start = cur->sql.len;
            } else if (command_is(cmd, cend, "StatementEnd")) {
                if (!in_block) {
                    rc = source_error(err, f->path, line,
                                      "-- %s StatementEnd without StatementBegin", st->prefix);
                    break;
                }
                in_block = false;
                cur->has_block = true;
                size_t bend = cur->sql.len;
                while (bend > block_start && strchr(" \t\n", cur->sql.ptr[bend - 1]))
                    bend--;
                if (!source_only_comments(cur->sql.ptr + block_start, bend - block_start, 1,
                                          NULL) &&
                    !push_statement(cur, block_start, bend)) {
                    rc = source_nomem(err);
                    break;
                }
                buf_add(&cur->sql, p, (size_t)(next - p));
            } else if (st->goose && command_is(cmd, cend, "NO TRANSACTION")) {
                no_transaction = true;
                if (cur)
                    buf_add(&cur->sql, p, (size_t)(next - p));
            } else if (st->goose && command_is(cmd, cend, "ENVSUB ON")) {
                envsub = true;
                if (cur)
                    buf_add(&cur->sql, p, (size_t)(next - p));
            } else if (st->goose && command_is(cmd, cend, "ENVSUB OFF")) {
                envsub = false;
                if (cur)
                    buf_add(&cur->sql, p, (size_t)(next - p));
            } else {
                rc = source_error(err, f->path, line, "unknown annotation '-- %s %.*s'", st->prefix,
                                  (int)(cend - cmd), cmd);
            }
            p = next;
            continue;
        }

        const char *q = source_skip_blank(p, eol);
        bool blank = q == eol, comment = is_comment(q, eol);
        if (!cur) {
            if (!blank && !comment)
                rc = source_error(err, f->path, line, "SQL before the first -- %s Up marker",
                                  st->prefix);
            p = next;
            continue;
        }
        size_t line_start = cur->sql.len;
        if (envsub)
            template_envsub(&cur->sql, p, n, opts);
        else
            buf_add(&cur->sql, p, n);
        size_t line_end = cur->sql.len;
        if (next > eol)
            buf_addc(&cur->sql, '\n');
        if (!in_block && !blank && !comment) {
            if (!cur->pending) {
                cur->pending = true;
                cur->pending_start = line_start + (size_t)(q - p);
            }
            cur->pending_end = line_end;
            if (source_ends_statement(cur->sql.ptr + line_start, line_end - line_start) &&
                !flush_pending(cur))
                rc = source_nomem(err);
        }
        p = next;
    }
    if (rc == 0 && in_block)
        rc = source_error(err, f->path, block_line, "-- %s StatementBegin without StatementEnd",
                          st->prefix);
    if (rc == 0 && !up.present) {
        source_error(err, f->path, 0, "no -- %s Up section", st->prefix);
        err_hint(err, "goose and sql-migrate files need a line '-- %s Up'", st->prefix);
        rc = DBSHIFT_EPARSE;
    }
    if (rc == 0) {
        up.no_transaction |= no_transaction;
        down.no_transaction |= no_transaction;
        rc = finish(&up, &m->up, f, err);
    }
    if (rc == 0)
        rc = finish(&down, &m->down, f, err);
    builder_release(&up);
    builder_release(&down);
    if (rc == 0 && checksum_files(&m->checksum, f->text, f->len, NULL, 0))
        rc = source_nomem(err);
    return rc;
}

static int read_all(migration_set *set, source_file *files, size_t nfiles, const style *st,
                    const source_options *opts, dbshift_error *err)
{
    for (size_t i = 0; i < nfiles; i++) {
        migration *m = source_add(set);
        if (!m)
            return source_nomem(err);
        int rc = source_numsql_names(m, &files[i], err);
        if (rc == 0)
            rc = parse_file(m, &files[i], st, opts, err);
        if (rc)
            return rc;
    }
    return 0;
}

int goose_read(migration_set *set, source_file *files, size_t nfiles, const source_options *opts,
               dbshift_error *err)
{
    static const style goose = {"goose", "+goose", true};
    return read_all(set, files, nfiles, &goose, opts, err);
}

int sql_migrate_read(migration_set *set, source_file *files, size_t nfiles,
                     const source_options *opts, dbshift_error *err)
{
    static const style sql_migrate = {"sql-migrate", "+migrate", false};
    return read_all(set, files, nfiles, &sql_migrate, opts, err);
}
