#!/usr/bin/env bash
# The JSON documents of status, up, down, history and validate, parsed with
# Python's json module (so they must be valid JSON, alone on stdout) and
# their fields compared with what the history tables really hold.
source "$(dirname "$0")/helpers.sh"

url=$(fresh_url)
m=$T/m
mig "$m" 001_a.sql "CREATE TABLE a (id INTEGER PRIMARY KEY);" "DROP TABLE a;"
mig "$m" 002_b.sql "CREATE TABLE b (id INTEGER PRIMARY KEY);
CREATE TABLE b2 (id INTEGER PRIMARY KEY);" "DROP TABLE b2;
DROP TABLE b;"

# ---------------------------------------------------------------- status
assert_status 0 ds "$url" "$m" status --format json
assert_eq 2 "$(json_get "$OUT" 'd["pending"]')" "two pending"
assert_eq "pending pending" "$(json_get "$OUT" '" ".join(x["state"] for x in d["migrations"])')" "states"
assert_eq null "$(json_get "$OUT" 'd["current_version"]')" "no current version"
assert_eq null "$(json_get "$OUT" 'd["migrations"][0]["applied_at"]')" "pending has no applied_at"
assert_not_contains "$OUT" "${DBSHIFT_TEST_PASSWORD:-no password on this engine}" "status JSON shows the password"

# ---------------------------------------------------------------- up
assert_status 0 ds "$url" "$m" up --format json
assert_eq "001:up:ok 002:up:ok" "$(json_get "$OUT" '" ".join("%s:%s:%s" % (x["version"], x["direction"], x["outcome"]) for x in d["migrations"])')" "up outcomes"
assert_eq "None 002" "$(json_get "$OUT" '"%s %s" % (d["from"], d["to"])')" "from and to"
assert_eq "2 2" "$(json_get "$OUT" '"%d %d" % (d["migrations"][1]["statements_done"], d["migrations"][1]["statement_count"])')" "statement counts"
assert_eq true "$(json_get "$OUT" 'all(x["error"] is None and x["execution_ms"] >= 0 for x in d["migrations"])')" "no errors"
assert_eq "001 002" "$(applied_versions "$url")" "up --format json really applied"

# ---------------------------------------------------------------- status
assert_status 0 ds "$url" "$m" status --format json
assert_eq "applied applied" "$(json_get "$OUT" '" ".join(x["state"] for x in d["migrations"])')" "states after up"
assert_eq "002 0 2" "$(json_get "$OUT" '"%s %d %d" % (d["current_version"], d["pending"], d["applied"])')" "counters"
assert_eq "$(db_sql "$url" "select checksum from dbshift_migrations where version = '001'")" \
    "$(json_get "$OUT" 'd["migrations"][0]["applied_checksum"]')" "applied_checksum is the recorded one"
assert_eq "$(db_sql "$url" "select applied_at from dbshift_migrations where version = '001'")" \
    "$(json_get "$OUT" 'd["migrations"][0]["applied_at"]')" "applied_at is the recorded one"

# ---------------------------------------------------------------- failing up
mig "$m" 003_c.sql "INSERT INTO a (id) VALUES (1);
INSERT INTO a (id) VALUES (1);" "DELETE FROM a WHERE id = 1;"
assert_status 1 ds "$url" "$m" up --format json
assert_eq "003 failed" "$(json_get "$OUT" '"%s %s" % (d["migrations"][0]["version"], d["migrations"][0]["outcome"])')" "failed outcome"
assert_eq 3 "$(json_get "$OUT" 'd["migrations"][0]["error"]["line"]')" "error line"
assert_contains "$(json_get "$OUT" 'd["migrations"][0]["error"]["file"]')" "003_c.sql" "error file"
assert_contains "$(json_get "$OUT" 'd["migrations"][0]["error"]["statement"]')" "INSERT INTO a" "error statement"
assert_eq true "$(json_get "$OUT" 'bool(d["error"]["message"])')" "top-level error"
if [[ $ENGINE == postgres ]]; then
    assert_eq 23505 "$(json_get "$OUT" 'd["migrations"][0]["error"]["sqlstate"]')" "unique violation SQLSTATE"
fi

# ---------------------------------------------------------------- history
assert_status 0 ds "$url" "$m" history --format json
assert_eq "$(log_count "$url")" "$(json_get "$OUT" 'len(d["entries"])')" "one entry per log row"
assert_eq "003 False" "$(json_get "$OUT" '"%s %s" % (d["entries"][0]["version"], d["entries"][0]["success"])')" "newest first, failed"
assert_eq "$(db_sql "$url" "select error from dbshift_log where version = '003'")" \
    "$(json_get "$OUT" 'd["entries"][0]["error"]')" "entry error is the logged one"
assert_eq "$(db_sql "$url" "select max(id) from dbshift_log")" "$(json_get "$OUT" 'd["entries"][0]["id"]')" "entry id"
assert_eq true "$(json_get "$OUT" 'all(e["pid"] > 0 and e["host"] for e in d["entries"])')" "who ran it"

# ---------------------------------------------------------------- validate
rm "$m/003_c.sql"
assert_status 0 ds "$url" "$m" validate --format json
assert_eq "True 0" "$(json_get "$OUT" '"%s %d" % (d["ok"], len(d["problems"]))')" "validate ok"
echo "-- changed" >>"$m/001_a.sql"
mv "$m/002_b.sql" "$T/"
assert_status 5 ds "$url" "$m" validate --format json
assert_eq false "$(json_get "$OUT" 'd["ok"]')" "validate not ok"
assert_eq "001:changed 002:missing" "$(json_get "$OUT" '" ".join(sorted(p["version"] + ":" + p["state"] for p in d["problems"]))')" "problems"
mv "$T/002_b.sql" "$m/"

# ---------------------------------------------------------------- down
assert_status 5 ds "$url" "$m" down --format json
assert_eq checksum "$(json_get "$OUT" 'd["error"]["code"]')" "down refuses a changed file"
assert_status 0 ds "$url" "$m" repair --yes --format json
assert_eq "001:changed" "$(json_get "$OUT" '" ".join(p["version"] + ":" + p["state"] for p in d["problems"])')" "repair lists what it repaired"
assert_status 0 ds "$url" "$m" down --format json
assert_eq "002:down:ok" "$(json_get "$OUT" '" ".join("%s:%s:%s" % (x["version"], x["direction"], x["outcome"]) for x in d["migrations"])')" "down outcome"
assert_eq "002 001" "$(json_get "$OUT" '"%s %s" % (d["from"], d["to"])')" "down from and to"
assert_eq "a" "$(user_tables "$url")" "down --format json really rolled back"
assert_status 0 ds "$url" "$m" down --dry-run --format json
assert_eq "001:planned" "$(json_get "$OUT" '" ".join("%s:%s" % (x["version"], x["outcome"]) for x in d["migrations"])')" "dry-run outcome"
assert_eq "a" "$(user_tables "$url")" "down --dry-run changed nothing"

pass
