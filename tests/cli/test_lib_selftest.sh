#!/usr/bin/env bash
# Checks tests/lib.sh itself on SQLite, so a broken helper shows up as its own
# failure instead of as a confusing failure in every other test: fresh
# databases, the raw client, URL parsing, assertions that pass and fail with
# the right file:line, and removal of the temp folder.
# shellcheck disable=SC2016 # the child scripts' $T and $(...) expand there
set -euo pipefail
LIB=$(cd "$(dirname "$0")/.." && pwd)/lib.sh
export DBSHIFT_TEST_ENGINE=sqlite
# shellcheck source=tests/lib.sh
source "$LIB"

# The per-test folder exists and the binary path comes from DBSHIFT_BIN.
[[ -d $T && -w $T ]] || fail "T is not a writable folder: '$T'"
assert_eq "${DBSHIFT_BIN:-dbshift}" "$DBSHIFT" "DBSHIFT follows DBSHIFT_BIN"

# fresh_url gives a new database each call, even from subshells.
url1=$(fresh_url)
url2=$(fresh_url)
assert_contains "$url1" "sqlite:$T/" "sqlite URL inside T"
[[ $url1 != "$url2" ]] || fail "fresh_url returned '$url1' twice"
assert_eq sqlite "$(url_engine "$url1")" "engine of a sqlite URL"

# db_sql runs several statements and prints rows tab-separated, no header.
db_sql "$url1" "create table things(id integer primary key, name text);
insert into things(name) values ('one'), ('two');"
assert_eq $'1\tone\n2\ttwo' "$(db_sql "$url1" "select id, name from things order by id")" \
    "rows from db_sql"
assert_eq "" "$(db_sql "$url2" "select name from sqlite_master")" "second database is empty"

# A SQL error is a failing status, with the client's message on stderr.
assert_status '!0' db_sql "$url1" "select * from no_such_table"
assert_contains "$ERR" "no_such_table" "sqlite3 error message captured"

# table_exists tells tables apart from missing names and from views.
table_exists "$url1" things || fail "table 'things' not found"
if table_exists "$url1" nothing; then fail "table 'nothing' reported as existing"; fi
db_sql "$url1" "create view thing_names as select name from things"
if table_exists "$url1" thing_names; then fail "a view reported as a table"; fi
if table_exists "$url2" things; then fail "table found in the wrong database"; fi

# assert_status keeps stdout, stderr and the status.
assert_status 3 bash -c 'echo out; echo err >&2; exit 3'
assert_eq out "$OUT" "stdout captured"
assert_eq err "$ERR" "stderr captured"
assert_eq 3 "$STATUS" "status captured"
assert_eq out "$(cat "$OUT_FILE")" "stdout file"
assert_status 0 true
printf 'typed\n' >"$T/input"
STDIN=$T/input assert_status 0 cat
assert_eq typed "$OUT" "STDIN feeds the command"
assert_contains "hello world" "lo wo"
assert_not_contains "hello world" "bye"

# URL parsing: percent-escapes, IPv6 host, port, database and query.
url_parse 'postgres://us%40er:p%3Ass%25w@[::1]:5433/my%20db?sslmode=disable&x=1'
assert_eq postgres "$URL_SCHEME" scheme
assert_eq us@er "$URL_USER" user
assert_eq 'p:ss%w' "$URL_PASSWORD" password
assert_eq ::1 "$URL_HOST" host
assert_eq 5433 "$URL_PORT" port
assert_eq 'my db' "$URL_DB" database
assert_eq 'sslmode=disable&x=1' "$URL_QUERY" query
url_parse 'mysql://root@db.example:3306/app'
assert_eq "root||db.example|3306|app" "$URL_USER|$URL_PASSWORD|$URL_HOST|$URL_PORT|$URL_DB" \
    "mysql URL without password"
url_parse 'mysql://u:pw@localhost'
assert_eq "u|pw|localhost||" "$URL_USER|$URL_PASSWORD|$URL_HOST|$URL_PORT|$URL_DB" \
    "URL without port or database"
assert_eq 'postgres://u:p@h:1/t_x?sslmode=disable' \
    "$(url_with_db 'postgres://u:p@h:1/postgres?sslmode=disable' t_x)" "url_with_db"
assert_eq 'mysql://u:p@h:2/t_y' "$(url_with_db 'mysql://u:p@h:2/mysql' t_y)" "url_with_db mysql"
assert_eq "$T/a.db" "$(sqlite_path "sqlite:$T/a.db")" "sqlite path"
assert_eq "/abs/a.db" "$(sqlite_path "sqlite:///abs/a.db")" "sqlite path with slashes"

# Failures stop the test with the test file's name and line. Each case is a
# small script of its own (line 1 sources lib.sh), so its exit does not
# end this one.
child() {
    printf '%s\n' "source '$LIB'" "$@" >"$T/child.sh"
    assert_status "${EXPECT:-1}" env -u KEEP bash "$T/child.sh"
}
child 'echo "$T"' 'assert_eq 1 2 "numbers differ"'
assert_contains "$ERR" "FAIL child.sh:3: numbers differ" "assert_eq names file:line"
assert_contains "$ERR" "expected: 1" "assert_eq shows the expected value"
[[ ! -e $OUT ]] || fail "child's temp folder '$OUT' was left behind"
child 'x=1' 'assert_contains "abc" "z" "no z"'
assert_contains "$ERR" "FAIL child.sh:3: no z" "assert_contains names file:line"
child 'assert_not_contains "abc" "b" "has b"'
assert_contains "$ERR" "FAIL child.sh:2: has b" "assert_not_contains names file:line"
child '' '' 'assert_status 0 false'
assert_contains "$ERR" "FAIL child.sh:4: exit status 1, expected 0: false" \
    "assert_status names file:line"
child 'fail "on purpose"'
assert_contains "$ERR" "FAIL child.sh:2: on purpose" "fail names file:line"
child 'true' 'false' 'echo not reached'
assert_contains "$ERR" "child.sh:3: command failed with status 1: false" \
    "a failing command names file:line"
assert_not_contains "$OUT" "not reached" "set -e stops at the failing command"
child 'DBSHIFT_TEST_ENGINE=nosuch' 'u=$(fresh_url)'
assert_contains "$ERR" "DBSHIFT_TEST_ENGINE must be sqlite, postgres or mysql" "unknown engine"
child 'DBSHIFT_TEST_ENGINE=postgres' 'unset DBSHIFT_TEST_PG_URL' 'u=$(fresh_url)'
assert_contains "$ERR" "DBSHIFT_TEST_PG_URL is not set" "missing server URL is explained"

# A failure inside a helper file names the helper's line and the test's.
printf '%s\n' "source '$LIB'" 'check_two() {' '    assert_eq 2 "$1" "not two"' '}' >"$T/helper.sh"
child "source '$T/helper.sh'" 'check_two 2' 'check_two 3'
assert_contains "$ERR" "FAIL helper.sh:3 (from child.sh:4): not two" "helper failure names both lines"
EXPECT=0 child "first=\$T" "source '$LIB'" 'assert_eq "$first" "$T" "T kept"'

# A passing test prints its summary; KEEP=1 keeps the folder.
EXPECT=0 child 'assert_eq a a' 'pass'
assert_contains "$OUT" "PASS child.sh (1 checks, engine sqlite)" "pass summary"
printf '%s\n' "source '$LIB'" 'echo "$T"' >"$T/keep.sh"
assert_status 0 env KEEP=1 bash "$T/keep.sh"
[[ -d $OUT ]] || fail "KEEP=1 did not keep '$OUT'"
rm -rf -- "$OUT"

pass
