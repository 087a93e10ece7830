/*
 * native.c - reader of dbshift's own format: one file per migration,
 * `<digits>_<name>.sql` (or repeatable/<name>.sql), split into sections by
 * `-- dbshift:up` / `-- dbshift:down` lines, with further `-- dbshift:`
 * directives (irreversible, confirm, manual, allow). It is strict on
 * purpose: a typo in a directive must stop the run, not silently turn a
 * down section into part of the up one.
 */
#include "source/formats.h"
#include "util/err.h"

#include <stdlib.h>
#include <string.h>

#define PREFIX "-- dbshift:"
#define PREFIX_LEN (sizeof(PREFIX) - 1)

/* Parses `"text"` (with \" and \\ escapes) followed by nothing but blanks. */
static int parse_quoted(char **out, const char *p, const char *end, const char *file, int line,
                        const char *directive, dbshift_error *err)
{
    p = source_skip_blank(p, end);
    if (p >= end || *p != '"')
        return source_error(err, file, line, "-- dbshift:%s needs a \"quoted message\"", directive);
    buf b = BUF_INIT;
    for (p++; p < end && *p != '"'; p++) {
        if (*p == '\\' && p + 1 < end && (p[1] == '"' || p[1] == '\\'))
            p++;
        buf_addc(&b, *p);
    }
    if (p >= end || source_skip_blank(p + 1, end) != end) {
        buf_release(&b);
        return source_error(err, file, line,
                            "-- dbshift:%s needs a \"quoted message\" and nothing after it",
                            directive);
    }
    if (*out) {
        buf_release(&b);
        return source_error(err, file, line, "second -- dbshift:%s directive", directive);
    }
    *out = buf_detach(&b);
    return *out ? 0 : source_nomem(err);
}

typedef struct section_state {
    migration_section *sec;
    const char *body; /* start of the section's text */
    int first_line;
} section_state;

static int close_section(section_state *cur, const source_file *f, const char *end,
                         dbshift_error *err)
{
    if (!cur->sec)
        return 0;
    bool no_transaction = cur->sec->no_transaction;
    int rc =
        source_section_set(cur->sec, f, cur->body, (size_t)(end - cur->body), cur->first_line, err);
    cur->sec->no_transaction = no_transaction;
    cur->sec = NULL;
    return rc;
}

static int parse_file(migration *m, const source_file *f, dbshift_error *err)
{
    const char *text = f->text, *end = f->text + f->len, *p = text;
    section_state cur = {0};
    int line = 1, down_line = 0, irreversible_line = 0;
    for (; p < end; line++) {
        size_t n = source_line_len(p, end);
        const char *eol = p + n, *next = eol < end ? eol + 1 : end;
        const char *q = source_skip_blank(p, eol);
        if ((size_t)(eol - q) < PREFIX_LEN || memcmp(q, PREFIX, PREFIX_LEN) != 0) {
            p = next;
            continue;
        }
        const char *w = q + PREFIX_LEN, *we = w;
        while (we < eol && *we != ' ' && *we != '\t' && *we != '\r')
            we++;
        size_t wl = (size_t)(we - w);
        int rc = 0;
        if ((wl == 2 && memcmp(w, "up", 2) == 0) || (wl == 4 && memcmp(w, "down", 4) == 0)) {
            bool up = wl == 2;
            migration_section *sec = up ? &m->up : &m->down;
            if (sec->present)
                return source_error(err, f->path, line, "second -- dbshift:%s section",
                                    up ? "up" : "down");
            if (!cur.sec && !m->up.present && !m->down.present) {
                int bad = 0;
                if (!source_only_comments(text, (size_t)(p - text), 1, &bad))
                    return source_error(err, f->path, bad,
                                        "SQL before the first -- dbshift: section marker");
            }
            rc = close_section(&cur, f, p, err);
            if (rc == 0)
                rc = source_transaction_options(&sec->no_transaction, we, eol, '=', "section",
                                                f->path, line, err);
            /* Marks it taken now so a repeated marker is caught even before
             * the section's text is copied at the next marker. */
            sec->present = true;
            cur.sec = sec;
            cur.body = next;
            cur.first_line = line + 1;
            if (!up)
                down_line = line;
        } else if (wl == 12 && memcmp(w, "irreversible", 12) == 0) {
            if (source_skip_blank(we, eol) != eol)
                return source_error(err, f->path, line,
                                    "-- dbshift:irreversible takes no arguments");
            m->irreversible = true;
            irreversible_line = line;
        } else if (wl == 7 && memcmp(w, "confirm", 7) == 0) {
            rc = parse_quoted(&m->confirm, we, eol, f->path, line, "confirm", err);
        } else if (wl == 6 && memcmp(w, "manual", 6) == 0) {
            rc = parse_quoted(&m->manual, we, eol, f->path, line, "manual", err);
        } else if (wl == 5 && memcmp(w, "allow", 5) == 0) {
            /* A lint suppression: it stays in the SQL text, lint reads it. */
            if (source_skip_blank(we, eol) == eol)
                return source_error(err, f->path, line,
                                    "-- dbshift:allow needs a rule name and a reason");
        } else {
            return source_error(err, f->path, line, "unknown directive '-- dbshift:%.*s'", (int)wl,
                                w);
        }
        if (rc)
            return rc;
        p = next;
    }
    int rc = close_section(&cur, f, end, err);
    if (rc)
        return rc;
    if (!m->up.present) {
        source_error(err, f->path, 0, "no -- dbshift:up section");
        err_hint(err, "start the migration's SQL with a line '-- dbshift:up'");
        return DBSHIFT_EPARSE;
    }
    if (m->irreversible && m->down.present)
        return source_error(err, f->path,
                            down_line > irreversible_line ? down_line : irreversible_line,
                            "an irreversible migration cannot have a -- dbshift:down section");
    return checksum_files(&m->checksum, f->text, f->len, NULL, 0) ? source_nomem(err) : 0;
}

int native_read(migration_set *set, source_file *files, size_t nfiles, const source_options *opts,
                dbshift_error *err)
{
    (void)opts;
    for (size_t i = 0; i < nfiles; i++) {
        const source_file *f = &files[i];
        migration *m = source_add(set);
        if (!m)
            return source_nomem(err);
        if (f->kind == SOURCE_KIND_REPEATABLE) {
            m->repeatable = true;
            m->name = xstrndup(f->base, strlen(f->base) - 4);
            m->file = xstrdup(f->path);
            if (!m->name || !m->file)
                return source_nomem(err);
        } else if (source_numsql_names(m, f, err)) {
            return DBSHIFT_ENOMEM;
        }
        int rc = parse_file(m, f, err);
        if (rc)
            return rc;
    }
    return 0;
}
