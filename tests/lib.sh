# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables set here are for the tests
# Helpers sourced by every tests/cli/*.sh and tests/integration/*.sh script:
# where the dbshift binary is, a private temp folder per test, a fresh empty
# database per call on the engine under test (DBSHIFT_TEST_ENGINE), the raw
# engine clients for checking what dbshift really did, and assertions that
# stop the test at the first failure and name the file and line.
#
# A test looks like:
#   source "$(dirname "$0")/../lib.sh"
#   url=$(fresh_url)
#   assert_status 0 "$DBSHIFT" --url "$url" --dir "$T/m" up
#   assert_eq 1 "$(db_sql "$url" "select count(*) from dbshift_migrations")" "one row"
#   pass
#
# Setting DBSHIFT_LIB_FUNCTIONS_ONLY=1 before sourcing gives the functions
# without the per-test setup (bench/run uses the URL and client helpers).
set -euo pipefail

DBSHIFT=${DBSHIFT_BIN:-dbshift}
DBSHIFT_TEST_ENGINE=${DBSHIFT_TEST_ENGINE:-sqlite}
TEST_NAME=$(basename -- "${BASH_SOURCE[-1]}")
[[ ${BASH_SOURCE[-1]} != "${BASH_SOURCE[0]}" ]] || TEST_NAME=$(basename -- "$0")
CHECKS=0

# ---------------------------------------------------------------- failures

# The first caller outside this file is the line that failed; when that is
# in a helper file the test sourced, the test's own line follows it.
where() {
    local i last=$((${#BASH_SOURCE[@]} - 1)) here=''
    for ((i = 1; i <= last; i++)); do
        if [[ ${BASH_SOURCE[i]} != "${BASH_SOURCE[0]}" ]]; then
            here="$(basename -- "${BASH_SOURCE[i]}"):${BASH_LINENO[i - 1]}"
            break
        fi
    done
    if [[ -z $here ]]; then
        echo "$TEST_NAME:?"
    elif ((i < last)) && [[ ${BASH_SOURCE[last]} != "${BASH_SOURCE[i]}" ]]; then
        echo "$here (from $(basename -- "${BASH_SOURCE[last]}"):${BASH_LINENO[last - 1]})"
    else
        echo "$here"
    fi
}

fail() {
    echo "FAIL $(where): $*" >&2
    exit 1
}

pass() {
    echo "PASS $TEST_NAME ($CHECKS checks, engine $DBSHIFT_TEST_ENGINE)"
}

# Shows a value in a failure message, shortened so a huge output stays
# readable.
show() {
    local text=$1
    if ((${#text} > 2000)); then
        text="${text:0:2000}... (${#text} bytes)"
    fi
    printf '%s' "$text"
}

assert_eq() {
    local expected=$1 actual=$2 msg=${3:-values differ}
    CHECKS=$((CHECKS + 1))
    [[ $expected == "$actual" ]] ||
        fail "$msg"$'\n'"  expected: $(show "$expected")"$'\n'"  actual:   $(show "$actual")"
}

assert_contains() {
    local haystack=$1 needle=$2 msg=${3:-text not found}
    CHECKS=$((CHECKS + 1))
    [[ $haystack == *"$needle"* ]] ||
        fail "$msg"$'\n'"  missing: $(show "$needle")"$'\n'"  in:      $(show "$haystack")"
}

assert_not_contains() {
    local haystack=$1 needle=$2 msg=${3:-unwanted text found}
    CHECKS=$((CHECKS + 1))
    [[ $haystack != *"$needle"* ]] ||
        fail "$msg"$'\n'"  unwanted: $(show "$needle")"$'\n'"  in:       $(show "$haystack")"
}

# assert_status CODE CMD...: runs CMD, keeps its output in $OUT and $ERR
# (and the files $OUT_FILE and $ERR_FILE), its exit code in $STATUS, and
# fails unless the code is CODE. CODE '!0' accepts any failure. Standard
# input is /dev/null, or the file named by STDIN (STDIN=f assert_status ...).
OUT='' ERR='' STATUS=0 OUT_FILE='' ERR_FILE=''
assert_status() {
    local expected=$1
    shift
    CHECKS=$((CHECKS + 1))
    OUT_FILE=$T/.out ERR_FILE=$T/.err
    STATUS=0
    "$@" >"$OUT_FILE" 2>"$ERR_FILE" <"${STDIN:-/dev/null}" || STATUS=$?
    OUT=$(cat "$OUT_FILE")
    ERR=$(cat "$ERR_FILE")
    if [[ $expected == '!0' ]]; then
        ((STATUS != 0)) && return 0
    elif [[ $STATUS == "$expected" ]]; then
        return 0
    fi
    fail "exit status $STATUS, expected $expected: $*"$'\n'"  stdout: $(show "$OUT")"$'\n'"  stderr: $(show "$ERR")"
}

# ---------------------------------------------------------------- URLs

# Percent-decoding, for user names and passwords in URLs.
url_decode() {
    local s=${1//\\/\\\\}
    printf '%b' "${s//%/\\x}"
}

# url_parse URL: sets URL_SCHEME URL_USER URL_PASSWORD URL_HOST URL_PORT
# URL_DB URL_QUERY from scheme://user:password@host:port/db?query
# (user, password, port and query optional; host may be [v6]).
url_parse() {
    local url=$1 rest auth hostport
    URL_SCHEME=${url%%:*} URL_USER='' URL_PASSWORD='' URL_HOST='' URL_PORT='' URL_DB='' URL_QUERY=''
    [[ $url == *://* ]] || return 1
    rest=${url#*://}
    if [[ $rest == *\?* ]]; then
        URL_QUERY=${rest#*\?}
        rest=${rest%%\?*}
    fi
    if [[ $rest == */* ]]; then
        URL_DB=$(url_decode "${rest#*/}")
        rest=${rest%%/*}
    fi
    if [[ $rest == *@* ]]; then
        auth=${rest%@*}
        hostport=${rest##*@}
        if [[ $auth == *:* ]]; then
            URL_USER=$(url_decode "${auth%%:*}")
            URL_PASSWORD=$(url_decode "${auth#*:}")
        else
            URL_USER=$(url_decode "$auth")
        fi
    else
        hostport=$rest
    fi
    if [[ $hostport == \[* ]]; then
        URL_HOST=${hostport%%]*}
        URL_HOST=${URL_HOST#[}
        hostport=${hostport#*]}
        [[ $hostport != :* ]] || URL_PORT=${hostport#:}
    elif [[ $hostport == *:* ]]; then
        URL_HOST=${hostport%%:*}
        URL_PORT=${hostport#*:}
    else
        URL_HOST=$hostport
    fi
}

# The same URL naming another database (query string kept).
url_with_db() {
    local url=$1 db=$2 base query=''
    if [[ $url == *\?* ]]; then
        query="?${url#*\?}"
        url=${url%%\?*}
    fi
    base=${url#*://}
    base=${base%%/*}
    printf '%s://%s/%s%s\n' "${url%%://*}" "$base" "$db" "$query"
}

url_engine() {
    case $1 in
    sqlite:*) echo sqlite ;;
    postgres://* | postgresql://*) echo postgres ;;
    mysql://* | mariadb://*) echo mysql ;;
    *) return 1 ;;
    esac
}

sqlite_path() {
    local path=${1#sqlite:}
    path=${path#//}
    printf '%s\n' "${path%%\?*}"
}

# ---------------------------------------------------------------- raw clients

# mysql_client URL ARGS...: the mariadb client connected as URL says; the
# password travels in MYSQL_PWD so it never shows in a process listing.
mysql_client() {
    local url=$1 opt socket=''
    shift
    url_parse "$url"
    local args=(--no-defaults)
    if [[ $URL_QUERY =~ (^|&)socket=([^&]*) ]]; then
        socket=$(url_decode "${BASH_REMATCH[2]}")
        args+=(-S "$socket")
    elif [[ -n $URL_HOST && $URL_HOST != localhost ]]; then
        args+=(--protocol=TCP -h "$URL_HOST")
    fi
    [[ -z $URL_PORT ]] || args+=(-P "$URL_PORT")
    [[ -z $URL_USER ]] || args+=(-u "$URL_USER")
    for opt in "$@"; do args+=("$opt"); done
    [[ -z $URL_DB ]] || args+=("$URL_DB")
    MYSQL_PWD=$URL_PASSWORD mariadb "${args[@]}"
}

# db_sql URL SQL: runs SQL with the engine's own client and prints the rows,
# tab-separated, without headers. Fails (and so fails the test) on an error.
db_sql() {
    local url=$1 sql=$2
    case $(url_engine "$url") in
    sqlite)
        printf '%s\n' "$sql" | sqlite3 -batch -bail -noheader -list -separator $'\t' \
            "$(sqlite_path "$url")"
        ;;
    postgres)
        printf '%s\n' "$sql" | PGCONNECT_TIMEOUT=10 psql -X -q -A -t -v ON_ERROR_STOP=1 \
            -F $'\t' "$url"
        ;;
    mysql)
        printf '%s\n' "$sql" | mysql_client "$url" -N -B --connect-timeout=10
        ;;
    *)
        fail "db_sql: unknown kind of URL '$url'"
        ;;
    esac
}

sql_quote() {
    printf "'%s'" "${1//\'/\'\'}"
}

# table_exists URL NAME: true when NAME (optionally schema.name) is a table.
table_exists() {
    local url=$1 name=$2 schema='' count pg_schema='current_schema()' my_schema='database()'
    if [[ $name == *.* ]]; then
        schema=${name%%.*}
        name=${name#*.}
        pg_schema=$(sql_quote "$schema")
        my_schema=$pg_schema
    fi
    case $(url_engine "$url") in
    sqlite)
        count=$(db_sql "$url" "select count(*) from ${schema:+\"$schema\".}sqlite_master where type = 'table' and name = $(sql_quote "$name")")
        ;;
    postgres)
        count=$(db_sql "$url" "select count(*) from information_schema.tables where table_schema = $pg_schema and table_name = $(sql_quote "$name") and table_type = 'BASE TABLE'")
        ;;
    mysql)
        count=$(db_sql "$url" "select count(*) from information_schema.tables where table_schema = $my_schema and table_name = $(sql_quote "$name") and table_type = 'BASE TABLE'")
        ;;
    *)
        fail "table_exists: unknown kind of URL '$url'"
        ;;
    esac
    [[ $count == 1 ]]
}

# ---------------------------------------------------------------- databases

need_server_url() {
    local var=$1
    [[ -n ${!var:-} ]] ||
        fail "$var is not set: run the tests through scripts/run-tests, or first eval \"\$(scripts/test-servers start)\""
}

# From /dev/urandom: $RANDOM may repeat across the subshells fresh_url runs in.
random_name() {
    printf 't_%s\n' "$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
}

# fresh_url: prints the URL of a new, empty database on the engine under
# test. It is usually called in $( ), a subshell, so what must outlive the
# call (the counter, the list of databases to drop) lives in files in $T.
fresh_url() {
    local n name
    case $DBSHIFT_TEST_ENGINE in
    sqlite)
        n=$(($(cat "$T/.fresh-count" 2>/dev/null || echo 0) + 1))
        echo "$n" >"$T/.fresh-count"
        echo "sqlite:$T/db$n.db"
        ;;
    postgres)
        need_server_url DBSHIFT_TEST_PG_URL
        name=$(random_name)
        db_sql "$DBSHIFT_TEST_PG_URL" "create database \"$name\" template template0" >/dev/null
        printf 'postgres %s\n' "$name" >>"$T/.databases"
        url_with_db "$DBSHIFT_TEST_PG_URL" "$name"
        ;;
    mysql)
        need_server_url DBSHIFT_TEST_MYSQL_URL
        name=$(random_name)
        db_sql "$DBSHIFT_TEST_MYSQL_URL" "create database \`$name\`" >/dev/null
        printf 'mysql %s\n' "$name" >>"$T/.databases"
        url_with_db "$DBSHIFT_TEST_MYSQL_URL" "$name"
        ;;
    *)
        fail "DBSHIFT_TEST_ENGINE must be sqlite, postgres or mysql, not '$DBSHIFT_TEST_ENGINE'"
        ;;
    esac
}

drop_databases() {
    local engine name
    [[ -f $T/.databases ]] || return 0
    while read -r engine name; do
        case $engine in
        postgres)
            db_sql "$DBSHIFT_TEST_PG_URL" "drop database if exists \"$name\" with (force)" ||
                echo "warning: could not drop postgres database $name" >&2
            ;;
        mysql)
            db_sql "$DBSHIFT_TEST_MYSQL_URL" "drop database if exists \`$name\`" ||
                echo "warning: could not drop mysql database $name" >&2
            ;;
        esac
    done <"$T/.databases"
}

# ---------------------------------------------------------------- setup

lib_cleanup() {
    local status=$?
    trap - EXIT
    set +e
    if [[ ${KEEP:-} == 1 ]]; then
        echo "KEEP=1: kept $T${T:+ and the databases listed in $T/.databases}" >&2
    elif [[ -n ${T:-} && -d $T ]]; then
        drop_databases
        rm -rf -- "$T"
    fi
    exit "$status"
}

# set -e stops a test at a command that failed; say where, as fail does.
# errtrace makes this run for a failure inside a helper too; a subshell's
# failure is reported once, by the test line that ran the subshell.
lib_on_error() {
    local status=$?
    ((BASH_SUBSHELL == 0)) || return "$status"
    echo "FAIL $(where): command failed with status $status: $BASH_COMMAND" >&2
    return "$status"
}

# Sourcing twice (a test and a helper file it sources) keeps the first $T.
if [[ -z ${DBSHIFT_LIB_FUNCTIONS_ONLY:-} && -z ${DBSHIFT_LIB_SET_UP:-} ]]; then
    DBSHIFT_LIB_SET_UP=1
    T=$(mktemp -d "${TMPDIR:-/tmp}/dbshift-test.XXXXXX")
    trap lib_cleanup EXIT
    set -o errtrace
    trap lib_on_error ERR
fi
