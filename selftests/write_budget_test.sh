#!/bin/sh
# What writes may hold before their data arrives (write_budget.c): the
# module parameters write_mem_per_session_mib and write_mem_total_mib bound
# it; a write over the bound waits for its R2T while its session's writes
# finish, or is answered TASK SET FULL; every write answered GOOD reads
# back. open-iscsi under bounds far below what its 32 writes in flight want
# (most of which carry unsolicited data, so many are answered TASK SET
# FULL and sent again) still verifies every block with fio. Runs in the
# test VM as root.
cd "$(dirname "$0")" || exit 1
. ./lib.sh

T=iqn.2024-01.org.bootsan.test:write-budget
I=iqn.2024-01.org.bootsan.test:write-budget-initiator
IMG=/tmp/write-budget.img
PORT=3269
P=/sys/module/bootsan/parameters

echo "TAP version 13"
modprobe bootsan && modprobe crc32c_generic 2>/dev/null; modprobe iscsi_tcp && modprobe sd_mod ||
	{ echo "Bail out! modules missing"; exit 1; }
truncate -s 32M $IMG
check "portal, target (queue depth 16) and a 32 MiB LUN" sh -c "
	./bsnl portal-new 127.0.0.1 $PORT && ./bsnl target-new $T allow-any 1 queue-depth 16 &&
	./bsnl lun-new $T 0 $IMG"
check "the bounds are module parameters: 64 MiB per session, 0 (a quarter of RAM) in all" \
	sh -c "[ \"\$(cat $P/write_mem_per_session_mib)\" = 64 ] &&
		[ \"\$(cat $P/write_mem_total_mib)\" = 0 ]"

echo 1 >$P/write_mem_per_session_mib 2>/dev/null
tap_run ./write_budget session 127.0.0.1 $PORT $T
echo 64 >$P/write_mem_per_session_mib 2>/dev/null
check "no session is left" wait_for 10 sh -c "[ -z \"\$(./bsnl sessions)\" ]"

echo 1 >$P/write_mem_total_mib 2>/dev/null
tap_run ./write_budget total 127.0.0.1 $PORT $T
echo 0 >$P/write_mem_total_mib 2>/dev/null
check "no session is left" wait_for 10 sh -c "[ -z \"\$(./bsnl sessions)\" ]"

# open-iscsi with 1 MiB per session and 2 MiB in all: fio's 4 KiB and 128
# KiB writes, 32 in flight each, all verified.
mkdir -p /etc/iscsi /var/lib/iscsi /run/lock/iscsi
echo "InitiatorName=$I" >/etc/iscsi/initiatorname.iscsi
# Our own iscsid, with our initiator name; later tests start theirs.
iscsiadm -m node -U all >/dev/null 2>&1
killall iscsid 2>/dev/null
wait_for 10 sh -c '! pidof iscsid >/dev/null'
setsid iscsid -f >/tmp/iscsid-wb.log 2>&1 &
iscsid_pid=$!
sleep 1
disk() {
	for s in /sys/class/iscsi_session/session*; do
		grep -q write-budget "$s/targetname" 2>/dev/null || continue
		for b in "$s"/device/target*/*:*:*:0/block/*; do
			[ -e "$b" ] && echo "/dev/${b##*/}" && return 0
		done
	done
	return 1
}
check "open-iscsi logs in" sh -c "
	iscsiadm -m discovery -t sendtargets -p 127.0.0.1:$PORT >/dev/null &&
	iscsiadm -m node -T $T -p 127.0.0.1:$PORT --login >/dev/null"
wait_for 30 disk >/dev/null
D=$(disk)
echo 1 >$P/write_mem_per_session_mib 2>/dev/null
echo 2 >$P/write_mem_total_mib 2>/dev/null
check "fio verifies every block under 1 MiB per session, 2 MiB in all" fio_verify "$D" 0 /tmp/fio-wb.log
echo 64 >$P/write_mem_per_session_mib 2>/dev/null
echo 0 >$P/write_mem_total_mib 2>/dev/null
iscsiadm -m node -T $T -p 127.0.0.1:$PORT --logout >/dev/null 2>&1
iscsiadm -m node -T $T -o delete >/dev/null 2>&1
kill "$iscsid_pid" 2>/dev/null
wait_for 10 sh -c '! pidof iscsid >/dev/null'
check "no session is left" wait_for 10 sh -c "[ -z \"\$(./bsnl sessions)\" ]"

./bsnl target-del $T force
./bsnl portal-del 127.0.0.1 $PORT force
rm -f $IMG
tap_done
