/*
 * fuzz_split.c - libFuzzer target for the statement splitter of one
 * dialect (FUZZ_DIALECT, set by scripts/fuzz: 1 SQLite, 2 Postgres,
 * 3 MySQL). Any input must either split into statements that lie inside
 * the text, in order and without overlap, or fail with DBSHIFT_EPARSE and
 * a position inside the text; anything else (a crash, a leak, a statement
 * out of bounds) is a bug the core would turn into running the wrong SQL.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dbshift/driver.h"
#include "sql/split.h"

#ifndef FUZZ_DIALECT
#define FUZZ_DIALECT DBSHIFT_DIALECT_SQLITE
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly size bytes, so reading past the end is caught. */
    char *text = malloc(size ? size : 1);
    if (!text)
        return 0;
    if (size)
        memcpy(text, data, size);
    sql_split s = {0};
    dbshift_error err = {0};
    int rc = sql_split_text(&s, text, size, FUZZ_DIALECT, &err);
    if (rc == 0) {
        size_t end = 0;
        for (size_t i = 0; i < s.count; i++) {
            const sql_statement *st = &s.items[i];
            if (st->offset < end || st->offset + st->len > size || st->line < 1 || st->column < 1)
                abort();
            end = st->offset + st->len;
        }
    } else if (rc != DBSHIFT_EPARSE || s.count != 0 || err.line < 0) {
        abort();
    }
    sql_split_release(&s);
    dbshift_error_clear(&err);
    free(text);
    return 0;
}
