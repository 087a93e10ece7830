#!/usr/bin/env bash
# The lint rules over every real-world corpus (../shared/corpora, or
# DBSHIFT_CORPORA), in each dialect the corpus ships: the run must not crash,
# must print one valid JSON document and exit 0 or 6 (findings are expected:
# these projects drop and rename things). Nothing is connected: --offline,
# with a URL only there to choose the dialect (a closed port for Postgres and
# MySQL). The findings per corpus, counted by rule and level, go into the
# test log so a change in the rules shows up as a change in the summary.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
SRC=${DBSHIFT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CORPORA=${DBSHIFT_CORPORA:-$SRC/../shared/corpora}
unset DATABASE_URL DBSHIFT_CONFIG DBSHIFT_ENV
[[ -d $CORPORA ]] || fail "corpora not found in '$CORPORA' (set DBSHIFT_CORPORA)"
cd "$T"

# Port 1 on the loopback: nothing listens there, so a connection attempt
# would fail loudly instead of reaching someone's database.
pg_url=postgres://lint@127.0.0.1:1/lint
mysql_url=mysql://lint@127.0.0.1:1/lint

# lint_corpus LABEL URL DIR [ARGS...]: lints DIR offline, checks the
# document and prints the summary.
lint_corpus() {
    local label=$1 url=$2 dir=$3
    shift 3
    [[ -d $dir ]] || fail "$label: corpus folder '$dir' is missing"
    CHECKS=$((CHECKS + 1))
    STATUS=0
    "$DBSHIFT" --url "$url" --dir "$dir" "$@" lint --offline --format json \
        >"$T/out.json" 2>"$T/err.txt" </dev/null || STATUS=$?
    if [[ $STATUS != 0 && $STATUS != 6 ]]; then
        fail "$label: exit status $STATUS (expected 0 or 6)"$'\n'"  stderr: $(show "$(cat "$T/err.txt")")"
    fi
    CHECKS=$((CHECKS + 1))
    python3 - "$label" "$STATUS" "$T/out.json" <<'EOF' || fail "$label: the JSON document is not valid (see above)"
import collections, json, sys

label, status, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path) as f:
    d = json.load(f)
findings = d["findings"]
assert isinstance(findings, list), "findings is not a list"
keys = {"rule", "name", "level", "file", "line", "column", "statement",
        "message", "suggestion", "allowed", "not_analysed"}
for x in findings:
    missing = keys - set(x)
    assert not missing, f"finding without {sorted(missing)}: {x}"
    assert x["level"] in ("safe", "careful", "dangerous"), x
    assert isinstance(x["line"], int) and x["line"] >= 1, x
    assert x["file"], x
levels = collections.Counter(x["level"] for x in findings if not x["allowed"])
assert d["dangerous"] == levels["dangerous"], "dangerous count differs from the findings"
assert d["careful"] == levels["careful"], "careful count differs from the findings"
# Exit 6 exactly when something dangerous was not allowed.
assert (status == 6) == (d["dangerous"] > 0), f"exit {status} with {d['dangerous']} dangerous"
files = len({x["file"] for x in findings})
print(f"lint {label}: {len(findings)} findings in {files} files "
      f"({d['dangerous']} dangerous, {d['careful']} careful), exit {status}")
per_rule = collections.Counter((x["rule"], x["name"], x["level"]) for x in findings)
for (rule, name, level), n in sorted(per_rule.items()):
    print(f"  {rule} {name:<28} {level:<9} {n:5}")
EOF
}

k=$CORPORA/kratos/persistence/sql/migrations/sql
lint_corpus "kratos (postgres)" "$pg_url" "$k"
lint_corpus "kratos (sqlite)" "sqlite:$T/kratos.db" "$k"
lint_corpus "kratos (mysql)" "$mysql_url" "$k"
lint_corpus "lemmy (postgres)" "$pg_url" "$CORPORA/lemmy/migrations"
lint_corpus "harbor (postgres)" "$pg_url" "$CORPORA/harbor/make/migrations/postgresql"
lint_corpus "supabase-auth (postgres)" "$pg_url" "$CORPORA/supabase-auth/migrations" \
    --var Namespace=auth
t=$CORPORA/temporal/schema
for sub in temporal visibility; do
    lint_corpus "temporal $sub (postgres)" "$pg_url" "$t/postgresql/v12/$sub/versioned"
    lint_corpus "temporal $sub (mysql)" "$mysql_url" "$t/mysql/v8/$sub/versioned"
done
# SQLite ships versioned migrations for temporal only; visibility is one
# schema.sql, linted here as the single migration it would be.
lint_corpus "temporal temporal (sqlite)" "sqlite:$T/temporal.db" "$t/sqlite/v3/temporal/versioned"
mkdir "$T/visibility"
cp "$t/sqlite/v3/visibility/schema.sql" "$T/visibility/1_schema.sql"
lint_corpus "temporal visibility (sqlite)" "sqlite:$T/temporal.db" "$T/visibility"

# Offline means offline: the SQLite targets were never created.
CHECKS=$((CHECKS + 1))
[[ ! -e $T/kratos.db && ! -e $T/temporal.db ]] || fail "lint --offline created a SQLite file"
pass
