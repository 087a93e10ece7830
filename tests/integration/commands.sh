#!/usr/bin/env bash
# Every dbshift command against a real database of the engine under test:
# new, up (--to, --dry-run, --single-transaction), down (N, --to, --all),
# redo, status in every state (and --exit-code), history, validate, repair
# and baseline. Each step is checked in the database itself with the
# engine's own client, not only through what dbshift prints.
source "$(dirname "$0")/helpers.sh"

# ---------------------------------------------------------------- new
m=$T/new
assert_status 0 "$DBSHIFT" new create_users --dir "$m"
ts_file=$(cd "$m" && ls)
[[ $ts_file =~ ^[0-9]{14}_create_users\.sql$ ]] || fail "timestamped name expected, got '$ts_file'"
assert_contains "$(cat "$m/$ts_file")" "-- dbshift:up" "new writes an up section"
assert_contains "$(cat "$m/$ts_file")" "-- dbshift:down" "new writes a down section"
s=$T/seq
assert_status 0 "$DBSHIFT" new first --sequential --dir "$s"
assert_status 0 "$DBSHIFT" new second --sequential --dir "$s"
assert_eq "0001_first.sql 0002_second.sql" "$(cd "$s" && ls | tr '\n' ' ' | sed 's/ $//')" "sequential numbering"

# ---------------------------------------------------------------- up
url=$(fresh_url)
m=$T/m
for v in 1 2 3 4; do
    mig "$m" "00${v}_t${v}.sql" "CREATE TABLE t$v (id INTEGER PRIMARY KEY, label VARCHAR(20));" "DROP TABLE t$v;"
done

before=$(snapshot "$url")
assert_status 0 ds "$url" "$m" up --dry-run
assert_contains "$OUT" "CREATE TABLE t1" "dry run prints the SQL"
assert_contains "$OUT" "004" "dry run lists the last migration"
assert_eq "$before" "$(snapshot "$url")" "up --dry-run changed the database"
assert_eq "" "$(user_tables "$url")" "no tables after a dry run"

assert_status 0 ds "$url" "$m" up --to 002
assert_eq "t1 t2" "$(user_tables "$url")" "up --to 002 creates t1 t2"
assert_eq "001 002" "$(applied_versions "$url")" "up --to 002 history"

assert_status 0 ds "$url" "$m" up
assert_eq "t1 t2 t3 t4" "$(user_tables "$url")" "up applies the rest"
assert_eq "001 002 003 004" "$(applied_versions "$url")" "up history"
assert_eq 4 "$(log_count "$url" "direction = 'up' and success = 1")" "one log row per applied migration"

assert_status 0 ds "$url" "$m" status --exit-code
assert_status 0 ds "$url" "$m" up
assert_contains "$OUT" "up to date" "a second up has nothing to do"
assert_eq 4 "$(log_count "$url")" "a second up writes no log rows"

# ---------------------------------------------------------------- down
assert_status 0 ds "$url" "$m" down
assert_eq "t1 t2 t3" "$(user_tables "$url")" "down rolls back the newest"
assert_eq "001 002 003" "$(applied_versions "$url")" "down history"

assert_status 0 ds "$url" "$m" down 2
assert_eq "t1" "$(user_tables "$url")" "down 2"
assert_eq "001" "$(applied_versions "$url")" "down 2 history"

assert_status 0 ds "$url" "$m" up
assert_status 0 ds "$url" "$m" down --to 002
assert_eq "t1 t2" "$(user_tables "$url")" "down --to 002 keeps 002"
assert_eq "001 002" "$(applied_versions "$url")" "down --to history"

assert_status 0 ds "$url" "$m" down --all
assert_eq "" "$(user_tables "$url")" "down --all drops everything"
assert_eq 0 "$(history_count "$url")" "down --all empties the history"
assert_eq 2 "$(log_count "$url" "direction = 'down' and version = '002'")" "002 was rolled back twice"

# ---------------------------------------------------------------- redo
assert_status 0 ds "$url" "$m" up
db_sql "$url" "INSERT INTO t4 (id, label) VALUES (1, 'before redo')"
assert_status 0 ds "$url" "$m" redo
assert_eq "t1 t2 t3 t4" "$(user_tables "$url")" "redo leaves every table"
assert_eq 0 "$(db_sql "$url" "select count(*) from t4")" "redo really dropped and recreated t4"
assert_eq 4 "$(log_count "$url" "version = '004' and direction = 'up' and success = 1")" "redo re-applied 004"
assert_eq 3 "$(log_count "$url" "version = '004' and direction = 'down' and success = 1")" "redo rolled 004 back"
assert_eq "001 002 003 004" "$(applied_versions "$url")" "redo history"

# ------------------------------------------------- single transaction
url=$(fresh_url)
m=$T/single
if [[ $ENGINE == mysql ]]; then
    # MySQL commits around DDL, so all-or-nothing only covers DML: the
    # tables come first, then three data migrations with a failing third.
    mig "$m" 001_tables.sql "CREATE TABLE s1 (id INT PRIMARY KEY); CREATE TABLE s2 (id INT PRIMARY KEY);" "DROP TABLE s1; DROP TABLE s2;"
    assert_status 0 ds "$url" "$m" up
    mig "$m" 002_d1.sql "INSERT INTO s1 VALUES (1);" "DELETE FROM s1 WHERE id > 0;"
    mig "$m" 003_d2.sql "INSERT INTO s2 VALUES (1);" "DELETE FROM s2 WHERE id > 0;"
    mig "$m" 004_d3.sql "INSERT INTO s1 VALUES (2);
INSERT INTO s1 VALUES (1);" "DELETE FROM s1 WHERE id > 0;"
    before=$(snapshot "$url")
    assert_status 1 ds "$url" "$m" up --single-transaction
    assert_eq 0 "$(db_sql "$url" "select (select count(*) from s1) + (select count(*) from s2)")" "single transaction rolled back every row"
    assert_eq "001" "$(applied_versions "$url")" "single transaction history"
    assert_eq 1 "$(log_count "$url" "version = '004' and success = 0")" "the failure is logged"
    # With DDL in it, MySQL refuses before running anything.
    mig "$m" 005_ddl.sql "CREATE TABLE s3 (id INT);" "DROP TABLE s3;"
    rm "$m/004_d3.sql"
    assert_status 1 ds "$url" "$m" up --single-transaction
    assert_contains "$ERR" "single-transaction" "the refusal names the option"
    assert_eq "s1 s2" "$(user_tables "$url")" "nothing ran after the refusal"
else
    mig "$m" 001_s1.sql "CREATE TABLE s1 (id INTEGER PRIMARY KEY);" "DROP TABLE s1;"
    mig "$m" 002_s2.sql "CREATE TABLE s2 (id INTEGER PRIMARY KEY);" "DROP TABLE s2;"
    mig "$m" 003_s3.sql "CREATE TABLE s3 (id INTEGER PRIMARY KEY);
INSERT INTO no_such_table VALUES (1);" "DROP TABLE s3;"
    assert_status 1 ds "$url" "$m" up --single-transaction
    assert_eq "" "$(user_tables "$url")" "single transaction rolled back all three"
    assert_eq 0 "$(history_count "$url")" "no history rows after the rollback"
    assert_eq 1 "$(log_count "$url" "version = '003' and success = 0")" "the failure is logged"
fi

# ------------------------------------------------- status, every state
url=$(fresh_url)
m=$T/states
mig "$m" 010_a.sql "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
mig "$m" 020_b.sql "CREATE TABLE b (id INTEGER PRIMARY KEY);" "DROP TABLE b;"
mig "$m" 030_c.sql "CREATE TABLE c (id INTEGER PRIMARY KEY);" "DROP TABLE c;"
printf -- '-- dbshift:up transaction=false\nCREATE TABLE d (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n-- dbshift:down\nDROP TABLE d;\n' >"$m/040_d.sql"
assert_status 3 ds "$url" "$m" status --exit-code
assert_contains "$OUT" "pending" "status lists pending migrations"
assert_status 1 ds "$url" "$m" up
assert_eq 1 "$(history_count "$url" "version = '040' and status = 'failed' and statements_done = 1")" "040 marked failed after one statement"
echo "-- edited" >>"$m/020_b.sql"
rm "$m/030_c.sql"
mig "$m" 025_oo.sql "CREATE TABLE oo (id INTEGER PRIMARY KEY);" "DROP TABLE oo;"
mig "$m" 060_p.sql "CREATE TABLE p (id INTEGER PRIMARY KEY);" "DROP TABLE p;"
before=$(snapshot "$url")
assert_status 0 ds "$url" "$m" status
for state in applied changed missing failed out_of_order pending; do
    assert_contains "$OUT" "$state" "status shows the $state state"
done
assert_status 3 ds "$url" "$m" status --exit-code
assert_eq "$before" "$(snapshot "$url")" "status changed the database"
assert_status 0 ds "$url" "$m" status --format json
states=$(json_get "$OUT" '" ".join(x["version"] + "=" + x["state"] for x in d["migrations"])')
assert_eq "010=applied 020=changed 025=out_of_order 030=missing 040=failed 060=pending" "$states" "states in JSON"

# ---------------------------------------------------------------- history
assert_status 0 ds "$url" "$m" history
assert_contains "$OUT" "failed" "history shows the failed attempt"
assert_contains "$OUT" "$(db_sql "$url" "select error from dbshift_log where version = '040'")" "history shows the error"
assert_eq 4 "$(grep -c '  up  ' <<<"$OUT" || true)" "history shows four up attempts"

# ---------------------------------------------------------------- validate
assert_status 5 ds "$url" "$m" validate
assert_contains "$OUT$ERR" "020_b.sql" "validate names the changed file"
assert_contains "$OUT$ERR" "030" "validate names the missing migration"
assert_contains "$OUT$ERR" "missing" "validate says it is missing"
assert_eq "$before" "$(snapshot "$url")" "validate changed the database"

# ---------------------------------------------------------------- repair
assert_status 1 ds "$url" "$m" repair
assert_eq "$before" "$(snapshot "$url")" "unconfirmed repair changed the database"
assert_status 0 ds "$url" "$m" repair --yes
assert_eq 0 "$(history_count "$url" "status = 'failed'")" "repair cleared the failed mark"
assert_status 0 ds "$url" "$m" status --format json
assert_eq "$(json_get "$OUT" '[x["checksum"] for x in d["migrations"] if x["version"] == "020"][0]')" \
    "$(db_sql "$url" "select checksum from dbshift_migrations where version = '020'")" "repair accepted the new checksum"
assert_eq "a b c d" "$(user_tables "$url")" "repair never touches the schema"
assert_status 0 ds "$url" "$m" validate
assert_eq 3 "$(log_count "$url" "direction = 'repair'")" "one repair log row per problem"

# ---------------------------------------------------------------- baseline
url=$(fresh_url)
m=$T/base
mig "$m" 001_x.sql "CREATE TABLE x1 (id INTEGER PRIMARY KEY);" "DROP TABLE x1;"
mig "$m" 002_x.sql "CREATE TABLE x2 (id INTEGER PRIMARY KEY);" "DROP TABLE x2;"
mig "$m" 003_x.sql "CREATE TABLE x3 (id INTEGER PRIMARY KEY);" "DROP TABLE x3;"
assert_status 0 ds "$url" "$m" baseline --version 002
assert_eq "" "$(user_tables "$url")" "baseline runs nothing"
assert_eq 2 "$(history_count "$url" "version in ('001', '002')")" "baseline records 001 and 002"
assert_eq 2 "$(log_count "$url" "direction = 'baseline'")" "baseline logs each version it records"
assert_status 0 ds "$url" "$m" up
assert_eq "x3" "$(user_tables "$url")" "up after baseline runs only 003"

pass
