#!/usr/bin/env bash
# Fault-injection trial (needs a build with DBSHIFT_FAULTS, the default):
# DBSHIFT_FAULT makes the driver layer fail the Nth migration statement,
# the Nth write of the history table, or the Nth commit, during up and
# down. After each failure: a clear error naming the fault, a non-zero
# exit, tables and data matching history (a migration run outside a
# transaction may be marked failed with exactly the statements that ran),
# and without the fault the next up finishes the job.
source "$(dirname "$0")/../lib.sh"
source "$DBSHIFT_SOURCE_DIR/tests/trials/trial_lib.sh"

M=$T/m
mkdir -p "$M"
# MariaDB runs DDL statement by statement, so those statements are
# idempotent to let `up --resume` finish; 0003 is data only, which runs in
# a transaction on every engine.
if [[ $DBSHIFT_TEST_ENGINE == mysql ]]; then ine='IF NOT EXISTS ' ie='IF EXISTS '; else ine='' ie=''; fi
cat >"$M/0001_one.sql" <<EOF
-- dbshift:up
CREATE TABLE ${ine}f1a (x int);
CREATE TABLE ${ine}f1b (x int);
-- dbshift:down
DROP TABLE ${ie}f1b;
DROP TABLE ${ie}f1a;
EOF
cat >"$M/0002_two.sql" <<EOF
-- dbshift:up
CREATE TABLE ${ine}f2a (x int);
CREATE TABLE ${ine}f2b (x int);
CREATE TABLE ${ine}f2c (x int);
-- dbshift:down
DROP TABLE ${ie}f2c;
DROP TABLE ${ie}f2b;
DROP TABLE ${ie}f2a;
EOF
cat >"$M/0003_data.sql" <<EOF
-- dbshift:up
INSERT INTO f1a (x) VALUES (42);
INSERT INTO f1a (x) VALUES (43);
-- dbshift:down
DELETE FROM f1a WHERE x IN (42, 43);
EOF

url=$(fresh_url)
STEPWISE=0
[[ $DBSHIFT_TEST_ENGINE == mysql ]] && STEPWISE=1

status_of() {
    table_exists "$url" dbshift_migrations || return 0
    db_sql "$url" "select status, statements_done from dbshift_migrations where version = '$1'"
}

# Objects of a migration that exist, as a string of 0/1 per statement.
objects() {
    local v=$1 s='' t
    case $v in
    0001) for t in f1a f1b; do if table_exists "$url" $t; then s+=1; else s+=0; fi; done ;;
    0002) for t in f2a f2b f2c; do if table_exists "$url" $t; then s+=1; else s+=0; fi; done ;;
    0003)
        if table_exists "$url" f1a; then
            s=$(db_sql "$url" "select count(*) from f1a where x in (42, 43)")
        else
            s=0
        fi
        ;;
    esac
    echo "$s"
}

# check WHEN: every migration's objects match its history row.
FAILED_MARKS=0
check() {
    local when=$1 v row status done obj all expect
    for v in 0001 0002 0003; do
        row=$(status_of $v)
        status=${row%%$'\t'*} done=${row#*$'\t'}
        obj=$(objects $v)
        case $v in 0001) all=11 ;; 0002) all=111 ;; 0003) all=2 ;; esac
        CHECKS=$((CHECKS + 1))
        case $status in
        '') [[ $obj == 0 || $obj =~ ^0+$ ]] || fail "$when: $v has no history row but objects $obj" ;;
        applied) [[ $obj == "$all" ]] || fail "$when: $v applied but objects $obj" ;;
        failed)
            ((STEPWISE)) && [[ $v != 0003 ]] || fail "$when: transactional $v marked failed"
            FAILED_MARKS=$((FAILED_MARKS + 1))
            # An injected failure stops before its statement: exactly the
            # first `done` statements ran (up), or a rollback stopped part
            # way (objects dropped from the end).
            expect=$(printf '%*s' "$done" '' | tr ' ' 1)$(printf '%*s' $((${#all} - done)) '' | tr ' ' 0)
            [[ $obj == "$expect" || $obj =~ ^1*0*$ ]] ||
                fail "$when: $v failed after $done statement(s) but objects $obj"
            ;;
        *) fail "$when: $v has status '$status'" ;;
        esac
    done
}

finish() {
    local when=$1 resume=()
    if table_exists "$url" dbshift_migrations &&
        [[ $(db_sql "$url" "select count(*) from dbshift_migrations where status = 'failed'") != 0 ]]; then
        resume=(--resume)
    fi
    assert_status 0 "$DBSHIFT" --url "$url" --dir "$M" up "${resume[@]}"
    cat "$OUT_FILE" "$ERR_FILE" >>"$TRIAL_LOG"
    for v in 0001 0002 0003; do
        assert_eq applied "$(status_of $v | cut -f1)" "$when: $v applied by the next up"
    done
    check "$when, after the next up"
}

CASES=0 ABSORBED=0
# fault_case DIRECTION SPEC [EXTRA ARGS]: from the state the direction
# needs, run with the fault, check, finish.
fault_case() {
    local dir=$1 spec=$2 args
    shift 2
    if [[ $dir == up ]]; then
        assert_status 0 "$DBSHIFT" --url "$url" --dir "$M" down --all
        args=(up "$@")
    else
        args=(down --all "$@")
    fi
    CASES=$((CASES + 1))
    STATUS=0
    DBSHIFT_FAULT=$spec "$DBSHIFT" --url "$url" --dir "$M" "${args[@]}" >"$T/out" 2>&1 </dev/null || STATUS=$?
    cat "$T/out" >>"$TRIAL_LOG"
    CHECKS=$((CHECKS + 1))
    if ((STATUS == 0)); then
        # Run statement by statement, a failed progress update is absorbed:
        # the next update or the final status records the progress.
        ((STEPWISE)) && [[ $spec == history:* ]] ||
            fail "$dir with fault $spec succeeded: $(cat "$T/out")"
        ABSORBED=$((ABSORBED + 1))
    else
        assert_contains "$(cat "$T/out")" "injected test fault '$spec'" "the error names the fault"
    fi
    check "$dir with fault $spec"
    finish "$dir with fault $spec"
}

# A malformed spec is refused before anything runs.
assert_status '!0' env DBSHIFT_FAULT=bogus "$DBSHIFT" --url "$url" --dir "$M" up
assert_contains "$ERR" "unknown fault 'bogus'"
assert_status 0 "$DBSHIFT" --url "$url" --dir "$M" up

for n in 1 2 3 4 5 6; do fault_case up statement:$n; done
# Transactional runs write history once per migration; stepwise ones more.
for ((n = 1; n <= (STEPWISE ? 6 : 3); n++)); do fault_case up history:$n; done
for n in 1 2 3; do fault_case down statement:$n; done
for n in 1 2; do fault_case down history:$n; done
if ((STEPWISE)); then
    # DDL commits by itself on MariaDB; the data-only 0003 has a commit.
    fault_case up commit:1
    fault_case down commit:1
else
    for n in 1 2 3; do fault_case up commit:$n; done
    fault_case down commit:1
    fault_case up commit:1 --single-transaction
fi
trial_no_password

trial_record faults "$CASES" pass "statement, history-write and commit failures in up and down; each gave a clear error, left history matching the schema ($FAILED_MARKS failed marks, each with the statements that ran; $ABSORBED failed progress updates absorbed by the run) and the next up finished"
pass
