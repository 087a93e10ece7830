#!/usr/bin/env bash
# The everyday path through the real binary on the embedded SQLite default:
# version, new, up (announcing the default), status, history, down, validate,
# redo, lock, backup - each checked for its exit status and the lines a user
# relies on.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
SRC=${DBSHIFT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
unset DATABASE_URL DBSHIFT_CONFIG DBSHIFT_ENV
cd "$T"

assert_status 0 "$DBSHIFT" --version
assert_contains "$OUT" "dbshift 0." "version line"

# new: a timestamped file with both sections, then a sequential one elsewhere.
assert_status 0 "$DBSHIFT" new create_things
assert_contains "$OUT" "created migrations/" "new says where"
file=$(ls migrations/*_create_things.sql)
assert_contains "$(cat "$file")" "-- dbshift:up" "up marker"
assert_contains "$(cat "$file")" "-- dbshift:down" "down marker"
assert_not_contains "$ERR" "using sqlite:" "new needs no database, so no announcement"
assert_status 0 "$DBSHIFT" --dir seq new first --sequential
assert_contains "$OUT" "seq/0001_first.sql" "sequential numbering"
rm -rf migrations seq

# up with no --url: the embedded default is used and announced on stderr.
mkdir migrations
cp "$SRC"/examples/migrations/*.sql migrations/
assert_status 0 "$DBSHIFT" up
assert_contains "$ERR" "using sqlite:dbshift.db (no --url or DATABASE_URL given)" "announced"
assert_contains "$OUT" "apply   20260101090000_create_users" "progress line"
assert_contains "$OUT" "4 applied in" "summary"
assert_contains "$OUT" "now at 20260103080000" "summary version"
[[ -f dbshift.db ]] || fail "dbshift.db was not created"
assert_eq 2 "$(db_sql sqlite:dbshift.db "select count(*) from users")" "seed rows"

# up again: nothing to do, still exit 0.
assert_status 0 "$DBSHIFT" up
assert_contains "$OUT" "nothing to apply" "second up"

# status: a row per migration with its state and an up-to-date line.
assert_status 0 "$DBSHIFT" status
assert_contains "$OUT" "database  sqlite:dbshift.db" "status header"
assert_contains "$OUT" "create_orders" "status row"
assert_contains "$OUT" "applied" "state column"
assert_contains "$OUT" "up to date at 20260103080000" "status summary"
assert_status 0 "$DBSHIFT" status --exit-code

# history: newest first, successes marked ok.
assert_status 0 "$DBSHIFT" history --limit 2
assert_contains "$OUT" "seed_demo_users" "newest entry shown"
assert_not_contains "$OUT" "create_users" "--limit 2 keeps only two"

# down one step, then status shows it pending and --exit-code says 3.
assert_status 0 "$DBSHIFT" down
assert_contains "$OUT" "revert  20260103080000_seed_demo_users" "revert line"
assert_contains "$OUT" "1 rolled back" "down summary"
assert_status 3 "$DBSHIFT" status --exit-code
assert_contains "$OUT" "pending" "pending row"

# redo and validate on a clean history.
assert_status 0 "$DBSHIFT" up
assert_status 0 "$DBSHIFT" redo
assert_contains "$OUT" "rolled back and 1 applied" "redo summary"
assert_status 0 "$DBSHIFT" validate
assert_contains "$OUT" "ok" "validate ok"

# lock: free when nobody runs; backup writes a file that restore lists.
assert_status 0 "$DBSHIFT" lock
assert_contains "$OUT" "lock is free" "lock free"
assert_status 0 "$DBSHIFT" backup
assert_contains "$OUT" "backup written:" "backup path"
assert_status 0 "$DBSHIFT" restore --list
assert_contains "$OUT" "newest first" "backups listed"

# status and validate on a SQLite file read the history and the folder at
# the same time: each side's error still comes out whole, the database's
# first, and a status followed by up on a folder of many files works.
mkdir many
for i in $(seq 1 60); do
    printf -- '-- dbshift:up\nCREATE TABLE m%d (x int);\n-- dbshift:down\nDROP TABLE m%d;\n' "$i" "$i" \
        >"many/$(printf %04d "$i")_m$i.sql"
done
assert_status 0 "$DBSHIFT" --url sqlite:many.db --dir many up
assert_status 0 "$DBSHIFT" --url sqlite:many.db --dir many status
assert_contains "$OUT" "up to date at 0060" "status over 60 files"
assert_status 0 "$DBSHIFT" --url sqlite:many.db --dir many validate
printf -- '-- dbshift:upx\n' >many/0061_bad.sql
assert_status 1 "$DBSHIFT" --url sqlite:many.db --dir many status
assert_contains "$ERR" "unknown directive '-- dbshift:upx' in 'many/0061_bad.sql' line 1" "folder error"
assert_status 1 "$DBSHIFT" --url sqlite:no/such/dir/x.db --dir many status
assert_contains "$ERR" "cannot open sqlite database" "the database's error comes first"
assert_not_contains "$ERR" "upx" "and alone"

pass
