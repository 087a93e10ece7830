/*
 * test_lock_levels.c - the lock mode and row work that `up --dry-run` shows
 * for PostgreSQL statements: one case per kind of statement, checked against
 * the PostgreSQL 15 documentation's lock table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "sql/lock_levels.h"

/* Analyses sql and checks it touches exactly one relation, name, with the
 * given mode and effect. */
static void expect_one(const char *sql, const char *name, int mode, int effect)
{
    lock_touches t;
    assert_int_equal(lock_levels_analyse(&t, sql, strlen(sql)), 0);
    if (t.count != 1)
        fail_msg("%s: %zu tables, expected 1", sql, t.count);
    assert_string_equal(t.items[0].name, name);
    if (t.items[0].mode != mode || t.items[0].effect != effect)
        fail_msg("%s: %s/%s, expected %s/%s", sql, lock_mode_name(t.items[0].mode),
                 lock_effect_name(t.items[0].effect), lock_mode_name(mode),
                 lock_effect_name(effect));
    lock_touches_release(&t);
}

static void expect_none(const char *sql)
{
    lock_touches t;
    assert_int_equal(lock_levels_analyse(&t, sql, strlen(sql)), 0);
    if (t.count != 0)
        fail_msg("%s: touches %s, expected nothing", sql, t.items[0].name);
    lock_touches_release(&t);
}

static void test_alter_table(void **state)
{
    (void)state;
    expect_one("ALTER TABLE orders ALTER COLUMN total TYPE bigint", "orders",
               LOCK_MODE_ACCESS_EXCLUSIVE, LOCK_EFFECT_REWRITE);
    expect_one("ALTER TABLE orders ADD COLUMN note text", "orders", LOCK_MODE_ACCESS_EXCLUSIVE,
               LOCK_EFFECT_NONE);
    expect_one("ALTER TABLE orders ADD COLUMN n int NOT NULL DEFAULT 0", "orders",
               LOCK_MODE_ACCESS_EXCLUSIVE, LOCK_EFFECT_NONE);
    expect_one("ALTER TABLE orders ADD COLUMN id2 uuid DEFAULT gen_random_uuid()", "orders",
               LOCK_MODE_ACCESS_EXCLUSIVE, LOCK_EFFECT_REWRITE);
    expect_one("ALTER TABLE orders ALTER COLUMN code SET NOT NULL", "orders",
               LOCK_MODE_ACCESS_EXCLUSIVE, LOCK_EFFECT_SCAN);
    expect_one("ALTER TABLE orders DROP COLUMN legacy_code", "orders", LOCK_MODE_ACCESS_EXCLUSIVE,
               LOCK_EFFECT_NONE);
    expect_one("ALTER TABLE orders RENAME COLUMN a TO b", "orders", LOCK_MODE_ACCESS_EXCLUSIVE,
               LOCK_EFFECT_NONE);
    expect_one("ALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0)", "orders",
               LOCK_MODE_ACCESS_EXCLUSIVE, LOCK_EFFECT_SCAN);
    expect_one("ALTER TABLE orders ADD CONSTRAINT c CHECK (total > 0) NOT VALID", "orders",
               LOCK_MODE_ACCESS_EXCLUSIVE, LOCK_EFFECT_NONE);
    expect_one("ALTER TABLE orders ADD CONSTRAINT u UNIQUE (code)", "orders",
               LOCK_MODE_ACCESS_EXCLUSIVE, LOCK_EFFECT_SCAN);
    expect_one("ALTER TABLE orders ADD CONSTRAINT u UNIQUE USING INDEX orders_code_idx", "orders",
               LOCK_MODE_ACCESS_EXCLUSIVE, LOCK_EFFECT_NONE);
    expect_one("ALTER TABLE orders VALIDATE CONSTRAINT c", "orders",
               LOCK_MODE_SHARE_UPDATE_EXCLUSIVE, LOCK_EFFECT_NONE);
}

static void test_foreign_key(void **state)
{
    (void)state;
    expect_one("ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (user_id) REFERENCES users (id)",
               "orders", LOCK_MODE_SHARE_ROW_EXCLUSIVE, LOCK_EFFECT_SCAN);
    expect_one("ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (user_id) REFERENCES users (id) "
               "NOT VALID",
               "orders", LOCK_MODE_SHARE_ROW_EXCLUSIVE, LOCK_EFFECT_NONE);
    /* A foreign key beside a column change: the strongest lock wins. */
    expect_one("ALTER TABLE orders ADD CONSTRAINT f FOREIGN KEY (user_id) REFERENCES users (id), "
               "ALTER COLUMN total TYPE numeric",
               "orders", LOCK_MODE_ACCESS_EXCLUSIVE, LOCK_EFFECT_REWRITE);
}

static void test_indexes(void **state)
{
    (void)state;
    expect_one("CREATE INDEX orders_code_idx ON orders (code)", "orders", LOCK_MODE_SHARE,
               LOCK_EFFECT_SCAN);
    expect_one("CREATE INDEX CONCURRENTLY orders_code_idx ON shop.orders (code)", "orders",
               LOCK_MODE_SHARE_UPDATE_EXCLUSIVE, LOCK_EFFECT_SCAN);
    expect_one("DROP INDEX orders_code_idx", "orders_code_idx", LOCK_MODE_ACCESS_EXCLUSIVE,
               LOCK_EFFECT_NONE);
    expect_one("DROP INDEX CONCURRENTLY orders_code_idx", "orders_code_idx",
               LOCK_MODE_SHARE_UPDATE_EXCLUSIVE, LOCK_EFFECT_NONE);
    expect_one("REINDEX TABLE orders", "orders", LOCK_MODE_SHARE, LOCK_EFFECT_SCAN);
}

static void test_tables_and_data(void **state)
{
    (void)state;
    expect_one("DROP TABLE orders", "orders", LOCK_MODE_ACCESS_EXCLUSIVE, LOCK_EFFECT_NONE);
    expect_one("TRUNCATE orders", "orders", LOCK_MODE_ACCESS_EXCLUSIVE, LOCK_EFFECT_NONE);
    expect_one("VACUUM FULL orders", "orders", LOCK_MODE_ACCESS_EXCLUSIVE, LOCK_EFFECT_REWRITE);
    expect_one("CLUSTER orders USING orders_pkey", "orders", LOCK_MODE_ACCESS_EXCLUSIVE,
               LOCK_EFFECT_REWRITE);
    expect_one("UPDATE orders SET total = 0", "orders", LOCK_MODE_ROW_EXCLUSIVE, LOCK_EFFECT_SCAN);
    expect_one("DELETE FROM orders WHERE id = 1", "orders", LOCK_MODE_ROW_EXCLUSIVE,
               LOCK_EFFECT_NONE);
    expect_one("INSERT INTO orders (id) VALUES (1)", "orders", LOCK_MODE_ROW_EXCLUSIVE,
               LOCK_EFFECT_NONE);
}

static void test_schema_kept(void **state)
{
    (void)state;
    lock_touches t;
    const char *sql = "ALTER TABLE shop.orders DROP COLUMN a, DROP COLUMN b";
    assert_int_equal(lock_levels_analyse(&t, sql, strlen(sql)), 0);
    assert_int_equal(t.count, 1);
    assert_string_equal(t.items[0].schema, "shop");
    assert_string_equal(t.items[0].name, "orders");
    lock_touches_release(&t);
    /* Not terminated where len ends: only len bytes are read. */
    sql = "DROP TABLE a; DROP TABLE b";
    assert_int_equal(lock_levels_analyse(&t, sql, 12), 0);
    assert_int_equal(t.count, 1);
    assert_string_equal(t.items[0].name, "a");
    lock_touches_release(&t);
}

static void test_nothing_to_say(void **state)
{
    (void)state;
    expect_none("CREATE TABLE orders (id int primary key)");
    expect_none("SET lock_timeout = '2s'");
    expect_none("SELECT 1");
    expect_none("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql");
    expect_none("THIS IS NOT SQL");
    expect_none("");
    assert_string_equal(lock_mode_name(LOCK_MODE_ACCESS_EXCLUSIVE), "ACCESS EXCLUSIVE");
    assert_null(lock_mode_name(LOCK_MODE_NONE));
    assert_string_equal(lock_effect_name(LOCK_EFFECT_REWRITE), "rewrite");
    assert_null(lock_effect_name(LOCK_EFFECT_NONE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alter_table), cmocka_unit_test(test_foreign_key),
        cmocka_unit_test(test_indexes),     cmocka_unit_test(test_tables_and_data),
        cmocka_unit_test(test_schema_kept), cmocka_unit_test(test_nothing_to_say),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
