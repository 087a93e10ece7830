#!/usr/bin/env bash
# engines: postgres
# lemmy (diesel format: <YYYY-MM-DD-HHMMSS>_name/{up,down}.sql, 342
# migrations, needs the ltree, pg_trgm and pgcrypto extensions, which the
# test server has from postgresql-contrib). Its 000017 puts a trigger on
# diesel's __diesel_schema_migrations, so the table must exist and be kept
# as diesel keeps it.
#
# Options this corpus needs: --keep-history-of diesel.
#
# On PostgreSQL 15 (the server here) the raw client fails too, for reasons
# outside any migration tool: up 2025-08-01-000016 uses a subquery in FROM
# without an alias (PostgreSQL >= 16), and the downs of 2025-08-01-000012
# and a few older ones rename or add NOT NULL constraints by name, which
# only PostgreSQL 18 creates. So: up stops at 000016 with file, line and
# message, everything before it applied; down --all rolls back 000015..13
# and stops at 000012's down the same way; up again re-applies those three
# and stops at 000016 again. diesel's table tracks every step.
#
# On PostgreSQL >= 16, 000016 applies and 000017's trigger refuses any write
# to diesel's table unless the session holds pg_advisory_lock(0), as only
# lemmy's own runner does: dbshift stops at 000017 with that message.
source "$(dirname "$0")/corpus.bash"
KEEP_TABLES=__diesel_schema_migrations

dir=$CORPORA/lemmy/migrations
url=$(fresh_url)
server=$(db_sql "$url" "show server_version_num")
diesel_rows() { db_sql "$url" "select count(*) from __diesel_schema_migrations"; }

timed "lemmy up" "$url" "$dir" --keep-history-of diesel up
if ((server < 160000)); then
    assert_contains "$ERR" "2025-08-01-000016_smoosh-tables-together/up.sql:13" "up: file and line"
    assert_contains "$ERR" "subquery in FROM must have an alias" "up: the server's message"
    assert_applied_before "$url" "$dir" 2025-08-01-000016 "lemmy up"
else
    assert_contains "$ERR" "2025-08-01-000017_forbid_diesel_cli" "up: stops at 000017"
    assert_contains "$ERR" "migrations must be managed using lemmy_server" "up: the trigger's message"
    assert_applied_before "$url" "$dir" 2025-08-01-000017 "lemmy up"
fi
assert_eq "$(applied_count "$url")" "$(diesel_rows)" "diesel's table has a row per applied migration"
assert_contains "$(inventory "$url")" "relation public.person r" "lemmy's tables exist"

if ((server < 160000)); then
    timed "lemmy down --all" "$url" "$dir" --keep-history-of diesel down --all
    assert_contains "$ERR" "2025-08-01-000012_no-individual-inboxes/down.sql:4" "down: file and line"
    assert_contains "$ERR" 'constraint "person_shared_inbox_url_not_null" for table "person" does not exist' "down: the server's message"
    assert_applied_before "$url" "$dir" 2025-08-01-000013 "lemmy down --all"
    assert_eq "$(applied_count "$url")" "$(diesel_rows)" "diesel's rows deleted with each rollback"

    timed "lemmy up again" "$url" "$dir" --keep-history-of diesel up
    assert_contains "$ERR" "2025-08-01-000016_smoosh-tables-together/up.sql:13" "up again: file and line"
    assert_applied_before "$url" "$dir" 2025-08-01-000016 "lemmy up again"
    assert_eq "$(applied_count "$url")" "$(diesel_rows)" "diesel's table after up again"
fi

pass
