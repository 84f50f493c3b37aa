#!/bin/sh
# bootsand's command line: --version, --help, exit status 2 with a clear
# message for every misuse, and exit status 1 with a clear message when the
# state directory or database cannot be used. Prints TAP.
bin=${1:-$(dirname "$0")/../bootsand}
version=$("$(dirname "$0")/../../scripts/version")
. "$(dirname "$0")/lib.sh"
prog=$bin

echo "TAP version 13"
echo "1..19"
expect "--version prints the project version" 0 "bootsand $version" -- --version
expect "-V is --version" 0 "bootsand $version" -- -V
expect "--help shows usage" 0 "Usage: bootsand" -- --help
expect "unknown long option exits 2" 2 "unknown option '--bogus'" -- --bogus
expect "unknown short option exits 2" 2 "unknown option '-x'" -- -x
expect "stray argument exits 2" 2 "unexpected argument 'extra'" -- extra
expect "misuse points to --help" 2 "Try 'bootsand --help'" -- --bogus
expect "--listen needs a value" 2 "option '--listen' needs a value" -- --listen
expect "a bad --listen exits 2" 2 "bad --listen 'localhost'" -- --listen localhost
expect "a bad --listen port exits 2" 2 "bad --listen '0.0.0.0:99999'" -- --listen 0.0.0.0:99999
expect "a bad --log-level exits 2" 2 "bad --log-level 'loud'" -- --log-level loud

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/file"
expect "a state dir that is a file exits 1" 1 "is not a directory" -- \
	--state-dir "$tmp/file" --listen 127.0.0.1:0
mkdir "$tmp/new"
python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
db.execute("INSERT INTO schema_version VALUES (99)")
db.commit()' "$tmp/new/bootsand.db"
expect "a database from a newer bootsand exits 1" 1 "schema version 99 is newer" -- \
	--state-dir "$tmp/new" --listen 127.0.0.1:0
mkdir "$tmp/tok"
printf 'short\n' >"$tmp/tok/api-token"
expect "an unusable token file exits 1" 1 "token is too short" -- \
	--state-dir "$tmp/tok" --listen 127.0.0.1:0

# bootsand.conf: its settings apply, a bad line is named FILE:LINE, and
# the command line overrides the file.
printf '# settings\nstate-dir = %s\nlisten = 127.0.0.1:0\n' "$tmp/file" >"$tmp/a.conf"
expect "the file's state-dir is used" 1 "is not a directory" -- --config "$tmp/a.conf"
expect "the command line overrides the file" 1 "token is too short" -- \
	--config "$tmp/a.conf" --state-dir "$tmp/tok"
printf 'listen = 127.0.0.1:0\n\nlisten = localhost\n' >"$tmp/b.conf"
expect "a bad value is named FILE:LINE" 2 "$tmp/b.conf:3: bad --listen 'localhost'" -- \
	-c "$tmp/b.conf"
printf 'colour = blue\n' >"$tmp/c.conf"
expect "an unknown key exits 2" 2 "$tmp/c.conf:1: unknown key 'colour'" -- -c "$tmp/c.conf"
expect "a missing --config file exits 2" 2 "$tmp/none.conf: No such file" -- \
	-c "$tmp/none.conf"
exit $failed
