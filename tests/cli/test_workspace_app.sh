#!/usr/bin/env bash
# The example application (examples/workspace-app) opening workspaces left
# by every earlier release: each release's schema is built with `dbshift up
# --to` the release's last migration (examples/workspace-app/releases.txt),
# filled with real rows through that release's columns, then opened by the
# current program, which must keep every row. Also: a 1,000,000-row
# workspace with progress shown, the refusal of a workspace written by a
# newer release, and a failed upgrade put back from its backup.
source "$(dirname "$0")/../lib.sh"

SRC=${DBSHIFT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
MIG=$SRC/examples/workspace-app/migrations
APP=${WORKSPACE_APP_BIN:-$(dirname "$DBSHIFT")/examples/workspace-app/workspace-app}
[[ -x $APP ]] || fail "workspace-app not built at $APP"

release_version() { awk -v r="$1" '$1 == r { print $2 }' "$SRC/examples/workspace-app/releases.txt"; }

# make_workspace FILE RELEASE: the schema RELEASE left, with its own kind of data.
make_workspace() {
    local file=$1 release=$2
    assert_status 0 "$DBSHIFT" --url "sqlite:$file" --dir "$MIG" up --yes --no-backup \
        --to "$(release_version "$release")"
    local foods
    if [[ $release == v4 || $release == v5 ]]; then
        # From release 4 on a food is unique per name and brand.
        foods="INSERT INTO foods (name, brand, kcal_per_100g) VALUES
            ('Oat drink', 'Oatly', 46), ('Apple', NULL, 52), ('Oat drink', 'Oatly light', 30),
            ('Greek yoghurt', 'Fage', 97), ('Rye bread', NULL, 250);"
    elif [[ $release == v1 ]]; then
        # Release 1 kept the brand in the name, and allowed duplicates.
        foods="INSERT INTO foods (name, kcal_per_100g) VALUES
            ('Oat drink (Oatly)', 46), ('Apple', 52), ('Oat drink (Oatly)', 46),
            ('Greek yoghurt (Fage)', 97), ('Rye bread', 250);"
    else
        foods="INSERT INTO foods (name, brand, kcal_per_100g) VALUES
            ('Oat drink', 'Oatly', 46), ('Apple', NULL, 52), ('Oat drink', 'Oatly', 46),
            ('Greek yoghurt', 'Fage', 97), ('Rye bread', NULL, 250);"
    fi
    sqlite3 "$file" "$foods
        INSERT INTO entries (food_id, eaten_at, grams)
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
        SELECT 1 + i % 5, printf('2026-01-%02d %02d:%02d', 1 + i % 28, i % 24, i % 60), 10 + i
          FROM n;"
}

# What must survive: every entry (id, time, grams) and the energy per day.
entries_of() { sqlite3 "$1" "SELECT id, eaten_at, grams FROM entries ORDER BY id"; }
energy_before() {
    sqlite3 "$1" "SELECT substr(e.eaten_at, 1, 10), round(sum(e.grams * f.kcal_per_100g / 100.0), 1)
                    FROM entries e JOIN foods f ON f.id = e.food_id GROUP BY 1 ORDER BY 1"
}

for release in v1 v2 v3 v4; do
    ws=$T/$release.db
    make_workspace "$ws" "$release"
    entries=$(entries_of "$ws")
    energy=$(energy_before "$ws")
    assert_eq 200 "$(sqlite3 "$ws" "SELECT count(*) FROM entries")" "$release: seeded"

    assert_status 0 "$APP" --yes "$ws"
    assert_contains "$ERR" "saved by an earlier version" "$release: says what will change"
    assert_contains "$ERR" "backup: " "$release: backs up first"
    assert_contains "$ERR" "upgraded to version 0006" "$release: upgraded to the latest"
    assert_contains "$OUT" "200 diary entries" "$release: the app reads the upgraded workspace"
    assert_eq "$entries" "$(entries_of "$ws")" "$release: every entry survives unchanged"
    assert_eq "$energy" "$(sqlite3 "$ws" "SELECT day, kcal FROM daily_totals ORDER BY day")" \
        "$release: energy per day is the same after the upgrade"
    assert_eq "0006" "$(sqlite3 "$ws" "SELECT max(version) FROM dbshift_migrations")" \
        "$release: stamped with the newest version"
    backup=$(sed -n 's/^backup: //p' "$ERR_FILE")
    [[ -f $backup ]] || fail "$release: backup $backup missing"
    assert_eq "$entries" "$(entries_of "$backup")" "$release: the backup holds the old data"
    # A second start finds nothing to do and asks nothing.
    assert_status 0 "$APP" "$ws"
    assert_not_contains "$ERR" "earlier version" "$release: current workspace opens directly"
done

# Release 1 names carried the brand: split, and the duplicate merged into
# the first food with its entries moved along.
assert_eq $'Apple|\nGreek yoghurt|Fage\nOat drink|Oatly\nRye bread|' \
    "$(sqlite3 "$T/v1.db" "SELECT name, coalesce(brand, '') FROM foods ORDER BY name")" \
    "v1: brand split out of the name, duplicates merged"
assert_eq 0 "$(sqlite3 "$T/v1.db" "SELECT count(*) FROM entries WHERE food_id = 3")" \
    "v1: entries of the merged duplicate moved"
assert_eq 5 "$(sqlite3 "$T/v4.db" "SELECT count(*) FROM foods")" \
    "v4: no duplicates to merge, every food kept"

# The confirmation step is asked about on a terminal; answering no to it
# stops the upgrade and the workspace comes back from the backup.
ws=$T/ask.db
make_workspace "$ws" v3
before=$(sqlite3 "$ws" .dump)
printf 'y\nn\n' >"$T/answers"
CHECKS=$((CHECKS + 1))
script -qec "$APP $ws" /dev/null <"$T/answers" >"$T/tty.out" 2>&1 || true
tty_out=$(tr -d '\r' <"$T/tty.out")
assert_contains "$tty_out" "Upgrade now?" "asked before upgrading on a terminal"
assert_contains "$tty_out" "foods with the same name and brand are merged" "confirm message shown"
assert_contains "$tty_out" "restored from the backup" "declined step: restored"
assert_eq "$before" "$(sqlite3 "$ws" .dump)" "declined step: the workspace is as it was"
# Off a terminal without --yes nothing is touched.
assert_status 4 "$APP" "$ws"
assert_contains "$ERR" "run with --yes" "no terminal: says how to proceed"
assert_eq "$before" "$(sqlite3 "$ws" .dump)" "no terminal: untouched"

# A failing migration: the workspace comes back from the backup, exactly.
ws=$T/fail.db
make_workspace "$ws" v4
sqlite3 "$ws" "CREATE TABLE daily_goals (note TEXT); INSERT INTO daily_goals VALUES ('mine');"
before=$(sqlite3 "$ws" .dump)
assert_status 1 "$APP" --yes "$ws"
assert_contains "$ERR" "the upgrade failed" "failure reported"
assert_contains "$ERR" "restored from the backup" "failure: says the backup was restored"
assert_eq "$before" "$(sqlite3 "$ws" .dump)" "failure: the workspace is exactly as before"

# A workspace written by a newer release: refused, not touched.
mkdir "$T/future"
cp "$MIG"/*.sql "$T/future/"
printf -- '-- dbshift:up\nCREATE TABLE recipes (id INTEGER PRIMARY KEY);\n' >"$T/future/0007_recipes.sql"
ws=$T/newer.db
assert_status 0 "$DBSHIFT" --url "sqlite:$ws" --dir "$T/future" up --yes --no-backup
sum=$(sha256sum <"$ws")
assert_status 3 "$APP" --yes "$ws"
assert_contains "$ERR" "written by a newer version" "newer workspace: clear refusal"
assert_contains "$ERR" "nothing was changed" "newer workspace: says nothing changed"
assert_eq "$sum" "$(sha256sum <"$ws")" "newer workspace: file untouched"
[[ -z $(compgen -G "$ws.*.bak") ]] || fail "newer workspace: no backup should be written"

# 1,000,000 diary entries from release 2: the meal backfill rewrites every
# row, with the progress bar drawn (forced, since stderr is a file here).
ws=$T/big.db
assert_status 0 "$DBSHIFT" --url "sqlite:$ws" --dir "$MIG" up --yes --no-backup --to 0003
sqlite3 "$ws" "
    INSERT INTO foods (name, brand, kcal_per_100g)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
    SELECT 'food ' || i, 'brand ' || (i % 37), i % 400 FROM n;
    INSERT INTO entries (food_id, eaten_at, grams)
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
    SELECT 1 + i % 1000, printf('20%02d-%02d-%02d %02d:%02d', 20 + i % 6, 1 + i % 12, 1 + i % 28,
                                i % 24, i % 60), 1 + i % 500
      FROM n;"
sum_before=$(sqlite3 "$ws" "SELECT count(*), sum(grams), sum(food_id) FROM entries")
assert_status 0 "$APP" --yes --progress=always "$ws"
assert_contains "$ERR" "upgrading [" "1M rows: progress bar drawn"
assert_contains "$ERR" "entry_meal" "1M rows: the bar names the migration"
assert_contains "$ERR" "UPDATE entries" "1M rows: the bar names the statement"
assert_eq "$sum_before" "$(sqlite3 "$ws" "SELECT count(*), sum(grams), sum(food_id) FROM entries")" \
    "1M rows: every entry survives"
assert_eq 0 "$(sqlite3 "$ws" "SELECT count(*) FROM entries WHERE meal NOT IN ('breakfast', 'lunch', 'dinner', 'snack')")" \
    "1M rows: every entry has a meal"
assert_eq 1000000 "$(sqlite3 "$ws" "SELECT count(*) FROM entries WHERE meal = CASE
       WHEN substr(eaten_at, 12, 2) BETWEEN '05' AND '10' THEN 'breakfast'
       WHEN substr(eaten_at, 12, 2) BETWEEN '11' AND '14' THEN 'lunch'
       WHEN substr(eaten_at, 12, 2) BETWEEN '17' AND '21' THEN 'dinner'
       ELSE 'snack' END")" "1M rows: meals follow the time of day"

pass
