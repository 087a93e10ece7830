#!/usr/bin/env bash
# libpq and libmariadb are loaded on first use, not linked: the binary does
# not list them (nor the TLS, Kerberos and LDAP libraries they pull in), a
# SQLite run never maps them, a postgres:// or mysql:// URL does, and a
# missing client library is reported with its name and package. No server
# is needed: port 1 on the loopback refuses at once.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
SRC=${DBSHIFT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
unset DATABASE_URL DBSHIFT_CONFIG DBSHIFT_ENV DBSHIFT_FAULT
cd "$T"
mkdir migrations
cp "$SRC"/examples/migrations/*.sql migrations/

# Not in the binary's dependencies, directly or through another library.
if command -v ldd >/dev/null; then
    deps=$(ldd "$DBSHIFT")
    for lib in libpq libmariadb libmysqlclient libgnutls libkrb5 libldap libsasl2; do
        assert_not_contains "$deps" "$lib" "ldd lists $lib"
    done
fi

# loaded DESCRIPTION CMD...: runs CMD with the dynamic loader logging the
# files it opens to $T/ld.*, and leaves that log in $LOADED.
loaded() {
    rm -f "$T"/ld.*
    LD_DEBUG=files LD_DEBUG_OUTPUT=$T/ld "$@" >"$T/loaded.out" 2>&1 || true
    LOADED=$(cat "$T"/ld.* 2>/dev/null || true)
    [[ -n $LOADED ]] || fail "LD_DEBUG logged nothing for: $*"
}

# A SQLite run, applying migrations and reading status, maps neither.
assert_status 0 "$DBSHIFT" --url sqlite:app.db up
loaded "$DBSHIFT" --url sqlite:app.db status
assert_contains "$LOADED" "file=libsqlite3.so" "the log shows the libraries that are loaded"
assert_not_contains "$LOADED" "libpq.so" "a SQLite run loads libpq"
assert_not_contains "$LOADED" "libmariadb.so" "a SQLite run loads libmariadb"

# Each server URL loads its own library, and only that one.
loaded "$DBSHIFT" --url postgres://dbshift@127.0.0.1:1/none status
assert_contains "$LOADED" "file=libpq.so" "a postgres:// URL loads libpq"
assert_not_contains "$LOADED" "libmariadb.so" "a postgres:// URL loads libmariadb"
assert_contains "$(cat "$T/loaded.out")" "cannot connect to postgres://" "libpq is usable"
loaded "$DBSHIFT" --url mysql://dbshift@127.0.0.1:1/none status
assert_contains "$LOADED" "file=libmariadb.so" "a mysql:// URL loads libmariadb"
assert_not_contains "$LOADED" "libpq.so" "a mysql:// URL loads libpq"
assert_contains "$(cat "$T/loaded.out")" "cannot connect to mysql://" "libmariadb is usable"

# Without the library (simulated by the test build's fault hook), the error
# names the library and the package to install, and nothing is attempted.
build=$(dirname "$DBSHIFT")
if grep -q '^DBSHIFT_FAULTS:BOOL=OFF' "$build/CMakeCache.txt" 2>/dev/null; then
    echo "note: built without DBSHIFT_FAULTS, the missing-library checks are left out"
else
    assert_status 1 env DBSHIFT_FAULT=library "$DBSHIFT" --url postgres://dbshift@127.0.0.1:1/none status
    assert_contains "$ERR" "error: PostgreSQL support needs libpq.so" "names libpq"
    assert_contains "$ERR" "which could not be loaded" "says it could not be loaded"
    assert_contains "$ERR" "hint: install the libpq5 package" "names the package"
    assert_not_contains "$ERR" "cannot connect" "no connection attempted"
    assert_status 1 env DBSHIFT_FAULT=library "$DBSHIFT" --url mysql://dbshift@127.0.0.1:1/none \
        --format json status
    assert_contains "$ERR$OUT" "MySQL/MariaDB support needs libmariadb.so" "names libmariadb"
    assert_contains "$ERR$OUT" "libmariadb3" "names the package"
fi
pass
