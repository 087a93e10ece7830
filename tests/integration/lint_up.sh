#!/usr/bin/env bash
# Lint before `up` on every engine, and on PostgreSQL the lock report of
# `up --dry-run`. A dangerous pending migration stops `up` off a terminal
# with exit 6 before anything is applied (checked in the database), --allow
# and --yes let it run. A dry run lists the findings as a warning and, on
# PostgreSQL, shows under each statement the lock it takes on each existing
# table with the size and estimated rows from the catalog (the table is
# ANALYZEd so reltuples is set) and whether it rewrites or scans; a table
# created in the same run gets no such line. Other engines show none.
# shellcheck source=tests/integration/helpers.sh
source "$(dirname "$0")/helpers.sh"

url=$(fresh_url)
m=$T/m
mig "$m" 0001_orders.sql "CREATE TABLE orders (id integer primary key, code varchar(20), total integer);" \
    "DROP TABLE orders;"
mig "$m" 0002_change.sql "ALTER TABLE orders DROP COLUMN code;
CREATE TABLE fresh (id integer primary key);
CREATE INDEX fresh_idx ON fresh (id);" "DROP TABLE fresh;
ALTER TABLE orders ADD COLUMN code varchar(20);"
if [[ $ENGINE == postgres ]]; then
    mig "$m" 0003_pg.sql "SET lock_timeout = '2s';
ALTER TABLE orders ALTER COLUMN total TYPE bigint;
CREATE INDEX orders_total_idx ON orders (total);
ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0) NOT VALID;
UPDATE orders SET total = 0 WHERE total IS NULL;" "DROP INDEX orders_total_idx;
ALTER TABLE orders DROP CONSTRAINT orders_total_check;
ALTER TABLE orders ALTER COLUMN total TYPE integer;"
fi

assert_status 0 ds "$url" "$m" up --to 0001
rows="INSERT INTO orders (id, code, total) VALUES"
for i in $(seq 1 50); do rows+=" ($i, 'c$i', $i),"; done
db_sql "$url" "${rows%,}" >/dev/null
[[ $ENGINE == postgres ]] && db_sql "$url" "ANALYZE orders" >/dev/null

# Off a terminal: refused, nothing applied.
assert_status 6 ds "$url" "$m" up
assert_contains "$ERR" "DS002 drop-column" "the finding is named"
assert_contains "$ERR" "--allow DS002" "says which --allow"
assert_contains "$ERR" "or --yes" "says --yes"
if [[ $ENGINE == postgres ]]; then
    assert_contains "$ERR" "    lock: ACCESS EXCLUSIVE on orders (" "the refusal names the lock and size"
    assert_contains "$ERR" "~50 rows)" "... and the rows"
fi
assert_eq "0001" "$(applied_versions "$url")" "nothing applied after the refusal"
assert_eq 50 "$(db_sql "$url" "SELECT count(code) FROM orders")" "the column is still there"

# A dry run shows the plan and the findings.
assert_status 0 ds "$url" "$m" up --dry-run
assert_contains "$ERR" "dangerous change" "dry run: findings as a warning"
assert_contains "$OUT" "ALTER TABLE orders DROP COLUMN code" "dry run: the SQL"
if [[ $ENGINE == postgres ]]; then
    size=$(db_sql "$url" "SELECT pg_size_pretty(pg_total_relation_size('orders'))")
    assert_contains "$OUT" "    ALTER TABLE orders DROP COLUMN code
    lock  ACCESS EXCLUSIVE on orders ($size, ~50 rows)
    CREATE TABLE fresh" "drop column: lock, size, rows"
    assert_not_contains "$OUT" "on fresh" "a table created in the run gets no lock line"
    assert_contains "$OUT" "lock  ACCESS EXCLUSIVE on orders ($size, ~50 rows), rewrite" "type change rewrites"
    assert_contains "$OUT" "lock  SHARE on orders ($size, ~50 rows), scan" "CREATE INDEX: SHARE, scan"
    assert_contains "$OUT" "NOT VALID
    lock  ACCESS EXCLUSIVE on orders ($size, ~50 rows)
" "NOT VALID check: no scan"
    assert_contains "$OUT" "lock  ROW EXCLUSIVE on orders ($size, ~50 rows)" "UPDATE: ROW EXCLUSIVE"
    assert_not_contains "$OUT" "lock_timeout = '2s'
    lock" "SET touches no table"
else
    assert_not_contains "$OUT" "    lock  " "no lock report on $ENGINE"
fi
assert_eq "0001" "$(applied_versions "$url")" "the dry run applied nothing"

# --allow names the rule: runs. Then back, and --yes: runs.
allow=(--allow DS002)
[[ $ENGINE == postgres ]] && allow+=(--allow DS010)
assert_status 0 ds "$url" "$m" up --to 0002 --allow DS002
assert_eq "0001 0002" "$(applied_versions "$url")" "--allow: applied"
assert_status 0 ds "$url" "$m" down
assert_status 0 ds "$url" "$m" up "${allow[@]}"
assert_status 0 ds "$url" "$m" down --to 0001
assert_status 0 ds "$url" "$m" --yes up
expected="0001 0002"
[[ $ENGINE == postgres ]] && expected+=" 0003"
assert_eq "$expected" "$(applied_versions "$url")" "--yes: all applied"
pass
