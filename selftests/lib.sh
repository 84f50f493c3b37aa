# Shared helpers of the shell selftests: TAP lines and waiting.
# shellcheck shell=sh
tap_n=0
tap_failed=0

# check NAME COMMAND...: one TAP line; the command's output only on failure.
check() {
	name=$1
	shift
	tap_n=$((tap_n + 1))
	if out=$("$@" 2>&1); then
		echo "ok $tap_n $name"
	else
		echo "not ok $tap_n $name"
		printf '%s\n' "$out" | sed 's/^/# /' | tail -n 20
		tap_failed=1
	fi
}

# wait_for SECONDS COMMAND...: retry the command once a second.
wait_for() {
	secs=$1
	shift
	while [ "$secs" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 1
		secs=$((secs - 1))
	done
	"$@"
}

tap_done() {
	echo "1..$tap_n"
	exit $tap_failed
}
