#!/usr/bin/env bash
# Crash trial: SIGKILL dbshift at random points of `up` and `down` (at least
# 50 kills that land, per engine) and after each kill check what a user
# relies on: every migration's tables exist if and only if history says it
# is applied (a migration that ran outside a transaction may be marked
# failed, with its statements_done matching the tables that exist), the
# lock is free again, and the next `up` (with --resume after a failed mark)
# finishes the job. On SQLite the kills also land in the automatic backup:
# the database must pass integrity_check and every backup under its final
# name must be complete.
source "$(dirname "$0")/../lib.sh"
source "$DBSHIFT_SOURCE_DIR/tests/trials/trial_lib.sh"

NMIG=5
WANT_KILLS=${TRIAL_CRASH_KILLS:-50}
M=$T/m
mkdir -p "$M"

# Per migration: the statement (1-based) that creates table a and table b,
# for migrations that run statement by statement.
declare -A STMT_A STMT_B STEPWISE

write_migrations() {
    local i f
    for ((i = 1; i <= NMIG; i++)); do
        f=$M/000${i}_step$i.sql
        case $DBSHIFT_TEST_ENGINE in
        sqlite)
            cat >"$f" <<EOF
-- dbshift:up
CREATE TABLE t${i}a (x INTEGER, pad TEXT);
INSERT INTO t${i}a WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 30000)
  SELECT n, hex(randomblob(48)) FROM c;
CREATE INDEX t${i}a_x ON t${i}a (x);
CREATE TABLE t${i}b (x INTEGER);
-- dbshift:down
DROP TABLE t${i}b;
DROP TABLE t${i}a;
EOF
            STEPWISE[$i]=0
            ;;
        postgres)
            if ((i == 3)); then
                # Outside a transaction: each statement commits by itself.
                cat >"$f" <<EOF
-- dbshift:up transaction=false
CREATE TABLE IF NOT EXISTS t${i}a (x int, pad text);
SELECT pg_sleep(0.03);
CREATE INDEX CONCURRENTLY IF NOT EXISTS t${i}a_x ON t${i}a (x);
CREATE TABLE IF NOT EXISTS t${i}b (x int);
-- dbshift:down transaction=false
DROP TABLE IF EXISTS t${i}b;
SELECT pg_sleep(0.03);
DROP INDEX CONCURRENTLY IF EXISTS t${i}a_x;
DROP TABLE IF EXISTS t${i}a;
EOF
                STEPWISE[$i]=1 STMT_A[$i]=1 STMT_B[$i]=4
            else
                cat >"$f" <<EOF
-- dbshift:up
CREATE TABLE t${i}a (x int, pad text);
INSERT INTO t${i}a SELECT g, md5(g::text) FROM generate_series(1, 20000) g;
SELECT pg_sleep(0.02);
CREATE TABLE t${i}b (x int);
-- dbshift:down
DROP TABLE t${i}b;
SELECT pg_sleep(0.02);
DROP TABLE t${i}a;
EOF
                STEPWISE[$i]=0
            fi
            ;;
        mysql)
            # DDL commits by itself on MariaDB: every migration runs
            # statement by statement, so its statements are idempotent.
            cat >"$f" <<EOF
-- dbshift:up
CREATE TABLE IF NOT EXISTS t${i}a (x int, pad text);
DO SLEEP(0.03);
CREATE TABLE IF NOT EXISTS t${i}b (x int);
-- dbshift:down
DROP TABLE IF EXISTS t${i}b;
DO SLEEP(0.03);
DROP TABLE IF EXISTS t${i}a;
EOF
            STEPWISE[$i]=1 STMT_A[$i]=1 STMT_B[$i]=3
            ;;
        esac
    done
}

FAILED_SEEN=0
# check_consistent URL WHEN: tables against history, per migration.
check_consistent() {
    local url=$1 when=$2 tables hist i row status done has_a has_b ok
    tables=" $(trial_tables "$url" | tr '\n' ' ') "
    hist=$(trial_history "$url")
    if [[ $DBSHIFT_TEST_ENGINE == sqlite ]]; then
        assert_eq ok "$(db_sql "$url" "pragma integrity_check")" "integrity_check $when"
    fi
    for ((i = 1; i <= NMIG; i++)); do
        row=$(awk -v v="000$i" '$1 == v { print $2, $3 }' <<<"$hist")
        status=${row% *} done=${row#* }
        has_a=0 has_b=0
        [[ $tables == *" t${i}a "* ]] && has_a=1
        [[ $tables == *" t${i}b "* ]] && has_b=1
        CHECKS=$((CHECKS + 1))
        case $status in
        '')
            ((has_a == 0 && has_b == 0)) ||
                fail "$when: migration $i has no history row but its tables exist (a=$has_a b=$has_b)"
            ;;
        applied)
            ((has_a == 1 && has_b == 1)) ||
                fail "$when: migration $i is applied but a table is missing (a=$has_a b=$has_b)"
            ;;
        failed)
            ((STEPWISE[$i] == 1)) ||
                fail "$when: transactional migration $i is marked failed"
            FAILED_SEEN=$((FAILED_SEEN + 1))
            # Statements 1..done ran; statement done+1 may have run just
            # before the kill (the progress update is the next statement);
            # later ones must not have. A rollback that was interrupted
            # drops b before a, so b without a is never right.
            ok=1
            ((has_b == 1 && has_a == 0)) && ok=0
            if ((STMT_A[$i] <= done)) && ((has_a == 0)); then
                # a is gone: only an interrupted rollback explains that
                [[ $(history_error "$url" "000$i") == *"roll"* ]] || ok=0
            fi
            if ((STMT_B[$i] > done + 1)) && ((has_b == 1)); then
                [[ $(history_error "$url" "000$i") == *"roll"* ]] || ok=0
            fi
            ((ok == 1)) ||
                fail "$when: migration $i is marked failed after $done statement(s) but its tables do not match (a=$has_a b=$has_b): $(history_error "$url" "000$i")"
            ;;
        *)
            fail "$when: migration $i has unexpected status '$status'"
            ;;
        esac
    done
}

history_error() {
    db_sql "$1" "select coalesce(error, '') from dbshift_migrations where version = '$2'"
}

any_failed() {
    trial_history "$1" | awk '$2 == "failed" { found = 1 } END { exit !found }'
}

BACKUP_KILLS=0
check_backups() {
    local url=$1 path f
    [[ $DBSHIFT_TEST_ENGINE == sqlite ]] || return 0
    path=$(sqlite_path "$url")
    for f in "$path".*.partial; do
        [[ -e $f ]] || continue
        BACKUP_KILLS=$((BACKUP_KILLS + 1))
        rm -f -- "$f"
    done
    for f in "$path".*.bak; do
        [[ -e $f ]] || continue
        assert_eq ok "$(sqlite3 "$f" "pragma integrity_check")" "backup $f is complete"
        assert_eq 600 "$(stat -c %a "$f")" "backup $f is private"
    done
}

finish_job() {
    local url=$1 resume=()
    any_failed "$url" && resume=(--resume)
    assert_status 0 "$DBSHIFT" --url "$url" --dir "$M" up "${resume[@]}" --lock-wait 10s
    cat "$OUT_FILE" "$ERR_FILE" >>"$TRIAL_LOG"
    local hist
    hist=$(trial_history "$url")
    assert_eq "$NMIG" "$(awk '$2 == "applied"' <<<"$hist" | wc -l)" "all applied after the next up"
    check_consistent "$url" "after the finishing up"
}

write_migrations
url=$(fresh_url)
up_ms=$(trial_ms "$DBSHIFT" --url "$url" --dir "$M" up)
down_ms=$(trial_ms "$DBSHIFT" --url "$url" --dir "$M" down --all)
up_ms=$(trial_ms "$DBSHIFT" --url "$url" --dir "$M" up)
((up_ms > 20)) || up_ms=20
((down_ms > 20)) || down_ms=20

kills=0 runs=0 up_kills=0 down_kills=0 lock_wait_max=0
while ((kills < WANT_KILLS && runs < WANT_KILLS * 4)); do
    for dir in down up; do
        resume=()
        if [[ $dir == up ]]; then
            any_failed "$url" && resume=(--resume)
            trial_kill_after "$(trial_random_delay $((up_ms + 30)))" \
                "$DBSHIFT" --url "$url" --dir "$M" up "${resume[@]}" --lock-wait 10s
        else
            trial_kill_after "$(trial_random_delay $((down_ms + 30)))" \
                "$DBSHIFT" --url "$url" --dir "$M" down --all --lock-wait 10s
        fi
        runs=$((runs + 1))
        if ((KILLED)); then
            kills=$((kills + 1))
            [[ $dir == up ]] && up_kills=$((up_kills + 1)) || down_kills=$((down_kills + 1))
        fi
        wait_ms=$(trial_lock_free "$url" "$M")
        ((wait_ms > lock_wait_max)) && lock_wait_max=$wait_ms
        check_consistent "$url" "after a kill during $dir (run $runs)"
        check_backups "$url"
    done
    finish_job "$url"
done
((kills >= WANT_KILLS)) || fail "only $kills of $runs runs were killed before they ended"
trial_no_password

note="$up_kills during up, $down_kills during down; $FAILED_SEEN failed marks seen, all matching the tables; lock free within ${lock_wait_max} ms"
[[ $DBSHIFT_TEST_ENGINE == sqlite ]] && note+="; $BACKUP_KILLS kills during the backup, database and backups intact"
trial_record crash "$kills" pass "$note"
pass
