#!/usr/bin/env bash
# Where settings come from: flags > environment > config file > defaults,
# checked through the database each command reports (status --format json)
# and the folder `new` writes to. Also [env.NAME] on top of [default],
# --config, DBSHIFT_ENV, --password-file, and the URL's password never shown.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
unset DATABASE_URL DBSHIFT_CONFIG DBSHIFT_ENV
cd "$T"
mkdir -p migrations confdir envdir

database() {
    python3 -c 'import json,sys; print(json.load(sys.stdin)["database"])' <<<"$OUT"
}

# Defaults: the embedded SQLite file, announced.
assert_status 0 "$DBSHIFT" status --format json
assert_eq "sqlite:dbshift.db" "$(database)" "default url"
assert_contains "$ERR" "using sqlite:dbshift.db" "default announced"

cat >dbshift.conf <<'CONF'
; settings for the tests
[default]
url = sqlite:from-config.db
dir = confdir

[env.staging]
url = sqlite:from-staging.db
dir = envdir
CONF

# Config file beats the default, and then nothing is announced.
assert_status 0 "$DBSHIFT" status --format json
assert_eq "sqlite:from-config.db" "$(database)" "config url"
assert_not_contains "$ERR" "using sqlite:dbshift.db" "no announcement with a config url"
assert_status 0 "$DBSHIFT" new from_config
assert_contains "$OUT" "confdir/" "config dir used by new"

# Environment beats the config file; the flag beats both.
DATABASE_URL=sqlite:from-env.db assert_status 0 "$DBSHIFT" status --format json
assert_eq "sqlite:from-env.db" "$(database)" "DATABASE_URL over config"
DATABASE_URL=sqlite:from-env.db assert_status 0 "$DBSHIFT" --url sqlite:from-flag.db status --format json
assert_eq "sqlite:from-flag.db" "$(database)" "--url over DATABASE_URL"
DATABASE_URL=sqlite:from-env.db assert_status 0 "$DBSHIFT" status --format json --url sqlite:after.db
assert_eq "sqlite:after.db" "$(database)" "--url after the command"
assert_status 0 "$DBSHIFT" --dir migrations new from_flag
assert_contains "$OUT" "migrations/" "--dir over config dir"

# [env.NAME] on top of [default], by flag or by DBSHIFT_ENV.
assert_status 0 "$DBSHIFT" --env staging status --format json
assert_eq "sqlite:from-staging.db" "$(database)" "--env staging"
DBSHIFT_ENV=staging assert_status 0 "$DBSHIFT" status --format json
assert_eq "sqlite:from-staging.db" "$(database)" "DBSHIFT_ENV"
assert_status 0 "$DBSHIFT" --env staging new in_env
assert_contains "$OUT" "envdir/" "env section dir"
assert_status 2 "$DBSHIFT" --env production status
assert_contains "$ERR" "no [env.production] section" "unknown env"

# --config and DBSHIFT_CONFIG name another file; a broken file is a usage error.
printf '[default]\nurl = sqlite:other.db\n' >other.conf
assert_status 0 "$DBSHIFT" --config other.conf status --format json
assert_eq "sqlite:other.db" "$(database)" "--config"
DBSHIFT_CONFIG=other.conf assert_status 0 "$DBSHIFT" status --format json
assert_eq "sqlite:other.db" "$(database)" "DBSHIFT_CONFIG"
printf '[default]\nthis line is not ini\n' >broken.conf
assert_status 2 "$DBSHIFT" --config broken.conf status
assert_contains "$ERR" "line 2" "broken config names the line"
printf '[default]\nlock_wait = forever\n' >badwait.conf
assert_status 2 "$DBSHIFT" --config badwait.conf status
assert_contains "$ERR" "lock_wait needs a duration" "bad duration in config"
printf '[default]\nurl = sqlite:x.db\ncolour = yes\n' >unknown.conf
assert_status 0 "$DBSHIFT" --config unknown.conf status
assert_contains "$ERR" "unknown key 'colour'" "unknown keys are warned about"

# --password-file must be readable; its content is never printed.
assert_status 1 "$DBSHIFT" --password-file "$T/nope" status
assert_contains "$ERR" "cannot read password file" "missing password file"

# A URL's password never appears, not even when connecting fails.
assert_status '!0' "$DBSHIFT" --url 'postgres://app:s3cret-pw@127.0.0.1:1/shop' status
assert_not_contains "$OUT$ERR" "s3cret-pw" "password hidden in text errors"
assert_status '!0' "$DBSHIFT" --url 'postgres://app:s3cret-pw@127.0.0.1:1/shop' status --format json
assert_not_contains "$OUT$ERR" "s3cret-pw" "password hidden in JSON errors"
python3 -m json.tool <<<"$OUT" >/dev/null || fail "JSON error is not JSON: $OUT"

pass
