#!/usr/bin/env bash
# `dbshift up --targets FILE` on the engine under test: several databases
# listed by URL, run in parallel, each with its own connection and lock; one
# broken target fails alone and a rerun after the fix continues it.
source "$(dirname "$0")/../lib.sh"

M=$T/migrations
mkdir -p "$M"
printf -- '-- dbshift:up\nCREATE TABLE accounts (id INTEGER PRIMARY KEY, name VARCHAR(50));\n-- dbshift:down\nDROP TABLE accounts;\n' >"$M/0001_accounts.sql"
printf -- '-- dbshift:up\nCREATE TABLE invoices (id INTEGER PRIMARY KEY, account_id INTEGER);\n-- dbshift:down\nDROP TABLE invoices;\n' >"$M/0002_invoices.sql"
printf -- '-- dbshift:up\nCREATE INDEX invoices_account_idx ON invoices (account_id);\n-- dbshift:down\nDROP INDEX invoices_account_idx%s;\n' \
    "$([[ $DBSHIFT_TEST_ENGINE == mysql ]] && echo ' ON invoices')" >"$M/0003_invoices_index.sql"

urls=()
for i in 1 2 3 4; do urls+=("$(fresh_url)"); done
# Target 2 already has a table the migrations want to create.
db_sql "${urls[1]}" "CREATE TABLE invoices (x INTEGER)" >/dev/null
# Target 3 is half-way already.
assert_status 0 "$DBSHIFT" --url "${urls[2]}" --dir "$M" up --to 0001 --no-backup
printf '%s\n' "# tenants" "${urls[@]}" >"$T/targets"

assert_status 1 "$DBSHIFT" --dir "$M" up --targets "$T/targets" --jobs 3 --format json
assert_eq "3 0 1" "$(jq -r '"\(.upgraded) \(.current) \(.failed)"' <<<"$OUT")" "one target failed alone"
assert_eq "null 0001 failed" "$(jq -r '.targets[1] | "\(.from) \(.to) \(.outcome)"' <<<"$OUT")" \
    "the broken target stopped after what it could apply"
assert_eq "0001 0003 upgraded" "$(jq -r '.targets[2] | "\(.from) \(.to) \(.outcome)"' <<<"$OUT")" \
    "the half-way target continued"
password=$(sed -n 's|^[a-z]*://[^:/@]*:\([^@]*\)@.*|\1|p' <<<"${urls[0]}")
[[ -z $password ]] || assert_not_contains "$OUT" "$password" "no password in the output"
for i in 0 2 3; do
    assert_eq 3 "$(db_sql "${urls[$i]}" "SELECT count(*) FROM dbshift_migrations")" "target $((i + 1)) applied"
done

db_sql "${urls[1]}" "DROP TABLE invoices" >/dev/null
# MySQL cannot roll DDL back: there the failed migration is marked failed
# and continues with --resume, as a single `up` would.
resume=()
[[ $DBSHIFT_TEST_ENGINE != mysql ]] || resume=(--resume)
assert_status 0 "$DBSHIFT" --dir "$M" up --targets "$T/targets" --jobs 2 "${resume[@]}"
assert_contains "$OUT" "4 targets: 1 upgraded, 3 current, 0 failed" "rerun continues the failed one"
assert_eq 3 "$(db_sql "${urls[1]}" "SELECT count(*) FROM dbshift_migrations")" "target 2 finished"

pass
