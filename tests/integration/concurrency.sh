#!/usr/bin/env bash
# Runs that overlap: `dbshift lock` names the holder while another run holds
# the migration lock, and a second run gives up with exit 4 after
# --lock-wait naming it; two concurrent `up` runs (eight on PostgreSQL, over
# fifty migrations) apply each migration exactly once; and a run killed with
# SIGKILL in the middle of a long migration leaves database and history
# consistent, so that the next `up` finishes the job.
source "$(dirname "$0")/helpers.sh"

# statement_running PATTERN: true while another session runs a statement
# matching PATTERN on the server.
statement_running() {
    local pattern=$1 count
    case $ENGINE in
    postgres) count=$(db_sql "$DBSHIFT_TEST_PG_URL" "select count(*) from pg_stat_activity where query ilike '%$pattern%' and pid <> pg_backend_pid()") ;;
    mysql) count=$(db_sql "$DBSHIFT_TEST_MYSQL_URL" "select count(*) from information_schema.processlist where info like '%$pattern%' and id <> connection_id()") ;;
    esac
    ((count > 0))
}

# Waits until a migration's slow statement is running (for SQLite, which
# has no server to ask, until the run had time to start it).
wait_until_running() {
    local pattern=$1
    if [[ $ENGINE == sqlite ]]; then
        sleep 1.5
    else
        wait_for "'$pattern' to run" 20 statement_running "$pattern"
    fi
}

# assert_holder TEXT MESSAGE: TEXT names the process $holder. SQLite and
# PostgreSQL name its pid; MariaDB names the lock's connection and its
# client address, whose port must be a socket of that process.
assert_holder() {
    local text=$1 msg=$2 port
    if [[ $ENGINE == mysql ]]; then
        [[ $text =~ from\ 127\.0\.0\.1:([0-9]+) ]] || fail "$msg: no client address in '$text'"
        port=${BASH_REMATCH[1]}
        assert_contains "$(ss -tnpH "sport = :$port")" "pid=$holder," "$msg (port $port)"
    else
        assert_contains "$text" "$holder" "$msg"
    fi
}

# -------------------------------------------------- lock and its holder
url=$(fresh_url)
m=$T/lock
mig "$m" 001_a.sql "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
assert_status 0 ds "$url" "$m" lock
assert_contains "$OUT" "free" "nobody holds the lock yet"
if [[ $ENGINE == sqlite ]]; then
    mig "$m" 002_slow.sql "$(slow_sql 4)" "DROP TABLE slow_rows;"
else
    mig "$m" 002_slow.sql "INSERT INTO a (id) VALUES (1);
SELECT $([[ $ENGINE == postgres ]] && echo pg_sleep || echo SLEEP)(4);" "DELETE FROM a WHERE id = 1;"
fi
"$DBSHIFT" --url "$url" --dir "$m" up >"$T/holder.out" 2>&1 &
holder=$!
wait_until_running "sleep(4)"
assert_status 0 ds "$url" "$m" lock
assert_contains "$OUT" "held by" "lock says it is held"
assert_holder "$OUT" "lock names the holder"
assert_status 0 ds "$url" "$m" lock --format json
assert_eq true "$(json_get "$OUT" 'd["held"]')" "lock --format json: held"
assert_holder "$(json_get "$OUT" 'd["holder"]')" "lock --format json names the holder"
started=$(date +%s%N)
assert_status 4 "$DBSHIFT" --url "$url" --dir "$m" up --lock-wait 1s
waited_ms=$((($(date +%s%N) - started) / 1000000))
((waited_ms >= 1000)) || fail "gave up after ${waited_ms} ms, before --lock-wait 1s"
assert_holder "$ERR" "the lock error names the holder"
wait "$holder" || fail "the holding run failed: $(cat "$T/holder.out")"
assert_eq "001 002" "$(applied_versions "$url")" "the holder applied both"
assert_eq 2 "$(log_count "$url")" "the run that gave up wrote nothing"
assert_status 0 ds "$url" "$m" lock
assert_contains "$OUT" "free" "the lock is free again"

# -------------------------------------------------- concurrent ups
# runs N: starts N `up` runs at once on a fresh database and checks each
# of the M migrations was applied exactly once.
concurrent_ups() {
    local runs=$1 count=$2 i v url dir pids=()
    url=$(fresh_url)
    dir=$T/concurrent$runs
    for ((v = 1; v <= count; v++)); do
        mig "$dir" "$(printf '%03d' "$v")_c$v.sql" "CREATE TABLE c$v (id INTEGER PRIMARY KEY);
INSERT INTO c$v (id) VALUES ($v);" "DROP TABLE c$v;"
    done
    for ((i = 0; i < runs; i++)); do
        "$DBSHIFT" --url "$url" --dir "$dir" up --lock-wait 120s --no-backup >"$T/run$i.out" 2>&1 &
        pids+=($!)
    done
    for ((i = 0; i < runs; i++)); do
        wait "${pids[i]}" || fail "run $i of $runs failed: $(cat "$T/run$i.out")"
    done
    assert_eq "$count" "$(history_count "$url")" "$runs runs: one history row per migration"
    assert_eq "$count" "$(history_count "$url" "status = 'applied'")" "$runs runs: all applied"
    assert_eq "$count" "$(log_count "$url" "direction = 'up'")" "$runs runs: one up attempt per migration"
    assert_eq 0 "$(db_sql "$url" "select count(*) from (select version from dbshift_log group by version having count(*) > 1) x")" "no migration ran twice"
    assert_eq "1 $count" "$(db_sql "$url" "select count(*) from c$count") $(db_sql "$url" "select id from c$count")" "the last table has its one row"
}
concurrent_ups 2 10
if [[ $ENGINE == postgres ]]; then
    concurrent_ups 8 50
fi

# -------------------------------------------------- kill -9 mid-migration
url=$(fresh_url)
m=$T/kill
mig "$m" 001_first.sql "CREATE TABLE first_one (id INTEGER PRIMARY KEY);" "DROP TABLE first_one;"
case $ENGINE in
sqlite) mig "$m" 002_long.sql "$(slow_sql 6)" "DROP TABLE slow_rows;" ;;
postgres) mig "$m" 002_long.sql "INSERT INTO first_one (id) VALUES (1);
SELECT pg_sleep(5);" "DELETE FROM first_one WHERE id = 1;" ;;
mysql) mig "$m" 002_long.sql "INSERT INTO first_one (id) VALUES (1);
SELECT SLEEP(5);" "DELETE FROM first_one WHERE id = 1;" ;;
esac
mig "$m" 003_last.sql "CREATE TABLE last_one (id INTEGER PRIMARY KEY);" "DROP TABLE last_one;"
"$DBSHIFT" --url "$url" --dir "$m" up >"$T/killed.out" 2>&1 &
victim=$!
wait_until_running "sleep(5)"
kill -0 "$victim" 2>/dev/null || fail "the run finished before it could be killed: $(cat "$T/killed.out")"
kill -9 "$victim"
wait "$victim" 2>/dev/null || true
assert_eq "001" "$(applied_versions "$url")" "history after the kill: only the first migration"
assert_eq 0 "$(history_count "$url" "status <> 'applied'")" "no half-written history row"
assert_eq "first_one" "$(user_tables "$url")" "the long migration left no table"
assert_eq 0 "$(db_sql "$url" "select count(*) from first_one")" "the long migration left no row"
# The server may still be running the killed session's statement, which
# holds the lock until it ends: the next run waits for it.
assert_status 0 ds "$url" "$m" up --lock-wait 60s
assert_eq "001 002 003" "$(applied_versions "$url")" "the next up finished the job"
assert_eq 3 "$(log_count "$url" "success = 1")" "each migration applied once"
case $ENGINE in
sqlite) assert_eq 18000000 "$(db_sql "$url" "select count(*) from slow_rows")" "the long migration's rows" ;;
*) assert_eq 1 "$(db_sql "$url" "select count(*) from first_one")" "the long migration's row" ;;
esac

pass
