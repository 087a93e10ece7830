#!/usr/bin/env bash
# engines: postgres
# supabase-auth (gobuffalo pop format, 70 up-only files, one with a
# .postgres dialect suffix). Every file names its schema through the Go
# template {{ index .Options "Namespace" }}; the schema itself, and the
# `postgres` role its GRANTs name, are created by Supabase's deployment,
# not by a migration. Its 00_init creates pop's history table
# auth.schema_migrations itself, which 20240612123726 later alters.
#
# Options this corpus needs: --var Namespace=auth, and beforehand
# CREATE SCHEMA auth (plus the role postgres, present on any Supabase
# database).
#
# Checked: without --var nothing runs and the error names the file, line
# and option; without the schema the first file fails naming it; with both
# all 70 apply (the raw client: 0/70 raw, 70/70 rendered with the prelude)
# and a second up has nothing to do.
source "$(dirname "$0")/corpus.bash"

dir=$CORPORA/supabase-auth/migrations
nfiles=$(cd "$dir" && ls ./*.up.sql | wc -l | tr -d ' ')
assert_eq 70 "$nfiles" "supabase-auth has 70 up files"

url=$(fresh_url)
timed "supabase-auth up (no --var)" "$url" "$dir" up
assert_contains "$ERR" "no value for template option 'Namespace'" "missing --var named"
assert_contains "$ERR" "00_init_auth_schema.up.sql:3" "missing --var: file and line"
assert_eq "" "$(inventory "$url")" "nothing ran without --var"

timed "supabase-auth up (no schema)" "$url" "$dir" --var Namespace=auth up
assert_contains "$ERR" 'schema "auth" does not exist' "missing schema: the server's message"
assert_contains "$ERR" "00_init_auth_schema.up.sql:3" "missing schema: file and line"

# What Supabase's deployment provides before the first migration. The role
# is cluster-wide, so it may exist already from another run.
db_sql "$url" "CREATE SCHEMA auth; DO \$\$ BEGIN CREATE ROLE postgres; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$;"
timed "supabase-auth up" "$url" "$dir" --var Namespace=auth up
assert_eq 0 "$STATUS" "supabase-auth applies: $ERR"
assert_eq 70 "$(applied_count "$url")" "all 70 applied"
status_json "$url" "$dir" --var Namespace=auth
assert_eq 0 "$(json_get "$OUT" "d['pending']")" "nothing pending"
# 00_init creates pop's table and 20240612123726 alters it; nothing reads
# its rows during the migrations, so dbshift's own history is enough.
assert_eq 0 "$(db_sql "$url" "select count(*) from auth.schema_migrations")" "pop's table created by 00_init, left alone"
inv=$(inventory "$url")
assert_contains "$inv" "relation auth.users r" "auth.users exists"
timed "supabase-auth up again" "$url" "$dir" --var Namespace=auth up
assert_eq 0 "$STATUS" "second up: $ERR"
assert_eq "$inv" "$(inventory "$url")" "second up changes nothing"

pass
