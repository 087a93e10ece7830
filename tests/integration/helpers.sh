# shellcheck shell=bash
# Helpers shared by the integration scenarios (tests/integration/*.sh), on
# top of tests/lib.sh: writing migration files, running dbshift against the
# database under test, and looking at that database with the engine's own
# client, so every scenario checks what really happened to the schema and
# the history tables rather than what dbshift says about them.
#
# A scenario starts with:
#   source "$(dirname "$0")/helpers.sh"
# which sources lib.sh (temp folder $T, fresh_url, db_sql, assert_*).

# shellcheck source=tests/lib.sh
source "$(dirname -- "${BASH_SOURCE[0]}")/../lib.sh"

ENGINE=$DBSHIFT_TEST_ENGINE

# mig DIR FILE UP [DOWN]: writes a native migration file; DOWN '-' leaves
# the down section out, 'irreversible' marks the migration irreversible.
mig() {
    local dir=$1 file=$2 up=$3 down=${4:-}
    mkdir -p "$dir"
    {
        printf -- '-- dbshift:up\n%s\n' "$up"
        case $down in
        -) ;;
        irreversible) printf -- '-- dbshift:irreversible\n' ;;
        *) printf -- '-- dbshift:down\n%s\n' "$down" ;;
        esac
    } >"$dir/$file"
}

# ds URL DIR ARGS...: dbshift against URL with the migrations in DIR.
ds() {
    local url=$1 dir=$2
    shift 2
    "$DBSHIFT" --url "$url" --dir "$dir" --lock-wait 10s "$@"
}

# The applied versions, in version order, one line.
applied_versions() {
    db_sql "$1" "select version from dbshift_migrations where status = 'applied' order by version" | tr '\n' ' ' | sed 's/ $//'
}

# Count of history rows matching a WHERE clause (default: all).
history_count() {
    db_sql "$1" "select count(*) from dbshift_migrations where ${2:-1=1}"
}

log_count() {
    db_sql "$1" "select count(*) from dbshift_log where ${2:-1=1}"
}

# The user tables of the database (history tables left out), one line.
user_tables() {
    local url=$1
    case $(url_engine "$url") in
    sqlite)
        db_sql "$url" "select name from sqlite_master where type = 'table' and name not like 'dbshift%' and name not like 'sqlite_%' order by name"
        ;;
    postgres)
        db_sql "$url" "select table_name from information_schema.tables where table_schema = current_schema() and table_name not like 'dbshift%' order by table_name"
        ;;
    mysql)
        db_sql "$url" "select table_name from information_schema.tables where table_schema = database() and table_name not like 'dbshift%' order by table_name"
        ;;
    esac | tr '\n' ' ' | sed 's/ $//'
}

# snapshot URL [nolog]: a text picture of the schema and of both history
# tables (minus the timing columns), to compare before and after a run that
# must change nothing; with nolog the log table is left out, for a run whose
# only trace must be its log row.
snapshot() {
    local url=$1 log=${2:-log}
    case $(url_engine "$url") in
    sqlite)
        db_sql "$url" "select type, name, sql from sqlite_master where name not like 'sqlite_%' order by type, name"
        ;;
    postgres)
        db_sql "$url" "select c.relname, c.relkind, a.attname, format_type(a.atttypid, a.atttypmod) from pg_class c join pg_namespace n on n.oid = c.relnamespace left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') order by 1, 3"
        db_sql "$url" "select proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname not in ('pg_catalog', 'information_schema') order by 1"
        ;;
    mysql)
        db_sql "$url" "select table_name, column_name, column_type from information_schema.columns where table_schema = database() order by 1, 2"
        db_sql "$url" "select index_name, table_name from information_schema.statistics where table_schema = database() order by 1, 2"
        db_sql "$url" "select routine_name from information_schema.routines where routine_schema = database() union all select trigger_name from information_schema.triggers where trigger_schema = database() order by 1"
        ;;
    esac
    if table_exists "$url" dbshift_migrations; then
        db_sql "$url" "select version, name, kind, checksum, status, statements_done from dbshift_migrations order by kind, version"
        [[ $log == nolog ]] ||
            db_sql "$url" "select version, direction, success, error from dbshift_log order by id"
    fi
}

# json_get JSON PYTHON_EXPR: evaluates the expression with the parsed
# document as d and prints the result (lists and dicts as JSON).
json_get() {
    python3 -c '
import json, sys
d = json.loads(sys.argv[1])
r = eval(sys.argv[2])
print(json.dumps(r) if isinstance(r, (list, dict, bool)) or r is None else r)
' "$1" "$2"
}

# A SQL statement that keeps the server busy for about N seconds inside a
# migration, per engine (SQLite has no sleep: a big recursive insert).
slow_sql() {
    local seconds=$1
    case $ENGINE in
    sqlite) printf 'CREATE TABLE slow_rows (n INTEGER);\nWITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < %d) INSERT INTO slow_rows SELECT n FROM c;\n' "$((seconds * 3000000))" ;;
    postgres) printf 'SELECT pg_sleep(%d);\n' "$seconds" ;;
    mysql) printf 'DO SLEEP(%d);\n' "$seconds" ;;
    esac
}

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND every 0.1 s until it
# succeeds, failing the test after SECONDS.
wait_for() {
    local what=$1 seconds=$2 i
    shift 2
    for ((i = 0; i < seconds * 10; i++)); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
    done
    fail "timed out after ${seconds}s waiting for $what"
}
