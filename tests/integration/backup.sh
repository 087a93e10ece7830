#!/usr/bin/env bash
# Backups and restores. SQLite: `up` backs up automatically, files are mode
# 0600 and only the newest five are kept; restore needs --yes and brings
# back the data and the history as they were. PostgreSQL and MySQL:
# `dbshift backup` writes a pg_dump / mariadb-dump file (mode 0600) in the
# current folder, and `restore FILE --yes` brings the database back to it.
source "$(dirname "$0")/helpers.sh"

url=$(fresh_url)
m=$T/m
cd "$T" || exit 1

mode_of() {
    stat -c %a "$1"
}

mig "$m" 001_a.sql "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
if [[ $ENGINE == sqlite ]]; then
    db=$(sqlite_path "$url")
    # -------------------------------------------- automatic, rotated
    for v in 2 3 4 5 6 7; do
        assert_status 0 ds "$url" "$m" up
        assert_contains "$OUT" "backup" "up reports its backup"
        mig "$m" "00${v}_t$v.sql" "CREATE TABLE t$v (id INTEGER);" "DROP TABLE t$v;"
    done
    assert_status 0 ds "$url" "$m" up
    assert_eq 7 "$(history_count "$url")" "seven runs applied seven migrations"
    backups=$(cd "$T" && ls "$(basename "$db")".*.bak)
    assert_eq 5 "$(wc -l <<<"$backups")" "rotation keeps five backups"
    assert_eq "v002 v003 v004 v005 v006" "$(sed 's/.*\.\(v[0-9]*\)\.bak/\1/' <<<"$backups" | sort | tr '\n' ' ' | sed 's/ $//')" \
        "the five newest are kept"
    for f in $backups; do
        assert_eq 600 "$(mode_of "$T/$f")" "backup $f is private"
        assert_eq ok "$(sqlite3 "$T/$f" 'pragma integrity_check')" "backup $f is a sound database"
    done
    assert_status 0 ds "$url" "$m" restore --list --format json
    assert_eq "$(ls -t "$T"/*.bak | head -n1)" "$(json_get "$OUT" 'd["backups"][0]')" "the list starts with the newest"
    assert_eq 6 "$(sqlite3 "$T/$(grep v006 <<<"$backups")" 'select count(*) from dbshift_migrations')" \
        "the newest backup was taken before the seventh migration"

    # -------------------------------------------- explicit, restore
    db_sql "$url" "INSERT INTO a (id) VALUES (7)"
    assert_status 0 ds "$url" "$m" backup --format json
    saved=$(json_get "$OUT" 'd["backup"]')
    assert_eq 600 "$(mode_of "$saved")" "backup is private"
    before=$(snapshot "$url")
    db_sql "$url" "INSERT INTO a (id) VALUES (8)"
    mig "$m" 008_t8.sql "CREATE TABLE t8 (id INTEGER);" "DROP TABLE t8;"
    assert_status 0 ds "$url" "$m" up --no-backup
    changed=$(snapshot "$url")
    assert_status 1 ds "$url" "$m" restore "$saved"
    assert_contains "$ERR" "--yes" "restore without a terminal asks for --yes"
    assert_eq "$changed" "$(snapshot "$url")" "an unconfirmed restore changed the database"
    assert_status 0 ds "$url" "$m" restore "$saved" --yes
    assert_eq "$before" "$(snapshot "$url")" "restore brought schema and history back"
    assert_eq 7 "$(db_sql "$url" "select group_concat(id) from a")" "restore brought the data back"
    # Without FILE, the newest backup is restored: the one just taken.
    db_sql "$url" "DELETE FROM a"
    assert_status 0 ds "$url" "$m" backup
    db_sql "$url" "INSERT INTO a (id) VALUES (9)"
    assert_status 0 ds "$url" "$m" restore --yes
    assert_eq 0 "$(db_sql "$url" "select count(*) from a")" "restore without FILE takes the newest backup"
else
    assert_status 0 ds "$url" "$m" up
    db_sql "$url" "INSERT INTO a (id) VALUES (7)"
    assert_status 0 ds "$url" "$m" backup --format json
    saved=$(json_get "$OUT" 'd["backup"]')
    [[ $saved == /* ]] || saved=$T/$saved
    [[ -s $saved ]] || fail "no dump at '$saved'"
    assert_eq 600 "$(mode_of "$saved")" "the dump is private"
    assert_eq 0 "$(grep -ac dbshift_migrations "$saved" >/dev/null; echo $?)" "the dump holds the history"
    assert_eq 1 "$(grep -ac "$DBSHIFT_TEST_PASSWORD" "$saved" >/dev/null; echo $?)" "the dump holds no password"
    before=$(snapshot "$url")
    db_sql "$url" "INSERT INTO a (id) VALUES (8)"
    db_sql "$url" "DELETE FROM a WHERE id = 7"
    mig "$m" 002_b.sql "CREATE TABLE b (id INTEGER);" "DROP TABLE b;"
    assert_status 0 ds "$url" "$m" up
    changed=$(snapshot "$url")
    assert_status 1 ds "$url" "$m" restore "$saved"
    assert_eq "$changed" "$(snapshot "$url")" "an unconfirmed restore changed the database"
    assert_status 0 ds "$url" "$m" restore "$saved" --yes
    assert_eq 7 "$(db_sql "$url" "select id from a order by id")" "restore brought the data back"
    assert_eq "001" "$(applied_versions "$url")" "restore brought the history back"
    # The restore replaces the content: table b, created after the backup,
    # is gone on every engine, as the restored history says.
    assert_eq "a" "$(user_tables "$url")" "restore removed the later table"
    assert_eq "$before" "$(snapshot "$url")" "restore brought schema and history back"
    # Automatic dumps only when asked (--backup).
    assert_status 0 ds "$url" "$m" up --backup
    assert_contains "$OUT" "backup" "up --backup reports its dump"
    assert_eq 2 "$(find "$T" -maxdepth 1 -name "dbshift-$ENGINE.*" | wc -l)" "up --backup wrote a second dump"
    assert_eq "a b" "$(user_tables "$url")" "up ran after its backup"
fi

pass
