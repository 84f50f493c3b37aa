#!/bin/sh
# What reads may hold until their data is sent (read_budget.c): the module
# parameters read_mem_per_session_mib and read_mem_total_mib bound it.
# Sessions that queue many 256 KiB READs of a block LUN (whose reads fill
# pages of the module's own) and never read their socket pin at most the
# budget; the READs over it are answered TASK SET FULL, the rest GOOD with
# the image's bytes. The budgets and their use are read over netlink
# (mem-get, and each session's read-mem). Runs in the test VM as root.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:read-budget
IMG=/tmp/read-budget.img
PORT=3273
P=/sys/module/bootsan/parameters
SESSIONS=8

# tap_run_holding DURING COMMAND...: lib.sh's tap_run, and while the
# program holds its stuck sessions, DURING runs (a check of its own).
tap_run_holding() {
	during=$1
	shift
	TAP_BASE=$tap_n "$@" >/tmp/read-budget.out 2>&1 &
	pid=$!
	wait_for 120 sh -c "grep -q '^# holding' /tmp/read-budget.out || ! kill -0 $pid"
	during_out=$(sh -c "$during" 2>&1)
	during_rc=$?
	wait $pid
	rc=$?
	out=$(cat /tmp/read-budget.out)
	printf '%s\n' "$out"
	tap_n=$((tap_n + $(printf '%s\n' "$out" | grep -c -E '^(not )?ok ')))
	[ $rc = 0 ] || tap_failed=1
	tap_n=$((tap_n + 1))
	if [ $during_rc = 0 ]; then
		echo "ok $tap_n netlink shows the budgets and their use while they hold it"
	else
		echo "not ok $tap_n netlink shows the budgets and their use while they hold it"
		tap_failed=1
	fi
	printf '%s\n' "$during_out" | sed 's/^/# /'
}

echo "TAP version 13"
# field NAME: NAME's value in "bsnl mem" (a command: the checks run in sh -c).
printf '#!/bin/sh\n%s/bsnl mem | tr " " "\\n" | sed -n "s/^$1=//p"\n' "$PWD" >/tmp/field
chmod +x /tmp/field
PATH=/tmp:$PATH
modprobe bootsan && modprobe loop || { echo "Bail out! modules missing"; exit 1; }
/usr/bin/dd if=/dev/urandom of=$IMG bs=1M count=64 2>/dev/null
LOOP=$(losetup -f) && losetup "$LOOP" $IMG || { echo "Bail out! no loop device"; exit 1; }
check "portal, target (queue depth 32) and a 64 MiB block LUN" sh -c "
	./bsnl portal-new 127.0.0.1 $PORT && ./bsnl target-new $T allow-any 1 queue-depth 32 &&
	./bsnl lun-new $T 0 $LOOP block"
check "the bounds are module parameters: 64 MiB per session, 0 (a quarter of RAM) in all" \
	sh -c "[ \"\$(cat $P/read_mem_per_session_mib)\" = 64 ] &&
		[ \"\$(cat $P/read_mem_total_mib)\" = 0 ]"
check "mem-get shows them in bytes, and nothing in use" sh -c "./bsnl mem;
	[ \"\$(field read_session_limit)\" = $((64 << 20)) ] && [ \"\$(field read_used)\" = 0 ] &&
	[ \"\$(field read_limit)\" -gt 0 ] && [ \"\$(field write_session_limit)\" = $((64 << 20)) ]"

# 8 sessions ask for 64 MiB; 1 MiB each may stay (8 MiB). MemFree also
# moves with what is not the reads (sockets, sessions, the client, and
# KASAN's shadow and quarantine under the debug kernel): 28 MiB of slack
# (with no budget it dropped by 69 and 78 MiB on 6.12).
echo 1 >$P/read_mem_per_session_mib
# What is left in use depends on how much each socket took (its data went
# there, out of the budget): at most 1 MiB a session.
tap_run_holding "./bsnl mem; ./bsnl sessions; [ \$(field read_used) -le $((SESSIONS << 20)) ] &&
	[ \$(field read_session_limit) = $((1 << 20)) ] &&
	! ./bsnl sessions | grep -v 'read_mem=[0-9]' &&
	! ./bsnl sessions | awk -F'read_mem=' '{ split(\$2, v, \" \"); if (v[1] > 1048576) print }' |
		grep ." \
	./read_budget 127.0.0.1 $PORT $T $IMG $SESSIONS 36
echo 64 >$P/read_mem_per_session_mib
check "no session is left" wait_for 20 sh -c "[ -z \"\$(./bsnl sessions)\" ]"

# The same sessions under 4 MiB for the whole module.
echo 4 >$P/read_mem_total_mib
tap_run_holding "./bsnl mem; [ \$(field read_used) -gt 0 ] && [ \$(field read_used) -le $((4 << 20)) ] &&
	[ \$(field read_limit) = $((4 << 20)) ]" \
	./read_budget 127.0.0.1 $PORT $T $IMG $SESSIONS 32
echo 0 >$P/read_mem_total_mib
check "no session is left" wait_for 20 sh -c "[ -z \"\$(./bsnl sessions)\" ]"
check "nothing is counted once they are gone" sh -c "./bsnl mem; [ \"\$(field read_used)\" = 0 ]"

check "target and portal removed" sh -c "
	./bsnl target-del $T force && ./bsnl portal-del 127.0.0.1 $PORT force"
losetup -d "$LOOP"
rm -f $IMG
check "no warning or oops" sh -c "! dmesg | grep -E 'WARNING:|BUG:|Oops|general protection'"
tap_done
