#!/usr/bin/env bash
# Output contracts: every --format json document parses (python3 -m json.tool)
# and has its documented fields; errors in JSON mode are {"error": ...} on
# stdout with a non-zero exit; colour appears only on a terminal and never
# with NO_COLOR or --no-color; exit statuses 3, 4, 5 and 6 mean what the man
# page says; a failed migration is shown with its file, line and caret.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
SRC=${DBSHIFT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
unset DATABASE_URL DBSHIFT_CONFIG DBSHIFT_ENV NO_COLOR
cd "$T"
mkdir migrations
cp "$SRC"/examples/migrations/*.sql migrations/
url=sqlite:$T/out.db

json_field() { # json_field EXPR: evaluates EXPR on the document d in $OUT
    python3 -c "import json,sys; d=json.load(sys.stdin); print($1)" <<<"$OUT"
}
valid_json() {
    python3 -m json.tool <<<"$OUT" >/dev/null || fail "not JSON ($1): $OUT"
    CHECKS=$((CHECKS + 1))
}

# status before anything ran.
assert_status 0 "$DBSHIFT" --url "$url" status --format json
valid_json status
assert_eq "4" "$(json_field 'd["pending"]')" "4 pending"
assert_eq "None" "$(json_field 'd["current_version"]')" "no current version"
assert_eq "pending" "$(json_field 'd["migrations"][0]["state"]')" "state field"
assert_eq "dbshift" "$(json_field 'd["format"]')" "format field"
assert_eq "True" "$(json_field '"checksum" in d["migrations"][0] and "applied_at" in d["migrations"][0]')" "fields"
assert_status 3 "$DBSHIFT" --url "$url" status --exit-code --format json
valid_json "status --exit-code"

# up: one document, no progress lines mixed into stdout.
assert_status 0 "$DBSHIFT" --url "$url" up --to 20260101091500 --format json
valid_json up
assert_eq "2" "$(json_field 'len(d["migrations"])')" "two migrations ran"
assert_eq "ok up" "$(json_field 'd["migrations"][0]["outcome"] + " " + d["migrations"][0]["direction"]')" "outcome"
assert_eq "20260101091500" "$(json_field 'd["to"]')" "to version"
assert_eq "None" "$(json_field 'd["migrations"][1]["error"]')" "no error"
for cmd in history validate lock "restore --list"; do
    # shellcheck disable=SC2086 # "restore --list" is two words on purpose
    assert_status 0 "$DBSHIFT" --url "$url" $cmd --format json
    valid_json "$cmd"
done
assert_status 0 "$DBSHIFT" --url "$url" history --format json
assert_eq "True" "$(json_field 'len(d["entries"]) >= 2 and d["entries"][0]["success"]')" "history entries"
assert_status 0 "$DBSHIFT" --url "$url" validate --format json
assert_eq "[]" "$(json_field 'd["problems"]')" "no problems"
assert_status 0 "$DBSHIFT" --url "$url" down --format json
assert_eq "down" "$(json_field 'd["migrations"][0]["direction"]')" "down direction"

# Text mode off a terminal: no escape sequences anywhere.
assert_status 0 "$DBSHIFT" --url "$url" status
assert_not_contains "$OUT$ERR" $'\033[' "no colour off a terminal"

# On a terminal (script gives one): colour, unless NO_COLOR or --no-color.
if command -v script >/dev/null; then
    tty_run() { script -qec "$*" /dev/null </dev/null; }
    out=$(tty_run "'$DBSHIFT' --url '$url' status")
    assert_contains "$out" $'\033[' "colour on a terminal"
    out=$(NO_COLOR=1 tty_run "'$DBSHIFT' --url '$url' status")
    assert_not_contains "$out" $'\033[' "NO_COLOR"
    out=$(tty_run "'$DBSHIFT' --url '$url' status --no-color")
    assert_not_contains "$out" $'\033[' "--no-color"
else
    fail "the script command (util-linux) is needed to test colour on a terminal"
fi

# A failing migration: error with SQLSTATE-free SQLite message, location,
# caret, and what state the database is in; JSON has the error object.
cat >migrations/20260104080000_broken.sql <<'SQL'
-- dbshift:up
UPDATE users
   SET name = 'x'
 WHERE nope = 1;
-- dbshift:down
SELECT 1;
SQL
assert_status 1 "$DBSHIFT" --url "$url" up
assert_contains "$OUT" "FAILED after" "failure on the progress line"
assert_contains "$ERR" "error: " "error line"
assert_contains "$ERR" "--> migrations/20260104080000_broken.sql:" "location line"
assert_contains "$ERR" "rolled back" "says the database was rolled back"
assert_status 1 "$DBSHIFT" --url "$url" up --format json
valid_json "failed up"
assert_eq "failed" "$(json_field 'd["migrations"][-1]["outcome"]')" "failed outcome"
assert_eq "True" "$(json_field 'd["error"]["message"] is not None and d["migrations"][-1]["error"]["file"].endswith("broken.sql")')" "error object"
rm migrations/20260104080000_broken.sql

# Exit 5: an applied file changed.
assert_status 0 "$DBSHIFT" --url "$url" up
echo "-- edited" >>migrations/20260101090000_create_users.sql
assert_status 5 "$DBSHIFT" --url "$url" validate
assert_contains "$OUT$ERR" "20260101090000" "validate names the changed migration"
assert_status 5 "$DBSHIFT" --url "$url" validate --format json
valid_json "validate problems"
assert_eq "changed" "$(json_field 'd["problems"][0]["state"]')" "problem state"
assert_status 0 "$DBSHIFT" --url "$url" status
assert_contains "$OUT" "changed" "status shows the changed row"
assert_status 0 "$DBSHIFT" --url "$url" repair --yes
assert_status 0 "$DBSHIFT" --url "$url" validate

# Exit 6: a dangerous change off a terminal without --yes or --allow.
cat >migrations/20260105080000_drop_orders.sql <<'SQL'
-- dbshift:up
DROP TABLE orders;
-- dbshift:down
SELECT 1;
SQL
assert_status 6 "$DBSHIFT" --url "$url" up
assert_contains "$ERR" "--yes" "says how to go on"
assert_status 6 "$DBSHIFT" --url "$url" up --format json
valid_json "lint refusal"
assert_eq "6" "$(json_field 'd["error"]["exit_code"]')" "exit code in JSON"
rm migrations/20260105080000_drop_orders.sql

# Exit 4: another process holds the migration lock longer than --lock-wait.
# On SQLite that lock is an flock on "<db>.lock", which a crashed holder
# cannot leave behind; the holder here is a python process.
cat >migrations/20260106080000_more.sql <<'SQL'
-- dbshift:up
CREATE TABLE more_things (id INTEGER PRIMARY KEY);
-- dbshift:down
DROP TABLE more_things;
SQL
python3 - "$T/out.db" <<'PY' &
import fcntl, os, sys, time
f = open(sys.argv[1] + ".lock", "a+")
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[1] + ".held", "w").close()
time.sleep(3)
PY
holder=$!
for _ in $(seq 50); do [[ -e $T/out.db.held ]] && break; sleep 0.1; done
assert_status 4 "$DBSHIFT" --url "$url" up --lock-wait 300ms --no-backup
assert_contains "$ERR" "error: " "lock error shown"
assert_status 4 "$DBSHIFT" --url "$url" up --lock-wait 300ms --no-backup --format json
valid_json "lock refusal"
assert_eq "4" "$(json_field 'd["error"]["exit_code"]')" "exit 4 in JSON"
assert_status 0 "$DBSHIFT" --url "$url" lock
assert_contains "$OUT" "lock held by" "lock shows the holder"
wait "$holder"
assert_status 0 "$DBSHIFT" --url "$url" lock
assert_contains "$OUT" "lock is free" "lock free after the holder left"

pass
