#!/usr/bin/env bash
# The ways a run must refuse or fail, each followed by a look at the
# database: broken migration folders (duplicate versions, no up section,
# an unknown directive, a file that is not UTF-8) change nothing; a failing
# statement is logged with its error, file and line and, where the engine
# rolls DDL back, leaves schema and history exactly as they were; a changed
# applied file stops up before anything runs; an out-of-order file stops
# up until --allow-out-of-order; an irreversible or down-less migration
# stops down before anything is rolled back.
source "$(dirname "$0")/helpers.sh"

url=$(fresh_url)
m=$T/m
mig "$m" 010_base.sql "CREATE TABLE base (id INTEGER PRIMARY KEY);" "DROP TABLE base;"
assert_status 0 ds "$url" "$m" up
base_snapshot=$(snapshot "$url")

# expect_refused NAME: up, status and validate all fail on the broken
# folder, each naming the file, and the database stays exactly as it was.
expect_refused() {
    local name=$1 cmd
    for cmd in up status validate; do
        assert_status '!0' ds "$url" "$m" "$cmd"
        assert_contains "$ERR" "$name" "$cmd names the broken file"
    done
    assert_eq "$base_snapshot" "$(snapshot "$url")" "a refused run changed the database ($name)"
}

# -------------------------------------------------- broken folders
cp -r "$m" "$T/keep"
mig "$m" 020_dup_one.sql "CREATE TABLE dup1 (id INTEGER);" "DROP TABLE dup1;"
mig "$m" 20_dup_two.sql "CREATE TABLE dup2 (id INTEGER);" "DROP TABLE dup2;"
expect_refused "20_dup_two.sql"
assert_contains "$ERR" "020_dup_one.sql" "a duplicate version names both files"
rm "$m/020_dup_one.sql" "$m/20_dup_two.sql"

printf -- '-- just a comment\n-- dbshift:down\nDROP TABLE nothing;\n' >"$m/020_no_up.sql"
expect_refused "020_no_up.sql"
rm "$m/020_no_up.sql"

printf -- '-- dbshift:up\nCREATE TABLE u (id INTEGER);\n-- dbshift:frobnicate\n-- dbshift:down\nDROP TABLE u;\n' >"$m/020_directive.sql"
expect_refused "020_directive.sql"
assert_contains "$ERR" "frobnicate" "the unknown directive is named"
rm "$m/020_directive.sql"

printf -- '-- dbshift:up\nCREATE TABLE caf\xe9 (id INTEGER);\n-- dbshift:down\nDROP TABLE caf\xe9;\n' >"$m/020_latin1.sql"
expect_refused "020_latin1.sql"
assert_contains "$ERR" "UTF-8" "the encoding problem is named"
rm "$m/020_latin1.sql"

# -------------------------------------------------- failing statement
if [[ $ENGINE == mysql ]]; then
    fail_up="INSERT INTO base (id) VALUES (1);
INSERT INTO base (id) VALUES (2);
INSERT INTO base (id) VALUES (3), (1);"
else
    fail_up="CREATE TABLE half (id INTEGER);
INSERT INTO base (id) VALUES (1);
INSERT INTO base (id) VALUES (3), (1);"
fi
mig "$m" 020_fails.sql "$fail_up" "DELETE FROM base WHERE id > 0;"
before=$(snapshot "$url" nolog)
assert_status 1 ds "$url" "$m" up
assert_contains "$ERR" "020_fails.sql:4" "the error names file and line"
assert_contains "$ERR" "rolled back" "the error says the migration was rolled back"
assert_eq "$before" "$(snapshot "$url" nolog)" "schema and history are exactly as before the failed migration"
assert_eq 0 "$(db_sql "$url" "select count(*) from base")" "no row of the failed migration remains"
assert_eq 1 "$(log_count "$url" "version = '020' and success = 0")" "one failed log row"
row=$(db_sql "$url" "select file, line, statement from dbshift_log where version = '020'")
assert_contains "$row" "020_fails.sql" "the log row holds the file"
assert_contains "$row"$'\t' $'\t4\t' "the log row holds the line"
assert_contains "$row" "VALUES (3), (1)" "the log row holds the statement"
assert_contains "$(db_sql "$url" "select error from dbshift_log where version = '020'")" "$(
    case $ENGINE in sqlite) echo UNIQUE ;; postgres) echo duplicate ;; mysql) echo Duplicate ;; esac
)" "the log row holds the error"
rm "$m/020_fails.sql"

# -------------------------------------------------- checksum mismatch
mig "$m" 030_next.sql "CREATE TABLE next_one (id INTEGER);" "DROP TABLE next_one;"
printf -- '-- dbshift:up\nCREATE TABLE base (id INTEGER PRIMARY KEY, extra INTEGER);\n-- dbshift:down\nDROP TABLE base;\n' >"$m/010_base.sql"
before=$(snapshot "$url")
assert_status 5 ds "$url" "$m" up
assert_contains "$ERR" "010_base.sql" "the mismatch names the changed file"
assert_eq "$before" "$(snapshot "$url")" "nothing ran after a checksum mismatch"
cp "$T/keep/010_base.sql" "$m/010_base.sql"
assert_status 0 ds "$url" "$m" up
assert_eq "base next_one" "$(user_tables "$url")" "the original file lets up run"

# -------------------------------------------------- out of order
mig "$m" 025_late.sql "CREATE TABLE late (id INTEGER);" "DROP TABLE late;"
before=$(snapshot "$url")
assert_status '!0' ds "$url" "$m" up
assert_contains "$ERR" "025" "up names the out-of-order version"
assert_eq "$before" "$(snapshot "$url")" "nothing ran past an out-of-order file"
assert_status 0 ds "$url" "$m" up --allow-out-of-order
assert_eq "base late next_one" "$(user_tables "$url")" "--allow-out-of-order applies it"
assert_eq 1 "$(history_count "$url" "version = '025' and status = 'applied'")" "the late version is recorded"

# -------------------------------------------------- irreversible
mig "$m" 040_one_way.sql "CREATE TABLE one_way (id INTEGER);" irreversible
mig "$m" 050_top.sql "CREATE TABLE top_one (id INTEGER);" "DROP TABLE top_one;"
assert_status 0 ds "$url" "$m" up
before=$(snapshot "$url")
assert_status 1 ds "$url" "$m" down 2
assert_contains "$ERR" "040" "down names the irreversible migration"
assert_contains "$ERR" "irreversible" "down says why"
assert_eq "$before" "$(snapshot "$url")" "down ran something before the irreversible migration"
rm "$m/050_top.sql"
assert_status 0 ds "$url" "$m" repair --yes
assert_eq "base late next_one one_way top_one" "$(user_tables "$url")" "repair forgot 050 but kept its table"
printf -- '-- dbshift:up\nCREATE TABLE no_down (id INTEGER);\n' >"$m/060_no_down.sql"
mig "$m" 070_top.sql "CREATE TABLE top_two (id INTEGER);" "DROP TABLE top_two;"
assert_status 0 ds "$url" "$m" up
before=$(snapshot "$url")
assert_status 1 ds "$url" "$m" down 2
assert_contains "$ERR" "060" "down names the migration without a down section"
assert_eq "$before" "$(snapshot "$url")" "down ran something before the down-less migration"
assert_status 0 ds "$url" "$m" down
assert_eq 0 "$(history_count "$url" "version = '070'")" "a plain down still works"

pass
