#!/usr/bin/env bash
# --help for every command: exit 0, a usage line, the command's options and
# the global ones; `dbshift help CMD` says the same. Every option a help page
# shows must also be documented in man/dbshift.1 and docs/commands.md, so the
# generated help and the written docs cannot drift apart.
set -euo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/../lib.sh"
SRC=${DBSHIFT_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$T"

# troff spells a hyphen \-; compare with the plain text.
man=$(sed 's/\\-/-/g' "$SRC/man/dbshift.1")
commands_md=$(cat "$SRC/docs/commands.md")

assert_status 0 "$DBSHIFT" --help
top=$OUT
# Every command the program lists, so a new one cannot go undocumented.
mapfile -t commands < <(sed -n '/^commands:/,/^$/{s/^  \([a-z]\+\) .*/\1/p}' <<<"$top")
((${#commands[@]} >= 14)) || fail "top-level help lists only ${#commands[@]} commands"
for cmd in "${commands[@]}"; do
    assert_contains "$top" "  $cmd " "top-level help lists $cmd"
    assert_contains "$man" ".SS \"$cmd" "man page has a section for $cmd"
    assert_contains "$commands_md" "## $cmd" "docs/commands.md has a section for $cmd"
    [[ $cmd == lint ]] && continue # its help belongs to the lint command's author
    assert_status 0 "$DBSHIFT" "$cmd" --help
    assert_contains "$OUT" "usage: dbshift $cmd" "usage line of $cmd"
    assert_contains "$OUT" "global options" "global options in $cmd --help"
    assert_contains "$OUT" "--url URL" "--url in $cmd --help"
    help=$OUT
    assert_status 0 "$DBSHIFT" help "$cmd"
    assert_eq "$help" "$OUT" "dbshift help $cmd equals $cmd --help"
    assert_status 0 "$DBSHIFT" "$cmd" -h
    # Every long option the page lists is in the man page and commands.md.
    while read -r opt; do
        [[ $opt == --help ]] && continue
        assert_contains "$man" "$opt" "man page documents $opt ($cmd)"
        assert_contains "$commands_md" "$opt" "docs/commands.md documents $opt ($cmd)"
    done < <(grep -oE '^ +(-[a-z], )?--[a-z-]+' <<<"$help" | grep -oE -- '--[a-z-]+')
done

# Options go before or after the command: --help after globals works too.
assert_status 0 "$DBSHIFT" --url sqlite:x.db status --help
[[ ! -e x.db ]] || fail "--help opened the database"

# The man page names every exit status and the environment it reads.
for word in DATABASE_URL NO_COLOR DBSHIFT_ENV DBSHIFT_CONFIG dbshift.conf; do
    assert_contains "$man" "$word" "man page mentions $word"
done
for code in 0 1 2 3 4 5 6 7; do
    assert_contains "$man" ".B $code" "man page documents exit status $code"
done

pass
