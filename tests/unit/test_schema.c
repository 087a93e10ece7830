/*
 * test_schema.c - unit tests of the schema model: canonical ordering,
 * comparison (which objects, columns and constraints differ, and how the
 * difference is worded), the deterministic dump, and the SQL generated
 * between two models, per dialect (in-place ALTER on Postgres and MySQL,
 * the table rebuild on SQLite, enum values, rename comments).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "dbshift/driver.h"
#include "sql/schema.h"

/* users(id int pk, email text not null) plus an index, in dialect. */
static void build_users(schema *s, int dialect, bool reversed)
{
    schema_init(s, dialect);
    const char *nsp = dialect == DBSHIFT_DIALECT_POSTGRES ? "public" : "";
    if (reversed) {
        schema_object *i = schema_add(s, SCHEMA_INDEX, nsp, "users_email");
        i->table = strdup("users");
        i->def = strdup("CREATE INDEX users_email ON users (email)");
    }
    schema_object *t = schema_add(s, SCHEMA_TABLE, nsp, "users");
    assert_non_null(t);
    schema_column *c = schema_add_column(t, "id", "integer");
    c->not_null = true;
    c = schema_add_column(t, "email", "text");
    c->not_null = true;
    assert_non_null(schema_add_constraint(t, SCHEMA_UNIQUE, "users_email_key", "UNIQUE (email)"));
    assert_non_null(schema_add_constraint(t, SCHEMA_PRIMARY, "users_pkey", "PRIMARY KEY (id)"));
    if (!reversed) {
        schema_object *i = schema_add(s, SCHEMA_INDEX, nsp, "users_email");
        i->table = strdup("users");
        i->def = strdup("CREATE INDEX users_email ON users (email)");
    }
    schema_sort(s);
}

static char *dump(const schema *s)
{
    buf b = BUF_INIT;
    assert_int_equal(schema_dump(&b, s), 0);
    return buf_detach(&b);
}

static void test_sort_is_canonical(void **state)
{
    (void)state;
    schema a, b;
    build_users(&a, DBSHIFT_DIALECT_POSTGRES, false);
    build_users(&b, DBSHIFT_DIALECT_POSTGRES, true);
    assert_int_equal(a.objs[0].kind, SCHEMA_TABLE);
    assert_int_equal(a.objs[1].kind, SCHEMA_INDEX);
    /* constraints by type: primary key before unique */
    assert_int_equal(a.objs[0].cons[0].type, SCHEMA_PRIMARY);
    char *da = dump(&a), *db = dump(&b);
    assert_string_equal(da, db);
    assert_non_null(strstr(da, "CREATE TABLE public.users (\n    id integer NOT NULL,"));
    schema_changes c;
    assert_int_equal(schema_compare(&c, &a, &b), 0);
    assert_int_equal(c.count, 0);
    free(da);
    free(db);
    schema_release(&a);
    schema_release(&b);
}

static void test_compare_reports_each_difference(void **state)
{
    (void)state;
    schema e, a;
    build_users(&e, DBSHIFT_DIALECT_POSTGRES, false);
    build_users(&a, DBSHIFT_DIALECT_POSTGRES, false);
    schema_object *t = schema_find(&a, SCHEMA_TABLE, "public", "users");
    t->cols[1].not_null = false;                                   /* changed column */
    schema_add_column(t, "age", "integer");                        /* extra column */
    schema_object *v = schema_add(&a, SCHEMA_VIEW, "public", "v"); /* extra view */
    v->def = strdup("SELECT 1");
    schema_remove(&a, 1); /* missing index */
    schema_sort(&a);
    schema_changes c;
    assert_int_equal(schema_compare(&c, &e, &a), 0);
    assert_int_equal(c.count, 4);
    assert_string_equal(c.items[0].object, "column public.users.email");
    assert_string_equal(c.items[0].expected, "email text NOT NULL");
    assert_string_equal(c.items[0].actual, "email text");
    assert_string_equal(c.items[1].object, "column public.users.age");
    assert_null(c.items[1].expected);
    assert_string_equal(c.items[2].object, "index public.users_email");
    assert_null(c.items[2].actual);
    assert_string_equal(c.items[3].object, "view public.v");
    assert_null(c.items[3].expected);
    assert_string_equal(c.items[3].actual, "SELECT 1");
    schema_changes_release(&c);
    schema_release(&e);
    schema_release(&a);
}

static void test_compare_constraints_by_name_or_definition(void **state)
{
    (void)state;
    schema e, a;
    build_users(&e, DBSHIFT_DIALECT_SQLITE, false);
    build_users(&a, DBSHIFT_DIALECT_SQLITE, false);
    schema_object *t = schema_find(&a, SCHEMA_TABLE, "", "users");
    assert_non_null(schema_add_constraint(t, SCHEMA_CHECK, NULL, "CHECK (id > 0)"));
    free(t->cons[0].def);
    t->cons[0].def = strdup("PRIMARY KEY (id, email)");
    schema_sort(&a);
    schema_changes c;
    assert_int_equal(schema_compare(&c, &e, &a), 0);
    assert_int_equal(c.count, 2);
    assert_string_equal(c.items[0].object, "constraint users.users_pkey");
    assert_string_equal(c.items[0].actual, "CONSTRAINT users_pkey PRIMARY KEY (id, email)");
    assert_string_equal(c.items[1].object, "constraint users.CHECK (id > 0)");
    assert_null(c.items[1].expected);
    schema_changes_release(&c);
    schema_release(&e);
    schema_release(&a);
}

static void test_exclude_history_tables(void **state)
{
    (void)state;
    schema s;
    build_users(&s, DBSHIFT_DIALECT_POSTGRES, false);
    schema_object *seq = schema_add(&s, SCHEMA_SEQUENCE, "public", "users_id_seq");
    seq->table = strdup("users");
    const char *names[] = {"users"};
    schema_exclude_tables(&s, names, 1);
    assert_int_equal(s.count, 0);
    schema_release(&s);
}

static void test_squeeze_keeps_quoted_text(void **state)
{
    (void)state;
    char text[] = "  CREATE   VIEW v\n AS  SELECT 'a   b'  FROM \"x  y\" ";
    schema_squeeze(text);
    assert_string_equal(text, "CREATE VIEW v AS SELECT 'a   b' FROM \"x  y\"");
}

static void test_postgres_alter_column(void **state)
{
    (void)state;
    schema from, to;
    build_users(&from, DBSHIFT_DIALECT_POSTGRES, false);
    build_users(&to, DBSHIFT_DIALECT_POSTGRES, false);
    schema_object *t = schema_find(&to, SCHEMA_TABLE, "public", "users");
    free(t->cols[1].type);
    t->cols[1].type = strdup("varchar(80)");
    t->cols[1].not_null = false;
    t->cols[1].def = strdup("'x'::character varying");
    buf up = BUF_INIT, down = BUF_INIT;
    assert_int_equal(schema_migration(&up, &down, &from, &to), 0);
    assert_string_equal(up.ptr,
                        "ALTER TABLE public.users ALTER COLUMN email TYPE varchar(80) USING "
                        "email::varchar(80);\n"
                        "ALTER TABLE public.users ALTER COLUMN email DROP NOT NULL;\n"
                        "ALTER TABLE public.users ALTER COLUMN email SET DEFAULT "
                        "'x'::character varying;\n");
    assert_non_null(strstr(down.ptr, "DROP DEFAULT;"));
    assert_non_null(strstr(down.ptr, "TYPE text USING email::text;"));
    assert_non_null(strstr(down.ptr, "SET NOT NULL;"));
    buf_release(&up);
    buf_release(&down);
    schema_release(&from);
    schema_release(&to);
}

static void test_sqlite_rebuild_and_add_column(void **state)
{
    (void)state;
    schema from, to;
    build_users(&from, DBSHIFT_DIALECT_SQLITE, false);
    build_users(&to, DBSHIFT_DIALECT_SQLITE, false);
    schema_object *t = schema_find(&to, SCHEMA_TABLE, "", "users");
    schema_add_column(t, "nick", "TEXT");
    buf up = BUF_INIT, down = BUF_INIT;
    assert_int_equal(schema_migration(&up, &down, &from, &to), 0);
    /* adding a plain column is an ALTER; dropping it again is a rebuild */
    assert_string_equal(up.ptr, "ALTER TABLE users ADD COLUMN nick TEXT;\n");
    assert_non_null(strstr(down.ptr, "CREATE TABLE users__dbshift_new ("));
    assert_non_null(strstr(down.ptr, "INSERT INTO users__dbshift_new (id, email) SELECT id, "
                                     "email FROM users;\nDROP TABLE users;\nALTER TABLE "
                                     "users__dbshift_new RENAME TO users;\n"));
    /* the rebuilt table's index is created again */
    assert_non_null(strstr(down.ptr, "CREATE INDEX users_email ON users (email);"));
    buf_release(&up);
    buf_release(&down);
    schema_release(&from);
    schema_release(&to);
}

static void test_rename_gets_a_comment(void **state)
{
    (void)state;
    schema from, to;
    build_users(&from, DBSHIFT_DIALECT_MYSQL, false);
    build_users(&to, DBSHIFT_DIALECT_MYSQL, false);
    schema_object *t = schema_find(&to, SCHEMA_TABLE, "", "users");
    free(t->cols[1].name);
    t->cols[1].name = strdup("mail");
    buf up = BUF_INIT, down = BUF_INIT;
    assert_int_equal(schema_migration(&up, &down, &from, &to), 0);
    assert_non_null(strstr(up.ptr, "ALTER TABLE users RENAME COLUMN email TO mail;"));
    assert_non_null(strstr(up.ptr, "ALTER TABLE users DROP COLUMN email;\n"));
    assert_non_null(strstr(up.ptr, "ALTER TABLE users ADD COLUMN mail text NOT NULL AFTER id;\n"));
    buf_release(&up);
    buf_release(&down);
    schema_release(&from);
    schema_release(&to);
}

static void test_enum_values(void **state)
{
    (void)state;
    schema from, to;
    schema_init(&from, DBSHIFT_DIALECT_POSTGRES);
    schema_init(&to, DBSHIFT_DIALECT_POSTGRES);
    schema_object *e = schema_add(&from, SCHEMA_ENUM, "public", "mood");
    schema_add_value(e, "sad");
    schema_add_value(e, "ok");
    e = schema_add(&to, SCHEMA_ENUM, "public", "mood");
    schema_add_value(e, "sad");
    schema_add_value(e, "meh");
    schema_add_value(e, "ok");
    buf up = BUF_INIT, down = BUF_INIT;
    assert_int_equal(schema_migration(&up, &down, &from, &to), 0);
    assert_string_equal(up.ptr, "ALTER TYPE public.mood ADD VALUE 'meh' AFTER 'sad';\n");
    /* removing a value re-creates the type */
    assert_non_null(strstr(down.ptr, "ALTER TYPE public.mood RENAME TO mood__dbshift_old;\n"
                                     "CREATE TYPE public.mood AS ENUM ('sad', 'ok');\n"));
    assert_non_null(strstr(down.ptr, "DROP TYPE public.mood__dbshift_old;\n"));
    buf_release(&up);
    buf_release(&down);
    schema_release(&from);
    schema_release(&to);
}

static void test_foreign_keys_after_tables(void **state)
{
    (void)state;
    schema s;
    build_users(&s, DBSHIFT_DIALECT_POSTGRES, false);
    schema_object *t = schema_add(&s, SCHEMA_TABLE, "public", "a_posts");
    schema_add_column(t, "user_id", "integer");
    schema_add_constraint(t, SCHEMA_FOREIGN, "posts_user_fk",
                          "FOREIGN KEY (user_id) REFERENCES users(id)");
    schema_sort(&s);
    char *d = dump(&s);
    char *fk = strstr(d, "ALTER TABLE public.a_posts ADD CONSTRAINT posts_user_fk");
    assert_non_null(fk);
    assert_true(fk > strstr(d, "CREATE TABLE public.users"));
    free(d);
    schema_release(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sort_is_canonical),
        cmocka_unit_test(test_compare_reports_each_difference),
        cmocka_unit_test(test_compare_constraints_by_name_or_definition),
        cmocka_unit_test(test_exclude_history_tables),
        cmocka_unit_test(test_squeeze_keeps_quoted_text),
        cmocka_unit_test(test_postgres_alter_column),
        cmocka_unit_test(test_sqlite_rebuild_and_add_column),
        cmocka_unit_test(test_rename_gets_a_comment),
        cmocka_unit_test(test_enum_values),
        cmocka_unit_test(test_foreign_keys_after_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
