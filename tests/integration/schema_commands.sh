#!/usr/bin/env bash
# dump, drift and test on the engine under test: the dump is byte-identical
# for the same schema whatever order it was created in, replays to the same
# dump, and leaves the history tables out; drift is found after a manual
# change (exit 7, text and JSON) and not before; `test` passes on migrations
# whose downs are right and names the first wrong one, with the difference,
# in text, JSON and JUnit.
source "$(dirname "$0")/helpers.sh"

case $ENGINE in
sqlite)
    t1="CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    t2="CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER REFERENCES authors (id), title TEXT CHECK (length(title) > 0));"
    t3="CREATE INDEX books_title ON books (title);"
    t4="CREATE VIEW titles AS SELECT title FROM books;"
    manual="ALTER TABLE books ADD COLUMN isbn TEXT"
    ;;
postgres)
    t1="CREATE TABLE authors (id integer PRIMARY KEY, name text NOT NULL UNIQUE);"
    t2="CREATE TABLE books (id integer PRIMARY KEY, author_id integer REFERENCES authors (id), title text CHECK (length(title) > 0));"
    t3="CREATE INDEX books_title ON books (title);"
    t4="CREATE VIEW titles AS SELECT title FROM books;"
    manual="ALTER TABLE books ALTER COLUMN title SET NOT NULL"
    ;;
mysql)
    t1="CREATE TABLE authors (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL UNIQUE);"
    t2="CREATE TABLE books (id INT PRIMARY KEY, author_id INT, title VARCHAR(100), CONSTRAINT books_author FOREIGN KEY (author_id) REFERENCES authors (id));"
    t3="CREATE INDEX books_title ON books (title);"
    t4="CREATE VIEW titles AS SELECT title FROM books;"
    manual="ALTER TABLE books MODIFY title VARCHAR(200)"
    ;;
esac

# ---------------------------------------------------------------- dump
a=$(fresh_url)
b=$(fresh_url)
db_sql "$a" "$t1 $t2 $t3 $t4" >/dev/null
db_sql "$b" "$t1" >/dev/null
db_sql "$b" "$t2" >/dev/null
db_sql "$b" "$t4" >/dev/null
db_sql "$b" "$t3" >/dev/null
assert_status 0 "$DBSHIFT" --url "$a" dump
dump_a=$OUT
assert_contains "$dump_a" "books_title" "the dump holds the index"
assert_contains "$dump_a" "titles" "the dump holds the view"
assert_status 0 "$DBSHIFT" --url "$a" dump
assert_eq "$dump_a" "$OUT" "dumping twice gives the same bytes"
assert_status 0 "$DBSHIFT" --url "$b" dump
assert_eq "$dump_a" "$OUT" "creation order does not matter"
assert_status 0 "$DBSHIFT" --url "$a" dump --out "$T/schema.sql"
assert_eq "$dump_a" "$(cat "$T/schema.sql")" "--out writes the same text"
# the dump replays into the same schema
c=$(fresh_url)
db_sql "$c" "$(grep -v '^DELIMITER' "$T/schema.sql")" >/dev/null
assert_eq "$dump_a" "$("$DBSHIFT" --url "$c" dump)" "the dump replays to itself"

# ---------------------------------------------------------------- drift
m=$T/m
mig "$m" 0001_authors.sql "$t1" "DROP TABLE authors;"
mig "$m" 0002_books.sql "$t2 $t3" "DROP TABLE books;"
mig "$m" 0003_titles.sql "$t4" "DROP VIEW titles;"
url=$(fresh_url)
assert_status 0 ds "$url" "$m" up --no-backup
assert_status 0 ds "$url" "$m" dump
assert_not_contains "$OUT" "dbshift_migrations" "history tables are not dumped"
assert_not_contains "$OUT" "dbshift_log" "history tables are not dumped"
assert_status 0 ds "$url" "$m" drift
assert_contains "$OUT" "ok: the schema matches" "no drift right after up"
db_sql "$url" "$manual" >/dev/null
assert_status 7 ds "$url" "$m" drift
assert_contains "$OUT" "books" "drift names the changed table"
assert_status 7 ds "$url" "$m" drift --format json
assert_eq "true" "$(json_get "$OUT" 'd["drift"]')" "json says drift"
assert_eq "1" "$(json_get "$OUT" 'len(d["differences"])')" "one difference"
assert_contains "$(json_get "$OUT" 'd["differences"][0]["object"]')" "books" "the object is named"
# drift against an older version: only the applied migrations count
url2=$(fresh_url)
assert_status 0 ds "$url2" "$m" up --no-backup --to 0001
assert_status 0 ds "$url2" "$m" drift
# a shadow given by URL is used as it is
shadow=$(fresh_url)
assert_status 7 ds "$url" "$m" drift --shadow-url "$shadow"

# ---------------------------------------------------------------- test
assert_status 0 ds "$url" "$m" test
assert_contains "$OUT" "ok: every down migration restores the schema" "good downs pass"
assert_eq "4" "$(grep -c '^ok  ' <<<"$OUT")" "three migrations and the full cycle"
# a down that forgets the index
mig "$m" 0004_wrong.sql "CREATE TABLE notes (id INT PRIMARY KEY, body VARCHAR(50)); CREATE INDEX notes_body ON notes (body); ALTER TABLE authors ADD COLUMN bio VARCHAR(100);" \
    "DROP TABLE notes;"
mig "$m" 0005_after.sql "CREATE TABLE later (id INT PRIMARY KEY);" "DROP TABLE later;"
assert_status 1 ds "$url" "$m" test
assert_contains "$OUT" "failed  0004 wrong" "the wrong down is named"
assert_contains "$OUT" "bio" "with the difference"
assert_contains "$ERR" "first: 0004" "the first failure is named"
assert_status 1 ds "$url" "$m" test --format json
assert_eq "0004" "$(json_get "$OUT" 'd["first_failed"]')" "json names the first failure"
assert_eq "false" "$(json_get "$OUT" 'd["ok"]')" "json says not ok"
assert_status 1 ds "$url" "$m" test --format junit
assert_contains "$OUT" "<testsuite" "junit report"
assert_contains "$OUT" "<failure" "junit failure"
python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parseString(sys.stdin.read())' <<<"$OUT" ||
    fail "the junit report is not well-formed XML"
assert_status 1 ds "$url" "$m" test --junit "$T/junit.xml"
assert_contains "$(cat "$T/junit.xml")" 'failures="1"' "--junit writes the file"

# ---------------------------------------------------------------- --dump-schema
# The schema file follows every successful up and down, never a dry run.
sf_url=$(fresh_url)
sf=$T/schema.sql
assert_status 0 ds "$sf_url" "$m" --dump-schema "$sf" up --to 0001 --yes
assert_status 0 "$DBSHIFT" --url "$sf_url" dump
assert_eq "$OUT" "$(cat "$sf")" "up wrote the schema file as dump prints it"
before=$(cat "$sf")
assert_status 0 ds "$sf_url" "$m" --dump-schema "$sf" up --dry-run --yes
assert_eq "$before" "$(cat "$sf")" "a dry run leaves the schema file alone"
assert_status 0 ds "$sf_url" "$m" --dump-schema "$sf" up --to 0002 --yes
assert_status 0 "$DBSHIFT" --url "$sf_url" dump
assert_eq "$OUT" "$(cat "$sf")" "the next up refreshed it"
[[ $before != "$(cat "$sf")" ]] || fail "the schema file did not change with the schema"
assert_status 0 ds "$sf_url" "$m" --dump-schema "$sf" down --yes
assert_eq "$before" "$(cat "$sf")" "down brought the schema file back"
pass
