#!/usr/bin/env bash
# engines: postgres mysql sqlite
# temporal (temporal-sql-tool format: versioned/vX.Y/manifest.json lists
# the files of each version, in semantic order, v1.9 < v1.10; run statement
# by statement outside transactions; up only). temporal and visibility are
# two databases, each its own folder. No option needed: the format is
# detected. Each listed file is one migration (the 2nd and 3rd files of a
# version get versions 1.5.1, 1.5.2); a version whose manifest lists no
# file is recorded with an empty section.
#
# PostgreSQL: all 40 listed files apply (temporal 25 files in 20 versions,
# visibility 15 files in 15 versions, 3 of them empty; the 4 .sql files no
# manifest lists are not run), CREATE INDEX CONCURRENTLY included.
# MariaDB: temporal's 26 files apply; visibility uses MySQL 8 syntax (JSON
# -> in generated columns) and stops at v1.2 with file, line and the
# server's message, v1.0 and v1.1 applied.
# SQLite: the versioned updates presuppose a v0.1 schema that is not in the
# tree: v0.2-v0.5 only add tables, and dbshift stops at v0.6, which alters a
# v0.1 table, naming file and line;
# the full schema.sql (what the raw client applies) runs as a migration when
# copied unchanged under a migration name (1_schema.sql, read as sqlx).
source "$(dirname "$0")/corpus.bash"

case $ENGINE in
postgres) base=$CORPORA/temporal/schema/postgresql/v12 ;;
mysql) base=$CORPORA/temporal/schema/mysql/v8 ;;
sqlite) base=$CORPORA/temporal/schema/sqlite/v3 ;;
esac

# applies_all DB-FOLDER COUNT: every migration applies, again is a no-op.
applies_all() {
    local sub=$1 count=$2 url inv
    url=$(fresh_url)
    timed "temporal $sub up" "$url" "$base/$sub/versioned" up
    assert_eq 0 "$STATUS" "temporal $sub applies: $ERR"
    assert_eq "$count" "$(applied_count "$url")" "temporal $sub: $count migrations"
    status_json "$url" "$base/$sub/versioned"
    assert_eq temporal "$(json_get "$OUT" "d['format']")" "format detected"
    assert_eq 0 "$(json_get "$OUT" "d['pending']")" "temporal $sub: nothing pending"
    assert_eq true "$(json_get "$OUT" "[m['version'] for m in d['migrations']].index('1.10') > [m['version'] for m in d['migrations']].index('1.9')")" "v1.10 after v1.9"
    inv=$(inventory "$url")
    timed "temporal $sub up again" "$url" "$base/$sub/versioned" up
    assert_eq 0 "$STATUS" "second up: $ERR"
    assert_eq "$inv" "$(inventory "$url")" "second up changes nothing"
}

case $ENGINE in
postgres)
    applies_all temporal 25
    applies_all visibility 18
    ;;
mysql)
    applies_all temporal 26
    url=$(fresh_url)
    timed "temporal visibility up" "$url" "$base/visibility/versioned" up
    assert_contains "$ERR" "v1.2/advanced_visibility.sql:4" "visibility: file and line"
    assert_contains "$ERR" "You have an error in your SQL syntax" "visibility: the server's message"
    assert_applied_before "$url" "$base/visibility/versioned" 1.2 "temporal visibility" failed
    ;;
sqlite)
    url=$(fresh_url)
    timed "temporal versioned up" "$url" "$base/temporal/versioned" up
    assert_contains "$ERR" "v0.6/add_current_executions_start_time.sql:1" "versioned: file and line"
    assert_contains "$ERR" "no such table: current_executions" "versioned: the engine's message"
    assert_applied_before "$url" "$base/temporal/versioned" 0.6 "temporal versioned" failed
    for sub in temporal visibility; do
        mkdir -p "$T/$sub"
        cp "$base/$sub/schema.sql" "$T/$sub/1_schema.sql"
        url=$(fresh_url)
        timed "temporal $sub schema.sql up" "$url" "$T/$sub" up
        assert_eq 0 "$STATUS" "$sub schema.sql applies: $ERR"
        assert_eq 1 "$(applied_count "$url")" "$sub schema.sql applied"
        assert_contains "$(inventory "$url")" "table " "$sub schema.sql: its tables exist"
    done
    ;;
esac

pass
