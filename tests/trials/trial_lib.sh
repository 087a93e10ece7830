# shellcheck shell=bash
# Helpers shared by the reliability trials (tests/integration/trial_*.sh):
# running dbshift with every byte of its output kept for the password scan,
# recording trial counts for docs/reliability.md, and reading a target's
# tables and history in one query so a trial can compare them after a kill.
# Sourced after tests/lib.sh. It lives outside tests/integration so CMake
# does not register it as a test of its own.

# Every output of dbshift in a trial is appended here; trial_finish greps it.
TRIAL_LOG=$T/trial-output.log
: >"$TRIAL_LOG"

# trial_record TRIAL COUNT OUTCOME NOTE: one line for the reliability page,
# written only when the run collects results (scripts/reliability sets
# DBSHIFT_TRIAL_RESULTS).
trial_record() {
    local trial=$1 count=$2 outcome=$3 note=${4:-}
    [[ -n ${DBSHIFT_TRIAL_RESULTS:-} ]] || return 0
    printf '%s\t%s\t%s\t%s\t%s\n' "$DBSHIFT_TEST_ENGINE" "$trial" "$count" "$outcome" \
        "$note" >>"$DBSHIFT_TRIAL_RESULTS"
}

# dbs ARGS...: runs dbshift, output to stdout/stderr as usual and to the log.
dbs() {
    local status=0
    "$DBSHIFT" "$@" > >(tee -a "$TRIAL_LOG") 2> >(tee -a "$TRIAL_LOG" >&2) </dev/null || status=$?
    return "$status"
}

# trial_tables URL: the user tables of the target, sorted, one per line
# (history tables left out).
trial_tables() {
    local url=$1
    case $DBSHIFT_TEST_ENGINE in
    sqlite)
        db_sql "$url" "select name from sqlite_master where type = 'table' and name not like 'dbshift%' and name not like 'sqlite%' order by 1"
        ;;
    postgres)
        db_sql "$url" "select table_name from information_schema.tables where table_schema = 'public' and table_name not like 'dbshift%' order by 1"
        ;;
    mysql)
        db_sql "$url" "select table_name from information_schema.tables where table_schema = database() and table_name not like 'dbshift%' order by 1"
        ;;
    esac
}

# trial_history URL: "version status statements_done" per history row, or
# nothing when the history table does not exist yet.
trial_history() {
    local url=$1
    table_exists "$url" dbshift_migrations || return 0
    db_sql "$url" "select version, status, statements_done from dbshift_migrations where kind <> 'repeatable' order by version"
}

# trial_lock_free URL DIR: waits (up to 10 s) until `dbshift lock` says the
# lock is free and prints the milliseconds it took. A killed client's server
# session lives until the server notices, which is where a wait comes from.
trial_lock_free() {
    local url=$1 dir=$2 start now out
    start=$(date +%s%3N)
    while :; do
        out=$(dbs --url "$url" --dir "$dir" lock 2>&1) || true
        if [[ $out == *"lock is free"* ]]; then
            now=$(date +%s%3N)
            echo $((now - start))
            return 0
        fi
        now=$(date +%s%3N)
        ((now - start < 10000)) || fail "the migration lock is still held 10 s after the kill: $out"
        sleep 0.05
    done
}

# trial_no_password: fails when the test password shows in any output of
# dbshift this trial produced (it must be redacted everywhere).
trial_no_password() {
    local pw=${DBSHIFT_TEST_PASSWORD:-dbshift-secret-pw}
    CHECKS=$((CHECKS + 1))
    if grep -qF -- "$pw" "$TRIAL_LOG"; then
        fail "the test password appears in dbshift's output: $(grep -nF -- "$pw" "$TRIAL_LOG" | head -3)"
    fi
}

# trial_kill_after SECONDS CMD...: starts CMD, SIGKILLs it after SECONDS
# (fractional), and sets KILLED=1 when the kill landed before CMD ended.
KILLED=0
trial_kill_after() {
    local delay=$1 pid status=0
    shift
    "$@" >>"$TRIAL_LOG" 2>&1 </dev/null &
    pid=$!
    sleep "$delay"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || status=$?
    if ((status == 137)); then KILLED=1; else KILLED=0; fi
}

# trial_random_delay MAX_MS: a random time below MAX_MS, as seconds.
trial_random_delay() {
    local max=$1 r ms
    r=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
    ms=$((r % max))
    printf '%d.%03d\n' $((ms / 1000)) $((ms % 1000))
}

# trial_ms CMD...: runs CMD (output to the log) and prints how many
# milliseconds it took; fails when CMD fails.
trial_ms() {
    local start end
    start=$(date +%s%3N)
    "$@" >>"$TRIAL_LOG" 2>&1 </dev/null || fail "command failed: $*"$'\n'"$(tail -5 "$TRIAL_LOG")"
    end=$(date +%s%3N)
    echo $((end - start))
}
