#!/usr/bin/env bash
# engines: postgres
# `dbshift test` on kratos (see docs/schema.md). Checked by hand: kratos's
# downs are shifted by one version (each undoes the next version's up), so
# the first migration whose down does not restore the schema is
# 20191100000001000002_identities: its up creates the index
# identity_credential_types_name_idx, its down drops the table
# identity_credentials, which only 20191100000001000003 creates. Rolling the
# whole sequence back from the newest leaves the two extensions no down
# drops (btree_gin, pg_trgm). PostgreSQL only: the same finding holds on
# SQLite and MariaDB but takes minutes there (every failed round trip on
# SQLite rebuilds the shadow).
source "$(dirname "$0")/corpus.bash"

dir=$CORPORA/kratos/persistence/sql/migrations/sql
url=$(fresh_url)
assert_status 1 ds "$url" "$dir" test --format json
assert_eq "20191100000001000002" "$(json_get "$OUT" 'd["first_failed"]')" "first irreversible migration"
assert_eq "down failed" "$(json_get "$OUT" '[x for x in d["migrations"] if x["version"] == "20191100000001000002"][0]["message"].split(":")[0]')" "its down fails"
assert_contains "$(json_get "$OUT" '[x for x in d["migrations"] if x["version"] == "20191100000001000002"][0]["message"]')" "identity_credentials" "naming the table"
assert_eq "ok" "$(json_get "$OUT" '[x for x in d["migrations"] if x["version"] == "20191100000001000001"][0]["outcome"]')" "the migration before it round-trips"
assert_eq '["extension public.btree_gin", "extension public.pg_trgm"]' \
    "$(json_get "$OUT" '[x["object"] for x in d["migrations"][-1]["differences"]]')" \
    "the full rollback leaves the two extensions"
assert_eq "0" "$(user_tables "$url" | grep -c . || true)" "the target itself is untouched"
pass
