#!/usr/bin/env bash
# engines: postgres
# harbor (golang-migrate format, 39 up-only files, sparse numbers). Its
# 0030 ALTERs golang-migrate's own schema_migrations table and 0040 alters
# it back, so the set only runs as harbor runs it when that table exists and
# is kept the way golang-migrate keeps it.
#
# Options this corpus needs: --keep-history-of golang-migrate.
#
# Checked: without the option dbshift stops at 0030 (file, line, server
# message) with the 15 before it applied, as the raw client does; with it,
# all 39 apply and schema_migrations holds what golang-migrate would write
# (190, not dirty); a second up has nothing to do; and `adopt` on the result
# finds the same 39 already recorded.
source "$(dirname "$0")/corpus.bash"

dir=$CORPORA/harbor/make/migrations/postgresql
files=$(cd "$dir" && ls ./*.up.sql | sed 's|^\./||')
assert_eq 39 "$(printf '%s\n' "$files" | wc -l | tr -d ' ')" "harbor has 39 up files"

# Without golang-migrate's table: stops exactly at 0030.
url=$(fresh_url)
timed "harbor up (no history table)" "$url" "$dir" up
assert_stopped_at "$url" "0030_2.0.0_schema.up.sql" 22 'relation "schema_migrations" does not exist' \
    "$(count_before "$files" 0030)" "harbor without --keep-history-of"

# As harbor runs it.
url=$(fresh_url)
timed "harbor up" "$url" "$dir" --keep-history-of golang-migrate up
assert_eq 0 "$STATUS" "harbor applies with --keep-history-of golang-migrate: $ERR"
assert_eq 39 "$(applied_count "$url")" "all 39 applied"
assert_eq "190	f" "$(db_sql "$url" "select version, dirty from schema_migrations")" "golang-migrate's row"
status_json "$url" "$dir"
assert_eq 0 "$(json_get "$OUT" "d['pending']")" "nothing pending"
assert_eq golang-migrate "$(json_get "$OUT" "d['format']")" "format detected"
before=$(inventory "$url")
assert_contains "$before" "relation public.artifact r" "harbor's tables exist"
timed "harbor up again" "$url" "$dir" --keep-history-of golang-migrate up
assert_eq 0 "$STATUS" "second up: $ERR"
assert_eq "$before" "$(inventory "$url")" "second up changes nothing"
assert_status 0 ds "$url" "$dir" adopt --format json
assert_eq "0 39" "$(json_get "$OUT" "len(d['adopted'])") $(json_get "$OUT" "d['already']")" "adopt finds them recorded"

pass
