#!/bin/sh
# bootsand's command line: --version, --help, and exit status 2 with a clear
# message for every misuse. Prints TAP.
bin=${1:-$(dirname "$0")/../bootsand}
version=$("$(dirname "$0")/../../scripts/version")
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n $1 # $2"; failed=1; }

# expect NAME WANT_RC WANT_OUTPUT_SUBSTRING -- ARGS...
expect() {
	name=$1 want_rc=$2 want_text=$3
	shift 4
	out=$("$bin" "$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want_rc" ]; then
		not_ok "$name" "exit $rc, want $want_rc; output: $out"
	elif ! printf '%s' "$out" | grep -qF -- "$want_text"; then
		not_ok "$name" "output lacks '$want_text': $out"
	else
		ok "$name"
	fi
}

echo "TAP version 13"
echo "1..7"
expect "--version prints the project version" 0 "bootsand $version" -- --version
expect "-V is --version" 0 "bootsand $version" -- -V
expect "--help shows usage" 0 "Usage: bootsand" -- --help
expect "unknown long option exits 2" 2 "unknown option '--bogus'" -- --bogus
expect "unknown short option exits 2" 2 "unknown option '-x'" -- -x
expect "stray argument exits 2" 2 "unexpected argument 'extra'" -- extra
expect "misuse points to --help" 2 "Try 'bootsand --help'" -- --bogus
exit $failed
