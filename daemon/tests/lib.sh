# Shared by the shell tests of bootsand and bootsanctl (sourced, not run):
# TAP lines and the check of one command's exit status and output.
#
# The caller sets prog to the program under test before calling expect.
n=0 failed=0

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() {
	n=$((n + 1)); failed=1
	echo "not ok $n $1"
	printf '%s\n' "$2" | head -20 | sed 's/^/#   /'
}

# expect NAME WANT_RC WANT_TEXT -- ARGS...: runs "$prog" ARGS, checks the
# exit status and that stdout+stderr contain WANT_TEXT (a fixed string).
expect() {
	name=$1 want_rc=$2 want_text=$3
	shift 4
	out=$("$prog" "$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want_rc" ]; then
		not_ok "$name" "exit $rc, want $want_rc; output: $out"
	elif ! printf '%s' "$out" | grep -qF -- "$want_text"; then
		not_ok "$name" "output lacks '$want_text': $out"
	else
		ok "$name"
	fi
}
