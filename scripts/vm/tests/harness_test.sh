#!/bin/bash
# Host tests of the VM harness, without a VM: scripts/vm/run against a
# stand-in qemu, selftests/run_tests.sh against stand-in tests. TAP.
#   - vm/run writes the console to its log as the guest prints it: a
#     stalled guest's log shows its last line, not a buffer's worth less.
#   - run_tests.sh dumps the VM's tasks (dump-tasks) before a test's
#     timeout, and leaves no watcher behind after a test that ends in time.
#   - a process a test leaves behind (ended or timed out) ends with it and
#     cannot hold run_tests.sh's output pipe, and with it the whole run.
# run_tests.sh runs under busybox's sh, timeout, setsid and sed, as in the VM.
set -uo pipefail
top=$(cd "$(dirname "$0")/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# check NAME COMMAND...: one TAP line (the selftests' own helper).
. "$top/selftests/lib.sh"

echo "TAP version 13"

# A qemu that prints one console line (with the serial port's CR), stays
# silent for 4 s as a stalled guest would, then prints the expected text.
mkdir -p "$tmp/bin"
cat >"$tmp/bin/qemu-system-x86_64" <<'QEMU'
#!/bin/sh
printf 'first line before the stall\r\n'
sleep 4
printf 'iPXE done\r\n'
QEMU
chmod +x "$tmp/bin/qemu-system-x86_64"

console_streamed() {
	local log=$tmp/console.log pid found=0
	PATH=$tmp/bin:$PATH "$top/scripts/vm/run" --ipxe --quiet --timeout 30 \
		--expect 'iPXE done' --log "$log" &
	pid=$!
	for _ in $(seq 30); do
		sleep 0.1
		grep -qx 'first line before the stall' "$log" 2>/dev/null && { found=1; break; }
	done
	wait $pid || { echo "vm/run failed"; return 1; }
	[ $found = 1 ] || { echo "the line printed before the stall was not in the log within 3 s"; return 1; }
	grep -qx 'iPXE done' "$log"
}
check "vm/run: the console log has each line as the guest prints it (no CR, no buffering)" \
	console_streamed

# run_tests.sh in a directory of its own, with stand-in tests and a
# dump-tasks that records its calls.
sel=$tmp/selftests
mkdir -p "$sel"
cp "$top/selftests/run_tests.sh" "$sel/"
echo 'timeout=300' >"$sel/settings"
printf '#!/bin/sh\necho quick\n' >"$sel/quick.sh"
printf '#!/bin/sh\nsleep 35\n' >"$sel/slow.sh"
chmod +x "$sel"/*.sh
cat >"$tmp/bin/dump-tasks" <<DUMP
#!/bin/sh
echo "\$*" >>"$tmp/dumps"
DUMP
chmod +x "$tmp/bin/dump-tasks"
mkdir -p "$tmp/bb"
for a in timeout setsid sed; do
	ln -s "$(command -v busybox)" "$tmp/bb/$a"
done
run_tests() { # run_tests.sh as the VM runs it
	PATH=$tmp/bb:$tmp/bin:$PATH busybox sh "$sel/run_tests.sh" "$@"
}

no_watcher_left() {
	echo quick.sh >"$sel/tests.list"
	run_tests >"$tmp/quick.out" || return 1
	grep -q '^ok 1 selftests: bootsan: quick.sh$' "$tmp/quick.out" || return 1
	sleep 0.5
	# The watcher sleeps (timeout - 30) s: 270 s here.
	if pgrep -f '^sleep 270$' >/dev/null; then
		echo "a watcher's sleep outlived the test"
		return 1
	fi
	[ ! -e "$tmp/dumps" ] || { echo "dumped for a test that ended in time"; return 1; }
}
check "run_tests.sh: a test that ends in time leaves no watcher and no dump" no_watcher_left

dump_before_timeout() {
	echo slow.sh >"$sel/tests.list"
	# 61 s: the dump comes at 31 s, the test ends at 35 s.
	BOOTSAN_SELFTEST_TIMEOUT=61 run_tests >"$tmp/slow.out"
	grep -q 'selftests: bootsan: slow.sh still runs after 31 s' "$tmp/dumps" 2>/dev/null || {
		echo "no dump-tasks call before the timeout"
		return 1
	}
}
check "run_tests.sh: 30 s before a test's timeout, the tasks are dumped" dump_before_timeout

# leftover_ends TEST TIMEOUT EXPECTED-LINE: run_tests.sh is done within
# 15 s although TEST leaves a 'sleep 47' behind, and that sleep is gone.
leftover_ends() {
	local start=$SECONDS
	echo "$1" >"$sel/tests.list"
	BOOTSAN_SELFTEST_TIMEOUT=$2 run_tests >"$tmp/leftover.out" &
	local pid=$!
	for _ in $(seq 150); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 $pid 2>/dev/null; then
		echo "run_tests.sh still waits after $((SECONDS - start)) s"
		pkill -f '^sleep 47$'
		wait $pid
		return 1
	fi
	wait $pid
	grep -qF "$3" "$tmp/leftover.out" || { cat "$tmp/leftover.out"; return 1; }
	sleep 0.5
	! pgrep -f '^sleep 47$' >/dev/null || { echo "the test's leftover still runs"; pkill -f '^sleep 47$'; return 1; }
}
printf '#!/bin/sh\nsleep 47 &\necho left a sleep behind\n' >"$sel/leaves_child.sh"
printf '#!/bin/sh\nsleep 47 &\nsleep 46\n' >"$sel/hangs_with_child.sh"
chmod +x "$sel"/*.sh
check "run_tests.sh: a test that exits leaving a child holding its output goes on at once" \
	leftover_ends leaves_child.sh 300 "ok 1 selftests: bootsan: leaves_child.sh"
check "run_tests.sh: a test that times out with a child is reported at once, the child ends" \
	leftover_ends hangs_with_child.sh 3 "not ok 1 selftests: bootsan: hangs_with_child.sh # TIMEOUT 3s"

echo "1..$tap_n"
exit $tap_failed
