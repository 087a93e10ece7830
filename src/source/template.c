/*
 * template.c - the text substitutions foreign formats apply before their
 * SQL runs: goose ENVSUB (environment variables), Flyway ${placeholders}
 * and the Go templates popx renders ({{ index .Options "Namespace" }}).
 * Values come from the caller (opts->vars, opts->get_env), never from the
 * process environment, so the library stays free of getenv.
 */
#include "source/formats.h"
#include "util/err.h"

#include <string.h>

const char *template_var(const source_options *opts, const char *name, size_t len)
{
    if (!opts)
        return NULL;
    /* Later entries win, so a command line can override a config file. */
    for (size_t i = opts->nvars; i-- > 0;) {
        const char *v = opts->vars[i];
        if (v && strncmp(v, name, len) == 0 && v[len] == '=')
            return v + len + 1;
    }
    return NULL;
}

static bool is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_name_char(char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9');
}

static const char *lookup_env(const source_options *opts, const char *name, size_t len)
{
    char key[256];
    if (!opts || !opts->get_env || len >= sizeof(key))
        return NULL;
    memcpy(key, name, len);
    key[len] = '\0';
    return opts->get_env(key, opts->payload);
}

void template_envsub(buf *out, const char *line, size_t len, const source_options *opts)
{
    const char *p = line, *end = line + len;
    while (p < end) {
        if (*p != '$' || p + 1 >= end) {
            buf_addc(out, *p++);
            continue;
        }
        if (p[1] == '$') {
            /* goose's interpolation treats "$$" as an escaped "$". */
            buf_addc(out, '$');
            p += 2;
            continue;
        }
        if (is_name_start(p[1])) {
            const char *n = p + 1, *q = n;
            while (q < end && is_name_char(*q))
                q++;
            const char *v = lookup_env(opts, n, (size_t)(q - n));
            if (v)
                buf_adds(out, v);
            p = q;
            continue;
        }
        if (p[1] == '{') {
            const char *n = p + 2, *q = n;
            while (q < end && is_name_char(*q))
                q++;
            const char *close = memchr(q, '}', (size_t)(end - q));
            if (q > n && close) {
                const char *v = lookup_env(opts, n, (size_t)(q - n));
                if (*q == '}') {
                    if (v)
                        buf_adds(out, v);
                    p = q + 1;
                    continue;
                }
                bool colon = *q == ':';
                const char *op = q + colon;
                if (op < close && *op == '-') {
                    /* ${VAR:-default} also replaces an empty value. */
                    if (v && (!colon || *v))
                        buf_adds(out, v);
                    else
                        buf_add(out, op + 1, (size_t)(close - op - 1));
                    p = close + 1;
                    continue;
                }
            }
        }
        buf_addc(out, *p++);
    }
}

static int line_at(const char *text, const char *p, int first_line)
{
    int line = first_line;
    for (const char *q = text; q < p; q++)
        line += *q == '\n';
    return line;
}

static bool is_placeholder_char(char c)
{
    return is_name_char(c) || c == '.' || c == ':' || c == '-';
}

int template_flyway(buf *out, const char *text, size_t len, const source_options *opts,
                    const char *file, const char *filename, int first_line, dbshift_error *err)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *d = memchr(p, '$', (size_t)(end - p));
        if (!d) {
            buf_add(out, p, (size_t)(end - p));
            break;
        }
        buf_add(out, p, (size_t)(d - p));
        p = d;
        const char *n = d + 2, *q = n;
        if (d + 1 >= end || d[1] != '{') {
            buf_addc(out, *p++);
            continue;
        }
        while (q < end && is_placeholder_char(*q))
            q++;
        if (q == n || q >= end || *q != '}') {
            buf_addc(out, *p++);
            continue;
        }
        size_t nlen = (size_t)(q - n);
        const char *v = template_var(opts, n, nlen);
        if (!v && nlen == 15 && memcmp(n, "flyway:filename", nlen) == 0)
            v = filename;
        if (!v) {
            source_error(err, file, line_at(text, d, first_line),
                         "no value for flyway placeholder '${%.*s}'", (int)nlen, n);
            err_hint(err, "set it with --var %.*s=VALUE", (int)nlen, n);
            return DBSHIFT_EPARSE;
        }
        buf_adds(out, v);
        p = q + 1;
    }
    return 0;
}

/* Parses the action between {{ and }}: `index .Options "Key"` or
 * `.Options.Key`; sets the key. */
static bool parse_go_action(const char *p, const char *end, const char **key, size_t *klen)
{
    p = source_skip_blank(p, end);
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    const char *q = source_word(p, end, "index");
    if (q) {
        q = source_skip_blank(q, end);
        const char *r = source_word(q, end, ".Options");
        if (!r)
            return false;
        r = source_skip_blank(r, end);
        if (r >= end || *r != '"' || end - r < 2 || end[-1] != '"')
            return false;
        *key = r + 1;
        *klen = (size_t)(end - r - 2);
        return *klen > 0 && !memchr(*key, '"', *klen);
    }
    static const char prefix[] = ".Options.";
    size_t plen = sizeof(prefix) - 1;
    if ((size_t)(end - p) <= plen || memcmp(p, prefix, plen) != 0)
        return false;
    *key = p + plen;
    *klen = (size_t)(end - *key);
    for (size_t i = 0; i < *klen; i++)
        if (!is_name_char((*key)[i]))
            return false;
    return true;
}

int template_go(buf *out, const char *text, size_t len, const source_options *opts,
                const char *file, int first_line, dbshift_error *err)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *open = NULL;
        for (const char *q = p; q + 1 < end; q++) {
            if (q[0] == '{' && q[1] == '{') {
                open = q;
                break;
            }
        }
        if (!open) {
            buf_add(out, p, (size_t)(end - p));
            break;
        }
        buf_add(out, p, (size_t)(open - p));
        const char *close = NULL;
        for (const char *q = open + 2; q + 1 < end; q++) {
            if (q[0] == '}' && q[1] == '}') {
                close = q;
                break;
            }
        }
        int line = line_at(text, open, first_line);
        if (!close)
            return source_error(err, file, line, "unclosed template action '{{'");
        const char *a = open + 2, *b = close;
        /* {{- and -}} trim the blanks around the action in Go templates. */
        bool trim_left = a<b && * a == '-', trim_right = b> a && b[-1] == '-';
        a += trim_left;
        b -= trim_right;
        const char *key = NULL;
        size_t klen = 0;
        if (!parse_go_action(a, b, &key, &klen))
            return source_error(err, file, line, "unsupported template action '%.*s'",
                                (int)(close + 2 - open), open);
        const char *v = template_var(opts, key, klen);
        if (!v) {
            source_error(err, file, line, "no value for template option '%.*s'", (int)klen, key);
            err_hint(err, "set it with --var %.*s=VALUE", (int)klen, key);
            return DBSHIFT_EPARSE;
        }
        if (trim_left)
            while (out->len && strchr(" \t\r\n", out->ptr[out->len - 1]))
                out->ptr[--out->len] = '\0';
        buf_adds(out, v);
        p = close + 2;
        if (trim_right)
            while (p < end && strchr(" \t\r\n", *p))
                p++;
    }
    return 0;
}
