/*
 * config.c - turns global options, the environment and dbshift.conf into the
 * dbshift_config the library takes, with one precedence everywhere: flags >
 * environment > config file > defaults. The config file is INI, read with
 * libinih: [default] holds the base settings and [env.NAME] (chosen with
 * --env or DBSHIFT_ENV) is laid on top of it. The library never reads the
 * environment itself, so this file is also where getenv is called.
 */
#include "cli.h"

#include <ini.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_URL "sqlite:dbshift.db"
#define DEFAULT_CONFIG "dbshift.conf"

/* Single-valued keys; one set for [default] and one for the chosen env. */
struct conf_values {
    char *url;
    char *dir;
    char *table;
    char *schema;
    char *password_file;
    char *source_format;
    char *lock_wait;
    char *keep_backups;
    char *keep_history_of;
    char *dump_schema;
};

struct conf_reader {
    struct cli_context *ctx;
    const char *path;
    const char *env_name;
    struct conf_values base;
    struct conf_values env;
    bool env_seen;
    bool failed;
    struct cli_list vars; /* from the file, owned by ctx->owned */
};

void cli_context_init(struct cli_context *ctx)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->program = "dbshift";
    ctx->flags.lock_wait_ms = -1;
    dbshift_config_init(&ctx->config);
}

void cli_context_release(struct cli_context *ctx)
{
    for (size_t i = 0; i < ctx->owned.count; i++)
        free((char *)ctx->owned.items[i]);
    cli_list_release(&ctx->owned);
    cli_list_release(&ctx->flags.vars);
    cli_list_release(&ctx->lint_disabled);
    cli_list_release(&ctx->lint_levels);
    cli_list_release(&ctx->allow_rules);
    if (ctx->password) {
        /* Not printed anywhere, but do not leave it lying in freed memory. */
        memset(ctx->password, 0, strlen(ctx->password));
        free(ctx->password);
    }
    ctx->password = NULL;
}

/* Hands s to the context; returns s, or NULL when s is NULL or on no memory. */
static const char *keep(struct cli_context *ctx, char *s)
{
    if (!s)
        return NULL;
    if (cli_list_push(&ctx->owned, s) < 0) {
        free(s);
        return NULL;
    }
    return s;
}

static const char *env_value(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

const char *cli_getenv(const char *name, void *payload)
{
    (void)payload;
    return getenv(name);
}

/* Splits "a, b ,c" into the list, each piece owned by ctx. */
static int add_split(struct cli_context *ctx, struct cli_list *list, const char *value)
{
    const char *p = value;

    while (*p) {
        const char *start, *end;
        char *piece;

        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        start = p;
        while (*p && *p != ',')
            p++;
        end = p;
        while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (end == start)
            continue;
        piece = strndup(start, (size_t)(end - start));
        if (!keep(ctx, piece) || cli_list_push(list, piece) < 0)
            return -1;
    }
    return 0;
}

static char **value_slot(struct conf_values *v, const char *name)
{
    if (!strcmp(name, "url"))
        return &v->url;
    if (!strcmp(name, "dir") || !strcmp(name, "migrations_dir"))
        return &v->dir;
    if (!strcmp(name, "table") || !strcmp(name, "table_prefix"))
        return &v->table;
    if (!strcmp(name, "schema"))
        return &v->schema;
    if (!strcmp(name, "password_file"))
        return &v->password_file;
    if (!strcmp(name, "source_format"))
        return &v->source_format;
    if (!strcmp(name, "lock_wait"))
        return &v->lock_wait;
    if (!strcmp(name, "keep_backups"))
        return &v->keep_backups;
    if (!strcmp(name, "keep_history_of"))
        return &v->keep_history_of;
    if (!strcmp(name, "dump_schema"))
        return &v->dump_schema;
    return NULL;
}

/*
 * The [lint] section: `disable = RULE, ...` (never reported), `allow = RULE,
 * ...` (reported as allowed, as with --allow) and `level.RULE = LEVEL` (a
 * rule's level changed). It applies whatever --env is chosen; the older
 * lint_disable / lint_level keys of [default] and [env.NAME] still work.
 * Rule codes and levels are checked by the library, which refuses unknown
 * ones, so a typo here is an error rather than a rule silently left on.
 */
static int on_lint_entry(struct conf_reader *r, const char *name, const char *value)
{
    struct cli_context *ctx = r->ctx;
    int rc;

    if (!name)
        return 1; /* section header only (newer inih) */
    if (!strcmp(name, "disable")) {
        rc = add_split(ctx, &ctx->lint_disabled, value);
    } else if (!strcmp(name, "allow")) {
        rc = add_split(ctx, &ctx->allow_rules, value);
    } else if (!strncmp(name, "level.", 6) && name[6]) {
        /* Handed on in the "RULE=level" form of the lint_level key. */
        size_t len = strlen(name + 6) + strlen(value) + 2;
        char *pair = malloc(len);
        if (pair)
            snprintf(pair, len, "%s=%s", name + 6, value);
        rc = keep(ctx, pair) && cli_list_push(&ctx->lint_levels, pair) == 0 ? 0 : -1;
    } else {
        cli_warn(ctx, "%s: unknown key '%s' in [lint] ignored (use disable, allow or level.RULE)",
                 r->path, name);
        return 1;
    }
    if (rc < 0) {
        r->failed = true;
        return 0;
    }
    return 1;
}

static int on_conf_entry(void *user, const char *section, const char *name, const char *value)
{
    struct conf_reader *r = user;
    struct cli_context *ctx = r->ctx;
    struct conf_values *target;
    char **slot;
    int rc = 0;

    if (!strcmp(section, "lint")) {
        return on_lint_entry(r, name, value);
    } else if (!strcmp(section, "default")) {
        target = &r->base;
    } else if (!strncmp(section, "env.", 4)) {
        if (!r->env_name || strcmp(section + 4, r->env_name))
            return 1; /* another environment: not ours to check */
        r->env_seen = true;
        target = &r->env;
    } else {
        cli_warn(ctx, "%s: unknown section [%s] ignored (use [default], [env.NAME] or [lint])",
                 r->path, section);
        return 1;
    }
    if (!name)
        return 1; /* section header only (newer inih) */

    if (!strcmp(name, "var")) {
        char *copy = strdup(value);
        if (!strchr(value, '=')) {
            free(copy);
            cli_warn(ctx, "%s: var '%s' needs the form name=value", r->path, value);
            r->failed = true;
            return 1;
        }
        rc = keep(ctx, copy) && cli_list_push(&r->vars, copy) == 0 ? 0 : -1;
    } else if (!strcmp(name, "lint_disable")) {
        rc = add_split(ctx, &ctx->lint_disabled, value);
    } else if (!strcmp(name, "lint_level")) {
        rc = add_split(ctx, &ctx->lint_levels, value);
    } else if (!strcmp(name, "allow")) {
        rc = add_split(ctx, &ctx->allow_rules, value);
    } else if ((slot = value_slot(target, name))) {
        /* A later line wins; the earlier copy is already owned by ctx. */
        char *copy = strdup(value);
        if (!keep(ctx, copy))
            rc = -1;
        else
            *slot = copy;
    } else {
        cli_warn(ctx, "%s: unknown key '%s' in [%s] ignored", r->path, name, section);
    }
    if (rc < 0) {
        r->failed = true;
        return 0;
    }
    return 1;
}

/* The first non-NULL of the candidates, noting where it came from. */
static const char *pick(const char **origin, const char *flag, const char *flag_name,
                        const char *env, const char *env_name, const char *conf_env,
                        const char *conf_base, const char *conf_path, const char *fallback)
{
    if (flag) {
        *origin = flag_name;
        return flag;
    }
    if (env) {
        *origin = env_name;
        return env;
    }
    if (conf_env || conf_base) {
        *origin = conf_path;
        return conf_env ? conf_env : conf_base;
    }
    *origin = "default";
    return fallback;
}

static int read_config(struct cli_context *ctx, struct conf_reader *r)
{
    const char *path = ctx->flags.config;
    bool explicit_path = true;
    int line;

    if (!path)
        path = env_value("DBSHIFT_CONFIG");
    if (!path) {
        explicit_path = false;
        path = DEFAULT_CONFIG;
        if (access(path, F_OK) != 0) {
            if (r->env_name) {
                fprintf(stderr, "error: --env %s needs a config file, and ./%s does not exist\n",
                        r->env_name, DEFAULT_CONFIG);
                return CLI_EXIT_USAGE;
            }
            return 0;
        }
    }
    r->path = path;
    line = ini_parse(path, on_conf_entry, r);
    if (line == -1) {
        fprintf(stderr, "error: cannot read config file '%s': %s\n", path, strerror(errno));
        return explicit_path ? CLI_EXIT_USAGE : CLI_EXIT_ERROR;
    }
    if (line == -2 || r->failed) {
        fprintf(stderr, "error: out of memory reading '%s'\n", path);
        return CLI_EXIT_ERROR;
    }
    if (line > 0) {
        fprintf(stderr, "error: config file '%s' line %d is not valid INI (key = value)\n", path,
                line);
        return CLI_EXIT_USAGE;
    }
    if (r->env_name && !r->env_seen) {
        fprintf(stderr, "error: config file '%s' has no [env.%s] section\n", path, r->env_name);
        return CLI_EXIT_USAGE;
    }
    ctx->config_path = path;
    return 0;
}

static char *read_password(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    size_t len;

    if (!f)
        return NULL;
    if (!fgets(line, sizeof(line), f)) {
        line[0] = '\0';
    }
    fclose(f);
    len = strlen(line);
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    return strdup(line);
}

/* Variable name of "name=value", for overriding config vars by flags. */
static bool same_var(const char *a, const char *b)
{
    size_t la = strcspn(a, "="), lb = strcspn(b, "=");
    return la == lb && !strncmp(a, b, la);
}

int cli_resolve(struct cli_context *ctx)
{
    struct cli_flags *f = &ctx->flags;
    dbshift_config *cfg = &ctx->config;
    struct conf_reader r;
    const char *origin;
    const char *value;
    struct cli_list *vars = &f->vars;
    int rc;

    if (ctx->resolved)
        return 0;
    memset(&r, 0, sizeof(r));
    r.ctx = ctx;
    r.env_name = f->env ? f->env : env_value("DBSHIFT_ENV");

    ctx->quiet = f->quiet;
    ctx->verbose = f->verbose && !f->quiet;
    ctx->assume_yes = f->yes;
    if (!f->format || !strcmp(f->format, "text")) {
        ctx->format = CLI_FORMAT_TEXT;
    } else if (!strcmp(f->format, "json")) {
        ctx->format = CLI_FORMAT_JSON;
    } else {
        return cli_usage_error(ctx, "--format must be text or json, not '%s'", f->format);
    }
    if (f->no_color)
        ctx->color_out = ctx->color_err = false;

    rc = read_config(ctx, &r);
    if (rc) {
        cli_list_release(&r.vars);
        return rc;
    }

    dbshift_config_init(cfg);
    cfg->url = pick(&ctx->url_origin, f->url, "--url", env_value("DATABASE_URL"), "DATABASE_URL",
                    r.env.url, r.base.url, r.path, NULL);
    if (!cfg->url) {
        cfg->url = DEFAULT_URL;
        ctx->url_defaulted = true;
    }
    cfg->migrations_dir =
        pick(&origin, f->dir, "--dir", NULL, NULL, r.env.dir, r.base.dir, r.path, "migrations");
    cfg->table_prefix =
        pick(&origin, f->table, "--table", NULL, NULL, r.env.table, r.base.table, r.path, NULL);
    cfg->schema =
        pick(&origin, f->schema, "--schema", NULL, NULL, r.env.schema, r.base.schema, r.path, NULL);
    cfg->source_format = pick(&origin, f->source_format, "--source-format", NULL, NULL,
                              r.env.source_format, r.base.source_format, r.path, NULL);
    ctx->keep_history_of = pick(&origin, f->keep_history_of, "--keep-history-of", NULL, NULL,
                                r.env.keep_history_of, r.base.keep_history_of, r.path, NULL);
    ctx->dump_schema = pick(&origin, f->dump_schema, "--dump-schema", NULL, NULL, r.env.dump_schema,
                            r.base.dump_schema, r.path, NULL);

    cfg->lock_wait_ms = f->lock_wait_ms;
    value = r.env.lock_wait ? r.env.lock_wait : r.base.lock_wait;
    if (cfg->lock_wait_ms < 0 && value && cli_parse_duration(value, &cfg->lock_wait_ms) < 0) {
        fprintf(stderr, "error: %s: lock_wait needs a duration such as 500ms, 5s or 2m, not '%s'\n",
                r.path, value);
        cli_list_release(&r.vars);
        return CLI_EXIT_USAGE;
    }
    value = r.env.keep_backups ? r.env.keep_backups : r.base.keep_backups;
    if (value && cli_parse_count(value, &ctx->keep_backups) < 0) {
        fprintf(stderr, "error: %s: keep_backups needs a number, not '%s'\n", r.path, value);
        cli_list_release(&r.vars);
        return CLI_EXIT_USAGE;
    }

    value = pick(&origin, f->password_file, "--password-file", NULL, NULL, r.env.password_file,
                 r.base.password_file, r.path, NULL);
    if (value) {
        ctx->password = read_password(value);
        if (!ctx->password) {
            fprintf(stderr, "error: cannot read password file '%s': %s\n", value, strerror(errno));
            cli_list_release(&r.vars);
            return CLI_EXIT_ERROR;
        }
        cfg->password = ctx->password;
    }

    /* Config vars first, minus those a --var overrides, then the flags. */
    if (r.vars.count) {
        struct cli_list merged = {0};
        for (size_t i = 0; i < r.vars.count; i++) {
            bool overridden = false;
            for (size_t j = 0; j < vars->count; j++)
                overridden = overridden || same_var(r.vars.items[i], vars->items[j]);
            if (!overridden && cli_list_push(&merged, r.vars.items[i]) < 0)
                rc = -1;
        }
        for (size_t j = 0; j < vars->count; j++)
            if (cli_list_push(&merged, vars->items[j]) < 0)
                rc = -1;
        cli_list_release(&r.vars);
        cli_list_release(vars);
        *vars = merged;
        if (rc) {
            fprintf(stderr, "error: out of memory\n");
            return CLI_EXIT_ERROR;
        }
    }
    for (size_t j = 0; j < vars->count; j++) {
        if (!strchr(vars->items[j], '='))
            return cli_usage_error(ctx, "--var needs the form name=value, not '%s'",
                                   vars->items[j]);
    }
    cfg->vars = vars->items;
    cfg->nvars = vars->count;

    cfg->on_event = cli_on_event;
    cfg->confirm = cli_confirm;
    cfg->get_env = cli_getenv;
    cfg->payload = ctx;
    cfg->assume_yes = ctx->assume_yes;
    ctx->resolved = true;
    return 0;
}

int cli_open(dbshift **out, struct cli_context *ctx, bool announce)
{
    dbshift_error err = {0};
    int rc;

    *out = NULL;
    rc = cli_resolve(ctx);
    if (rc)
        return rc;
    if (announce && ctx->url_defaulted)
        cli_note(ctx, "using %s (no --url or DATABASE_URL given)", DEFAULT_URL);
    rc = dbshift_open(out, &ctx->config, &err);
    if (rc < 0) {
        if (!err.code)
            err.code = rc;
        rc = cli_report_error(ctx, &err, NULL);
        dbshift_error_clear(&err);
        return rc ? rc : CLI_EXIT_ERROR;
    }
#ifdef DBSHIFT_FAULTS
    /* Test builds only: the failure-handling trials arm a driver fault. */
    const char *fault = getenv("DBSHIFT_FAULT");
    if (fault && *fault && dbshift_test_fault(*out, fault) != 0) {
        rc = cli_report_error(ctx, dbshift_last_error(*out), NULL);
        dbshift_free(*out);
        *out = NULL;
        return rc ? rc : CLI_EXIT_ERROR;
    }
#endif
    if (ctx->keep_history_of) {
        rc = dbshift_keep_history_of(*out, ctx->keep_history_of);
        if (rc < 0) {
            rc = cli_fail(ctx, *out, rc);
            dbshift_free(*out);
            *out = NULL;
            return rc;
        }
    }
    if (ctx->verbose && !ctx->url_defaulted)
        cli_note(ctx, "database %s (from %s)", dbshift_redacted_url(*out), ctx->url_origin);
    if (ctx->verbose && ctx->config_path)
        cli_note(ctx, "config %s%s%s", ctx->config_path, ctx->flags.env ? " env " : "",
                 ctx->flags.env ? ctx->flags.env : "");
    return 0;
}
