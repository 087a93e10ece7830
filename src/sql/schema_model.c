/*
 * schema_model.c - building, ordering and comparing the neutral schema
 * model of schema.h. Comparison walks two sorted lists in step, so it is
 * linear and reports differences in the same canonical order a dump uses;
 * within a table it matches columns by name and constraints by name (by
 * definition where the engine gives them none), so a report says "column
 * x changed" rather than "table t changed".
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sql/schema.h"
#include "util/err.h"

static const char *const kind_names[SCHEMA_KIND_COUNT] = {
    [SCHEMA_NAMESPACE] = "schema",
    [SCHEMA_EXTENSION] = "extension",
    [SCHEMA_ENUM] = "enum",
    [SCHEMA_DOMAIN] = "domain",
    [SCHEMA_SEQUENCE] = "sequence",
    [SCHEMA_FUNCTION] = "function",
    [SCHEMA_PROCEDURE] = "procedure",
    [SCHEMA_TABLE] = "table",
    [SCHEMA_INDEX] = "index",
    [SCHEMA_VIEW] = "view",
    [SCHEMA_MATVIEW] = "materialized view",
    [SCHEMA_TRIGGER] = "trigger",
};

const char *schema_kind_name(int kind)
{
    if (kind <= 0 || kind >= SCHEMA_KIND_COUNT)
        return "object";
    return kind_names[kind];
}

void schema_init(schema *s, int dialect)
{
    memset(s, 0, sizeof(*s));
    s->dialect = dialect;
}

static void object_release(schema_object *o)
{
    free(o->schema);
    free(o->name);
    free(o->table);
    free(o->def);
    for (size_t i = 0; i < o->nvalues; i++)
        free(o->values[i]);
    free(o->values);
    for (size_t i = 0; i < o->ncols; i++) {
        free(o->cols[i].name);
        free(o->cols[i].type);
        free(o->cols[i].def);
        free(o->cols[i].generated);
        free(o->cols[i].collation);
    }
    free(o->cols);
    for (size_t i = 0; i < o->ncons; i++) {
        free(o->cons[i].name);
        free(o->cons[i].def);
    }
    free(o->cons);
}

void schema_release(schema *s)
{
    for (size_t i = 0; i < s->count; i++)
        object_release(&s->objs[i]);
    free(s->objs);
    schema_init(s, s->dialect);
}

/* Grows an array by one zeroed element; NULL on out of memory. */
static void *grow_one(void *arr, size_t *count, size_t size)
{
    char *p = realloc(arr, (*count + 1) * size);
    if (!p)
        return NULL;
    memset(p + *count * size, 0, size);
    (*count)++;
    return p;
}

schema_object *schema_add(schema *s, int kind, const char *nsp, const char *name)
{
    size_t n = s->count;
    schema_object *objs = grow_one(s->objs, &n, sizeof(*objs));
    if (!objs)
        return NULL;
    s->objs = objs;
    schema_object *o = &objs[n - 1];
    o->kind = kind;
    o->schema = xstrdup(nsp ? nsp : "");
    o->name = xstrdup(name ? name : "");
    if (!o->schema || !o->name) {
        object_release(o);
        memset(o, 0, sizeof(*o));
        return NULL;
    }
    s->count = n;
    return o;
}

schema_column *schema_add_column(schema_object *o, const char *name, const char *type)
{
    size_t n = o->ncols;
    schema_column *cols = grow_one(o->cols, &n, sizeof(*cols));
    if (!cols)
        return NULL;
    o->cols = cols;
    schema_column *c = &cols[n - 1];
    c->name = xstrdup(name ? name : "");
    c->type = xstrdup(type ? type : "");
    if (!c->name || !c->type) {
        free(c->name);
        free(c->type);
        c->name = c->type = NULL;
        return NULL;
    }
    o->ncols = n;
    return c;
}

schema_constraint *schema_add_constraint(schema_object *o, int type, const char *name,
                                         const char *def)
{
    size_t n = o->ncons;
    schema_constraint *cons = grow_one(o->cons, &n, sizeof(*cons));
    if (!cons)
        return NULL;
    o->cons = cons;
    schema_constraint *c = &cons[n - 1];
    c->type = type;
    c->name = xstrdup(name);
    c->def = xstrdup(def ? def : "");
    if ((name && !c->name) || !c->def) {
        free(c->name);
        free(c->def);
        c->name = c->def = NULL;
        return NULL;
    }
    o->ncons = n;
    return c;
}

int schema_add_value(schema_object *o, const char *value)
{
    char **v = realloc(o->values, (o->nvalues + 1) * sizeof(*v));
    if (!v)
        return DBSHIFT_ENOMEM;
    o->values = v;
    v[o->nvalues] = xstrdup(value ? value : "");
    if (!v[o->nvalues])
        return DBSHIFT_ENOMEM;
    o->nvalues++;
    return 0;
}

schema_object *schema_find(const schema *s, int kind, const char *nsp, const char *name)
{
    for (size_t i = 0; i < s->count; i++) {
        schema_object *o = &s->objs[i];
        if (o->kind == kind && !strcmp(o->schema, nsp ? nsp : "") && !strcmp(o->name, name))
            return o;
    }
    return NULL;
}

void schema_exclude_tables(schema *s, const char *const *names, size_t n)
{
    size_t keep = 0;
    for (size_t i = 0; i < s->count; i++) {
        schema_object *o = &s->objs[i];
        /* a sequence's table is the one that owns it (serial columns) */
        const char *table = o->kind == SCHEMA_TABLE ? o->name : o->table;
        bool drop = false;
        for (size_t j = 0; table && j < n && !drop; j++)
            drop = !strcmp(table, names[j]);
        if (drop)
            object_release(o);
        else
            s->objs[keep++] = *o;
    }
    s->count = keep;
}

void schema_remove(schema *s, size_t index)
{
    if (index >= s->count)
        return;
    object_release(&s->objs[index]);
    memmove(&s->objs[index], &s->objs[index + 1], (s->count - index - 1) * sizeof(*s->objs));
    s->count--;
}

static int object_order(const schema_object *a, const schema_object *b)
{
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    int c = strcmp(a->schema, b->schema);
    return c ? c : strcmp(a->name, b->name);
}

static int object_cmp(const void *pa, const void *pb)
{
    return object_order(pa, pb);
}

/* Constraints without a name are keyed by their definition. */
static const char *constraint_key(const schema_constraint *c)
{
    return c->name ? c->name : c->def;
}

static int constraint_order(const schema_constraint *a, const schema_constraint *b)
{
    if (a->type != b->type)
        return a->type < b->type ? -1 : 1;
    return strcmp(constraint_key(a), constraint_key(b));
}

static int constraint_cmp(const void *pa, const void *pb)
{
    return constraint_order(pa, pb);
}

void schema_sort(schema *s)
{
    if (s->count > 1)
        qsort(s->objs, s->count, sizeof(*s->objs), object_cmp);
    for (size_t i = 0; i < s->count; i++)
        if (s->objs[i].ncons > 1)
            qsort(s->objs[i].cons, s->objs[i].ncons, sizeof(*s->objs[i].cons), constraint_cmp);
}

void schema_squeeze(char *text)
{
    char *w = text;
    char quote = 0;
    bool space = false;
    for (const char *r = text; *r; r++) {
        char ch = *r;
        if (quote) {
            *w++ = ch;
            if (ch == quote)
                quote = 0;
            continue;
        }
        if (isspace((unsigned char)ch)) {
            space = true;
            continue;
        }
        if (space && w > text)
            *w++ = ' ';
        space = false;
        if (ch == '\'' || ch == '"' || ch == '`')
            quote = ch;
        *w++ = ch;
    }
    *w = '\0';
}

void schema_changes_release(schema_changes *c)
{
    for (size_t i = 0; i < c->count; i++) {
        free(c->items[i].object);
        free(c->items[i].expected);
        free(c->items[i].actual);
    }
    free(c->items);
    c->items = NULL;
    c->count = 0;
}

/* Adds a change; takes ownership of nothing (copies every string). */
static int add_change(schema_changes *out, const char *object, const char *expected,
                      const char *actual)
{
    size_t n = out->count;
    schema_change *items = grow_one(out->items, &n, sizeof(*items));
    if (!items)
        return DBSHIFT_ENOMEM;
    out->items = items;
    schema_change *c = &items[n - 1];
    c->object = xstrdup(object);
    c->expected = xstrdup(expected);
    c->actual = xstrdup(actual);
    out->count = n;
    if (!c->object || (expected && !c->expected) || (actual && !c->actual))
        return DBSHIFT_ENOMEM;
    return 0;
}

static bool same_text(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return !strcmp(a, b);
}

/* The canonical one-line text of a non-table object, for reports. */
static void object_text(buf *b, int dialect, const schema_object *o)
{
    if (o->kind == SCHEMA_ENUM) {
        buf_adds(b, "(");
        for (size_t i = 0; i < o->nvalues; i++)
            buf_addf(b, "%s'%s'", i ? ", " : "", o->values[i]);
        buf_adds(b, ")");
        return;
    }
    if (o->kind == SCHEMA_TABLE) {
        buf_adds(b, "table ");
        schema_qualified(b, dialect, o->schema, o->name);
        return;
    }
    if (o->table && o->kind == SCHEMA_INDEX && !o->def)
        buf_addf(b, "on %s", o->table);
    buf_adds(b, o->def ? o->def : "");
}

static void object_label(buf *b, const schema_object *o)
{
    buf_addf(b, "%s %s%s%s", schema_kind_name(o->kind), o->schema, o->schema[0] ? "." : "",
             o->name);
}

static int compare_columns(schema_changes *out, int dialect, const schema_object *e,
                           const schema_object *a)
{
    buf label = BUF_INIT, et = BUF_INIT, at = BUF_INIT;
    int rc = 0;
    for (size_t i = 0; i < e->ncols && !rc; i++) {
        const schema_column *ec = &e->cols[i];
        const schema_column *ac = NULL;
        for (size_t j = 0; j < a->ncols && !ac; j++)
            if (!strcmp(a->cols[j].name, ec->name))
                ac = &a->cols[j];
        buf_clear(&label);
        buf_clear(&et);
        buf_clear(&at);
        buf_addf(&label, "column %s%s%s.%s", e->schema, e->schema[0] ? "." : "", e->name, ec->name);
        schema_column_text(&et, dialect, ec);
        if (ac)
            schema_column_text(&at, dialect, ac);
        if (!ac || strcmp(et.ptr, at.ptr))
            rc = add_change(out, label.ptr, et.ptr, ac ? at.ptr : NULL);
    }
    for (size_t j = 0; j < a->ncols && !rc; j++) {
        bool found = false;
        for (size_t i = 0; i < e->ncols && !found; i++)
            found = !strcmp(a->cols[j].name, e->cols[i].name);
        if (found)
            continue;
        buf_clear(&label);
        buf_clear(&at);
        buf_addf(&label, "column %s%s%s.%s", e->schema, e->schema[0] ? "." : "", e->name,
                 a->cols[j].name);
        schema_column_text(&at, dialect, &a->cols[j]);
        rc = add_change(out, label.ptr, NULL, at.ptr);
    }
    if (!rc && (buf_failed(&label) || buf_failed(&et) || buf_failed(&at)))
        rc = DBSHIFT_ENOMEM;
    buf_release(&label);
    buf_release(&et);
    buf_release(&at);
    return rc;
}

static int compare_constraints(schema_changes *out, int dialect, const schema_object *e,
                               const schema_object *a)
{
    buf label = BUF_INIT, et = BUF_INIT, at = BUF_INIT;
    size_t i = 0, j = 0;
    int rc = 0;
    while ((i < e->ncons || j < a->ncons) && !rc) {
        const schema_constraint *ec = i < e->ncons ? &e->cons[i] : NULL;
        const schema_constraint *ac = j < a->ncons ? &a->cons[j] : NULL;
        int order = !ec ? 1 : !ac ? -1 : constraint_order(ec, ac);
        const schema_constraint *named = order <= 0 ? ec : ac;
        buf_clear(&label);
        buf_clear(&et);
        buf_clear(&at);
        buf_addf(&label, "constraint %s%s%s.%s", e->schema, e->schema[0] ? "." : "", e->name,
                 constraint_key(named));
        if (order <= 0)
            schema_constraint_text(&et, dialect, ec);
        if (order >= 0)
            schema_constraint_text(&at, dialect, ac);
        if (order != 0 || strcmp(et.ptr, at.ptr))
            rc = add_change(out, label.ptr, order <= 0 ? et.ptr : NULL, order >= 0 ? at.ptr : NULL);
        if (order <= 0)
            i++;
        if (order >= 0)
            j++;
    }
    if (!rc && (buf_failed(&label) || buf_failed(&et) || buf_failed(&at)))
        rc = DBSHIFT_ENOMEM;
    buf_release(&label);
    buf_release(&et);
    buf_release(&at);
    return rc;
}

static bool same_values(const schema_object *e, const schema_object *a)
{
    if (e->nvalues != a->nvalues)
        return false;
    for (size_t i = 0; i < e->nvalues; i++)
        if (strcmp(e->values[i], a->values[i]))
            return false;
    return true;
}

int schema_compare(schema_changes *out, const schema *expected, const schema *actual)
{
    size_t i = 0, j = 0;
    int rc = 0;
    buf label = BUF_INIT, et = BUF_INIT, at = BUF_INIT;
    int dialect = expected->dialect;

    memset(out, 0, sizeof(*out));
    while ((i < expected->count || j < actual->count) && !rc) {
        const schema_object *e = i < expected->count ? &expected->objs[i] : NULL;
        const schema_object *a = j < actual->count ? &actual->objs[j] : NULL;
        int order = !e ? 1 : !a ? -1 : object_order(e, a);
        buf_clear(&label);
        buf_clear(&et);
        buf_clear(&at);
        object_label(&label, order <= 0 ? e : a);
        if (order < 0) {
            object_text(&et, dialect, e);
            rc = add_change(out, label.ptr, et.ptr, NULL);
            i++;
            continue;
        }
        if (order > 0) {
            object_text(&at, dialect, a);
            rc = add_change(out, label.ptr, NULL, at.ptr);
            j++;
            continue;
        }
        if (e->kind == SCHEMA_TABLE) {
            rc = compare_columns(out, dialect, e, a);
            if (!rc)
                rc = compare_constraints(out, dialect, e, a);
        } else if (!same_text(e->def, a->def) || !same_text(e->table, a->table) ||
                   e->unique != a->unique || !same_values(e, a)) {
            object_text(&et, dialect, e);
            object_text(&at, dialect, a);
            rc = add_change(out, label.ptr, et.ptr, at.ptr);
        }
        i++;
        j++;
    }
    if (!rc && (buf_failed(&label) || buf_failed(&et) || buf_failed(&at)))
        rc = DBSHIFT_ENOMEM;
    buf_release(&label);
    buf_release(&et);
    buf_release(&at);
    if (rc)
        schema_changes_release(out);
    return rc;
}
