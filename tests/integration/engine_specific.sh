#!/usr/bin/env bash
# What only one engine has. PostgreSQL: dollar-quoted functions and DO
# blocks, CREATE INDEX CONCURRENTLY (allowed under transaction=false,
# refused in a transaction before anything runs), extensions, --schema,
# --lock-timeout, --rehearse, the password never shown anywhere, the
# application_name a run announces, and a failed migration leaving the
# catalog untouched. MySQL: a DDL migration failing half-way (what ran,
# the failed mark, --resume and its refusal after an edit), DELIMITER
# triggers and procedures, DML rolled back. SQLite: trigger bodies split
# right and DDL rolled back with the transaction.
source "$(dirname "$0")/helpers.sh"

m=$T/m

postgres_scenarios() {
    local url other before app v started took_ms blocker runner
    url=$(fresh_url)
    # Every output of this function is kept, to grep for the password.
    : >"$T/all-output"
    keep_output() { cat "$OUT_FILE" "$ERR_FILE" >>"$T/all-output"; }

    # ------------------------------------ dollar quotes and DO blocks
    mig "$m" 001_func.sql 'CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, path text);
CREATE FUNCTION item_label(i items) RETURNS text LANGUAGE plpgsql AS $body$
BEGIN
    -- a semicolon; and a $$ inside the tagged body
    RETURN i.name || $$;$$ || i.id;
END
$body$;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user) THEN
        RAISE EXCEPTION $msg$no user; really$msg$;
    END IF;
    INSERT INTO items (name) VALUES ($q$from a DO block; with ; inside$q$);
END
$$;' 'DROP FUNCTION item_label(items);
DROP TABLE items;'
    assert_status 0 ds "$url" "$m" up
    keep_output
    assert_eq "from a DO block; with ; inside;1" "$(db_sql "$url" "select item_label(i) from items i")" "the function and the DO block ran whole"
    assert_status 0 ds "$url" "$m" down
    keep_output
    assert_eq 0 "$(db_sql "$url" "select count(*) from pg_proc where proname = 'item_label'")" "down dropped the function"
    assert_status 0 ds "$url" "$m" up
    keep_output

    # ------------------------------------ CREATE INDEX CONCURRENTLY
    mig "$m" 002_cic_bad.sql "CREATE TABLE other_items (id int);
CREATE INDEX CONCURRENTLY items_name_bad ON items (name);" "DROP INDEX items_name_bad;
DROP TABLE other_items;"
    before=$(snapshot "$url")
    assert_status '!0' ds "$url" "$m" up
    keep_output
    assert_contains "$ERR" "transaction=false" "the refusal says how to run it"
    assert_contains "$ERR" "002_cic_bad.sql" "the refusal names the file"
    assert_eq "$before" "$(snapshot "$url")" "nothing ran before the refusal"
    rm "$m/002_cic_bad.sql"
    printf -- '-- dbshift:up transaction=false\nCREATE INDEX CONCURRENTLY items_name ON items (name);\n-- dbshift:down transaction=false\nDROP INDEX CONCURRENTLY items_name;\n' >"$m/002_cic.sql"
    assert_status 0 ds "$url" "$m" up
    keep_output
    assert_eq "t" "$(db_sql "$url" "select indisvalid from pg_index where indexrelid = 'items_name'::regclass")" "the concurrent index is valid"
    assert_status 0 ds "$url" "$m" down
    keep_output
    assert_eq 0 "$(db_sql "$url" "select count(*) from pg_class where relname = 'items_name'")" "down dropped it concurrently"
    assert_status 0 ds "$url" "$m" up
    keep_output

    # ------------------------------------ extensions
    mig "$m" 003_ext.sql "CREATE EXTENSION IF NOT EXISTS pgcrypto;
CREATE EXTENSION IF NOT EXISTS ltree;
ALTER TABLE items ADD COLUMN tree ltree;
UPDATE items SET tree = 'top.child', path = encode(digest(name, 'sha256'), 'hex') WHERE id > 0;" "ALTER TABLE items DROP COLUMN tree;
DROP EXTENSION ltree;
DROP EXTENSION pgcrypto;"
    assert_status 0 ds "$url" "$m" up
    keep_output
    assert_eq "ltree pgcrypto" "$(db_sql "$url" "select extname from pg_extension where extname in ('ltree', 'pgcrypto') order by 1" | tr '\n' ' ' | sed 's/ $//')" "extensions installed"
    assert_eq 1 "$(db_sql "$url" "select count(*) from items where tree <@ 'top' and length(path) = 64")" "extension functions and types used"
    assert_status 0 ds "$url" "$m" down
    keep_output
    assert_eq 0 "$(db_sql "$url" "select count(*) from pg_extension where extname in ('ltree', 'pgcrypto')")" "extensions rolled back"
    assert_status 0 ds "$url" "$m" up
    keep_output

    # ------------------------------------ a failure leaves the catalog as it was
    catalog="select c.relname, c.relkind, n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname not in ('pg_toast') order by 3, 1;
select typname from pg_type order by 1;
select proname, pronargs from pg_proc order by 1, 2;
select extname, extversion from pg_extension order by 1;
select conname from pg_constraint order by 1;
select nspname from pg_namespace order by 1;"
    before=$(db_sql "$url" "$catalog")
    mig "$m" 004_fails.sql "CREATE TYPE mood AS ENUM ('ok', 'bad');
CREATE TABLE moods (id int PRIMARY KEY, m mood);
CREATE SCHEMA scratch;
CREATE FUNCTION scratch.f() RETURNS int LANGUAGE sql AS 'select 1';
CREATE EXTENSION IF NOT EXISTS hstore;
ALTER TABLE items ADD CONSTRAINT name_not_empty CHECK (name <> '');
INSERT INTO moods VALUES (1, 'ok'), (1, 'bad');" "DROP TABLE moods;"
    assert_status 1 ds "$url" "$m" up
    keep_output
    assert_contains "$ERR" "23505" "the SQLSTATE of the failure"
    assert_eq "$before" "$(db_sql "$url" "$catalog")" "the failed migration changed pg_catalog"
    rm "$m/004_fails.sql"

    # ------------------------------------ --rehearse
    mig "$m" 005_more.sql "CREATE TABLE rehearsed (id int);
INSERT INTO rehearsed VALUES (1);
CREATE INDEX rehearsed_id ON rehearsed (id);" "DROP TABLE rehearsed;"
    before=$(snapshot "$url")
    assert_status 0 ds "$url" "$m" up --rehearse --format json
    keep_output
    assert_eq "005:rehearsed" "$(json_get "$OUT" '" ".join(x["version"] + ":" + x["outcome"] for x in d["migrations"])')" "rehearsed outcome"
    assert_eq "$before" "$(snapshot "$url")" "up --rehearse left something behind"
    rm "$m/005_more.sql"

    # ------------------------------------ --lock-timeout
    mig "$m" 005_alter.sql "ALTER TABLE items ADD COLUMN extra int;" "ALTER TABLE items DROP COLUMN extra;"
    printf 'BEGIN;\nLOCK TABLE items IN ACCESS EXCLUSIVE MODE;\nSELECT pg_sleep(20);\n' |
        psql -X -q "$url" >/dev/null 2>&1 &
    blocker=$!
    wait_for "the blocking session's lock" 10 pg_table_locked "$url"
    before=$(snapshot "$url" nolog)
    started=$(date +%s%N)
    assert_status 1 ds "$url" "$m" up --lock-timeout 1s
    keep_output
    took_ms=$((($(date +%s%N) - started) / 1000000))
    ((took_ms < 10000)) || fail "--lock-timeout 1s took ${took_ms} ms to give up"
    assert_contains "$ERR" "55P03" "the lock timeout SQLSTATE"
    assert_eq "$before" "$(snapshot "$url" nolog)" "a lock timeout changed schema or history"
    kill "$blocker" 2>/dev/null || true
    wait "$blocker" 2>/dev/null || true
    db_sql "$DBSHIFT_TEST_PG_URL" "select pg_terminate_backend(pid) from pg_stat_activity where query like '%pg_sleep(20)%' and pid <> pg_backend_pid()" >/dev/null
    wait_for "the blocking session to end" 10 test_no_blocker
    assert_status 0 ds "$url" "$m" up --lock-timeout 1s
    keep_output

    # ------------------------------------ application_name
    mig "$m" 006_sleep.sql "SELECT pg_sleep(3);" "SELECT 1;"
    "$DBSHIFT" --url "$url" --dir "$m" up >"$T/app.out" 2>&1 &
    runner=$!
    wait_for "the run's session" 10 pg_app_seen "$url"
    app=$(db_sql "$url" "select application_name from pg_stat_activity where datname = current_database() and query like '%pg_sleep(3)%' and pid <> pg_backend_pid()")
    v=$("$DBSHIFT" --version | awk '{print $2}')
    assert_eq "dbshift $v $(hostname):$runner" "$app" "application_name names tool, version, host and pid"
    wait "$runner" || fail "the sleeping run failed: $(cat "$T/app.out")"
    cat "$T/app.out" >>"$T/all-output"

    # ------------------------------------ --schema other
    other=$(fresh_url)
    mig "$T/s" 001_s.sql "CREATE TABLE in_public (id int);" "DROP TABLE in_public;"
    assert_status 0 "$DBSHIFT" --url "$other" --dir "$T/s" --schema other up
    keep_output
    assert_eq 1 "$(db_sql "$other" "select count(*) from other.dbshift_migrations where version = '001'")" "history in schema other"
    assert_eq 0 "$(db_sql "$other" "select count(*) from information_schema.tables where table_schema = 'public' and table_name like 'dbshift%'")" "no history tables in public"
    assert_eq 1 "$(db_sql "$other" "select count(*) from information_schema.tables where table_schema = 'other' and table_name = 'dbshift_log'")" "log table in schema other"
    assert_status 0 "$DBSHIFT" --url "$other" --dir "$T/s" --schema other status --format json
    keep_output
    assert_eq "applied" "$(json_get "$OUT" 'd["migrations"][0]["state"]')" "status reads schema other"
    assert_status 0 "$DBSHIFT" --url "$other" --dir "$T/s" --schema other down
    keep_output
    assert_eq 0 "$(db_sql "$other" "select count(*) from other.dbshift_migrations")" "down in schema other"

    # ------------------------------------ the password is never shown
    for cmd in status history validate lock; do
        "$DBSHIFT" --url "$url" --dir "$m" "$cmd" >>"$T/all-output" 2>&1 || true
        "$DBSHIFT" --url "$url" --dir "$m" "$cmd" --format json >>"$T/all-output" 2>&1 || true
    done
    "$DBSHIFT" --url "$url" --dir "$m" -v up --dry-run >>"$T/all-output" 2>&1 || true
    # A wrong password and an unreachable server: errors must not echo it.
    "$DBSHIFT" --url "${url/$DBSHIFT_TEST_PASSWORD/$DBSHIFT_TEST_PASSWORD-wrong}" --dir "$m" status >>"$T/all-output" 2>&1 || true
    "$DBSHIFT" --url "${url/$DBSHIFT_TEST_PASSWORD/$DBSHIFT_TEST_PASSWORD-wrong}" --dir "$m" status --format json >>"$T/all-output" 2>&1 || true
    db_sql "$url" "select * from dbshift_log" >>"$T/all-output"
    db_sql "$url" "select * from dbshift_migrations" >>"$T/all-output"
    assert_contains "$(cat "$T/all-output")" "***" "URLs were shown redacted"
    assert_contains "$(cat "$T/all-output")" "password authentication failed" "the wrong password was tried"
    assert_not_contains "$(cat "$T/all-output")" "$DBSHIFT_TEST_PASSWORD" "the password appears in an output, error, log row or JSON"
}

pg_table_locked() {
    [[ $(db_sql "$1" "select count(*) from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'items' and l.mode = 'AccessExclusiveLock' and l.granted") == 1 ]]
}

test_no_blocker() {
    [[ $(db_sql "$DBSHIFT_TEST_PG_URL" "select count(*) from pg_stat_activity where query like '%pg_sleep(20)%' and pid <> pg_backend_pid()") == 0 ]]
}

pg_app_seen() {
    [[ $(db_sql "$1" "select count(*) from pg_stat_activity where datname = current_database() and query like '%pg_sleep(3)%' and pid <> pg_backend_pid()") -ge 1 ]]
}

mysql_scenarios() {
    local url before
    url=$(fresh_url)
    # ------------------------------------ DDL failing at its third statement
    mig "$m" 001_four.sql "CREATE TABLE one (id INT PRIMARY KEY);
CREATE TABLE two (id INT PRIMARY KEY);
CREATE TABLE three (id INT PRIMARY KEY, missing_ref INT, FOREIGN KEY (missing_ref) REFERENCES nowhere (id));
CREATE TABLE four (id INT PRIMARY KEY);" "DROP TABLE four;
DROP TABLE three;
DROP TABLE two;
DROP TABLE one;"
    assert_status 1 ds "$url" "$m" up
    assert_contains "$ERR" "2 of 4 statements ran" "the message says statements 1-2 ran"
    assert_contains "$ERR" "001_four.sql:4" "the message names the failed statement's line"
    assert_eq "one two" "$(user_tables "$url")" "statements 1 and 2 ran, 3 and 4 did not"
    assert_eq "failed 2" "$(db_sql "$url" "select status, statements_done from dbshift_migrations where version = '001'" | tr '\t' ' ')" "history: failed after 2"
    assert_status 0 ds "$url" "$m" status --format json
    assert_eq failed "$(json_get "$OUT" 'd["migrations"][0]["state"]')" "status shows failed"
    assert_contains "$(json_get "$OUT" 'd["migrations"][0]["error"]')" "Foreign key constraint" "status shows the error"
    before=$(snapshot "$url")
    assert_status '!0' ds "$url" "$m" up
    assert_contains "$ERR" "repair" "up refuses until repair (or --resume)"
    assert_eq "$before" "$(snapshot "$url")" "the refused up changed nothing"
    # Fix the third statement, but also edit the first: --resume refuses.
    sed -i 's/, missing_ref INT, FOREIGN KEY (missing_ref) REFERENCES nowhere (id)//; s/CREATE TABLE one (id INT PRIMARY KEY)/CREATE TABLE one (id INT PRIMARY KEY, x INT)/' "$m/001_four.sql"
    assert_status '!0' ds "$url" "$m" up --resume
    assert_contains "$ERR" "statement 1" "resume names the edited statement"
    assert_eq "$before" "$(snapshot "$url")" "the refused resume changed nothing"
    sed -i 's/CREATE TABLE one (id INT PRIMARY KEY, x INT)/CREATE TABLE one (id INT PRIMARY KEY)/' "$m/001_four.sql"
    assert_status 0 ds "$url" "$m" up --resume --format json
    assert_eq "2 4" "$(json_get "$OUT" '"%d %d" % (d["migrations"][0]["statements_done"] - 2, d["migrations"][0]["statement_count"])')" "resume ran statements 3 and 4"
    assert_eq "four one three two" "$(user_tables "$url")" "resume continued from the third statement"
    assert_eq "applied 4" "$(db_sql "$url" "select status, statements_done from dbshift_migrations where version = '001'" | tr '\t' ' ')" "history: applied, 4 statements"
    assert_eq "$(json_get "$(ds "$url" "$m" status --format json)" 'd["migrations"][0]["checksum"]')" \
        "$(db_sql "$url" "select checksum from dbshift_migrations where version = '001'")" "the fixed file's checksum is recorded"

    # ------------------------------------ DELIMITER triggers and procedures
    mig "$m" 002_routines.sql 'CREATE TABLE audit (id INT AUTO_INCREMENT PRIMARY KEY, what VARCHAR(100));
DELIMITER $$
CREATE TRIGGER one_ai AFTER INSERT ON one FOR EACH ROW
BEGIN
    INSERT INTO audit (what) VALUES (CONCAT("one;", NEW.id));
END$$
CREATE PROCEDURE add_ones(IN n INT)
BEGIN
    DECLARE i INT DEFAULT 0;
    WHILE i < n DO
        SET i = i + 1;
        INSERT INTO one (id) VALUES (i);
    END WHILE;
END$$
DELIMITER ;
CALL add_ones(3);' 'DELETE FROM one WHERE id <= 3;
DROP PROCEDURE add_ones;
DROP TRIGGER one_ai;
DROP TABLE audit;'
    assert_status 0 ds "$url" "$m" up
    assert_eq "one;1 one;2 one;3" "$(db_sql "$url" "select what from audit order by id" | tr '\n' ' ' | sed 's/ $//')" "trigger and procedure ran"
    assert_eq "add_ones one_ai" "$(db_sql "$url" "select routine_name from information_schema.routines where routine_schema = database() union all select trigger_name from information_schema.triggers where trigger_schema = database() order by 1" | tr '\n' ' ' | sed 's/ $//')" "routines exist"
    assert_status 0 ds "$url" "$m" down
    assert_eq "" "$(db_sql "$url" "select routine_name from information_schema.routines where routine_schema = database() union all select trigger_name from information_schema.triggers where trigger_schema = database()")" "down dropped them"
    assert_eq 0 "$(db_sql "$url" "select count(*) from one")" "down removed the rows"

    # ------------------------------------ DML failing: rolled back
    rm "$m/002_routines.sql"
    mig "$m" 002_dml.sql "INSERT INTO one (id) VALUES (10);
UPDATE two SET id = id + 1 WHERE id > 0;
INSERT INTO two (id) VALUES (20), (21);
INSERT INTO one (id) VALUES (10);" "DELETE FROM one WHERE id = 10;"
    before=$(snapshot "$url" nolog)
    assert_status 1 ds "$url" "$m" up
    assert_contains "$ERR" "rolled back" "DML migration rolled back"
    assert_eq "$before" "$(snapshot "$url" nolog)" "schema and history as before"
    assert_eq "0 0" "$(db_sql "$url" "select (select count(*) from one), (select count(*) from two)" | tr '\t' ' ')" "no row remains"
    assert_eq 0 "$(history_count "$url" "status = 'failed'")" "no failed mark for a rolled-back migration"

    # ------------------------------------ --lock-timeout
    # Another session holds the table: the ALTER gives up after about 1 s
    # (lock_wait_timeout) instead of queueing behind it; no statement ran.
    rm "$m/002_dml.sql"
    mig "$m" 002_alter.sql "ALTER TABLE one ADD COLUMN extra INT;" "ALTER TABLE one DROP COLUMN extra;"
    db_sql "$url" "LOCK TABLES one WRITE; SELECT SLEEP(15);" >/dev/null 2>&1 &
    local blocker=$! started took_ms
    sleep 1
    started=$(date +%s%N)
    assert_status 1 ds "$url" "$m" up --lock-timeout 1s
    took_ms=$((($(date +%s%N) - started) / 1000000))
    ((took_ms < 8000)) || fail "--lock-timeout 1s took ${took_ms} ms to give up"
    assert_contains "$ERR" "Lock wait timeout" "the server's lock timeout"
    assert_eq "" "$(db_sql "$url" "select column_name from information_schema.columns where table_schema = database() and table_name = 'one' and column_name = 'extra'")" "the ALTER did not run"
    kill "$blocker" 2>/dev/null || true
    wait "$blocker" 2>/dev/null || true
}

sqlite_scenarios() {
    local url before
    url=$(fresh_url)
    mig "$m" 001_trigger.sql "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER);
CREATE TABLE audit (what TEXT);
CREATE TRIGGER t_ai AFTER INSERT ON t BEGIN
    INSERT INTO audit (what) VALUES ('t;' || NEW.id);
    UPDATE t SET n = 1 WHERE id = NEW.id;
END;
INSERT INTO t (id) VALUES (1);" "DROP TRIGGER t_ai;
DROP TABLE audit;
DROP TABLE t;"
    assert_status 0 ds "$url" "$m" up
    assert_eq "t;1 1" "$(db_sql "$url" "select (select what from audit), (select n from t)" | tr '\t' ' ')" "the trigger body ran whole"
    assert_status 0 ds "$url" "$m" down
    assert_eq "" "$(user_tables "$url")" "down dropped everything"
    assert_status 0 ds "$url" "$m" up
    # DDL rolls back with the transaction on SQLite.
    mig "$m" 002_fails.sql "ALTER TABLE t ADD COLUMN extra TEXT;
CREATE INDEX t_n ON t (n);
DROP TABLE audit;
INSERT INTO t (id) VALUES (1);" "SELECT 1;"
    before=$(snapshot "$url" nolog)
    assert_status 1 ds "$url" "$m" up --allow DS001
    assert_eq "$before" "$(snapshot "$url" nolog)" "ALTER, CREATE INDEX and DROP were rolled back"
    assert_eq 1 "$(db_sql "$url" "select count(*) from audit")" "the dropped table is back with its row"
}

case $ENGINE in
postgres) postgres_scenarios ;;
mysql) mysql_scenarios ;;
sqlite) sqlite_scenarios ;;
esac

pass
