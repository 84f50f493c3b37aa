#!/bin/sh
# Mutation fuzzing of the live module (pdu_fuzz.c): at least 10,000 mutated
# PDUs, in login (normal, discovery, CHAP) and in the full feature phase,
# seeded from real sessions, with a health check (clean login, READ
# CAPACITY, a verified write and read) every FUZZ_CHECK_EVERY cases. Then
# every session must go, the module must unload, slab must be back within
# 2 MiB of where it started and the kernel must have said nothing.
# Runs in the test VM as root.
#
# Knobs (environment): FUZZ_SEED (printed in the log: set it to replay a
# run), FUZZ_CASES (default 10000), FUZZ_CHECK_EVERY, FUZZ_TIMEOUT_MS,
# FUZZ_VERBOSE, and FUZZ_SKIP: PDU kinds not sent in discovery sessions.
# By default it sends everything (a TMF in a discovery session once
# dereferenced a NULL target in tmf.c reset_luns(), issue 13 bug 1).
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:fuzz
TC=iqn.2024-01.org.bootsan.test:fuzz-chap
IMG=/tmp/fuzz.img
PORT=3263
: "${FUZZ_SKIP=}"
export FUZZ_SKIP

# tap_run COMMAND...: a program printing its own TAP lines, numbered on.
# Its output streams to the console as it comes: if the kernel dies, the
# seed and the last progress line are already there to replay it.
tap_run() {
	{ TAP_BASE=$tap_n "$@"; echo $? >/tmp/fuzz-rc; } | tee /tmp/fuzz-out
	tap_n=$((tap_n + $(grep -c -E '^(not )?ok ' /tmp/fuzz-out)))
	[ "$(cat /tmp/fuzz-rc)" = 0 ] || tap_failed=1
}

# slab_kib: the slab objects in use (/proc/slabinfo), in KiB, after
# dropping what can be dropped. Shrinking every cache also empties KASAN's
# quarantine: the debug kernel holds freed objects there (tens of MiB after
# the fuzzing) and counts them as slab. Objects, not slab pages: after
# 10,000 connections the pages stay fragmented (7 MiB more under the debug
# kernel with 1 MiB more objects). kmemleak's and debugobjects' own
# bookkeeping is the debug kernel's, not the module's: left out.
slab_kib() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	for c in /sys/kernel/slab/*; do
		[ -L "$c" ] || echo 1 >"$c/shrink" 2>/dev/null
	done
	awk 'NR > 2 && $1 != "kmemleak_object" && $1 != "debug_objects_cache" {
		b += $2 * $4 } END { print int(b / 1024) }' /proc/slabinfo
}

# slab_caches FILE: every cache's bytes in use, to see what grew.
slab_caches() {
	awk 'NR > 2 { printf "%s %d\n", $1, $2 * $4 }' /proc/slabinfo >"$1"
}

echo "TAP version 13"
# A fresh module: earlier tests may have left portals and targets behind.
rmmod bootsan 2>/dev/null
modprobe bootsan || { echo "Bail out! bootsan.ko missing"; exit 1; }
dmesg_before=$(dmesg | wc -l)

slab_start=$(slab_kib)
slab_caches /tmp/fuzz-slab-start
truncate -s 16M $IMG $IMG.chap
./bsnl portal-new 127.0.0.1 $PORT &&
	./bsnl target-new $T allow-any 1 && ./bsnl lun-new $T 0 $IMG &&
	./bsnl target-new $TC allow-any 1 auth chap chap fuzz-user fuzz-secret-0123 &&
	./bsnl lun-new $TC 0 $IMG.chap ||
	{ echo "Bail out! target setup failed"; exit 1; }

tap_run ./pdu_fuzz 127.0.0.1 $PORT $T $TC fuzz-user fuzz-secret-0123

check "every session goes away" wait_for 30 sh -c "[ -z \"\$(./bsnl sessions)\" ]"
./bsnl sessions | sed 's/^/# left: /'
check "targets and the portal are deleted" sh -c "
	./bsnl target-del $T force && ./bsnl target-del $TC force &&
	./bsnl portal-del 127.0.0.1 $PORT force"
check "rmmod bootsan" wait_for 10 rmmod bootsan
rm -f $IMG $IMG.chap
slab_end=$(slab_kib)
slab_caches /tmp/fuzz-slab-end
echo "# slab: $slab_start KiB at the start, $slab_end KiB at the end"
check "slab is back within 2 MiB of its start ($slab_start -> $slab_end KiB)" \
	[ $((slab_end - slab_start)) -le 2048 ]
# What grew most, to tell a leak from sockets still in TIME_WAIT.
awk 'NR == FNR { was[$1] = $2; next }
	$2 - was[$1] > 32768 { printf "%d %s\n", ($2 - was[$1]) / 1024, $1 }' \
	/tmp/fuzz-slab-start /tmp/fuzz-slab-end | sort -rn | head -n 8 |
	while read -r kib cache; do echo "# slab: $cache grew by $kib KiB"; done
check "no kernel report during the fuzzing" sh -c "
	! dmesg | tail -n +$((dmesg_before + 1)) |
		grep -E 'BUG:|WARNING:|Oops|general protection fault|Call Trace|kernel BUG|KASAN|lockdep|possible .*deadlock|suspicious RCU|sleeping function'"
tap_done
