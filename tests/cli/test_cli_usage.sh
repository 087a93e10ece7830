#!/usr/bin/env bash
# Usage errors: every malformed command line exits with status 2 and says on
# stderr what was wrong and where to read more, without touching a database.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
unset DATABASE_URL DBSHIFT_CONFIG DBSHIFT_ENV
cd "$T"

usage_error() {
    local expect=$1
    shift
    assert_status 2 "$DBSHIFT" "$@"
    assert_contains "$ERR" "$expect" "message for: $*"
    assert_eq "" "$OUT" "nothing on stdout for: $*"
}

assert_status 2 "$DBSHIFT"
assert_contains "$ERR" "usage: dbshift" "bare dbshift prints usage"
usage_error "unknown command 'frobnicate'" frobnicate
usage_error "unknown option '--bogus'" status --bogus
usage_error "unknown option '--bogus'" --bogus status
usage_error "run \`dbshift status --help\`" status --bogus
usage_error "--url needs a value" status --url
usage_error "--lock-wait needs a duration" up --lock-wait soon
usage_error "--lock-timeout needs a duration" up --lock-timeout 5x
usage_error "--statement-timeout needs a duration" up --statement-timeout -1s
usage_error "--keep-backups needs a non-negative number" up --keep-backups many
usage_error "--limit needs a non-negative number" history --limit -3
usage_error "--format must be text or json" status --format yaml
usage_error "--dry-run and --rehearse cannot be combined" up --dry-run --rehearse
usage_error "--backup and --no-backup cannot be combined" up --backup --no-backup
usage_error "up takes no arguments" up 20260101
usage_error "give only one of N, --to V and --all" down 2 --all
usage_error "positive number of steps" down zero
usage_error "positive number of steps" down 0
usage_error "baseline needs --version V" baseline
usage_error "new needs exactly one NAME" new
usage_error "new needs exactly one NAME" new a b
usage_error "is not a valid name" new "has space"
usage_error "--yes takes no value" up --yes=1
usage_error "--var needs the form name=value" status --var novalue
usage_error "restore takes at most one FILE" restore a b
usage_error "unknown command 'nope'" help nope

# Durations in every accepted spelling are fine (checked through the parser:
# --help after them exits 0 without connecting).
for d in 500ms 5s 2m 1h 30; do
    assert_status 0 "$DBSHIFT" up --lock-wait "$d" --help
done

# A missing explicit config file is a usage error too.
usage_error "cannot read config file" --config "$T/missing.conf" status

pass
