/*
 * lint.c - the driver of the safety linter: walks migrations in order, asks
 * the dialect front end what each statement does (its "actions"), and turns
 * risky actions into findings with the rule table's level and texts.
 *
 * The rules are mostly about *existing* tables: an index or a NOT NULL column
 * on a table the same migration created is harmless, because nobody else can
 * hold a lock on it or have rows in it yet. So the walk keeps, per migration,
 * what its up section created (tables, columns, indexes, schemas, renames);
 * the down section is then judged against that: dropping what up created is
 * the point of a down, dropping anything else is a finding, and something
 * created by up that down leaves behind is a finding too. Across migrations
 * it keeps the tables earlier ones created, only to tell a harmless
 * `DROP TABLE IF EXISTS` of a table nobody has.
 *
 * Suppression is resolved here, once per statement: `-- dbshift:allow RULE`
 * comments between the previous statement and the end of this one's line,
 * plus the config's allow list. Allowed findings are still reported (marked
 * allowed) so that a reader sees what was accepted; disabled rules are not.
 */
#include "sql/lint.h"

#include "dbshift/driver.h"
#include "util/buf.h"
#include "util/err.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define EXCERPT_MAX 120

/* --- Small containers ------------------------------------------------- */

/* A created object remembered for the down-section check: where up made it. */
typedef struct lint_object {
    char *key;   /* table, "table.column" or index name */
    char *table; /* the table an index or column belongs to */
    int line;    /* in the file */
    int column;
    /* The creating statement, in its section's text (which outlives the
     * walk): its excerpt is made only if a finding needs it. */
    const char *stmt;
    size_t stmt_len;
    bool allowed; /* `-- dbshift:allow incomplete-down` on that statement */
} lint_object;

typedef struct objset {
    size_t count;
    size_t cap;
    lint_object *items;
} objset;

static void objset_release(objset *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->items[i].key);
        free(s->items[i].table);
    }
    free(s->items);
    memset(s, 0, sizeof(*s));
}

static lint_object *objset_find(const objset *s, const char *key)
{
    if (!key)
        return NULL;
    for (size_t i = s->count; i-- > 0;) {
        if (strcmp(s->items[i].key, key) == 0)
            return &s->items[i];
    }
    return NULL;
}

static bool objset_has(const objset *s, const char *key)
{
    return objset_find(s, key) != NULL;
}

static lint_object *objset_add(objset *s, const char *key, const char *table)
{
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        lint_object *items = realloc(s->items, cap * sizeof(*items));
        if (!items)
            return NULL;
        s->items = items;
        s->cap = cap;
    }
    lint_object *o = &s->items[s->count];
    memset(o, 0, sizeof(*o));
    o->key = strdup(key);
    o->table = xstrdup(table);
    if (!o->key || (table && !o->table)) {
        free(o->key);
        free(o->table);
        return NULL;
    }
    s->count++;
    return o;
}

static void objset_remove(objset *s, const char *key)
{
    lint_object *o = objset_find(s, key);
    if (!o)
        return;
    free(o->key);
    free(o->table);
    size_t i = (size_t)(o - s->items);
    memmove(&s->items[i], &s->items[i + 1], (s->count - i - 1) * sizeof(*o));
    s->count--;
}

/* Renames in place; false when out of memory. */
static bool objset_rename(objset *s, const char *key, const char *to)
{
    lint_object *o = objset_find(s, key);
    if (!o || !to)
        return true;
    char *copy = strdup(to);
    if (!copy)
        return false;
    free(o->key);
    o->key = copy;
    return true;
}

/* "table.column": the key of a column in the sets. */
static char *column_key(const char *table, const char *column)
{
    size_t nt = table ? strlen(table) : 0, nc = column ? strlen(column) : 0;
    char *key = malloc(nt + nc + 2);
    if (key) {
        memcpy(key, table ? table : "", nt);
        key[nt] = '.';
        memcpy(key + nt + 1, column ? column : "", nc);
        key[nt + nc + 1] = '\0';
    }
    return key;
}

/* --- Results and statement lists --------------------------------------- */

void lint_config_init(lint_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
}

void lint_result_init(lint_result *res)
{
    memset(res, 0, sizeof(*res));
}

void lint_finding_release(dbshift_finding *f)
{
    /* One block holds every string (add_finding). */
    free(f->rule);
    memset(f, 0, sizeof(*f));
}

void lint_result_release(lint_result *res)
{
    for (size_t i = 0; i < res->count; i++)
        lint_finding_release(&res->items[i]);
    free(res->items);
    lint_result_init(res);
}

void lint_stmt_drop_actions(lint_stmt *st, size_t from)
{
    while (st->nactions > from) {
        lint_action *a = &st->actions[--st->nactions];
        free(a->schema);
        free(a->table);
        free(a->name);
        free(a->new_name);
    }
}

void lint_stmts_truncate(lint_stmts *s, size_t count)
{
    for (size_t i = count; i < s->count; i++) {
        lint_stmt *st = &s->items[i];
        lint_stmt_drop_actions(st, 0);
        free(st->actions);
        free(st->parse_error);
    }
    if (count < s->count)
        s->count = count;
}

void lint_stmts_release(lint_stmts *s)
{
    lint_stmts_truncate(s, 0);
    free(s->items);
    memset(s, 0, sizeof(*s));
}

lint_stmt *lint_stmts_add(lint_stmts *s, size_t offset, size_t len)
{
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        lint_stmt *items = realloc(s->items, cap * sizeof(*items));
        if (!items)
            return NULL;
        s->items = items;
        s->cap = cap;
    }
    lint_stmt *st = &s->items[s->count++];
    memset(st, 0, sizeof(*st));
    st->offset = offset;
    st->len = len;
    return st;
}

lint_action *lint_stmt_add_action(lint_stmt *st, int kind, unsigned flags, const char *schema,
                                  const char *table, const char *name)
{
    /* Statements rarely carry more than a handful of actions: grow by a few. */
    lint_action *items = realloc(st->actions, (st->nactions + 1) * sizeof(*items));
    if (!items)
        return NULL;
    st->actions = items;
    lint_action *a = &items[st->nactions];
    memset(a, 0, sizeof(*a));
    a->kind = kind;
    a->flags = flags;
    a->schema = xstrdup(schema);
    a->table = xstrdup(table);
    a->name = xstrdup(name);
    if ((schema && !a->schema) || (table && !a->table) || (name && !a->name)) {
        free(a->schema);
        free(a->table);
        free(a->name);
        return NULL;
    }
    st->nactions++;
    return a;
}

/* Length of whitespace and comments at text[pos..len). */
static size_t skip_space_and_comments(const char *text, size_t pos, size_t len)
{
    size_t i = pos;
    while (i < len) {
        unsigned char c = (unsigned char)text[i];
        if (isspace(c)) {
            i++;
        } else if (c == '-' && i + 1 < len && text[i + 1] == '-') {
            while (i < len && text[i] != '\n')
                i++;
        } else if (c == '/' && i + 1 < len && text[i + 1] == '*') {
            const char *end = NULL;
            for (size_t j = i + 2; j + 1 < len; j++) {
                if (text[j] == '*' && text[j + 1] == '/') {
                    end = text + j + 2;
                    break;
                }
            }
            i = end ? (size_t)(end - text) : len;
        } else {
            break;
        }
    }
    return i - pos;
}

void lint_stmts_locate(lint_stmts *s, const char *text, size_t len)
{
    size_t pos = 0;
    int line = 1;
    size_t line_start = 0;
    for (size_t k = 0; k < s->count; k++) {
        lint_stmt *st = &s->items[k];
        if (st->offset > len)
            st->offset = len;
        if (st->offset + st->len > len)
            st->len = len - st->offset;
        size_t skip = skip_space_and_comments(text, st->offset, st->offset + st->len);
        st->offset += skip;
        st->len -= skip;
        while (st->len > 0 && isspace((unsigned char)text[st->offset + st->len - 1]))
            st->len--;
        if (st->offset < pos) {
            /* Out of order (never from our front ends): count from the top. */
            pos = 0;
            line = 1;
            line_start = 0;
        }
        while (pos < st->offset) {
            const char *nl = memchr(text + pos, '\n', st->offset - pos);
            if (!nl) {
                pos = st->offset;
                break;
            }
            line++;
            line_start = (size_t)(nl - text) + 1;
            pos = line_start;
        }
        st->line = line;
        st->column = (int)(st->offset - line_start) + 1;
    }
}

/* --- The walk ----------------------------------------------------------- */

typedef struct lint_ctx {
    lint_result *out;
    int dialect;
    lint_table_exists_fn table_exists;
    void *payload;
    signed char level[LINT_RULE_COUNT]; /* -1: disabled */
    bool config_allowed[LINT_RULE_COUNT];
    bool emit;        /* false while reading earlier migrations */
    bool run_timeout; /* the run sets lock_timeout itself */

    objset known; /* tables created by earlier migrations (and this one's up) */

    /* Per migration: what its up section created or renamed. */
    objset tables;
    objset columns;
    objset indexes;
    objset schemas;
    objset renamed; /* new names of renamed tables, "table.column" of renamed columns */
    /* What its down section created and removed. */
    objset down_tables;
    objset down_dropped;

    /* Per section. */
    const migration *mig;
    const migration_section *sec;
    bool is_down;
    const char *text;
    size_t text_len;
    /* Whether text holds a `dbshift:allow` at all: most sections do not, and
     * then no statement's comments need reading. The last up section's
     * answer is kept for the findings on its whole migration. */
    bool text_has_allow;
    const char *up_text;
    bool up_has_allow;
    const lint_stmt *stmt;
    bool stmt_allowed[LINT_RULE_COUNT];
    bool stmt_reported[LINT_RULE_COUNT]; /* one finding per rule and statement */
    bool in_transaction;
    bool explicit_transaction;
    bool timeout_set;
    bool lock_reported;
    bool saw_ddl;
    bool saw_dml;
    bool mixed_reported;
    /* A DROP TABLE that a later rename of a new table to the same name makes
     * the SQLite "rebuild a table" pattern: its finding index in out, or
     * SIZE_MAX when it made none. */
    size_t pending_drop[8];
    char *pending_drop_table[8];
    size_t npending_drop;
    int nomem;
    /* Sections read ahead by the pool, in the order the walk meets them;
     * NULL when each section is read as the walk reaches it. */
    struct section_read *reads;
    size_t nreads;
    size_t next_read;
} lint_ctx;

static const char *section_file(const lint_ctx *c)
{
    if (c->sec && c->sec->file)
        return c->sec->file;
    return c->mig ? c->mig->file : NULL;
}

static int file_line(const lint_ctx *c, int line)
{
    int first = c->sec && c->sec->first_line > 0 ? c->sec->first_line : 1;
    return first + line - 1;
}

/* The statement on one line, whitespace runs folded, cut at EXCERPT_MAX,
 * written to out (NUL-terminated); returns its length. A space and a byte
 * may pass EXCERPT_MAX by one before the cut, and "..." follows it. */
static size_t make_excerpt(char out[EXCERPT_MAX + 8], const char *text, size_t len)
{
    size_t n = 0;
    bool space = false;
    for (size_t i = 0; i < len && n < EXCERPT_MAX; i++) {
        unsigned char c = (unsigned char)text[i];
        if (isspace(c)) {
            space = true;
            continue;
        }
        if (space && n > 0)
            out[n++] = ' ';
        space = false;
        out[n++] = (char)c;
    }
    if (n >= EXCERPT_MAX) {
        /* Do not cut a UTF-8 sequence in half. */
        while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0x80)
            n--;
        if (n > 0 && ((unsigned char)out[n - 1] & 0x80))
            n--;
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return n;
}

static int push_finding(lint_ctx *c, dbshift_finding *f)
{
    lint_result *r = c->out;
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        dbshift_finding *items = realloc(r->items, cap * sizeof(*items));
        if (!items)
            return DBSHIFT_ENOMEM;
        r->items = items;
        r->cap = cap;
    }
    r->items[r->count++] = *f;
    return 0;
}

/*
 * Adds a finding for rule at a place in the file. message NULL: the rule's.
 * stmt (stmt_len bytes) is the statement to show an excerpt of, NULL for
 * none. A lint run may report thousands of findings, so each one's strings
 * share one allocation, which starts at its rule (lint_finding_release).
 */
static void add_finding(lint_ctx *c, int rule, int line, int column, const char *stmt,
                        size_t stmt_len, const char *message, bool allowed)
{
    const lint_rule *r = lint_rule_get(rule);
    if (!c->emit || c->level[rule] < 0 || c->nomem)
        return;
    char excerpt[EXCERPT_MAX + 8];
    excerpt[0] = '\0';
    if (stmt)
        make_excerpt(excerpt, stmt, stmt_len);
    const char *file = section_file(c);
    const char *version = c->mig ? c->mig->version : NULL;
    /* rule, name, statement, message, then the ones that may be NULL. */
    const char *parts[7] = {r->code,       r->name, excerpt, message ? message : r->message,
                            r->suggestion, file,    version};
    size_t lens[7], total = 0;
    for (int i = 0; i < 7; i++) {
        lens[i] = parts[i] ? strlen(parts[i]) + 1 : 0;
        total += lens[i];
    }
    char *block = malloc(total);
    if (!block) {
        c->nomem = 1;
        return;
    }
    char *copies[7], *o = block;
    for (int i = 0; i < 7; i++) {
        copies[i] = parts[i] ? memcpy(o, parts[i], lens[i]) : NULL;
        o += lens[i];
    }
    dbshift_finding f;
    memset(&f, 0, sizeof(f));
    f.rule = copies[0];
    f.name = copies[1];
    f.statement = copies[2];
    f.message = copies[3];
    f.suggestion = copies[4];
    f.file = copies[5];
    f.version = copies[6];
    f.level = c->level[rule];
    f.line = line;
    f.column = column;
    f.allowed = allowed || c->config_allowed[rule];
    f.not_analysed = rule == LINT_NOT_ANALYSED;
    if (push_finding(c, &f) < 0) {
        lint_finding_release(&f);
        c->nomem = 1;
    }
}

/* A finding on the current statement. */
static void report(lint_ctx *c, int rule)
{
    const lint_stmt *st = c->stmt;
    if (!c->emit || c->level[rule] < 0 || c->stmt_reported[rule])
        return;
    c->stmt_reported[rule] = true;
    add_finding(c, rule, file_line(c, st->line), st->column, c->text + st->offset, st->len, NULL,
                c->stmt_allowed[rule]);
}

/* memmem is a GNU extension; the build is strict POSIX. */
static const char *find_tag(const char *hay, size_t n, const char *tag, size_t taglen)
{
    const char *end = hay + n;
    while ((size_t)(end - hay) >= taglen) {
        const char *p = memchr(hay, tag[0], (size_t)(end - hay) - taglen + 1);
        if (!p)
            return NULL;
        if (memcmp(p, tag, taglen) == 0)
            return p;
        hay = p + 1;
    }
    return NULL;
}

static const char allow_tag[] = "dbshift:allow";

static bool has_allow(const char *text, size_t len)
{
    return find_tag(text, len, allow_tag, sizeof(allow_tag) - 1) != NULL;
}

/* Reads `dbshift:allow RULE[,RULE...]` directives in text[from..to). */
static void scan_allow(bool allowed[LINT_RULE_COUNT], const char *text, size_t from, size_t to)
{
    const size_t taglen = sizeof(allow_tag) - 1;
    size_t i = from;
    while (i + taglen <= to) {
        const char *hit = find_tag(text + i, to - i, allow_tag, taglen);
        if (!hit)
            break;
        size_t p = (size_t)(hit - text) + taglen;
        i = p;
        if (p < to && !isspace((unsigned char)text[p]))
            continue;
        /* Rule names are the first words; the reason follows. Each word that
         * names a rule counts, so `allow DS001 DS002 reason` works too. */
        while (p < to && text[p] != '\n') {
            while (p < to && (text[p] == ' ' || text[p] == '\t' || text[p] == ','))
                p++;
            size_t start = p;
            while (p < to && (isalnum((unsigned char)text[p]) || text[p] == '-' || text[p] == '_'))
                p++;
            if (p == start || p - start >= 64)
                break;
            char word[64];
            memcpy(word, text + start, p - start);
            word[p - start] = '\0';
            int id = lint_rule_lookup(word);
            if (id < 0)
                break;
            allowed[id] = true;
        }
        i = p;
    }
}

/* The set holding table when the current migration created it, else NULL. */
static objset *created_in(lint_ctx *c, const char *table)
{
    if (!table)
        return NULL;
    if (objset_has(&c->tables, table))
        return &c->tables;
    if (c->is_down && objset_has(&c->down_tables, table))
        return &c->down_tables;
    return NULL;
}

static bool existing_table(const lint_ctx *c, const char *table)
{
    /* Conservative: every table this migration did not create may have rows
     * and readers. */
    return !created_in((lint_ctx *)c, table);
}

/* A table dropped with IF EXISTS that nobody has: nothing is lost. */
static bool absent_table(const lint_ctx *c, const lint_action *a)
{
    if (!(a->flags & LINT_F_IF_EXISTS) || !a->table || !c->table_exists)
        return false;
    if (objset_has(&c->known, a->table))
        return false;
    return !c->table_exists(a->schema, a->table, c->payload);
}

static void remember(lint_ctx *c, objset *set, const char *key, const char *table)
{
    if (!key)
        return;
    lint_object *o = objset_find(set, key);
    if (o)
        return;
    o = objset_add(set, key, table);
    if (!o) {
        c->nomem = 1;
        return;
    }
    if (c->stmt) {
        o->line = file_line(c, c->stmt->line);
        o->column = c->stmt->column;
        o->stmt = c->text + c->stmt->offset;
        o->stmt_len = c->stmt->len;
        o->allowed = c->stmt_allowed[LINT_INCOMPLETE_DOWN];
    }
}

static void remember_pending_drop(lint_ctx *c, const char *table, size_t before)
{
    if (!table || c->npending_drop == 8)
        return;
    char *copy = strdup(table);
    if (!copy) {
        c->nomem = 1;
        return;
    }
    c->pending_drop[c->npending_drop] = c->out->count == before ? SIZE_MAX : before;
    c->pending_drop_table[c->npending_drop++] = copy;
}

/* A new table renamed to the name of a table dropped earlier in the section
 * is the rebuild pattern (copy, drop, rename): the drop is not a loss. */
static bool forgive_rebuild_drop(lint_ctx *c, const char *new_name)
{
    bool found = false;
    for (size_t i = 0; i < c->npending_drop; i++) {
        if (strcmp(c->pending_drop_table[i], new_name) != 0)
            continue;
        found = true;
        size_t at = c->pending_drop[i];
        if (at < c->out->count && strcmp(c->out->items[at].name, "drop-table") == 0) {
            lint_finding_release(&c->out->items[at]);
            memmove(&c->out->items[at], &c->out->items[at + 1],
                    (c->out->count - at - 1) * sizeof(dbshift_finding));
            c->out->count--;
            for (size_t j = 0; j < c->npending_drop; j++) {
                if (c->pending_drop[j] > at && c->pending_drop[j] != SIZE_MAX)
                    c->pending_drop[j]--;
            }
        }
        c->pending_drop_table[i][0] = '\0';
    }
    return found;
}

static void clear_pending_drops(lint_ctx *c)
{
    for (size_t i = 0; i < c->npending_drop; i++)
        free(c->pending_drop_table[i]);
    c->npending_drop = 0;
}

static bool is_postgres(const lint_ctx *c)
{
    return c->dialect == DBSHIFT_DIALECT_POSTGRES;
}

static void note_ddl(lint_ctx *c)
{
    c->saw_ddl = true;
}

static void note_dml(lint_ctx *c, const lint_action *a)
{
    if (existing_table(c, a->table))
        c->saw_dml = true;
}

static void on_drop_table(lint_ctx *c, const lint_action *a)
{
    note_ddl(c);
    if (c->is_down) {
        if (objset_has(&c->tables, a->table) || objset_has(&c->renamed, a->table)) {
            remember(c, &c->down_dropped, a->table, NULL);
            return;
        }
    }
    objset *created = created_in(c, a->table);
    if (created) {
        objset_remove(created, a->table);
        if (!c->is_down)
            objset_remove(&c->known, a->table);
        return;
    }
    if (!absent_table(c, a)) {
        size_t before = c->out->count;
        report(c, LINT_DROP_TABLE);
        remember_pending_drop(c, a->table, before);
    }
    if (!c->is_down)
        objset_remove(&c->known, a->table);
}

static void on_rename_table(lint_ctx *c, const lint_action *a)
{
    note_ddl(c);
    if (!a->name)
        return;
    objset *created = created_in(c, a->table);
    bool reverses = c->is_down && objset_has(&c->renamed, a->table);
    if (!created && !reverses)
        report(c, LINT_RENAME_TABLE);
    if (created) {
        if (!objset_rename(created, a->table, a->name))
            c->nomem = 1;
        /* After a rebuild the table under the old name holds the old rows:
         * it is an existing table again, not one this migration added. */
        if (forgive_rebuild_drop(c, a->name))
            objset_remove(created, a->name);
    }
    if (!c->is_down) {
        if (!created)
            remember(c, &c->renamed, a->name, NULL);
        if (!objset_rename(&c->known, a->table, a->name))
            c->nomem = 1;
    }
}

static void on_add_column(lint_ctx *c, const lint_action *a)
{
    note_ddl(c);
    if (!existing_table(c, a->table))
        return;
    if ((a->flags & LINT_F_NOT_NULL) && !(a->flags & LINT_F_DEFAULT))
        report(c, LINT_ADD_NOT_NULL_COLUMN);
    if (is_postgres(c) && (a->flags & LINT_F_VOLATILE))
        report(c, LINT_VOLATILE_DEFAULT);
    if (!c->is_down && a->name) {
        char *key = column_key(a->table, a->name);
        if (!key) {
            c->nomem = 1;
            return;
        }
        remember(c, &c->columns, key, a->table);
        free(key);
    }
}

static void on_column_change(lint_ctx *c, const lint_action *a)
{
    note_ddl(c);
    if (!existing_table(c, a->table))
        return;
    char *key = column_key(a->table, a->name);
    if (!key) {
        c->nomem = 1;
        return;
    }
    bool added_here = objset_has(&c->columns, key);
    switch (a->kind) {
    case LINT_ACT_DROP_COLUMN:
        if (added_here && c->is_down)
            remember(c, &c->down_dropped, key, a->table);
        else if (added_here)
            objset_remove(&c->columns, key);
        else
            report(c, LINT_DROP_COLUMN);
        break;
    case LINT_ACT_RENAME_COLUMN:
        if (!added_here && !(c->is_down && objset_has(&c->renamed, key)))
            report(c, LINT_RENAME_COLUMN);
        if (!c->is_down && a->new_name) {
            char *to = column_key(a->table, a->new_name);
            if (!to) {
                c->nomem = 1;
                break;
            }
            if (added_here) {
                if (!objset_rename(&c->columns, key, to))
                    c->nomem = 1;
            } else {
                remember(c, &c->renamed, to, a->table);
            }
            free(to);
        }
        break;
    case LINT_ACT_ALTER_COLUMN_TYPE:
        if (!added_here)
            report(c, LINT_CHANGE_COLUMN_TYPE);
        break;
    case LINT_ACT_SET_NOT_NULL:
        if (is_postgres(c))
            report(c, LINT_SET_NOT_NULL);
        break;
    default:
        break;
    }
    free(key);
}

static void on_concurrent(lint_ctx *c, const lint_action *a)
{
    if ((a->flags & LINT_F_CONCURRENT) && c->in_transaction)
        report(c, LINT_CONCURRENTLY_IN_TRANSACTION);
}

static void on_create_index(lint_ctx *c, const lint_action *a)
{
    note_ddl(c);
    on_concurrent(c, a);
    if (!existing_table(c, a->table))
        return;
    if (is_postgres(c) && !(a->flags & LINT_F_CONCURRENT))
        report(c, LINT_CREATE_INDEX);
    if (!c->is_down)
        remember(c, &c->indexes, a->name, a->table);
}

static void on_drop_index(lint_ctx *c, const lint_action *a)
{
    note_ddl(c);
    on_concurrent(c, a);
    lint_object *o = objset_find(&c->indexes, a->name);
    if (o) {
        if (c->is_down)
            remember(c, &c->down_dropped, a->name, o->table);
        else
            objset_remove(&c->indexes, a->name);
        return;
    }
    if (!existing_table(c, a->table))
        return;
    if (is_postgres(c) && !(a->flags & LINT_F_CONCURRENT))
        report(c, LINT_DROP_INDEX);
}

static void on_constraint(lint_ctx *c, const lint_action *a)
{
    note_ddl(c);
    if (!existing_table(c, a->table))
        return;
    switch (a->kind) {
    case LINT_ACT_ADD_FOREIGN_KEY:
        if (is_postgres(c) && !(a->flags & LINT_F_NOT_VALID))
            report(c, LINT_FOREIGN_KEY);
        break;
    case LINT_ACT_ADD_CHECK:
        if (is_postgres(c) && !(a->flags & LINT_F_NOT_VALID))
            report(c, LINT_CHECK_CONSTRAINT);
        break;
    case LINT_ACT_ADD_UNIQUE:
        if (is_postgres(c) && !(a->flags & LINT_F_USING_INDEX))
            report(c, LINT_UNIQUE_CONSTRAINT);
        break;
    case LINT_ACT_ADD_PRIMARY_KEY:
    case LINT_ACT_DROP_PRIMARY_KEY:
        if (!(a->flags & LINT_F_USING_INDEX))
            report(c, LINT_PRIMARY_KEY);
        break;
    default:
        break;
    }
}

static void on_schema(lint_ctx *c, const lint_action *a)
{
    note_ddl(c);
    if (a->kind == LINT_ACT_CREATE_SCHEMA) {
        if (!c->is_down)
            remember(c, &c->schemas, a->name, NULL);
        return;
    }
    if (objset_has(&c->schemas, a->name)) {
        if (c->is_down)
            remember(c, &c->down_dropped, a->name, NULL);
        return;
    }
    report(c, LINT_DROP_SCHEMA);
}

static void on_action(lint_ctx *c, const lint_action *a)
{
    switch (a->kind) {
    case LINT_ACT_CREATE_TABLE:
        note_ddl(c);
        if (c->is_down) {
            remember(c, &c->down_tables, a->table, NULL);
        } else if (a->table) {
            remember(c, &c->tables, a->table, NULL);
            remember(c, &c->known, a->table, NULL);
        }
        break;
    case LINT_ACT_DROP_TABLE:
        on_drop_table(c, a);
        break;
    case LINT_ACT_RENAME_TABLE:
        on_rename_table(c, a);
        break;
    case LINT_ACT_ADD_COLUMN:
        on_add_column(c, a);
        break;
    case LINT_ACT_DROP_COLUMN:
    case LINT_ACT_RENAME_COLUMN:
    case LINT_ACT_ALTER_COLUMN_TYPE:
    case LINT_ACT_SET_NOT_NULL:
        on_column_change(c, a);
        break;
    case LINT_ACT_ADD_FOREIGN_KEY:
    case LINT_ACT_ADD_CHECK:
    case LINT_ACT_ADD_UNIQUE:
    case LINT_ACT_ADD_PRIMARY_KEY:
    case LINT_ACT_DROP_PRIMARY_KEY:
        on_constraint(c, a);
        break;
    case LINT_ACT_CREATE_INDEX:
        on_create_index(c, a);
        break;
    case LINT_ACT_DROP_INDEX:
        on_drop_index(c, a);
        break;
    case LINT_ACT_ALTER_TABLE:
        note_ddl(c);
        if (c->dialect == DBSHIFT_DIALECT_MYSQL && existing_table(c, a->table) &&
            !(a->flags & LINT_F_ALGORITHM))
            report(c, LINT_MYSQL_ALGORITHM);
        break;
    case LINT_ACT_CREATE_SCHEMA:
    case LINT_ACT_DROP_SCHEMA:
        on_schema(c, a);
        break;
    case LINT_ACT_DROP_DATABASE:
        note_ddl(c);
        report(c, LINT_DROP_DATABASE);
        break;
    case LINT_ACT_TRUNCATE:
        note_dml(c, a);
        if (existing_table(c, a->table))
            report(c, LINT_TRUNCATE);
        break;
    case LINT_ACT_DELETE:
    case LINT_ACT_UPDATE:
        note_dml(c, a);
        if (existing_table(c, a->table) && !(a->flags & LINT_F_WHERE))
            report(c, a->kind == LINT_ACT_DELETE ? LINT_DELETE_WITHOUT_WHERE
                                                 : LINT_UPDATE_WITHOUT_WHERE);
        break;
    case LINT_ACT_INSERT:
        note_dml(c, a);
        break;
    case LINT_ACT_VACUUM_FULL:
        if (existing_table(c, a->table))
            report(c, LINT_VACUUM_FULL);
        break;
    case LINT_ACT_CLUSTER:
        if (existing_table(c, a->table))
            report(c, LINT_CLUSTER);
        break;
    case LINT_ACT_REINDEX:
        on_concurrent(c, a);
        if (existing_table(c, a->table) && !(a->flags & LINT_F_CONCURRENT))
            report(c, LINT_REINDEX);
        break;
    case LINT_ACT_SET_LOCK_TIMEOUT:
        c->timeout_set = !(a->flags & LINT_F_TIMEOUT_OFF);
        break;
    case LINT_ACT_BEGIN:
        c->explicit_transaction = true;
        c->in_transaction = true;
        break;
    case LINT_ACT_COMMIT:
        c->explicit_transaction = false;
        c->in_transaction = !c->sec->no_transaction;
        break;
    case LINT_ACT_PRAGMA_FOREIGN_KEYS:
        if (c->dialect == DBSHIFT_DIALECT_SQLITE && c->in_transaction)
            report(c, LINT_PRAGMA_FOREIGN_KEYS);
        break;
    case LINT_ACT_PASSWORD_LITERAL:
        report(c, LINT_PASSWORD_LITERAL);
        break;
    case LINT_ACT_OTHER_DDL:
        note_ddl(c);
        break;
    default:
        break;
    }
}

/* A down statement that only drops what up created: its lock is expected. */
static bool undoes_up(lint_ctx *c, const lint_stmt *st)
{
    if (!c->is_down)
        return false;
    bool dropped = false;
    for (size_t i = 0; i < st->nactions; i++) {
        const lint_action *a = &st->actions[i];
        const char *key = a->kind == LINT_ACT_DROP_TABLE ? a->table : a->name;
        char *column = NULL;
        if (a->kind == LINT_ACT_ALTER_TABLE)
            continue;
        if (a->kind == LINT_ACT_DROP_COLUMN) {
            column = column_key(a->table, a->name);
            key = column;
        } else if (a->kind != LINT_ACT_DROP_TABLE && a->kind != LINT_ACT_DROP_INDEX) {
            return false;
        }
        bool undone = key && objset_has(&c->down_dropped, key);
        free(column);
        if (!undone)
            return false;
        dropped = true;
    }
    return dropped;
}

static void on_statement(lint_ctx *c, const lint_stmt *st, size_t prev_end, bool first)
{
    c->stmt = st;
    memset(c->stmt_allowed, 0, sizeof(c->stmt_allowed));
    memset(c->stmt_reported, 0, sizeof(c->stmt_reported));
    if (c->emit && c->text_has_allow) {
        /* The allow comment may sit above the statement, inside it, or after
         * its terminator on the same line. */
        size_t end = st->offset + st->len;
        while (end < c->text_len && c->text[end] != '\n')
            end++;
        /* A comment after the previous statement on its line is its own. */
        size_t from = prev_end;
        while (!first && from < st->offset && c->text[from] != '\n')
            from++;
        scan_allow(c->stmt_allowed, c->text, from, end);
    }
    if (st->not_analysed) {
        if (c->emit && c->level[LINT_NOT_ANALYSED] >= 0) {
            buf msg = BUF_INIT;
            buf_addf(&msg, "the statement could not be parsed (%s), so it was not checked",
                     st->parse_error ? st->parse_error : "unknown syntax");
            if (buf_failed(&msg))
                c->nomem = 1;
            else
                add_finding(c, LINT_NOT_ANALYSED, file_line(c, st->line), st->column,
                            c->text + st->offset, st->len, msg.ptr,
                            c->stmt_allowed[LINT_NOT_ANALYSED]);
            buf_release(&msg);
        }
        return;
    }
    bool had_ddl = c->saw_ddl, had_dml = c->saw_dml;
    for (size_t i = 0; i < st->nactions; i++)
        on_action(c, &st->actions[i]);
    if (!c->mixed_reported && c->saw_ddl && c->saw_dml && (!had_ddl || !had_dml)) {
        c->mixed_reported = true;
        report(c, LINT_MIXED_SCHEMA_AND_DATA);
    }
    if (is_postgres(c) && !c->timeout_set && !c->lock_reported && !undoes_up(c, st)) {
        for (size_t i = 0; i < st->nactions; i++) {
            const lint_action *a = &st->actions[i];
            if ((a->flags & LINT_F_LOCKS_TABLE) && existing_table(c, a->table) &&
                !(c->is_down && objset_has(&c->down_dropped, a->table))) {
                c->lock_reported = true;
                report(c, LINT_LOCK_TIMEOUT);
                break;
            }
        }
    }
    c->stmt = NULL;
}

static int read_section(lint_stmts *stmts, int dialect, const migration_section *sec)
{
    size_t len = strlen(sec->sql);
    if (dialect == DBSHIFT_DIALECT_POSTGRES)
        return lint_postgres_read(stmts, sec->sql, len, sec->nstatements, sec->stmt_offsets,
                                  sec->stmt_lens);
    return lint_generic_read(stmts, sec->sql, len, dialect, sec->nstatements, sec->stmt_offsets,
                             sec->stmt_lens);
}

/* --- Reading ahead -------------------------------------------------------
 *
 * Reading a section (parsing it and turning statements into actions) is
 * most of lint's time on Postgres, and it depends on nothing but the
 * section's text, while the walk depends on everything before it. So every
 * section the walk will meet is read first, on a pool of threads as large
 * as the online CPUs (at most READ_THREADS_MAX), the calling thread taking
 * its share; the walk then consumes the results in order. The pool lives
 * only inside one lint_migrations call and shares nothing but the job
 * counter, so handles linting in other threads are unaffected. libpg_query
 * keeps its memory per thread and frees it when a thread exits.
 */

#define READ_THREADS_MAX 8

typedef struct section_read {
    const migration_section *sec;
    lint_stmts stmts;
    int rc;
} section_read;

typedef struct read_pool {
    section_read *reads;
    size_t nreads;
    int dialect;
    atomic_size_t next; /* the next job to take */
} read_pool;

static void *read_worker(void *arg)
{
    read_pool *pool = arg;
    for (;;) {
        size_t i = atomic_fetch_add(&pool->next, 1);
        if (i >= pool->nreads)
            break;
        section_read *r = &pool->reads[i];
        r->rc = read_section(&r->stmts, pool->dialect, r->sec);
    }
    return NULL;
}

static bool section_readable(const migration_section *sec)
{
    return sec->present && sec->sql;
}

/* Lists the sections the walk over set->items[0..last) will read, in its
 * order (lint_one: up, then down unless repeatable or before first), and
 * reads them all. Leaves c->reads NULL (each section read in turn) when
 * the list cannot be allocated. */
static void read_ahead(lint_ctx *c, const migration_set *set, size_t first, size_t last)
{
    size_t n = 0;
    for (size_t i = 0; i < last; i++) {
        const migration *m = &set->items[i];
        n += section_readable(&m->up);
        n += i >= first && !m->repeatable && section_readable(&m->down);
    }
    if (n == 0)
        return;
    section_read *reads = calloc(n, sizeof(*reads));
    if (!reads)
        return;
    size_t k = 0;
    for (size_t i = 0; i < last; i++) {
        const migration *m = &set->items[i];
        if (section_readable(&m->up))
            reads[k++].sec = &m->up;
        if (i >= first && !m->repeatable && section_readable(&m->down))
            reads[k++].sec = &m->down;
    }
    read_pool pool = {reads, n, c->dialect, 0};
    atomic_init(&pool.next, 0);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nthreads = cpus > 1 ? (size_t)cpus : 1;
    if (nthreads > READ_THREADS_MAX)
        nthreads = READ_THREADS_MAX;
    if (nthreads > n)
        nthreads = n;
    /* The calling thread is one of the readers; a thread that cannot be
     * started only leaves more of the work to the others. */
    pthread_t threads[READ_THREADS_MAX];
    size_t started = 0;
    for (size_t t = 1; t < nthreads; t++) {
        if (pthread_create(&threads[started], NULL, read_worker, &pool) == 0)
            started++;
    }
    read_worker(&pool);
    for (size_t t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    c->reads = reads;
    c->nreads = n;
    c->next_read = 0;
}

static void release_reads(lint_ctx *c)
{
    for (size_t i = 0; i < c->nreads; i++)
        lint_stmts_release(&c->reads[i].stmts);
    free(c->reads);
    c->reads = NULL;
    c->nreads = 0;
}

/* The statements of sec: read ahead when the pool did (ownership moves to
 * the caller), else read now. */
static int take_section(lint_stmts *stmts, lint_ctx *c, const migration_section *sec)
{
    if (c->next_read < c->nreads && c->reads[c->next_read].sec == sec) {
        section_read *r = &c->reads[c->next_read++];
        *stmts = r->stmts;
        memset(&r->stmts, 0, sizeof(r->stmts));
        return r->rc;
    }
    return read_section(stmts, c->dialect, sec);
}

static int lint_section(lint_ctx *c, const migration *m, const migration_section *sec, bool is_down)
{
    if (!section_readable(sec))
        return 0;
    lint_stmts stmts;
    memset(&stmts, 0, sizeof(stmts));
    int rc = take_section(&stmts, c, sec);
    if (rc < 0) {
        lint_stmts_release(&stmts);
        return rc;
    }
    c->mig = m;
    c->sec = sec;
    c->is_down = is_down;
    c->text = sec->sql;
    c->text_len = strlen(sec->sql);
    c->text_has_allow = has_allow(c->text, c->text_len);
    if (!is_down) {
        c->up_text = c->text;
        c->up_has_allow = c->text_has_allow;
    }
    /* MySQL commits DDL implicitly: only Postgres and SQLite hold a
     * transaction open around the section. */
    c->in_transaction = !sec->no_transaction && c->dialect != DBSHIFT_DIALECT_MYSQL;
    c->explicit_transaction = false;
    c->timeout_set = c->run_timeout;
    c->lock_reported = false;
    c->saw_ddl = c->saw_dml = c->mixed_reported = false;
    size_t prev_end = 0;
    for (size_t i = 0; i < stmts.count && !c->nomem; i++) {
        on_statement(c, &stmts.items[i], prev_end, i == 0);
        prev_end = stmts.items[i].offset + stmts.items[i].len;
    }
    clear_pending_drops(c);
    lint_stmts_release(&stmts);
    return c->nomem ? DBSHIFT_ENOMEM : 0;
}

/* Findings about the migration as a whole: located at the top of its file. */
static void report_migration(lint_ctx *c, const migration *m, int rule, const char *message)
{
    bool allowed[LINT_RULE_COUNT];
    memset(allowed, 0, sizeof(allowed));
    if (m->up.sql && (m->up.sql != c->up_text || c->up_has_allow))
        scan_allow(allowed, m->up.sql, 0, strlen(m->up.sql));
    c->sec = &m->up;
    int line = m->up.first_line > 1 ? m->up.first_line - 1 : 1;
    add_finding(c, rule, line, 1, NULL, 0, message, allowed[rule]);
}

static void check_down(lint_ctx *c, const migration *m)
{
    if (m->repeatable || m->irreversible)
        return;
    if (!m->down.present) {
        report_migration(c, m, LINT_MISSING_DOWN, NULL);
        return;
    }
    c->sec = &m->up;
    const objset *sets[3] = {&c->tables, &c->columns, &c->indexes};
    const char *what[3] = {"table", "column", "index"};
    for (int k = 0; k < 3; k++) {
        for (size_t i = 0; i < sets[k]->count; i++) {
            const lint_object *o = &sets[k]->items[i];
            if (objset_has(&c->down_dropped, o->key))
                continue;
            if (o->table && objset_has(&c->down_dropped, o->table))
                continue;
            buf msg = BUF_INIT;
            buf_addf(&msg, "the down section does not drop %s \"%s\" that this statement creates",
                     what[k], o->key);
            if (buf_failed(&msg)) {
                c->nomem = 1;
                return;
            }
            add_finding(c, LINT_INCOMPLETE_DOWN, o->line, o->column, o->stmt, o->stmt_len, msg.ptr,
                        o->allowed);
            buf_release(&msg);
        }
    }
}

static int lint_one(lint_ctx *c, const migration *m)
{
    objset_release(&c->tables);
    objset_release(&c->columns);
    objset_release(&c->indexes);
    objset_release(&c->schemas);
    objset_release(&c->renamed);
    objset_release(&c->down_tables);
    objset_release(&c->down_dropped);
    int rc = lint_section(c, m, &m->up, false);
    if (rc < 0 || !c->emit)
        return rc;
    if (!m->repeatable) {
        rc = lint_section(c, m, &m->down, true);
        if (rc < 0)
            return rc;
        check_down(c, m);
    }
    return c->nomem ? DBSHIFT_ENOMEM : 0;
}

/* Applies the config: disabled rules, level overrides, allow list. */
static int configure(lint_ctx *c, const lint_config *cfg, dbshift_error *err)
{
    for (int i = 0; i < LINT_RULE_COUNT; i++)
        c->level[i] = (signed char)lint_rule_get(i)->level;
    if (!cfg)
        return 0;
    c->run_timeout = cfg->lock_timeout;
    for (size_t i = 0; i < cfg->ndisabled_rules; i++) {
        int id = lint_rule_lookup(cfg->disabled_rules[i]);
        if (id < 0)
            return err_set(err, DBSHIFT_EUSAGE, "unknown lint rule '%s' in the disabled rules",
                           cfg->disabled_rules[i]);
        c->level[id] = -1;
    }
    for (size_t i = 0; i < cfg->nlevel_overrides; i++) {
        const char *spec = cfg->level_overrides[i];
        const char *eq = spec ? strchr(spec, '=') : NULL;
        char rule[64];
        if (!eq || (size_t)(eq - spec) >= sizeof(rule))
            return err_set(err, DBSHIFT_EUSAGE,
                           "bad lint level override '%s': write RULE=safe|careful|dangerous",
                           spec ? spec : "");
        memcpy(rule, spec, (size_t)(eq - spec));
        rule[eq - spec] = '\0';
        int id = lint_rule_lookup(rule);
        if (id < 0)
            return err_set(err, DBSHIFT_EUSAGE, "unknown lint rule '%s' in '%s'", rule, spec);
        int level = lint_level_parse(eq + 1);
        if (level < 0)
            return err_set(err, DBSHIFT_EUSAGE,
                           "unknown lint level '%s' in '%s': use safe, careful or dangerous",
                           eq + 1, spec);
        if (c->level[id] >= 0)
            c->level[id] = (signed char)level;
    }
    for (size_t i = 0; i < cfg->nallow_rules; i++) {
        int id = lint_rule_lookup(cfg->allow_rules[i]);
        if (id < 0)
            return err_set(err, DBSHIFT_EUSAGE, "unknown lint rule '%s' to allow",
                           cfg->allow_rules[i]);
        c->config_allowed[id] = true;
    }
    return 0;
}

int lint_migrations(lint_result *out, const migration_set *set, size_t first, size_t last,
                    int dialect, const lint_config *cfg, lint_table_exists_fn table_exists,
                    void *payload, dbshift_error *err)
{
    if (!out || !set)
        return err_set(err, DBSHIFT_EUSAGE, "lint needs a result and a migration set");
    if (dialect != DBSHIFT_DIALECT_SQLITE && dialect != DBSHIFT_DIALECT_POSTGRES &&
        dialect != DBSHIFT_DIALECT_MYSQL)
        return err_set(err, DBSHIFT_EUSAGE, "lint: unknown SQL dialect %d", dialect);
    if (last > set->count)
        last = set->count;
    lint_ctx *c = calloc(1, sizeof(*c));
    if (!c)
        return err_set(err, DBSHIFT_ENOMEM, "out of memory while linting");
    c->out = out;
    c->dialect = dialect;
    c->table_exists = table_exists;
    c->payload = payload;
    int rc = configure(c, cfg, err);
    size_t start_count = out->count;
    if (rc == 0)
        read_ahead(c, set, first, last);
    for (size_t i = 0; rc == 0 && i < last; i++) {
        c->emit = i >= first;
        rc = lint_one(c, &set->items[i]);
    }
    release_reads(c);
    objset_release(&c->known);
    objset_release(&c->tables);
    objset_release(&c->columns);
    objset_release(&c->indexes);
    objset_release(&c->schemas);
    objset_release(&c->renamed);
    objset_release(&c->down_tables);
    objset_release(&c->down_dropped);
    clear_pending_drops(c);
    free(c);
    if (rc == DBSHIFT_ENOMEM) {
        while (out->count > start_count)
            lint_finding_release(&out->items[--out->count]);
        return err_set(err, DBSHIFT_ENOMEM, "out of memory while linting");
    }
    return rc;
}
