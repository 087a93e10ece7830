#!/usr/bin/env bash
# Bad-input trial: files and targets that are wrong in every way we could
# think of. Each must give a clear error (naming the file, line or target),
# a non-zero exit, and lose nothing: a migration applied before stays
# applied with its data, and nothing of the bad run is half done. Also the
# sizes a real project reaches: a 100 MB migration and 100,000 tiny ones,
# with the peak memory recorded. Engine-specific targets (read-only and
# disk-full SQLite files, unreachable servers) run under their engine.
source "$(dirname "$0")/../lib.sh"
source "$DBSHIFT_SOURCE_DIR/tests/trials/trial_lib.sh"

CASES=0
url=$(fresh_url)
BASE=$T/base
mkdir -p "$BASE"
cat >"$BASE/0001_keep.sql" <<'EOF'
-- dbshift:up
CREATE TABLE keep (x int);
INSERT INTO keep (x) VALUES (7);
-- dbshift:down
DROP TABLE keep;
EOF
assert_status 0 "$DBSHIFT" --url "$url" --dir "$BASE" up

# expect CODE ARGS...: runs dbshift, keeps the output for the password scan.
expect() {
    local code=$1
    shift
    assert_status "$code" "$DBSHIFT" "$@"
    cat "$OUT_FILE" "$ERR_FILE" >>"$TRIAL_LOG"
}

# intact WHEN: the migration applied at the start is still there, whole.
intact() {
    assert_eq 7 "$(db_sql "$url" "select x from keep")" "$1: data kept"
    assert_eq "0001 applied" "$(db_sql "$url" "select version, status from dbshift_migrations order by version" | tr '\t' ' ' | tr '\n' ';' | sed 's/;$//')" "$1: history unchanged"
}

# bad_case NAME FILE-NAME EXPECTED-TEXT: a folder with the good migration
# and one bad file written by the caller to $T/bad.
new_case() {
    rm -rf "$T/case"
    mkdir -p "$T/case"
    cp "$BASE"/*.sql "$T/case/"
    CASES=$((CASES + 1))
}

# 1. An empty file among native migrations: no up section.
new_case
: >"$T/case/0002_empty.sql"
expect '!0' --url "$url" --dir "$T/case" up
assert_contains "$ERR" "0002_empty.sql" "the error names the empty file"
intact "empty file"

# 2. A binary file.
new_case
head -c 4096 /dev/urandom >"$T/case/0002_binary.sql"
expect '!0' --url "$url" --dir "$T/case" up
assert_contains "$ERR" "0002_binary.sql"
intact "binary file"

# 3. Unterminated string, comment and quoted identifier: nothing of the run
# may start, not even the good statements before them.
for body in "INSERT INTO keep (x) VALUES ('never closed);" \
    "INSERT INTO keep (x) VALUES (1); /* never closed" \
    "CREATE TABLE \"never closed (x int);"; do
    new_case
    printf -- '-- dbshift:up\nCREATE TABLE early (x int);\n%s\n' "$body" >"$T/case/0002_open.sql"
    expect '!0' --url "$url" --dir "$T/case" up
    assert_contains "$ERR" "0002_open.sql:3" "the error points at the opening line"
    if table_exists "$url" early; then fail "a statement ran although the file does not parse"; fi
    intact "unterminated: $body"
done

# 4. A file name with quotes and semicolons: it works, and history holds the
# name as written (values are bound, never pasted into SQL).
new_case
name="it's; DROP TABLE keep; --\"x"
printf -- '-- dbshift:up\nCREATE TABLE quoted (x int);\n-- dbshift:down\nDROP TABLE quoted;\n' >"$T/case/0002_$name.sql"
expect 0 --url "$url" --dir "$T/case" up
assert_eq "$name" "$(db_sql "$url" "select name from dbshift_migrations where version = '0002'")" "name stored as written"
expect 0 --url "$url" --dir "$T/case" down
assert_eq 0 "$(db_sql "$url" "select count(*) from dbshift_migrations where version = '0002'")"
intact "quoted file name"

# 5. A migrations folder that is a symlink loop, and a loop inside one.
CASES=$((CASES + 1))
ln -s "$T/loop2" "$T/loop1"
ln -s "$T/loop1" "$T/loop2"
expect '!0' --url "$url" --dir "$T/loop1" up
assert_contains "$ERR" "symbolic links" "the loop is named"
intact "symlink loop"
new_case
ln -s .. "$T/case/sub"
# Either the reader does not descend into it or it names it; never a hang.
STATUS=0
timeout 20 "$DBSHIFT" --url "$url" --dir "$T/case" status >"$T/loop.out" 2>&1 || STATUS=$?
cat "$T/loop.out" >>"$TRIAL_LOG"
CHECKS=$((CHECKS + 1))
((STATUS != 124)) || fail "a symlink loop inside the folder hangs dbshift"
[[ $STATUS == 0 ]] || assert_contains "$(cat "$T/loop.out")" "sub" "a loop inside the folder is named"
intact "symlink loop inside"

# 6. A URL with an unknown scheme.
CASES=$((CASES + 1))
expect '!0' --url "nosuchdb://user:dbshift-secret-pw@localhost/x" --dir "$BASE" up
assert_contains "$ERR" "unknown database URL scheme"

repeat_line() {
    awk -v l="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++) print l }'
}

# 7. A 100 MB migration.
CASES=$((CASES + 1))
new_case
big=$T/case/0002_big.sql
line="INSERT INTO big (s) VALUES ('$(printf '%*s' 80 '' | tr ' ' x)');"
if [[ $DBSHIFT_TEST_ENGINE == sqlite ]]; then
    # Real statements: 1.2 million inserts in one transaction.
    { printf -- '-- dbshift:up\nCREATE TABLE big (s text);\n'; repeat_line "$line" $((100 * 1024 * 1024 / (${#line} + 1))); } >"$big"
    expect_rows=$((100 * 1024 * 1024 / (${#line} + 1)))
else
    # Over the network the size is the reader's and splitter's problem:
    # one statement behind 100 MB of comment lines.
    { printf -- '-- dbshift:up\n'; repeat_line "-- $line" $((100 * 1024 * 1024 / (${#line} + 4))); printf 'CREATE TABLE big (s text);\nINSERT INTO big (s) VALUES (%s);\n' "'one'"; } >"$big"
    expect_rows=1
fi
printf -- '-- dbshift:down\nDROP TABLE big;\n' >>"$big"
size=$(stat -c %s "$big")
CHECKS=$((CHECKS + 1))
((size >= 100 * 1000 * 1000)) || fail "the big file is only $size bytes"
start=$(date +%s%3N)
/usr/bin/time -f '%M' -o "$T/rss" "$DBSHIFT" --url "$url" --dir "$T/case" up --no-backup >>"$TRIAL_LOG" 2>&1 ||
    fail "the 100 MB migration failed: $(tail -5 "$TRIAL_LOG")"
big_ms=$(($(date +%s%3N) - start))
big_rss=$(($(tail -1 "$T/rss") / 1024))
assert_eq "$expect_rows" "$(db_sql "$url" "select count(*) from big")" "every row of the big file"
CHECKS=$((CHECKS + 1))
((big_rss < 2048)) || fail "the 100 MB migration took $big_rss MB of memory"
expect 0 --url "$url" --dir "$T/case" down
rm -f "$big"

echo "trial_badinput: 100 MB case done at $SECONDS s" >&2

# 8. 100,000 tiny migrations (SQLite applies them all in one transaction;
# over the network reading and planning them is the point).
CASES=$((CASES + 1))
many=$T/many
mkdir -p "$many"
cp "$BASE"/*.sql "$many/"
awk -v d="$many" 'BEGIN { for (i = 2; i <= 100001; i++) { f = sprintf("%s/%06d_tiny.sql", d, i); printf "-- dbshift:up\nSELECT %d;\n", i > f; close(f) } }'
echo "trial_badinput: 100,000 files written at $SECONDS s" >&2
start=$(date +%s%3N)
if [[ $DBSHIFT_TEST_ENGINE == sqlite ]]; then
    many_url=$(fresh_url)
    /usr/bin/time -f '%M' -o "$T/rss" "$DBSHIFT" --url "$many_url" --dir "$many" up --single-transaction --no-backup >>"$TRIAL_LOG" 2>&1 ||
        fail "100,000 migrations failed: $(tail -5 "$TRIAL_LOG")"
    assert_eq 100001 "$(db_sql "$many_url" "select count(*) from dbshift_migrations where status = 'applied'")" "all applied"
else
    /usr/bin/time -f '%M' -o "$T/rss" "$DBSHIFT" --url "$url" --dir "$many" status --format json >"$T/many.json" 2>>"$TRIAL_LOG" ||
        fail "status of 100,000 migrations failed: $(tail -5 "$TRIAL_LOG")"
    assert_eq 100000 "$(jq .pending "$T/many.json")" "100,000 pending"
fi
many_ms=$(($(date +%s%3N) - start))
many_rss=$(($(tail -1 "$T/rss") / 1024))
CHECKS=$((CHECKS + 1))
((many_rss < 1024)) || fail "100,000 migrations took $many_rss MB of memory"
intact "100,000 migrations"
rm -rf "$many"

# 9. Targets that cannot work, per engine.
case $DBSHIFT_TEST_ENGINE in
sqlite)
    # A read-only database file (as a user who really cannot write it).
    CASES=$((CASES + 1))
    ro=$T/ro
    mkdir -p "$ro"
    cp "$(sqlite_path "$url")" "$ro/ro.db"
    new_case
    printf -- '-- dbshift:up\nCREATE TABLE more (x int);\n' >"$T/case/0002_more.sql"
    chmod 0444 "$ro/ro.db"
    chmod 0777 "$ro"
    chmod 0755 "$T" "$T/case"
    chmod 0644 "$T/case"/*.sql
    before=$(sha256sum <"$ro/ro.db")
    if (($(id -u) == 0)); then
        run_as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    else
        run_as=()
    fi
    assert_status '!0' "${run_as[@]}" "$DBSHIFT" --url "sqlite:$ro/ro.db" --dir "$T/case" up
    cat "$OUT_FILE" "$ERR_FILE" >>"$TRIAL_LOG"
    assert_contains "$ERR" "readonly" "the error says the file is read-only"
    assert_eq "$before" "$(sha256sum <"$ro/ro.db")" "the read-only file is untouched"

    # A full disk: a file-size limit the database grows past.
    CASES=$((CASES + 1))
    full=$T/full.db
    cp "$(sqlite_path "$url")" "$full"
    # Free pages left by the 100 MB case would absorb the growth.
    sqlite3 "$full" "vacuum"
    new_case
    printf -- "-- dbshift:up\nCREATE TABLE fill (s text);\nINSERT INTO fill WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 200000) SELECT hex(randomblob(64)) FROM c;\n" >"$T/case/0002_fill.sql"
    limit_kb=$(($(stat -c %s "$full") / 1024 + 256))
    STATUS=0
    (
        trap '' XFSZ
        ulimit -f "$limit_kb"
        exec "$DBSHIFT" --url "sqlite:$full" --dir "$T/case" up
    ) >"$T/full.out" 2>&1 </dev/null || STATUS=$?
    cat "$T/full.out" >>"$TRIAL_LOG"
    CHECKS=$((CHECKS + 1))
    ((STATUS != 0)) || fail "up succeeded past the file-size limit"
    assert_contains "$(cat "$T/full.out")" "disk" "the error says the disk failed"
    assert_eq ok "$(sqlite3 "$full" "pragma integrity_check")" "the database survived the full disk"
    assert_eq 7 "$(sqlite3 "$full" "select x from keep")" "data kept on the full disk"
    assert_eq 0 "$(sqlite3 "$full" "select count(*) from dbshift_migrations where version = '0002'")" "nothing recorded"
    for f in "$full".*.bak; do
        [[ -e $f ]] || continue
        assert_eq ok "$(sqlite3 "$f" "pragma integrity_check")" "the backup is complete"
    done
    ;;
postgres | mysql)
    scheme=$DBSHIFT_TEST_ENGINE
    # Refused at once.
    CASES=$((CASES + 1))
    start=$(date +%s%3N)
    expect '!0' --url "$scheme://dbshift:dbshift-secret-pw@127.0.0.1:1/x" --dir "$BASE" up
    assert_contains "$ERR" "cannot connect" "a clear connect error"
    assert_contains "$ERR" "127.0.0.1:1" "the error names the target"
    # A server that accepts and never answers: bounded by the timeout.
    CASES=$((CASES + 1))
    port=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 20000))
    socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" SYSTEM:'sleep 60' &
    silent=$!
    sleep 0.3
    start=$(date +%s%3N)
    expect '!0' --url "$scheme://dbshift:dbshift-secret-pw@127.0.0.1:$port/x" --dir "$BASE" up
    silent_ms=$(($(date +%s%3N) - start))
    kill "$silent" 2>/dev/null || true
    wait "$silent" 2>/dev/null || true
    assert_contains "$ERR" "127.0.0.1:$port" "the error names the target"
    CHECKS=$((CHECKS + 1))
    ((silent_ms < 15000)) || fail "a silent server kept dbshift waiting $silent_ms ms"
    ;;
esac
intact "the end"
trial_no_password

note="empty, binary, unterminated string/comment/identifier, quotes and semicolons in a name, symlink loops, unknown URL scheme: clear errors, nothing lost; 100 MB migration in ${big_ms} ms, ${big_rss} MB peak; 100,000 migrations in ${many_ms} ms, ${many_rss} MB peak"
case $DBSHIFT_TEST_ENGINE in
sqlite) note+="; read-only file and full disk refused, database intact" ;;
*) note+="; unreachable server refused at once, a silent one given up after ${silent_ms} ms" ;;
esac
trial_record bad-input "$CASES" pass "$note"
pass
