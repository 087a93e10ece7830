#!/usr/bin/env bash
# Embedding and many targets from the command line: `dbshift embed`
# (reproducible, warning-free C carrying versions, names and checksums),
# `dbshift resolve` for manual steps, the newer-database refusal, `up
# --targets` with --jobs and --fail-fast, and the --progress display.
source "$(dirname "$0")/../lib.sh"

CC=${CC:-cc}
mkdir -p "$T/a/migrations"
M=$T/a/migrations
printf -- '-- dbshift:up\nCREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT);\n-- dbshift:down\nDROP TABLE t;\n' >"$M/0001_create_t.sql"
# Quotes, backslashes, trigraph-like ?? and non-ASCII must survive the C literal.
printf -- '-- dbshift:up\nINSERT INTO t (note) VALUES (%s);\n' "'say \"hi\" \\ ??= caf\xc3\xa9'" >"$M/0002_quotes.sql"
printf -- '-- dbshift:up transaction=false\nCREATE INDEX t_note ON t (note);\n' >"$M/0003_index.sql"
{
    echo '-- dbshift:up'
    echo 'CREATE TABLE big (v TEXT);'
    for i in $(seq 1 200); do echo "INSERT INTO big VALUES ('row $i of a file longer than a C literal may be');"; done
} >"$M/0004_big.sql"

# --- embed ---------------------------------------------------------------
assert_status 0 "$DBSHIFT" embed "$M" -o "$T/one.c"
assert_status 0 "$DBSHIFT" embed "$M" -o "$T/two.c" --symbol app_migrations
assert_status 0 "$DBSHIFT" embed "$M" -o "$T/one-again.c"
cmp -s "$T/one.c" "$T/one-again.c" || fail "embed is not reproducible byte for byte"
CHECKS=$((CHECKS + 1))
assert_status 0 "$DBSHIFT" embed "$M" -o "$T/one.c"
assert_contains "$ERR" "unchanged" "an unchanged output file is not rewritten"
# The same folder elsewhere, with CRLF line ends, gives the same bytes.
mkdir -p "$T/b/migrations"
for f in "$M"/*.sql; do sed 's/$/\r/' "$f" >"$T/b/migrations/$(basename "$f")"; done
assert_status 0 "$DBSHIFT" embed "$T/b/migrations" -o "$T/crlf.c"
cmp -s "$T/one.c" "$T/crlf.c" || fail "embed depends on line ends or the folder's location"
CHECKS=$((CHECKS + 1))

gen=$(cat "$T/one.c")
assert_contains "$gen" 'const dbshift_embedded dbshift_migrations' "default symbol"
assert_contains "$(cat "$T/two.c")" 'const dbshift_embedded app_migrations' "--symbol"
assert_contains "$gen" '"0001", "create_t"' "versions and names recorded"
assert_contains "$gen" 'up: migrations/0003_index.sql line 2, no transaction' "sections recorded"
url=sqlite:$T/status.db
assert_status 0 "$DBSHIFT" --url "$url" --dir "$M" status --format json
for sum in $(jq -r '.migrations[].checksum' <<<"$OUT"); do
    assert_contains "$gen" "\"$sum\"" "checksum $sum recorded"
done
assert_contains "$gen" 'static const char dbshift_migrations_file3[] = {' "a long file becomes bytes"
for std in c99 c11; do
    assert_status 0 "$CC" -std=$std -Wall -Wextra -Wpedantic -Werror -I"$DBSHIFT_SOURCE_DIR/include" \
        -c "$T/one.c" -o "$T/one.o"
done
assert_status 2 "$DBSHIFT" embed "$M" -o "$T/x.c" --symbol 9bad
assert_status 2 "$DBSHIFT" embed "$M"
assert_status 0 "$DBSHIFT" embed "$M" -o -
assert_eq "$gen" "$OUT" "-o - writes the same source to stdout"

# --- manual steps and resolve ---------------------------------------------
mkdir -p "$T/manual"
printf -- '-- dbshift:up\nCREATE TABLE a (x);\n' >"$T/manual/0001_a.sql"
printf -- '-- dbshift:manual "export the old report before continuing"\n-- dbshift:up\nCREATE TABLE b (x);\n' >"$T/manual/0002_b.sql"
printf -- '-- dbshift:up\nCREATE TABLE c (x);\n' >"$T/manual/0003_c.sql"
url=sqlite:$T/manual.db
assert_status '!0' "$DBSHIFT" --url "$url" --dir "$T/manual" up
assert_contains "$ERR" "export the old report" "up stops with the instructions"
assert_status 0 "$DBSHIFT" --url "$url" --dir "$T/manual" status --format json
assert_eq manual "$(jq -r '.migrations[] | select(.version == "0002") | .state' <<<"$OUT")" \
    "status shows the step waiting"
assert_status '!0' "$DBSHIFT" --url "$url" --dir "$T/manual" resolve 0003
assert_contains "$ERR" "neither waits" "resolve of a version that does not wait"
assert_status 2 "$DBSHIFT" --url "$url" --dir "$T/manual" resolve
assert_status 0 "$DBSHIFT" --url "$url" --dir "$T/manual" resolve 0002
assert_contains "$OUT" "resolved 0002" "resolve confirms"
assert_status 0 "$DBSHIFT" --url "$url" --dir "$T/manual" up
assert_eq 3 "$(sqlite3 "$T/manual.db" "SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b', 'c')")" \
    "the run continued after resolve"
assert_status 0 "$DBSHIFT" --url "$url" --dir "$T/manual" history --format json
assert_contains "$OUT" '"resolve"' "resolve is in the history"

# --- a database newer than the migrations ------------------------------------
url=sqlite:$T/newer.db
assert_status 0 "$DBSHIFT" --url "$url" --dir "$M" up --no-backup
mkdir -p "$T/old"
cp "$M/0001_create_t.sql" "$M/0002_quotes.sql" "$T/old/"
sum=$(sha256sum <"$T/newer.db")
assert_status '!0' "$DBSHIFT" --url "$url" --dir "$T/old" up
assert_contains "$ERR" "written by a newer version" "newer database refused"
assert_eq "$sum" "$(sha256sum <"$T/newer.db")" "newer database untouched"

# --- many targets -------------------------------------------------------------
W=$T/ws
mkdir -p "$W"
for n in alice bob carol dave; do : >"$W/$n.db"; done
assert_status 0 "$DBSHIFT" --url "sqlite:$W/bob.db" --dir "$M" up --to 0002 --no-backup
sqlite3 "$W/carol.db" "CREATE TABLE big (already TEXT)" # makes 0004 fail on carol
echo "not a database" >"$W/notes.txt"
assert_status 1 "$DBSHIFT" --dir "$M" up --targets "$W/*" --jobs 2
assert_contains "$OUT" "target" "summary table header"
assert_contains "$OUT" "4 targets: 3 upgraded, 0 current, 1 failed" "summary line"
assert_contains "$OUT" "rerun to continue" "says a rerun continues"
assert_contains "$ERR" "carol.db" "the failure names its target"
assert_not_contains "$OUT" "notes.txt" "only SQLite files are targets"
assert_not_contains "$OUT" ".bak" "backups are not targets"
assert_eq 0004 "$(sqlite3 "$W/alice.db" "SELECT max(version) FROM dbshift_migrations")" "alice upgraded"
assert_eq 0004 "$(sqlite3 "$W/dave.db" "SELECT max(version) FROM dbshift_migrations")" \
    "one failure does not stop the others"
[[ -n $(compgen -G "$W/bob.db.*.bak") ]] || fail "each target gets its own backup"
CHECKS=$((CHECKS + 1))
# Fix carol and rerun: it continues, the others are current.
sqlite3 "$W/carol.db" "DROP TABLE big"
assert_status 0 "$DBSHIFT" --dir "$M" up --targets "$W/*.db" --format json
assert_eq "1 3 0" "$(jq -r '"\(.upgraded) \(.current) \(.failed)"' <<<"$OUT")" "rerun continues"
assert_eq "0003 0004 upgraded" \
    "$(jq -r '.targets[] | select(.target | endswith("carol.db")) | "\(.from) \(.to) \(.outcome)"' <<<"$OUT")" \
    "carol from where it stopped"
# A list file of URLs, and --fail-fast.
for n in e1 e2 e3; do : >"$W/$n.sqlite"; done
sqlite3 "$W/e1.sqlite" "CREATE TABLE t (x)"
printf '# tenants\nsqlite:%s\n\n%s\nsqlite:%s\n' "$W/e1.sqlite" "$W/e2.sqlite" "$W/e3.sqlite" >"$T/list"
assert_status 1 "$DBSHIFT" --dir "$M" up --targets "$T/list" --fail-fast
assert_contains "$OUT" "2 skipped" "--fail-fast starts no more targets"
assert_eq 0 "$(sqlite3 "$W/e2.sqlite" "SELECT count(*) FROM sqlite_master")" "skipped target untouched"
assert_status 2 "$DBSHIFT" --dir "$M" up --jobs 2
assert_status 2 "$DBSHIFT" --dir "$M" up --targets "$T/nothing-*.db"

# --- progress -----------------------------------------------------------------
mkdir -p "$T/slow"
printf -- '-- dbshift:up\nCREATE TABLE s AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 14000000) SELECT sum(i) AS t FROM n;\nCREATE TABLE s2 (x);\n' >"$T/slow/0001_slow.sql"
assert_status 0 "$DBSHIFT" --url "sqlite:$T/p1.db" --dir "$T/slow" up --progress=always
assert_contains "$ERR" "apply  1/1  [" "bar drawn with --progress=always"
assert_contains "$ERR" "stmt 1/2" "bar names the statement"
assert_contains "$ERR" "| 00:0" "spinner for a statement running over 2 s"
assert_contains "$OUT" "apply   0001_slow" "the usual result line still printed"
assert_status 0 "$DBSHIFT" --url "sqlite:$T/p2.db" --dir "$T/slow" up --progress=never
assert_not_contains "$ERR" "[" "--progress=never draws nothing"
assert_status 2 "$DBSHIFT" --url "sqlite:$T/p3.db" --dir "$T/slow" up --progress=sometimes

pass
