#!/usr/bin/env bash
# `dbshift lint` and the lint check of `dbshift up` through the real binary,
# on SQLite: the four output formats (SARIF checked against what GitHub code
# scanning requires), exit 0 versus 6 and --fail-on, the three ways to accept
# a finding (--allow, an in-file `-- dbshift:allow`, the [lint] section of
# dbshift.conf), --pending after some migrations ran, and `up` refusing a
# dangerous change off a terminal (nothing applied), running it with --allow
# or --yes, and asking on a terminal with the findings listed.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
unset DATABASE_URL DBSHIFT_CONFIG DBSHIFT_ENV NO_COLOR
cd "$T"

# 0001 creates a table and fills it (no finding: the table is new), 0002
# mixes a schema and a data change (careful), 0003 drops a column
# (dangerous).
mkdir migrations
cat >migrations/0001_orders.sql <<'EOF'
-- dbshift:up
CREATE TABLE orders (id integer primary key, code text);
INSERT INTO orders (code) VALUES ('a'), ('b');
-- dbshift:down
DROP TABLE orders;
EOF
cat >migrations/0002_note.sql <<'EOF'
-- dbshift:up
ALTER TABLE orders ADD COLUMN note text;
UPDATE orders SET note = 'x' WHERE id > 0;
-- dbshift:down
ALTER TABLE orders DROP COLUMN note;
EOF
cat >migrations/0003_drop_code.sql <<'EOF'
-- dbshift:up
ALTER TABLE orders DROP COLUMN code;
-- dbshift:down
ALTER TABLE orders ADD COLUMN code text;
EOF
url=sqlite:$T/app.db
ds() { "$DBSHIFT" --url "$url" "$@"; }

py() { # py CODE: runs CODE with the JSON document in $OUT as d
    python3 -c "import json,sys; d=json.load(sys.stdin); $1" <<<"$OUT"
}

# ------------------------------------------------------------- text

assert_status 6 ds lint
assert_contains "$OUT" "lint  migrations/0003_drop_code.sql" "text: file heading"
assert_contains "$OUT" "DS002 dangerous  line 2    ALTER TABLE orders DROP COLUMN code" "text: finding"
assert_contains "$OUT" "safer: stop reading it in the application first" "text: suggestion"
assert_contains "$OUT" "DS024 careful" "text: careful finding"
assert_not_contains "$OUT" "0001_orders" "a table created in the same migration is not flagged"
assert_contains "$OUT" "1 dangerous, 1 careful, 0 safe, 0 allowed" "text: summary"
assert_contains "$ERR" "--allow RULE" "text: says how to accept"
[[ ! -e $T/app.db ]] || fail "lint created the SQLite file"
CHECKS=$((CHECKS + 1))

# A single file: only its findings.
assert_status 0 ds lint migrations/0002_note.sql
assert_contains "$OUT" "DS024" "one file: its finding"
assert_not_contains "$OUT" "DS002" "one file: not the others'"
assert_status 6 ds lint --fail-on careful migrations/0002_note.sql
assert_contains "$ERR" "at level careful or above" "--fail-on careful"
assert_status 2 ds lint --fail-on nonsense
assert_contains "$ERR" "--fail-on must be careful or dangerous" "--fail-on checked"

# ------------------------------------------------------------- json

assert_status 6 ds lint --format json
py 'assert d["dangerous"] == 1 and d["careful"] == 1, d'
py 'f = d["findings"]; assert [x["rule"] for x in f] == ["DS024", "DS002"], f'
py 'x = d["findings"][1]; assert (x["name"], x["level"], x["file"], x["line"], x["column"]) == ("drop-column", "dangerous", "migrations/0003_drop_code.sql", 2, 1), x'
py 'x = d["findings"][1]; assert x["statement"] == "ALTER TABLE orders DROP COLUMN code" and x["message"] and x["suggestion"] and x["version"] == "0003" and x["allowed"] is False, x'
CHECKS=$((CHECKS + 4))

# ------------------------------------------------------------- sarif

assert_status 6 ds lint --format sarif
py '
assert d["version"] == "2.1.0", d["version"]
assert d["$schema"].endswith("sarif-2.1.0.json"), d["$schema"]
assert len(d["runs"]) == 1
drv = d["runs"][0]["tool"]["driver"]
assert drv["name"] == "dbshift" and drv["version"]
ids = [r["id"] for r in drv["rules"]]
assert sorted(ids) == ["DS002", "DS024"], ids
for r in drv["rules"]:
    assert r["shortDescription"]["text"] and r["help"]["text"], r
res = d["runs"][0]["results"]
assert len(res) == 2
by_rule = {r["ruleId"]: r for r in res}
assert by_rule["DS002"]["level"] == "error" and by_rule["DS024"]["level"] == "warning"
for r in res:
    assert r["ruleId"] in ids and ids[r["ruleIndex"]] == r["ruleId"], r
    assert r["message"]["text"], r
    loc = r["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"].startswith("migrations/"), loc
    assert isinstance(loc["region"]["startLine"], int) and loc["region"]["startLine"] >= 1, loc
    assert "suppressions" not in r
loc = by_rule["DS002"]["locations"][0]["physicalLocation"]
assert loc["artifactLocation"]["uri"] == "migrations/0003_drop_code.sql" and loc["region"]["startLine"] == 2, loc
'
CHECKS=$((CHECKS + 1))
# An allowed finding stays in the document, suppressed in source.
assert_status 0 ds lint --format sarif --allow DS002
py 'r = [r for r in d["runs"][0]["results"] if r["ruleId"] == "DS002"][0]; assert r["suppressions"] == [{"kind": "inSource"}], r'
CHECKS=$((CHECKS + 1))

# ------------------------------------------------------------- github

assert_status 6 ds lint --format github
assert_eq 2 "$(grep -c '^::' <<<"$OUT")" "github: one line per finding"
assert_contains "$OUT" "::error file=migrations/0003_drop_code.sql,line=2,col=1,title=DS002 drop-column::dropping a column" "github: error annotation"
assert_contains "$OUT" "::warning file=migrations/0002_note.sql,line=3,col=1,title=DS024 mixed-schema-and-data::" "github: warning annotation"
assert_status 0 ds lint --format github --allow drop-column
assert_contains "$OUT" "::notice file=migrations/0003_drop_code.sql" "github: allowed is a notice"

# ------------------------------------------------------------- accepting

assert_status 0 ds lint --allow DS002
assert_contains "$OUT" "(allowed)" "--allow marks the finding"
assert_contains "$OUT" "0 dangerous, 1 careful, 0 safe, 1 allowed" "--allow summary"
assert_status 6 ds lint --allow DS024
assert_status 2 ds lint --allow DS999
assert_contains "$ERR" "DS999" "an unknown rule is an error"

# In the file, on or above the statement.
mkdir other
cp migrations/0001_orders.sql other/
cat >other/0003_drop_code.sql <<'EOF'
-- dbshift:up
-- dbshift:allow DS002 nothing reads code since release 4.2
ALTER TABLE orders DROP COLUMN code;
-- dbshift:down
ALTER TABLE orders ADD COLUMN code text;
EOF
assert_status 0 ds --dir other lint --format json
py 'x = [x for x in d["findings"] if x["rule"] == "DS002"][0]; assert x["allowed"] is True and d["dangerous"] == 0, d'
CHECKS=$((CHECKS + 1))
sed -i 's/^-- dbshift:allow DS002 .*//; s/DROP COLUMN code;/DROP COLUMN code; -- dbshift:allow drop-column unused/' other/0003_drop_code.sql
assert_status 0 ds --dir other lint
assert_contains "$OUT" "(allowed)" "allow comment on the statement's line"
sed -i 's/dbshift:allow drop-column/dbshift:allow DS001/' other/0003_drop_code.sql
assert_status 6 ds --dir other lint
assert_not_contains "$OUT" "(allowed)" "allowing another rule does not allow this one"

# dbshift.conf [lint]: disable a rule, change a level.
printf '[lint]\ndisable = DS024\n' >dbshift.conf
assert_status 6 ds lint --format json
py 'assert [x["rule"] for x in d["findings"]] == ["DS002"], d'
CHECKS=$((CHECKS + 1))
printf '[lint]\ndisable = DS024\nlevel.DS002 = careful\n' >dbshift.conf
assert_status 0 ds lint
assert_contains "$OUT" "DS002 careful" "level.DS002 = careful"
assert_status 6 ds lint --fail-on careful
printf '[lint]\nlevel.DS024 = dangerous\n' >dbshift.conf
assert_status 6 ds lint migrations/0002_note.sql --format json
py 'assert d["findings"][0]["level"] == "dangerous" and d["dangerous"] == 1, d'
CHECKS=$((CHECKS + 1))
printf '[lint]\nallow = DS002\n' >dbshift.conf
assert_status 0 ds lint
assert_contains "$OUT" "(allowed)" "[lint] allow"
printf '[lint]\nlevel.DS002 = harmless\n' >dbshift.conf
assert_status 2 ds lint
assert_contains "$ERR" "unknown lint level 'harmless'" "a bad level is an error"
printf '[lint]\ndisable = DS0022\n' >dbshift.conf
assert_status 2 ds lint
assert_contains "$ERR" "DS0022" "a bad rule is an error"
printf '[lint]\nnonsense = 1\n' >dbshift.conf
assert_status 6 ds lint
assert_contains "$ERR" "unknown key 'nonsense' in [lint]" "unknown key warned about"
# The older keys of [default] still work.
printf '[default]\nlint_disable = DS002\n' >dbshift.conf
assert_status 0 ds lint
assert_not_contains "$OUT" "DS002" "lint_disable in [default]"
rm dbshift.conf

# ------------------------------------------------------------- --pending

assert_status 0 ds up --to 0002
assert_status 6 ds lint --pending --format json
py 'assert [x["rule"] for x in d["findings"]] == ["DS002"], d'
CHECKS=$((CHECKS + 1))
assert_status 2 ds lint --pending --offline
assert_status '!0' "$DBSHIFT" --url "sqlite:$T/missing-folder/none.db" lint --pending

# ------------------------------------------------------------- up

# Off a terminal: stops with 6, says how to go on, applies nothing.
assert_status 6 ds up
assert_contains "$ERR" "lint found 1 dangerous change in pending migrations; nothing was run" "up: stopped"
assert_contains "$ERR" "--allow DS002 or --yes" "up: says --allow RULE or --yes"
assert_contains "$ERR" "migrations/0003_drop_code.sql:2  DS002 drop-column" "up: names the finding"
assert_eq 1 "$(grep -c 'DS002 drop-column' <<<"$ERR")" "up: the finding is listed once"
assert_eq 2 "$(sqlite3 "$T/app.db" 'select count(*) from dbshift_migrations')" "up: nothing applied"
assert_eq 1 "$(sqlite3 "$T/app.db" "select count(*) from pragma_table_info('orders') where name = 'code'")" "up: column still there"
assert_status 6 ds up --format json
py 'assert "dangerous change" in d["error"]["message"], d'
CHECKS=$((CHECKS + 1))
# --dry-run changes nothing, so it shows the plan with the findings as a
# warning instead of refusing or asking.
assert_status 0 ds up --dry-run
assert_contains "$ERR" "1 dangerous change; a real run needs a yes, --allow DS002 or --yes" "dry run: warning"
assert_contains "$ERR" "migrations/0003_drop_code.sql:2  DS002 drop-column" "dry run: the finding"
assert_contains "$OUT" "ALTER TABLE orders DROP COLUMN code" "dry run: the plan"
assert_eq 2 "$(sqlite3 "$T/app.db" 'select count(*) from dbshift_migrations')" "dry run applied nothing"
# A config that lowers or disables the rule lets up through.
printf '[lint]\nlevel.DS002 = careful\n' >dbshift.conf
assert_status 0 ds up
assert_status 0 ds down
printf '[lint]\ndisable = drop-column\n' >dbshift.conf
assert_status 0 ds up
assert_status 0 ds down
rm dbshift.conf
assert_eq 2 "$(sqlite3 "$T/app.db" 'select count(*) from dbshift_migrations')" "back at 0002"

# On a terminal: the prompt lists the findings; "n" stops, "y" runs.
command -v script >/dev/null || fail "the script command (util-linux) is needed for the terminal test"
tty_answer() { # tty_answer ANSWER ARGS...: runs dbshift on a terminal
    local answer=$1
    shift
    printf '%s\n' "$answer" | script -qec "'$DBSHIFT' --url '$url' $*" /dev/null
}
out=$(tty_answer n up) && st=0 || st=$?
assert_eq 6 "$st" "terminal, answered no: exit 6"
assert_contains "$out" "DS002 drop-column  ALTER TABLE orders DROP COLUMN code" "prompt lists the finding"
assert_contains "$out" "safer: stop reading it" "prompt gives the safe pattern"
assert_contains "$out" "apply 1 dangerous change? [y/N]" "the question"
assert_eq 2 "$(sqlite3 "$T/app.db" 'select count(*) from dbshift_migrations')" "answered no: nothing applied"

# Allowed by name: runs (then back down for the next way).
assert_status 0 ds up --allow DS002
assert_eq 3 "$(sqlite3 "$T/app.db" 'select count(*) from dbshift_migrations')" "--allow: applied"
assert_eq 0 "$(sqlite3 "$T/app.db" "select count(*) from pragma_table_info('orders') where name = 'code'")" "--allow: column dropped"
assert_status 0 ds down
assert_status 0 ds up --yes
assert_eq 3 "$(sqlite3 "$T/app.db" 'select count(*) from dbshift_migrations')" "--yes: applied"
assert_status 0 ds down
out=$(tty_answer y up) && st=0 || st=$?
assert_eq 0 "$st" "terminal, answered yes: exit 0"
assert_contains "$out" "0003_drop_code" "answered yes: applied"
assert_eq 3 "$(sqlite3 "$T/app.db" 'select count(*) from dbshift_migrations')" "answered yes: applied"
pass
