#!/usr/bin/env bash
# Each public header compiles on its own (as C11 and as C++), warning-free,
# and a program using only dbshift.h links against the installed-style
# static library: what an embedding application sees.
source "$(dirname "$0")/../lib.sh"

src=$DBSHIFT_SOURCE_DIR
build=$(dirname "$DBSHIFT")
for h in dbshift.h dbshift/driver.h; do
    printf '#include <%s>\nint dbshift_header_check_%s;\n' "$h" "${h//[^a-z]/_}" >"$T/h.c"
    assert_status 0 cc -std=c11 -Wall -Wextra -Wpedantic -Werror -I"$src/include" -c "$T/h.c" -o "$T/h.o"
    cp "$T/h.c" "$T/h.cpp"
    if command -v c++ >/dev/null; then
        assert_status 0 c++ -Wall -Wextra -Werror -I"$src/include" -c "$T/h.cpp" -o "$T/h2.o"
    fi
done

cat >"$T/app.c" <<'C'
#include <dbshift.h>
#include <stdio.h>
int main(void)
{
    dbshift_config cfg;
    dbshift_config_init(&cfg);
    cfg.url = "sqlite::memory:";
    dbshift *db = NULL;
    dbshift_error err = {0};
    if (dbshift_open(&db, &cfg, &err) != 0) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    printf("%s\n", dbshift_engine(db));
    dbshift_free(db);
    return 0;
}
C
# No libpq or libmariadb: the drivers load them on first use, so a
# SQLite-only program links without them.
libs=$(pkg-config --libs sqlite3 libcrypto jansson inih)
# A sanitizer build's library needs the sanitizer runtimes in the program too.
if grep -q '^DBSHIFT_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
    libs="-fsanitize=address,undefined $libs"
fi
assert_status 0 cc -std=c11 -Wall -Wextra -Werror -I"$src/include" "$T/app.c" \
    "$build/libdbshift.a" $libs -lpg_query -lpthread -o "$T/app"
assert_status 0 "$T/app"
assert_contains "$OUT" "sqlite" "the embedding program ran"
pass
