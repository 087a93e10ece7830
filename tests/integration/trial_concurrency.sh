#!/usr/bin/env bash
# Concurrency trial: 16 dbshift processes released at the same instant
# against one target, three rounds (up to assorted --to versions, down
# --all, up). Every runner must succeed, each migration must be applied
# (and rolled back) exactly once, the history table must hold one row per
# migration, and `dbshift history` must show that runners queued on the
# migration lock (their lock_wait_ms).
source "$(dirname "$0")/../lib.sh"
source "$DBSHIFT_SOURCE_DIR/tests/trials/trial_lib.sh"

NMIG=6
RUNNERS=16
M=$T/m
mkdir -p "$M"

for ((i = 1; i <= NMIG; i++)); do
    case $DBSHIFT_TEST_ENGINE in
    sqlite) slow="INSERT INTO c${i} WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 60000) SELECT x FROM n;" ;;
    postgres) slow="SELECT pg_sleep(0.1);" ;;
    mysql) slow="DO SLEEP(0.1);" ;;
    esac
    cat >"$M/000${i}_c$i.sql" <<EOF
-- dbshift:up
CREATE TABLE c${i} (x int);
$slow
-- dbshift:down
DROP TABLE c${i};
EOF
done

url=$(fresh_url)

# run_round NAME ARGS-FN: starts RUNNERS processes that all wait for one
# file to appear, creates it, and collects their exit codes.
run_round() {
    local name=$1 i pids=() status bad=0
    shift
    rm -f "$T/go"
    for ((i = 0; i < RUNNERS; i++)); do
        (
            while [[ ! -e $T/go ]]; do sleep 0.005; done
            # shellcheck disable=SC2046 # the round's arguments are words
            exec "$DBSHIFT" --url "$url" --dir "$M" --lock-wait 120s $("$@" "$i")
        ) >"$T/$name.$i.out" 2>&1 </dev/null &
        pids+=($!)
    done
    sleep 0.2
    touch "$T/go"
    for i in "${!pids[@]}"; do
        status=0
        wait "${pids[i]}" || status=$?
        cat "$T/$name.$i.out" >>"$TRIAL_LOG"
        if ((status != 0)); then
            bad=$((bad + 1))
            echo "runner $i of round $name exited $status: $(cat "$T/$name.$i.out")" >&2
        fi
    done
    CHECKS=$((CHECKS + 1))
    ((bad == 0)) || fail "$bad of $RUNNERS runners of round $name failed"
}

up_to() { echo "up --to 000$(($1 % NMIG + 1))"; }
down_all() { echo "down --all"; }
up_all() { echo "up"; }

count_log() {
    db_sql "$url" "select count(*) from dbshift_log where direction = '$1' and success = $2"
}

check_applied() {
    local when=$1 i
    assert_eq "$NMIG" "$(db_sql "$url" "select count(*) from dbshift_migrations where status = 'applied'")" "$when: one row per migration"
    assert_eq "$NMIG" "$(db_sql "$url" "select count(distinct version) from dbshift_migrations")" "$when: no duplicate rows"
    for ((i = 1; i <= NMIG; i++)); do
        table_exists "$url" "c$i" || fail "$when: table c$i is missing"
        CHECKS=$((CHECKS + 1))
    done
}

run_round upto up_to
check_applied "after 16 concurrent up --to"
assert_eq "$NMIG" "$(count_log up 1)" "each migration applied exactly once"
assert_eq 0 "$(count_log up 0)" "no failed attempt"

run_round down down_all
assert_eq 0 "$(db_sql "$url" "select count(*) from dbshift_migrations")" "all rolled back"
assert_eq "$NMIG" "$(count_log down 1)" "each migration rolled back exactly once"
for ((i = 1; i <= NMIG; i++)); do
    if table_exists "$url" "c$i"; then fail "table c$i survived down --all"; fi
done

run_round up up_all
check_applied "after 16 concurrent up"
assert_eq $((NMIG * 2)) "$(count_log up 1)" "each migration applied exactly once more"

# Which of 16 runners takes the lock first is up to the scheduler, and the
# first may find everything done for the others, so the rounds above need
# not record a wait. One more pair makes a wait certain: a runner holds the
# lock through a slow migration while a second one, started only once the
# lock shows as held, queues behind it and then applies the last migration.
case $DBSHIFT_TEST_ENGINE in
sqlite) slow="INSERT INTO c7 WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000) SELECT x FROM n;" ;;
postgres) slow="SELECT pg_sleep(2);" ;;
mysql) slow="DO SLEEP(2);" ;;
esac
printf -- '-- dbshift:up\nCREATE TABLE c7 (x int);\n%s\n-- dbshift:down\nDROP TABLE c7;\n' "$slow" >"$M/0007_c7.sql"
printf -- '-- dbshift:up\nCREATE TABLE c8 (x int);\n-- dbshift:down\nDROP TABLE c8;\n' >"$M/0008_c8.sql"
"$DBSHIFT" --url "$url" --dir "$M" up --to 0007 >"$T/holder.out" 2>&1 </dev/null &
holder=$!
for ((i = 0; i < 400; i++)); do
    "$DBSHIFT" --url "$url" --dir "$M" lock 2>/dev/null | grep -q 'lock held' && break
    sleep 0.01
done
assert_status 0 "$DBSHIFT" --url "$url" --dir "$M" --lock-wait 120s up
cat "$OUT_FILE" >>"$TRIAL_LOG"
wait "$holder" || fail "the runner holding the lock failed: $(cat "$T/holder.out")"
assert_eq 1 "$(db_sql "$url" "select count(*) from dbshift_migrations where version = '0008'")" "the queued runner applied 0008"

# The waits show in `dbshift history`, text and JSON.
assert_status 0 "$DBSHIFT" --url "$url" --dir "$M" history --limit 0 --format json
cat "$OUT_FILE" >>"$TRIAL_LOG"
waits=$(jq '[.entries[] | select(.lock_wait_ms > 0)] | length' "$OUT_FILE")
max_wait=$(jq '[.entries[].lock_wait_ms] | max' "$OUT_FILE")
CHECKS=$((CHECKS + 1))
((waits > 0)) || fail "no history entry shows a lock wait: $(show "$OUT")"
assert_status 0 "$DBSHIFT" --url "$url" --dir "$M" history --limit 0
cat "$OUT_FILE" >>"$TRIAL_LOG"
assert_contains "$OUT" "ms for the lock" "history text shows the wait"
# The lock is free once everyone is done.
assert_status 0 "$DBSHIFT" --url "$url" --dir "$M" lock
assert_contains "$OUT" "lock is free"
trial_no_password

trial_record concurrency $((RUNNERS * 3)) pass "3 rounds of $RUNNERS runners at once (up --to, down --all, up): each of $NMIG migrations applied and rolled back exactly once, $waits log rows show a lock wait (longest $max_wait ms)"
pass
