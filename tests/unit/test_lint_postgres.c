/*
 * test_lint_postgres.c - unit tests of the Postgres lint front end's
 * pre-pass (lint_postgres_scan.c): the statements it recognises from their
 * leading words, where it cuts a section, and above all that reading a
 * section through it gives exactly what reading every statement's parse
 * tree gives (lint_postgres_read against lint_postgres_read_trees) on
 * crafted edge cases and on every .sql file of the real-world corpora.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dbshift/driver.h"
#include "sql/lint.h"
#include "sql/split.h"

/* --- Comparing the two readings ------------------------------------------ */

static bool same_string(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Prints the first difference (for the test log) and returns false. */
static bool same_stmts(const lint_stmts *a, const lint_stmts *b, const char *what)
{
    if (a->count != b->count) {
        print_error("%s: %zu statements, the trees give %zu\n", what, a->count, b->count);
        return false;
    }
    for (size_t i = 0; i < a->count; i++) {
        const lint_stmt *x = &a->items[i], *y = &b->items[i];
        if (x->offset != y->offset || x->len != y->len || x->line != y->line ||
            x->column != y->column || x->not_analysed != y->not_analysed ||
            !same_string(x->parse_error, y->parse_error) || x->nactions != y->nactions) {
            print_error("%s: statement %zu differs (offset %zu/%zu, len %zu/%zu, actions "
                        "%zu/%zu, error '%s'/'%s')\n",
                        what, i, x->offset, y->offset, x->len, y->len, x->nactions, y->nactions,
                        x->parse_error ? x->parse_error : "", y->parse_error ? y->parse_error : "");
            return false;
        }
        for (size_t j = 0; j < x->nactions; j++) {
            const lint_action *p = &x->actions[j], *q = &y->actions[j];
            if (p->kind != q->kind || p->flags != q->flags || !same_string(p->schema, q->schema) ||
                !same_string(p->table, q->table) || !same_string(p->name, q->name) ||
                !same_string(p->new_name, q->new_name)) {
                print_error("%s: statement %zu action %zu differs (kind %d/%d, flags %x/%x, "
                            "'%s.%s' '%s' / '%s.%s' '%s')\n",
                            what, i, j, p->kind, q->kind, p->flags, q->flags,
                            p->schema ? p->schema : "", p->table ? p->table : "",
                            p->name ? p->name : "", q->schema ? q->schema : "",
                            q->table ? q->table : "", q->name ? q->name : "");
                return false;
            }
        }
    }
    return true;
}

/* Reads text (len bytes) both ways, as a whole section and, when bounds is
 * set, statement by statement at the splitter's boundaries. */
static bool reads_agree(const char *text, size_t len, const char *what)
{
    lint_stmts fast, trees;
    memset(&fast, 0, sizeof(fast));
    memset(&trees, 0, sizeof(trees));
    int rc_fast = lint_postgres_read(&fast, text, len, 0, NULL, NULL);
    int rc_trees = lint_postgres_read_trees(&trees, text, len, 0, NULL, NULL);
    bool ok = rc_fast == 0 && rc_trees == 0 && same_stmts(&fast, &trees, what);
    lint_stmts_release(&fast);
    lint_stmts_release(&trees);

    /* Explicit boundaries (goose's StatementBegin, a run outside a
     * transaction): each statement is read alone. */
    sql_split split;
    dbshift_error err;
    memset(&split, 0, sizeof(split));
    memset(&err, 0, sizeof(err));
    if (ok && sql_split_text(&split, text, len, DBSHIFT_DIALECT_POSTGRES, &err) == 0 &&
        split.count > 0) {
        size_t *offsets = calloc(split.count, sizeof(*offsets));
        size_t *lens = calloc(split.count, sizeof(*lens));
        assert_non_null(offsets);
        assert_non_null(lens);
        for (size_t i = 0; i < split.count; i++) {
            offsets[i] = split.items[i].offset;
            lens[i] = split.items[i].len;
        }
        rc_fast = lint_postgres_read(&fast, text, len, split.count, offsets, lens);
        rc_trees = lint_postgres_read_trees(&trees, text, len, split.count, offsets, lens);
        ok = rc_fast == 0 && rc_trees == 0 && same_stmts(&fast, &trees, what);
        lint_stmts_release(&fast);
        lint_stmts_release(&trees);
        free(offsets);
        free(lens);
    }
    sql_split_release(&split);
    dbshift_error_clear(&err);
    return ok;
}

static bool agree(const char *text)
{
    return reads_agree(text, strlen(text), text);
}

/* --- Edge cases ----------------------------------------------------------- */

static const char *const cases[] = {
    /* Names: quoting, case, keywords, schema, temp words, IF NOT EXISTS. */
    "CREATE TABLE \"Foo\".\"B\"\"ar\" (a int); create index if not exists \"x\"\"y\" on only "
    "s.t (a); ; INSERT INTO public.t AS q VALUES (1);  ",
    "CREATE TABLE if (a int)",
    "CREATE TABLE public.user (a int); CREATE TABLE Public.\"User\" (a int)",
    "create table if not exists s.T as select 1; CREATE TABLE t2 AS EXECUTE p",
    "CREATE TEMP TABLE t (a int); CREATE UNLOGGED TABLE u (a int); CREATE GLOBAL TEMPORARY "
    "TABLE g (a int); CREATE LOCAL TEMP TABLE l (a int)",
    "CREATE TABLE c.s.t (x int); CREATE TABLE p PARTITION OF q FOR VALUES IN (1); CREATE TABLE "
    "o OF some_type",
    "CREATE TABLE /* a comment */ s -- and another\n . t (a int)",
    "CREATE TABLE abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabc (a int); "
    "CREATE TABLE abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd (a int); "
    "CREATE TABLE \"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij\" "
    "(a int)",
    "CREATE TABLE U&\"d\\0061t\" (a int); CREATE TABLE u (a int); CREATE TABLE ÄÖü (a int); "
    "CREATE TABLE t$1 (a int)",
    "CREATE FOREIGN TABLE f (a int) SERVER s; CREATE OR REPLACE TABLE t (a int)",
    /* Indexes. */
    "CREATE INDEX ON t (a); CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY s.t (a); "
    "CREATE INDEX if ON t (a); CREATE INDEX CONCURRENTLY ON t USING gin (a); CREATE INDEX i ON "
    "ONLY (t) (a)",
    "CREATE INDEX i ON t (lower(a)) WHERE a IS NOT NULL; CREATE TEMP INDEX i ON t (a)",
    /* Data changes and their WHERE clauses. */
    "UPDATE t SET a = (SELECT b FROM u WHERE u.id = t.id); UPDATE ONLY t AS x SET a = 1 WHERE "
    "x.id = 2; UPDATE t SET a = 1 WHERE CURRENT OF c; UPDATE t * SET a = ARRAY[(SELECT 1 WHERE "
    "true)]",
    "DELETE FROM t USING u WHERE t.id = u.id; DELETE FROM t; delete from only (t) where x; "
    "DELETE FROM t WHERE a IN (SELECT a FROM u WHERE b)",
    "UPDATE t SET \"where\" = 'WHERE' RETURNING (SELECT 1 WHERE true); WITH x AS (SELECT 1) "
    "UPDATE t SET a = 1; UPDATE t SET a = 1 FROM u WHERE t.id = u.id",
    "INSERT INTO t VALUES (1) ON CONFLICT (a) DO UPDATE SET b = 2 WHERE t.c; INSERT INTO s.t "
    "(a) SELECT 1; WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x",
    /* SELECT, with and without INTO. */
    "SELECT 1 INTO t2 FROM t; SELECT * FROM t WHERE x = 'INTO'; SELECT 'a' \"into\"; SELECT "
    "set_config('a', 'b', false)",
    /* Bodies a ';' hides in. */
    "DO $$ BEGIN PERFORM 1; END $$; DO $body$ SELECT ';' $body$; DO 'BEGIN NULL; END'",
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; CREATE "
    "VIEW v AS SELECT 1",
    "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES "
    "(2)); CREATE VIEW v AS SELECT 1",
    "SELECT E'a\\';b'; CREATE VIEW v AS SELECT 1; SELECT 'a\\'; CREATE VIEW w AS SELECT 2",
    "/* a /* b; */ c; */ CREATE VIEW v AS SELECT 1; -- x;\nSELECT 2",
    "SELECT a$b$ FROM t; CREATE VIEW v AS SELECT $x$;$x$; SELECT 1$$;$$",
    "PREPARE p AS SELECT $1; EXECUTE p(1); CREATE VIEW v AS SELECT 1",
    "SELECT 'it''s;'; COMMENT ON COLUMN t.a IS 'x;y'; SELECT \"a;\"\"b\" FROM t",
    "SELECT 1 -- no newline at the end; CREATE VIEW v AS SELECT 1",
    "SELECT 1 /* unterminated; CREATE VIEW v AS SELECT 1",
    "SELECT 'unterminated; CREATE VIEW v AS SELECT 1",
    /* Syntax errors, in recognised statements and others. */
    "CREATE VIEW v AS SELECT FROM WHERE; ALTER TABLE t ADD COLUMN c int; CREATE TABLE x (",
    "CREATE VIEW v AS SELEC 1; ALTER TABLE t DROP COLUMN c",
    "ALTER TABLE t DROP COLUMN c; CREATE TABLE {{ index .Options \"Namespace\" }}.t (a int); "
    "CREATE VIEW v AS SELECT 1",
    "CREATE TEMP FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql; CREATE VIEW v AS SELECT 1",
    "SELECT * FROM (SELECT 1); CREATE VIEW v AS SELECT 1",
    /* Every other recognised statement. */
    "CREATE OR REPLACE VIEW v AS SELECT 1; CREATE MATERIALIZED VIEW m AS SELECT 1; CREATE "
    "UNLOGGED MATERIALIZED VIEW n AS SELECT 1; CREATE TEMP RECURSIVE VIEW r (a) AS SELECT 1",
    "CREATE OR REPLACE TRIGGER tr AFTER INSERT ON t EXECUTE FUNCTION f(); CREATE CONSTRAINT "
    "TRIGGER c AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f(); CREATE EXTENSION IF NOT "
    "EXISTS pg_trgm",
    "CREATE TYPE e AS ENUM ('a', 'b'); CREATE TYPE r AS RANGE (subtype = int4); CREATE TYPE c "
    "AS (a int); CREATE TYPE s; CREATE SEQUENCE q; CREATE TEMP SEQUENCE q2; CREATE DOMAIN d AS "
    "int; CREATE POLICY p ON t USING (true)",
    "ALTER TYPE e ADD VALUE 'c'; ALTER TYPE e RENAME VALUE 'a' TO 'z'; ALTER TYPE c ADD "
    "ATTRIBUTE b int; ALTER TYPE c RENAME ATTRIBUTE a TO x; ALTER TYPE c OWNER TO me; ALTER "
    "TYPE c SET SCHEMA s; ALTER TYPE c RENAME TO d",
    "GRANT SELECT ON t TO me; GRANT admin TO me; REVOKE ALL ON t FROM me; REVOKE admin FROM me; "
    "COMMENT ON TABLE t IS 'x'",
    /* Drops and renames. */
    "DROP TABLE t; DROP TABLE IF EXISTS s.t CASCADE; DROP TABLE if; DROP TABLE a, b; DROP TABLE "
    "x.y.z; DROP TABLE IF EXISTS if RESTRICT",
    "DROP INDEX i; DROP INDEX CONCURRENTLY IF EXISTS s.i; DROP INDEX CONCURRENTLY i; DROP INDEX "
    "i, j CASCADE",
    "DROP SCHEMA s; DROP SCHEMA IF EXISTS s CASCADE; DROP SCHEMA a, b; DROP DATABASE d; DROP "
    "DATABASE IF EXISTS d",
    "DROP VIEW v; DROP MATERIALIZED VIEW IF EXISTS m; DROP FUNCTION f(int); DROP TRIGGER t ON "
    "x; DROP TYPE e; DROP OWNED BY me; DROP ROLE r; DROP EXTENSION e; DROP SEQUENCE q; DROP "
    "FOREIGN TABLE f",
    "ALTER TABLE t RENAME TO u; ALTER TABLE IF EXISTS ONLY s.t RENAME COLUMN a TO b; ALTER "
    "TABLE t RENAME a TO \"B\"; ALTER TABLE t * RENAME CONSTRAINT c TO d; ALTER TABLE ONLY (t) "
    "RENAME TO v; ALTER TABLE if RENAME TO u",
    "ALTER TABLE t RENAME TO s.u; ALTER TABLE t RENAME COLUMN a TO b, RENAME c TO d",
    "ALTER INDEX i RENAME TO j; ALTER INDEX i SET TABLESPACE s; ALTER VIEW v RENAME COLUMN a TO "
    "b; ALTER VIEW v OWNER TO me; ALTER SEQUENCE q RESTART; ALTER SEQUENCE q OWNED BY t.a; "
    "ALTER MATERIALIZED VIEW m RENAME TO n",
    "ALTER FUNCTION f() RENAME TO g; ALTER FUNCTION f() OWNER TO me; ALTER PROCEDURE p() SET "
    "search_path = x; ALTER TRIGGER t ON x RENAME TO u; ALTER DOMAIN d SET NOT NULL; ALTER "
    "SCHEMA s RENAME TO t; ALTER EXTENSION e UPDATE; ALTER POLICY p ON t RENAME TO q",
    "ALTER ROLE r PASSWORD 'secret'; ALTER FOREIGN TABLE f RENAME COLUMN a TO b; ALTER DATABASE "
    "d SET x = 1",
    /* ALTER TABLE subcommands read from their words, and ones left to the tree. */
    "ALTER TABLE t DROP COLUMN a, DROP b CASCADE, DROP COLUMN IF EXISTS c, DROP if, DROP "
    "CONSTRAINT IF EXISTS t_pkey, DROP CONSTRAINT pkey RESTRICT, DROP CONSTRAINT x_pkey",
    "ALTER TABLE IF EXISTS ONLY s.t ALTER COLUMN a TYPE numeric(10, 2) USING a::numeric, ALTER "
    "b SET DATA TYPE text COLLATE \"C\", ALTER COLUMN c SET NOT NULL, ALTER d DROP NOT NULL, "
    "ALTER e SET DEFAULT f(1, 2), ALTER COLUMN type DROP DEFAULT",
    "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id) ON DELETE SET NULL NOT "
    "VALID; ALTER TABLE t ADD FOREIGN KEY (a) REFERENCES u; ALTER TABLE t ADD CONSTRAINT c "
    "CHECK (a IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT c",
    "ALTER TABLE t ADD CONSTRAINT u UNIQUE USING INDEX i, ADD PRIMARY KEY USING INDEX j; ALTER "
    "TABLE t ADD UNIQUE NULLS NOT DISTINCT (a) USING INDEX TABLESPACE s, ADD CONSTRAINT t_pkey "
    "PRIMARY KEY (id) DEFERRABLE",
    "ALTER TABLE t ADD CONSTRAINT u UNIQUE (a) NOT VALID; ALTER TABLE t ADD CONSTRAINT e EXCLUDE "
    "USING gist (a WITH &&); ALTER TABLE t ALTER COLUMN a SET STATISTICS 10, DROP COLUMN b",
    "ALTER TABLE t ALTER COLUMN a SET TYPE int; ALTER TABLE t ALTER COLUMN a TYPE int, ADD "
    "COLUMN b int; ALTER TABLE t DROP COLUMN a x; ALTER TABLE t ALTER CONSTRAINT c DEFERRABLE; "
    "ALTER TABLE t OWNER TO me",
    /* ADD COLUMN: types, defaults and the constraints written inside. */
    "ALTER TABLE t ADD COLUMN a int NOT NULL DEFAULT 0, ADD b serial, ADD COLUMN IF NOT EXISTS "
    "c bigserial PRIMARY KEY, ADD d text DEFAULT 'x'::character varying COLLATE \"C\" UNIQUE "
    "NULLS NOT DISTINCT WITH (fillfactor = 70) USING INDEX TABLESPACE ts",
    "ALTER TABLE t ADD COLUMN a uuid DEFAULT gen_random_uuid() NOT NULL, ADD b timestamptz "
    "DEFAULT now(), ADD c timestamptz DEFAULT CURRENT_TIMESTAMP, ADD d int DEFAULT -1, ADD e "
    "float DEFAULT random()::float8, ADD f text DEFAULT NULL, ADD g bool DEFAULT false",
    "ALTER TABLE t ADD COLUMN a int REFERENCES u (id) MATCH FULL ON DELETE SET NULL (a) ON "
    "UPDATE NO ACTION DEFERRABLE INITIALLY DEFERRED, ADD b int CONSTRAINT b_check CHECK (b > 0) "
    "NO INHERIT, ADD c int GENERATED ALWAYS AS (b * 2) STORED, ADD d int GENERATED BY DEFAULT "
    "AS IDENTITY (START WITH 10), ADD e int REFERENCES s.u ON DELETE SET DEFAULT",
    "ALTER TABLE t ADD COLUMN if int, ADD exclude int, ADD COLUMN a int DEFAULT f(), ADD COLUMN "
    "b int DEFAULT 1 + 1, ADD COLUMN c pg_catalog.serial8, ADD COLUMN d \"serial\"[], ADD "
    "COLUMN e double precision DEFAULT 1.5 NOT NULL",
    "ALTER TABLE t ADD COLUMN a SETOF int; ALTER TABLE t ADD COLUMN b int DEFAULT NOW(); ALTER "
    "TABLE t ADD COLUMN c int DEFAULT \"now\"(); ALTER TABLE t ADD COLUMN d timestamp(3) with "
    "time zone DEFAULT 'epoch'::timestamptz",
    "ALTER TABLE t ADD COLUMN a int NOT NULL NOT DEFERRABLE; ALTER TABLE t ADD COLUMN b "
    "interval DEFAULT '1 day'; ALTER TABLE t ADD COLUMN c int[] DEFAULT '{}'::int[] NOT NULL, "
    "ADD d generated int, ADD e int DEFAULT now() + 1",
    "ALTER TABLE t ADD f timestamptz DEFAULT clock_timestamp (), ADD g timestamptz DEFAULT "
    "statement_timestamp(), ADD h timestamptz DEFAULT transaction_timestamp(), ADD i uuid "
    "DEFAULT uuid_generate_v4()",
    /* Statements left to the tree, beside recognised ones. */
    "CREATE VIEW v AS SELECT 1; ALTER TABLE t ADD COLUMN c int NOT NULL DEFAULT now(); DROP "
    "TABLE IF EXISTS a, s.b; SET lock_timeout = 0; CREATE INDEX i ON t (a); VACUUM FULL t",
    "BEGIN; CREATE INDEX CONCURRENTLY i ON t (a); COMMIT; CREATE ROLE r PASSWORD 'x'; DROP "
    "DATABASE d",
    /* Nothing but whitespace, comments and empty statements. */
    "",
    "  \n-- only a comment\n",
    ";;; /* x */ ;",
    "CREATE VIEW v AS SELECT 1;;; CREATE TABLE t (a int);\n-- trailing\n",
};

static void test_edge_cases(void **state)
{
    (void)state;
    size_t failed = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        failed += !agree(cases[i]);
    assert_int_equal(failed, 0);
}

/* A NUL byte inside the section: the parser stops there, the cut does not. */
static void test_nul_byte(void **state)
{
    (void)state;
    static const char text[] = "CREATE VIEW v AS SELECT 1;\0 CREATE TABLE t (a int)";
    assert_true(reads_agree(text, sizeof(text) - 1, "a NUL byte"));
}

/* --- The pre-pass itself ------------------------------------------------- */

static void test_shapes(void **state)
{
    (void)state;
    /* Only kinds no rule looks into are told from words; everything a
     * rule judges goes to the tree. */
    static const struct {
        const char *sql;
        int shape;
        const char *schema, *table;
    } expect[] = {
        {"CREATE TABLE \"Foo\".bAr (a int)", LINT_PG_CREATE_TABLE, "Foo", "bar"},
        {"create temp table if not exists t as select 1", LINT_PG_CREATE_TABLE, "", "t"},
        {"CREATE TABLE if (a int)", LINT_PG_CREATE_TABLE, "", "if"},
        {"CREATE TABLE a.b.c (x int)", LINT_PG_TREE, "", ""},
        {"CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY (s.t) (a)", LINT_PG_TREE, "",
         ""},
        {"CREATE INDEX ON t (a)", LINT_PG_TREE, "", ""},
        {"INSERT INTO s.t AS x VALUES (1)", LINT_PG_INSERT, "s", "t"},
        {"UPDATE t SET a = (SELECT 1 WHERE true)", LINT_PG_TREE, "", ""},
        {"DELETE FROM t", LINT_PG_TREE, "", ""},
        {"SELECT 1 INTO t", LINT_PG_NO_ACTION, "", ""},
        {"SELECT 'INTO' AS \"into\"", LINT_PG_NO_ACTION, "", ""},
        {"DO $$ BEGIN END $$", LINT_PG_NO_ACTION, "", ""},
        {"CREATE OR REPLACE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql",
         LINT_PG_OTHER_DDL, "", ""},
        {"create or replace temp recursive view v (a) as select 1", LINT_PG_OTHER_DDL, "", ""},
        {"COMMENT ON TABLE t IS 'x'", LINT_PG_OTHER_DDL, "", ""},
        {"ALTER TYPE e ADD VALUE 'x'", LINT_PG_OTHER_DDL, "", ""},
        {"ALTER TABLE t ADD COLUMN a int", LINT_PG_TREE, "", ""},
        {"ALTER TABLE t RENAME COLUMN a TO b", LINT_PG_TREE, "", ""},
        {"DROP TABLE IF EXISTS s.t CASCADE", LINT_PG_TREE, "", ""},
        {"DROP VIEW v", LINT_PG_TREE, "", ""},
        {"DROP DATABASE d", LINT_PG_TREE, "", ""},
        {"ALTER ROLE r PASSWORD 'x'", LINT_PG_TREE, "", ""},
        {"CREATE OR REPLACE RULE r AS ON INSERT TO t DO NOTHING", LINT_PG_TREE, "", ""},
        {" -- nothing\n /* at /* all */ */ ", LINT_PG_EMPTY, "", ""},
    };
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
        lint_pg_shape_info info;
        assert_int_equal(lint_pg_shape(&info, expect[i].sql, strlen(expect[i].sql)), 0);
        if (info.shape != expect[i].shape || strcmp(info.schema, expect[i].schema) != 0 ||
            strcmp(info.table, expect[i].table) != 0)
            print_error("%s: shape %d '%s'.'%s'\n", expect[i].sql, info.shape, info.schema,
                        info.table);
        assert_int_equal(info.shape, expect[i].shape);
        assert_string_equal(info.schema, expect[i].schema);
        assert_string_equal(info.table, expect[i].table);
    }
}

static void test_statement_end(void **state)
{
    (void)state;
    static const struct {
        const char *sql;
        size_t end;
    } expect[] = {
        {"SELECT 1; SELECT 2", 8},
        {"SELECT ';' ; x", 11},
        {"SELECT E'\\';' ; x", 14},
        {"SELECT '\\'; x", 10},
        {"SELECT \";\"\";\"; x", 13},
        {"SELECT $a$;$a$; x", 14},
        {"SELECT a$b; x", 10},
        {"SELECT $1; x", 9},
        {"/* ; /* ; */ ; */ SELECT 1 -- ;\n; x", 32},
        {"SELECT 1 -- ;", 13},
    };
    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
        size_t len = strlen(expect[i].sql);
        assert_int_equal(lint_pg_statement_end(expect[i].sql, len, 0), expect[i].end);
    }
}

/* --- Real-world corpora --------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *text = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n >= 0 && fseek(f, 0, SEEK_SET) == 0) {
            text = malloc((size_t)n + 1);
            if (text && fread(text, 1, (size_t)n, f) != (size_t)n) {
                free(text);
                text = NULL;
            }
            if (text) {
                text[n] = '\0';
                *len = (size_t)n;
            }
        }
    }
    fclose(f);
    return text;
}

/* Every .sql file under dir, read as Postgres whatever its dialect: MySQL
 * and SQLite files make good syntax errors. */
static void walk(const char *dir, size_t *files, size_t *failed)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            walk(path, files, failed);
            continue;
        }
        size_t n = strlen(e->d_name);
        if (n < 4 || strcmp(e->d_name + n - 4, ".sql") != 0)
            continue;
        size_t len = 0;
        char *text = read_file(path, &len);
        assert_non_null(text);
        *failed += !reads_agree(text, len, path);
        (*files)++;
        free(text);
    }
    closedir(d);
}

static void test_corpora(void **state)
{
    (void)state;
    char dir[4096];
    const char *corpora = getenv("DBSHIFT_CORPORA");
    const char *source = getenv("DBSHIFT_SOURCE_DIR");
    if (corpora)
        snprintf(dir, sizeof(dir), "%s", corpora);
    else
        snprintf(dir, sizeof(dir), "%s/../shared/corpora", source ? source : ".");
    size_t files = 0, failed = 0;
    walk(dir, &files, &failed);
    if (files == 0)
        walk("/work/shared/corpora", &files, &failed);
    assert_true(files >= 1000);
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),     cmocka_unit_test(test_statement_end),
        cmocka_unit_test(test_edge_cases), cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_corpora),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
