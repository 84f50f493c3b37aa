#!/bin/sh
# Run the bootsan selftests listed in tests.list (or those named as
# arguments) and print kselftest's TAP:
# one "ok"/"not ok" line per test program, its own output as "# " lines.
# Exit status 4 from a test means skipped (kselftest's KSFT_SKIP).
cd "$(dirname "$0")" || exit 1
# BOOTSAN_SELFTEST_TIMEOUT overrides settings' timeout (a debug kernel is slower).
timeout=${BOOTSAN_SELFTEST_TIMEOUT:-$(sed -n 's/^timeout=//p' settings)}
# BOOTSAN_SELFTEST_SKIP: tests reported as skipped, not run (a debug
# kernel's run leaves out what a stock kernel's run covers and its time
# budget cannot carry).
skip=" ${BOOTSAN_SELFTEST_SKIP:-} "
# Arguments name the tests to run (default: all of tests.list, in order).
if [ $# -gt 0 ]; then
	tests=$*
else
	tests=$(cat tests.list)
fi
total=$(echo "$tests" | wc -w)

echo "TAP version 13"
echo "1..$total"
n=0 failed=0
for t in $tests; do
	n=$((n + 1))
	echo "# selftests: bootsan: $t"
	case $skip in
	*" $t "*)
		echo "ok $n selftests: bootsan: $t # SKIP not run on this kernel (BOOTSAN_SELFTEST_SKIP)"
		continue ;;
	esac
	# 30 s before the timeout ends the test, what every task is doing
	# goes to the console (dump-tasks, in the VM image): a stall leaves
	# evidence. The watcher's sleep ends with it when the test is done.
	watcher=
	if [ "${timeout:-300}" -gt 60 ] && command -v dump-tasks >/dev/null; then
		(
			trap 'kill $s 2>/dev/null; exit 0' TERM
			sleep $((${timeout:-300} - 30)) &
			s=$!
			wait $s && dump-tasks "selftests: bootsan: $t still runs after $((${timeout:-300} - 30)) s"
		) </dev/null >/dev/null 2>&1 &
		watcher=$!
	fi
	# The test leads a process group of its own (setsid), and what it
	# leaves in it ends with it, whether it exits or its timeout ends it: a
	# leftover background child holding this pipe would keep sed, and the
	# whole run, waiting (busybox's timeout signals the test's pid only).
	started=$(date +%s)
	{
		setsid timeout "${timeout:-300}" "./$t" 2>&1 &
		pgid=$!
		wait $pgid
		echo $? >/tmp/.selftest-rc
		if kill -TERM -$pgid 2>/dev/null; then
			sleep 1
			kill -KILL -$pgid 2>/dev/null
		fi
	} | sed 's/^/# /'
	rc=$(cat /tmp/.selftest-rc)
	[ -z "$watcher" ] || kill "$watcher" 2>/dev/null
	echo "# selftests: bootsan: $t took $(($(date +%s) - started)) s"
	case $rc in
	0) echo "ok $n selftests: bootsan: $t" ;;
	4) echo "ok $n selftests: bootsan: $t # SKIP" ;;
	124|143) echo "not ok $n selftests: bootsan: $t # TIMEOUT ${timeout}s"; failed=1 ;;
	*) echo "not ok $n selftests: bootsan: $t # exit=$rc"; failed=1 ;;
	esac
done
exit $failed
