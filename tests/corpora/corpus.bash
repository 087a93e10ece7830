# shellcheck shell=bash
# Helpers for the real-world corpus tests (tests/corpora/*.sh), on top of
# tests/lib.sh: where the corpora are, a picture of every user object in a
# database (to prove a full rollback leaves nothing behind), timing of each
# phase into the test log, and the check that a run stopped exactly at a
# given file with everything before it applied.
#
# Each tests/corpora/<corpus>.sh names the engines it runs on in a line
#   # engines: postgres sqlite mysql
# which CMakeLists.txt reads to register one ctest test per corpus and engine.
#
# The corpora live outside the repository (../shared/corpora, see its
# README.md); DBSHIFT_CORPORA points elsewhere. A missing corpus is a
# failure, never a skip.

# The integration helpers bring lib.sh ($T, fresh_url, db_sql, assert_*)
# and json_get; ds is redefined below.
# shellcheck source=tests/integration/helpers.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../integration/helpers.sh"

ENGINE=$DBSHIFT_TEST_ENGINE
CORPORA=${DBSHIFT_CORPORA:-$DBSHIFT_SOURCE_DIR/../shared/corpora}
[[ -d $CORPORA ]] || fail "corpora not found in '$CORPORA' (set DBSHIFT_CORPORA)"

# json_get JSON EXPR, as in helpers.sh but reading the document from stdin:
# a corpus's status is too big for an argument.
json_get() {
    printf '%s' "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = eval(sys.argv[1])
print(json.dumps(r) if isinstance(r, (list, dict, bool)) or r is None else r)
' "$2"
}

# ds URL DIR ARGS...: dbshift on URL with the migrations in DIR. --yes
# because lint rightly flags what these projects do (type changes, drops)
# and a test has no terminal to confirm on.
ds() {
    local url=$1 dir=$2
    shift 2
    "$DBSHIFT" --url "$url" --dir "$dir" --lock-wait 30s --yes "$@"
}

# timed LABEL ARGS...: runs ds ARGS (keeping $OUT/$ERR/$STATUS as
# assert_status does) and prints how long it took into the test log.
timed() {
    local label=$1 t0 t1
    shift
    t0=$(date +%s%N)
    STATUS=0
    ds "$@" >"$T/.out" 2>"$T/.err" || STATUS=$?
    t1=$(date +%s%N)
    OUT=$(cat "$T/.out")
    ERR=$(cat "$T/.err")
    printf 'corpus time: %s %s: %d ms (exit %d)\n' "$label" "$ENGINE" $(((t1 - t0) / 1000000)) "$STATUS"
}

# Every user object of the database except dbshift's history tables and the
# tables listed in $KEEP_TABLES (a kept tool's history), with their indexes
# and sequences (named after them), one per line.
# Extensions are listed on their own lines ("extension NAME") so a test can
# say which ones a corpus leaves, as its downs do not drop them.
inventory() {
    local url=$1 keep="'dbshift_migrations','dbshift_log'" t
    for t in ${KEEP_TABLES:-}; do keep+=",'$t'"; done
    case $ENGINE in
    sqlite)
        db_sql "$url" "select type || ' ' || name from sqlite_master where name not like 'sqlite_%' and tbl_name not in ($keep) order by 1"
        ;;
    postgres)
        db_sql "$url" "
select 'relation ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%'
   and not exists (select 1 from unnest(array[$keep]) k where c.relname like k || '%')
   and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
union all
select 'function ' || n.nspname || '.' || p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
 where n.nspname not in ('pg_catalog', 'information_schema')
   and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')
union all
select 'type ' || n.nspname || '.' || t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace
 where n.nspname not in ('pg_catalog', 'information_schema') and t.typtype in ('e', 'd', 'c')
   and (t.typrelid = 0 or (select relkind from pg_class where oid = t.typrelid) = 'c')
   and not exists (select 1 from pg_depend d where d.objid = t.oid and d.deptype = 'e')
union all
select 'schema ' || nspname from pg_namespace where nspname not in ('pg_catalog', 'information_schema', 'public')
   and nspname not like 'pg_toast%' and nspname not like 'pg_temp%'
union all
select 'extension ' || extname from pg_extension where extname <> 'plpgsql'
order by 1"
        ;;
    mysql)
        db_sql "$url" "
select concat(lower(table_type), ' ', table_name) from information_schema.tables where table_schema = database() and table_name not in ($keep)
union all select concat('routine ', routine_name) from information_schema.routines where routine_schema = database()
union all select concat('trigger ', trigger_name) from information_schema.triggers where trigger_schema = database()
union all select concat('event ', event_name) from information_schema.events where event_schema = database()
order by 1"
        ;;
    esac
}

# The versioned migrations dbshift has recorded as applied.
applied_count() {
    db_sql "$1" "select count(*) from dbshift_migrations where status = 'applied'"
}

# The JSON status, and fields of it.
status_json() {
    assert_status 0 ds "$1" "$2" status --format json "${@:3}"
}

# assert_stopped_at FILE LINE MESSAGE APPLIED WHAT: the last run failed at
# FILE (its path ends so) on LINE with MESSAGE in the error, and exactly
# APPLIED migrations are recorded as applied in URL.
assert_stopped_at() {
    local url=$1 file=$2 line=$3 message=$4 applied=$5 what=$6
    [[ $STATUS != 0 ]] || fail "$what: expected the run to stop at $file, it succeeded"
    assert_contains "$ERR" "$file:$line" "$what: error names the file and line"
    assert_contains "$ERR" "$message" "$what: error carries the server's message"
    assert_eq "$applied" "$(applied_count "$url")" "$what: everything before it applied, nothing after"
}

# Versions (folder or file names) of a corpus that sort before NAME.
count_before() {
    local list=$1 name=$2
    printf '%s\n' "$list" | awk -v n="$name" '$0 < n' | wc -l | tr -d ' '
}

# assert_applied_before URL DIR VERSION WHAT [STATE]: in dbshift's status,
# every migration before VERSION is applied, VERSION is in STATE (default
# pending; failed for one that ran outside a transaction) and every later
# one is pending: the run stopped exactly there.
assert_applied_before() {
    local url=$1 dir=$2 version=$3 what=$4 state=${5:-pending} verdict
    status_json "$url" "$dir"
    verdict=$(printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin); v = sys.argv[1]; state = sys.argv[2]
ms = [m for m in d["migrations"] if m["version"]]
idx = [i for i, m in enumerate(ms) if m["version"] == v]
if not idx:
    print("version %s not in status" % v); sys.exit()
bad = [m["version"] + ":" + m["state"] for m in ms[:idx[0]] if m["state"] not in ("applied", "baseline")]
bad += [m["version"] + ":" + m["state"] for m in ms[idx[0]:idx[0] + 1] if m["state"] != state]
bad += [m["version"] + ":" + m["state"] for m in ms[idx[0] + 1:] if m["state"] != "pending"]
print("ok %d" % idx[0] if not bad else "wrong states: " + " ".join(bad[:5]))
' "$version" "$state")
    [[ $verdict == ok* ]] || fail "$what: $verdict"
    printf 'corpus stop: %s %s: stopped at %s with %s migration(s) before it applied\n' "$what" "$ENGINE" "$version" "${verdict#ok }"
}
