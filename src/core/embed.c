/*
 * embed.c - the generator behind `dbshift embed`: turns a migrations folder
 * into C source a program compiles in, so it can upgrade its users' data
 * files without shipping a folder beside the binary. The files go in byte
 * for byte (after the loader's normalization) and are read back at run time
 * by the same readers; the metadata written beside them (versions, names,
 * sections, checksums) is what a reviewer reads in the generated file and
 * what the library checks the files against when it loads them.
 *
 * Reproducible output is the point of several choices here: files in path
 * order, no time stamps or absolute paths (only the folder's last
 * component), and the same escaping whatever the input. Short files become
 * string literals a human can read; files longer than the 4095 characters
 * ISO C guarantees for a literal (-Woverlength-strings under -Wpedantic)
 * become byte arrays.
 */
#include <stdlib.h>
#include <string.h>

#include "core/handle.h"
#include "source/formats.h"
#include "util/buf.h"
#include "util/err.h"

#define LITERAL_MAX 4000

static bool is_identifier(const char *s)
{
    if (!s || !*s || (*s >= '0' && *s <= '9'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return false;
    return true;
}

/* Appends text as the inside of a C string literal on one line. Octal
 * escapes are always three digits so a following digit cannot extend
 * them; '?' is escaped because C11 still has trigraphs. */
static void add_escaped(buf *b, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        switch (c) {
        case '\\':
            buf_adds(b, "\\\\");
            break;
        case '"':
            buf_adds(b, "\\\"");
            break;
        case '?':
            buf_adds(b, "\\?");
            break;
        case '\t':
            buf_adds(b, "\\t");
            break;
        case '\n':
            buf_adds(b, "\\n");
            break;
        default:
            if (c < 0x20 || c >= 0x7f)
                buf_addf(b, "\\%03o", c);
            else
                buf_addc(b, (char)c);
        }
    }
}

/* A string literal, or NULL for a NULL string. */
static void add_literal(buf *b, const char *s)
{
    if (!s) {
        buf_adds(b, "NULL");
        return;
    }
    buf_addc(b, '"');
    add_escaped(b, s, strlen(s));
    buf_addc(b, '"');
}

/* A comment's text must not close the comment. */
static void add_comment_text(buf *b, const char *s)
{
    for (; s && *s; s++) {
        if (s[0] == '*' && s[1] == '/')
            buf_adds(b, "* /");
        else if (*s == '\n')
            buf_addc(b, ' ');
        else
            buf_addc(b, *s);
        if (s[0] == '*' && s[1] == '/')
            s++;
    }
}

static void add_file_data(buf *b, const char *symbol, size_t index, const source_memory_file *f)
{
    buf_adds(b, "\n/* ");
    add_comment_text(b, f->rel);
    buf_addf(b, " (%zu bytes) */\n", f->len);
    if (f->len <= LITERAL_MAX) {
        buf_addf(b, "static const char %s_file%zu[] =", symbol, index);
        if (f->len == 0)
            buf_adds(b, " \"\"");
        size_t start = 0;
        while (start < f->len) {
            const char *nl = memchr(f->text + start, '\n', f->len - start);
            size_t end = nl ? (size_t)(nl - f->text) + 1 : f->len;
            buf_adds(b, "\n    \"");
            add_escaped(b, f->text + start, end - start);
            buf_addc(b, '"');
            start = end;
        }
        buf_adds(b, ";\n");
        return;
    }
    buf_addf(b, "static const char %s_file%zu[] = {", symbol, index);
    for (size_t i = 0; i < f->len; i++) {
        buf_adds(b, i % 16 ? " " : "\n    ");
        buf_addf(b, "%d,", (int)(unsigned char)f->text[i]);
    }
    buf_adds(b, "\n    0};\n");
}

static void add_section_comment(buf *b, const char *label, const migration_section *sec)
{
    if (!sec->present)
        return;
    buf_addf(b, "     * %s: ", label);
    add_comment_text(b, sec->file);
    buf_addf(b, " line %d%s\n", sec->first_line, sec->no_transaction ? ", no transaction" : "");
}

static void add_migration(buf *b, const migration *m)
{
    buf_adds(b, "    /* ");
    add_comment_text(b, m->repeatable ? "repeatable" : m->version);
    buf_adds(b, " ");
    add_comment_text(b, m->name);
    buf_adds(b, "\n");
    add_section_comment(b, "up", &m->up);
    add_section_comment(b, "down", &m->down);
    buf_adds(b, "     */\n    {");
    add_literal(b, m->repeatable ? "" : m->version);
    buf_adds(b, ", ");
    add_literal(b, m->name);
    buf_adds(b, ",\n     ");
    add_literal(b, m->checksum);
    buf_addf(b, ",\n     %s, %s, %s, ", m->repeatable ? "true" : "false",
             m->down.present ? "true" : "false", m->up.no_transaction ? "true" : "false");
    add_literal(b, m->confirm);
    buf_adds(b, ", ");
    add_literal(b, m->manual);
    buf_adds(b, "},\n");
}

static void generate(buf *b, const char *symbol, const char *origin, const migration_set *set,
                     const source_memory_file *files, size_t nfiles)
{
    buf_adds(b, "/*\n * ");
    add_comment_text(b, symbol);
    buf_adds(b, " - migrations compiled in by `dbshift embed` from the folder '");
    add_comment_text(b, origin);
    buf_addf(b,
             "':\n * %zu migrations in %zu files, format %s. Generated: do not edit, run\n"
             " * `dbshift embed` again after changing the folder.\n */\n",
             set->count, nfiles, set->format);
    buf_adds(b, "#include <stddef.h>\n\n#include \"dbshift.h\"\n");
    for (size_t i = 0; i < nfiles; i++)
        add_file_data(b, symbol, i, &files[i]);

    buf_addf(b, "\nstatic const dbshift_embedded_file %s_files[] = {\n", symbol);
    for (size_t i = 0; i < nfiles; i++) {
        buf_adds(b, "    {");
        add_literal(b, files[i].rel);
        buf_addf(b, ", %s_file%zu, %zu},\n", symbol, i, files[i].len);
    }
    if (nfiles == 0)
        buf_adds(b, "    {NULL, NULL, 0},\n");
    buf_adds(b, "};\n");

    buf_addf(b, "\nstatic const dbshift_embedded_migration %s_list[] = {\n", symbol);
    for (size_t i = 0; i < set->count; i++)
        add_migration(b, &set->items[i]);
    if (set->count == 0)
        buf_adds(b, "    {NULL, NULL, NULL, false, false, false, NULL, NULL},\n");
    buf_adds(b, "};\n");

    buf_addf(b, "\nextern const dbshift_embedded %s;\n", symbol);
    buf_addf(b, "const dbshift_embedded %s = {\n    DBSHIFT_EMBEDDED_ABI,\n    ", symbol);
    add_literal(b, set->format);
    buf_adds(b, ",\n    ");
    add_literal(b, origin);
    buf_addf(b, ",\n    %zu,\n    %s_files,\n    %zu,\n    %s_list,\n};\n", nfiles, symbol,
             set->count, symbol);
}

/* The folder's last component: the generated file must not depend on
 * where the checkout lives. */
static char *origin_of(const char *dir)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && dir[start - 1] != '/')
        start--;
    return xstrndup(dir + start, len - start);
}

int dbshift_embed_generate(char **out, dbshift *db, const char *symbol)
{
    *out = NULL;
    dbshift_error_clear(&db->error);
    if (!symbol)
        symbol = "dbshift_migrations";
    if (!is_identifier(symbol))
        return err_set(&db->error, DBSHIFT_EUSAGE, "'%s' is not a C identifier", symbol);
    if (db->embedded)
        return err_set(&db->error, DBSHIFT_EUSAGE,
                       "the handle already uses compiled-in migrations: give it a folder");
    source_memory_file *files = NULL;
    size_t nfiles = 0;
    int rc = source_folder_files(&files, &nfiles, db->migrations_dir, &db->error);
    if (rc)
        return rc;
    char *origin = origin_of(db->migrations_dir);
    if (!origin) {
        source_memory_files_free(files, nfiles);
        return err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
    }
    /* Read back from the very bytes being embedded, so the recorded
     * metadata describes exactly what the program will load. */
    source_options opts = {0};
    opts.format = db->source_format;
    opts.dialect = db->driver->dialect;
    opts.vars = (const char *const *)db->vars;
    opts.nvars = db->nvars;
    migration_set *set = NULL;
    rc = source_load_memory(&set, origin, files, nfiles, NULL, &opts, &db->error);
    if (rc == 0) {
        buf b = BUF_INIT;
        generate(&b, symbol, origin, set, files, nfiles);
        if (buf_failed(&b)) {
            buf_release(&b);
            rc = err_set(&db->error, DBSHIFT_ENOMEM, "out of memory");
        } else {
            *out = buf_detach(&b);
        }
    }
    migration_set_free(set);
    source_memory_files_free(files, nfiles);
    free(origin);
    return rc;
}
