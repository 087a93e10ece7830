/*
 * test_version.c - ordering of migration versions: numeric part by part,
 * any length, with '.', '_' and '-' as separators, so every tool's version
 * style (sequences, timestamps, 20-digit popx, Flyway, diesel) sorts right.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "source/migration.h"

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

/* Checks a <=> b and its mirror, so the order is antisymmetric. */
static void expect_order(const char *a, const char *b, int want)
{
    assert_int_equal(sign(version_compare(a, b)), want);
    assert_int_equal(sign(version_compare(b, a)), -want);
}

static void test_numeric_not_lexical(void **state)
{
    (void)state;
    expect_order("1.9", "1.10", -1);
    expect_order("2", "10", -1);
    expect_order("9", "10", -1);
    expect_order("1.2.10", "1.2.9", 1);
}

static void test_leading_zeros(void **state)
{
    (void)state;
    expect_order("001", "1", 0);
    expect_order("0001", "0002", -1);
    expect_order("0", "000", 0);
    expect_order("0015", "2", 1);
}

static void test_beyond_64_bits(void **state)
{
    (void)state;
    expect_order("20150100000001000000", "20191100000001000000", -1);
    expect_order("99999999999999999999", "100000000000000000000", -1);
    expect_order("20251105000000000003", "20251105000000000003", 0);
    expect_order("18446744073709551616", "18446744073709551615", 1);
}

static void test_separators(void **state)
{
    (void)state;
    expect_order("1_2", "1.2", 0);
    expect_order("1.2", "1.2.1", -1);
    expect_order("2019-02-26-002946", "2019-02-27-170003", -1);
    expect_order("00000000000000", "2019-02-26-002946", -1);
    expect_order("2025-08-01-000017-0000", "2025-08-01-000016", 1);
    expect_order("2026-06-03-220228-0000", "2026-07-08-184840-0000", -1);
}

static int qsort_compare(const void *a, const void *b)
{
    return version_compare(*(const char *const *)a, *(const char *const *)b);
}

static void test_sorts_a_mixed_list(void **state)
{
    (void)state;
    const char *v[] = {"1.10", "2", "1.9", "1", "1.2.1", "01.2", "100000000000000000000", "3"};
    const char *want[] = {"1", "01.2", "1.2.1", "1.9", "1.10", "2", "3", "100000000000000000000"};
    qsort(v, sizeof(v) / sizeof(v[0]), sizeof(v[0]), qsort_compare);
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        assert_string_equal(v[i], want[i]);
}

static void test_null_sorts_first(void **state)
{
    (void)state;
    assert_true(version_compare(NULL, "1") < 0);
    assert_true(version_compare("1", NULL) > 0);
    assert_int_equal(version_compare(NULL, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numeric_not_lexical), cmocka_unit_test(test_leading_zeros),
        cmocka_unit_test(test_beyond_64_bits),      cmocka_unit_test(test_separators),
        cmocka_unit_test(test_sorts_a_mixed_list),  cmocka_unit_test(test_null_sorts_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
